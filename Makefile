# authd: passkey authentication server.  Plain GNU make.
#
#   make          build everything into build/
#   make run      build and start (installs missing build dependencies)
#   make test     unit, sanitizer, vector, fuzz-corpus and integration tests
#   make bench    benchmarks
#   make check-fault  authd built with fault injection (FAULT=1, into
#                 build/fault): allocations and library calls fail one
#                 time in N under a load of ceremonies; and a full disk
#                 and I/O errors under the real authd
#   make fuzz     run every libFuzzer target for FUZZ_SECONDS each,
#                 FUZZ_JOBS of them at a time
#   make clean
#
# SANITIZER=address,undefined works with any target.

BUILD		?= build
CC		?= cc
VECTORS		?= ../shared/vectors
FUZZ_SECONDS	?= 60
FUZZ_JOBS	?= 1
SANITIZER	?=

PKGS		:= libfido2 libcbor libcrypto libssl jansson sqlite3
# Expanded when a recipe runs, after scripts/deps.sh has installed them.
PKG_CFLAGS	= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARNINGS	:= -Wall -Wextra -Werror -Wshadow -Wcast-qual -Wwrite-strings \
		   -Wmissing-prototypes -Wstrict-prototypes \
		   -Wbad-function-cast -Wimplicit-fallthrough -Wformat=2 \
		   -Wconversion -Wsign-conversion -pedantic
CFLAGS		?= -O2 -g
ALL_CFLAGS	= -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE \
		  $(WARNINGS) $(CFLAGS) -fstack-protector-strong \
		  -D_FORTIFY_SOURCE=2 -I. -I$(CIVETWEB_DIR)/include -MMD -MP \
		  $(PKG_CFLAGS)
LDLIBS		= $(PKG_LIBS) -lpthread
ifneq ($(SANITIZER),)
ALL_CFLAGS	+= -fsanitize=$(SANITIZER) -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all -U_FORTIFY_SOURCE
LDFLAGS		+= -fsanitize=$(SANITIZER)
endif

OBJ		:= $(BUILD)/obj
DEPS_STAMP	:= $(BUILD)/.deps
TEST_DEPS_STAMP	:= $(BUILD)/.test-deps

# Civetweb 1.15 from Debian's source package, built against OpenSSL 3.
CIVETWEB_DIR	:= build/civetweb
CIVETWEB	:= $(CIVETWEB_DIR)/libcivetweb.a

WA_SRC		:= $(sort $(wildcard webauthn/*.c))
WA_OBJ		:= $(WA_SRC:%.c=$(OBJ)/%.o)
WA_LIB		:= $(BUILD)/libwebauthn.a

ST_SRC		:= $(sort $(wildcard store/*.c))
ST_OBJ		:= $(ST_SRC:%.c=$(OBJ)/%.o)
ST_LIB		:= $(BUILD)/libstore.a

# Shared by authd and authctl.
COMMON_SRC	:= authd/token.c authd/cfg.c authd/aaguid.c authd/kek.c
COMMON_OBJ	:= $(COMMON_SRC:%.c=$(OBJ)/%.o)
AUTHCTL_SRC	:= $(sort $(wildcard authd/authctl*.c))
AUTHCTL_OBJ	:= $(AUTHCTL_SRC:%.c=$(OBJ)/%.o)
AUTHCTL		:= $(BUILD)/authctl
AUTHD_SRC	:= $(filter-out $(AUTHCTL_SRC) $(COMMON_SRC), \
		   $(sort $(wildcard authd/*.c)))
AUTHD_OBJ	:= $(AUTHD_SRC:%.c=$(OBJ)/%.o)
AUTHD		:= $(BUILD)/authd

TESTLIB_SRC	:= $(sort $(wildcard tests/lib/*.c))
TESTLIB_OBJ	:= $(TESTLIB_SRC:%.c=$(OBJ)/%.o)
REGRESS_SRC	:= $(sort $(wildcard tests/regress/*.c))
REGRESS_BIN	:= $(REGRESS_SRC:tests/regress/%.c=$(BUILD)/tests/regress/%)
VECTORS_BIN	:= $(BUILD)/tests/vectors/vectors
HTTPT_SRC	:= $(sort $(wildcard tests/http/http_*.c))
HTTPT_BIN	:= $(HTTPT_SRC:tests/http/%.c=$(BUILD)/tests/http/%)
HTTPT_OBJ	:= $(OBJ)/tests/http/fixture.o
FAULTT_SRC	:= $(sort $(wildcard tests/fault/fault_*.c))
FAULTT_BIN	:= $(FAULTT_SRC:tests/fault/%.c=$(BUILD)/tests/fault/%)
DISKFULL_SO	:= $(BUILD)/tests/fault/diskfull.so
BENCH_SRC	:= $(sort $(wildcard tests/bench/*.c))
BENCH_BIN	:= $(BENCH_SRC:tests/bench/%.c=$(BUILD)/tests/bench/%)

FUZZ_SRC	:= $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES	:= $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BUILD	:= $(BUILD)/fuzz


.PHONY: all run test check-unit check-vectors check-authctl check-http \
	check-fault check-e2e fuzz \
	fuzz-build fuzz-regress bench deps clean

all: $(AUTHD) $(AUTHCTL)

deps: $(DEPS_STAMP)

$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(@D)
	@sh scripts/deps.sh build
	@touch $@

$(TEST_DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(@D)
	@sh scripts/deps.sh test
	@touch $@

$(CIVETWEB): scripts/civetweb.sh $(wildcard scripts/civetweb/*.inl) \
    | $(DEPS_STAMP)
	@sh scripts/civetweb.sh $(CIVETWEB_DIR)

$(OBJ)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(WA_LIB): $(WA_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(ST_LIB): $(ST_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(AUTHCTL): $(AUTHCTL_OBJ) $(COMMON_OBJ) $(ST_LIB) $(WA_LIB) $(CIVETWEB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -ldl

ifneq ($(FAULT),1)
$(AUTHD): $(AUTHD_OBJ) $(COMMON_OBJ) $(ST_LIB) $(WA_LIB) $(CIVETWEB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -ldl
else
# The fault-injection authd (make check-fault; never installed).  Our
# own objects become one relocatable object whose calls to the functions
# of tests/fault/syms.list are renamed to __wrap_*, the trampolines that
# tests/fault/gen.sh writes; Civetweb and the libraries keep calling
# the real functions.
FAULT_GEN	:= $(BUILD)/fault-gen

$(FAULT_GEN)/own.o: $(AUTHD_OBJ) $(COMMON_OBJ) $(ST_OBJ) $(WA_OBJ)
	@mkdir -p $(@D)
	$(LD) -r -o $@ $^

$(FAULT_GEN)/.gen: $(FAULT_GEN)/own.o tests/fault/gen.sh \
    tests/fault/syms.list tests/fault/headers.h
	sh tests/fault/gen.sh tests/fault/syms.list $(FAULT_GEN)/own.o \
	    $(FAULT_GEN) $(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS))
	@touch $@

$(FAULT_GEN)/own-wrapped.o: $(FAULT_GEN)/.gen
	objcopy --redefine-syms=$(FAULT_GEN)/redefine.map $(FAULT_GEN)/own.o $@

$(FAULT_GEN)/wrap.o: $(FAULT_GEN)/.gen
	$(CC) -c -o $@ $(FAULT_GEN)/wrap.S

$(FAULT_GEN)/syms.o: $(FAULT_GEN)/.gen tests/fault/fault.h
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -c -o $@ $(FAULT_GEN)/syms.c

$(AUTHD): $(FAULT_GEN)/own-wrapped.o $(FAULT_GEN)/wrap.o \
    $(FAULT_GEN)/syms.o $(OBJ)/tests/fault/fault.o $(CIVETWEB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -ldl
endif

# Civetweb's header comes with its build.
$(AUTHD_OBJ) $(AUTHCTL_OBJ): $(CIVETWEB)

$(BUILD)/tests/regress/%: $(OBJ)/tests/regress/%.o $(TESTLIB_OBJ) \
    $(COMMON_OBJ) $(ST_LIB) $(WA_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# rand_bytes() lives with the daemon's logging.
$(BUILD)/tests/regress/authd_rand $(BUILD)/tests/regress/authd_log: \
    $(OBJ)/authd/log.o

$(BUILD)/tests/http/%: $(OBJ)/tests/http/%.o $(HTTPT_OBJ) $(TESTLIB_OBJ) \
    $(WA_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/fault/fault_%: $(OBJ)/tests/fault/fault_%.o $(HTTPT_OBJ) \
    $(TESTLIB_OBJ) $(WA_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# LD_PRELOAD'ed into the real authd: write and fsync fail on demand.
$(DISKFULL_SO): tests/fault/diskfull.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -fPIC -shared -o $@ $< -ldl

$(VECTORS_BIN): $(OBJ)/tests/vectors/vectors.o $(WA_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/bench/%: $(OBJ)/tests/bench/%.o $(TESTLIB_OBJ) $(ST_LIB) \
    $(WA_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Starts authd on http://localhost:8080 with var/authd.db; while no admin
# has a passkey it prints a one-time enrollment link for the first one.
run: all
	@echo "authd: http://localhost:8080 (Ctrl-C stops it)"
	@exec $(AUTHD) $(RUN_FLAGS)

# Everything CI runs.  Sanitizer builds live in their own build folders.
test: $(TEST_DEPS_STAMP) all check-unit check-vectors check-authctl \
    check-http
	$(MAKE) check-fault
	$(MAKE) BUILD=$(BUILD)/san SANITIZER=address,undefined \
	    check-unit check-vectors check-http
	$(MAKE) fuzz-regress
	$(MAKE) check-e2e
	@echo "make test: all suites passed"

check-unit: $(REGRESS_BIN)
	@sh tests/run-regress.sh $(REGRESS_BIN)

check-vectors: $(VECTORS_BIN)
	$(VECTORS_BIN) $(VECTORS)

# A real authd over HTTP(S), with a throwaway database.
check-http: $(AUTHD) $(AUTHCTL) $(HTTPT_BIN)
	@sh tests/http/run.sh $(BUILD)

# authd with fault injection (its own build in BUILD/fault), then the
# real authd on a full disk and with I/O errors.  The disk part preloads
# a library, so it runs only without SANITIZER.
check-fault: $(AUTHD) $(AUTHCTL) $(FAULTT_BIN) $(DISKFULL_SO)
	$(MAKE) BUILD=$(BUILD)/fault FAULT=1 $(BUILD)/fault/authd
	@SANITIZER=$(SANITIZER) sh tests/fault/run.sh $(BUILD)

# The journeys in Debian's chromium, driven by playwright-core.
check-e2e: all
	@sh tests/e2e/setup.sh
	@BUILD=$(BUILD) sh tests/e2e/run.sh

check-authctl: $(AUTHCTL)
	@sh tests/authctl.sh $(AUTHCTL) $(VECTORS)

# Library verification first, then the end-to-end login load test.
bench: $(AUTHD) $(AUTHCTL) $(BENCH_BIN)
	$(BUILD)/tests/bench/bench_verify
	$(BUILD)/tests/bench/bench_login

# libFuzzer targets: clang with ASan and UBSan.
FUZZ_CC		?= clang
FUZZ_CFLAGS	= -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -g -O1 \
		  -I. $(PKG_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
		  -fno-sanitize-recover=all -DWA_FUZZING -MMD -MP \
		  -Wall -Wextra -Werror
FUZZ_WA_OBJ	:= $(WA_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BINS	:= $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)

$(FUZZ_BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_WA_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

# The token verifier is authd's, not the library's.
$(FUZZ_BUILD)/fuzz_token: $(FUZZ_BUILD)/authd/token.o

fuzz-build: $(FUZZ_BINS)

# Replays every seed and regression input once under the sanitizers.
fuzz-regress: fuzz-build
	@sh tests/fuzz/replay.sh $(FUZZ_BUILD) $(FUZZ_NAMES)

fuzz: fuzz-build
	@FUZZ_JOBS=$(FUZZ_JOBS) sh tests/fuzz/run.sh $(FUZZ_BUILD) \
	    $(FUZZ_SECONDS) $(FUZZ_NAMES)

clean:
	rm -rf $(BUILD)

# Objects are kept between runs, not deleted as intermediates.
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
