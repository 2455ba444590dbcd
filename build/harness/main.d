build/harness/main.o: harness/main.c harness/commands.h harness/error.h
harness/commands.h:
harness/error.h:
