build/harness/replay.o: harness/replay.c harness/replay.h harness/error.h \
 harness/util.h
harness/replay.h:
harness/error.h:
harness/util.h:
