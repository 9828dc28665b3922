#!/usr/bin/env bash
# End-to-end: the promises of README's "Promises" section about outputs,
# the terminal and exit codes. An output that fails is noticed (exit 74, or
# 141 when the reader of stdout leaves), two outputs never share a file,
# nothing blocks where no signal can stop it, fds 0-2 are never the port,
# outside text never reaches the terminal raw, and each exit code is the
# one documented.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

D=$E2E_TMP
LINK=$D/ttyV0
sim_start --link "$LINK" --seed 31 --speed 5
check "the simulator is up" wait_file 10 "$LINK"

# bg_run NAME COMMAND...: runs COMMAND in the background, its exit code
# into $D/NAME.rc when it ends (stdout and stderr are the caller's).
bg_run() {
	local name=$1; shift
	( "$@"; echo $? >"$D/$name.rc" ) &
	E2E_PIDS+=($!)
}
rc_of() { cat "$D/$1.rc" 2>/dev/null; }

# --- output that fails is noticed -----------------------------------------------------
# --json | head -1 on a live port: the reader leaves, chargery-top must
# not go on holding the port.
bg_run headlive bash -c "'$TOP' --json '$LINK' 2>'$D/headlive.err' | head -1 >'$D/headlive.out'; exit \${PIPESTATUS[0]}"
check "--json PORT | head -1 exits within 10 s" wait_for 10 test -s "$D/headlive.rc"
check "... with 74, as documented" [ "$(rc_of headlive)" = 74 ]
check "... after head got its line" grep -q '"frame":' "$D/headlive.out"
check "... and quietly (no write error said)" \
	sh -c "! grep -qi 'cannot write\|broken pipe' '$D/headlive.err'"

"$SIM" --stdout --speed 1000000 --duration 600 --seed 3 >"$D/ten.bin"
bash -c "'$TOP' --json '$D/ten.bin' 2>'$D/headfile.err' | head -1 >/dev/null; exit \${PIPESTATUS[0]}"
check "--json FILE | head -1 exits 74, not 0 after failed writes" [ $? = 74 ]

timeout 20 "$TOP" --json "$D/ten.bin" >/dev/full 2>"$D/full.err"
check "--json > /dev/full exits 74" [ $? = 74 ]
check "... and says stdout cannot be written" grep -q 'cannot write to standard output' "$D/full.err"

timeout 20 "$TOP" --once --replay "$D/ten.bin" >/dev/full 2>"$D/oncefull.err"
check "--once > /dev/full exits 74 with a message" \
	sh -c "[ $? = 74 ] && grep -q 'standard output' '$D/oncefull.err'"

bg_run evfull "$TOP" --headless --events /dev/full "$LINK" 2>"$D/evfull.err"
check "--headless --events /dev/full exits" wait_for 10 test -s "$D/evfull.rc"
check "... with 74" [ "$(rc_of evfull)" = 74 ]
check "... saying the disk is full, with advice" grep -q 'disk full; free some space or write events' "$D/evfull.err"

timeout 20 "$TOP" --json --events /dev/full "$D/ten.bin" >/dev/null 2>"$D/evjson.err"
check "--events failing beside --json is reported on stderr" grep -q 'disk full' "$D/evjson.err"

# A recording on a full disk under --headless: ends 74, like --log.
MNT=$D/full
mkdir -p "$MNT"
if [ "$(id -u)" = 0 ] && unshare -m sh -c "mount -t tmpfs -o size=8k tmpfs '$MNT'" 2>/dev/null; then
	cat >"$D/recfull.sh" <<EOS
mount -t tmpfs -o size=8k tmpfs "$MNT" || exit 99
head -c 4096 /dev/zero >"$MNT/filler"
exec "$TOP" --headless --record "$MNT/full.rec" "$LINK"
EOS
	bg_run recfull unshare -m sh "$D/recfull.sh" 2>"$D/recfull.err"
	check "--headless --record on a full disk exits" wait_for 30 test -s "$D/recfull.rc"
	check "... with 74" [ "$(rc_of recfull)" = 74 ]
	check "... saying the disk is full" grep -q 'disk full' "$D/recfull.err"
else
	skip "--headless --record on a full disk exits 74" "needs root and unshare -m with tmpfs"
fi

# --- nothing blocks where signals cannot reach ----------------------------------------
mkfifo "$D/fifo"
for opt in --log --events; do
	bg_run "fifo$opt" "$TOP" --headless "$opt" "$D/fifo" "$LINK" 2>"$D/fifo$opt.err"
	check "$opt FIFO without a reader ends at once" wait_for 5 test -s "$D/fifo$opt.rc"
	check "... with 73 and advice" sh -c "[ '$(rc_of "fifo$opt")' = 73 ] && grep -q 'no program is reading it' '$D/fifo$opt.err'"
done

# --- two outputs never share a file ---------------------------------------------------
same() {
	local name=$1; shift
	rm -f "$D/x" "$D/same.err"
	timeout 20 "$TOP" "$@" 2>"$D/same.err"
	local rc=$?
	check "$name: refused with 64" [ "$rc" = 64 ]
	check "$name: nothing created" [ ! -e "$D/x" ]
}
same "--record X --events X" --headless --record "$D/x" --events "$D/x" "$LINK"
same "--log X --events ./X" --headless --log "$D/x" --events "$D/./x" "$LINK"
timeout 20 "$TOP" --headless --log /dev/null --events /dev/null --replay "$D/ten.bin" 2>/dev/null
check "two outputs on /dev/null are fine (exit 0)" [ $? = 0 ]
ln -s "$D/y.csv" "$D/ylink"
timeout 20 "$TOP" --headless --log "$D/y.csv" --events "$D/ylink" "$LINK" 2>/dev/null
check "--log Y --events LINK-TO-Y refused with 64" [ $? = 64 ]
timeout 20 "$TOP" --headless --log "$LINK" "$LINK" 2>"$D/port.err"
check "--log onto the port being read refused with 64" \
	sh -c "[ $? = 64 ] && grep -q 'is the port being read' '$D/port.err'"
cp "$D/ten.bin" "$D/ten.copy"
timeout 20 "$TOP" --headless --events "$D/ten.copy" --replay "$D/ten.copy" 2>"$D/replay.err"
check "--events onto the replayed file refused with 64" \
	sh -c "[ $? = 64 ] && cmp -s '$D/ten.bin' '$D/ten.copy'"

printf 'time,pack_v\n' >"$D/other.csv"
timeout 20 "$TOP" --headless --events "$D/other.csv" "$LINK" 2>"$D/evother.err"
check "--events onto a file that is not an events file: 65, untouched" \
	sh -c "[ $? = 65 ] && [ \"\$(cat '$D/other.csv')\" = time,pack_v ]"

bg_run log1 "$TOP" --headless --log "$D/two.csv" "$LINK" 2>/dev/null
check "a first logger writes rows" wait_for 15 lines_at_least 2 "$D/two.csv"
# The second reads a capture: the port itself is locked by the first.
timeout 20 "$TOP" --headless --log "$D/two.csv" --replay "$D/ten.bin" 2>"$D/log2.err"
check "a second logger on the same CSV is refused with 75" [ $? = 75 ]
check "... saying the file is being written" grep -q 'being written by another' "$D/log2.err"
for pid in $(pids_of "^$TOP --headless --log $D/two.csv $LINK"); do kill -TERM "$pid"; done
check "the first logger ends on SIGTERM, freeing the port" wait_for 10 test -s "$D/log1.rc"
check "... with 143" [ "$(rc_of log1)" = 143 ]

# --- fds 0-2 and the terminal ---------------------------------------------------------
# (exec in bash -c: a background job would be given /dev/null as stdin.)
bg_run closed0 bash -c "exec '$TOP' --json '$LINK' <&- >'$D/closed0.out' 2>/dev/null" 2>/dev/null
check "with stdin closed, --json still runs" wait_for 10 test -s "$D/closed0.out"
pid=$(pids_of "^$TOP --json $LINK\$" | head -1)
check "... and fd 0 is /dev/null, not the port" \
	[ "$(readlink "/proc/$pid/fd/0" 2>/dev/null)" = /dev/null ]
[ -n "$pid" ] && kill -TERM "$pid"

ESC=$(printf 'a\033[2J\033]0;PWN\007b')
timeout 20 "$TOP" --headless --log "$D/$ESC/x.csv" "$LINK" 2>"$D/esc.err"
check "an escape sequence in a file name: exit 73" [ $? = 73 ]
check "... and it reaches stderr defused" sh -c "no_escape() { ! LC_ALL=C grep -q \$'[\\x1b\\x07]' \"\$1\"; }; no_escape '$D/esc.err' && grep -q 'a?\\[2J?\\]0;PWN?b' '$D/esc.err'"

cp "$D/ten.bin" "$D/$ESC.bin"
timeout 20 "$TOP" --headless --events "$D/escev.log" --replay "$D/$ESC.bin" 2>/dev/null
check "a file name with an escape sequence reaches --events defused" \
	sh -c "grep -q 'opened .*a?\[2J?\]0;PWN?b.bin' '$D/escev.log' && ! LC_ALL=C grep -q \$'\x1b' '$D/escev.log'"

# --- exit codes, as README, the man page and --help say ------------------------------
timeout 20 "$TOP" --headless --log "$D/nodir/x.csv" "$LINK" 2>"$D/73.err"
check "73: an output file in a missing directory" [ $? = 73 ]
timeout 20 "$TOP" --headless --log /proc/x.csv "$LINK" 2>"$D/proc.err"
check "73: --log /proc/x.csv, and it does not say the directory is missing" \
	sh -c "[ $? = 73 ] && ! grep -q 'does not exist' '$D/proc.err'"
if needs setpriv util-linux && [ "$(id -u)" = 0 ]; then
	mkdir -p "$D/ro" && chmod 555 "$D/ro" && chmod 755 "$D"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TOP" --headless \
		--log "$D/ro/x.csv" "$LINK" 2>"$D/77.err"
	rc=$?
	check "77: an output file in a directory we may not write" [ "$rc" = 77 ]
	check "... said once, not twice" [ "$(grep -oi 'permission denied' "$D/77.err" | wc -l)" = 1 ]
	# A recording we may not read: 77, and the reason said once.
	mkdir -p "$D/private" && chmod 700 "$D/private"
	printf 'CHARGERY-REC 1\n' >"$D/private/secret.rec"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TOP" --json \
		--replay "$D/private/secret.rec" >/dev/null 2>"$D/77r.err"
	rc=$?
	check "77: a recording we may not read, permission denied said once" \
		sh -c "[ $rc = 77 ] && [ \$(grep -oi 'permission denied' '$D/77r.err' | wc -l) = 1 ]"
else
	skip "77: an output file in a directory we may not write" "${NEEDS:-needs root to drop to nobody}"
fi
timeout 20 "$TOP" --alarm-high 9 "$LINK" 2>"$D/64.err"
check "64: a bad option value, named with the valid range" \
	sh -c "[ $? = 64 ] && grep -q 'from 0.5 to 5 V, not .9.' '$D/64.err'"
timeout 20 "$TOP" --headless "$LINK" 2>/dev/null
check "64: --headless without an output" [ $? = 64 ]
timeout 20 "$TOP" --list extra 2>/dev/null >/dev/null
check "64: --list with a PORT" [ $? = 64 ]
timeout 20 "$TOP" --json /dev/ttyNOPE9 2>/dev/null
check "66: no such port" [ $? = 66 ]

e2e_finish
