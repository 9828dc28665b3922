# shellcheck shell=bash
# Virtual USB-serial adapters for the end-to-end tests (tests/e2e_vusb.sh).
#
# libserialport finds ports through /sys/class/tty and will not open a pty.
# To run its real path anyway, the test script re-executes itself in a
# private mount namespace (with a user namespace when not root) where:
#
#   /sys/class/tty  is a scratch tmpfs holding only the fake adapters: each
#                   ttyUSB<n> is a symlink into a copy of the kernel's layout
#                   .../usb1/1-<k>/1-<k>:1.0/ttyUSB<n>/tty/ttyUSB<n>, whose
#                   "device" link leads up to the USB device directory with
#                   idVendor, idProduct, manufacturer, product, serial,
#                   busnum and devnum (what libserialport 0.1.1 reads);
#   /dev            is a scratch tmpfs with the few host nodes programs need,
#                   a private devpts, and /dev/ttyUSB<n> bind-mounted onto
#                   the slave of a pty that vusb-feed fills (the BMS side);
#                   /dev/serial/by-id links as udev would make them.
#
# chargery-top runs with vusb-shim.so preloaded (VUSB_ENV), which answers the
# modem-line ioctls ptys lack. Nothing is visible outside the namespace, and
# the namespace ends with the script.
#
# Usage, from a test script run in the repository root:
#   . tests/vusb/vusb.sh
#   vusb_enter "$0" "$@" || { print skips; exit 0; }   # re-execs inside
#   . tests/lib_e2e.sh; e2e_setup; vusb_setup
#   vusb_attach 0 ftdi -- "$SIM" --stdout --seed 3   # ttyUSB0, fed by the sim
#   vusb_detach 0 mid-frame                           # unplug
#
# VUSB_DENY=1 pretends namespaces are forbidden (to see the skip path).

B=${B:-build}
VUSB_SHIM=$PWD/$B/vusb/vusb-shim.so
VUSB_FEED=$PWD/$B/vusb/vusb-feed
# Under the class directory but not named like a port; no "usb" or
# "virtual" in it either, as libserialport looks for those in link targets.
VUSB_HIDDEN=.sys
VUSB_PCI=pci0000:00/0000:00:14.0
VUSB_SKIP_REASON=
declare -A VUSB_FEEDER=() VUSB_BY_ID=() VUSB_USB_PORT=()

# The adapters the tests plug, as real ones describe themselves. The CH340
# has no serial number, as most do not.
vusb_kind() {
	case $1 in
	ftdi) echo "0403 6001 FTDI|FT232R USB UART|A10KZP5Q" ;;
	ftdi2) echo "0403 6001 FTDI|FT232R USB UART|AB0LQ2XT" ;;
	ch340) echo "1a86 7523 |USB Serial|" ;;
	cp210x) echo "10c4 ea60 Silicon Labs|CP2102 USB to UART Bridge Controller|0001" ;;
	*) return 1 ;;
	esac
}

# vusb_namespace_command: how to get a namespace where we may mount.
vusb_namespace_command() {
	if [ "$(id -u)" -eq 0 ]; then
		echo "unshare --mount --propagation private"
	else
		echo "unshare --user --map-root-user --mount --propagation private"
	fi
}

# vusb_enter SCRIPT ARGS...: re-executes SCRIPT inside a fresh namespace and
# never returns, or returns 0 when already inside, or returns 1 with the
# reason in VUSB_SKIP_REASON when the machine does not allow it.
vusb_enter() {
	local script=$1 how probe
	shift
	[ -n "${VUSB_INSIDE:-}" ] && return 0
	if [ -n "${VUSB_DENY:-}" ]; then
		VUSB_SKIP_REASON="VUSB_DENY is set (pretending namespaces are forbidden)"
		return 1
	fi
	if ! command -v unshare >/dev/null; then
		VUSB_SKIP_REASON="unshare(1) is not installed (util-linux)"
		return 1
	fi
	how=$(vusb_namespace_command)
	# Everything the harness mounts, tried once where nothing can leak.
	if ! probe=$($how -- sh -c 'mount -t tmpfs vusb-probe /sys/class/tty &&
		mount -t tmpfs vusb-probe /dev' 2>&1); then
		VUSB_SKIP_REASON="this machine forbids private mount namespaces ($how: ${probe:-failed}); on Debian: sysctl kernel.unprivileged_userns_clone=1, or run as root"
		VUSB_SKIP_REASON=$(printf '%s' "$VUSB_SKIP_REASON" | tr '\n' ' ')
		return 1
	fi
	VUSB_INSIDE=1 exec $how -- bash "$script" "$@"
}

# vusb_setup: the scratch /sys/class/tty and /dev. Call once, inside.
vusb_setup() {
	local scratch node
	[ -n "${VUSB_INSIDE:-}" ] || { echo "vusb_setup: not inside the namespace" >&2; return 1; }

	mount -t tmpfs -o mode=755 vusb-sys /sys/class/tty || return 1
	mkdir -p "/sys/class/tty/$VUSB_HIDDEN/devices/$VUSB_PCI/usb1"
	# A virtual console, which libserialport must skip, and a built-in
	# UART (as on a Raspberry Pi), which is a port but not a USB one.
	vusb_class_entry tty0 virtual/tty/tty0 4:0
	vusb_class_entry ttyAMA0 platform/soc/fe201000.serial/tty/ttyAMA0 204:64

	# The host's /dev stays reachable under scratch just long enough to
	# bind the nodes we keep; then a tmpfs covers /dev.
	scratch=$(mktemp -d /tmp/vusb-hostdev.XXXXXX) || return 1
	mount --rbind /dev "$scratch" || { rmdir "$scratch"; return 1; }
	mount -t tmpfs -o mode=755 vusb-dev /dev
	for node in null zero full random urandom tty; do
		[ -e "$scratch/$node" ] || continue
		touch "/dev/$node" && mount --bind "$scratch/$node" "/dev/$node"
	done
	umount -l "$scratch"
	rmdir "$scratch"
	mkdir /dev/pts /dev/shm /dev/serial /dev/serial/by-id
	# A devpts of our own: its ptmx is usable (the host's may be mode
	# 000), and the ptys the tests make are invisible outside.
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 vusb-pts /dev/pts || return 1
	ln -s pts/ptmx /dev/ptmx
	mount -t tmpfs -o mode=1777 vusb-shm /dev/shm
	ln -s /proc/self/fd /dev/fd
	ln -s /proc/self/fd/0 /dev/stdin
	ln -s /proc/self/fd/1 /dev/stdout
	ln -s /proc/self/fd/2 /dev/stderr
	[ -f "$VUSB_SHIM" ] && [ -x "$VUSB_FEED" ] ||
		{ echo "vusb_setup: build first: make vusb" >&2; return 1; }
	VUSB_ENV="LD_PRELOAD=$VUSB_SHIM"
	# tmux keeps its sockets in /tmp/tmux-UID; in a user namespace UID is
	# 0 and that directory belongs to the real root. A private one always.
	mkdir -m 700 "$E2E_TMP/tmux" && export TMUX_TMPDIR=$E2E_TMP/tmux
	# A sanitized chargery-top must accept a preloaded library before its
	# runtime (make check-san).
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
}

# vusb_class_entry NAME DEVICE-PATH MAJOR:MINOR: /sys/class/tty/NAME, a link
# to .../DEVICE-PATH under the hidden devices tree, as sysfs has it.
vusb_class_entry() {
	local name=$1 path=$2 number=$3
	local dir=/sys/class/tty/$VUSB_HIDDEN/devices/$path
	mkdir -p "$dir"
	echo "$number" >"$dir/dev"
	printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\n' "${number%:*}" "${number#*:}" "$name" >"$dir/uevent"
	ln -s "$VUSB_HIDDEN/devices/$path" "/sys/class/tty/$name"
}

# vusb_plug N KIND PTY: /dev/ttyUSB<N> for the slave PTY, described in sysfs
# as adapter KIND (see vusb_kind) on USB port 1-<N+1>, with its by-id link.
vusb_plug() {
	local n=$1 kind=$2 pty=$3 info vid pid strings manufacturer product serial
	local usb_port usb_dev interface by_id
	info=$(vusb_kind "$kind") || { echo "vusb_plug: no adapter kind $kind" >&2; return 1; }
	read -r vid pid strings <<<"$info"
	IFS='|' read -r manufacturer product serial <<<"$strings"

	# A replugged adapter lands on a new USB port number too, as when it
	# goes into another socket, so old and new never share a directory.
	usb_port=1-$((n + 1))
	usb_dev=/sys/class/tty/$VUSB_HIDDEN/devices/$VUSB_PCI/usb1/$usb_port
	interface=$usb_dev/$usb_port:1.0
	mkdir -p "$interface/ttyUSB$n/tty/ttyUSB$n"
	echo "$vid" >"$usb_dev/idVendor"
	echo "$pid" >"$usb_dev/idProduct"
	[ -n "$manufacturer" ] && echo "$manufacturer" >"$usb_dev/manufacturer"
	echo "$product" >"$usb_dev/product"
	[ -n "$serial" ] && echo "$serial" >"$usb_dev/serial"
	echo 1 >"$usb_dev/busnum"
	echo $((n + 2)) >"$usb_dev/devnum"
	echo 00 >"$interface/bInterfaceNumber"
	echo "188:$n" >"$interface/ttyUSB$n/tty/ttyUSB$n/dev"
	printf 'MAJOR=188\nMINOR=%s\nDEVNAME=ttyUSB%s\n' "$n" "$n" >"$interface/ttyUSB$n/tty/ttyUSB$n/uevent"
	# The class device's "device" is the usb-serial port, three up.
	ln -s "../../../ttyUSB$n" "$interface/ttyUSB$n/tty/ttyUSB$n/device"
	ln -s "$VUSB_HIDDEN/devices/$VUSB_PCI/usb1/$usb_port/$usb_port:1.0/ttyUSB$n/tty/ttyUSB$n" \
		"/sys/class/tty/ttyUSB$n"
	VUSB_USB_PORT[$n]=$usb_dev

	touch "/dev/ttyUSB$n"
	mount --bind "$pty" "/dev/ttyUSB$n" || return 1
	# As udev leaves a ttyUSB (this changes the pty's own node). Not
	# possible in a user namespace, where the group is not mapped.
	chgrp dialout "/dev/ttyUSB$n" 2>/dev/null && chmod 0660 "/dev/ttyUSB$n"
	# udev's name: vendor and model with spaces as underscores, the serial.
	by_id="usb-${manufacturer:-$vid}_${product}${serial:+_$serial}-if00-port0"
	by_id=${by_id// /_}
	ln -sfn "../../ttyUSB$n" "/dev/serial/by-id/$by_id"
	VUSB_BY_ID[$n]=/dev/serial/by-id/$by_id
}

# vusb_unplug N: what the kernel and udev undo when an adapter goes.
vusb_unplug() {
	local n=$1
	rm -f "/sys/class/tty/ttyUSB$n"
	[ -n "${VUSB_USB_PORT[$n]:-}" ] && rm -rf "${VUSB_USB_PORT[$n]}"
	[ -n "${VUSB_BY_ID[$n]:-}" ] && rm -f "${VUSB_BY_ID[$n]}"
	# Lazily: the reader may still hold the hung-up slave open.
	umount -l "/dev/ttyUSB$n" 2>/dev/null
	rm -f "/dev/ttyUSB$n"
	unset "VUSB_USB_PORT[$n]" "VUSB_BY_ID[$n]"
}

# vusb_attach N KIND [--cooked] -- COMMAND...: a pty fed by COMMAND's output
# (e.g. chargery-sim --stdout), plugged as ttyUSB<N>. "-- sleep 300" makes a
# silent adapter; --cooked leaves its tty cooked instead of raw (see
# vusb-feed.c). The feeder's pid is in VUSB_FEEDER[N].
vusb_attach() {
	local n=$1 kind=$2 out pty deadline flags=()
	shift 2
	[ "${1:-}" = --cooked ] && { flags+=(--cooked); shift; }
	[ "${1:-}" = -- ] && shift
	out=$E2E_TMP/vusb-feed$n.out
	: >"$out"
	"$VUSB_FEED" "${flags[@]}" -- "$@" >"$out" 2>&1 &
	VUSB_FEEDER[$n]=$!
	E2E_PIDS+=("$!")
	deadline=$((SECONDS + 5))
	while pty=$(head -n 1 "$out") && [ -z "$pty" ] || [ ! -c "$pty" ]; do
		if [ $SECONDS -gt $deadline ]; then
			echo "# vusb_attach: no pty from vusb-feed: $(cat "$out")"
			return 1
		fi
		sleep 0.05
	done
	vusb_plug "$n" "$kind" "$pty"
}

# vusb_detach N [mid-frame]: unplugs ttyUSB<N>. The feeder hangs the pty up
# first (in the middle of a frame if asked), then the entries go, in the
# order the kernel does it.
vusb_detach() {
	local n=$1 how=${2:-now} pid=${VUSB_FEEDER[$1]:-}
	if [ -n "$pid" ]; then
		if [ "$how" = mid-frame ]; then
			kill -USR1 "$pid" 2>/dev/null
		else
			kill -TERM "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
		unset "VUSB_FEEDER[$n]"
	fi
	vusb_unplug "$n"
}

# vusb_teardown: unplugs everything left. The namespace's mounts go with
# its last process anyway; this keeps a long script tidy.
vusb_teardown() {
	local n
	for n in "${!VUSB_FEEDER[@]}"; do vusb_detach "$n"; done
	for n in "${!VUSB_USB_PORT[@]}"; do vusb_unplug "$n"; done
}
