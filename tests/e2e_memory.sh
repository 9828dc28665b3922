#!/usr/bin/env bash
# Memory stays flat over a long run: a day of simulated traffic through
# chargery-top --json on stdin, fed through a FIFO in two parts so the
# process can be measured after the first hour and again after the day.
# The core allocates nothing per frame; this checks the program around it.
cd "$(dirname "$0")/.." || exit 1
. tests/lib_e2e.sh
e2e_setup

MARGIN_KB=256
day=$E2E_TMP/day.bin
fifo=$E2E_TMP/in.fifo
out=$E2E_TMP/out.json

# status_kb PID FIELD: a VmRSS/VmHWM figure in kB from /proc.
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# wait_drained PID: until the process has read everything written so far,
# i.e. its byte count from /proc/PID/io stops moving and it sleeps.
wait_drained() {
	local last=-1 now steady=0 deadline=$((SECONDS + 20))
	while [ $SECONDS -le $deadline ]; do
		now=$(awk '$1 == "rchar:" { print $2 }' "/proc/$1/io" 2>/dev/null) || return 1
		if [ "$now" = "$last" ]; then
			steady=$((steady + 1))
			[ $steady -ge 3 ] && return 0
		else
			steady=0
		fi
		last=$now
		sleep 0.1
	done
	return 1
}

"$SIM" --stdout --speed 1000000 --duration 86400 >"$day" 2>/dev/null
size=$(stat -c %s "$day")
check "the simulator wrote a day of traffic ($size bytes)" [ "$size" -gt 3000000 ]
expected=$("$TOP" --json "$day" 2>/dev/null | wc -l)

# AddressSanitizer keeps freed memory in quarantine and its shadow grows as
# pages are touched: RSS says nothing about leaks there (check-san).
if grep -q __asan_init "$TOP"; then
	ok "memory stays flat over a day of traffic # SKIP built with AddressSanitizer"
	e2e_finish
fi

mkfifo "$fifo"
"$TOP" --json - <"$fifo" >"$out" 2>"$E2E_TMP/err" &
pid=$!
E2E_PIDS+=("$pid")
exec 3>"$fifo"

head -c 150000 "$day" >&3          # about the first hour
wait_drained "$pid"
early_rss=$(status_kb "$pid" VmRSS)
early_hwm=$(status_kb "$pid" VmHWM)

tail -c +150001 "$day" >&3
wait_drained "$pid"
late_rss=$(status_kb "$pid" VmRSS)
late_hwm=$(status_kb "$pid" VmHWM)
exec 3>&-
wait "$pid"
rc=$?

echo "# VmRSS ${early_rss} kB after an hour, ${late_rss} kB after a day; VmHWM ${early_hwm} -> ${late_hwm} kB"
check "chargery-top --json - exits 0 at the end of stdin (got $rc)" [ "$rc" -eq 0 ]
lines=$(wc -l <"$out")
check "every frame of the day came out as JSON ($lines of $expected)" \
	[ "$lines" -eq "$expected" -a "$expected" -gt 130000 ]
rss_growth=$(( ${late_rss:-999999} - ${early_rss:-0} ))
hwm_growth=$(( ${late_hwm:-999999} - ${early_hwm:-0} ))
check "VmRSS grows by at most $MARGIN_KB kB over the day ($rss_growth kB)" \
	[ "$rss_growth" -le $MARGIN_KB ]
check "VmHWM grows by at most $MARGIN_KB kB over the day ($hwm_growth kB)" \
	[ "$hwm_growth" -le $MARGIN_KB ]
e2e_finish
