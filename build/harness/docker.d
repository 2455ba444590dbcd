build/harness/docker.o: harness/docker.c harness/docker.h \
 harness/scenario.h harness/util.h harness/error.h harness/proc.h
harness/docker.h:
harness/scenario.h:
harness/util.h:
harness/error.h:
harness/proc.h:
