#!/usr/bin/env bash
# End-to-end: several packs at once (issue 17). Four simulators through
# ptys: 16 cells, 8 cells on the old firmware, 20 of 24, and one silent;
# the first is unplugged (its pty goes away) and plugged back. The
# overview in tmux at 80x24 and 132x43, drilling into a pack and back,
# one log and one events file per pack (%n), "bms" in the JSON lines,
# and --once exiting with the worst pack's status.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

P1=$E2E_TMP/bms1 P2=$E2E_TMP/bms2 P3=$E2E_TMP/bms3 P4=$E2E_TMP/bms4

# sim ARGS...: one more simulator; its pid is in SIM_PID.
sim() {
	"$SIM" "$@" >>"$E2E_TMP/sim.out" 2>&1 &
	SIM_PID=$!
	E2E_PIDS+=("$SIM_PID")
}
sim --link "$P1" --seed 1 --cells 16; SIM1=$SIM_PID
sim --link "$P2" --seed 2 --slots 8 --cells 8 --firmware old
sim --link "$P3" --seed 3 --slots 24 --cells 20
sim --link "$P4" --silent
check "four simulators make their pty links" \
	wait_for 5 test -e "$P1" -a -e "$P2" -a -e "$P3" -a -e "$P4"

# --- usage ----------------------------------------------------------------
"$TOP" --log "$E2E_TMP/one.csv" "$P2" "$P3" >/dev/null 2>"$E2E_TMP/usage.err"
rc=$?
check "several packs, --log without %n: usage error 64" [ "$rc" -eq 64 ]
check "... and it says to put %n in it" grep -q '%n' "$E2E_TMP/usage.err"
check "... and writes no file" [ ! -e "$E2E_TMP/one.csv" ]
"$TOP" --json a=x "$P2" a=y >/dev/null 2>"$E2E_TMP/usage.err"
check "two packs of one name: usage error 64" [ $? -eq 64 ]

# --- JSON: every line says which pack ---------------------------------------
"$TOP" --json left="$P2" right="$P3" >"$E2E_TMP/multi.json" 2>/dev/null &
JSON_PID=$!
E2E_PIDS+=("$JSON_PID")
check "--json: cell lines of both packs arrive" \
	wait_for 15 eval 'grep -q "^{\"bms\":\"left\",\"time\".*\"cells\"" "$E2E_TMP/multi.json" &&
		grep -q "^{\"bms\":\"right\",\"time\".*\"cells\"" "$E2E_TMP/multi.json"'
kill "$JSON_PID"; wait "$JSON_PID" 2>/dev/null
check "--json: every line names its pack" \
	[ "$(grep -vc '^{"bms":"\(left\|right\)",' "$E2E_TMP/multi.json")" -eq 0 ]
check "--json: the 8-cell pack's cells are its own" \
	grep -Eq '"bms":"left".*"cells_mv":\[([0-9]+,){7}[0-9]+\]' "$E2E_TMP/multi.json"
check "--json: the 24-channel unit's channels are its own" \
	grep -Eq '"bms":"right".*"cells_mv":\[([0-9]+,){23}[0-9]+\]' "$E2E_TMP/multi.json"
"$TOP" --once --json "$P2" >"$E2E_TMP/single.json" 2>/dev/null
check "one pack: the JSON has no \"bms\" (unchanged)" \
	eval '[ -s "$E2E_TMP/single.json" ] && ! grep -q "\"bms\"" "$E2E_TMP/single.json"'

# --- --once: every pack, the worst status ------------------------------------
"$TOP" --once --timeout 10 "$P2" "$P3" >"$E2E_TMP/once.txt" 2>&1
check "--once, two good packs: exit 0" [ $? -eq 0 ]
check "--once: both packs reported" \
	[ "$(grep -Ec '^BMS +bms[23]$' "$E2E_TMP/once.txt")" -eq 2 ]
"$TOP" --once --timeout 3 "$P2" "$P4" >"$E2E_TMP/once.txt" 2>&1
check "--once with a silent pack: exit 1 (no data)" [ $? -eq 1 ]
check "... the good pack still printed" grep -q '^BMS *bms2$' "$E2E_TMP/once.txt"
check "... and the silent one named" grep -q 'no frames from .*bms4' "$E2E_TMP/once.txt"
"$TOP" --once --csv --alarm-delta 5 --timeout 10 "$P2" "$P3" \
	>"$E2E_TMP/once.csv" 2>/dev/null
check "--once, a pack past --alarm-delta: exit 2 (alarm wins)" [ $? -eq 2 ]
check "--once --csv: a bms column, a row per pack" \
	[ "$(grep -c '^bms2,20' "$E2E_TMP/once.csv")" -eq 1 ] && \
	[ "$(grep -c '^bms,time,' "$E2E_TMP/once.csv")" -eq 2 ]

if ! needs tmux tmux; then
	skip "the overview in tmux" "$NEEDS"
	e2e_finish
fi

# --- the overview at 80x24 -------------------------------------------------
LOGS="--log $E2E_TMP/log-%n.csv --events $E2E_TMP/ev-%n.log"
tmux_start 80 24 "$TOP $LOGS bank1=$P1 bank2=$P2 bank3=$P3 bank4=$P4; echo EXIT=\$?"
check "80x24: the overview's columns" wait_screen 10 '^# pack +link +volts +current'
check "80x24: bank1 connected with its voltage" \
	wait_screen 10 '^1 bank1 +connected +[0-9]+\.[0-9]{3} V'
check "80x24: bank2 (old firmware, 8 cells)" wait_screen 10 '^2 bank2 +connected +2[0-9]\.[0-9]{3} V'
check "80x24: bank3 (20 cells)" wait_screen 10 '^3 bank3 +connected +6[0-9]\.[0-9]{3} V'
check "80x24: the silent bank4 is waiting" wait_screen 15 '^4 bank4 +waiting'
check "80x24: low, high and delta under each pack" \
	wait_screen 5 'low #[0-9]+ [0-9]\.[0-9]{3} V +high #[0-9]+ [0-9]\.[0-9]{3} V +delta [0-9]+ mV'
check "80x24: the bank's current" wait_screen 5 '^Bank: 4 packs, current [-+][0-9]+\.[0-9] A'
check "80x24: the bank's lowest cell" wait_screen 5 '^Lowest cell: bank[1-3] #[0-9]+ [0-9]\.[0-9]{3} V'
check "80x24: the worst cell is marked" wait_screen 5 '◀'
check "80x24: no line wider than 80" [ "$(widest_line)" -le 80 ]

# --- drill down and back ---------------------------------------------------
tmux_keys 2
check "2 opens bank2's table" wait_screen 5 '^ bank2 115200 │ connected'
check "... with its 8 cells" wait_screen 5 '^ 8 [0-9]\.[0-9]{3} '
check "... and not a ninth" eval '! screen | grep -Eq "^ 9 [0-9]\.[0-9]{3} "'
tmux_keys e
check "e on a pack: its events" wait_screen 5 'opened .*bms2'
tmux_keys Escape
check "Esc closes its events" wait_screen 5 'Total [0-9]'
tmux_keys Escape
check "Esc again: back to the overview" wait_screen 5 '^# pack +link'
tmux_keys Down Enter
check "Down and Enter open the next pack (bank3)" wait_screen 5 '^ bank3 115200 │ connected'
check "... with its 20 cells" wait_screen 5 ' 20 [0-9]\.[0-9]{3} '
tmux_keys Escape
check "back to the overview" wait_screen 5 '^# pack +link'

# --- one adapter unplugged and back: the others go on --------------------------
kill "$SIM1"; wait "$SIM1" 2>/dev/null
check "bank1 unplugged: disconnected" wait_screen 10 '^1 bank1 +disconnected'
age_of() { screen | sed -n "s/^$1 .* \([0-9.]*\) s\$/\1/p"; }
check "... while bank2 keeps arriving (fresh)" \
	wait_for 5 eval '[ "$(age_of "2 bank2")" ] && awk "BEGIN { exit !($(age_of "2 bank2") < 3) }"'
check "... and bank3 stays connected" wait_screen 5 '^3 bank3 +connected'
sim --link "$P1" --seed 11 --cells 16
check "bank1 plugged back: connected again" wait_screen 15 '^1 bank1 +connected'
check "bank1's events say lost and back" \
	wait_for 5 eval 'grep -q "link lost" "$E2E_TMP/ev-bank1.log" && grep -q "link back" "$E2E_TMP/ev-bank1.log"'

# --- 132x43: one line per pack --------------------------------------------
tmux_resize 132 43
check "132x43: one line per pack, every column" \
	wait_screen 5 '^# pack +link +volts +current +share +SOC +low cell +high +delta +temp +alarm +age'
check "132x43: bank2's line holds its cells" \
	wait_screen 5 '^2 bank2 +connected .* #[0-9]+ [0-9]\.[0-9]{3} .*mV'
tmux_keys '?'
check "? over the overview: help names the pack keys" wait_screen 5 '1-9 +several packs: open one'
tmux_keys Escape
check "Esc closes help, the overview stays" \
	wait_for 5 eval '! screen | grep -q "several packs: open" && screen | grep -Eq "^# pack +link"'
tmux_keys q
check "q quits from the overview" wait_screen 5 'EXIT=0'

# --- one file per pack, never mixed ---------------------------------------------
check "a CSV log per pack (%n)" \
	[ -s "$E2E_TMP/log-bank1.csv" ] && [ -s "$E2E_TMP/log-bank2.csv" ] && [ -s "$E2E_TMP/log-bank3.csv" ]
check "bank2's log has its 8 cells, no ninth" \
	eval 'head -1 "$E2E_TMP/log-bank2.csv" | grep -q ",cell8_v$"'
check "bank3's log has its 20 cells" \
	eval 'head -1 "$E2E_TMP/log-bank3.csv" | grep -q ",cell20_v$"'
check "bank2's rows are all 8-cell rows" \
	[ "$(awk -F, 'NR > 1 && NF != 17' "$E2E_TMP/log-bank2.csv" | wc -l)" -eq 0 ]
check "an events file per pack" [ -s "$E2E_TMP/ev-bank4.log" ]
check "bank4's events are its own" \
	eval '! grep -q "bms[123]" "$E2E_TMP/ev-bank4.log" && grep -q "bms4" "$E2E_TMP/ev-bank4.log"'
e2e_finish
