build/harness/progress.o: harness/progress.c harness/progress.h \
 harness/monotonic.h harness/util.h
harness/progress.h:
harness/monotonic.h:
harness/util.h:
