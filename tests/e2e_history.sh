#!/usr/bin/env bash
# End-to-end: the history screen (key t) in tmux, at 80x24 and 132x43, in
# UTF-8 (braille) and LC_ALL=C (ASCII): graphs, the time axis and its
# labels, a known spike at the column of its time with its alarm marked
# under it, the cell chosen with the arrows, the zoom and pan keys, and a
# small terminal that drops graphs rather than going blank.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup
e2e_require tmux tmux "the history screen in tmux"

PLOTREC=$PWD/$B/e2e/e2e_plotrec
[ -x "$PLOTREC" ] || { echo "not ok - build first: $PLOTREC"; exit 1; }
SPIKE_S=1234              # cell 6 reads 4.200 V in this second only
REC=$E2E_TMP/spike.rec
"$PLOTREC" "$REC" 3600 "$SPIKE_S"
GUTTER=7                  # columns left of the graphs (histview.h)

# line_after REGEX: the screen line after the first that matches.
line_after() { screen | grep -E -A1 -m1 -- "$1" | tail -n 1; }
# first_ink LINE: the column of its first non-blank character past the
# gutter, counted in characters (braille is one column, three bytes).
first_ink() {
	LC_ALL=C.UTF-8 bash -c 'r=${1:'"$GUTTER"'}; t=${r%%[! ]*}
		[ ${#t} -eq ${#r} ] && { echo -1; exit; }; echo $(('"$GUTTER"' + ${#t}))' _ "$1"
}
# ink_count LINE: non-blank characters past the gutter.
ink_count() {
	LC_ALL=C.UTF-8 bash -c 'r=${1:'"$GUTTER"'}; r=${r// /}; echo ${#r}' _ "$1"
}
# near A B: |A - B| <= 1
near() { [ "$1" -ge $(($2 - 1)) ] && [ "$1" -le $(($2 + 1)) ]; }
# graph_rows TITLE NEXT: lines between a graph's title and the next one's.
graph_rows() {
	screen | awk -v a="$1" -v b="$2" '$0 ~ b { exit } f { n++ } $0 ~ a { f = 1 } END { print n + 0 }'
}

# run_case W H LOCALE LABEL: replays the spike recording fast, opens the
# history and checks what every size and locale must show.
run_case() {
	local w=$1 h=$2 loc=$3 label=$4 width spike line col
	width=$((w - GUTTER - 1))
	# the spike's character column over the whole hour
	spike=$((GUTTER + SPIKE_S * width / 3600))
	tmux_start "$w" "$h" "TZ=UTC $loc $TOP --speed 1024 --replay $REC; echo EXIT=\$?"
	check "$label: the replay plays to its end" wait_screen 20 'end'
	tmux_keys t
	check "$label: t opens the history over the whole replay" \
		wait_screen 5 'History \(t to return\)  session 00:00:00-01:00:00'
	check "$label: every graph has its title" \
		sh -c "tmux -L $TMUX_SOCK capture-pane -p | grep -c -E '^(Cells V|Current A|Delta mV|SOC %|T1 )' | grep -qx 5"
	check "$label: the time axis in local time with 10 minute labels" \
		wait_screen 5 '^local +00:00 +(00:05 +)?00:10 +(00:15 +)?00:20'
	check "$label: the cell scale reaches the spike's 4.2 V" wait_screen 5 '^4\.2[0-9]{2} '
	line=$(line_after '^Cells V')
	col=$(first_ink "$line")
	echo "# spike expected at column $spike, top row of the cells shows ink at $col: '$line'"
	check "$label: the spike shows at the column of its time" near "$col" "$spike"
	check "$label: ... and only there on the top row" [ "$(ink_count "$line")" -le 2 ]
	line=$(screen | grep -E -m1 '^marks')
	col=$(LC_ALL=C.UTF-8 bash -c 'r=${1%%A*}; echo ${#r}' _ "$line")
	check "$label: its alarm is marked A under it" near "$col" "$spike"
	check "$label: the mode change at half time is marked M" \
		sh -c "tmux -L $TMUX_SOCK capture-pane -p | grep -E '^marks' | grep -q M"
	check "$label: current above and below zero: signed scale labels" \
		sh -c "tmux -L $TMUX_SOCK capture-pane -p | grep -A3 '^Current A' | grep -Eq '^\+[0-9]+\.[0-9] ' &&
		       tmux -L $TMUX_SOCK capture-pane -p | grep -A9 '^Current A' | grep -Eq '^-[0-9]+\.[0-9] '"
	check "$label: no line wider than $w" [ "$(widest_line)" -le "$w" ]
}

# --- 80x24, UTF-8: braille, and the keys ------------------------------------
run_case 80 24 "" "80x24 UTF-8"
check "80x24 UTF-8: braille dots" wait_screen 5 '⠤'
check "80x24 UTF-8: the axis drawn with ticks" wait_screen 5 '┬───'
check "80x24 UTF-8: cell 1 chosen at first, with its voltage" wait_screen 5 'cell 1 3\.300 V'
tmux_keys Down Down
check "Down twice: cell 3 and its voltage" wait_screen 5 'cell 3 3\.302 V'
tmux_keys Up
check "Up: cell 2" wait_screen 5 'cell 2 3\.301 V'
tmux_keys Up Up Up
check "Up past the first: stays at cell 1" wait_screen 5 'cell 1 3\.300 V'
tmux_keys ']'
check "] narrows the window to 24 h" wait_screen 5 '  24 h '
tmux_keys ']' ']' ']'
check "] three times more: the last 15 minutes" wait_screen 5 '  15 min 00:45:00-01:00:00'
check "15 min: labels every few minutes" wait_screen 5 '^local +00:4[5-9] +00:(4[6-9]|5[0-9])'
check "15 min: the spike is out of the window" sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -Eq '^4\.2[0-9]{2} '"
tmux_keys Left Left
check "Left twice pans back half the window" wait_screen 5 '  15 min 00:37:30-00:52:30'
tmux_keys Left Left Left Left Left Left Left Left Left Left Left Left Left Left Left Left
check "Left pans no further than the start" wait_screen 5 '  15 min 00:00:00-00:15:00'
tmux_keys Right
check "Right pans forward" wait_screen 5 '  15 min 00:03:45-00:18:45'
tmux_keys Left ']'
check "] again: the last 5 minutes, seconds on the labels where they fit" wait_screen 5 '  5 min '
tmux_keys '[' '[' '[' '[' '[' '['
check "[ widens back to the whole session" wait_screen 5 '  session 00:00:00-01:00:00'
tmux_resize 80 12
check "80x12: fewer graphs, the cells kept" wait_screen 5 '^Cells V'
check "80x12: the temperatures gave way" sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q '^T1 '"
check "80x12: the axis stays" wait_screen 5 '^local +00:00'
tmux_resize 40 10
check "40x10: the cell graph alone" wait_screen 5 '^Cells V'
check "40x10: ... the others gave way" sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q '^Current A'"
check "40x10: ... over its time axis" wait_screen 5 '^local +00:00'
check "40x10: no line wider than 40" [ "$(widest_line)" -le 40 ]
tmux_resize 20 8
check "20x8: the table's one line of figures, not a blank screen" wait_screen 5 'V ▲16 3\.315'
tmux_resize 80 24
check "back to 80x24: the graphs return" wait_screen 5 '^T1 '
tmux_keys t
check "t returns to the table" wait_screen 5 "$CELL_ROW"
tmux_keys t
wait_screen 5 '^Cells V' >/dev/null
tmux_keys Escape
check "Esc returns to the table too" wait_screen 5 "$CELL_ROW"
tmux_keys q
check "q on the table quits with 0" wait_screen 5 'EXIT=0'
tmux_kill

# --- 132x43, UTF-8: taller graphs -----------------------------------------------
run_case 132 43 "" "132x43 UTF-8"
check "132x43: the cell graph uses the height" [ "$(graph_rows '^Cells V' '^Current A')" -ge 10 ]
check "132x43: uses the width" [ "$(widest_line)" -gt 100 ]
tmux_keys q q
check "132x43: q closes the history, q quits" wait_screen 5 'EXIT=0'
tmux_kill

# --- LC_ALL=C: ASCII only ---------------------------------------------------------
for size in "80 24" "132 43"; do
	set -- $size
	run_case "$1" "$2" "LC_ALL=C" "$1x$2 LC_ALL=C"
	check "$1x$2 LC_ALL=C: nothing but ASCII on the screen" \
		sh -c "! tmux -L $TMUX_SOCK capture-pane -p | LC_ALL=C grep -q '[^ -~]'"
	check "$1x$2 LC_ALL=C: the axis in ASCII with ticks" wait_screen 5 '\+---'
	check "$1x$2 LC_ALL=C: the spike as an ASCII stroke" wait_screen 5 '^ +\|'
	tmux_keys Down
	check "$1x$2 LC_ALL=C: Down chooses cell 2" wait_screen 5 'cell 2 3\.301 V'
	tmux_keys q q
	check "$1x$2 LC_ALL=C: q quits with 0" wait_screen 5 'EXIT=0'
	tmux_kill
done

# --- live: the simulator, graphs as data comes ----------------------------------
LINK=$E2E_TMP/ttyV0
sim_start --link "$LINK" --seed 7 --cells 16
check "chargery-sim makes its pty link" wait_file 5 "$LINK"
tmux_start 80 24 "$TOP $LINK; echo EXIT=\$?"
check "live: cells arrive" wait_screen 10 "$CELL_ROW"
tmux_keys t
check "live: t shows the graphs of the session so far" wait_screen 10 '^Cells V'
check "live: with a time axis" wait_screen 5 '^local +[0-9]{2}:[0-9]{2}'
tmux_keys ']'
check "live: ] zooms to 24 h, the newest at the right" wait_screen 5 '  24 h '
tmux_keys q q
check "live: q quits with 0" wait_screen 5 'EXIT=0'
tmux_kill

e2e_finish
