#!/usr/bin/env bash
# bench/intake.sh BUILD - intake + validate + report for N synthetic
# submissions (a realistic mix: ~15% invalid, ~5% resubmissions), pinned
# to one core. Prints rows/s and peak RSS per stage.
#
# BENCH_SIZES overrides the sizes (default "10000 1000000").
set -eu
build=$1
tte="$PWD/$build/tte"
gen="$PWD/$build/tools/gen-forms"
sizes=${BENCH_SIZES:-"10000 1000000"}
. "$(dirname "$0")/common.sh"

printf '%-9s %-8s %9s %9s %9s %11s %9s %8s\n' rows stage wall_s user_s sys_s rows/s_wall rss_MiB csv_MiB
for n in $sizes; do
	root="$work/root-$n"
	mkdir -p "$root/inbox/forms"
	printf '[inbox]\nsettle_seconds = 0\n' > "$root/tte.conf"
	"$gen" --rows "$n" --seed 1 > "$root/inbox/forms/export.csv"
	mb=$(( $(stat -c %s "$root/inbox/forms/export.csv") / 1048576 ))
	tw=0; tu=0; ts=0; trss=0
	for stage in intake report; do
		read -r wall user sys rss < <(measure $pin "$tte" --root "$root" --date 2026-11-24 "$stage")
		rate=$(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
		printf '%-9s %-8s %9s %9s %9s %11s %9s %8s\n' "$n" "$stage" "$wall" "$user" "$sys" \
			"$rate" "$((rss / 1024))" "$mb"
		read -r tw tu ts < <(awk -v a="$tw" -v b="$wall" -v c="$tu" -v d="$user" -v e="$ts" \
			-v f="$sys" 'BEGIN { printf "%.2f %.2f %.2f\n", a + b, c + d, e + f }')
		if [ "$rss" -gt "$trss" ]; then trss=$rss; fi
	done
	rate=$(awk -v n="$n" -v w="$tw" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
	printf '%-9s %-8s %9s %9s %9s %11s %9s %8s\n' "$n" "total" "$tw" "$tu" "$ts" "$rate" \
		"$((trss / 1024))" "$mb"
	rej=$(sqlite3 "$root/var/tte.db" "SELECT count(*) FROM submissions WHERE verdict!='VALID'")
	apps=$(sqlite3 "$root/var/tte.db" "SELECT count(*) FROM applicants")
	echo "          ($apps applicants, $rej rejected rows; db $(( $(stat -c %s "$root/var/tte.db") / 1048576 )) MiB," \
		"workbook $(( $(stat -c %s "$root"/outbox/reports/*.xlsx) / 1048576 )) MiB)"
	rm -rf "$root"
done
