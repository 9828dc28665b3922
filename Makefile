# chargery-top: a live cell table for Chargery BMS8T/16T/24T.
#   make            build build/chargery-top and build/chargery-sim
#   make demo       install missing build dependencies, build, run the demo
#   make check      install missing build dependencies, build, run all tests
#   make check-san  all tests again under AddressSanitizer and UBSan

VERSION := 0.1.0
PREFIX ?= /usr/local
B ?= build

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Werror
CPPFLAGS += -Iinclude -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600 \
	-DCG_VERSION='"$(VERSION)"'
PKG_LIBS := libserialport ncursesw
LDLIBS := $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null) -lutil
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# Every src/*.c but the two programs is a module; programs and unit tests
# link them all. Which modules are pure is said in each header.
MAINS := chargery-top chargery-sim
MODULES := $(filter-out $(MAINS),$(basename $(notdir $(wildcard src/*.c))))
OBJ := $(MODULES:%=$(B)/%.o)
PROGRAMS := $(B)/chargery-top $(B)/chargery-sim
UNIT_TESTS := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))

# Debian packages that provide everything above, for `make deps`.
DEB_PKGS := build-essential pkg-config libserialport-dev libncurses-dev \
	libcmocka-dev tmux
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all demo check check-san deps clean

all: $(PROGRAMS)

$(B)/%.o: src/%.c $(wildcard include/*.h) | $(B)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/chargery-top: $(B)/chargery-top.o $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/chargery-sim: $(B)/chargery-sim.o $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/%.c $(OBJ) $(wildcard tests/*.h) | $(B)/tests
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(OBJ) \
		$(TEST_LDLIBS) $(LDLIBS)

$(B) $(B)/tests:
	mkdir -p $@

# Installs the Debian packages the build and tests need, only if missing.
deps:
	@if ! pkg-config --exists $(PKG_LIBS) cmocka 2>/dev/null || \
	    ! command -v tmux >/dev/null || ! command -v cc >/dev/null; then \
		echo "Installing build dependencies: $(DEB_PKGS)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			$(DEB_PKGS); \
	fi

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

# Fragments for the bigger jobs (fuzzing, benchmarks, the virtual adapter
# harness) live beside the tests they serve.
-include $(wildcard tests/*.mk)
