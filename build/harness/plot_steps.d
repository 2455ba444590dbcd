build/harness/plot_steps.o: harness/plot_steps.c harness/plot.h \
 harness/util.h harness/jsonx.h
harness/plot.h:
harness/util.h:
harness/jsonx.h:
