build/harness/world/repo.o: harness/world/repo.c harness/world/repo.h \
 harness/error.h harness/util.h
harness/world/repo.h:
harness/error.h:
harness/util.h:
