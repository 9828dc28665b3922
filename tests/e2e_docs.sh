#!/usr/bin/env bash
# The documentation says what the program does: the systemd unit is the
# same in the README and the man page, and systemd accepts it.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
B=${B:-build}
TOP=$(pwd)/$B/chargery-top
T=$(mktemp -d /tmp/chargery-docs.XXXXXX)
trap 'rm -rf "$T"' EXIT


# The unit as the README shows it: the ini block of the systemd section.
awk '/^### Headless logging/ { s = 1 } s && /^```ini$/ { u = 1; next }
     u && /^```$/ { exit } u' README.md >"$T/readme.unit"
# ... and as the man page does: the example after chargery-log.service,
# its roff escapes undone.
awk '/chargery\\-log\.service/ { s = 1 } s && /^\.EX$/ { u = 1; next }
     u && /^\.EE$/ { exit } u' src/chargery-top.1 |
	sed -e 's/\\-/-/g' -e 's/\\e/\\/g' >"$T/man.unit"

check "the README shows a systemd unit" grep -q '^ExecStart=.*chargery-top' "$T/readme.unit"
check "the man page shows the same unit as the README" cmp -s "$T/readme.unit" "$T/man.unit"

if command -v systemd-analyze >/dev/null; then
	# Verified with this build in place of the installed program.
	sed "s|/usr/local/bin/chargery-top|$TOP|" "$T/readme.unit" \
		>"$T/chargery-log.service"
	out=$(cd "$T" && timeout 60 systemd-analyze verify --man=no \
		./chargery-log.service 2>&1)
	rc=$?
	check "systemd-analyze verify accepts the unit${out:+: $out}" \
		[ "$rc" -eq 0 ] && [ -z "$out" ]
	# The check can fail: a broken unit is reported.
	sed 's/^RestartSec=5$/RestartSec=five/' "$T/chargery-log.service" \
		>"$T/broken.service"
	out=$(cd "$T" && timeout 60 systemd-analyze verify --man=no \
		./broken.service 2>&1)
	check "... and would report a broken one" [ -n "$out" ]
else
	ok "systemd-analyze verify accepts the unit # SKIP needs systemd-analyze from systemd"
	ok "... and would report a broken one # SKIP needs systemd-analyze from systemd"
fi
exit 0
