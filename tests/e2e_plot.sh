#!/usr/bin/env bash
# End-to-end: --plot. A recording with one known spike becomes an SVG that
# is well-formed XML (xmllint), renders (rsvg-convert), and shows the spike
# at the x of its time (the PNG's pixels, read by tests/plot_pixels.py);
# --from/--to choose the span; mistakes are refused with a message.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

PLOTREC=$PWD/$B/e2e/e2e_plotrec
[ -x "$PLOTREC" ] || { echo "not ok - build first: $PLOTREC"; exit 1; }
T0=1767225600000          # 2026-01-01T00:00:00Z, where e2e_plotrec starts
SPIKE_S=1234              # cell 6 reads 4.200 V in this second only
REC=$E2E_TMP/spike.rec
SVG=$E2E_TMP/spike.svg
"$PLOTREC" "$REC" 3600 "$SPIKE_S"

"$TOP" --replay "$REC" --plot "$SVG" 2>"$E2E_TMP/err"
check "--replay --plot exits 0 at the end of the recording" [ $? -eq 0 ]
check "... and writes the SVG" [ -s "$SVG" ]
check "... leaving no temporary file" [ ! -e "$SVG.tmp" ]
check "... well under 2 MB" [ "$(stat -c %s "$SVG")" -lt 2000000 ]
check "the title names the recording, the span in UTC and 16 cells" \
	grep -q 'spike.rec</text>.*' "$SVG"
check "... 2026-01-01 00:00:00 to 01:00:00 UTC, 16 cells" \
	grep -q '2026-01-01 00:00:00 to 01:00:00 UTC (1 h 0 min), 16 cells' "$SVG"
check "the clock axis is labelled in UTC" grep -q '>00:30<' "$SVG"
check "the alarm the spike raised is listed with its time" \
	grep -q '2026-01-01 00:20:34  A  cell 6 high: 4.200 V' "$SVG"

# pixel_check NAME SVG SPIKE_MS WIDTH: renders SVG and finds the spike:
# the columns reaching up must hold the spike's x and be at most WIDTH
# wide (the history keeps a minute-old second in a 10 s bucket: a spike
# shows over its bucket's columns, never elsewhere).
pixel_check() {
	local name=$1 svg=$2 spike_ms=$3 width=$4 png=${2%.svg}.png out want peak height first last
	if ! needs rsvg-convert librsvg2-bin; then skip "$name" "$NEEDS"; return; fi
	if ! needs python3 python3; then skip "$name" "$NEEDS"; return; fi
	if ! rsvg-convert "$svg" -o "$png" 2>"$E2E_TMP/rsvg.err" || [ -s "$E2E_TMP/rsvg.err" ]; then
		not_ok "$name: rsvg-convert failed: $(head -c 300 "$E2E_TMP/rsvg.err")"
		return
	fi
	out=$(python3 tests/plot_pixels.py "$svg" "$png" "$spike_ms")
	read -r want peak height first last <<<"$out"
	echo "# spike expected at x=$want, tallest red at x=$peak, $height% high; red high from x=$first to $last"
	# The spike's 4.2 V is near the top of a 3.0..4.5 V scale, the steady
	# 3.3 V cells near the bottom; only the spike's column(s) reach up.
	if [ "${height:-0}" -ge 60 ] && [ "${first:-0}" -le "${want:-0}" ] &&
	   [ "${want:-0}" -le "${last:-0}" ] && [ $((last - first + 1)) -le "$width" ]; then
		ok "$name"
	else
		not_ok "$name (got: $out)"
	fi
}

if needs xmllint libxml2-utils; then
	check "the SVG is well-formed XML (xmllint)" xmllint --noout "$SVG"
else
	skip "the SVG is well-formed XML" "$NEEDS"
fi
# An hour in 1090 columns: 3.3 s each, so a 10 s bucket spans 3 or 4.
pixel_check "the spike shows at the x of its time (rendered PNG)" "$SVG" $((T0 + SPIKE_S * 1000)) 4

# --- a span -------------------------------------------------------------------
SPAN=$E2E_TMP/span.svg
"$TOP" --replay "$REC" --plot "$SPAN" --from 00:15 --to 2026-01-01T00:25:00Z
check "--from HH:MM --to ISO-8601 exits 0" [ $? -eq 0 ]
check "... and draws exactly that span" \
	grep -q "data-from-ms=\"$((T0 + 900000))\" data-to-ms=\"$((T0 + 1500000))\"" "$SPAN"
# Ten minutes in 1090 columns: a 10 s bucket spans 18 or 19.
pixel_check "... the spike at the x of its time within the span" "$SPAN" $((T0 + SPIKE_S * 1000)) 19

# --- mistakes -----------------------------------------------------------------
cp "$SVG" "$E2E_TMP/before.svg"
"$TOP" --replay "$REC" --plot "$SVG" --from 2026-01-02T00:00Z 2>"$E2E_TMP/err"
check "a span without data exits 65" [ $? -eq 65 ]
check "... saying where the data is" grep -q 'data runs from 2026-01-01 00:00:00 to 2026-01-01 00:59:59 UTC' "$E2E_TMP/err"
check "... and leaves the old picture alone" cmp -s "$SVG" "$E2E_TMP/before.svg"
"$TOP" --replay "$REC" --plot "$SVG" --from noon 2>"$E2E_TMP/err"
check "--from noon is refused with 64" [ $? -eq 64 ]
check "... showing the forms it takes" grep -q 'such as 2026-01-01T06:00Z or 06:00' "$E2E_TMP/err"
"$TOP" --replay "$REC" --from 00:10 2>/dev/null
check "--from without --plot is refused with 64" [ $? -eq 64 ]
"$TOP" --replay "$REC" --plot "$E2E_TMP/no/such/dir/x.svg" 2>"$E2E_TMP/err"
check "--plot into a missing directory exits 73" [ $? -eq 73 ]
check "... naming the option" grep -q -- '--plot' "$E2E_TMP/err"

# --- a raw capture: times made up from the 0x57 frames --------------------------
"$SIM" --stdout --speed 1000 --duration 600 >"$E2E_TMP/cap.bin"
"$TOP" --replay "$E2E_TMP/cap.bin" --plot "$E2E_TMP/cap.svg"
check "a raw capture plots too" [ $? -eq 0 ]
check "... over its ten minutes" grep -q '(9 min 5[0-9] s)\|(10 min 0 s)' "$E2E_TMP/cap.svg"

# --- a live run: the picture is written at exit ------------------------------------
LINK=$E2E_TMP/ttyV0
sim_start --link "$LINK" --seed 3 --speed 20
wait_file 5 "$LINK"
"$TOP" --headless --log "$E2E_TMP/live.csv" --plot "$E2E_TMP/live.svg" "$LINK" 2>/dev/null &
pid=$!
wait_for 10 lines_at_least 6 "$E2E_TMP/live.csv"
check "a live run has no picture yet while it runs" [ ! -e "$E2E_TMP/live.svg" ]
kill -TERM "$pid"; wait "$pid"
check "the live run ends on SIGTERM (143)" [ $? -eq 143 ]
check "... and leaves its picture, naming the port" grep -q 'ttyV0' "$E2E_TMP/live.svg"
if needs xmllint libxml2-utils; then
	check "... well-formed" xmllint --noout "$E2E_TMP/live.svg"
else
	skip "... well-formed" "$NEEDS"
fi
exit 0
