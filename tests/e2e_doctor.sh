#!/usr/bin/env bash
# End-to-end: the link doctor names each fault from a stream that causes it.
# chargery-sim plays the fault on a pty; chargery-top --json says on stderr
# what the status line would say.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

LINK=$E2E_TMP/ttyV0

# diagnose SECONDS SIM-OPTIONS...: runs the reader for SECONDS against a
# simulator with those options; its stderr ends up in $E2E_TMP/doc.txt.
diagnose() {
	local secs=$1; shift
	rm -f "$LINK"
	sim_start --link "$LINK" --seed 21 "$@"
	wait_file 5 "$LINK"
	timeout -s TERM "$secs" "$TOP" --json "$LINK" >"$E2E_TMP/doc.json" 2>"$E2E_TMP/doc.txt"
	kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null
}

diagnose 5 --silent
check "silence: 'open but silent for N s'" grep -Eq 'silent for [0-9]+ s' "$E2E_TMP/doc.txt"
check "silence: says to check the wire and pin" grep -q 'COM3 wire' "$E2E_TMP/doc.txt"

diagnose 6 --invert
check "inverted bytes: says the signal is inverted" grep -q 'inverted' "$E2E_TMP/doc.txt"
check "inverted bytes: no frame reaches the output" [ ! -s "$E2E_TMP/doc.json" ]

diagnose 9 --baud 57600
check "wrong baud: hunts and names the rate that works" grep -q 'frames found at 57600 baud' "$E2E_TMP/doc.txt"
check "wrong baud: after the hunt, frames are decoded" grep -q '"frame":"status"' "$E2E_TMP/doc.json"

diagnose 8 --corrupt 40 --speed 4
check "corrupted checksums: says noise, grounding or isolation" grep -q 'fail checksum: noise, grounding or isolation' "$E2E_TMP/doc.txt"

diagnose 4
check "a healthy link: no fault named" sh -c "! grep -Eq 'silent|inverted|checksum|no frames' '$E2E_TMP/doc.txt'"

# The table shows the doctor's words too.
rm -f "$LINK"
sim_start --link "$LINK" --silent
wait_file 5 "$LINK"
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "on the table: the silent link is named in plain words" wait_screen 10 'silent for [0-9]+ s'
tmux_keys q
check "on the table: q quits" wait_screen 5 'EXIT=0'
tmux_kill

e2e_finish
