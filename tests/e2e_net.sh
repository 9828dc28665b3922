#!/usr/bin/env bash
# End-to-end: network bridges as PORTs, against real servers on 127.0.0.1.
# tcp:// against socat serving the simulator at its own cadence (killed and
# started again: the client reconnects); ws:// against a websocket server
# written with Debian's python3-websockets (tests/ws_server.py): binary,
# text and fragmented messages, pings, the close handshake, and servers
# that refuse the upgrade.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup


# --- tcp:// ----------------------------------------------------------------
if needs socat socat; then
	PORT=$(free_port)
	# One connection per socat: killing it closes the link.
	start_socat() {
		socat TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr \
			EXEC:"$SIM --stdout --speed 2" 2>/dev/null &
		SOCAT_PID=$!
		E2E_PIDS+=("$SOCAT_PID")
	}
	start_socat
	wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
	# That probe took socat's one connection: start it afresh.
	wait "$SOCAT_PID" 2>/dev/null
	start_socat
	sleep 0.2 # socat binding its port; the client retries anyway

	start_top --json "tcp://127.0.0.1:$PORT"
	check "tcp://: frames arrive as JSON lines" \
		wait_for 10 matches_at_least 2 '"frame":"cells"' "$E2E_TMP/top.out"
	kill "$SOCAT_PID"; wait "$SOCAT_PID" 2>/dev/null
	check "tcp://: the server gone is a lost link, in plain words" \
		wait_for 10 stderr_has 'closed by the bridge'
	check "tcp://: the doctor says the connection is refused, and why" \
		wait_for 10 stderr_has 'connection refused by 127.0.0.1:[0-9]+: is the box in TCP-server mode'
	before=$(grep -c '"frame":"cells"' "$E2E_TMP/top.out")
	start_socat
	check "tcp://: it reconnects when the server returns" \
		wait_for 40 stderr_has 'reconnected'
	check "tcp://: frames arrive again after the reconnect" \
		wait_for 10 matches_at_least $((before + 2)) '"frame":"cells"' "$E2E_TMP/top.out"
	stop_top
	kill "$SOCAT_PID" 2>/dev/null; wait "$SOCAT_PID" 2>/dev/null

	start_socat
	start_top --headless --log "$E2E_TMP/net.csv" --record "$E2E_TMP/net.rec" \
		"tcp://127.0.0.1:$PORT"
	check "tcp://: --headless --log writes rows" \
		wait_for 10 lines_at_least 3 "$E2E_TMP/net.csv"
	stop_top
	check "tcp://: --record keeps the bytes" [ -s "$E2E_TMP/net.rec" ]
	kill "$SOCAT_PID" 2>/dev/null; wait "$SOCAT_PID" 2>/dev/null

	start_socat
	"$TOP" --once --timeout 10 "tcp://127.0.0.1:$PORT" >"$E2E_TMP/once.txt" 2>&1
	rc=$?
	check "tcp://: --once prints a picture and exits 0 (got $rc)" \
		grep -q '^cell 16' "$E2E_TMP/once.txt"
	kill "$SOCAT_PID" 2>/dev/null; wait "$SOCAT_PID" 2>/dev/null
else
	skip "tcp:// against socat" "$NEEDS"
fi

"$TOP" --once tcp://nosuch.invalid:4001 >/dev/null 2>"$E2E_TMP/nohost.err"
rc=$?
check "tcp://: an unknown name exits 68 saying the name was not found" \
	[ "$rc" -eq 68 ] && grep -q 'name not found: nosuch.invalid' "$E2E_TMP/nohost.err"
"$TOP" --once tcp://127.0.0.1 >/dev/null 2>"$E2E_TMP/noport.err"
rc=$?
check "tcp:// without a port is a usage error (64)" \
	[ "$rc" -eq 64 ] && grep -q 'needs a port' "$E2E_TMP/noport.err"

# --- ws:// -----------------------------------------------------------------
if ! "$PY" -c 'import websockets' 2>/dev/null; then
	skip "ws:// against python3-websockets" "needs websockets from python3-websockets"
	e2e_finish
fi

# A known stream: what chargery-top decodes from the file directly is
# what it must decode from every websocket form.
"$SIM" --stdout --speed 1000000 --duration 30 --seed 5 >"$E2E_TMP/cap.bin"
"$TOP" --json "$E2E_TMP/cap.bin" | sed 's/^{"time":"[^"]*",//' >"$E2E_TMP/want.json"
WANT=$(wc -l <"$E2E_TMP/want.json")

# start_ws MODE [ARGS]: the server in the background; WS_PORT its port.
start_ws() {
	local mode=$1; shift
	# The last server's "port" line must not be taken for this one's.
	rm -f "$E2E_TMP/ws.out"
	"$PY" tests/ws_server.py --file "$E2E_TMP/cap.bin" --mode "$mode" "$@" \
		>"$E2E_TMP/ws.out" 2>&1 &
	WS_PID=$!
	E2E_PIDS+=("$WS_PID")
	wait_for 10 grep -q '^port [0-9][0-9]*$' "$E2E_TMP/ws.out"
	WS_PORT=$(sed -n 's/^port //p' "$E2E_TMP/ws.out")
}
stop_ws() { kill "$WS_PID" 2>/dev/null; wait "$WS_PID" 2>/dev/null; }
same_frames() {
	sed 's/^{"time":"[^"]*",//' "$E2E_TMP/top.out" | head -n "$WANT" |
		cmp -s - "$E2E_TMP/want.json"
}

for mode in binary text fragmented ping; do
	start_ws "$mode" --chunk 37
	start_top --json "ws://127.0.0.1:$WS_PORT/bms"
	if wait_for 30 lines_at_least "$WANT" "$E2E_TMP/top.out" && same_frames; then
		ok "ws:// $mode messages: every one of $WANT frames decoded"
	else
		not_ok "ws:// $mode messages: every one of $WANT frames decoded"
		show_stderr
	fi
	[ "$mode" = ping ] && check "ws://: every ping got its pong" \
		wait_for 10 grep -q '^pongs [1-9]' "$E2E_TMP/ws.out"
	stop_top
	stop_ws
done

start_ws close
start_top --json "ws://127.0.0.1:$WS_PORT/"
check "ws://: the client answers the close handshake" \
	wait_for 10 grep -q '^close answered 1000' "$E2E_TMP/ws.out"
check "ws://: a close is a lost link that names the bridge" \
	wait_for 10 stderr_has 'closed by the bridge \(websocket close 1000\)'
check "ws://: ... and it reconnects" wait_for 10 stderr_has 'reconnected'
stop_top
stop_ws

# refused_with MODE PATTERN NAME: --once against a server that refuses
# the upgrade ends with 1 (no data), the doctor's words on stderr.
refused_with() {
	start_ws "$1"
	"$TOP" --once --timeout 3 "ws://127.0.0.1:$WS_PORT/nope" >/dev/null \
		2>"$E2E_TMP/top.err"
	local rc=$?
	if [ "$rc" -eq 1 ] && stderr_has "$2"; then
		ok "$3"
	else
		not_ok "$3 (exit $rc)"
		show_stderr
		sed 's/^/#   server: /' "$E2E_TMP/ws.out"
	fi
	stop_ws
}
refused_with 404 'websocket handshake refused: HTTP 404 Not Found' \
	"ws://: an HTTP 404 is refused with the status shown"
refused_with badaccept 'websocket handshake refused: wrong Sec-WebSocket-Accept' \
	"ws://: a wrong Sec-WebSocket-Accept is refused"

e2e_finish
