build/harness/cmd_run.o: harness/cmd_run.c harness/commands.h \
 harness/error.h harness/proc.h harness/run.h
harness/commands.h:
harness/error.h:
harness/proc.h:
harness/run.h:
