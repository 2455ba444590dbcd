build/harness/util.o: harness/util.c harness/util.h harness/error.h
harness/util.h:
harness/error.h:
