#!/usr/bin/env bash
# End-to-end: field troubleshooting. Record and replay, the CSV log,
# --once exit codes, the events file, and what a signal leaves on disk.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

LINK=$E2E_TMP/ttyV0
MKREC=$PWD/$B/e2e/e2e_mkrec
[ -x "$MKREC" ] || { echo "not ok - build first: $MKREC"; exit 1; }
strip_time() { sed 's/^{"time":"[^"]*",\("time_derived":true,\)\{0,1\}//'; }

# --- record a live session, replay it, compare ------------------------------------
sim_start --link "$LINK" --seed 11 --speed 20
wait_file 5 "$LINK"
"$TOP" --json --record "$E2E_TMP/s.rec" "$LINK" >"$E2E_TMP/live.json" &
pid=$!
wait_for 10 lines_at_least 40 "$E2E_TMP/live.json"
kill -TERM "$pid"; wait "$pid"
check "the recording run ran until SIGTERM stopped it (143)" [ $? -eq 143 ]
check "the recording starts with its magic line" sh -c "head -c 15 '$E2E_TMP/s.rec' | grep -q 'CHARGERY-REC 1'"
check "the live run decoded frames" [ "$(wc -l <"$E2E_TMP/live.json")" -gt 20 ]
"$TOP" --json --replay "$E2E_TMP/s.rec" >"$E2E_TMP/replay.json"
check "--replay --json exits 0 at the end" [ $? -eq 0 ]
check "replay gives the same frames in the same order, with the recorded times" \
	cmp -s "$E2E_TMP/live.json" "$E2E_TMP/replay.json"

# --- a torn tail: every offset inside the last block -----------------------------
size=$(stat -c %s "$E2E_TMP/s.rec")
full=$(wc -l <"$E2E_TMP/replay.json")
torn_ok=1
for cut in $(seq 1 40); do
	head -c $((size - cut)) "$E2E_TMP/s.rec" >"$E2E_TMP/torn.rec"
	if ! "$TOP" --json --replay "$E2E_TMP/torn.rec" >"$E2E_TMP/torn.json" 2>/dev/null; then
		echo "# replay failed with $cut bytes torn off"; torn_ok=0; break
	fi
	# What it gives must be a prefix of the full replay, never a wrong line.
	if ! head -n "$(wc -l <"$E2E_TMP/torn.json")" "$E2E_TMP/replay.json" | cmp -s - "$E2E_TMP/torn.json"; then
		echo "# replay with $cut bytes torn off is not a prefix"; torn_ok=0; break
	fi
done
check "a recording cut anywhere in its last 40 bytes replays without error, as a prefix" [ "$torn_ok" = 1 ]

# --record appends to a torn recording after cutting the torn tail.
head -c $((size - 3)) "$E2E_TMP/s.rec" >"$E2E_TMP/append.rec"
"$TOP" --json --record "$E2E_TMP/append.rec" "$LINK" >"$E2E_TMP/more.json" &
pid=$!
wait_for 10 lines_at_least 10 "$E2E_TMP/more.json"
kill -TERM "$pid"; wait "$pid"
"$TOP" --json --replay "$E2E_TMP/append.rec" >"$E2E_TMP/both.json"
check "appending to a torn recording keeps the old frames and adds the new" \
	[ "$(wc -l <"$E2E_TMP/both.json")" -ge $(( $(wc -l <"$E2E_TMP/more.json") + full - 2 )) ]
echo "not a recording" >"$E2E_TMP/text.txt"
"$TOP" --json --record "$E2E_TMP/text.txt" "$LINK" >/dev/null 2>"$E2E_TMP/err.txt"
check "--record refuses a file that is not a recording (65)" [ $? -eq 65 ]
check "... and leaves it untouched" [ "$(cat "$E2E_TMP/text.txt")" = "not a recording" ]

# --- a raw dump replays too --------------------------------------------------------
"$SIM" --stdout --speed 100000 --duration 20 --seed 12 >"$E2E_TMP/raw.bin"
"$TOP" --json --replay "$E2E_TMP/raw.bin" >"$E2E_TMP/raw.json"
"$TOP" --json "$E2E_TMP/raw.bin" >"$E2E_TMP/rawport.json"
same_frames() { diff <(strip_time <"$1") <(strip_time <"$2") >/dev/null; }
check "a raw dump replays the same frames as reading it as a capture" \
	same_frames "$E2E_TMP/raw.json" "$E2E_TMP/rawport.json"
check "... which is all 20 s of it" [ "$(grep -c '"frame":"status"' "$E2E_TMP/raw.json")" -eq 20 ]

# --- the CSV log ----------------------------------------------------------------------
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
sim_start --link "$LINK" --seed 13 --speed 10
wait_file 5 "$LINK"
CSV=$E2E_TMP/log.csv
"$TOP" --headless --log "$CSV" "$LINK" &
pid=$!
wait_for 10 lines_at_least 6 "$CSV"
kill -TERM "$pid"; wait "$pid"; rc=$?
check "--log run ends on SIGTERM with 143" [ "$rc" -eq 143 ]
check "the CSV starts with its header" \
	sh -c "head -n 1 '$CSV' | grep -q '^time,pack_v,current_a,soc_pct,t1_c,t2_c,high_v,low_v,delta_mv,cell1_v,.*,cell16_v\$'"
rows1=$(($(wc -l <"$CSV") - 1))
check "rows were logged (10x speed)" [ "$rows1" -ge 5 ]
check "every row is whole: 25 fields" [ "$(awk -F, 'NF != 25' "$CSV" | wc -l)" -eq 0 ]
check "the last line is complete (ends in a newline)" [ "$(tail -c 1 "$CSV" | od -An -c | tr -d ' ')" = '\n' ]
"$TOP" --headless --log "$CSV" "$LINK" &
pid=$!
wait_for 10 lines_at_least $((rows1 + 4)) "$CSV"
kill -HUP "$pid"; { wait "$pid"; rc=$?; } 2>/dev/null
check "--log run ends on SIGHUP with 129" [ "$rc" -eq 129 ]
check "appending to a matching log adds rows, not a second header" \
	[ "$(grep -c '^time,' "$CSV")" -eq 1 ] 
check "... and the rows after SIGHUP are whole too" [ "$(awk -F, 'NF != 25' "$CSV" | wc -l)" -eq 0 ]
check "... and more rows than before" [ $(($(wc -l <"$CSV") - 1)) -gt "$rows1" ]
"$TOP" --headless --log "$CSV" --cells 12 "$LINK" 2>"$E2E_TMP/err.txt"
check "a log with another cell count is refused (65)" [ $? -eq 65 ]
check "... with a message that says what to do" grep -q 'new file' "$E2E_TMP/err.txt"

# --- the events file ----------------------------------------------------------------
EV=$E2E_TMP/events.txt
"$TOP" --headless --events "$EV" --alarm-delta 1 "$LINK" &
pid=$!
wait_for 10 grep -q 'delta [0-9]* mV (limit 1 mV)' "$EV"
kill -TERM "$pid"; wait "$pid"
check "--events writes timestamped lines" grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z opened ' "$EV"
check "--events records a raised alarm" grep -q 'delta [0-9]* mV (limit 1 mV)' "$EV"

# --- --once exit codes ---------------------------------------------------------------
"$TOP" --once "$LINK" >"$E2E_TMP/once.txt"
check "--once on fresh data within limits exits 0" [ $? -eq 0 ]
check "--once prints the pack and every cell" grep -q '^cell 16 ' "$E2E_TMP/once.txt"
"$TOP" --once --alarm-delta 1 "$LINK" >/dev/null
check "--once with a cell past a limit exits 2" [ $? -eq 2 ]
"$TOP" --once --json "$LINK" >"$E2E_TMP/once.json"
check "--once --json prints one object with fresh true" grep -q '"fresh":true}$' "$E2E_TMP/once.json"
"$TOP" --once --csv "$LINK" >"$E2E_TMP/once.csv"
check "--once --csv prints the log header and one row" [ "$(wc -l <"$E2E_TMP/once.csv")" -eq 2 ]
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null
sim_start --link "$LINK" --silent
wait_file 5 "$LINK"
"$TOP" --once --timeout 2 "$LINK" >/dev/null 2>"$E2E_TMP/err.txt"
check "--once with no data exits 1 after --timeout" [ $? -eq 1 ]
check "... and says no frames came" grep -q 'no frames' "$E2E_TMP/err.txt"

# --- stale data: a recording whose last seconds carry only damaged frames --------------
# Made in simulated time: 3 s of good frames, then 6 s in which every frame
# fails its checksum.
kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null
"$MKREC" "$E2E_TMP/stale.rec" 3 6 15
"$TOP" --once --replay "$E2E_TMP/stale.rec" >"$E2E_TMP/stale.txt"
check "--once on a replay whose frames went bad 5 s before its end exits 1 (stale)" [ $? -eq 1 ]
check "... and says the data is stale" grep -qi 'stale' "$E2E_TMP/stale.txt"

# --- --log works on a replay, one row per cell frame ------------------------------------
"$TOP" --headless --log "$E2E_TMP/replay.csv" --replay "$E2E_TMP/s.rec"
check "--log on a replay exits 0 at its end" [ $? -eq 0 ]
check "--log on a replay: one row per cell frame of the recording" \
	[ $(($(wc -l <"$E2E_TMP/replay.csv") - 1)) -eq "$(grep -c '"frame":"cells"' "$E2E_TMP/replay.json")" ]
check "--log on a replay: rows carry the recorded times" \
	[ "$(sed -n 2p "$E2E_TMP/replay.csv" | cut -d, -f1)" = "$(grep -m1 '"frame":"cells"' "$E2E_TMP/replay.json" | sed 's/^{"time":"\([^"]*\)".*/\1/')" ]

e2e_finish
