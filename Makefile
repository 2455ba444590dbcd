# bench: replay git commits against Dockerfile variants on a real BuildKit engine.
# make            ./bench          make check    unit, sanitizer and integration tests
# make san        ASan+UBSan unit tests         make install PREFIX=/usr/local
PREFIX  ?= /usr/local
PKGS     = libgit2 jansson inih libmicrohttpd libzip
BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -Iharness \
           $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lm
# (gcc 12 reports false "null format string" truncation warnings under UBSan)
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRC      = $(wildcard harness/*.c harness/world/*.c)
OBJ      = $(SRC:%.c=$(BUILD)/%.o)
LIBOBJ   = $(filter-out $(BUILD)/harness/main.o,$(OBJ))
TESTS    = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
ITESTS   = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/it_*.c))

all: bench
bench: $(BUILD)/bench
	cp $< $@
$(BUILD)/bench: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/tests/%: tests/%.c $(LIBOBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs cmocka)

unit: $(TESTS) $(BUILD)/bench
	tests/run-unit $(BUILD) $(TESTS)
fixtures: $(BUILD)/fixtures/tiny
$(BUILD)/fixtures/tiny: $(BUILD)/tests/mkfixture
	rm -rf $@ && $< $@
integration: $(ITESTS) $(BUILD)/bench fixtures
	SUITE=integration BENCH_BIN=$(BUILD)/bench BENCH_FIXTURES=$(BUILD)/fixtures/tiny \
	  tests/run-unit $(BUILD) $(ITESTS)
check: bench
	$(MAKE) unit && $(MAKE) san && $(MAKE) integration
san:
	$(MAKE) BUILD=build/san CFLAGS="-O1 -g $(SAN) -Wno-format-truncation" LDFLAGS="$(SAN)" unit
valgrind: $(TESTS)
	tests/run-unit --valgrind $(BUILD) $(TESTS)
install: bench
	install -D -m 755 bench $(DESTDIR)$(PREFIX)/bin/bench
	install -d $(DESTDIR)$(PREFIX)/share/bench
	cp -R dockerfiles plots scenarios $(DESTDIR)$(PREFIX)/share/bench/
clean:
	rm -rf build bench
.PHONY: all check unit integration san valgrind install clean fixtures
-include $(OBJ:.o=.d) $(TESTS:=.d) $(ITESTS:=.d)
