#!/usr/bin/env bash
# End-to-end: the trend beside each cell's row on a wide terminal (the
# last 5 minutes of its deviation from the pack's average, layout.h and
# trend.h), in UTF-8 and in LC_ALL=C, and no trend at 80 columns (the
# README's screens). A 10-minute recording of a steady pack in which
# cell 6 reads 4.200 V at 450 s: in 15 columns of 20 s over the last 5
# minutes, cell 6's column 8 is at the top and everything else in the
# middle. (The glyphs are spelt out, not counted with {n}: grep in the C
# locale would count bytes.)
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup
e2e_require tmux tmux "the table's trend in tmux"

PLOTREC=$PWD/$B/e2e/e2e_plotrec
[ -x "$PLOTREC" ] || { echo "not ok - build first: $PLOTREC"; exit 1; }
REC=$E2E_TMP/spike.rec
"$PLOTREC" "$REC" 600 450

# row N: the table's row of cell N.
row() { screen | grep -E -m1 "^ ?$1 [0-9]\.[0-9]{3} "; }

tmux_start 132 30 "TZ=UTC $TOP --speed 1024 --replay $REC; echo EXIT=\$?"
check "132x30: the replay plays to its end" wait_screen 20 'end'
check "132x30: the trend column is named" wait_screen 5 ' session +trend 5 min$'
check "132x30: cell 6 peaks in the column of its spike" \
	wait_screen 5 '^ 6 3\.305 .* ▄▄▄▄▄▄▄▇▄▄▄▄▄▄▄$'
check "132x30: every other cell stays in the middle" \
	sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p | grep -cE '^ ?[0-9]+ 3\.3[0-9]{2} .* ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄$') -eq 15 ]"
tmux_resize 80 24
check "80x24: no trend (the README's screen)" \
	sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q 'trend'"
check "80x24: ... the session column stays" wait_screen 5 ' session$'
tmux_keys q
check "q quits with 0" wait_screen 5 'EXIT=0'
tmux_kill

tmux_start 132 30 "TZ=UTC LC_ALL=C $TOP --speed 1024 --replay $REC; echo EXIT=\$?"
check "132x30 LC_ALL=C: the replay plays to its end" wait_screen 20 'end'
check "132x30 LC_ALL=C: the spike as ^ in the middle line" \
	wait_screen 5 '^ 6 3\.305 .* -{7}\^-{7}$'
check "132x30 LC_ALL=C: nothing but ASCII on the screen" \
	sh -c "! tmux -L $TMUX_SOCK capture-pane -p | LC_ALL=C grep -q '[^ -~]'"
tmux_keys q
check "LC_ALL=C: q quits with 0" wait_screen 5 'EXIT=0'
tmux_kill

e2e_finish
