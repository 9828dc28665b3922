#!/usr/bin/env bash
# End-to-end: the reading side of MQTT. A simulator feeds a publisher
# (chargery-top --mqtt) through a real broker (Debian's mosquitto on
# 127.0.0.1 at a free port) to chargery-top mqtt://...: the same records
# as the publisher's own --json, --once, the table in tmux going offline
# and coming back with its publisher, a broker that is not there, every
# BMS under PREFIX/+ on the overview, and --list mqtt://.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
. tests/lib_mqtt.sh
e2e_setup

needs mosquitto mosquitto || { skip "mqttsrc" "$NEEDS"; exit 0; }
needs python3 python3 || { skip "mqttsrc" "$NEEDS"; exit 0; }

T=$E2E_TMP
P=$(free_port)
mqtt_conf_anon "$P"
# With openssl: a TLS listener that wants a user and password too.
P_TLS=$(free_port)
TLS=false
if have mosquitto_passwd && mqtt_tls_certs; then
	TLS=true
	mosquitto_passwd -b -c "$T/passwd" bms 's3cret pass' 2>/dev/null
	{
		echo "listener $P_TLS 127.0.0.1"
		echo "allow_anonymous false"
		echo "password_file $T/passwd"
		echo "cafile $T/ca.crt"
		echo "certfile $T/srv.crt"
		echo "keyfile $T/srv.key"
	} >>"$T/mosquitto.conf"
fi
check "the test broker starts" broker_start
BROKER=mqtt://127.0.0.1:$P

sim_start --link "$T/bms"
wait_file 10 "$T/bms"

# pub NAME PORT ARGS...: a publisher of PORT as NAME under test/; its pid
# in PUB_PID.
pub() {
	local name=$1 port=$2; shift 2
	"$TOP" --mqtt "$BROKER/test" --name "$name" "$@" "$port" \
		>"$T/pub-$name.out" 2>"$T/pub-$name.err" &
	PUB_PID=$!
	E2E_PIDS+=("$PUB_PID")
}

# The same records, time stamps and all, on both sides.
pub pi1 "$T/bms" --json
"$TOP" --json "$BROKER/test/pi1" >"$T/remote.json" 2>"$T/remote.err" &
REMOTE_PID=$!
E2E_PIDS+=("$REMOTE_PID")
check "the remote run prints records" \
	wait_for 15 matches_at_least 4 '"frame":"cells"' "$T/remote.json"
kill "$REMOTE_PID"
wait_for 10 gone "$REMOTE_PID"
same_records() {
	local n
	n=$(grep -c . "$T/remote.json")
	[ "$n" -ge 4 ] && [ "$(grep -cxFf "$T/pub-pi1.out" "$T/remote.json")" -eq "$n" ] ||
		{ echo "# $n remote lines, not all in the publisher's --json:";
		  grep -vxFf "$T/pub-pi1.out" "$T/remote.json" | head -3 | sed 's/^/#   /'; return 1; }
}
check "every remote --json line is the publisher's own, time included" same_records

once() {
	timeout 15 "$TOP" --once --json "$BROKER/test/pi1" >"$T/once.json" 2>"$T/once.err" &&
		grep -q '"fresh":true' "$T/once.json" &&
		grep -Eq '"cells_mv":\[[0-9]+(,[0-9]+){15}\]' "$T/once.json"
}
check "--once on the remote pack answers, fresh" once
kill "$PUB_PID"
wait_for 10 gone "$PUB_PID"

# mqtts:// with --mqtt-cafile and the password from the environment.
if $TLS; then
	CHARGERY_MQTT_PASSWORD='s3cret pass' "$TOP" --headless --name tls1 \
		--mqtt "mqtts://bms@127.0.0.1:$P_TLS/sec" --mqtt-cafile "$T/ca.crt" \
		"$T/bms" >"$T/pub-tls1.out" 2>&1 &
	PUB_PID=$!
	E2E_PIDS+=("$PUB_PID")
	tls_reads() {
		CHARGERY_MQTT_PASSWORD='s3cret pass' timeout 15 "$TOP" --once --json \
			--mqtt-cafile "$T/ca.crt" "mqtts://bms@127.0.0.1:$P_TLS/sec/tls1" \
			>"$T/tls.json" 2>"$T/tls.err" && grep -q '"fresh":true' "$T/tls.json"
	}
	check "mqtts:// with --mqtt-cafile and CHARGERY_MQTT_PASSWORD reads the pack" tls_reads
	wrong_pw() {
		CHARGERY_MQTT_PASSWORD=wrong timeout 3 "$TOP" --json --mqtt-cafile "$T/ca.crt" \
			"mqtts://bms@127.0.0.1:$P_TLS/sec/tls1" >/dev/null 2>"$T/wrongpw.err"
		grep -q 'refused us: .*CHARGERY_MQTT_PASSWORD' "$T/wrongpw.err" ||
			{ sed 's/^/#   /' "$T/wrongpw.err"; return 1; }
	}
	check "a wrong password: the broker's refusal is said, with what to do" wrong_pw
	kill "$PUB_PID"
	wait_for 10 gone "$PUB_PID"
else
	skip "mqtts:// source" "needs openssl from openssl and mosquitto_passwd from mosquitto"
fi

# The table in tmux: cells, then offline when the publisher goes, then
# back when it returns.
e2e_require tmux tmux "mqttsrc table"
pub pi1 "$T/bms" --headless --events "$T/pub.events"
tmux_start 100 30 "$TOP --events $T/remote.events $BROKER/test/pi1"
check "the remote table shows the 16 cells" \
	wait_screen 15 '^16 [0-9]\.[0-9]{3} '
check "the remote table says connected" wait_screen 10 ' connected │'
kill "$PUB_PID"
wait_for 10 gone "$PUB_PID"
check "the table says the remote chargery-top is offline" \
	wait_screen 10 'the remote chargery-top is offline'
check "the loss is an event" \
	wait_for 10 grep -qs 'link lost: the remote chargery-top is offline' "$T/remote.events"
check "the doctor names the remote chargery-top offline, and for how long" \
	wait_screen 10 'the remote chargery-top \(test/pi1\) is offline \(for [0-9]+ s\)'
check "... in no serial bridge's words" eval '! screen | grep -q "bridge"'
pub pi1 "$T/bms" --headless --events "$T/pub.events"
check "the table comes back with its publisher" wait_screen 15 ' connected │'
check "the return is an event" \
	wait_for 10 grep -qs 'link back' "$T/remote.events"
# The publisher's own port lost (its simulator stops) and back: events.
kill "$SIM_PID"
wait_for 10 gone "$SIM_PID"
check "the publisher's port lost is an event on the remote side" \
	wait_for 15 grep -qs "the remote chargery-top's link: disconnected" "$T/remote.events"
check "online but no frames: the doctor asks after the remote's BMS" \
	wait_screen 15 "the remote chargery-top \\(test/pi1\\) sends no frames \\(for [0-9]+ s\\): is its BMS's display on"
sim_start --link "$T/bms"
wait_file 10 "$T/bms"
check "... and its return" \
	wait_for 15 grep -qs "the remote chargery-top's link: connected" "$T/remote.events"
tmux_kill

# --list mqtt://: the names announced, their availability, their frames.
list_shows() {
	"$TOP" --list "$BROKER/test" >"$T/list.out" 2>&1 &&
		grep -Eq "$1" "$T/list.out" ||
		{ sed 's/^/#   /' "$T/list.out"; return 1; }
}
check "--list mqtt:// names the publisher, online, with its last frame's age" \
	list_shows '^pi1 +online +[0-9]+\.[0-9] s ago$'
kill "$PUB_PID"
wait_for 10 gone "$PUB_PID"
check "--list mqtt:// shows it offline once it has gone" \
	list_shows '^pi1 +offline +none in 2 s$'
check "--list mqtt:// under a prefix nobody uses says so (69)" \
	bash -c "'$TOP' --list '$BROKER/nobody' 2>'$T/list0.err'; [ \$? -eq 69 ] && grep -q 'nothing announced' '$T/list0.err'"

# PREFIX/+: every BMS announced, one pack each, arriving as they do.
sim_start --link "$T/bms2"
wait_file 10 "$T/bms2"
pub pa "$T/bms" --headless --events "$T/pa.events"
PA_PID=$PUB_PID
wait_for 10 grep -qs 'mqtt: connected' "$T/pa.events"
tmux_start 120 30 "$TOP $BROKER/test/+ 2>$T/plus.err"
check "PREFIX/+ opens the BMS announced already" \
	wait_screen 15 "$BROKER/test/pa .* connected"
pub pb "$T/bms2" --headless
PB_PID=$PUB_PID
check "a BMS announced later joins: the overview lists both" \
	wait_screen 15 '^2 pb +connected'
check "... with the first still there" wait_screen 5 '^1 pa +connected'
kill "$PB_PID"
wait_for 10 gone "$PB_PID"
check "a BMS gone offline stays, shown disconnected" \
	wait_screen 10 '^2 pb +disconnected'
tmux_kill
pub pb "$T/bms2" --headless
PB_PID=$PUB_PID
two_once() {
	timeout 20 "$TOP" --once --json "$BROKER/test/+" >"$T/plus.json" 2>"$T/plus-once.err" &&
		grep -q '^{"bms":"pa",' "$T/plus.json" &&
		grep -q '^{"bms":"pb",' "$T/plus.json"
}
check "--once --json over PREFIX/+ answers for each pack, by name" \
	wait_for 20 two_once
kill "$PA_PID" "$PB_PID"
check "a URL with + and one --log file is refused: each pack writes its own" \
	bash -c "! '$TOP' --headless --log '$T/x.csv' '$BROKER/test/+' 2>'$T/plus-log.err' && grep -q '%n' '$T/plus-log.err'"

# A broker that is not there: said in plain words, and the run goes on.
DEAD=$(free_port)
"$TOP" --json "mqtt://127.0.0.1:$DEAD/test/pi1" >/dev/null 2>"$T/dead.err" &
DEAD_PID=$!
E2E_PIDS+=("$DEAD_PID")
check "a broker that is down is said in plain words" \
	wait_for 10 grep -qs "broker 127.0.0.1:$DEAD refused the connection: is the broker running there?" "$T/dead.err"
check "the run goes on, retrying" kill -0 "$DEAD_PID"
kill "$DEAD_PID"

check "a URL without the pack's NAME is refused" \
	bash -c "! '$TOP' --json '$BROKER/test' 2>'$T/usage.err' && grep -q 'PREFIX/NAME' '$T/usage.err'"

# A "broker" that takes the connection and never answers: gathering the
# packs of PREFIX/+ waits for it before the loop. A SIGTERM there ends the
# run at once, with 143, as it would in the loop (it was held blocked).
if needs socat socat; then
	MUTE=$(free_port)
	socat TCP-LISTEN:"$MUTE",bind=127.0.0.1,reuseaddr,fork SYSTEM:'sleep 30' &
	E2E_PIDS+=($!)
	wait_for 5 sh -c "grep -q ':$(printf %04X "$MUTE") 00000000:0000 0A' /proc/net/tcp"
	"$TOP" --json "mqtt://127.0.0.1:$MUTE/test/+" >/dev/null 2>"$T/mute.err" &
	mute=$!
	# In the wait once its connection to the broker stands.
	wait_for 5 sh -c "grep -q ' 0100007F:$(printf %04X "$MUTE") 01 ' /proc/net/tcp"
	kill -TERM "$mute"
	start=$SECONDS
	wait_for 2 gone "$mute"
	wait "$mute"; rc=$?
	check "SIGTERM while waiting for a mute broker ends the run at once (143, got $rc)" \
		[ "$rc" -eq 143 ] && [ $((SECONDS - start)) -le 2 ]
else
	skip "SIGTERM while waiting for a mute broker ends the run at once" "$NEEDS"
fi

e2e_finish
