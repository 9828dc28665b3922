# Helpers for the scripts that need an MQTT broker (tests/e2e_mqtt*.sh):
# Debian's mosquitto on 127.0.0.1 at a free port, with its own config in
# the script's temporary directory. Source it after tests/lib_e2e.sh.

# free_port comes from tests/lib_e2e.sh.

# mqtt_conf_anon PORT: an anonymous listener on PORT, as the start of
# $E2E_TMP/mosquitto.conf. As root, mosquitto would switch to its own
# user, which cannot read this private directory: it stays who it is.
mqtt_conf_anon() {
	{
		echo "per_listener_settings true"
		echo "persistence false"
		[ "$(id -u)" = 0 ] && echo "user root"
		echo "listener $1 127.0.0.1"
		echo "allow_anonymous true"
	} >"$E2E_TMP/mosquitto.conf"
}

# broker_start: mosquitto with $E2E_TMP/mosquitto.conf, pid in BROKER_PID;
# true once it says it is running.
BROKER_PID=
broker_start() {
	mosquitto -c "$E2E_TMP/mosquitto.conf" >"$E2E_TMP/broker.log" 2>&1 &
	BROKER_PID=$!
	E2E_PIDS+=("$BROKER_PID")
	wait_for 10 grep -qs ' running' "$E2E_TMP/broker.log"
}
broker_stop() {
	kill "$BROKER_PID" 2>/dev/null
	wait_for 10 gone "$BROKER_PID"
}

# mqtt_tls_certs: a CA and a certificate for 127.0.0.1 signed by it, in
# $E2E_TMP (ca.crt, srv.crt, srv.key); false without openssl.
mqtt_tls_certs() {
	local T=$E2E_TMP
	have openssl || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca \
		-keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.ext" &&
	openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
		-CAcreateserial -days 2 -extfile "$T/san.ext" \
		-out "$T/srv.crt" 2>/dev/null
}
