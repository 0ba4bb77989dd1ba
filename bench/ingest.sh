#!/usr/bin/env bash
# bench/ingest.sh BUILD - BSrE status ingestion and the purge at scale.
#
#   1. a store of $BENCH_ROWS applicants (default 1,000,000), all BUNDLED:
#      gen-forms, then intake (timed too, for scale);
#   2. ingest of a $BENCH_ROWS-row status export naming them (2% strangers,
#      2% people listed twice) as CSV, as XLSX with shared strings (Excel's
#      shape) and as XLSX with inline strings and NIKs as numbers (other
#      tools' shape), each on a fresh copy of the store;
#   3. purge of $BENCH_PURGE applicants (default 100,000) issued long ago,
#      database scrub (checkpoint, VACUUM, WAL truncation) included.
# Prints one table: wall time, rows per second, peak RSS (/usr/bin/time -v).
set -eu
build=${1:-build}
rows=${BENCH_ROWS:-1000000}
purge=${BENCH_PURGE:-100000}
cd "$(dirname "$0")/.."
build=$(cd "$build" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tte-bench-ingest-XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
printf '[inbox]\nsettle_seconds = 0\nmax_file_mb = 4096\n[tte]\numask = 077\n' >"$root/tte.conf"
"$build/tte" --root "$root" init >/dev/null

results=()
# measure LABEL ROWS CMD...: runs CMD under /usr/bin/time -v.
measure() {
	local label=$1 n=$2
	shift 2
	/usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>&1 || {
		echo "$label failed:"
		tail -20 "$work/out"
		exit 1
	}
	local wall rss secs
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
	secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	results+=("$(printf '| %-44s | %9s | %8.1f | %9s | %8.0f |' "$label" "$n" "$secs" \
		"$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')" \
		"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')")")
}

echo "generating $rows form rows and the status exports..."
"$build/tools/gen-forms" --rows "$rows" --invalid 0 --resubmit 0 >"$work/forms.csv"
for f in csv xlsx xlsx-inline; do
	ext=${f%-inline}
	"$build/tools/gen-status" --forms "$work/forms.csv" --unknown 2 --dup 2 --format "$f" \
		-o "$work/status-$f.$ext"
done
ls -la "$work"/status-* | awk '{ printf "  %s %d MiB\n", $NF, $5 / 1048576 }'

cp "$work/forms.csv" "$root/inbox/forms/"
measure "intake, forms CSV (store setup)" "$rows" \
	"$build/tte" --root "$root" --date 2026-11-20 intake
sqlite3 "$root/var/tte.db" "UPDATE applicants SET state='BUNDLED', bundle='bsre-20261120-01'
	WHERE state='VALID'"
echo "  applicants: $(sqlite3 "$root/var/tte.db" 'SELECT count(*) FROM applicants')"
cp "$root/var/tte.db" "$work/bundled.db"

for f in csv xlsx xlsx-inline; do
	ext=${f%-inline}
	cp "$work/bundled.db" "$root/var/tte.db"
	cp "$work/status-$f.$ext" "$root/inbox/status/status-20261125.$ext"
	measure "ingest, status export $f" "$(sqlite3 "$work/bundled.db" 'SELECT 1' >/dev/null;
		awk 'END { print NR - 1 }' "$work/status-csv.csv")" \
		"$build/tte" --root "$root" --date 2026-11-25 ingest
	if ! grep -h 'status/status-20261125' "$root"/var/log/ingest-*.log | grep rows; then
		echo "ingest of the $f export did not happen:"
		cat "$root"/var/quarantine/status/*.why 2>/dev/null
		exit 1
	fi | tail -1 | sed 's/^.*status\//  /'
	rm -f "$root"/var/log/ingest-*.log
done

cp "$work/bundled.db" "$root/var/tte.db"
sqlite3 "$root/var/tte.db" "UPDATE applicants SET state='ISSUE', issued_day='2026-11-01'
	WHERE id IN (SELECT id FROM applicants ORDER BY id LIMIT $purge)"
measure "purge, applicants issued 30 days ago" "$purge" \
	"$build/tte" --root "$root" --date 2026-12-01 purge
grep -h 'purge:' "$root"/var/log/purge-*.log | sed 's/^.*purge: /  /'
echo "  database after the purge: $(du -m "$root/var/tte.db" | cut -f1) MiB," \
	"WAL: $(stat -c %s "$root/var/tte.db-wal" 2>/dev/null || echo none)"

echo
echo "| case                                         |      rows |   wall s |    rows/s | RSS MiB |"
echo "|----------------------------------------------|-----------|----------|-----------|---------|"
printf '%s\n' "${results[@]}"
