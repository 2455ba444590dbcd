build/harness/gnuplot.o: harness/gnuplot.c harness/gnuplot.h \
 harness/util.h harness/error.h harness/proc.h
harness/gnuplot.h:
harness/util.h:
harness/error.h:
harness/proc.h:
