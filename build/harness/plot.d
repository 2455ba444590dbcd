build/harness/plot.o: harness/plot.c harness/plot.h harness/util.h \
 harness/error.h harness/gnuplot.h harness/stats.h harness/jsonx.h
harness/plot.h:
harness/util.h:
harness/error.h:
harness/gnuplot.h:
harness/stats.h:
harness/jsonx.h:
