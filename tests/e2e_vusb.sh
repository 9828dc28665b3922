#!/usr/bin/env bash
# End-to-end on virtual USB-serial adapters (tests/vusb/vusb.sh): the real
# libserialport path, enumeration and auto-selection, /dev/serial/by-id,
# permission denied, a busy port, and an unplug in the middle of a frame
# followed by a replug under a new ttyUSB number.
#
# Runs in a private mount namespace; where the machine forbids one, every
# check is reported as skipped with the reason, and the script exits 0.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/vusb/vusb.sh

GROUPS_OF_CHECKS=(
	"libserialport opens a fake adapter through the shim"
	"--list shows FTDI/CH340/CP210x with VID:PID, serial, by-id, and marks the one with frames"
	"auto-selection with no PORT: one adapter, two adapters, none"
	"opening by /dev/serial/by-id"
	"permission denied as a non-root user"
	"port busy: another reader or flock(1) holds the lock"
	"unplug during a frame, replug as ttyUSB1: --headless --log reconnects, the CSV shows the gap"
	"unplug and replug in the live table: disconnected, then connected"
	"raw through libserialport: every byte value from a cooked tty, and nothing from before the open"
)
if ! vusb_enter "$0" "$@"; then
	echo "# e2e_vusb: the virtual adapter harness cannot run here: $VUSB_SKIP_REASON"
	for group in "${GROUPS_OF_CHECKS[@]}"; do
		echo "ok - $group # SKIP $VUSB_SKIP_REASON"
	done
	exit 0
fi

. tests/lib_e2e.sh
e2e_setup
[ -f "$VUSB_SHIM" ] && [ -x "$VUSB_FEED" ] || { echo "not ok - build the harness first: make vusb"; exit 1; }
trap 'vusb_teardown; e2e_cleanup' EXIT
# Interrupted, still clean up: the EXIT trap runs on exit.
trap 'exit 130' INT
trap 'exit 143' TERM
vusb_setup || { echo "not ok - the virtual adapter namespace could not be set up"; exit 1; }

SHIM_LOG=$E2E_TMP/shim.log
export VUSB_SHIM_LOG=$SHIM_LOG
RUN_TOP=(env "$VUSB_ENV" "$TOP")
FTDI_BY_ID=/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10KZP5Q-if00-port0
JSON_FRAME='^\{"time":"[^"]+","frame":"(cells|status|impedance)"'

# fed N KIND SEED: adapter N carrying a simulated BMS; silent N KIND: one
# plugged in but wired to nothing.
fed() { vusb_attach "$1" "$2" -- "$SIM" --stdout --seed "$3" --cells 16; }
silent() { vusb_attach "$1" "$2" -- sleep 300; }
# json_frames FILE: how many decoded-frame lines FILE has.
json_frames() { grep -Ec "$JSON_FRAME" "$1"; }
# read_until N SECONDS OUT ERR COMMAND...: runs a reader writing JSON to OUT
# until OUT holds N decoded frames (at most SECONDS), then stops it.
read_until() {
	local n=$1 secs=$2 out=$3 err=$4 pid
	shift 4
	"$@" >"$out" 2>"$err" &
	pid=$!
	wait_for "$secs" has_frames "$n" "$out"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
has_frames() { [ -f "$2" ] && [ "$(json_frames "$2")" -ge "$1" ]; }
has_lines() { [ -f "$2" ] && [ "$(grep -c . "$2")" -ge "$1" ]; }
show() { sed 's/^/#   /' "$@"; }

# --- the libserialport path -----------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[0]}"
fed 0 ftdi 3
read_until 2 10 "$E2E_TMP/one.json" "$E2E_TMP/one.err" "${RUN_TOP[@]}" --json /dev/ttyUSB0
check "a fed ttyUSB0 gives frames" [ "$(json_frames "$E2E_TMP/one.json")" -ge 2 ]
check "libserialport opened it (the shim answered its TIOCMGET on /dev/ttyUSB0)" \
	grep -q 'TIOCMGET /dev/ttyUSB0' "$SHIM_LOG"
: >"$SHIM_LOG"
read_until 2 10 "$E2E_TMP/noshim.json" "$E2E_TMP/noshim.err" "$TOP" --json /dev/ttyUSB0
check "without the shim the termios fallback still reads the pty" \
	[ "$(json_frames "$E2E_TMP/noshim.json")" -ge 2 ]

# --- --list --------------------------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[1]}"
vusb_detach 0
silent 0 ftdi
fed 1 ch340 4
silent 2 cp210x
"${RUN_TOP[@]}" --list >"$E2E_TMP/list.out" 2>"$E2E_TMP/list.err"
rc=$?
show "$E2E_TMP/list.out"
check "--list exits 0" [ "$rc" -eq 0 ]
check "--list: the FTDI with VID:PID, maker, product and serial" \
	grep -Eq '^/dev/ttyUSB0 +usb-FTDI_FT232R_USB_UART_A10KZP5Q-if00-port0 +0403:6001 +FTDI +FT232R USB UART +A10KZP5Q$' "$E2E_TMP/list.out"
check "--list: the CH340, no maker or serial shown as -" \
	grep -Eq '^/dev/ttyUSB1 +usb-1a86_USB_Serial-if00-port0 +1a86:7523 +- +USB Serial +-$' "$E2E_TMP/list.out"
check "--list: the CP210x" \
	grep -Eq '^/dev/ttyUSB2 .* 10c4:ea60 +Silicon Labs +CP2102 USB to UART Bridge Controller +0001$' "$E2E_TMP/list.out"
check "--list: a built-in UART is listed, without VID:PID" \
	grep -Eq '^/dev/ttyAMA0 +- +- ' "$E2E_TMP/list.out"
check "--list: the virtual console is not a port" sh -c "! grep -q '^/dev/tty0 ' '$E2E_TMP/list.out'"
check "--list: marks the CH340 as the one with Chargery frames" \
	grep -q '^/dev/ttyUSB1: Chargery frames  <- this one' "$E2E_TMP/list.out"
check "--list: the silent ones say silent" \
	sh -c 'grep -q "^/dev/ttyUSB0: silent" "$1" && grep -q "^/dev/ttyUSB2: silent" "$1"' _ "$E2E_TMP/list.out"

# --- auto-selection ------------------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[2]}"
vusb_detach 2
read_until 2 15 "$E2E_TMP/two.json" "$E2E_TMP/two.err" "${RUN_TOP[@]}" --json
show "$E2E_TMP/two.err"
check "two adapters: says it found frames on ttyUSB1 and uses it" \
	grep -q '2 USB serial ports; Chargery frames found on /dev/ttyUSB1, using it' "$E2E_TMP/two.err"
check "two adapters: frames decoded from the one it picked" [ "$(json_frames "$E2E_TMP/two.json")" -ge 2 ]
vusb_detach 1
silent 1 ch340
timeout -s TERM 7 "${RUN_TOP[@]}" --json >"$E2E_TMP/none.json" 2>"$E2E_TMP/none.err"
rc=$?
check "two silent adapters: exits 64 (EX_USAGE)" [ "$rc" -eq 64 ]
check "two silent adapters: says none carries frames and lists them" \
	sh -c 'grep -q "none carries Chargery frames" "$1" && grep -q "^/dev/ttyUSB1 " "$1"' _ "$E2E_TMP/none.err"
vusb_detach 0
vusb_detach 1
fed 0 cp210x 5
read_until 2 10 "$E2E_TMP/only.json" "$E2E_TMP/only.err" "${RUN_TOP[@]}" --json
check "one adapter: used without asking" [ "$(json_frames "$E2E_TMP/only.json")" -ge 2 ]
vusb_detach 0
"${RUN_TOP[@]}" --json >/dev/null 2>"$E2E_TMP/zero.err"
rc=$?
check "no USB adapter: exits 64 and says to plug one in" \
	sh -c '[ "$1" -eq 64 ] && grep -q "no USB serial port found. Plug in" "$2"' _ "$rc" "$E2E_TMP/zero.err"

# --- by-id ---------------------------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[3]}"
fed 0 ftdi 6
: >"$SHIM_LOG"
check "udev-style by-id link made" [ "$(readlink "$FTDI_BY_ID")" = ../../ttyUSB0 ]
read_until 2 10 "$E2E_TMP/byid.json" "$E2E_TMP/byid.err" "${RUN_TOP[@]}" --json "$FTDI_BY_ID"
check "by-id: frames arrive" [ "$(json_frames "$E2E_TMP/byid.json")" -ge 2 ]
check "by-id: opened through libserialport (resolved to /dev/ttyUSB0)" \
	grep -q 'TIOCMGET /dev/ttyUSB0' "$SHIM_LOG"

# --- permission denied ---------------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[4]}"
# Real root, not root of a user namespace: only it can become nobody.
if [ "$(awk 'NR == 1 { print $1 ":" $2 }' /proc/self/uid_map)" != 0:0 ] ||
	[ "$(id -u)" -ne 0 ] || ! getent group dialout >/dev/null; then
	skip "${GROUPS_OF_CHECKS[4]}" "needs real root to switch to user nobody, and a dialout group"
elif ! needs setpriv util-linux; then
	skip "${GROUPS_OF_CHECKS[4]}" "$NEEDS"
else
	check "the fake ttyUSB0 is crw-rw---- root dialout, as udev leaves it" \
		[ "$(stat -c '%A %U %G' /dev/ttyUSB0)" = "crw-rw---- root dialout" ]
	# What nobody runs is copied where nobody can reach it: the checkout
	# may sit under a directory it cannot enter (a 0700 home, /root).
	chmod 711 "$E2E_TMP"
	mkdir -m 755 "$E2E_TMP/nobody"
	cp "$TOP" "$VUSB_SHIM" "$E2E_TMP/nobody/"
	chmod 755 "$E2E_TMP/nobody/"*
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env "LD_PRELOAD=$E2E_TMP/nobody/${VUSB_SHIM##*/}" "$E2E_TMP/nobody/${TOP##*/}" --json /dev/ttyUSB0 >/dev/null 2>"$E2E_TMP/perm.err" </dev/null
	rc=$?
	show "$E2E_TMP/perm.err"
	check "as nobody: exits 77 (EX_NOPERM)" [ "$rc" -eq 77 ]
	check "as nobody: names the port and its group" \
		grep -q 'permission denied on /dev/ttyUSB0 (owner group dialout, mode 660)' "$E2E_TMP/perm.err"
	check "as nobody: gives the usermod command" grep -q 'sudo usermod -aG dialout nobody' "$E2E_TMP/perm.err"
fi

# --- port busy -----------------------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[5]}"
"${RUN_TOP[@]}" --json /dev/ttyUSB0 >"$E2E_TMP/holder.json" 2>/dev/null &
holder=$!
E2E_PIDS+=("$holder")
wait_for 5 has_lines 1 "$E2E_TMP/holder.json"
"${RUN_TOP[@]}" --json /dev/ttyUSB0 >/dev/null 2>"$E2E_TMP/busy.err"
rc=$?
show "$E2E_TMP/busy.err"
check "held by another chargery-top: exits 69 (EX_UNAVAILABLE)" [ "$rc" -eq 69 ]
check "held by another chargery-top: names it and its pid" \
	grep -q "/dev/ttyUSB0 is in use by chargery-top (pid $holder)" "$E2E_TMP/busy.err"
check "the first reader keeps reading" kill -0 "$holder"
kill "$holder"
wait "$holder" 2>/dev/null
if ! needs flock util-linux; then
	skip "held by flock(1): exits 69" "$NEEDS"
	skip "held by flock(1): names flock and its pid" "$NEEDS"
else
flock -x /dev/ttyUSB0 sleep 30 &
locker=$!
E2E_PIDS+=("$locker")
wait_for 3 grep -q "FLOCK .* $locker " /proc/locks
"${RUN_TOP[@]}" --json /dev/ttyUSB0 >/dev/null 2>"$E2E_TMP/busy2.err"
rc=$?
check "held by flock(1): exits 69" [ "$rc" -eq 69 ]
check "held by flock(1): names flock and its pid" grep -q "in use by flock (pid $locker)" "$E2E_TMP/busy2.err"
# flock(1) runs its command as a child, which shares the lock: stop both.
kill $(children_of "$locker") "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
fi

# --- unplug during a frame, replug under a new name: headless log ---------------
echo "# ${GROUPS_OF_CHECKS[6]}"
CSV=$E2E_TMP/pack.csv
EVENTS=$E2E_TMP/events.txt
: >"$SHIM_LOG"
"${RUN_TOP[@]}" --headless --log "$CSV" --events "$EVENTS" /dev/ttyUSB0 >"$E2E_TMP/headless.out" 2>"$E2E_TMP/headless.err" &
logger=$!
E2E_PIDS+=("$logger")
check "before the unplug: CSV rows arrive" wait_for 8 has_lines 3 "$CSV"
rows_before=$(grep -c . "$CSV")
vusb_detach 0 mid-frame
check "unplugged in the middle of a frame" grep -q 'hung up inside a frame' "$E2E_TMP/vusb-feed0.out"
check "unplugged: reported on stderr" wait_for 5 grep -qi 'disconnected' "$E2E_TMP/headless.err"
check "unplugged: still running, retrying" kill -0 "$logger"
sleep 4 # the gap the log must show
fed 1 ftdi 7
check "replugged as ttyUSB1: reconnected by itself" wait_for 6 grep -q 'reconnected' "$E2E_TMP/headless.err"
check "replugged: reopened by USB serial through libserialport on /dev/ttyUSB1" \
	grep -q 'TIOCMGET /dev/ttyUSB1' "$SHIM_LOG"
check "replugged: CSV rows continue" wait_for 8 has_lines $((rows_before + 2)) "$CSV"
kill -TERM "$logger"
wait "$logger" 2>/dev/null
rc=$?
check "SIGTERM ends the headless logger (143)" [ "$rc" -eq 143 ]
show "$E2E_TMP/headless.err"
check "the CSV has its header once" [ "$(grep -c '^time,' "$CSV")" -eq 1 ]
# Seconds between consecutive rows; the longest step is the unplug.
# Times are ISO-8601 UTC; the time of day is enough (a midnight wraps).
steps=$(awk -F, 'NR > 1 { split(substr($1, 12), t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3];
	if (NR > 2) { d = s - last; if (d < 0) d += 86400; printf "%.1f\n", d } last = s }' "$CSV")
longest=$(printf '%s\n' "$steps" | sort -n | tail -n 1)
typical=$(printf '%s\n' "$steps" | sort -n | head -n 1)
echo "# CSV steps between rows (s): $(printf '%s ' $steps)"
check "the CSV shows the gap: one step of 4.5 s or more, the others 3 s or less" \
	awk -v l="$longest" -v t="$typical" -v n="$(printf '%s\n' "$steps" | awk '$1 > 3' | wc -l)" \
	'BEGIN { exit !(l >= 4.5 && t <= 3 && n == 1) }'
check "every CSV row is whole (same field count as the header)" \
	awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$CSV"
check "events: the disconnect and the reconnect" \
	sh -c 'grep -qi disconnected "$1" && grep -qi reconnected "$1"' _ "$EVENTS"
vusb_detach 1

# --- the live table --------------------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[7]}"
fed 0 ftdi 8
tmux_start 80 24 "env $VUSB_ENV $TOP /dev/ttyUSB0; echo EXIT=\$?"
check "table: connected to the fake FTDI" wait_screen 10 '│ connected'
check "table: cells shown" wait_screen 10 '^ ?[0-9]{1,2} [0-9]\.[0-9]{3} '
vusb_detach 0
check "table: unplugged shows disconnected" wait_screen 5 'disconnected'
fed 1 ftdi 9
check "table: replugged as ttyUSB1, connected again by itself" wait_screen 8 '│ connected'
tmux_keys q
check "table: q quits with 0" wait_screen 5 'EXIT=0'
tmux_kill
vusb_detach 1

# --- raw, and only news ----------------------------------------------------------
echo "# ${GROUPS_OF_CHECKS[8]}"
every_byte "$E2E_TMP/bytes.bin"
PATTERN=$(spaced_hex <"$E2E_TMP/bytes.bin")
vusb_attach 0 ftdi --cooked -- sh -c 'while :; do cat "$0"; sleep 0.3; done' "$E2E_TMP/bytes.bin"
: >"$SHIM_LOG"
"${RUN_TOP[@]}" --json --record "$E2E_TMP/bytes.rec" /dev/ttyUSB0 >/dev/null 2>"$E2E_TMP/bytes.err" &
top=$!
check "raw: every byte value 0..255 arrives unchanged from a cooked tty" \
	wait_for 10 recording_has "$E2E_TMP/bytes.rec" "$PATTERN"
kill -TERM "$top" 2>/dev/null
wait "$top" 2>/dev/null
check "raw: it went through libserialport (the shim answered it)" \
	grep -q 'TIOCMGET /dev/ttyUSB0' "$SHIM_LOG"
vusb_detach 0

# Old frames (V1.22: "wh" or "discharge_end_mv" null on every line) wait in
# the tty; new ones (V1.26, which sends both) come only once chargery-top
# holds the port.
"$SIM" --stdout --firmware old --duration 6 --speed 1000 --seed 2 >"$E2E_TMP/old.bin"
vusb_attach 0 ftdi -- sh -c 'cat "$0"; while [ ! -e "$1" ]; do sleep 0.05; done; exec "$2" --stdout --seed 5' \
	"$E2E_TMP/old.bin" "$E2E_TMP/go" "$SIM"
"${RUN_TOP[@]}" --json /dev/ttyUSB0 >"$E2E_TMP/stale.json" 2>"$E2E_TMP/stale.err" &
top=$!
holds_tty() { ls -l /proc/"$1"/fd 2>/dev/null | grep -q "$2"; }
wait_for 10 holds_tty "$top" /dev/ttyUSB0 && touch "$E2E_TMP/go"
wait_for 15 has_frames 3 "$E2E_TMP/stale.json"
kill -TERM "$top" 2>/dev/null
wait "$top" 2>/dev/null
check "stale: fresh frames arrive after the open" has_frames 3 "$E2E_TMP/stale.json"
check "stale: frames buffered before the open are not in --json" \
	sh -c '! grep -qE "\"(wh|discharge_end_mv)\":null" "$1"' _ "$E2E_TMP/stale.json"
vusb_detach 0

e2e_finish
