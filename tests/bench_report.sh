# Sourced by tests/bench.sh once every figure is measured: writes the
# report ($OUT, BENCHMARKS.md) from its variables and prints it. Uses
# bench.sh's helpers (calc, verdict, key, say).
peak_rss=$(printf '%s\n' "$rss_headless" "$rss_tui" | sort -g | tail -n 1)
mib() { calc %.2f "$1 / 1024"; }
# The network rows: v NAME is the value of the variable NAME.
v() { printf '%s' "${!1}"; }
net_cpu_row() {
	printf '| live, %s, %s, CPU (%s s) | < 0.1 %% of a core | %s %% (serial: %s %%) | %s |\n' \
		"$2" "$3" "$LIVE_S" "$(v "cpu_$1")" "$4" "$(verdict "$(v "cpu_$1")" "<" 0.1)"
}
net_wake_row() {
	printf '| wakeups with data flowing, %s, %s, %s s | none beyond frame arrivals and the 1 s tick | %s wakeups: %s at arrivals (%s frames sent), %s timeouts just after one, %s other timeouts; %s beyond | %s |\n' \
		"$2" "$3" "$LIVE_S" "$(v "wk_$1")" "$(v "ar_$1")" "$(v "fr_$1")" "$(v "de_$1")" \
		"$(v "ti_$1")" "$(v "be_$1")" "$(verdict "$(v "be_$1")" "<=" 0)"
}
net_rss_row() {
	local h t worst=n/a
	h=$(v "rss_$1_h") t=$(v "rss_$1_t")
	[ "$h" = n/a ] || [ "$t" = n/a ] || worst=$(printf '%s\n' "$h" "$t" | sort -g | tail -n 1)
	printf '| peak RSS, live %s: headless / table | < 4 MiB | %s / %s MiB | %s |\n' \
		"$2" "$([ "$h" = n/a ] && echo n/a || mib "$h")" \
		"$([ "$t" = n/a ] && echo n/a || mib "$t")" "$(verdict "$worst" "<" 4096)"
}
TCP="tcp:// (socat serving the simulator)"
WS="ws:// (tests/ws_server.py serving it)"
mibn() { if [ "$1" = n/a ]; then echo n/a; else mib "$1"; fi; }
cat > "$OUT" <<EOF
# Benchmarks

Figures from \`make bench\` (tests/bench.mk, tests/bench.sh), written by it on
$(date -u +%Y-%m-%d), on: **$machine**.
Rerun \`make bench\` to measure your own machine; it rewrites this file (about five minutes, the
live rows ${LIVE_S} s of it). A quick check of every row: \`LIVE_S=10 BENCH_OUT=/tmp/bench.md make bench\`
(the live rows over 10 s instead of 60, at least 7; the file written elsewhere). Start-up is in
the CPU figures, so a short run reads higher than a long one.

| figure | budget | result | verdict |
|---|---|---|---|
| framer+decoder throughput, realistic stream | none (information) | $gbps GB/s (median of 9 passes over 64 MiB) | not a budget |
| framer+decoder instructions per input byte (callgrind) | none (information) | $ipb_total | not a budget |
| framer worst case: fake 24 24 56 3D headers | linear: ns per byte at 8 MiB <= 1.5x that at 1 MiB | $worst1 ns/B at 1 MiB, $worst8 ns/B at 8 MiB (ratio $worst_ratio) | $(verdict "$worst_ratio" "<=" 1.5) |
| day-long recording ($frames_day frames) through decoder, pack, CSV log | < 1 s | $replay_s s (median of 5; $rows_day CSV rows) | $(verdict "$replay_s" "<" 1) |
| live, headless with --log, CPU (user+sys over wall, ${LIVE_S} s) | < 0.1 % of a core | $cpu_headless % | $(verdict "$cpu_headless" "<" 0.1) |
| live, the table on an 80x24 terminal, CPU (${LIVE_S} s) | < 0.1 % of a core | $cpu_tui % | $(verdict "$cpu_tui" "<" 0.1) |
| wakeups without data, headless, ${LIVE_S} s | none beyond the 1 s tick | $wake_headless wakeups, $extra_headless beyond the tick | $(verdict "$extra_headless" "<=" 0) |
| wakeups without data, the table, ${LIVE_S} s | none beyond the 1 s tick | $wake_tui wakeups, $extra_tui beyond the tick | $(verdict "$extra_tui" "<=" 0) |
| bytes to the terminal per cell-frame update | <= 1/4 of a full 80x24 paint ($full_paint B): $quarter B | $per_cell_frame B (ratio $paint_ratio); median single update $median_burst B | $(verdict "$paint_ratio" "<=" 0.25) |
| four live packs, the overview on 80x24, CPU (${LIVE_S} s) | < 0.3 % of a core | $cpu_bank % | $(verdict "$cpu_bank" "<" 0.3) |
| ... peak RSS (four histories) | < 8 MiB | $(mib "$rss_bank") MiB | $(verdict "$rss_bank" "<" 8192) |
| ... timer wakeups while data flows (20 s under strace) | none beyond the 1 s tick | $bank_timeouts timeouts, $bank_extra beyond the tick | $(verdict "$bank_extra" "<=" 0) |
| peak RSS (VmHWM), live: headless / table | < 4 MiB | $(mib "$rss_headless") / $(mib "$rss_tui") MiB | $(verdict "$peak_rss" "<" 4096) |
$(net_cpu_row tcp_h "$TCP" "headless with --log" "$cpu_headless")
$(net_cpu_row tcp_t "$TCP" "the table" "$cpu_tui")
$(net_cpu_row ws_h "$WS" "headless with --log" "$cpu_headless")
$(net_cpu_row ws_t "$WS" "the table" "$cpu_tui")
$(net_wake_row tcp_h "$TCP" "headless with --log")
$(net_wake_row tcp_t "$TCP" "the table")
$(net_wake_row ws_h "$WS" "headless with --log")
$(net_wake_row ws_t "$WS" "the table")
$(net_rss_row tcp "$TCP")
$(net_rss_row ws "$WS")
| peak RSS, replay of the day ($(mib "$day_kb") MiB recording) | < 4 MiB | $(mib "$replay_rss") MiB | $(verdict "$replay_rss" "<" 4096) |
| a year of daily recordings (365 x the day above) through \`--replay --headless --log\`, the CSV in RAM | < 30 s | $year_s s ($rows_year CSV rows) | $(verdict "$year_s" "<" 30) |
| latency: a frame's last byte on the port to the screen update written | median < 1 ms | $latency_ms ms median, $latency_p90 ms p90 (40 frames) | $(verdict "$latency_ms" "<" 1) |
| latency through a loopback MQTT broker: the frame's last byte on the publisher's port to the remote table's screen update | median < 20 ms | $mqtt_ms ms median, $mqtt_p90 ms p90 (40 frames) | $(verdict "$mqtt_ms" "<" 20) |
| live, headless with --mqtt to a loopback broker, CPU (${LIVE_S} s) | < 0.2 % of a core | $cpu_mqtt % | $(verdict "$cpu_mqtt" "<" 0.2) |
| ... its peak RSS (libmosquitto and its TLS libraries loaded) | < 6 MiB | $(mibn "$rss_mqtt") MiB | $(verdict "$rss_mqtt" "<" 6144) |
| a week's recording ($week_mib MiB) to \`--plot\` SVG | < 2 s | $plot_s s (median of 3) | $(verdict "$plot_s" "<" 2) |
| ... the SVG's size | < 2 MB (1953 KiB) | $plot_kb KiB | $(verdict "$plot_kb" "<" 1953) |
| ... peak RSS of the whole process, a week of history in memory | < 6 MiB | $(mib "$plot_rss") MiB | $(verdict "$plot_rss" "<" 6144) |
| start to first screen (live port) | < 20 ms | $start_ms ms (median of 10) | $(verdict "$start_ms" "<" 20) |
| --json on a 10 MB simulator capture ($(mib $((cap_bytes / 1024))) MiB) | | $json_mbs MB/s ($json_s s, median of 5) | |
| ... against a forum Python reader's loop on the same capture (tests/bench_forum.py) | >= 50x faster | $forum_x x (the script: $forum_s s) | $(verdict "$forum_x" ">=" 50) |
| replay with --headless --log, the day above, the CSV in RAM | >= 100 MB/s | $replay_mbs MB/s (fastest of 7; on disk, median of 5 with its fdatasync at close: $replay_disk_mbs MB/s) | $(verdict "$replay_mbs" ">=" 100) |
| peak RSS, replay of the day written in one large write | < 4 MiB | $(mib "$one_rss") MiB | $(verdict "$one_rss" "<" 4096) |
| open and replay a crafted hostile recording, 1 MiB / 8 MiB | < 1 s each, linear | $hostile1 s / $hostile8 s (ratio $hostile_ratio) | $(verdict "$hostile8" "<" 1) |
| peak RSS, replay of a 256 MiB raw dump without 0x57 frames | < 8 MiB | $(mib "$noframes_rss") MiB | $(verdict "$noframes_rss" "<" 8192) |

The replay reader (src/replay.c) reads the recording with pread() into one 128 KiB buffer, for the
check at open and for the replay, so a replay's memory depends neither on the recording's length nor on
how the page cache holds it (a file written in one large write may be cached in folios of up to 2 MiB).

The instructions per byte are the total for the framer+decoder loop: $ipf_total per frame at this
stream's $bytes_per_frame bytes per frame. Callgrind's per-function split is not given: the compiler
inlines across the loop, so the split misleads. Throughput and instructions per byte are information,
not budgets: the line carries about 40 bytes a second, so one plain byte-wise framer and one scalar
decoder (\`cg_framer_next()\`, \`cg_decode()\`), the same on every machine, cost a few thousand
instructions a second. What must not happen is a cost that grows faster than the input: the worst
case row feeds nothing but plausible headers that never sum right.

## How each figure is measured

- **Throughput** (\`tests/bench_framer.c\`): 4 MiB of what chargery-sim sends (16 cells, firmware
  V1.26, the vendor junk between frames: $(key "$W/framer" junk_bytes) junk bytes in $framer_bytes), with one frame
  in 200 also hit by line noise (one byte flipped, so the resync path runs), repeated to 64 MiB.
  It is fed in 4096-byte reads (what chargery-top asks the port for) to \`cg_framer_next()\`, one frame
  per call, and every frame goes through \`cg_decode()\`, as in chargery-top's consume(). One
  warm-up pass, then 9 timed passes (CLOCK_MONOTONIC); the median.
- **Framer worst case** (\`bench_framer --headers N\`): N MiB of \`24 24 56 3D\` repeated, fed the same
  way; 5 timed passes, the fastest (the one least disturbed by other load), in ns per input byte, at
  1 MiB and at 8 MiB. Linear means the ratio stays near 1; over 1.5 is missed.
- **Instructions per byte**: \`valgrind --tool=callgrind --toggle-collect=bench_process\` over one
  4 MiB pass (\`bench_framer --once 4\`): only the framer+decoder loop is counted, not making the input.
  Ir divided by input bytes, and by frames (see above for why no per-function split is reported).
- **Day-long replay** (\`tests/bench_mkrec.c\`): a recording in the --record format of 86,400 simulated
  seconds, one block per second as the recorder writes them; then
  \`chargery-top --headless --log day.csv --replay day.rec\` (no pacing without a screen), wall time
  from fork to exit, median of 5, a fresh CSV each time.
- **A week plotted**: \`bench_mkrec week.rec 604800\` (the simulator for 7 simulated days), then
  \`chargery-top --replay week.rec --plot week.svg\` (no table: the replay runs unpaced into the history,
  src/history.c, and the SVG is written at the end), wall time and peak RSS from \`bench_run\`, median
  of 3; the size of the SVG it wrote.
- **Live CPU**: four simulators (\`chargery-sim --link\`) at the real cadence (0x57 every second, 0x56
  every two), two of them \`--silent\`. For ${LIVE_S} s at once: \`chargery-top --headless --log\` and the
  table (on an 80x24 pty, TERM=xterm-256color, UTF-8) on the two live ones, and both again on the
  silent ones. \`tests/bench_run.c\` starts each and reads its user+sys time from \`wait4()\`: CPU
  over wall time, start-up included.
- **Network sources** (issue 13: no dearer than a serial one): in the same ${LIVE_S} s window, the
  simulator (\`chargery-sim --stdout\`, real cadence) behind \`socat TCP-LISTEN\` (one connection) for
  \`tcp://127.0.0.1:PORT\`, and piped into \`tests/ws_server.py --file -\` (each read of its stdin one
  binary message) for \`ws://127.0.0.1:PORT/bms\`; one server and simulator per client. Each source
  feeds \`--headless --log\` and the table (80x24 pty): CPU and peak RSS as above, next to the
  serial figure of the same window; and again under \`strace -f -ttt -T -e trace=ppoll\` for the
  wakeups. Every server's bytes are teed to a file; \`chargery-top --json\` on it counts the frames sent.
- **Wakeups with data flowing**: every \`ppoll()\` that waited is one wakeup, less the last (the stop),
  placed at its return (start time plus duration) and classed: an *arrival* (it returned the
  source's fd readable), a *timeout just after one* (the table only: the first timeout within 150 ms
  after an arrival, one per arrival; the table draws at most every 100 ms, so a frame that lands
  just after a redraw, the tick's included, is drawn when that time is up; when the tick itself
  falls in that window, timing alone cannot tell the two apart, and it is counted here), or an
  *other timeout* (the tick). Beyond the arrivals and the tick: arrivals past the frames sent (a frame
  wakes at most once; a 0x56 and 0x57 sent together may wake once for both, and the websocket
  handshake's answer is one arrival too), other timeouts past one per whole second of the run, and
  any other return (a key, an error).
- **Wakeups without data**: on the two silent simulators, headless and the table, each under
  \`strace -f -e trace=ppoll\`: every \`ppoll()\` that waited (a zero timeout, asking for an
  immediate redraw, is not a wait) is one wakeup, less the last one, ended by the stop (q or SIGTERM).
  Beyond the tick: the wakeups past one per whole second of the run.
- **Terminal bytes**: \`bench_run -p\` owns the pty and counts every byte the program writes; writes less
  than 30 ms apart are one update. A full paint is the first screen of a replay whose first block holds
  every kind of frame (the whole table drawn on a blank 80x24 terminal, set-up sequences included).
  Per cell-frame update: all bytes written after the first 5 s of the live run (so the 0x57 updates and
  the ages that move every second are included) divided by the 0x56 frames sent meanwhile.
- **Peak RSS**: \`ru_maxrss\` from \`wait4()\`, which is VmHWM at exit.
- **Throughput and a year, the CSV in RAM**: the replay rows write their CSV to \`/dev/shm\` (where
  there is one), so the figure is chargery-top's own and not this disk's: the log's fdatasync at close
  (what keeps it whole through a power cut) costs tens of milliseconds on a VM's disk, and is given
  beside the throughput. The throughput is the fastest of 7 runs: on this shared VM the same run
  takes 38-40 ms or 54-66 ms depending on other load, and the fastest is the program's own speed.
- **A year of recordings**: the day's recording replayed 365 times in a row, one process each, all
  appending to one CSV log (as a year of daily files would be); wall time for all 365.
- **Latency** (\`tests/bench_latency.c\`): the table on an 80x24 pty reads a second, raw pty as its
  port. After the first screen settles, a 0x57 frame with a new current is written to the port every
  250-450 ms (random gaps, so frames fall anywhere in the 1 s tick); the time from the write returning
  to the first byte on the terminal, terminal output drained between frames. 40 frames; the median is
  the budget (a frame that lands within 100 ms after a redraw waits for the redraw coalescing, which the
  p90 shows).
- **Hostile recordings**: the magic line, then a fake block header every 16 bytes (tag 'B', a plausible
  time, a 60 kB length) to 1 and 8 MiB, so every offset after the first bad block is a candidate
  block; \`chargery-top --json --replay\`, wall time from fork to exit. A raw dump of 256 MiB of zeros
  (no 0x57 frame to cut it at) through \`--headless --replay\`, its peak RSS.
- **Through MQTT**: the same latency program with its port read by \`chargery-top --headless --mqtt\`
  publishing to a mosquitto on 127.0.0.1, and the table run as \`chargery-top mqtt://127.0.0.1:PORT/bench/lat\`;
  the publisher's CPU and peak RSS come from a live run of their own beside the others. Not measured
  (n/a) without mosquitto.
- **Start to first screen**: from fork() to the first byte chargery-top writes to the pty, on a live
  simulator link; median of 10.
EOF
say "bench: wrote $OUT"
cat "$OUT"
