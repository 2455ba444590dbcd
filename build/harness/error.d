build/harness/error.o: harness/error.c harness/error.h
harness/error.h:
