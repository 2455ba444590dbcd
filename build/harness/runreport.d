build/harness/runreport.o: harness/runreport.c harness/runreport.h \
 harness/run.h harness/error.h harness/plot.h harness/util.h \
 harness/results.h
harness/runreport.h:
harness/run.h:
harness/error.h:
harness/plot.h:
harness/util.h:
harness/results.h:
