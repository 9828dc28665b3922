#!/usr/bin/env bash
# End-to-end: the live table in tmux, reading chargery-sim through a pty.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup
e2e_require tmux tmux "the live table in tmux"

LINK=$E2E_TMP/ttyV0
# compact_shown: cells (number and voltage) in the compact columns, where a
# cell's mark can stand where the gap is; not the figures ("High #15 ...").
compact_shown() { screen | grep -v '#' | grep -Eo '[0-9]{1,2} [0-9]\.[0-9]{3}' | wc -l; }

sim_start --link "$LINK" --seed 7 --cells 16
check "chargery-sim makes its pty link" wait_file 5 "$LINK"

# --- 80x24, UTF-8 ---------------------------------------------------------
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "80x24: connected to the simulator" wait_screen 10 'connected'
check "80x24: cell voltages arrive" wait_screen 10 "$CELL_ROW"
check "80x24: all 16 cells shown" [ "$(rows_shown)" -eq 16 ]
check "80x24: the high cell is marked with a word" wait_screen 5 '▲ high'
check "80x24: the low cell is marked with a word" wait_screen 5 '▼ low'
check "80x24: eighth-block bars in a UTF-8 locale" wait_screen 5 '█'
check "80x24: pack figures shown" wait_screen 5 'Total [0-9]+\.[0-9]{3} V.*Delta [0-9]+ mV'
check "80x24: status line names port and baud" wait_screen 5 "ttyV0.*115200"
check "80x24: no line is wider than the terminal" [ "$(widest_line)" -le 80 ]
check "80x24: table uses the alternate screen" [ "$(alternate_on)" = 1 ]

# --- resize while running ---------------------------------------------------
tmux_resize 132 43
check "132x43: bars grow after the resize" wait_screen 5 '.{100}'
check "132x43: all 16 cells after the resize" [ "$(rows_shown)" -eq 16 ]
# A redraw may be under way when the screen is read: wait for the evidence.
wider_than() { [ "$(widest_line)" -gt "$1" ]; }
check "132x43: uses the width (bars longer than at 80 columns)" wait_for 5 wider_than 80
tmux_resize 60 20
check "60x20: all 16 cells with bars, the figures gave up lines" wait_screen 5 "$CELL_ROW"'█'
check "60x20: all 16 cells shown" [ "$(rows_shown)" -eq 16 ]
check "60x20: the voltages stay" wait_screen 5 'Delta [0-9]+ mV'
tmux_resize 40 12
check "40x12: cells in compact columns, high marked" wait_screen 5 '[0-9]{1,2} [0-9]\.[0-9]{3} ▲'
check "40x12: all 16 cells shown" [ "$(compact_shown)" -eq 16 ]
check "40x12: no line wider than 40" [ "$(widest_line)" -le 40 ]
tmux_resize 30 8
check "30x8: one line with pack, high, low and delta" \
	wait_screen 5 '^[0-9]+\.[0-9]+V ▲[0-9]+ [0-9]\.[0-9]{3} ▼[0-9]+ [0-9]\.[0-9]{3} d[0-9]+'
check "30x8: no line wider than 30" [ "$(widest_line)" -le 30 ]
tmux_resize 12 8
check "12x8: says it is too small and what it needs" wait_screen 5 'small: need'
tmux_resize 80 24
check "back to 80x24: the table returns" wait_screen 5 "$CELL_ROW"
check "back to 80x24: 16 cells again" [ "$(rows_shown)" -eq 16 ]

# --- the feeding side hangs up and comes back ---------------------------------
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
check "feeder gone: the table says disconnected" wait_screen 10 'disconnected'
sim_start --link "$LINK" --seed 8 --cells 16
check "feeder back: reconnected by itself" wait_screen 10 '│ connected'
check "feeder back: cells shown again" wait_screen 10 "$CELL_ROW"

# --- keys ----------------------------------------------------------------------
# A balanced pack on the end-voltage scale would draw equal bars for
# cells that differ: the bars zoom by default, and say so; z shows the
# BMS's ends, and z again the zoom.
check "bars zoom by default, and the screen says so" wait_screen 5 'bars: zoom'
tmux_keys z
check "z: the bars over the BMS's ends, said on screen" wait_screen 5 'bars: BMS ends'
check "z: the header shows the end voltages" wait_screen 5 '2\.800 .*3\.650'
tmux_keys z
check "z again: back to the zoom" wait_screen 5 'bars: zoom'
tmux_keys p
check "p pauses the display" wait_screen 5 'PAUSED'
tmux_keys p
tmux_keys '?'
check "? shows the help" wait_screen 5 'zoom'
tmux_keys '?'
check "80x24: the status line offers ? help" wait_screen 5 '│ \? help'
# Esc and q close help and the other screens; only q on the table quits.
tmux_keys '?'
wait_screen 5 'show or hide this help' >/dev/null
tmux_keys Escape
check "Esc closes the help" wait_for 5 sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q 'show or hide this help'"
tmux_keys '?'
wait_screen 5 'show or hide this help' >/dev/null
tmux_keys q
check "q closes the help, and does not quit" wait_for 5 sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -Eq 'show or hide this help|EXIT='"
tmux_keys e
wait_screen 5 'Events \(e to return\)' >/dev/null
tmux_keys q
check "q closes the event list, back to the cells" wait_screen 5 "$CELL_ROW"
check "... without quitting" sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q 'EXIT='"
tmux_keys +
check "+ on a live link: says speed is for replays" wait_screen 5 'speed applies to replays'
tmux_keys i
check "i shows the inspector with the firmware the frame lengths reveal" \
	wait_screen 5 'firmware: V1.26 or later \(0x56 with Wh/Ah, 0x57 of 19 bytes\)'
check "the inspector shows the last 0x57 in hex, never raw" wait_screen 5 '24 24 57 13 '
tmux_keys i
tmux_keys q
check "q quits with exit code 0" wait_screen 5 'EXIT=0'
check "q restores the terminal (alternate screen left)" [ "$(alternate_on)" = 0 ]
tmux_kill

# --- 132x43 from the start ------------------------------------------------------
tmux_start 132 43 "$TOP $LINK; echo EXIT=\$?"
check "132x43: cells arrive" wait_screen 10 "$CELL_ROW"
check "132x43: one column of 16 rows" [ "$(screen | grep -Ec "$CELL_ROW")" -eq 16 ]
check "132x43: charge-end voltage shown" wait_screen 5 'Charge-end [0-9]\.[0-9]{3} V'
check "132x43: SOC and temperatures shown" wait_screen 5 'SOC [0-9]+ %.*T1 -?[0-9]+\.[0-9]'
tmux_keys q
check "132x43: q quits" wait_screen 5 'EXIT=0'
tmux_kill

# --- LC_ALL=C: ASCII only -------------------------------------------------------
tmux_start 80 24 "LC_ALL=C $TOP $LINK; echo EXIT=\$?"
check "LC_ALL=C: cells arrive" wait_screen 10 "$CELL_ROW"
check "LC_ALL=C: ASCII markers for high and low" wait_screen 5 '\^ high'
check "LC_ALL=C: ... and low" wait_screen 5 'v low'
check "LC_ALL=C: ASCII bars" wait_screen 5 "$CELL_ROW"'#+'
check "LC_ALL=C: no block characters on screen" sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q '█'"
tmux_keys q
check "LC_ALL=C: q quits" wait_screen 5 'EXIT=0'
tmux_kill

# --- SIGTERM restores the terminal -----------------------------------------------
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "SIGTERM run: cells arrive" wait_screen 10 "$CELL_ROW"
kill -TERM $(pids_of "^$TOP $LINK\$")
check "SIGTERM: exits 143 (128+15)" wait_screen 5 'EXIT=143'
check "SIGTERM: alternate screen left" [ "$(alternate_on)" = 0 ]
tmux_kill

# --- the terminal vanishes (an SSH drop): the program must not linger --------------
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "hang-up run: cells arrive" wait_screen 10 "$CELL_ROW"
pid=$(pids_of "^$TOP $LINK\$" | head -n 1)
tmux_kill
check "terminal hang-up: chargery-top exits within 3 s" wait_for 3 gone "$pid"
check "terminal hang-up: no process spins on after it" sh -c "! kill -0 $pid 2>/dev/null"
kill -9 "$pid" 2>/dev/null

# --- --cells beyond the unit's channels: said, not hidden --------------------------
tmux_start 132 30 "$TOP --cells 24 $LINK; echo EXIT=\$?"
check "--cells 24 on a 16-channel unit: the status line says so" \
	wait_screen 10 '--cells 24, but the unit sends 16'
tmux_keys q
wait_screen 5 'EXIT=0' >/dev/null
tmux_kill

# --- a 24-cell pack on 80x24 ----------------------------------------------------
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
# Fast, so that the current flips and a 0x58 arrives within seconds.
sim_start --link "$LINK" --seed 9 --slots 24 --cells 24 --speed 100
wait_file 5 "$LINK"
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "24 cells: arrive on 80x24" wait_screen 10 "$CELL_ROW"
check "24 cells: all 24 fit on 80x24" [ "$(rows_shown)" -eq 24 ]
check "24 cells: no line wider than 80" [ "$(widest_line)" -le 80 ]
# The inspector with all three frames of a 24-cell unit is longer than 24
# lines: it scrolls, and its title says which lines show.
tmux_keys i
check "24 cells: the inspector has seen a 0x58" wait_screen 15 '0x58 impedance [1-9]'
check "24 cells: the inspector says it is longer than the screen" \
	wait_screen 5 'lines 1-22 of (2[3-9]|[3-9][0-9])'
check "24 cells: the last hex line of the 0x58 is below the screen" \
	sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -Eq '^([0-9A-F]{2} ){7}[0-9A-F]{2}  '"
tmux_keys G
check "24 cells: G scrolls to the end, and the title says so" \
	wait_screen 5 'lines [0-9]+-([0-9]+) of \1:'
check "24 cells: ... where the last hex line of the 0x58 shows" \
	wait_screen 5 '^([0-9A-F]{2} ){7}[0-9A-F]{2}  '
tmux_keys Up
check "24 cells: an arrow scrolls a line back" \
	sh -c "tmux -L $TMUX_SOCK capture-pane -p | grep -Eq 'lines [0-9]+-([0-9]+) of [0-9]+' && ! tmux -L $TMUX_SOCK capture-pane -p | grep -Eq 'lines [0-9]+-([0-9]+) of \1:'"
tmux_keys g
check "24 cells: g scrolls back to the top" wait_screen 5 'lines 1-22 of'
# Home and End as tmux (and PuTTY) send them, ESC [4~ and ESC [1~, which
# TERM=xterm's terminfo does not list.
tmux_keys End
check "24 cells: End scrolls to the end" \
	wait_screen 5 'lines [0-9]+-([0-9]+) of \1:'
tmux_keys Home
check "24 cells: Home scrolls back to the top" wait_screen 5 'lines 1-22 of'
check "24 cells: the inspector fits the width" [ "$(widest_line)" -le 80 ]
tmux_keys i
tmux_keys q
check "24 cells: q quits" wait_screen 5 'EXIT=0'
tmux_kill

# --- recording and logging, said in the status line ------------------------------
tmux_start 100 30 "$TOP --record $E2E_TMP/bms.rec --log $E2E_TMP/cells.csv $LINK; echo EXIT=\$?"
check "--record: the status line says REC, the file and its size" \
	wait_screen 10 'REC bms\.rec [0-9.]+ [kM]?B'
check "--log: the status line says LOG and the file" wait_screen 5 'LOG cells\.csv'
# A few seconds of data, so the replay below has a length to play.
wait_for 20 sh -c "[ \$(wc -l < '$E2E_TMP/cells.csv') -ge 4 ]"
tmux_keys q
wait_screen 5 'EXIT=0' >/dev/null
tmux_kill
# A file size limit (SIGXFSZ ignored, as a shell may) stops the recording.
tmux_start 100 30 "trap '' XFSZ; ulimit -f 2; $TOP --record $E2E_TMP/full.rec $LINK; echo EXIT=\$?"
check "--record that cannot write: the status line says it failed" \
	wait_screen 30 'REC full\.rec FAILED'
check "... and the cells are still shown" wait_screen 5 "$CELL_ROW"
tmux_keys q
wait_screen 5 'EXIT=0' >/dev/null
tmux_kill

# --- a replay: its file, position and speed, no baud, no "connected" ---------------
# Slowed down, so even a short recording plays for some seconds.
tmux_start 100 30 "$TOP --speed 0.25 --replay $E2E_TMP/bms.rec; echo EXIT=\$?"
check "replay: file, position / length and speed in the status line" \
	wait_screen 10 'bms\.rec │ [0-9]{2}:[0-9]{2}:[0-9]{2} / [0-9]{2}:[0-9]{2}:[0-9]{2} 0\.25x │ playing'
check "replay: no baud and no 'connected' in the status line" \
	sh -c "! tmux -L $TMUX_SOCK capture-pane -p | tail -n 1 | grep -Eq 'baud|115200|connected'"
check "replay: the word replay is said once" \
	[ "$(screen | tail -n 1 | grep -o replay | wc -l)" -le 1 ]
tmux_keys p
check "replay: p pauses it, and says so" wait_screen 5 'PAUSED │ .*bms\.rec'
tmux_keys p
tmux_keys +
check "replay: + doubles the speed" wait_screen 5 ' 0\.5x │'
tmux_keys + + + + +
check "replay: at the end it says end" wait_screen 30 'x │ end'
tmux_keys q
wait_screen 5 'EXIT=0' >/dev/null
tmux_kill

# --- after a baud hunt the status line says the speed that works -------------------
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
rm -f "$LINK"
sim_start --link "$LINK" --seed 10 --cells 16 --baud 57600
wait_file 5 "$LINK"
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "baud hunt: cells arrive at 57600" wait_screen 30 "$CELL_ROW"
check "baud hunt: the status line says 57600, not 115200" wait_screen 10 'ttyV0 57600'
tmux_keys q
wait_screen 5 'EXIT=0' >/dev/null
tmux_kill
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
rm -f "$LINK"
sim_start --link "$LINK" --seed 9 --slots 24 --cells 24 --speed 100
wait_file 5 "$LINK"

# --- the demo: the quick start's first command -----------------------------------
tmux_start 80 24 "$TOP --demo; echo EXIT=\$?"
check "--demo: simulated cells on screen" wait_screen 10 "$CELL_ROW"
check "--demo: status line says demo and connected" wait_screen 5 'demo.*connected'
# The demo's processes (chargery-top and the simulator it forks) in this
# pane, not those another script may run at the same time.
demo_pids=$(for p in $(children_of "$(tmux -L "$TMUX_SOCK" display-message -p '#{pane_pid}')"); do
	echo "$p"; children_of "$p"; done)
echo "# demo processes: $(echo $demo_pids)"
all_gone() { local p; for p in $demo_pids; do gone "$p" || return 1; done; }
tmux_keys q
check "--demo: q quits with 0" wait_screen 5 'EXIT=0'
check "--demo: the simulator ran beside it (2 processes in the pane)" \
	[ "$(echo $demo_pids | wc -w)" -ge 2 ]
check "--demo: no simulator left running, within 2 s" wait_for 2 all_gone
tmux_kill

# --- colour: on by default, off with NO_COLOR or --no-color, 8 colours work ----------
ESC=$(printf '\033')
# The high cell's row: a foreground colour on it, and bold either way.
high_row_sgr() { screen_sgr | grep -E 'high' | head -n 1; }
has_colour() { high_row_sgr | grep -Eq "$ESC\\[(3[0-7]|38;)"; }
has_bold() { high_row_sgr | grep -Eq "$ESC\\[1[;m]"; }
for run in "default::colour" "NO_COLOR=1::none" "--no-color:flag:none" "TERM=xterm::colour"; do
	envs=${run%%:*}; rest=${run#*:}; flag=${rest%%:*}; want=${rest#*:}
	[ "$flag" = flag ] && { opt=$envs; envs=; } || opt=
	[ "$envs" = default ] && envs=
	tmux_start 80 24 "$envs $TOP $opt $LINK; echo EXIT=\$?"
	label=${envs:-${opt:-default}}
	wait_screen 10 'high' >/dev/null
	if [ "$want" = colour ]; then
		check "colour ($label): the high cell is coloured" has_colour
	else
		check "colour ($label): no colour codes at all" sh -c "! tmux -L $TMUX_SOCK capture-pane -p -e | grep -q '$ESC\\[3[0-7]m'"
	fi
	check "colour ($label): the high cell is bold as well" has_bold
	tmux_keys q
	wait_screen 5 'EXIT=0' >/dev/null
	tmux_kill
done

# --- link states: silent port, bytes without frames (keys from /dev/tty) ----------
tmux_start 80 24 "$TOP - < <(sleep 60); echo EXIT=\$?"
check "silent input: says waiting for data" wait_screen 10 'waiting for data'
check "silent input: figures unknown, shown as --" wait_screen 5 'Total -- '
tmux_keys q
check "silent input: q quits even with stdin as the port" wait_screen 5 'EXIT=0'
tmux_kill
# What an inverted or wrong-baud line looks like: bytes, never a header.
tmux_start 80 24 "while :; do printf '\\x55\\xaa\\xdb\\xdb\\x0f'; sleep 0.05; done | $TOP -; echo EXIT=\$?"
check "bytes without frames: says no frames in sync" wait_screen 10 'no frames in sync'
tmux_keys q
check "bytes without frames: q quits" wait_screen 5 'EXIT=0'
tmux_kill

# --- what the firmware does and does not say (issue 10) -----------------------------
# A capture crafted frame by frame: 8 cells in the V1.22 0x56 (SOC 77 % after
# the cells), #3 and #5 tied high at 3.320 V, #1 and #8 tied low at 3.290 V;
# a 0x57 of 13 bytes as before V1.21 (charge-end 3.650 V, 23.0 A, no mode,
# no SOC, no discharge-end: the low limit is a guess); one 0x57 of 14 bytes
# with a right checksum (a variant this version cannot read); then cell 6
# collapses to 0.020 V after reading 3.300 V.
# frame HEX...: the bytes and their 8-bit sum, as a Chargery frame ends.
frame() {
	local sum=0 b out=
	for b in "$@"; do sum=$(((sum + 0x$b) & 255)); out+="\\x$b"; done
	printf "$out\\x$(printf %02x "$sum")"
}
cells_v122() { frame 24 24 56 16 "$@" 4D; }
status_v120() { frame 24 24 57 0D 0E 42 00 E6 00 C8 00 D2; }
{
	cells_v122 0C DA 0C E4 0C F8 0C EE 0C F8 0C E4 0C EE 0C DA
	status_v120
	frame 24 24 57 0E 0E 42 00 E6 00 C8 00 D2 00
	cells_v122 0C DA 0C E4 0C F8 0C EE 0C F8 00 14 0C EE 0C DA
	status_v120
} >"$E2E_TMP/firmware.cap"
tmux_start 132 43 "$TOP $E2E_TMP/firmware.cap; echo EXIT=\$?"
check "firmware: the capture is read to its end" wait_screen 10 'end of capture'
check "firmware: the header names both tied high cells" wait_screen 5 '▲ High #3 #5 3\.320 V'
check "firmware: ... and both tied low cells" wait_screen 5 '▼ Low #1 #8 3\.290 V'
check "firmware: every tied cell is marked high in its row" \
	[ "$(screen | grep -Ec '^ [35] 3\.320 .*▲ high')" -eq 2 ]
check "firmware: every tied cell is marked low in its row" \
	[ "$(screen | grep -Ec '^ [18] 3\.290 .*▼ low')" -eq 2 ]
check "firmware: the lost cell's row says lost and its last voltage" \
	wait_screen 5 '^ 6 0\.020 lost \(was 3\.300 V\)'
check "firmware: ... not the old open-lead guess" sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q 'open?'"
check "firmware: the lost cell's row is red" \
	sh -c "tmux -L $TMUX_SOCK capture-pane -p -e | grep -qF '${ESC}[31mlost (was'"
check "firmware: the header's alarm names the lost cell" wait_screen 5 '!LOST #6 \(was 3\.300 V\)'
check "firmware: the guessed low limit says so" wait_screen 5 'LO 2\.500 V \(guessed\)'
check "firmware: current without sign or mode, direction unknown" \
	wait_screen 5 'Current 23\.0 A, direction unknown'
check "firmware: ... no made-up sign or mode word" \
	sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -Eq 'Current [+-]|A (charge|discharge|storage|unknown)'"
# A 0x57 without SOC (before V1.21): its unit's 0x56 byte after the cells
# is no SOC either (SOC came in V1.22; e2e_simfw.sh shows V1.22's).
check "firmware: no SOC from a 0x56 beside a 0x57 without one" \
	sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q 'SOC 77'"
tmux_resize 80 24
check "firmware 80x24: the ties and the lost cell still said" \
	wait_screen 5 'High #3 #5 3\.320 V.*Low #1 #8'
check "firmware 80x24: ... the lost cell in the header" wait_screen 5 '!LOST #6'
check "firmware 80x24: no line wider than 80" [ "$(widest_line)" -le 80 ]
tmux_resize 40 12
check "firmware 40x12: the summary line starts with the lost alarm" wait_screen 5 '^!'
check "firmware 40x12: ... and the row says lost" wait_screen 5 '^ 6 0\.020 lost'
tmux_resize 40 7
check "firmware 40x7: compact cells mark the lost one with !" wait_screen 5 ' 6 0\.020 !'
check "firmware 40x7: ... and both tied high cells" \
	[ "$(screen | grep -Eo '[35] 3\.320 ▲' | wc -l)" -eq 2 ]
tmux_resize 80 24
tmux_keys i
check "firmware: the inspector counts the unknown variant" \
	wait_screen 5 'unknown frame variants 1 '
check "firmware: ... by command and length" wait_screen 5 '0x57 of 14 bytes: 1'
check "firmware: ... and reads the 13-byte 0x57 without a mode" \
	wait_screen 5 '23\.0 A, no mode \(before V1\.21\)'
tmux_keys i
tmux_keys q
check "firmware: q quits" wait_screen 5 'EXIT='
tmux_kill

# --- TERM=dumb: a message, not garbage -------------------------------------------
TERM=dumb "$TOP" "$LINK" >"$E2E_TMP/dumb.out" 2>"$E2E_TMP/dumb.err" </dev/null
rc=$?
check "TERM=dumb: exits 69 (EX_UNAVAILABLE)" [ "$rc" -eq 69 ]
check "TERM=dumb: suggests --json" grep -q -- '--json' "$E2E_TMP/dumb.err"
check "TERM=dumb: writes nothing to stdout" [ ! -s "$E2E_TMP/dumb.out" ]

e2e_finish
