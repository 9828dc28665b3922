#!/usr/bin/env bash
# The README's screenshots are the program's own output: the table at 80x24
# on a simulator capture of a 16-cell and of a 24-cell unit, and the history
# screen (key t) of ten minutes of the 16-cell one, replayed to the end in
# tmux (same seed, same bytes, same screen).
#
#   tests/readme-screens.sh           prints both screens
#   tests/readme-screens.sh --write   puts them into README.md, between the
#                                     <!-- screen:16 -->, <!-- screen:24 --> and
#                                     <!-- screen:history --> markers and their
#                                     closing ones
#
# The frames-per-second figure in the status line is measured in real time
# and differs from run to run: tests/e2e_readme.sh compares the screens with
# it masked.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
TOP=$PWD/$B/chargery-top
SIM=$PWD/$B/chargery-sim
command -v tmux >/dev/null || { echo "readme-screens: needs tmux" >&2; exit 69; }
T=$(mktemp -d /tmp/chargery-readme.XXXXXX)
SOCK=chargery-readme-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$T"' EXIT

# screen SLOTS [SECONDS [KEY]]: the table (or, after KEY, another screen)
# at the end of a capture of SECONDS (120) of simulated time.
screen() {
	local slots=$1 secs=${2:-120} key=${3:-} cap=$T/sim$1.bin
	"$SIM" --stdout --slots "$slots" --seed 7 --duration "$secs" --speed 100000 >"$cap"
	# A raw dump's times end at its modification time: a fixed one.
	touch -d '2026-11-24 06:20:00 UTC' "$cap"
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	tmux -L "$SOCK" new-session -d -x 80 -y 24 \
		"env TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR=1 \
		 '$TOP' --replay '$cap' --speed 1024"
	for _ in $(seq 200); do
		tmux -L "$SOCK" capture-pane -p | grep -q 'end of capture' && break
		sleep 0.05
	done
	if [ -n "$key" ]; then
		tmux -L "$SOCK" send-keys "$key"
	fi
	# One more redraw after the end, so every age has settled.
	sleep 1.2
	tmux -L "$SOCK" capture-pane -p | sed -e 's/[[:space:]]*$//' \
		-e "s|$T/||g"
	tmux -L "$SOCK" kill-server 2>/dev/null || true
}

screen 16 >"$T/16.txt"
screen 24 >"$T/24.txt"
screen 16 600 t >"$T/history.txt"

if [ "${1:-}" != --write ]; then
	echo "<!-- screen:16 -->"; cat "$T/16.txt"
	echo "<!-- screen:24 -->"; cat "$T/24.txt"
	echo "<!-- screen:history -->"; cat "$T/history.txt"
	exit 0
fi
python3 - "$T" <<'PY'
import re, sys
t = sys.argv[1]
readme = open('README.md', encoding='utf-8').read()
for n in ('16', '24', 'history'):
    shot = open(f'{t}/{n}.txt', encoding='utf-8').read().rstrip('\n')
    block = f'<!-- screen:{n} -->\n```\n{shot}\n```\n<!-- /screen:{n} -->'
    pat = re.compile(rf'<!-- screen:{n} -->.*?<!-- /screen:{n} -->', re.S)
    if not pat.search(readme):
        sys.exit(f'readme-screens: README.md has no <!-- screen:{n} --> block')
    readme = pat.sub(lambda m: block, readme)
open('README.md', 'w', encoding='utf-8').write(readme)
PY
echo "readme-screens: README.md updated"
