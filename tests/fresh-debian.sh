#!/usr/bin/env bash
# tests/fresh-debian.sh: the README's quick start on a truly fresh Debian 12.
#
# Bootstraps a minimal Debian (debootstrap --variant=minbase bookworm, from
# the mirror this machine's apt already uses), copies in the committed tree
# (git archive of HEAD: never the build directory, never uncommitted
# changes) and runs there, as root, what the README tells a new user:
#   apt-get install -y make;  make check;  make demo  (then q)
# make check must install everything else itself (make deps). The checkout
# sits in a directory other users cannot enter (0700), with ../shared
# bind-mounted read-only beside it when there is one, as in CI.
#
# Run as root: tests/fresh-debian.sh. Needs debootstrap (apt-get install
# debootstrap). Exits 0 only if make check passed and the demo showed its
# table and quit on q. Environment:
#   FRESH_MIRROR  the Debian mirror (default: read from /etc/apt/sources*)
#   FRESH_CACHE   where the bootstrapped system is kept as a tarball for
#                 the next run (default /var/cache/chargery-fresh-debian;
#                 empty: no cache). Refreshed when older than 7 days.
#   FRESH_KEEP=1  leave the work directory (unmounted) for a look
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
SUITE=bookworm
DEMO_SECONDS=90

say() { printf '# fresh-debian: %s\n' "$*"; }
die() { printf 'fresh-debian: %s\n' "$*" >&2; exit "${2:-1}"; }

[ "$(id -u)" -eq 0 ] || die "run as root: it bootstraps a system and mounts /proc, /sys and /dev into it" 77
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap" 69
command -v git >/dev/null && git rev-parse --verify -q HEAD >/dev/null ||
	die "needs git and a git checkout: it copies the committed tree (git archive HEAD)" 69

# The first Debian mirror apt uses here that carries the suite, from
# one-line (.list) or deb822 (.sources) files.
apt_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
			$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) while ($i !~ /\]$/) i++
				if ($i ~ /^\[/ || $i ~ /\]$/) i++
				if ($(i + 1) == suite) { print $i; exit }
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no" &&
				    (" " suites " ") ~ (" " suite " ") && uri != "")
					{ print uri; found = 1; exit }
				types = suites = uri = enabled = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { $1 = ""; types = $0 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { if (!found) flush() }' "$f"
	done
}
MIRROR=${FRESH_MIRROR:-$(apt_mirror | head -n 1)}
[ -n "$MIRROR" ] || die "no apt source for $SUITE in /etc/apt/sources.list*: set FRESH_MIRROR=http://.../debian" 69

W=$(mktemp -d /var/tmp/chargery-fresh.XXXXXX)
ROOT=$W/root
MOUNTS=()
DEMO_TMUX=(chroot "$ROOT" tmux -L fresh-demo)

# On every exit: stop what still runs in the chroot (the demo's tmux, a
# test's leftovers), unmount in reverse order, and remove the work
# directory only when nothing is mounted in it any more.
cleanup() {
	local rc=$? pid i
	set +e
	trap - EXIT INT TERM HUP
	if [ -d "$ROOT" ]; then
		"${DEMO_TMUX[@]}" kill-server 2>/dev/null || true
		for pid in $(ls /proc | grep -E '^[0-9]+$'); do
			[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOT" ] &&
				kill -KILL "$pid" 2>/dev/null || true
		done
	fi
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" ||
			echo "fresh-debian: could not unmount ${MOUNTS[i]}" >&2
	done
	if grep -qF " $W/" /proc/self/mounts; then
		echo "fresh-debian: something is still mounted under $W; left in place" >&2
	elif [ -n "${FRESH_KEEP:-}" ]; then
		echo "fresh-debian: kept $W" >&2
	else
		rm -rf --one-file-system "$W"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# in_background COMMAND...: runs COMMAND and waits for it; unlike a
# foreground command, the wait lets a signal reach the cleanup at once.
in_background() {
	"$@" &
	wait $!
}

mount_in() { # mount_in TARGET MOUNT-ARGS...: mounts and remembers it
	local target=$1
	shift
	mkdir -p "$target"
	mount "$@" "$target"
	MOUNTS+=("$target")
}

# 1. A minimal Debian, or the cached one when it is recent.
t0=$SECONDS
CACHE=${FRESH_CACHE-/var/cache/chargery-fresh-debian}
TARBALL=
if [ -n "$CACHE" ]; then
	TARBALL=$CACHE/$SUITE-minbase-$(uname -m)-$(printf '%s' "$MIRROR" | cksum | cut -d' ' -f1).tar
fi
mkdir -p "$ROOT"
if [ -n "$TARBALL" ] && [ -f "$TARBALL" ] && [ -n "$(find "$TARBALL" -mtime -7)" ]; then
	say "unpacking the cached minimal $SUITE from $TARBALL"
	tar -x -f "$TARBALL" -C "$ROOT"
else
	say "debootstrap --variant=minbase $SUITE from $MIRROR"
	if ! in_background debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$W/debootstrap.log" 2>&1; then
		tail -n 20 "$W/debootstrap.log" >&2
		die "debootstrap failed (whole log above, last lines)"
	fi
	if [ -n "$TARBALL" ]; then
		mkdir -p "$CACHE"
		tar -c --one-file-system -f "$TARBALL.new" -C "$ROOT" . && mv "$TARBALL.new" "$TARBALL"
	fi
fi
say "minimal $SUITE ready in $((SECONDS - t0)) s"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
# What the Debian installer (or a Raspberry Pi OS image) writes and a bare
# debootstrap tree lacks: the name localhost.
[ -e "$ROOT/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"

# 2. The committed tree, in a directory only root may enter, and the
# shared folder read-only beside it (tests read it as ../shared).
HOME_DIR=/root/src
mkdir -p "$ROOT$HOME_DIR/chargery-top"
chmod 700 "$ROOT/root" "$ROOT$HOME_DIR"
git archive HEAD | tar -x -f - -C "$ROOT$HOME_DIR/chargery-top"
say "copied $(git rev-parse --short HEAD) (git archive HEAD$(git diff --quiet HEAD || echo '; uncommitted changes are not in it'))"

# 3. What a chroot needs. The root a mount point of its own first: without
# one, unshare --propagation private (the virtual adapter tests) fails in
# the chroot with "cannot change root filesystem propagation".
mount_in "$ROOT" --bind "$ROOT"
mount_in "$ROOT/proc" -t proc proc
mount_in "$ROOT/sys" --bind /sys
mount_in "$ROOT/dev" --bind /dev
mount_in "$ROOT/dev/pts" --bind /dev/pts
if [ -d "$REPO/../shared" ]; then
	mount_in "$ROOT$HOME_DIR/shared" --bind "$REPO/../shared"
	mount -o remount,bind,ro "$ROOT$HOME_DIR/shared"
	say "../shared bind-mounted read-only"
else
	say "no ../shared beside the checkout: the tests that read real captures skip"
fi

# in_chroot COMMAND: runs COMMAND with bash in the checkout, with the
# environment of a fresh root login and no standard input.
in_chroot() {
	in_background env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
		TERM=xterm-256color \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$ROOT" /bin/bash -c "cd $HOME_DIR/chargery-top && $1" </dev/null
}

# 4. The README's commands.
t1=$SECONDS
say "apt-get install -y make"
in_chroot 'apt-get update -qq && apt-get install -y -qq make >/dev/null'
say "make check"
check_rc=0
in_chroot 'make check' || check_rc=$?
say "make check exited $check_rc after $((SECONDS - t1)) s"

say "make demo, in tmux at 80x24"
in_chroot "tmux -L fresh-demo -f /dev/null new-session -d -x 80 -y 24 -e LANG=C.UTF-8 'bash --norc --noprofile'"
"${DEMO_TMUX[@]}" send-keys "cd $HOME_DIR/chargery-top && make demo; echo demo-exit=\$?" Enter
demo_screen() { "${DEMO_TMUX[@]}" capture-pane -p; }
# wait_for SECONDS REGEX: true once the screen matches.
wait_for() {
	local deadline=$((SECONDS + $1))
	while [ $SECONDS -le $deadline ]; do
		demo_screen | grep -Eq -- "$2" && return 0
		sleep 0.2
	done
	return 1
}
demo_ok=1
# The table: the header row and the 16th cell's row, and the status bar.
if wait_for "$DEMO_SECONDS" '^ ?16 [0-9]\.[0-9]{3} ' &&
   wait_for 5 '^ *# volts' && wait_for 5 'demo \(simulator\)'; then
	say "the demo shows the table:"
	demo_screen | sed 's/^/#   /'
	"${DEMO_TMUX[@]}" send-keys q
	if wait_for 10 '^demo-exit=0$'; then
		say "q left the demo, make demo exited 0"
	else
		say "the demo did not quit with status 0 within 10 s of q; the screen:"
		demo_screen | sed 's/^/#   /'
		demo_ok=0
	fi
else
	say "the demo did not show its table within $DEMO_SECONDS s; the screen:"
	demo_screen | sed 's/^/#   /'
	demo_ok=0
fi

say "done in $((SECONDS - t0)) s"
if [ "$check_rc" -eq 0 ] && [ "$demo_ok" -eq 1 ]; then
	echo "ok - fresh Debian $SUITE: make check passes and make demo shows the table"
	exit 0
fi
echo "not ok - fresh Debian $SUITE: make check exited $check_rc, demo $([ $demo_ok -eq 1 ] && echo worked || echo failed)"
exit 1
