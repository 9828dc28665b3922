# chargery-top: a live cell table for Chargery BMS8T/16T/24T.
#   make            build build/chargery-top and build/chargery-sim
#   make demo       install missing build dependencies, build, run the demo
#   make check      install missing build dependencies, build, run all tests
#   make check-san  all tests again under AddressSanitizer and UBSan
#   make check-32   compile every source for 32 bits, as on the Pi
#   make install    programs, man pages and udev rule under PREFIX (and DESTDIR)
#   make uninstall  remove exactly what install put there
#   make dist       build/chargery-top-VERSION.tar.gz, the sources only

VERSION := 0.1.0
PREFIX ?= /usr/local
B ?= build

# Install locations (GNU names). udev reads rules from /usr/local/lib as
# well as /usr/lib, so the rule follows PREFIX; /etc/udev/rules.d is left to
# the administrator (a file there of the same name overrides ours). With a
# PREFIX udev does not read (/opt/...), set UDEVDIR=/etc/udev/rules.d.
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
MAN1DIR ?= $(MANDIR)/man1
UDEVDIR ?= $(PREFIX)/lib/udev/rules.d
INSTALL ?= install

# The user's CPPFLAGS, CFLAGS, LDFLAGS and LDLIBS are theirs: the project's
# own flags live in CG_* variables and go around them, never over them.
# -Werror is on by default; a distribution with a newer compiler builds
# with `make WERROR=`.
CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
WERROR ?= -Werror
WARN := -std=c11 -Wall -Wextra $(WERROR)
PKG_LIBS := libserialport ncursesw nettle
# libmosquitto (--mqtt) is only compiled against: mqtt.c loads it with
# dlopen() when --mqtt is given, so its TLS libraries cost nothing to the
# runs without it (memory budgets in tests/e2e_recfile.sh).
MOSQ_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmosquitto 2>/dev/null)
# libwslay (the websocket framing of source_ws.c) is pkg-config'd where it
# ships a .pc file; Debian's libwslay-dev does not, so -lwslay otherwise.
WSLAY_LIBS := $(shell $(PKG_CONFIG) --libs libwslay 2>/dev/null || echo -lwslay)
WSLAY_CFLAGS := $(shell $(PKG_CONFIG) --cflags libwslay 2>/dev/null)
CG_CPPFLAGS := -Iinclude -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600 \
	-DCG_VERSION='"$(VERSION)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKG_LIBS) 2>/dev/null) $(WSLAY_CFLAGS) \
	$(MOSQ_CFLAGS)
ALL_CPPFLAGS = $(CG_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(WARN) $(CFLAGS)
# -MMD -MP: each object notes the headers it included in a .d file beside
# it, so a changed header rebuilds exactly what uses it.
DEPFLAGS := -MMD -MP
# What each program links: chargery-top the serial port, the terminal and
# openpty (the demo); chargery-sim only openpty; the unit tests everything
# and cmocka.
TOP_LIBS := $(shell $(PKG_CONFIG) --libs $(PKG_LIBS) 2>/dev/null) -ldl \
	$(WSLAY_LIBS) -lutil
SIM_LIBS := -lutil
TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null) $(TOP_LIBS)
TEST_CPPFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)

# Every src/*.c but the two programs is a module. The programs link the
# modules through an archive, so each takes only the modules it calls (and
# chargery-sim none of the terminal or serial code); unit tests link them
# all. Which modules are pure is said in each header.
MAINS := chargery-top chargery-sim
MODULES := $(filter-out $(MAINS),$(basename $(notdir $(wildcard src/*.c))))
OBJ := $(MODULES:%=$(B)/%.o)
LIB := $(B)/libchargery.a
PROGRAMS := $(B)/chargery-top $(B)/chargery-sim
UNIT_TESTS := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))

# The one list of Debian packages that `make demo` and `make check` use;
# `make deps` installs the missing ones, .ci/run and tests/fresh-debian.sh
# use it too (`make print-deps`). Besides the compiler and the libraries:
# tmux (the end-to-end tests drive the table in it), procps (pgrep, pkill
# and ps: the table and torture tests), groff-base (the man page
# checks), libwslay-dev and nettle-dev (ws:// bridges), socat and
# python3-websockets (the bridges' test servers). The other tools the tests call (unshare, flock, setpriv, mount,
# script, awk, ...) are in every Debian, debootstrap's minbase included.
DEB_PKGS := build-essential pkg-config libserialport-dev libncurses-dev \
	libcmocka-dev tmux procps groff-base libwslay-dev nettle-dev socat \
	python3-websockets libxml2-utils librsvg2-bin mosquitto \
	mosquitto-clients libmosquitto-dev openssl python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all demo check check-san deps print-deps clean install uninstall dist \
	check-32 deps-32 FORCE

all: $(PROGRAMS)

$(B)/%.o: src/%.c Makefile | $(B)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(LIB): $(OBJ)
	rm -f $@
	$(AR) rcs $@ $(OBJ)

$(B)/chargery-top: $(B)/chargery-top.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(TOP_LIBS) $(LDLIBS)

$(B)/chargery-sim: $(B)/chargery-sim.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(SIM_LIBS) $(LDLIBS)

$(B)/tests/%: tests/%.c $(OBJ) | $(B)/tests
	$(CC) $(ALL_CPPFLAGS) $(TEST_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) \
		$(LDFLAGS) -o $@ $< $(OBJ) $(TEST_LIBS) $(LDLIBS)

$(B) $(B)/tests:
	mkdir -p $@

# Installs the packages of DEB_PKGS that are missing, saying which first;
# does nothing when all are there. Without dpkg (not Debian) it only says
# what the build and tests need.
deps:
	@if ! command -v dpkg-query >/dev/null; then \
		echo "make deps: no dpkg here; the build and tests need (Debian names): $(DEB_PKGS)"; \
		exit 0; \
	fi; \
	missing=; \
	for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | \
			grep -q ' installed$$' || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	echo "Installing missing build dependencies:$$missing"; \
	if [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null; then \
		echo "make deps: sudo is not installed; as root run: apt-get update && apt-get install$$missing" >&2; \
		exit 1; \
	fi; \
	$(SUDO) apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $$missing

print-deps:
	@echo $(DEB_PKGS)

demo: deps
	@$(MAKE) --no-print-directory all
	$(B)/chargery-top --demo

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	B=$(B) tests/run

check-san: deps
	@$(MAKE) --no-print-directory B=build/san \
		CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined' check

clean:
	rm -rf build

# The installed man pages say which release they document and where the
# udev rule went. Made afresh each time: UDEVDIR may differ from the last run.
MAN_PAGES := $(MAINS:%=$(B)/man/%.1)

# The sources read as they are with `man -l src/chargery-top.1`: they name
# this release and the default udev directory; the installed pages name the
# release and UDEVDIR this install has.
$(B)/man/%.1: src/%.1 FORCE | $(B)/man
	sed -e 's|"chargery-top [0-9][^"]*"|"chargery-top $(VERSION)"|' \
		-e 's|/usr/local/lib/udev/rules\.d|$(UDEVDIR)|g' $< >$@

FORCE:

$(B)/man:
	mkdir -p $@

# Never runs udevadm: a staged install (DESTDIR) must not touch the running
# system, and a real one only needs `udevadm control --reload` once, by hand.
install: all $(MAN_PAGES)
	$(INSTALL) -d -m 755 '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MAN1DIR)' \
		'$(DESTDIR)$(UDEVDIR)'
	$(INSTALL) -m 755 $(PROGRAMS) '$(DESTDIR)$(BINDIR)/'
	$(INSTALL) -m 644 $(MAN_PAGES) '$(DESTDIR)$(MAN1DIR)/'
	$(INSTALL) -m 644 udev/99-chargery.rules '$(DESTDIR)$(UDEVDIR)/'
	@echo "Installed. For the udev rule to apply, run once:"
	@echo "    sudo udevadm control --reload && sudo udevadm trigger"
	@echo "then replug the adapter. (Members of group dialout need no sudo.)"

# Leaves the directories: /usr/local/bin and friends are not ours to remove.
uninstall:
	rm -f $(MAINS:%='$(DESTDIR)$(BINDIR)/%') \
		$(MAINS:%='$(DESTDIR)$(MAN1DIR)/%.1') \
		'$(DESTDIR)$(UDEVDIR)/99-chargery.rules'

# The release tarball holds what git tracks plus new files not yet added
# (but never what .gitignore names, so no build products): the tree as the
# next commit would have it. The tar options keep the owner out of it.
DIST := chargery-top-$(VERSION)
dist:
	@command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 || \
		{ echo "make dist needs git and a git checkout: it packs the files git knows" >&2; exit 1; }
	rm -rf '$(B)/$(DIST)' '$(B)/$(DIST).tar.gz'
	mkdir -p '$(B)/$(DIST)'
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar -c --null -T - -f - | tar -x -f - -C '$(B)/$(DIST)'
	tar -c -z --owner=0 --group=0 --numeric-owner --sort=name \
		-f '$(B)/$(DIST).tar.gz' -C '$(B)' '$(DIST)'
	rm -rf '$(B)/$(DIST)'
	@echo "$(B)/$(DIST).tar.gz"

# 32-bit builds, for the Raspberry Pi: 32-bit long, pointers and time_t,
# and on ARM an unsigned char. Compile only (-c): linking would need i386 or
# armhf builds of libserialport, ncursesw and cmocka (dpkg multiarch), a lot
# of machinery for what the compiler already tells.
#   make check-32               gcc -m32 (gcc-multilib), with ARM's unsigned
#                               char; the default, as it needs no other headers
#   make check-32 ARCH32=armhf  the Pi's own cross compiler. It has its own
#                               libc headers; -idirafter lets it find the
#                               library headers in /usr/include, which are
#                               the same on every architecture.
# Debian will not install gcc-multilib and gcc-arm-linux-gnueabihf together:
# each ARCH32 installs its compiler and removes the other.
ARCH32 ?= i386
ifeq ($(ARCH32),armhf)
DEB_PKGS_32 := gcc-arm-linux-gnueabihf
CC_32 ?= arm-linux-gnueabihf-gcc -idirafter /usr/include
else
DEB_PKGS_32 := gcc-multilib
CC_32 ?= $(CC) -m32 -funsigned-char
endif
CHECK32_SRC := $(wildcard src/*.c tests/*.c)
CHECK32_OBJ := $(CHECK32_SRC:%.c=$(B)/$(ARCH32)/%.o)

# Installs the 32-bit compiler, only if it cannot compile yet.
deps-32:
	@if ! echo 'int main(void) { return 0; }' | \
	    $(CC_32) -x c -include stdio.h -include errno.h -c -o /dev/null - \
	    2>/dev/null; then \
		echo "Installing the $(ARCH32) compiler: $(DEB_PKGS_32)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			$(DEB_PKGS_32); \
	fi

check-32: deps deps-32
	@$(MAKE) --no-print-directory $(CHECK32_OBJ)
	@echo "check-32: $(words $(CHECK32_OBJ)) files compile warning-free for $(ARCH32)"

$(B)/$(ARCH32)/%.o: %.c
	@mkdir -p $(@D)
	$(CC_32) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# The header dependencies -MMD wrote (none before the first build).
-include $(OBJ:.o=.d) $(MAINS:%=$(B)/%.d) $(UNIT_TESTS:=.d) $(CHECK32_OBJ:.o=.d)

# Fragments for the bigger jobs (fuzzing, benchmarks, the virtual adapter
# harness) live beside the tests they serve.
-include $(wildcard tests/*.mk)
