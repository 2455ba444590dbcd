build/harness/proc.o: harness/proc.c harness/proc.h harness/error.h \
 harness/monotonic.h harness/util.h
harness/proc.h:
harness/error.h:
harness/monotonic.h:
harness/util.h:
