#!/usr/bin/env bash
# End-to-end: --mqtt against a real broker (Debian's mosquitto on
# 127.0.0.1 at free ports, with its own config), read back with
# mosquitto_sub: every topic, the retained Home Assistant discovery
# configs, a password-protected listener, TLS with a CA made here, the
# Last Will on kill -9, "offline" on a clean exit, reconnecting after the
# broker is stopped and started, the CSV log unharmed meanwhile, and the
# bounded queue's drops.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
. tests/lib_mqtt.sh
e2e_setup

needs mosquitto mosquitto || { skip "mqtt" "$NEEDS"; exit 0; }
needs mosquitto_sub mosquitto-clients || { skip "mqtt" "$NEEDS"; exit 0; }
needs python3 python3 || { skip "mqtt" "$NEEDS"; exit 0; }

T=$E2E_TMP
P_ANON=$(free_port)
P_AUTH=$(free_port)
P_TLS=$(free_port)

# The broker: anonymous, password-protected and (with openssl) TLS
# listeners. As root, mosquitto would switch to its own user, which cannot
# read this private directory: it stays who it is.
mosquitto_passwd -b -c "$T/passwd" bms 's3cret pass' 2>/dev/null
TLS=false
mqtt_tls_certs && TLS=true
{
	echo "per_listener_settings true"
	echo "persistence false"
	[ "$(id -u)" = 0 ] && echo "user root"
	echo "listener $P_ANON 127.0.0.1"
	echo "allow_anonymous true"
	echo "listener $P_AUTH 127.0.0.1"
	echo "allow_anonymous false"
	echo "password_file $T/passwd"
	if $TLS; then
		echo "listener $P_TLS 127.0.0.1"
		echo "allow_anonymous true"
		echo "cafile $T/ca.crt"
		echo "certfile $T/srv.crt"
		echo "keyfile $T/srv.key"
	fi
} >"$T/mosquitto.conf"
check "the test broker starts" broker_start

# sub NAME ARGS...: mosquitto_sub in the background into $T/NAME.
sub() {
	local name=$1; shift
	mosquitto_sub -h 127.0.0.1 "$@" >"$T/$name" 2>&1 &
	E2E_PIDS+=($!)
}
# top NAME ARGS...: chargery-top in the background; its pid in TOP_PID.
top() {
	local name=$1; shift
	"$TOP" --headless "$@" >"$T/$name.out" 2>&1 &
	TOP_PID=$!
	E2E_PIDS+=("$TOP_PID")
}

# stop_top: SIGTERM, and wait until it has let go of the port (each
# reader takes it exclusively).
stop_top() {
	kill "$TOP_PID" 2>/dev/null
	wait_for 10 gone "$TOP_PID"
}

sim_start --link "$T/bms"
wait_file 10 "$T/bms"

sub all.txt -p "$P_ANON" -t 'test/pi1/#' -v -T test/pi1/frames
sub frames.txt -p "$P_ANON" -t test/pi1/frames -F '%l %x'
top pi1 --mqtt "mqtt://127.0.0.1:$P_ANON/test" --name pi1 \
	--events "$T/pi1.events" "$T/bms"
for topic in cells status pack link availability; do
	check "topic $topic arrives" \
		wait_for 15 grep -qs "^test/pi1/$topic " "$T/all.txt"
done
check "cells is the --json object of a cell frame" \
	grep -Eq '^test/pi1/cells \{"time":"[^"]+","frame":"cells","cells_mv":\[[0-9]+(,[0-9]+){15}\]' "$T/all.txt"
check "status carries the signed current" \
	grep -Eq '^test/pi1/status \{.*"current_a":-?[0-9]+\.[0-9],' "$T/all.txt"
check "pack has the derived figures, alarm flags and power" \
	wait_for 10 grep -Eq '^test/pi1/pack \{.*"total_mv":[0-9]+,.*"delta_mv":[0-9]+,.*"fresh":true,"alarm":\{"high":false,.*"power_w":-?[0-9.]+\}$' "$T/all.txt"
check "availability says online" grep -q '^test/pi1/availability online$' "$T/all.txt"
check "link says connected" wait_for 10 grep -qs '^test/pi1/link connected$' "$T/all.txt"
check "the event list says the broker was reached" \
	wait_for 10 grep -qs "mqtt: connected to 127.0.0.1:$P_ANON" "$T/pi1.events"

# frames: u64 LE receive time in ms, then the frame ($$ = 24 24).
check "frames arrive" wait_for 10 lines_at_least 2 "$T/frames.txt"
frames_ok() {
	python3 - "$T/frames.txt" <<'PY'
import sys, time
now = time.time() * 1000
for line in open(sys.argv[1]):
    n, hexed = line.split()
    raw = bytes.fromhex(hexed)
    assert int(n) == len(raw), line
    ms = int.from_bytes(raw[:8], "little")
    assert abs(now - ms) < 120000, ("time", ms, now)
    f = raw[8:]
    assert f[:2] == b"$$" and f[2] in (0x56, 0x57, 0x58) and f[3] == len(f), f.hex()
    assert sum(f[:-1]) & 0xff == f[-1], "checksum"
PY
}
check "each frames payload is u64 LE ms then one checked frame" frames_ok

# Discovery: retained configs that parse as JSON with the keys HA needs.
# Each try reads what the broker holds now: the publisher may still be
# sending them (they go out over several loop turns, and again when the
# wired count settles), so the check waits for the whole set.
disc_ok() {
	mosquitto_sub -h 127.0.0.1 -p "$P_ANON" -t 'homeassistant/#' \
		--retained-only -W 2 -F '%t	%p' >"$T/disc.txt" 2>/dev/null
	python3 - "$T/disc.txt" 2>"$T/disc.err" <<'PY'
import json, sys
configs = {}
for line in open(sys.argv[1], encoding="utf-8"):
    topic, _, payload = line.rstrip("\n").partition("\t")
    if payload:
        configs[topic] = json.loads(payload)
sensors = [t for t in configs if "/sensor/chargery_pi1/" in t]
binary = [t for t in configs if "/binary_sensor/chargery_pi1/" in t]
cells = [t for t in sensors if "/cell" in t]
assert len(cells) == 16, cells
assert len(binary) == 6, binary
for key in ("voltage", "current", "power", "soc", "t1", "t2", "delta",
            "high_cell", "low_cell", "energy", "charge", "impedance16"):
    assert "homeassistant/sensor/chargery_pi1/%s/config" % key in configs, key
ids = set()
for t, c in configs.items():
    for k in ("name", "unique_id", "state_topic", "availability_topic", "device"):
        assert k in c, (t, k)
    assert c["state_topic"].startswith("test/pi1/"), t
    assert c["availability_topic"] == "test/pi1/availability"
    assert c["device"]["identifiers"] == ["chargery_pi1"]
    ids.add(c["unique_id"])
assert len(ids) == len(configs), "unique ids repeat"
v = configs["homeassistant/sensor/chargery_pi1/voltage/config"]
assert (v["device_class"], v["unit_of_measurement"], v["state_class"]) == ("voltage", "V", "measurement")
assert v["expire_after"] > 0
c = configs["homeassistant/sensor/chargery_pi1/current/config"]
assert (c["device_class"], c["unit_of_measurement"]) == ("current", "A")
s = configs["homeassistant/sensor/chargery_pi1/soc/config"]
assert (s["device_class"], s["unit_of_measurement"]) == ("battery", "%")
t = configs["homeassistant/sensor/chargery_pi1/t1/config"]
assert (t["device_class"], t["unit_of_measurement"]) == ("temperature", "\u00b0C")
e = configs["homeassistant/sensor/chargery_pi1/energy/config"]
assert e["device_class"] == "energy" and e["state_class"] in ("total", "total_increasing")
PY
}
if wait_for 20 disc_ok; then
	ok "discovery: retained JSON configs for 16 cells, 6 binary sensors, HA's keys"
else
	not_ok "discovery: retained JSON configs for 16 cells, 6 binary sensors, HA's keys"
	sed 's/^/#   /' "$T/disc.err"
fi

# A clean exit: "offline", retained.
kill "$TOP_PID"
check "SIGTERM ends chargery-top promptly" wait_for 5 gone "$TOP_PID"
retained_availability() {
	mosquitto_sub -h 127.0.0.1 -p "$P_ANON" -t "test/$1/availability" \
		--retained-only -W 2 2>/dev/null
}
check "a clean exit leaves availability offline (retained)" \
	[ "$(retained_availability pi1)" = offline ]

# The table says where it publishes, in its status line.
if needs tmux tmux; then
	tmux_start 132 30 "$TOP --mqtt mqtt://127.0.0.1:$P_ANON/test --name tbl $T/bms; echo EXIT=\$?"
	check "the table's status line says MQTT connected" \
		wait_screen 15 'MQTT connected'
	# Quit, and wait until it has let go of the port (held exclusively).
	tmux_keys q
	wait_screen 10 'EXIT=' >/dev/null
	tmux_kill
else
	skip "the table's status line says MQTT connected" "$NEEDS"
fi

# The Last Will: kill -9 leaves no time to say goodbye; the broker does.
top will --mqtt "mqtt://127.0.0.1:$P_ANON/test" --name will "$T/bms"
sub will.txt -p "$P_ANON" -t test/will/availability
check "a second name publishes online" wait_for 15 grep -qx online "$T/will.txt"
{ kill -9 "$TOP_PID"; wait "$TOP_PID"; } 2>/dev/null
check "kill -9: the broker sends the Last Will, offline" \
	wait_for 10 grep -qx offline "$T/will.txt"

# The password-protected listener.
sub auth.txt -p "$P_AUTH" -u bms -P 's3cret pass' -t 'auth/+/status' -C 1
CHARGERY_MQTT_PASSWORD='s3cret pass' \
	top auth --mqtt "mqtt://bms@127.0.0.1:$P_AUTH/auth" --name pw "$T/bms"
check "with CHARGERY_MQTT_PASSWORD the protected listener takes our data" \
	wait_for 15 grep -qs '"frame":"status"' "$T/auth.txt"
stop_top
echo wrong >"$T/wrong.pw"
top bad --mqtt "mqtt://bms@127.0.0.1:$P_AUTH/auth" --name bad \
	--mqtt-password-file "$T/wrong.pw" --events "$T/bad.events" \
	--log "$T/bad.csv" "$T/bms"
check "a wrong password is an event saying the broker refused" \
	wait_for 15 grep -qs 'broker refused' "$T/bad.events"
check "... and the CSV log goes on meanwhile" wait_for 10 lines_at_least 3 "$T/bad.csv"
stop_top
"$TOP" --headless --mqtt "mqtt://127.0.0.1:$P_ANON" --mqtt-password-file \
	"$T/none" "$T/bms" >/dev/null 2>"$T/nopw.err"
rc=$?
check "an unreadable --mqtt-password-file is refused (66) with a hint" \
	[ "$rc" -eq 66 ] && grep -q 'first line' "$T/nopw.err"
"$TOP" --headless --mqtt "mqtt://127.0.0.1:$P_ANON" --name 'a/b' "$T/bms" \
	>/dev/null 2>"$T/name.err"
rc=$?
check "--name with a / is a usage error (64)" \
	[ "$rc" -eq 64 ] && grep -q 'topic level' "$T/name.err"
"$TOP" --headless --mqtt "mqtt://u:pw@127.0.0.1" "$T/bms" >/dev/null 2>"$T/url.err"
rc=$?
check "a password in the URL is refused (64)" \
	[ "$rc" -eq 64 ] && grep -q CHARGERY_MQTT_PASSWORD "$T/url.err"

# TLS with the CA made above.
if $TLS; then
	sub tls.txt -p "$P_ANON" -t 'tls/+/cells' -C 1
	top tls --mqtt "mqtts://127.0.0.1:$P_TLS/tls" --name tls \
		--mqtt-cafile "$T/ca.crt" "$T/bms"
	check "mqtts:// with --mqtt-cafile publishes through TLS" \
		wait_for 15 grep -qs '"frame":"cells"' "$T/tls.txt"
	stop_top
else
	skip "mqtts:// with --mqtt-cafile" "needs openssl from openssl"
fi

# The broker goes away and comes back. A fast simulator (20x) fills the
# bounded queue (512 messages) meanwhile: the oldest are dropped, counted.
kill "$SIM_PID"
sim_start --link "$T/fast" --speed 20
wait_file 10 "$T/fast"
top down --mqtt "mqtt://127.0.0.1:$P_ANON/test" --name down \
	--events "$T/down.events" --log "$T/down.csv" "$T/fast"
check "connected before the broker stops" \
	wait_for 15 grep -qs "mqtt: connected" "$T/down.events"
broker_stop
rows_before=$(wc -l <"$T/down.csv")
check "the loss of the broker is an event" \
	wait_for 10 grep -qs "mqtt: lost 127.0.0.1:$P_ANON" "$T/down.events"
check "the CSV log goes on while the broker is down" \
	wait_for 10 lines_at_least $((rows_before + 40)) "$T/down.csv"
check "chargery-top keeps running while the broker is down" \
	kill -0 "$TOP_PID"
# 20 status and 10 cell frames a second, three messages each: 512 in ~6 s.
queue_overflowed() { [ $(( $(wc -l <"$T/down.csv") - rows_before )) -ge 120 ]; }
wait_for 20 queue_overflowed
check "the broker restarts" broker_start
# A fresh subscriber each time: one started too early would just exit.
cells_again() {
	mosquitto_sub -h 127.0.0.1 -p "$P_ANON" -t test/down/cells -C 1 -W 3 \
		2>/dev/null | grep -q '"frame":"cells"'
}
check "chargery-top reconnects by itself (backoff at most 30 s)" \
	wait_for 45 cells_again
check "the reconnect is an event" \
	wait_for 5 matches_at_least 2 "mqtt: connected" "$T/down.events"
check "the full queue dropped the oldest messages and said how many" \
	wait_for 5 grep -Eq 'mqtt: [0-9]+ messages dropped' "$T/down.events"
kill "$TOP_PID"
check "chargery-top exits cleanly after all that" wait_for 5 gone "$TOP_PID"

e2e_finish
