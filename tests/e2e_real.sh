#!/usr/bin/env bash
# End-to-end: chargery-top --json on each real capture in ../shared/real
# (read where it lies, never copied; CG_REAL_DIR overrides the folder)
# emits every good frame, the pre-V1.21 and V1.22 variants included.
set -u
cd "$(dirname "$0")/.."
. tests/lib_e2e.sh
e2e_setup

# A firmware variant not known yet: good 0x57 frames of 18 bytes are said,
# on stderr at the end of --json, in --once, never as "no frames".
printf '\044\044\127\022\016\044\001\000\346\000\201\000\204\133\012\360\000\044' >"$E2E_TMP/f18"
cat "$E2E_TMP/f18" "$E2E_TMP/f18" >"$E2E_TMP/variant.bin"
"$TOP" --json "$E2E_TMP/variant.bin" >"$E2E_TMP/v.json" 2>"$E2E_TMP/v.err"
check "--json on unknown variants: says so on stderr at the end" \
	grep -qx 'chargery-top: 2 checksum-valid 0x57 frames of 18 bytes that this version cannot read: please send a recording (--record)' "$E2E_TMP/v.err"
"$TOP" --once "$E2E_TMP/variant.bin" >/dev/null 2>"$E2E_TMP/once.err"
check "--once on unknown variants only: exits 1, asks for a recording, never says no frames" \
	sh -c "[ $? -eq 1 ] && grep -q 'please send a recording' '$E2E_TMP/once.err' && ! grep -q 'no frames' '$E2E_TMP/once.err'"

REAL=${CG_REAL_DIR:-../shared/real}
if [ ! -d "$REAL" ]; then
	skip "--json on the real captures" "needs the captures in $REAL (../shared/real)"
	e2e_finish
fi

# file status-lines cells-lines impedance-lines
while read -r file status cells imp; do
	if [ ! -r "$REAL/$file" ]; then
		skip "--json $file" "needs $REAL/$file"
		continue
	fi
	"$TOP" --json "$REAL/$file" >"$E2E_TMP/out.json" 2>"$E2E_TMP/err.txt"
	rc=$?
	check "--json $file exits 0" [ "$rc" -eq 0 ]
	check "... $status status, $cells cells, $imp impedance lines" \
		[ "$(grep -c '"frame":"status"' "$E2E_TMP/out.json"),$(grep -c '"frame":"cells"' "$E2E_TMP/out.json"),$(grep -c '"frame":"impedance"' "$E2E_TMP/out.json")" = "$status,$cells,$imp" ]
done <<'LIST'
wolfgangr-chargery2PERL-test2.raw 33 0 0
diysolarforum-3469-post297466-od.raw 7 2 0
barkinspider-solarshed-getChargeryData-comment.raw 1 1 0
chargery-pdf-v1.22-stream.raw 28 8 0
chargery-pdf-v1.25-v1.26-example.raw 4 1 1
chargery-pdf-v1.26-24t-frame.raw 0 1 0
LIST

f=$REAL/wolfgangr-chargery2PERL-test2.raw
if [ -r "$f" ]; then
	"$TOP" --json "$f" >"$E2E_TMP/old.json" 2>/dev/null
	check "BMS24T before V1.21: mode and SOC null, the current a magnitude" \
		grep -q '"charge_end_mv":2750,"discharge_end_mv":null,"mode":null,"current_a":0.0,"t1_c":11.8,"t2_c":11.2,"soc_pct":null,' "$E2E_TMP/old.json"
fi
f=$REAL/diysolarforum-3469-post297466-od.raw
if [ -r "$f" ]; then
	"$TOP" --json "$f" >"$E2E_TMP/v122.json" 2>/dev/null
	check "BMS8T V1.22: the byte after the cells is the SOC" \
		grep -q '"cells_mv":\[3604,3344,3341,3344,3346,3354,3374,3508\],"wh":null,"ah":null,"soc_pct":100}' "$E2E_TMP/v122.json"
fi
e2e_finish
