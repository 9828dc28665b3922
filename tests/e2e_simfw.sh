#!/usr/bin/env bash
# End-to-end: chargery-sim --firmware NAME through a pty, read by
# chargery-top --json. Each firmware's frames come out as that firmware
# has them: before V1.21 no mode, no SOC and the current unsigned; V1.22
# the SOC in the byte after the cells of 0x56; V1.24 Wh/Ah; V1.25 0x58.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

SPEED=30 # simulated seconds per second: a phase (30-60 s) in 1-2 s

# json_run NAME: chargery-sim --firmware NAME on a pty, chargery-top
# --json on it until WANT lines match REGEX (or 30 s pass); the lines are
# in $E2E_TMP/NAME.json.
json_run() {
	local fw=$1 want=$2 regex=$3 link=$E2E_TMP/bms-$1
	sim_start --link "$link" --firmware "$fw" --speed "$SPEED" --seed 3
	wait_file 5 "$link"
	start_top --json "$link"
	wait_for 30 matches_at_least "$want" "$regex" "$E2E_TMP/top.out"
	stop_top
	kill "$SIM_PID" 2>/dev/null
	wait "$SIM_PID" 2>/dev/null
	cp "$E2E_TMP/top.out" "$E2E_TMP/$fw.json"
}
lines() { grep -c -- "$2" "$E2E_TMP/$1.json"; }
# none FW REGEX: no line of FW's output matches.
none() { ! grep -Eq -- "$2" "$E2E_TMP/$1.json"; }

# --- before V1.21 -------------------------------------------------------------
json_run v120 40 '"frame":"status"'
check "v120: status lines arrive through the pty" [ "$(lines v120 '"frame":"status"')" -ge 40 ]
check "v120: no status line has a mode" none v120 '"frame":"status".*"mode":"'
check "v120: no status line has a SOC" none v120 '"frame":"status".*"soc_pct":[0-9]'
check "v120: the current is a magnitude, never negative" none v120 '"current_a":-'
check "v120: ... and the pack does draw current" \
	grep -Eq '"frame":"status".*"current_a":([1-9][0-9]*\.[0-9]|0\.[1-9])' "$E2E_TMP/v120.json"
check "v120: no discharge-end or protection fields" none v120 '"discharge_end_mv":[0-9]|"charge_protect":(true|false)'
check "v120: cells lines without Wh/Ah" \
	[ "$(lines v120 '"frame":"cells".*"wh":null,"ah":null')" -ge 10 ]
check "v120: no 0x58 before V1.25" none v120 '"frame":"impedance"'
# Its 0x56 has a byte after the cells, but a unit whose 0x57 has no SOC
# has none there either: once a status line has come, no cells line
# claims one (decoder.h, cg_decode_cells_soc_trusted).
check "v120: after the first status, no cells line has a SOC" \
	[ "$(awk '/"frame":"status"/ { s = 1 } s && /"frame":"cells"/ && !/"soc_pct":null}$/' "$E2E_TMP/v120.json" | wc -l)" -eq 0 ]
check "v120: ... and there are such cells lines" \
	[ "$(awk '/"frame":"status"/ { s = 1 } s && /"frame":"cells"/' "$E2E_TMP/v120.json" | wc -l)" -ge 5 ]

# --- V1.22/V1.23 --------------------------------------------------------------
json_run v122 20 '"frame":"cells"'
check "v122: status lines have a mode and a SOC" \
	[ "$(lines v122 '"frame":"status".*"mode":"[a-z]*".*"soc_pct":[0-9]')" -ge 20 ]
check "v122: discharge lines carry a negative current" \
	[ "$(grep '"mode":"discharge"' "$E2E_TMP/v122.json" | grep -vc '"current_a":-')" -eq 0 ]
check "v122: every cells line has its SOC from the byte after the cells" \
	[ "$(grep '"frame":"cells"' "$E2E_TMP/v122.json" | grep -Evc '"wh":null,"ah":null,"soc_pct":([1-9][0-9]?|100)}$')" -eq 0 ]
# The 0x56's SOC is the pack's: the one the status frame next to it says.
soc_apart() {
	awk '/"frame":"status"/ { match($0, /"soc_pct":[0-9]+/); s = substr($0, RSTART + 10, RLENGTH - 10) }
	     /"frame":"cells"/ && s != "" { match($0, /"soc_pct":[0-9]+/); c = substr($0, RSTART + 10, RLENGTH - 10)
		d = c - s; if (d < -1 || d > 1) bad++; n++ }
	     END { print (n >= 10 && bad == 0) ? "ok" : "bad " n " " bad }' "$E2E_TMP/v122.json"
}
check "v122: the cells' SOC is the pack's SOC the status gives (within 1 %)" [ "$(soc_apart)" = ok ]
check "v122: no 0x58 before V1.25" none v122 '"frame":"impedance"'

# --- V1.24, V1.25 -------------------------------------------------------------
json_run v124 20 '"frame":"cells"'
check "v124: cells lines carry Wh/Ah and no SOC" \
	[ "$(lines v124 '"frame":"cells".*"wh":[0-9.]*,"ah":[0-9.]*,"soc_pct":null}')" -ge 20 ]
check "v124: status lines of 15 bytes (no discharge end)" \
	[ "$(lines v124 '"frame":"status".*"discharge_end_mv":null')" -ge 20 ]
check "v124: no 0x58 before V1.25" none v124 '"frame":"impedance"'
json_run v125 1 '"frame":"impedance"'
check "v125: a 0x58 when the current reverses" [ "$(lines v125 '"frame":"impedance"')" -ge 1 ]
check "v125: status lines of 15 bytes (no discharge end)" none v125 '"discharge_end_mv":[0-9]'

# --- the option --------------------------------------------------------------
"$SIM" --help >"$E2E_TMP/help.txt"
check "--help names every firmware" \
	[ "$(grep -Ec '^ +(v126|v125|v124|v122|v120|old) ' "$E2E_TMP/help.txt")" -eq 6 ]
check "--help says old is v122" grep -Eq '^ +old +the same as v122' "$E2E_TMP/help.txt"
"$SIM" --stdout --firmware v121 --duration 1 >/dev/null 2>"$E2E_TMP/bad.txt"
check "--firmware v121 is a usage error (64)" [ $? -eq 64 ]
check "... naming the firmwares there are" grep -q 'v120, v122, v124, v125, v126 or old' "$E2E_TMP/bad.txt"
"$SIM" --stdout --firmware old --duration 30 --speed 1000 --seed 4 >"$E2E_TMP/old.bin"
"$SIM" --stdout --firmware v122 --duration 30 --speed 1000 --seed 4 >"$E2E_TMP/v122.bin"
check "--firmware old sends the same bytes as v122" cmp -s "$E2E_TMP/old.bin" "$E2E_TMP/v122.bin"
check "... and they are not empty" [ -s "$E2E_TMP/old.bin" ]

e2e_finish
