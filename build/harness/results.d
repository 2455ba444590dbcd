build/harness/results.o: harness/results.c harness/results.h \
 harness/error.h harness/stats.h harness/util.h harness/jsonx.h
harness/results.h:
harness/error.h:
harness/stats.h:
harness/util.h:
harness/jsonx.h:
