# bench: replay git commits against Dockerfile variants on a real BuildKit engine.
# make            ./bench          make check    unit, sanitizer and integration tests
# make san        ASan+UBSan unit tests         make install PREFIX=/usr/local
# make tsan       ThreadSanitizer on the tests of threaded code
PREFIX  ?= /usr/local
PKGS     = libgit2 jansson inih libmicrohttpd libzip yaml-0.1
BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CFLAGS) -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -MMD -MP -Iharness \
           $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lm -pthread
# (gcc 12 reports false "null format string" truncation warnings under UBSan)
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRC      = $(wildcard harness/*/*.c)
OBJ      = $(SRC:%.c=$(BUILD)/%.o)
LIBOBJ   = $(filter-out $(BUILD)/harness/cli/main.o,$(OBJ))
TESTS    = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
ITESTS   = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/it_*.c))

# make: ./bench, its man page (from the help table: bench --man), and the
# repository scenarios/tiny.ini replays (build/fixtures/tiny)
all: bench bench.1 fixtures
bench: $(BUILD)/bench
	cp --remove-destination $< $@
bench.1: $(BUILD)/bench
	$< --man > $@
$(BUILD)/bench: $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/tests/%: tests/%.c $(LIBOBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

# the fixtures live in build/ whatever BUILD is: the scenarios (and README's
# examples, which test_readme loads) name ../build/fixtures/tiny
FIXTURES = build/fixtures
unit: $(TESTS) $(BUILD)/bench fixtures
	tests/run-unit $(BUILD) $(TESTS)
fixtures: $(FIXTURES)/tiny $(FIXTURES)/bisect
$(FIXTURES)/tiny: tests/mkfixture.c tests/gitfixture.h | $(BUILD)/tests/mkfixture
	rm -rf $@ && $(BUILD)/tests/mkfixture $@
$(BUILD)/tests/mkfixture: tests/mkfixture.c tests/gitfixture.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs libgit2)
$(FIXTURES)/bisect: tests/mkfixture.c tests/gitfixture.h | $(BUILD)/tests/mkfixture
	rm -rf $@ && $(BUILD)/tests/mkfixture --bisect $@
integration: $(ITESTS) $(BUILD)/bench fixtures
	SUITE=integration BENCH_BIN=$(BUILD)/bench BENCH_FIXTURES=$(FIXTURES)/tiny \
	  tests/run-unit $(BUILD) $(ITESTS)
check: bench
	$(MAKE) unit && $(MAKE) san && $(MAKE) tsan && $(MAKE) integration
san:
	$(MAKE) BUILD=build/san CFLAGS="-O1 -g $(SAN) -Wno-format-truncation" LDFLAGS="$(SAN)" unit
# tsan: the unit tests whose code runs on several threads at once (the engines
# of a run), under ThreadSanitizer
TSAN_TESTS = test_dispatch test_supersede test_engines test_proc
tsan:
	$(MAKE) BUILD=build/tsan CFLAGS="-O1 -g -fsanitize=thread" $(TSAN_TESTS:%=build/tsan/tests/%)
	SUITE=tsan tests/run-unit build/tsan $(TSAN_TESTS:%=build/tsan/tests/%)
# benchmarks: figures, not tests (README "Building and testing"); the overhead
# benchmark builds on the real engine: N = 10 and 100 commits, 1,000 in benchmarks-long
OVERHEAD_COMMITS ?= 10,100
benchmarks: $(BUILD)/tests/bench_rawjson $(BUILD)/tests/bench_overhead $(BUILD)/bench
	$(BUILD)/tests/bench_rawjson
	$(BUILD)/tests/bench_overhead --bench $(BUILD)/bench --commits $(OVERHEAD_COMMITS)
benchmarks-long:
	$(MAKE) benchmarks OVERHEAD_COMMITS=10,100,1000
valgrind: $(TESTS)
	tests/run-unit --valgrind $(BUILD) $(TESTS)
# fuzz: each tests/fuzz/fuzz_*.c under libFuzzer (clang), a short smoke run; fuzz-long: 1,000,000 runs each
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -Iharness $(shell pkg-config --cflags $(PKGS)) \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# the scenario parser looks builders and cache kinds up in their tables, whose rows carry
# their operations: the library, as the unit tests link it
FUZZ_SRC_scenario = $(filter-out harness/cli/main.c harness/lib/util.c harness/lib/error.c,$(SRC))
FUZZ_SRC_rawjson  = harness/builders/rawjson.c harness/lib/base64.c
FUZZ_SRC_baseline = $(addprefix harness/results/,gate.c gate_baseline.c gate_format.c results.c stats.c comparable.c)
# bench init: the workflow reader (libyaml), run lines and the Dockerfile rules
FUZZ_SRC_workflow = harness/init/workflow.c harness/init/runline.c harness/init/findings.c
FUZZ_SRC_svg      = harness/pages/html_svg.c harness/pages/html.c harness/lib/sha256.c harness/lib/base64.c
FUZZ_SRC_ghacache = harness/world/ghacache_parse.c
FUZZ_RUNS ?= 20000
FUZZ_TIME ?= 20
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard harness/*/*.[ch])
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC_$*) harness/lib/util.c harness/lib/error.c $(shell pkg-config --libs $(PKGS)) -lm -pthread
fuzz: $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
	@for t in $^; do n=$${t##*/fuzz_}; mkdir -p $(BUILD)/fuzz/corpus-$$n; echo "fuzz $$n: $(FUZZ_RUNS) runs"; \
	  $$t -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_TIME) -dict=tests/fuzz/$$n.dict -artifact_prefix=$(BUILD)/fuzz/crash-$$n- \
	    $(BUILD)/fuzz/corpus-$$n tests/fuzz/$$n/seeds > $(BUILD)/fuzz/$$n.log 2>&1 \
	  || { tail -n 40 $(BUILD)/fuzz/$$n.log; echo "fuzz $$n: CRASH, input kept as $(BUILD)/fuzz/crash-$$n-*"; exit 1; }; \
	  grep '^Done' $(BUILD)/fuzz/$$n.log; done
fuzz-long:
	$(MAKE) fuzz FUZZ_RUNS=1000000 FUZZ_TIME=0
.PHONY: fuzz fuzz-long
install: bench bench.1
	install -D -m 755 bench $(DESTDIR)$(PREFIX)/bin/bench
	install -D -m 644 bench.1 $(DESTDIR)$(PREFIX)/share/man/man1/bench.1
	install -D -m 644 completions/bench.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bench
	install -d $(DESTDIR)$(PREFIX)/share/bench
	cp -R dockerfiles plots scenarios $(DESTDIR)$(PREFIX)/share/bench/
clean:
	rm -rf build bench bench.1
.PHONY: all check unit integration san tsan benchmarks benchmarks-long valgrind install clean fixtures
-include $(OBJ:.o=.d) $(TESTS:=.d) $(ITESTS:=.d)
