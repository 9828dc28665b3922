#!/usr/bin/env bash
# End-to-end: mqtt://HOST/PREFIX/+ started before any pack is online (the
# viewer up first, the shed's Pi rebooting). The table, --headless and
# --json wait and say where; a publisher that comes online then joins as
# its pack. --once, which must answer, exits 69 in bounded time saying
# what to do. A real broker (Debian's mosquitto on 127.0.0.1).
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
. tests/lib_mqtt.sh
e2e_setup

needs mosquitto mosquitto || { skip "mqttwait" "$NEEDS"; exit 0; }
needs python3 python3 || { skip "mqttwait" "$NEEDS"; exit 0; }

T=$E2E_TMP
P=$(free_port)
mqtt_conf_anon "$P"
check "the test broker starts" broker_start
BROKER=mqtt://127.0.0.1:$P
WHERE="wait/\\+ on 127\\.0\\.0\\.1:$P"

# --once with nobody online: 69, soon, with what to do.
once_none() {
	local start=$SECONDS rc
	timeout 20 "$TOP" --once --json "$BROKER/wait/+" >"$T/once.out" 2>"$T/once.err"
	rc=$?
	[ "$rc" -eq 69 ] && [ $((SECONDS - start)) -le 10 ] && [ ! -s "$T/once.out" ] &&
		grep -Eq "no BMS is online under $WHERE yet: start chargery-top --mqtt" "$T/once.err" &&
		grep -q -- "--list $BROKER/wait " "$T/once.err" ||
		{ echo "# exit $rc after $((SECONDS - start)) s:"; sed 's/^/#   /' "$T/once.err"; return 1; }
}
check "--once with nobody online exits 69 in bounded time, saying what to do" once_none

# A broker that cannot be reached stays an error: nothing to wait on.
dead_broker() {
	local dead rc
	dead=$(free_port)
	timeout 20 "$TOP" --json "mqtt://127.0.0.1:$dead/wait/+" >/dev/null 2>"$T/dead.err"
	rc=$?
	[ "$rc" -eq 69 ] &&
		grep -q "broker 127.0.0.1:$dead refused the connection: is the broker running there?" "$T/dead.err" &&
		! grep -q 'waiting for packs' "$T/dead.err" ||
		{ echo "# exit $rc:"; sed 's/^/#   /' "$T/dead.err"; return 1; }
}
check "PREFIX/+ on a broker that is not there exits 69, saying so" dead_broker

# --json and --headless: started with nobody online, they wait and say so
# once on stderr.
"$TOP" --json "$BROKER/wait/+" >"$T/json.out" 2>"$T/json.err" &
JSON_PID=$!
E2E_PIDS+=("$JSON_PID")
"$TOP" --headless --events "$T/%n.events" "$BROKER/wait/+" >/dev/null 2>"$T/headless.err" &
HEADLESS_PID=$!
E2E_PIDS+=("$HEADLESS_PID")
check "--json with nobody online says once on stderr that it waits, and where" \
	wait_for 15 grep -Eqs "waiting for packs under $WHERE: none is online yet" "$T/json.err"
check "--headless does too" \
	wait_for 15 grep -Eqs "waiting for packs under $WHERE: none is online yet" "$T/headless.err"

# The table: the waiting screen, in plain words, at 80x24 and at 40x12.
e2e_require tmux tmux "mqttwait table"
tmux_start 80 24 "$TOP $BROKER/wait/+ 2>$T/table.err"
check "the table with nobody online says it waits, and where" \
	wait_screen 15 "^Waiting for packs under $WHERE\$"
check "... that none is online yet" wait_screen 5 '^No BMS is online there yet'
check "... and has a status line" wait_screen 5 '^ waiting for packs │ \? help │ q quit'
check "the waiting screen fits the width" [ "$(widest_line)" -le 80 ]
check "both still run, waiting" kill -0 "$JSON_PID" "$HEADLESS_PID"

# A publisher comes online: its pack appears in each (the table wider,
# for its name on the status line).
tmux_resize 120 30
sim_start --link "$T/bms"
wait_file 10 "$T/bms"
"$TOP" --mqtt "$BROKER/wait" --name late --headless --events "$T/pub.events" \
	"$T/bms" >/dev/null 2>"$T/pub.err" &
E2E_PIDS+=("$!")
check "the table shows the pack that came online, its cells" \
	wait_screen 20 '^16 [0-9]\.[0-9]{3} '
check "... by its name" wait_screen 5 "$BROKER/wait/late"
check "--json prints its records once it is online" \
	wait_for 15 matches_at_least 2 '"frame":"cells"' "$T/json.out"
check "--json says it joined" \
	wait_for 5 grep -qs 'late: announced on the broker' "$T/json.err"
check "--headless writes its events" \
	wait_for 15 grep -qs 'opened\|connected' "$T/late.events"
check "--json said it waits only once" \
	[ "$(grep -c 'waiting for packs' "$T/json.err")" -eq 1 ]

# A small terminal, with nobody online under another prefix.
tmux_kill
tmux_start 40 12 "$TOP $BROKER/empty/+ 2>$T/small.err; echo EXIT=\$?"
check "a 40x12 terminal wraps the waiting words" \
	wait_screen 15 '^Waiting for packs under empty/\+ on'
check "... within the width" [ "$(widest_line)" -le 40 ]
tmux_keys q
check "q quits the waiting screen (0)" wait_screen 5 'EXIT=0'
tmux_kill

# The broker lost while nobody is online: the waiting screen says so (no
# pack's events to put it in), and stops saying it once it is back.
tmux_start 80 24 "$TOP $BROKER/lost/+ 2>$T/lost.err; echo EXIT=\$?"
check "waiting under lost/+" wait_screen 15 '^Waiting for packs under lost/\+ on'
broker_stop
check "the broker lost: the waiting screen says so" \
	wait_screen 15 '^mqtt: watching lost/\+'
check "... on top of what it waits for" \
	wait_screen 5 '^Waiting for packs under lost/\+ on'
broker_start
check "the broker back: that line goes" \
	wait_for 20 sh -c "! tmux -L $TMUX_SOCK capture-pane -p | grep -q '^mqtt: watching lost/'"
tmux_keys q
check "q quits it (0)" wait_screen 5 'EXIT=0'
tmux_kill

e2e_finish
