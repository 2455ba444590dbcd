build/harness/sha256.o: harness/sha256.c harness/sha256.h harness/util.h
harness/sha256.h:
harness/util.h:
