#!/usr/bin/env bash
# End-to-end: the link doctor names each fault from a stream that causes it.
# chargery-sim plays the fault on a pty; chargery-top --json says on stderr
# what the status line would say.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

LINK=$E2E_TMP/ttyV0

# diagnose SECONDS EVIDENCE SIM-OPTIONS...: runs the reader against a
# simulator with those options until the shell command EVIDENCE holds (at
# most SECONDS); its stderr ends up in $E2E_TMP/doc.txt, its JSON in
# $E2E_TMP/doc.json.
DOC=$E2E_TMP/doc.txt OUT=$E2E_TMP/doc.json
diagnose() {
	local secs=$1 evidence=$2 pid
	shift 2
	rm -f "$LINK"
	sim_start --link "$LINK" --seed 21 "$@"
	wait_file 5 "$LINK"
	"$TOP" --json "$LINK" >"$OUT" 2>"$DOC" &
	pid=$!
	wait_for "$secs" sh -c "$evidence"
	kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null
}

diagnose 10 "grep -Eq 'silent for [0-9]+ s' '$DOC' && grep -q 'COM3 wire' '$DOC'" --silent
check "silence: 'open but silent for N s'" grep -Eq 'silent for [0-9]+ s' "$DOC"
check "silence: says to check the wire and pin" grep -q 'COM3 wire' "$DOC"

# Inverted bytes for as long as it takes the doctor to say so (3 s or more).
diagnose 10 "grep -q 'inverted' '$DOC'" --invert
check "inverted bytes: says the signal is inverted" grep -q 'inverted' "$DOC"
check "inverted bytes: no frame reaches the output" [ ! -s "$OUT" ]

diagnose 20 "grep -q 'frames found at 57600 baud' '$DOC' && grep -q '\"frame\":\"status\"' '$OUT'" --baud 57600
check "wrong baud: hunts and names the rate that works" grep -q 'frames found at 57600 baud' "$DOC"
check "wrong baud: after the hunt, frames are decoded" grep -q '"frame":"status"' "$OUT"

diagnose 15 "grep -q 'fail checksum: noise, grounding or isolation' '$DOC'" --corrupt 40 --speed 4
check "corrupted checksums: says noise, grounding or isolation" grep -q 'fail checksum: noise, grounding or isolation' "$DOC"

# Healthy for 4 s (4 status frames at 1x): longer than the doctor waits
# before it calls a link silent or out of sync.
diagnose 10 "[ \$(grep -c '\"frame\":\"status\"' '$OUT') -ge 4 ]"
check "a healthy link: no fault named" sh -c "! grep -Eq 'silent|inverted|checksum|no frames' '$DOC'"

# The table shows the doctor's words too.
if ! needs tmux tmux; then
	skip "on the table: the silent link is named in plain words" "$NEEDS"
	skip "on the table: q quits" "$NEEDS"
	e2e_finish
fi
rm -f "$LINK"
sim_start --link "$LINK" --silent
wait_file 5 "$LINK"
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "on the table: the silent link is named in plain words" wait_screen 10 'silent for [0-9]+ s'
tmux_keys q
check "on the table: q quits" wait_screen 5 'EXIT=0'
tmux_kill

e2e_finish
