build/harness/world/baseimage.o: harness/world/baseimage.c \
 harness/world/baseimage.h harness/docker.h harness/scenario.h \
 harness/util.h harness/error.h harness/monotonic.h harness/proc.h \
 harness/util.h
harness/world/baseimage.h:
harness/docker.h:
harness/scenario.h:
harness/util.h:
harness/error.h:
harness/monotonic.h:
harness/proc.h:
harness/util.h:
