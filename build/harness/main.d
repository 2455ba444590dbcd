build/harness/main.o: harness/main.c harness/commands.h
harness/commands.h:
