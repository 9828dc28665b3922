#!/usr/bin/env bash
# The programs end to end under valgrind (make check-valgrind): any memory
# error, or a definite or indirect leak, fails. ncurses keeps its terminal
# descriptions and screens "still reachable" until exit, by design; only
# leaks nothing points to any more count, so that is not reported.
#
# Not an e2e_*.sh: at about a minute it is too slow for `make check`.
cd "$(dirname "$0")/.." || exit 1
. tests/lib_e2e.sh
e2e_setup
command -v valgrind >/dev/null || { echo "not ok - valgrind is not installed (apt-get install valgrind)"; exit 1; }

VG_RC=99 # valgrind's exit code on a finding; no program exits with it
VG=(valgrind -q --error-exitcode=$VG_RC --leak-check=full
	--errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --track-fds=no)
runs=0

# vg_log NAME: where valgrind writes about run NAME.
vg_log() { echo "$E2E_TMP/vg-$1.log"; }

# vg_judge NAME RC EXPECTED...: one check. Valgrind's own exit code says
# whether it found anything; its log may also hold harmless warnings (an
# ioctl it does not know), shown as comments.
vg_judge() {
	local name=$1 rc=$2; shift 2
	local want log
	log=$(vg_log "$name")
	for want in "$@"; do
		if [ "$rc" = "$want" ]; then
			ok "valgrind clean: $name (exit $rc)"
			[ -s "$log" ] && sed 's/^/#   /' "$log"
			return
		fi
	done
	not_ok "valgrind: $name exited $rc (want $*; $VG_RC is valgrind's)"
	[ -s "$log" ] && sed 's/^/#   /' "$log"
	[ -s "$E2E_TMP/$name.out" ] && tail -n 5 "$E2E_TMP/$name.out" | sed 's/^/#   out: /'
}

# vg NAME "EXPECTED EXIT CODES" COMMAND...: runs COMMAND under valgrind.
vg() {
	local name=$1 want=$2 rc; shift 2
	"${VG[@]}" --log-file="$(vg_log "$name")" "$@" >"$E2E_TMP/$name.out" 2>&1
	rc=$?
	runs=$((runs + 1))
	# shellcheck disable=SC2086
	vg_judge "$name" "$rc" $want
}

# vg_tui NAME KEYS-BEFORE-q COMMAND...: the table in tmux under valgrind,
# left with q once it shows; the pane prints the exit code afterwards.
vg_tui() {
	local name=$1 ready=$2 rc; shift 2
	tmux_start 100 30 "${VG[*]} --log-file=$(vg_log "$name") $* ; echo EXIT=\$?"
	if wait_screen 60 "$ready"; then
		tmux_keys i; sleep 0.5; tmux_keys Escape; sleep 0.3
		tmux_keys '?'; sleep 0.5; tmux_keys Escape; sleep 0.3
		tmux_keys q
	fi
	if wait_screen 60 'EXIT=[0-9]+'; then
		rc=$(screen | sed -n 's/.*EXIT=\([0-9]*\).*/\1/p' | tail -n 1)
	else
		rc=timeout
		tmux_kill
	fi
	runs=$((runs + 1))
	vg_judge "$name" "$rc" 0
}

cap=$E2E_TMP/capture.bin
rec=$E2E_TMP/bms.rec
"$SIM" --stdout --speed 1000000 --duration 600 >"$cap" 2>/dev/null

vg sim-stdout 0 "$SIM" --stdout --speed 1000000 --duration 600
vg json-capture 0 "$TOP" --json "$cap"
vg json-stdin 0 "$TOP" --json - <"$cap"
# A capture read at full speed ends stale or fresh depending on timing.
vg once-capture "0 1" "$TOP" --once "$cap"
vg once-json "0 1" "$TOP" --once --json "$cap"
vg bad-option 64 "$TOP" --no-such-option
vg no-port 66 "$TOP" --json /nonexistent/ttyUSB9

# A recording made live from a simulator on a pty, then replayed.
sim_start --link "$E2E_TMP/bms" --speed 10
wait_file 10 "$E2E_TMP/bms"
"${VG[@]}" --log-file="$(vg_log headless-record)" "$TOP" --headless \
	--record "$rec" --log "$E2E_TMP/pack.csv" --events "$E2E_TMP/events" \
	"$E2E_TMP/bms" >"$E2E_TMP/headless.out" 2>&1 &
vg_pid=$!
sleep 6
kill -TERM "$vg_pid"
wait "$vg_pid"
rc=$?
runs=$((runs + 1))
vg_judge headless-record "$rc" 143
check "the headless run recorded something" [ -s "$rec" ]
vg replay-json 0 "$TOP" --replay "$rec" --json
vg replay-once "0 1" "$TOP" --replay "$rec" --once

vg_tui tui-demo 'demo \(simulator\)' "$TOP" --demo
vg_tui tui-replay 'end of capture|cells|volts' "$TOP" --replay "$rec" --speed 50
vg_tui tui-capture 'end of capture|volts' "$TOP" --ascii --no-color "$cap"

echo "# $runs runs under valgrind"
e2e_finish
