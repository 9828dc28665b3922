#!/usr/bin/env bash
# End-to-end: chargery-top --json on capture files, field by field.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

hex() { printf '%b' "$(printf '%s' "$*" | sed 's/\([0-9A-Fa-f][0-9A-Fa-f]\) */\\x\1/g')"; }

STATUS1='24 24 57 0F 0E 24 01 00 E6 00 81 00 84 5B 27'
STATUS2='24 24 57 0F 10 68 00 00 0C FF 21 FF 21 00 72'
CELLS16='24 24 56 2D 0C FD 0D 04 0D 04 0D 02 0D 03 0D 04 0D 06 0D 01 0D 08 0D 02 0D 05 0C FE 0D 06 0C FB 0D 0F 0C FC 76 FE D5 02 63 14 0E 00 95'
IMP16='24 24 58 28 01 E4 00 01 00 03 00 03 00 03 00 02 00 03 00 00 00 00 00 01 00 01 00 01 00 00 00 05 00 02 00 03 00 03 00 CC'
OLD16='24 24 56 26 0F 5C 0F 6C 0F 66 00 00 00 06 00 09 00 12 00 09 00 19 00 0E 00 14 00 11 00 00 00 1B 00 00 00 13 00 C3'
# The first status frame with its current byte flipped: checksum fails.
BAD='24 24 57 0F 0E 24 01 00 E7 00 81 00 84 5B 27'
JUNK='68 3A 3A 33 0D 0A'

cap=$E2E_TMP/vendor.bin
{ hex "$JUNK $STATUS1 $BAD $JUNK $STATUS2 $CELLS16 24 $IMP16 $OLD16"; } >"$cap"

"$TOP" --json "$cap" >"$E2E_TMP/out.json" 2>"$E2E_TMP/err.txt"
rc=$?
check "--json on a capture exits 0 at end of file" [ "$rc" -eq 0 ]
check "--json writes nothing to stderr on a clean capture" [ ! -s "$E2E_TMP/err.txt" ]
check "--json writes one line per good frame (the corrupted one dropped)" \
	[ "$(wc -l <"$E2E_TMP/out.json")" -eq 5 ]
check "every time is ISO-8601 UTC with milliseconds" \
	[ "$(grep -Ec '^\{"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z",' "$E2E_TMP/out.json")" -eq 5 ]

sed 's/^{"time":"[^"]*",/{"time":"T",/' "$E2E_TMP/out.json" >"$E2E_TMP/got.json"
cat >"$E2E_TMP/want.json" <<'JSON'
{"time":"T","frame":"status","charge_end_mv":3620,"discharge_end_mv":null,"mode":"charge","current_a":23.0,"t1_c":12.9,"t2_c":13.2,"soc_pct":91,"charge_protect":null,"discharge_protect":null}
{"time":"T","frame":"status","charge_end_mv":4200,"discharge_end_mv":null,"mode":"discharge","current_a":-1.2,"t1_c":-22.3,"t2_c":-22.3,"soc_pct":0,"charge_protect":null,"discharge_protect":null}
{"time":"T","frame":"cells","cells_mv":[3325,3332,3332,3330,3331,3332,3334,3329,3336,3330,3333,3326,3334,3323,3343,3324],"wh":47578.742,"ah":922.723,"soc_pct":null}
{"time":"T","frame":"impedance","mode":"charge","current_a":22.8,"impedance_mohm":[0.1,0.3,0.3,0.3,0.2,0.3,0.0,0.0,0.1,0.1,0.1,0.0,0.5,0.2,0.3,0.3]}
{"time":"T","frame":"cells","cells_mv":[3932,3948,3942,0,6,9,18,9,25,14,20,17,0,27,0,19],"wh":null,"ah":null,"soc_pct":0}
JSON
if diff -u "$E2E_TMP/want.json" "$E2E_TMP/got.json" >"$E2E_TMP/diff.txt"; then
	ok "--json lines match the vendor frames field by field"
else
	not_ok "--json lines match the vendor frames field by field"
	sed 's/^/#   /' "$E2E_TMP/diff.txt"
fi

# The same capture on stdin.
"$TOP" --json - <"$cap" >"$E2E_TMP/stdin.json" 2>/dev/null
check "--json - reads a capture from stdin" \
	[ "$(sed 's/^{"time":"[^"]*",/{"time":"T",/' "$E2E_TMP/stdin.json")" = "$(cat "$E2E_TMP/want.json")" ]

# A simulated V1.26 hour: counts per frame type and the schema of every line.
"$SIM" --stdout --speed 1000000 --duration 3600 --seed 3 >"$E2E_TMP/hour.bin"
"$TOP" --json "$E2E_TMP/hour.bin" >"$E2E_TMP/hour.json" 2>/dev/null
check "an hour of simulator traffic gives 3600 status lines" \
	[ "$(grep -c '"frame":"status"' "$E2E_TMP/hour.json")" -eq 3600 ]
check "... and 1800 cell lines" \
	[ "$(grep -c '"frame":"cells"' "$E2E_TMP/hour.json")" -eq 1800 ]
N='-?[0-9]+(\.[0-9]+)?'
CELLS_RE="^\{\"time\":\"[^\"]+\",\"frame\":\"cells\",\"cells_mv\":\[[0-9]+(,[0-9]+){15}\],\"wh\":$N,\"ah\":$N,\"soc_pct\":null\}$"
STATUS_RE="^\{\"time\":\"[^\"]+\",\"frame\":\"status\",\"charge_end_mv\":[0-9]+,\"discharge_end_mv\":[0-9]+,\"mode\":\"(charge|discharge|storage)\",\"current_a\":$N,\"t1_c\":$N,\"t2_c\":$N,\"soc_pct\":[0-9]+,\"charge_protect\":(true|false),\"discharge_protect\":(true|false)\}$"
IMP_RE="^\{\"time\":\"[^\"]+\",\"frame\":\"impedance\",\"mode\":\"(charge|discharge|storage)\",\"current_a\":$N,\"impedance_mohm\":\[$N(,$N){15}\]\}$"
check "every line of the hour matches the documented schema" \
	[ "$(grep -Evc -e "$CELLS_RE" -e "$STATUS_RE" -e "$IMP_RE" "$E2E_TMP/hour.json")" -eq 0 ]
check "discharge lines carry a negative current" \
	[ "$(grep '"mode":"discharge"' "$E2E_TMP/hour.json" | grep -vc '"current_a":-')" -eq 0 ]

# Old firmware: no Wh/Ah, no protection fields.
"$SIM" --stdout --speed 1000000 --duration 10 --firmware old >"$E2E_TMP/old.bin"
"$TOP" --json "$E2E_TMP/old.bin" >"$E2E_TMP/old.json" 2>/dev/null
check "old firmware: cells lines say wh and ah are null" \
	grep -Eq '"wh":null,"ah":null,"soc_pct":[0-9]+}$' "$E2E_TMP/old.json"
check "old firmware: status lines say protection is null" \
	grep -q '"charge_protect":null,"discharge_protect":null}$' "$E2E_TMP/old.json"

# Output is written in blocks, yet a live line must leave in the loop turn
# its frame came in; and a write that fails still ends the run with 74.
"$TOP" --json "$E2E_TMP/old.bin" >/dev/full 2>"$E2E_TMP/full.txt"
check "--json to a full disk (/dev/full) exits 74 (EX_IOERR)" [ $? -eq 74 ]
"$TOP" --json "$E2E_TMP/hour.bin" 2>/dev/null | head -n 1 >/dev/null
check "--json into a pipe closed early exits 74" [ "${PIPESTATUS[0]}" -eq 74 ]
sim_start --link "$E2E_TMP/live_bms"
wait_file 5 "$E2E_TMP/live_bms"
"$TOP" --json "$E2E_TMP/live_bms" >"$E2E_TMP/live.json" 2>/dev/null &
live_pid=$!
E2E_PIDS+=("$live_pid")
# A line within a few seconds: the BMS sends a frame a second, and a
# buffer held until full would take minutes.
live_line() {
	local deadline=$((SECONDS + 8))
	while [ $SECONDS -le $deadline ]; do
		grep -qs '"frame":"status".*}$' "$E2E_TMP/live.json" && return 0
		sleep 0.1
	done
	return 1
}
check "--json live: each line is written out as its frame arrives" live_line
kill "$live_pid" 2>/dev/null
wait "$live_pid" 2>/dev/null

# Usage errors and missing ports: exit codes from sysexits.h.
"$TOP" --cells 99 --json "$cap" >/dev/null 2>&1
check "--cells 99 is a usage error (64)" [ $? -eq 64 ]
"$TOP" --bogus >/dev/null 2>&1
check "an unknown option is a usage error (64)" [ $? -eq 64 ]
"$TOP" --json /dev/ttyNOSUCH0 >/dev/null 2>"$E2E_TMP/nosuch.txt"
check "a missing port exits 66 (EX_NOINPUT)" [ $? -eq 66 ]
check "... and says which port is missing" grep -q '/dev/ttyNOSUCH0' "$E2E_TMP/nosuch.txt"
"$TOP" --list >"$E2E_TMP/list.txt" 2>&1
check "--list exits 0" [ $? -eq 0 ]
check "--list prints a table with VID:PID and SERIAL columns, or says there are none" \
	grep -Eq '^PORT .*VID:PID.*SERIAL|no serial ports found' "$E2E_TMP/list.txt"
if grep -q '^/dev/ttyUSB\|^/dev/ttyACM' "$E2E_TMP/list.txt"; then
	skip "no PORT and no USB serial port: exits 64" "this machine has USB serial ports"
	skip "... and says to plug in the adapter or try --demo" "this machine has USB serial ports"
else
	"$TOP" --json </dev/null >/dev/null 2>"$E2E_TMP/noport.txt"
	check "no PORT and no USB serial port: exits 64" [ $? -eq 64 ]
	check "... and says to plug in the adapter or try --demo" \
		grep -q 'no USB serial port found.*--demo' "$E2E_TMP/noport.txt"
fi
check "--version names the program" sh -c "'$TOP' --version | grep -q '^chargery-top [0-9]'"

e2e_finish
