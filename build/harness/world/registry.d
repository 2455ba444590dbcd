build/harness/world/registry.o: harness/world/registry.c \
 harness/world/registry.h harness/error.h harness/monotonic.h \
 harness/util.h
harness/world/registry.h:
harness/error.h:
harness/monotonic.h:
harness/util.h:
