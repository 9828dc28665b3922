#!/usr/bin/env bash
# End-to-end: a tty is read raw, and what it held before chargery-top
# opened it is not news (issue 10). On a plain pty, the termios path; the
# libserialport path gets the same checks in tests/e2e_vusb.sh.
#
#  - every byte value 0..255 arrives unchanged through a pty whose slave was
#    left cooked (XON/XOFF, CR/NL mapping, ISTRIP, ICANON, ECHO, ISIG on);
#  - frames written into the pty before chargery-top opens it never reach
#    --json: they would be shown and logged with the current time.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib_e2e.sh
e2e_setup

FEED=$PWD/$B/vusb/vusb-feed
[ -x "$FEED" ] && [ -x "$RECBYTES" ] ||
	{ echo "not ok - build the helpers first: make vusb $B/e2e/e2e_recbytes"; exit 1; }

# feeder N -- COMMAND...: a pty fed by COMMAND (vusb-feed); its slave's path
# ends up in PTY.
feeder() {
	local n=$1 out
	shift
	out=$E2E_TMP/feed$n.out
	"$FEED" "$@" >"$out" 2>&1 &
	E2E_PIDS+=("$!")
	wait_for 5 test -s "$out" || return 1
	PTY=$(head -n 1 "$out")
	[ -c "$PTY" ]
}
# holds PID PATH: process PID has PATH open.
holds() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}
stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# --- every byte value, through a cooked slave -----------------------------------
every_byte "$E2E_TMP/bytes.bin"
PATTERN=$(spaced_hex <"$E2E_TMP/bytes.bin")
if feeder 0 --cooked -- sh -c 'while :; do cat "$0"; sleep 0.3; done' \
	"$E2E_TMP/bytes.bin"; then
	"$TOP" --json --record "$E2E_TMP/bytes.rec" "$PTY" >/dev/null 2>"$E2E_TMP/bytes.err" &
	top=$!
	if wait_for 10 recording_has "$E2E_TMP/bytes.rec" "$PATTERN"; then
		ok "every byte value 0..255 arrives unchanged through a cooked pty (termios path)"
	else
		not_ok "every byte value 0..255 arrives unchanged through a cooked pty (termios path)"
		"$RECBYTES" "$E2E_TMP/bytes.rec" 2>&1 | spaced_hex | head -c 900 | sed 's/^/#   got:/'
		echo
		sed 's/^/#   /' "$E2E_TMP/bytes.err"
	fi
	stop "$top"
else
	not_ok "vusb-feed gave no pty: $(cat "$E2E_TMP/feed0.out")"
fi

# --- what the pty held before the open --------------------------------------------
# Old frames (V1.22 firmware: "wh":null or "discharge_end_mv":null on every
# line) go in first, as a bridge holds them; the new ones (V1.26, which
# sends both) only once chargery-top holds the port. (Other keys may be
# null in V1.26 lines too, e.g. a cells frame's soc_pct.)
"$SIM" --stdout --firmware old --duration 6 --speed 1000 --seed 2 >"$E2E_TMP/old.bin"
check "the old frames decode, so their absence below means something" \
	[ "$("$TOP" --json "$E2E_TMP/old.bin" | grep -cE '"(wh|discharge_end_mv)":null')" -ge 4 ]
if feeder 1 -- sh -c 'cat "$0"; while [ ! -e "$1" ]; do sleep 0.05; done; exec "$2" --stdout --seed 5' \
	"$E2E_TMP/old.bin" "$E2E_TMP/go" "$SIM"; then
	"$TOP" --json "$PTY" >"$E2E_TMP/stale.json" 2>"$E2E_TMP/stale.err" &
	top=$!
	wait_for 10 holds "$top" "$PTY" && touch "$E2E_TMP/go"
	wait_for 15 matches_at_least 3 '"frame":' "$E2E_TMP/stale.json"
	stop "$top"
	check "fresh frames arrive after the open" \
		matches_at_least 3 '"frame":' "$E2E_TMP/stale.json"
	if grep -qE '"(wh|discharge_end_mv)":null' "$E2E_TMP/stale.json"; then
		not_ok "frames buffered before the open are not in --json"
		grep -E '"(wh|discharge_end_mv)":null' "$E2E_TMP/stale.json" | head -n 3 | cut -c1-160 | sed 's/^/#   /'
	else
		ok "frames buffered before the open are not in --json"
	fi
else
	not_ok "vusb-feed gave no pty: $(cat "$E2E_TMP/feed1.out")"
fi

[ "$e2e_failures" -eq 0 ]
