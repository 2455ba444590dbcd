build/harness/run.o: harness/run.c harness/run.h harness/blogreport.h \
 harness/docker.h harness/scenario.h harness/util.h harness/error.h \
 harness/gate.h harness/monotonic.h harness/proc.h harness/progress.h \
 harness/rawjson.h harness/replay.h harness/results.h harness/runreport.h \
 harness/sha256.h harness/world.h harness/world/repo.h
harness/run.h:
harness/blogreport.h:
harness/docker.h:
harness/scenario.h:
harness/util.h:
harness/error.h:
harness/gate.h:
harness/monotonic.h:
harness/proc.h:
harness/progress.h:
harness/rawjson.h:
harness/replay.h:
harness/results.h:
harness/runreport.h:
harness/sha256.h:
harness/world.h:
harness/world/repo.h:
