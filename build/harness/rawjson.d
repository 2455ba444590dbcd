build/harness/rawjson.o: harness/rawjson.c harness/rawjson.h \
 harness/error.h harness/util.h
harness/rawjson.h:
harness/error.h:
harness/util.h:
