# perfbisect: find the commit that made a kernel slower.
# Non-recursive: every directory lists its sources here.
include config.mk

# make check, check-kernel, demo and bench set up a fresh Debian machine
# themselves.
ifneq ($(filter check check-kernel demo bench,$(MAKECMDGOALS)),)
DEPS_FAILED := $(shell sh scripts/deps $(if $(filter check-kernel,$(MAKECMDGOALS)),--kernel,$(if $(filter check demo,$(MAKECMDGOALS)),--vm)) >&2 || echo failed)
ifneq ($(DEPS_FAILED),)
$(error scripts/deps could not install what perfbisect needs)
endif
endif

PKGS = libgit2 libssh2 libcrypto gsl sqlite3 jansson
PKG_MISSING := $(shell $(PKG_CONFIG) --atleast-version=1.5 libgit2 || echo libgit2; \
	$(PKG_CONFIG) --atleast-version=1.10 libssh2 || echo libssh2; \
	$(PKG_CONFIG) --atleast-version=2.7 gsl || echo gsl; \
	$(PKG_CONFIG) --atleast-version=1.1 libcrypto || echo libcrypto; \
	$(PKG_CONFIG) --exists sqlite3 || echo sqlite3; \
	$(PKG_CONFIG) --exists jansson || echo jansson)
ifneq ($(strip $(PKG_MISSING)),)
ifeq ($(filter deps clean,$(MAKECMDGOALS)),)
$(error missing libraries: $(PKG_MISSING); run scripts/deps)
endif
endif

INCS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARN = -Wall -Wextra
ifeq ($(DEVELOPER),1)
WARN += -Werror -Wpedantic -Wmissing-prototypes -Wstrict-prototypes \
	-Wold-style-definition -Wwrite-strings -Wpointer-arith -Wshadow -Wvla \
	-Wformat=2 -Wno-format-nonliteral -fno-common
endif
ifneq ($(SANITIZE),)
SAN = -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) -fno-omit-frame-pointer
endif

PB_CPPFLAGS = -std=c99 -D_GNU_SOURCE -I. $(INCS) -DPERFBISECT_VERSION='"$(VERSION)"'
PB_CFLAGS = $(PB_CPPFLAGS) $(WARN) $(SAN) $(CPPFLAGS) $(CFLAGS)
PB_LDFLAGS = $(SAN) $(LDFLAGS)

# Every .c below these directories is part of the program, except main.c.
SRCS := $(filter-out bisect/main.c,$(sort $(wildcard bisect/*.c kexec/*.c metrics/*.c stats/*.c)))
OBJS := $(SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/bisect/main.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/helper-*.c))
HELPER_BIN := $(HELPER_SRCS:tests/%.c=$(BUILD)/tests/%)
DEPS := $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_BINS:=.d) $(HELPER_BIN:=.d)

# PROG: where the program goes (BUILD=b PROG=b/perfbisect keeps two
# builds of one checkout apart).
PROG = perfbisect

all: $(PROG)

$(PROG): $(MAIN_OBJ) $(BUILD)/libperfbisect.a
	$(CC) -o $@ $(MAIN_OBJ) $(BUILD)/libperfbisect.a $(PB_LDFLAGS) $(LIBS)

$(BUILD)/libperfbisect.a: $(OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(OBJS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(PB_CFLAGS) -MD -MP -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libperfbisect.a
	@mkdir -p $(@D)
	$(CC) $(PB_CFLAGS) $(CMOCKA_CFLAGS) -MD -MP -o $@ $< \
		$(BUILD)/libperfbisect.a $(PB_LDFLAGS) $(CMOCKA_LIBS) $(LIBS)

$(BUILD)/tests/helper-%: tests/helper-%.c $(BUILD)/libperfbisect.a
	@mkdir -p $(@D)
	$(CC) $(PB_CFLAGS) -MD -MP -o $@ $< $(BUILD)/libperfbisect.a $(PB_LDFLAGS) $(LIBS)

$(BUILD)/tests/bench-search: tests/bench/search.c $(BUILD)/libperfbisect.a
	@mkdir -p $(@D)
	$(CC) $(PB_CFLAGS) -MD -MP -o $@ $< $(BUILD)/libperfbisect.a $(PB_LDFLAGS) $(LIBS)

unit: $(UNIT_BINS)

# The whole suite: unit tests, shell tests, man page lint, example configs.
check: $(PROG) $(UNIT_BINS) $(HELPER_BIN)
	BUILD=$(BUILD) PB=$(abspath $(PROG)) sh tests/run $(UNIT_BINS)

# Slow, not part of check: a real kernel from Debian's linux-source built
# at every step and bisected on the test VM (tests/kernel/check-kernel.sh).
check-kernel: $(PROG)
	BUILD=$(BUILD) PB=$(abspath $(PROG)) SHDIR=tests/kernel sh tests/run; \
	rc=$$?; grep -h '^# check-kernel:' $(BUILD)/tests/log/check-kernel.out; exit $$rc

bench: $(PROG) $(HELPER_BIN) $(BUILD)/tests/bench-search
	BUILD=$(BUILD) PB=$(abspath $(PROG)) sh tests/bench/run

demo: $(PROG)
	BUILD=$(BUILD) PB=$(abspath $(PROG)) sh scripts/demo

deps:
	sh scripts/deps

# Test bodies are single-quoted strings that tcase evaluates, and "top"
# comes from tests/lib.sh: shellcheck cannot see either, so "assigned
# but unused" (SC2034) and "used but not assigned" (SC2154) are off.
lint:
	mandoc -Tlint -Wwarning man/perfbisect.1 man/perfbisect.conf.5
	shellcheck -s sh -S warning -e SC2034,SC2154 scripts/deps scripts/demo \
		scripts/demo-history scripts/ci-post-failure-hook scripts/vm/* \
		tests/run tests/lib.sh tests/vm.sh tests/sh/*.sh tests/kernel/*.sh \
		tests/gen-history tests/bench/run tests/bench/*.sh \
		tests/banned-functions .ci/run
	sh tests/banned-functions

install: $(PROG)
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 $(DESTDIR)$(MANPREFIX)/man5
	$(INSTALL) -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/perfbisect
	$(INSTALL) -m 644 man/perfbisect.1 $(DESTDIR)$(MANPREFIX)/man1/perfbisect.1
	$(INSTALL) -m 644 man/perfbisect.conf.5 $(DESTDIR)$(MANPREFIX)/man5/perfbisect.conf.5
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/share/perfbisect
	$(INSTALL) -m 644 man/perfbisect-report.schema.json $(DESTDIR)$(PREFIX)/share/perfbisect/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/perfbisect \
		$(DESTDIR)$(MANPREFIX)/man1/perfbisect.1 \
		$(DESTDIR)$(MANPREFIX)/man5/perfbisect.conf.5 \
		$(DESTDIR)$(PREFIX)/share/perfbisect/perfbisect-report.schema.json

clean:
	rm -rf $(BUILD) perfbisect

.PHONY: all unit check check-kernel bench demo deps lint install uninstall clean

-include $(DEPS)

# Fuzz the metric parsers and selectors with libFuzzer (clang) for
# FUZZ_TIME seconds; crashing inputs land in tests/fuzz/crashes/.
FUZZ_TIME = 60
FUZZ_SRCS = tests/fuzz/fuzz_parse.c bisect/util.c bisect/config.c \
	metrics/bench.c metrics/parse.c metrics/parse-netperf.c \
	metrics/parse-tools.c
fuzz:
	@mkdir -p $(BUILD)/fuzz/corpus tests/fuzz/crashes
	clang -std=c99 -D_GNU_SOURCE -I. $(INCS) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $(BUILD)/fuzz/fuzz_parse \
		$(FUZZ_SRCS) $(LIBS)
	$(BUILD)/fuzz/fuzz_parse -max_total_time=$(FUZZ_TIME) -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=tests/fuzz/crashes/ \
		$(BUILD)/fuzz/corpus tests/fuzz/seeds

.PHONY: fuzz
