build/harness/scenario.o: harness/scenario.c harness/scenario.h \
 harness/error.h harness/sha256.h harness/util.h
harness/scenario.h:
harness/error.h:
harness/sha256.h:
harness/util.h:
