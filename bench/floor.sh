#!/usr/bin/env bash
# bench/floor.sh BUILD - the least the mandated libraries alone need for the
# intake + report benchmark (bench/intake.sh), on the same generated export,
# pinned to one core: libcsv parsing it, SQLite storing each row once under
# a unique row key, libxlsxwriter writing the 7 columns the contract
# requires of `Pemohon`. No validation, no applicants table, no history, no
# other sheet. Their sum is a lower bound for what tte can reach with these
# libraries on this machine (tools/floor.c says exactly what each does).
#
# BENCH_FLOOR_SIZES overrides the sizes (default "1000000").
set -eu
build=$1
floor="$PWD/$build/tools/floor"
gen="$PWD/$build/tools/gen-forms"
sizes=${BENCH_FLOOR_SIZES:-"1000000"}
. "$(dirname "$0")/common.sh"

printf '%-9s %-34s %9s %9s %9s %9s\n' rows step wall_s user_s sys_s rss_MiB
for n in $sizes; do
	"$gen" --rows "$n" --seed 1 > "$work/export.csv"
	read -r pw pu ps prss < <(measure $pin "$floor" csv "$work/export.csv")
	printf '%-9s %-34s %9s %9s %9s %9s\n' "$n" "libcsv: parse" "$pw" "$pu" "$ps" \
		"$((prss / 1024))"
	total=$pw
	for step in sqlite xlsx; do
		rm -f "$work/out"*
		read -r w u s rss < <(measure $pin "$floor" "$step" "$work/export.csv" "$work/out")
		# The parse is in every step; count it once.
		d=$(awk -v a="$w" -v b="$pw" 'BEGIN { printf "%.2f", a - b }')
		du=$(awk -v a="$u" -v b="$pu" 'BEGIN { printf "%.2f", a - b }')
		ds=$(awk -v a="$s" -v b="$ps" 'BEGIN { printf "%.2f", a - b }')
		label="SQLite: store each row once"
		if [ "$step" = xlsx ]; then label="libxlsxwriter: Pemohon, 7 columns"; fi
		printf '%-9s %-34s %9s %9s %9s %9s\n' "$n" "$label" "$d" "$du" "$ds" "$((rss / 1024))"
		total=$(awk -v a="$total" -v b="$d" 'BEGIN { printf "%.2f", a + b }')
	done
	printf '%-9s %-34s %9s\n' "$n" "sum: lower bound for intake+report" "$total"
done
