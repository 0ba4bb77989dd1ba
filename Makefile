# tte - build, test, demo, bench, fuzz.
#
#   make demo    install what is missing, build, run the nightly batch on
#                synthetic data in demo/, print where the outputs are
#   make test    install what is missing, build with ASan + UBSan into
#                build/asan/, run every test, end with the summary line
#   make bench   benchmarks (tables, never timed tests)
#   make fuzz    the libFuzzer harnesses, FUZZ_SECONDS each
#
# Programs: build/tte (front command) and build/stages/<stage> (one
# program per stage, run by `tte run` in order). Modules add themselves
# through mk/*.mk fragments; see mk/README.

SHELL := /bin/bash
CC ?= cc

# The version, from here only: `tte --version` prints it, with the
# `git describe` of the checkout appended when built from a git tree.
VERSION := 0.9.0
GIT_DESCRIBE := $(shell [ "$$(git -C '$(CURDIR)' rev-parse --show-toplevel 2>/dev/null)" = '$(CURDIR)' ] \
	&& git -C '$(CURDIR)' describe --always --dirty 2>/dev/null)
TTE_VERSION := $(VERSION)$(if $(GIT_DESCRIBE), (git $(GIT_DESCRIBE)))
NPROC := $(shell nproc 2>/dev/null || echo 2)
PKG_CONFIG ?= pkg-config

ifeq ($(SAN),1)
B := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT := -O1 -g
# Only the build the tests run reads the file-system TTE_TEST_* hooks (testhook.h).
TEST_HOOKS := -DTTE_TEST_HOOKS
else
B := build
SANFLAGS :=
OPT := -O2 -g
endif

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Werror
CPPFLAGS_TTE := -Iinclude -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(TEST_HOOKS)
CFLAGS_TTE := -std=gnu11 $(OPT) $(WARN) $(SANFLAGS) -fstack-protector-strong
LDFLAGS_TTE := $(SANFLAGS) -Wl,--as-needed -Wl,-O1

# Debian packages: libraries, then tools the tests and demo use.
DEB_PKGS := build-essential pkg-config libglib2.0-dev libsqlite3-dev libcsv-dev \
            libxlsxwriter-dev libssl-dev libqrencode-dev libarchive-dev \
            libcairo2-dev libpango1.0-dev libqpdf-dev libcmocka-dev libxml2-dev \
            fonts-dejavu-core poppler-utils zbar-tools sqlite3 unzip zip \
            clang libclang-rt-14-dev jq libxml2-utils

# The core library every program links: store, config, files, log, lock,
# dates, rules, tables.
CORE_PKGS := glib-2.0 sqlite3 libcrypto
CORE_LIBS := -lcsv
CORE_SRCS := $(filter-out pipeline/tte.c,$(wildcard pipeline/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/obj/%.o)

pkg_cflags = $(if $(strip $(1)),$(shell $(PKG_CONFIG) --cflags $(1)))
pkg_libs = $(if $(strip $(1)),$(shell $(PKG_CONFIG) --libs $(1)))

# The stages are the lines of include/stages.def (tte.c reads the same
# table); a fragment may add a stage's SRCS/PKGS, but a stage missing from
# stages.def stops the build.
DEF_STAGES := $(shell sed -n 's/^TTE_STAGE.\([a-z0-9_]*\),.*/\1/p' include/stages.def)
# Fragments append to these.
STAGES := $(DEF_STAGES)
TESTS :=
TOOLS :=
FUZZERS :=
BENCHES :=
include $(sort $(wildcard mk/*.mk))
ifneq ($(sort $(STAGES)),$(sort $(DEF_STAGES)))
$(error stages built by mk/ ($(sort $(STAGES))) differ from include/stages.def ($(sort $(DEF_STAGES))))
endif
STAGES := $(DEF_STAGES)

TEST_PKGS := cmocka libxml-2.0
ALL_PKGS := $(sort $(CORE_PKGS) $(TEST_PKGS) $(foreach s,$(STAGES),$($(s)_PKGS)) \
	$(foreach t,$(TESTS) $(TOOLS) $(FUZZERS),$($(t)_PKGS)))

.PHONY: all deps demo test check-build bench fuzz clean
all: $(B)/tte $(STAGES:%=$(B)/stages/%) $(TOOLS:%=$(B)/tools/%)

# ---- dependencies -------------------------------------------------------
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:" $$missing; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing </dev/null \
				|| { echo "apt-get failed" >&2; exit 1; }; \
		else \
			echo "Missing Debian packages. Install them with:" >&2; \
			echo "  sudo apt-get install -y $$missing" >&2; \
			exit 1; \
		fi; \
	fi

# ---- compile --------------------------------------------------------------
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_TTE) $(CFLAGS_TTE) $(call pkg_cflags,$(ALL_PKGS)) -MMD -MP -c $< -o $@

$(B)/libtte.a: $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

# tte.o is rebuilt when the version string changes, and only then.
$(B)/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(TTE_VERSION)' | cmp -s - $@ || echo '$(TTE_VERSION)' > $@
$(B)/obj/pipeline/tte.o: $(B)/version.stamp
$(B)/obj/pipeline/tte.o: CPPFLAGS_TTE += -DTTE_VERSION='"$(TTE_VERSION)"'
.PHONY: FORCE

$(B)/tte: $(B)/obj/pipeline/tte.o $(B)/libtte.a
	$(CC) $(LDFLAGS_TTE) -o $@ $^ $(call pkg_libs,$(CORE_PKGS)) $(CORE_LIBS)

# A stage S: stages/S.c plus $(S_SRCS), linking libtte and $(S_PKGS)/$(S_LIBS).
define stage_rule
$(B)/stages/$(1): $(B)/obj/stages/$(1).o $$(patsubst %.c,$(B)/obj/%.o,$$($(1)_SRCS)) $(B)/libtte.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_TTE) -o $$@ $$^ $$(call pkg_libs,$$(CORE_PKGS) $$($(1)_PKGS)) $$(CORE_LIBS) $$($(1)_LIBS)
endef
$(foreach s,$(STAGES),$(eval $(call stage_rule,$(s))))

# A test T: tests/T.c plus tests/testutil.c and $(T_SRCS), cmocka.
define test_rule
$(B)/tests/$(1): $(B)/obj/tests/$(1).o $(B)/obj/tests/testutil.o $$(patsubst %.c,$(B)/obj/%.o,$$($(1)_SRCS)) $(B)/libtte.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_TTE) -o $$@ $$^ $$(call pkg_libs,$$(TEST_PKGS) $$(CORE_PKGS) $$($(1)_PKGS)) $$(CORE_LIBS) $$($(1)_LIBS)
endef
$(foreach t,$(TESTS),$(eval $(call test_rule,$(t))))

# A tool T (generators for demo and bench): tools/T.c plus $(T_SRCS).
define tool_rule
$(B)/tools/$(1): $(B)/obj/tools/$(1).o $$(patsubst %.c,$(B)/obj/%.o,$$($(1)_SRCS)) $(B)/libtte.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_TTE) -o $$@ $$^ $$(call pkg_libs,$$(CORE_PKGS) $$($(1)_PKGS)) $$(CORE_LIBS) $$($(1)_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ---- the README's two commands --------------------------------------------
DEMO := demo
demo: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@tools/demo.sh $(B) $(DEMO)

test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) SAN=1 check-build
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@tests/run build/asan

check-build: all $(TESTS:%=$(B)/tests/%)

# ---- benchmarks and fuzzers -------------------------------------------------
bench: deps all
	@bench/run.sh $(B) $(BENCHES)

FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS_TTE) -DTTE_FUZZ
define fuzz_rule
build/fuzz/$(1): tests/fuzz/$(1).c $$($(1)_SRCS) $(CORE_SRCS)
	@mkdir -p $$(dir $$@)
	clang $$(FUZZ_CFLAGS) $$(call pkg_cflags,$$(CORE_PKGS) $$($(1)_PKGS)) -o $$@ $$^ $$(call pkg_libs,$$(CORE_PKGS) $$($(1)_PKGS)) $$(CORE_LIBS) $$($(1)_LIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))

fuzz: deps $(FUZZERS:%=build/fuzz/%)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

clean:
	rm -rf build demo
