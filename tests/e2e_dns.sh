#!/usr/bin/env bash
# End-to-end: a name server that never answers holds up no quit signal.
# chargery-top runs in its own mount namespace (unshare -m) where
# /etc/resolv.conf names a loopback address at which a UDP socket takes
# the queries and never answers (python3), and looks up slow.example (not
# in /etc/hosts). Once the query is seen (the lookup has started),
# SIGTERM or SIGINT must end the run with 143 or 130 at once, for
# tcp:// and ws:// (the lookup at open), --mqtt and mqtt:// (lookups from
# the main loop). Then a name that does resolve (localhost) still
# reaches a real broker. Needs root, unshare and mount: skipped visibly
# otherwise.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
. tests/lib_mqtt.sh
e2e_setup

T=$E2E_TMP
DEADLINE_MS=1500 # the goal is 500 ms; slack for a loaded machine

if [ "$(id -u)" != 0 ]; then
	skip "dns" "needs root (a mount namespace for its own resolv.conf)"
	exit 0
fi
needs unshare util-linux || { skip "dns" "$NEEDS"; exit 0; }
needs python3 python3 || { skip "dns" "$NEEDS"; exit 0; }
if ! unshare -m true 2>/dev/null; then
	skip "dns" "needs unshare -m to be allowed here"
	exit 0
fi

# A loopback address of this script's own: several scripts may run side
# by side.
NS_ADDR=127.53.$(( ($$ >> 8) % 250 + 1 )).$(( $$ % 250 + 1 ))
"$PY" - "$NS_ADDR" "$T/queries" "$T/ns.ready" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
s.settimeout(0.5)
open(sys.argv[3], "w").close()
end = time.time() + 600  # bounded: the script is long over by then
while time.time() < end:
    try:
        data, peer = s.recvfrom(4096)
    except socket.timeout:
        continue
    with open(sys.argv[2], "a") as f:  # taken, never answered
        f.write("query %d bytes\n" % len(data))
EOF
NS_PID=$!
E2E_PIDS+=("$NS_PID")
if ! wait_for 10 test -e "$T/ns.ready"; then
	not_ok "dns: a silent name server on $NS_ADDR:53"
	e2e_finish
fi
{
	echo "nameserver $NS_ADDR"
	echo "options timeout:30 attempts:2"
} >"$T/resolv.conf"
# The name must go to the name server, not /etc/hosts.
if getent hosts slow.example >/dev/null 2>&1 &&
   grep -qw slow.example /etc/hosts; then
	skip "dns" "slow.example is in /etc/hosts here"
	exit 0
fi

# Where names are not looked up through /etc/resolv.conf (nsswitch with
# systemd-resolved, say), the silent name server is never asked: there
# is nothing to test here then, said as a skip rather than a failure.
: >"$T/queries"
unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec timeout 5 getent hosts slow.example' \
	"$T/resolv.conf" >/dev/null 2>&1 &
PROBE_PID=$!
E2E_PIDS+=("$PROBE_PID")
if ! wait_for 6 lines_at_least 1 "$T/queries"; then
	skip "dns" "lookups here do not reach the name server in /etc/resolv.conf (see /etc/nsswitch.conf)"
	exit 0
fi
kill "$PROBE_PID" 2>/dev/null
wait "$PROBE_PID" 2>/dev/null

# start_slow ARGS...: chargery-top ARGS in a namespace with the silent
# name server; its pid (chargery-top itself: exec) in TOP_PID.
start_slow() {
	: >"$T/queries"
	: >"$T/top.out"
	: >"$T/top.err"
	unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$T/resolv.conf" "$TOP" "$@" >"$T/top.out" 2>"$T/top.err" &
	TOP_PID=$!
	E2E_PIDS+=("$TOP_PID")
}

now_ms() { date +%s%3N; }

# quit_check NAME SIGNAL CODE: once the lookup's query arrived, SIGNAL
# ends chargery-top with CODE within DEADLINE_MS.
quit_check() {
	local name=$1 sig=$2 want=$3 t0 t1 rc
	if ! wait_for 10 lines_at_least 1 "$T/queries"; then
		not_ok "$name (the lookup never reached the name server)"
		show_stderr
		kill -KILL "$TOP_PID" 2>/dev/null
		return
	fi
	if ! kill -0 "$TOP_PID" 2>/dev/null; then
		not_ok "$name (it ended before the signal)"
		show_stderr
		return
	fi
	t0=$(now_ms)
	kill -"$sig" "$TOP_PID"
	while kill -0 "$TOP_PID" 2>/dev/null &&
	      [ $(( $(now_ms) - t0 )) -lt 5000 ]; do
		sleep 0.02
	done
	t1=$(now_ms)
	if kill -0 "$TOP_PID" 2>/dev/null; then
		kill -KILL "$TOP_PID"
		wait "$TOP_PID" 2>/dev/null
		not_ok "$name (still running 5 s after SIG$sig)"
		show_stderr
		return
	fi
	wait "$TOP_PID"
	rc=$?
	echo "# SIG$sig ended it in $((t1 - t0)) ms with $rc"
	if [ "$rc" -eq "$want" ] && [ $((t1 - t0)) -le "$DEADLINE_MS" ]; then
		ok "$name"
	else
		not_ok "$name (exit $rc after $((t1 - t0)) ms; want $want within $DEADLINE_MS ms)"
		show_stderr
	fi
}

# --- a name server that is not there: said as that, not "no such name" --
# Nothing listens at this address: the resolver is refused at once and
# answers EAI_AGAIN, which is no answer about the name.
printf 'nameserver 127.0.0.9\n' >"$T/refused.conf"
unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
	"$T/refused.conf" "$TOP" --json tcp://slow.example:4001 \
	>/dev/null 2>"$T/refused.err"
rc=$?
check "tcp://: no name server answering exits 68" [ "$rc" -eq 68 ]
check "... and says the name server did not answer, not that the name is unknown" \
	grep -q 'no answer from the name server for slow.example' "$T/refused.err"

# --- tcp:// and ws://: the lookup at open ---------------------------------
start_slow --json tcp://slow.example:4001
check "tcp://: a slow lookup is said on stderr" \
	wait_for 10 stderr_has 'looking up slow.example for slow.example:4001'
quit_check "tcp://: SIGTERM during the name lookup at open exits 143" TERM 143

start_slow --json tcp://slow.example:4001
quit_check "tcp://: SIGINT during the name lookup at open exits 130" INT 130

start_slow --json ws://slow.example/ws
quit_check "ws://: SIGTERM during the name lookup at open exits 143" TERM 143

# --- MQTT: lookups from the main loop --------------------------------------
# The pack's own source is an address that refuses (no lookup): the run
# goes on, publishing to a broker whose name never resolves.
DEAD=$(free_port)
start_slow --json --events "$T/events.txt" tcp://127.0.0.1:"$DEAD" \
	--mqtt mqtt://slow.example/chargery
quit_check "--mqtt: SIGTERM while the broker's name is looked up exits 143" \
	TERM 143
check "--mqtt: the events file was written and closed on the way out" \
	grep -q "opened tcp://127.0.0.1:$DEAD" "$T/events.txt"
start_slow --json tcp://127.0.0.1:"$DEAD" --mqtt mqtt://slow.example/chargery
quit_check "--mqtt: SIGINT while the broker's name is looked up exits 130" \
	INT 130

start_slow --json mqtt://slow.example/chargery/pack1
quit_check "mqtt://: SIGTERM while the broker's name is looked up exits 143" \
	TERM 143

# The watch for packs under PREFIX/+ waits for the broker before the
# main loop starts.
start_slow --json 'mqtt://slow.example/chargery/+'
quit_check "mqtt://.../+: SIGTERM while gathering from a broker being looked up exits 143" \
	TERM 143

# --- a name that resolves still reaches the broker -------------------------
# start_hosts FILE ARGS...: chargery-top ARGS in a namespace whose
# /etc/hosts is FILE; its pid in TOP_PID.
start_hosts() {
	local hosts=$1
	shift
	: >"$T/top.out"
	: >"$T/top.err"
	unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
		"$hosts" "$TOP" "$@" >"$T/top.out" 2>"$T/top.err" &
	TOP_PID=$!
	E2E_PIDS+=("$TOP_PID")
}
# A name that is ::1 first and 127.0.0.1 second, as "localhost" is on
# most Debian systems with IPv6, while the test broker listens on
# 127.0.0.1 alone: the tries must go on to the second address.
printf '127.0.0.1 localhost\n::1 twoaddr.test\n127.0.0.1 twoaddr.test\n' \
	>"$T/hosts"
first=$(unshare -m sh -c 'mount --bind "$0" /etc/hosts && getent ahosts twoaddr.test' \
	"$T/hosts" 2>/dev/null | head -n 1 | cut -d' ' -f1)
if needs mosquitto mosquitto && needs mosquitto_sub mosquitto-clients; then
	P=$(free_port)
	mqtt_conf_anon "$P"
	if broker_start; then
		mosquitto_sub -h 127.0.0.1 -p "$P" -t 'chargery/+/availability' \
			-v >"$T/sub.out" 2>/dev/null &
		E2E_PIDS+=("$!")
		if getent hosts localhost >/dev/null 2>&1; then
			start_top --json tcp://127.0.0.1:"$DEAD" \
				--mqtt "mqtt://localhost:$P/chargery" --name dnsck
			check "--mqtt: a broker by name (localhost) is looked up and reached" \
				wait_for 10 grep -q 'chargery/dnsck/availability online' \
				"$T/sub.out"
			stop_top
		else
			skip "--mqtt: a broker by name (localhost) is reached" \
				"localhost does not resolve here (no /etc/hosts?)"
		fi
		if [ "$first" = "::1" ]; then
			start_hosts "$T/hosts" --json tcp://127.0.0.1:"$DEAD" \
				--mqtt "mqtt://twoaddr.test:$P/chargery" --name twoaddr
			check "--mqtt: a name ::1 first reaches a broker on 127.0.0.1 (the next address)" \
				wait_for 15 grep -q 'chargery/twoaddr/availability online' \
				"$T/sub.out"
			kill "$TOP_PID" 2>/dev/null
			wait "$TOP_PID" 2>/dev/null
		else
			skip "--mqtt: a name ::1 first reaches a broker on 127.0.0.1" \
				"this host gives ${first:-nothing} first for it (no IPv6 address?)"
		fi
	else
		not_ok "dns: mosquitto did not start"
	fi
else
	skip "--mqtt: a broker by name (localhost) is reached" "$NEEDS"
fi

e2e_finish
