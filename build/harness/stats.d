build/harness/stats.o: harness/stats.c harness/stats.h harness/util.h
harness/stats.h:
harness/util.h:
