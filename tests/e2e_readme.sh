#!/usr/bin/env bash
# The README's screenshots are what the program draws today: each block
# between <!-- screen:N --> markers is compared with a fresh drawing by
# tests/readme-screens.sh (frames per second masked: real time). A change
# to the screen that is meant must come with `tests/readme-screens.sh
# --write`.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
B=${B:-build}
export B

if ! command -v tmux >/dev/null; then
	for n in 16 24 history; do
		ok "README's $n screen is the program's # SKIP needs tmux from tmux"
	done
	exit 0
fi
T=$(mktemp -d /tmp/chargery-readme-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
mask() { sed -E 's/[0-9]+\.[0-9]\/s/N\/s/g'; }
bash tests/readme-screens.sh >"$T/drawn" 2>"$T/err" ||
	{ not_ok "tests/readme-screens.sh draws the screens: $(head -n 2 "$T/err")"; exit 0; }
for n in 16 24 history; do
	# What the README shows, and what the program draws.
	awk -v n="$n" '$0 == "<!-- screen:" n " -->" { s = 1; next }
		s && /^```$/ { if (in_block) exit; in_block = 1; next }
		s && in_block' README.md | mask >"$T/readme.$n"
	awk -v n="$n" '$0 == "<!-- screen:" n " -->" { s = 1; next }
		s && /^<!-- screen:/ { exit } s' "$T/drawn" | mask >"$T/drawn.$n"
	if [ -s "$T/readme.$n" ] && cmp -s "$T/readme.$n" "$T/drawn.$n"; then
		ok "README's $n screen is the program's"
	else
		not_ok "README's $n screen is the program's (tests/readme-screens.sh --write to update it)"
		diff "$T/readme.$n" "$T/drawn.$n" | head -n 10 | sed 's/^/#   /'
	fi
done
exit 0
