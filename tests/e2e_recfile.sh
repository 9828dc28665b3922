#!/usr/bin/env bash
# End-to-end: recordings under attack (issue 11). Replays that hold no
# data end and say why; a damaged replay says where it stopped and exits
# 65 after what was readable; --record leaves anything that is not a
# clean recording byte-identical; the table says "end of capture".
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

T=$E2E_TMP
MKREC=$PWD/$B/e2e/e2e_mkrec
[ -x "$MKREC" ] || { echo "not ok - build first: $MKREC"; exit 1; }
"$MKREC" "$T/good.rec" 30 0 3 || { echo "not ok - e2e_mkrec failed"; exit 1; }
size=$(stat -c %s "$T/good.rec")

# flip FILE OFFSET: flips one bit of the byte at OFFSET.
flip() {
	python3 - "$1" "$2" <<'PY'
import sys
p, at = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read()); b[at] ^= 0x10
open(p, 'wb').write(b)
PY
}

# run_to_end SECONDS OUT ERR ARGS...: runs chargery-top, killed after
# SECONDS if it never ends; its exit code in $rc (124: it never ended).
run_to_end() {
	local secs=$1 out=$2 err=$3; shift 3
	timeout "$secs" "$TOP" "$@" >"$out" 2>"$err"; rc=$?
}

# --- a damaged recording: where it stopped, how much was read, exit 65 ---------
cp "$T/good.rec" "$T/damaged.rec"
flip "$T/damaged.rec" $((size / 2))
run_to_end 20 "$T/good.json" "$T/good.err" --json --replay "$T/good.rec"
run_to_end 20 "$T/dam.json" "$T/dam.err" --json --replay "$T/damaged.rec"
check "--json on a damaged recording exits 65 (got $rc)" [ "$rc" -eq 65 ]
check "... after printing the lines before the damage" \
	sh -c "[ -s '$T/dam.json' ] && head -n \$(wc -l <'$T/dam.json') '$T/good.json' | cmp -s - '$T/dam.json'"
check "... fewer than the whole recording" [ "$(wc -l <"$T/dam.json")" -lt "$(wc -l <"$T/good.json")" ]
check "... saying on stderr where it stopped and how much was read" \
	grep -Eq "damaged at byte [0-9]+: the replay stopped there after [1-9][0-9]* blocks" "$T/dam.err"
run_to_end 20 "$T/dam.once" "$T/dam.once.err" --once --replay "$T/damaged.rec"
check "--once on a damaged recording exits 65 (got $rc)" [ "$rc" -eq 65 ]
check "... after printing the picture it read" grep -q . "$T/dam.once"
check "... and says where it stopped" grep -q "damaged at byte" "$T/dam.once.err"
run_to_end 20 /dev/null "$T/dam.hl.err" --headless --events /dev/null --replay "$T/damaged.rec"
check "--headless on a damaged recording exits 65 (got $rc)" [ "$rc" -eq 65 ]
check "... and says where it stopped" grep -q "damaged at byte" "$T/dam.hl.err"

# --- recordings without a data block end, and say why ----------------------------
: >"$T/empty.rec"
printf 'CHARGERY-REC 1\n' >"$T/magic.rec"
printf 'CHARGERY-R' >"$T/tornmagic.rec"
{ printf 'CHARGERY-REC 1\n'; head -c 200000 /dev/zero; } >"$T/zeros.rec"
python3 - "$T/unknown.rec" <<'PY'
import sys, struct, zlib
out = bytearray(b'CHARGERY-REC 1\n')
for i in range(20):
    body = b'X' + struct.pack('<QH', 1767225600000000 + i, 3) + b'abc'
    out += body + struct.pack('<I', zlib.crc32(body))
open(sys.argv[1], 'wb').write(out)
PY
for f in empty magic tornmagic zeros unknown; do
	# --headless needs an output: /dev/null takes the events.
	for mode in --json "--headless --events /dev/null"; do
		run_to_end 10 /dev/null "$T/$f.err" $mode --replay "$T/$f.rec"
		check "$mode on a recording holding no data ($f) ends with 0 (got $rc)" [ "$rc" -eq 0 ]
		check "... saying so on stderr" grep -q "holds no data" "$T/$f.err"
	done
	start=$SECONDS
	run_to_end 10 /dev/null "$T/$f.err" --once --replay "$T/$f.rec"
	check "--once on a recording holding no data ($f) exits 1 (got $rc)" [ "$rc" -eq 1 ]
	check "... at once, with the reason" sh -c "[ $((SECONDS - start)) -le 3 ] && grep -q 'holds no data' '$T/$f.err'"
done
# Damage at the first block: nothing readable, but damaged.
head -c 200 "$T/good.rec" >"$T/firstbad.rec"
flip "$T/firstbad.rec" 20
cat "$T/good.rec" | tail -c +201 >>"$T/firstbad.rec"
run_to_end 10 "$T/fb.json" "$T/fb.err" --json --replay "$T/firstbad.rec"
check "--json on a recording damaged at its first block ends with 65 (got $rc)" [ "$rc" -eq 65 ]
check "... printing nothing, saying where it stopped" sh -c "[ ! -s '$T/fb.json' ] && grep -q 'damaged at byte 15' '$T/fb.err'"

# --- --record never touches what is not a clean recording ------------------------
printf 'C' >"$T/c.rec"
printf 'CHARGERY' >"$T/chargery.rec"
printf 'CHARGERY-REC 1\r\n' >"$T/crlf.rec"; cat "$T/good.rec" | tail -c +16 >>"$T/crlf.rec"
cp "$T/damaged.rec" "$T/damaged2.rec"
for f in c chargery crlf damaged2; do
	cp "$T/$f.rec" "$T/$f.orig"
	run_to_end 20 /dev/null "$T/rec-$f.err" --headless --record "$T/$f.rec" - </dev/null
	check "--record onto $f.rec is refused with 65 (got $rc)" [ "$rc" -eq 65 ]
	check "... and leaves it byte-identical" cmp -s "$T/$f.rec" "$T/$f.orig"
done
check "a CRLF-mangled magic says its line endings were changed" \
	grep -q "line endings were changed" "$T/rec-crlf.err"
check "... not that it was recorded by a newer version" sh -c "! grep -q newer '$T/rec-crlf.err'"

# --- memory: a raw dump without 0x57 frames, one written in one large write ------
head -c $((64 * 1024 * 1024)) /dev/zero >"$T/noframes.bin"
dd if="$T/good.rec" of="$T/one.rec" bs=64M 2>/dev/null
# peak_kb ARGS...: chargery-top's peak RSS (ru_maxrss from wait4) in kB.
peak_kb() { "$PWD/$B/e2e/e2e_peakrss" "$TOP" "$@"; }
if grep -qa __asan_init "$TOP"; then
	skip "replay memory budgets (8 MiB raw dump, 4 MiB one-write recording)" \
		"a plain build: ASan's shadow memory counts in RSS"
else
	kb=$(peak_kb --headless --events /dev/null --replay "$T/noframes.bin")
	check "a 64 MiB raw dump without 0x57 frames replays in under 8 MiB ($kb kB)" [ "$kb" -lt 8192 ]
	kb=$(peak_kb --headless --events /dev/null --replay "$T/one.rec")
	check "a recording written in one large write replays in under 4 MiB ($kb kB)" [ "$kb" -lt 4096 ]
fi
rm -f "$T/noframes.bin"

# --- raw dumps get a time axis: 1 s per 0x57 frame, ending at the mtime --------
"$SIM" --stdout --speed 1000000 --duration 30 >"$T/dump.bin"
touch -d '2026-01-01T00:10:00Z' "$T/dump.bin"
"$TOP" --json --replay "$T/dump.bin" >"$T/dump.json"
check "a raw dump's JSON marks every object's time as derived" \
	sh -c "[ -s '$T/dump.json' ] && ! grep -vq '\"time_derived\":true' '$T/dump.json'"
check "... its last frame at the file's mtime" \
	sh -c "tail -n 1 '$T/dump.json' | grep -q '\"time\":\"2026-01-01T00:10:00.000Z\"'"
check "... and its first 1 s per 0x57 frame before (not the decode time)" \
	sh -c "head -n 1 '$T/dump.json' | grep -q '\"time\":\"2026-01-01T00:09:3[01].000Z\"'"
"$TOP" --json --replay "$T/dump.bin" --start 2026-02-03T04:05:06Z >"$T/dump2.json"
check "--start TIME sets a raw dump's first time" \
	sh -c "head -n 1 '$T/dump2.json' | grep -q '\"time\":\"2026-02-03T04:05:06.000Z\"'"
check "a recording's JSON has no time_derived" sh -c "! grep -q time_derived '$T/good.json'"
"$TOP" --json --start yesterday --replay "$T/dump.bin" >/dev/null 2>&1
check "--start with no UTC time is a usage error (64)" [ $? -eq 64 ]

# --- the table: "end of capture", and the reason in the doctor line ---------------
if needs tmux tmux; then
	tmux_start 100 30 "$TOP" --replay "$T/magic.rec"
	check "the table says end of capture for a recording holding no data" \
		wait_screen 10 "end of capture"
	tmux_keys e
	check "... and the event list says why" wait_screen 5 "holds no data"
	tmux_kill
	tmux_start 120 30 "$TOP" --replay "$T/damaged.rec" --speed 1024
	wait_screen 20 "end of capture" >/dev/null
	tmux_keys e
	check "the event list says where a damaged recording stopped" \
		wait_screen 10 "damaged at byte"
	tmux_kill
else
	skip "the table says end of capture" "$NEEDS"
fi
# --- a replay's events run on its recorded clock --------------------------------
# "opened" used to carry today's wall clock among the recorded times, so
# the newest-first list was out of order.
# A raw dump of a day ago (its times end at its mtime), with mode changes.
"$SIM" --stdout --seed 3 --duration 600 --speed 100000 >"$T/order.bin"
touch -d '1 day ago' "$T/order.bin"
"$TOP" --headless --events "$T/order.ev" --replay "$T/order.bin" 2>/dev/null
check "a replay's events are in the order of their times, opened first" \
	sh -c "[ \$(wc -l < '$T/order.ev') -ge 3 ] &&
	       head -n 1 '$T/order.ev' | grep -q ' opened ' &&
	       cut -d' ' -f1 '$T/order.ev' | sort -c"

exit 0
