build/harness/world/wheels.o: harness/world/wheels.c \
 harness/world/wheels.h harness/error.h harness/sha256.h harness/util.h \
 harness/world/catalog.h
harness/world/wheels.h:
harness/error.h:
harness/sha256.h:
harness/util.h:
harness/world/catalog.h:
