# tte - build, test, demo, bench, fuzz.
#
#   make demo    install what is missing, build, run the nightly batch on
#                synthetic data in demo/, print where the outputs are
#   make test    install what is missing, build with ASan + UBSan into
#                build/asan/, run every test, end with the summary line
#   make bench   benchmarks (tables, never timed tests)
#   make fuzz    the libFuzzer harnesses, FUZZ_SECONDS each
#   make install, make uninstall   PREFIX, DESTDIR, BINDIR, LIBEXECDIR,
#                MANDIR, SYSCONFDIR, UNITDIR, DOCDIR (GNU conventions)
#   make deb     the Debian package build/tte_<VERSION>_amd64.deb
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
LDFLAGS_TTE := $(SANFLAGS) -Wl,--as-needed -Wl,-O1 $(LDFLAGS)

# Debian packages: libraries, then tools the tests and demo use.
DEB_PKGS := build-essential pkg-config libglib2.0-dev libsqlite3-dev libcsv-dev \
            libxlsxwriter-dev libssl-dev libqrencode-dev libarchive-dev \
            libcairo2-dev libpango1.0-dev libqpdf-dev libcmocka-dev libxml2-dev \
            fonts-dejavu-core poppler-utils zbar-tools sqlite3 unzip zip \
            clang libclang-rt-14-dev jq libxml2-utils libxxhash-dev \
            debhelper devscripts lintian fakeroot groff man-db mandoc adduser \
            libreoffice-calc-nogui fonts-crosextra-carlito chromium tidy

# Where `make install` puts things (GNU names; DESTDIR prefixes them all).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/tte
# The config of a server program lives in /etc, whatever the prefix.
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
# The root the systemd service runs on.
ROOTDIR ?= /var/lib/tte
LIBEXEC_REL := $(shell realpath -m --relative-to=$(BINDIR) $(LIBEXECDIR)/tte)
PATH_DEFS := $(if $(filter-out ../libexec/tte,$(LIBEXEC_REL)),-DTTE_LIBEXEC_REL='"$(LIBEXEC_REL)"') \
             $(if $(filter-out /etc,$(SYSCONFDIR)),-DTTE_SYSCONFDIR='"$(SYSCONFDIR)"')
DIST_FILES := $(B)/dist/tte.service $(B)/dist/tte.conf

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

.PHONY: all deps web-deps demo test check-build bench fuzz clean install uninstall deb FORCE
all: $(B)/tte $(STAGES:%=$(B)/stages/%) $(TOOLS:%=$(B)/tools/%) $(DIST_FILES)

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
	@$(MAKE) --no-print-directory web-deps

# The browser test drives Debian's chromium with puppeteer-core (npm; no
# browser download), pinned by tests/web/package-lock.json.
web-deps:
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing: nodejs npm"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm </dev/null \
				|| { echo "apt-get failed" >&2; exit 1; }; \
		else \
			echo "Node.js is missing. Install it with:" >&2; \
			echo "  sudo apt-get install -y nodejs npm" >&2; \
			exit 1; \
		fi; \
	fi
	@if [ ! -f tests/web/node_modules/.package-lock.json ] || \
	    [ tests/web/package-lock.json -nt tests/web/node_modules/.package-lock.json ]; then \
		echo "npm ci in tests/web"; \
		cd tests/web && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts </dev/null \
			|| { echo "npm ci failed" >&2; exit 1; }; \
	fi

# ---- compile --------------------------------------------------------------
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_TTE) $(CPPFLAGS) $(CFLAGS_TTE) $(CFLAGS) $(call pkg_cflags,$(ALL_PKGS)) -MMD -MP -c $< -o $@

# The front command and the context find the stages and the system config
# through PATH_DEFS; they are rebuilt when those change.
# A stamp file holds the values it names and changes only with them.
stamp = @mkdir -p $(dir $@); echo '$(1)' | cmp -s - $@ || echo '$(1)' >$@
$(B)/paths.stamp: FORCE
	$(call stamp,LIBEXEC_REL=$(LIBEXEC_REL) SYSCONFDIR=$(SYSCONFDIR))
$(B)/dist.stamp: FORCE
	$(call stamp,BINDIR=$(BINDIR) ROOTDIR=$(ROOTDIR))
$(B)/obj/pipeline/tte.o $(B)/obj/pipeline/ctx.o: $(B)/paths.stamp
$(B)/obj/pipeline/tte.o $(B)/obj/pipeline/ctx.o: CPPFLAGS_TTE += $(PATH_DEFS)

$(B)/dist/tte.service: systemd/tte.service.in $(B)/dist.stamp
	@mkdir -p $(dir $@)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@ROOTDIR@|$(ROOTDIR)|g' $< >$@.tmp && mv $@.tmp $@
$(B)/dist/tte.conf: $(B)/tools/conf-default
	@mkdir -p $(dir $@)
	$< --commented >$@.tmp && mv $@.tmp $@

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

# ---- install, uninstall, the Debian package --------------------------------
# The installed tte finds its stages at <dir of tte>/$(LIBEXEC_REL) and the
# system-wide config at $(SYSCONFDIR)/tte/tte.conf. Both are compiled in, and
# only when they differ from the built-in defaults (../libexec/tte, /etc),
# so a checkout's build/tte stays the same program whatever PREFIX says.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/tte $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSCONFDIR)/tte
	install -m 0755 $(B)/tte $(DESTDIR)$(BINDIR)/tte
	install -m 0755 $(STAGES:%=$(B)/stages/%) $(DESTDIR)$(LIBEXECDIR)/tte/
	install -m 0644 man/tte.1 $(DESTDIR)$(MANDIR)/man1/tte.1
	install -m 0644 man/tte.conf.5 $(DESTDIR)$(MANDIR)/man5/tte.conf.5
	install -m 0644 $(B)/dist/tte.service systemd/tte.timer $(DESTDIR)$(UNITDIR)/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0644 $(B)/dist/tte.conf $(DESTDIR)$(DOCDIR)/tte.conf.example
	@# An admin's config is never overwritten.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/tte/tte.conf ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/tte/tte.conf"; \
	else \
		echo install -m 0644 $(B)/dist/tte.conf $(DESTDIR)$(SYSCONFDIR)/tte/tte.conf; \
		install -m 0644 $(B)/dist/tte.conf $(DESTDIR)$(SYSCONFDIR)/tte/tte.conf; \
	fi

# Removes what install wrote; the config only while nobody has changed it.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tte $(STAGES:%=$(DESTDIR)$(LIBEXECDIR)/tte/%) \
		$(DESTDIR)$(MANDIR)/man1/tte.1 $(DESTDIR)$(MANDIR)/man5/tte.conf.5 \
		$(DESTDIR)$(UNITDIR)/tte.service $(DESTDIR)$(UNITDIR)/tte.timer \
		$(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/tte.conf.example
	-rmdir $(DESTDIR)$(LIBEXECDIR)/tte $(DESTDIR)$(DOCDIR) 2>/dev/null
	@c=$(DESTDIR)$(SYSCONFDIR)/tte/tte.conf; \
	if [ -f $$c ] && cmp -s $$c $(B)/dist/tte.conf; then \
		rm -f $$c; rmdir $(DESTDIR)$(SYSCONFDIR)/tte 2>/dev/null; true; \
	elif [ -f $$c ]; then echo "keeping $$c (changed since install)"; fi

# The package is built from a copy of the tree in build/deb/ (dpkg-buildpackage
# writes its results beside the source tree); the copy keeps its objects
# between runs, so a second `make deb` only rebuilds what changed.
DEB_DIR := build/deb/tte-$(VERSION)
DEB_FILE := tte_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null || echo amd64).deb
deb: deps
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	if [ "$$v" != "$(VERSION)" ]; then \
		echo "debian/changelog is at $$v but the Makefile's VERSION is $(VERSION):" \
		     "add a changelog entry (dch -v $(VERSION))" >&2; exit 1; fi
	@mkdir -p $(DEB_DIR)
	@find $(DEB_DIR) -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
	@tar -c --exclude=./build --exclude=./demo --exclude=./.git --exclude=./var \
		--exclude=./tte.conf . | tar -x -C $(DEB_DIR)
	cd $(DEB_DIR) && DEB_BUILD_OPTIONS="parallel=$$(nproc) $$DEB_BUILD_OPTIONS" dpkg-buildpackage -b -us -uc -nc
	cp build/deb/$(DEB_FILE) build/$(DEB_FILE)
	lintian --fail-on error --info build/deb/tte_$(VERSION)_*.changes
	@echo "package: build/$(DEB_FILE)"

clean:
	rm -rf build demo
