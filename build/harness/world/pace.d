build/harness/world/pace.o: harness/world/pace.c harness/world/pace.h \
 harness/monotonic.h harness/error.h harness/util.h
harness/world/pace.h:
harness/monotonic.h:
harness/error.h:
harness/util.h:
