build/harness/world/catalog.o: harness/world/catalog.c \
 harness/world/catalog.h
harness/world/catalog.h:
