#!/usr/bin/env bash
# End-to-end: make install / uninstall into a staging DESTDIR, the man pages,
# and a release tarball from make dist that builds on its own.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}

# When run from `make check`, MAKEFLAGS carries the outer make's variables
# (B, CFLAGS of check-san) and jobserver; these makes are our own.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

# ok, not_ok and check; not e2e_setup: this script builds what it runs.
. tests/lib_e2e.sh
tmp=$E2E_TMP
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

version=$(sed -n 's/^VERSION := *//p' Makefile)

# mode_is MODE FILE: FILE is a regular file with exactly that mode.
mode_is() { [ -f "$2" ] && [ "$(stat -c %a "$2")" = "$1" ]; }

if make --no-print-directory B="$B" install DESTDIR="$root" PREFIX=/usr \
	>"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr succeeds"
else
	not_ok "make install DESTDIR=... PREFIX=/usr succeeds: $(tail -n 3 "$tmp/install.log")"
fi
for f in usr/bin/chargery-top usr/bin/chargery-sim; do
	check "$f installed with mode 755" mode_is 755 "$root/$f"
done
for f in usr/share/man/man1/chargery-top.1 usr/share/man/man1/chargery-sim.1 \
	 usr/lib/udev/rules.d/99-chargery.rules; do
	check "$f installed with mode 644" mode_is 644 "$root/$f"
done
check "the installed udev rule is the one in udev/" \
	cmp -s udev/99-chargery.rules "$root/usr/lib/udev/rules.d/99-chargery.rules"
check "make install leaves nothing else (5 files)" \
	[ "$(find "$root" -type f | wc -l)" -eq 5 ]
check "make install does not run udevadm" \
	[ "$(grep -c '^[^ ]*udevadm' "$tmp/install.log")" -eq 0 ]

out=$("$root/usr/bin/chargery-top" --version 2>&1)
check "installed chargery-top --version says $version (got '$out')" \
	[ "$out" = "chargery-top $version" ]
out=$("$root/usr/bin/chargery-sim" --version 2>&1)
check "installed chargery-sim --version says $version (got '$out')" \
	[ "$out" = "chargery-sim $version" ]

if ! command -v groff >/dev/null; then
	ok "the man pages render, with every section and option # SKIP needs groff from groff-base"
else
	for page in chargery-top chargery-sim; do
		man1=$root/usr/share/man/man1/$page.1
		LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man1" >"$tmp/groff.err" 2>&1
		rc=$?
		check "$page.1 renders with groff -ww without warnings$([ -s "$tmp/groff.err" ] && echo ": $(head -n 3 "$tmp/groff.err")")" \
			[ $rc -eq 0 ] && [ ! -s "$tmp/groff.err" ]
		# Plain text (-P-cbou: no escapes, no overstriking) as wide as a
		# standard terminal.
		LC_ALL=C.UTF-8 groff -man -Tutf8 -rLL=80n -P-cbou "$man1" \
			>"$tmp/$page.txt" 2>/dev/null
		check "$page.1 has its version" \
			grep -q "chargery-top $version" "$tmp/$page.txt"
		check "$page.1 has no @PLACEHOLDER@ left" \
			[ "$(grep -c '@[A-Z]*@' "$man1")" -eq 0 ]
		# The source reads as it is (man -l src/...): the release it
		# names is the Makefile's.
		check "src/$page.1 names this release ($version) and no placeholder" \
			sh -c "grep -q '\"chargery-top $version\"' src/$page.1 && ! grep -q '@[A-Z]*@' src/$page.1"
		check "$page.1 has no line wider than 80 columns" \
			[ "$(LC_ALL=C.UTF-8 wc -L <"$tmp/$page.txt")" -le 80 ]
	done
	for section in OPTIONS KEYS FILES ENVIRONMENT 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
		check "chargery-top.1 has the section $section" \
			grep -q "^$section" "$tmp/chargery-top.txt"
	done
	check "chargery-top.1 names where the udev rule went" \
		grep -q '/usr/lib/udev/rules.d/99-chargery.rules' "$tmp/chargery-top.txt"
	# Every long option in --help is documented.
	missing=
	for opt in $("$root/usr/bin/chargery-top" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$opt" "$tmp/chargery-top.txt" || missing="$missing $opt"
	done
	check "chargery-top.1 documents every option of --help${missing:+ (missing:$missing)}" \
		[ -z "$missing" ]
	missing=
	for opt in $("$root/usr/bin/chargery-sim" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$opt" "$tmp/chargery-sim.txt" || missing="$missing $opt"
	done
	check "chargery-sim.1 documents every option of --help${missing:+ (missing:$missing)}" \
		[ -z "$missing" ]
fi
if command -v man >/dev/null; then
	check "man -l shows chargery-top.1" \
		sh -c "MANWIDTH=80 man -l '$root/usr/share/man/man1/chargery-top.1' 2>&1 | grep -q 'chargery-top - live'"
else
	ok "man -l shows chargery-top.1 # SKIP needs man from man-db"
fi

make --no-print-directory B="$B" uninstall DESTDIR="$root" PREFIX=/usr \
	>"$tmp/uninstall.log" 2>&1
check "make uninstall succeeds" [ $? -eq 0 ]
left=$(find "$root" ! -type d)
check "make uninstall leaves no files${left:+ (left: $left)}" [ -z "$left" ]

# The release tarball: sources only, and it builds on its own.
if ! command -v git >/dev/null || ! git rev-parse --git-dir >/dev/null 2>&1; then
	ok "make dist # SKIP not a git checkout"
	exit $((e2e_failures > 0))
fi
tarball=$tmp/b/chargery-top-$version.tar.gz
make --no-print-directory B="$tmp/b" dist >"$tmp/dist.log" 2>&1
check "make dist makes chargery-top-$version.tar.gz" [ -f "$tarball" ]
tar -tzf "$tarball" >"$tmp/list" 2>/dev/null
check "every path in the tarball is under chargery-top-$version/" \
	[ "$(grep -vc "^chargery-top-$version/" "$tmp/list")" -eq 0 ]
check "the tarball holds no build products" \
	[ "$(grep -Ec '/build/|\.o$|\.tar\.gz$|/chargery-(top|sim)$' "$tmp/list")" -eq 0 ]
check "the tarball holds the Makefile, sources, man pages, tests and udev rule" \
	sh -c "for f in Makefile README.md src/chargery-top.c src/chargery-top.1 \
		src/chargery-sim.1 tests/run udev/99-chargery.rules; do \
		grep -qx 'chargery-top-$version/'\"\$f\" '$tmp/list' || exit 1; done"
mkdir -p "$tmp/unpack"
tar -xzf "$tarball" -C "$tmp/unpack"
if make --no-print-directory -C "$tmp/unpack/chargery-top-$version" B=build -j2 \
	>"$tmp/build.log" 2>&1; then
	ok "the unpacked tarball builds with make"
else
	not_ok "the unpacked tarball builds with make: $(tail -n 5 "$tmp/build.log")"
fi
out=$("$tmp/unpack/chargery-top-$version/build/chargery-top" --version 2>&1)
check "the tarball's chargery-top --version says $version (got '$out')" \
	[ "$out" = "chargery-top $version" ]

exit $((e2e_failures > 0))
