build/harness/world/world.o: harness/world/world.c harness/world.h \
 harness/scenario.h harness/util.h harness/error.h harness/monotonic.h \
 harness/proc.h harness/world/baseimage.h harness/world/pace.h \
 harness/world/registry.h harness/world/repo.h harness/world/server.h \
 harness/world/wheels.h
harness/world.h:
harness/scenario.h:
harness/util.h:
harness/error.h:
harness/monotonic.h:
harness/proc.h:
harness/world/baseimage.h:
harness/world/pace.h:
harness/world/registry.h:
harness/world/repo.h:
harness/world/server.h:
harness/world/wheels.h:
