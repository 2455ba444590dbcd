build/harness/world/server.o: harness/world/server.c \
 harness/world/server.h harness/error.h harness/util.h \
 harness/world/pace.h harness/monotonic.h
harness/world/server.h:
harness/error.h:
harness/util.h:
harness/world/pace.h:
harness/monotonic.h:
