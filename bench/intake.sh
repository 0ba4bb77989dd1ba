#!/usr/bin/env bash
# bench/intake.sh BUILD - the nightly cost of the form path, one table, each
# figure beside its reference from the same run, every step pinned to one
# core. Per size N (synthetic mix from tools/gen-forms: ~15% invalid, ~5%
# resubmissions):
#
#   intake, report  tte intake and tte report of an N-row export, new store
#   sum, floor      their sum, and the library floor for the same export
#                   (tools/floor.c: libcsv parse + SQLite storing each row
#                   once + libxlsxwriter writing Pemohon's 7 columns; the
#                   parse counted once) and the ratio sum / floor
#   night           the cumulative export of the next night: the same N rows
#                   plus N/1000 new ones, through tte intake; its ratio to a
#                   bare libcsv parse of that file (floor parse); each the
#                   best of three runs
#   quiet           tte run with no new file (every stage, letters done: the
#                   applicants are set BUNDLED first), its ratio to tte
#                   report alone on the same store
#   rss             the largest peak RSS of any tte step above (MiB)
#   sheets          worksheets in day 1's workbook: 6, more once a table
#                   passes Excel's row limit (Riwayat (2), ...; Ringkasan
#                   then says so)
#
# A second table says what the workbooks hold: the cells and the XML bytes
# of tte's report and of the floor's one sheet, and what each cost per
# million cells (the floor's: its xlsx step less its parse).
#
# BENCH_SIZES overrides the sizes (default "10000 200000 1000000").
# BENCH_DETAIL=1 also prints each step of the quiet night.
set -eu
build=$1
tte="$PWD/$build/tte"
gen="$PWD/$build/tools/gen-forms"
floor="$PWD/$build/tools/floor"
sizes=${BENCH_SIZES:-"10000 200000 1000000"}
. "$(dirname "$0")/common.sh"

add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; printf "%.3f", (d < 0 ? 0 : d) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a * 1e6 / b : 0) }'; }
mib() { awk -v a="$1" 'BEGIN { printf "%.0f", a / 1048576 }'; }
# cells XLSX: "cells bytes" of its worksheets' XML
cells() {
	unzip -p "$1" 'xl/worksheets/sheet*.xml' | tee >(wc -c > "$work/bytes") |
		grep -o '<c ' | wc -l | tr '\n' ' '
	cat "$work/bytes"
}
least() { if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print (b < a ? b : a) }'; fi; }
max() { if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi; }

fmt='| %9s | %8s | %8s | %8s | %8s | %6s | %8s | %8s | %6s | %8s | %6s | %7s | %6s |\n'
printf "$fmt" rows intake_s report_s sum_s floor_s ratio night_s parse_s ratio quiet_s ratio \
	rss_MiB sheets
printf "$fmt" ---: ---: ---: ---: ---: ---: ---: ---: ---: ---: ---: ---: ---:
fmt2='| %9s | %12s | %10s | %14s | %11s | %9s | %13s | %7s |\n'
shape=
for n in $sizes; do
	root="$work/root-$n"
	mkdir -p "$root/inbox/forms"
	printf '[inbox]\nsettle_seconds = 0\n' > "$root/tte.conf"
	"$gen" --rows "$n" --seed 1 > "$work/export.csv"
	cp "$work/export.csv" "$root/inbox/forms/export.csv"
	rss=0

	# Day 1: a new store takes the whole export; the report follows.
	read -r iw _ _ r < <(measure $pin "$tte" --root "$root" --date 2026-11-24 intake)
	rss=$(max "$rss" "$r")
	read -r rw _ _ r < <(measure $pin "$tte" --root "$root" --date 2026-11-24 report)
	rss=$(max "$rss" "$r")
	sum=$(add "$iw" "$rw")
	sheets=$(unzip -l "$root"/outbox/reports/*.xlsx | grep -c 'xl/worksheets/sheet')
	read -r rc rb < <(cells "$root"/outbox/reports/*.xlsx)

	# The floor on the same export.
	read -r pw _ _ _ < <(measure $pin "$floor" csv "$work/export.csv")
	rm -f "$work/floor"*
	read -r sw _ _ _ < <(measure $pin "$floor" sqlite "$work/export.csv" "$work/floor.db")
	read -r xw _ _ _ < <(measure $pin "$floor" xlsx "$work/export.csv" "$work/floor.xlsx")
	read -r fc fb < <(cells "$work/floor.xlsx")
	shape+=$(printf "$fmt2" "$n" "$rc" "$(mib "$rb")" "$(per "$rw" "$rc")" "$fc" "$(mib "$fb")" \
		"$(per "$(sub "$xw" "$pw")" "$fc")" "$(ratio "$rc" "$fc")")$'\n'
	rm -f "$work/floor"*
	fl=$(add "$pw" "$(add "$(sub "$sw" "$pw")" "$(sub "$xw" "$pw")")")

	# Day 2: the cumulative export, N known rows + N/1000 new. Both sides
	# are short and their ratio is the target: each is the best of three
	# (the night each time on a copy of day 1's root; the last copy goes on).
	"$gen" --rows "$((n + n / 1000))" --seed 1 > "$work/export-2.csv"
	bw= nw=
	for i in 1 2 3; do
		read -r w _ _ _ < <(measure $pin "$floor" parse "$work/export-2.csv")
		bw=$(least "$bw" "$w")
		rm -rf "$root.night"
		cp -a "$root" "$root.night"
		cp "$work/export-2.csv" "$root.night/inbox/forms/export-2.csv"
		sync	# else the night's fdatasync writes out the whole copy
		read -r w _ _ r < <(measure $pin "$tte" --root "$root.night" --date 2026-11-25 intake)
		nw=$(least "$nw" "$w")
		rss=$(max "$rss" "$r")
	done
	rm -rf "$root"
	mv "$root.night" "$root"

	# Day 3: a quiet night. Letters are taken as done (the synthetic
	# store has no recommender): every VALID applicant is BUNDLED.
	sqlite3 "$root/var/tte.db" \
		"UPDATE applicants SET state='BUNDLED', bundle='bench' WHERE state='VALID'"
	read -r qw _ _ r < <(measure $pin "$tte" --root "$root" --date 2026-11-26 run)
	rss=$(max "$rss" "$r")
	read -r q1 _ _ _ < <(measure $pin "$tte" --root "$root" --date 2026-11-26 report)
	if [ "${BENCH_DETAIL:-0}" = 1 ]; then
		grep -h 'stage .* end' "$root"/var/log/*.log | tail -n 12 >&2 || true
	fi

	printf "$fmt" "$n" "$iw" "$rw" "$sum" "$fl" "$(ratio "$sum" "$fl")" "$nw" "$bw" \
		"$(ratio "$nw" "$bw")" "$qw" "$(ratio "$qw" "$q1")" "$((rss / 1024))" "$sheets"
	rm -rf "$root"
done
echo "ratio: sum / floor (target 1.5 at 1M); night / parse (target 3);" \
	"quiet / report alone (target 1.5)"
echo
printf "$fmt2" rows report_cells report_MiB report_s_per_M floor_cells floor_MiB floor_s_per_M \
	cells_x
printf "$fmt2" ---: ---: ---: ---: ---: ---: ---: ---:
printf '%s' "$shape"
echo "MiB: worksheet XML before zipping; s_per_M: seconds per million cells (the report's" \
	"include its reads of the store)"
