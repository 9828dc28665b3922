# Shared helpers for the end-to-end scripts (tests/e2e_*.sh): a private
# tmux server per script, screen reads with deadlines instead of fixed
# sleeps, and TAP-style "ok"/"not ok" lines that tests/run counts.
#
# Source it; then call e2e_setup. Everything started is stopped on exit.

B=${B:-build}
TOP=$PWD/$B/chargery-top
SIM=$PWD/$B/chargery-sim
E2E_TMP=$(mktemp -d /tmp/chargery-e2e.XXXXXX)
TMUX_BASE=cg$$
TMUX_RUNS=0
TMUX_SOCK=$TMUX_BASE-0
E2E_PIDS=()
e2e_failures=0

e2e_cleanup() {
	local i
	for i in $(seq 0 "$TMUX_RUNS"); do
		tmux -L "$TMUX_BASE-$i" kill-server 2>/dev/null
	done
	for pid in "${E2E_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$E2E_TMP"
}

e2e_setup() {
	trap e2e_cleanup EXIT
	[ -x "$TOP" ] && [ -x "$SIM" ] || { echo "not ok - build first: $TOP"; exit 1; }
}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; e2e_failures=$((e2e_failures + 1)); }
# skip NAME REASON: a check this machine cannot run, counted as skipped.
skip() { echo "ok - $1 # SKIP $2"; }

# have TOOL: true if TOOL is installed.
have() { command -v "$1" >/dev/null 2>&1; }
# needs TOOL PACKAGE: the reason a check is skipped when TOOL is missing,
# e.g. "needs tmux from tmux"; empty (and true) when TOOL is there.
needs() { have "$1" && { NEEDS=; return 0; }; NEEDS="needs $1 from $2"; return 1; }
# e2e_require TOOL PACKAGE WHAT: for a script that is all about TOOL (the
# table in tmux): without it, one visible skip for the whole script.
e2e_require() {
	needs "$1" "$2" && return 0
	skip "$3" "$NEEDS"
	exit 0
}

# check NAME COMMAND...: one assertion.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# tmux_start WIDTH HEIGHT COMMAND: runs COMMAND in a fresh pane (window 0).
# The pane keeps a shell, so what is left after the program quits is seen.
tmux_start() {
	local w=$1 h=$2; shift 2
	# A fresh server each time: reusing a socket races with the old
	# server's shutdown.
	TMUX_RUNS=$((TMUX_RUNS + 1))
	TMUX_SOCK=$TMUX_BASE-$TMUX_RUNS
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x "$w" -y "$h" \
		-e LANG=C.UTF-8 "bash --norc --noprofile"
	tmux -L "$TMUX_SOCK" set-option -g default-terminal tmux-256color >/dev/null
	tmux -L "$TMUX_SOCK" set-option -g status off >/dev/null
	tmux -L "$TMUX_SOCK" send-keys "PS1='$ '; clear; $*" Enter
}

tmux_keys() { tmux -L "$TMUX_SOCK" send-keys "$@"; }
tmux_resize() { tmux -L "$TMUX_SOCK" resize-window -x "$1" -y "$2"; }
screen() { tmux -L "$TMUX_SOCK" capture-pane -p; }
# screen_sgr: the screen with its colour and attribute escape sequences.
screen_sgr() { tmux -L "$TMUX_SOCK" capture-pane -p -e; }
tmux_kill() { tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; }
# widest_line: display width of the widest screen line (UTF-8 aware).
widest_line() { screen | LC_ALL=C.UTF-8 wc -L; }
alternate_on() { tmux -L "$TMUX_SOCK" display-message -p '#{alternate_on}'; }

# wait_screen SECONDS REGEX: true once the screen matches (grep -E).
wait_screen() {
	local deadline=$((SECONDS + $1))
	while [ $SECONDS -le $deadline ]; do
		screen | grep -Eq -- "$2" && return 0
		sleep 0.2
	done
	echo "# screen did not show /$2/ within $1 s; it shows:"
	screen | sed 's/^/#   /'
	return 1
}

# wait_file SECONDS PATH: true once PATH exists.
wait_file() { wait_for "$1" test -e "$2"; }

# wait_for SECONDS COMMAND...: true once COMMAND succeeds, polled every
# 0.1 s. After SECONDS in vain it says what it waited for and fails, so
# the check around it fails with that message.
wait_for() {
	local secs=$1 deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		if [ $SECONDS -gt $deadline ]; then
			echo "# waited $secs s in vain for: $*"
			return 1
		fi
		sleep 0.1
	done
}

# Evidence to wait for.
# lines_at_least N FILE: FILE has N lines or more.
lines_at_least() { [ -f "$2" ] && [ "$(wc -l <"$2")" -ge "$1" ]; }
# matches_at_least N REGEX FILE: N lines or more of FILE match REGEX.
matches_at_least() { [ -f "$3" ] && [ "$(grep -Ec -- "$2" "$3")" -ge "$1" ]; }
# gone PID: the process has ended.
gone() { ! kill -0 "$1" 2>/dev/null; }

# pids_of REGEX: the processes whose command line (arguments joined by
# spaces) matches REGEX, read from /proc, so that procps is not needed.
pids_of() {
	local d args cmd
	for d in /proc/[0-9]*; do
		mapfile -d "" -t args 2>/dev/null <"$d/cmdline" || continue
		cmd="${args[*]}"
		[ -n "$cmd" ] && [[ $cmd =~ $1 ]] && echo "${d#/proc/}"
	done
	return 0
}
# children_of PID: its child processes, from /proc.
children_of() {
	local d stat fields
	for d in /proc/[0-9]*; do
		read -r stat 2>/dev/null <"$d/stat" || continue
		read -r -a fields <<<"${stat##*) }"
		[ "${fields[1]}" = "$1" ] && echo "${d#/proc/}"
	done
	return 0
}

# sim_start ARGS...: a simulator in the background; its pid is in SIM_PID.
sim_start() {
	"$SIM" "$@" >"$E2E_TMP/sim.out" 2>&1 &
	SIM_PID=$!
	E2E_PIDS+=("$SIM_PID")
}

# --- the table --------------------------------------------------------------
# CELL_ROW: a cell's row (index and voltage) at the start of a line.
CELL_ROW='^ ?[0-9]{1,2} [0-9]\.[0-9]{3} '
# rows_shown: how many cell rows (index + voltage) the screen shows,
# counting both columns of a two-column layout.
rows_shown() { screen | grep -Eo '(^|  )( ?[0-9]{1,2}) [0-9]\.[0-9]{3} ' | wc -l; }

# --- recordings ---------------------------------------------------------------
# RECBYTES FILE: writes the bytes a recording holds (tests/e2e_recbytes.c).
RECBYTES=$PWD/$B/e2e/e2e_recbytes
# every_byte FILE: the 256 byte values in order.
every_byte() {
	local i
	for i in $(seq 0 255); do printf "\\$(printf %03o "$i")"; done >"$1"
}
# spaced_hex: standard input as " 00 01 ...", one space before each byte,
# so a match cannot start in the middle of a byte.
spaced_hex() { od -An -v -tx1 | tr -s ' \n' '  ' | sed 's/ *$//'; }
# recording_has REC PATTERN-HEX: the recording's bytes hold the pattern.
recording_has() {
	[ -s "$1" ] && "$RECBYTES" "$1" 2>/dev/null | spaced_hex | grep -qF -- "$2"
}

# --- chargery-top in the background, for the network sources ------------------
# Debian's python3, with python3-websockets (tests/ws_server.py).
PY=/usr/bin/python3
# free_port: a TCP port on 127.0.0.1 that nothing listens on just now.
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start_top ARGS...: chargery-top in the background, stdout to top.out,
# stderr to top.err (both in E2E_TMP); its pid in TOP_PID.
start_top() {
	# Emptied here, not by the child's redirection: a wait right after
	# must not see the last run's lines.
	: >"$E2E_TMP/top.out"
	: >"$E2E_TMP/top.err"
	"$TOP" "$@" >"$E2E_TMP/top.out" 2>"$E2E_TMP/top.err" &
	TOP_PID=$!
	E2E_PIDS+=("$TOP_PID")
}
stop_top() { kill "$TOP_PID" 2>/dev/null; wait "$TOP_PID" 2>/dev/null; }
# stderr_has REGEX: the last start_top's stderr matches REGEX.
stderr_has() { grep -Eq -- "$1" "$E2E_TMP/top.err"; }
# show_stderr: the last start_top's stderr, as TAP comments.
show_stderr() { sed 's/^/#   /' "$E2E_TMP/top.err"; }

e2e_finish() { exit $((e2e_failures > 0)); }
