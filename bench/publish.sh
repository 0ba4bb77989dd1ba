#!/usr/bin/env bash
# bench/publish.sh BUILD - the publish stage (outbox/web/, the verification
# site) for $BENCH_LETTERS letters (default 10,000), pinned to one core:
#
#   1. the whole site from scratch (every page and index.json written);
#   2. the next night with nothing changed (every page compared, none
#      written);
#   3. the night after one correction (one letter superseded, one new).
#
# The store is seeded directly: applicants by gen-forms + the real intake,
# then the letter rows the publish stage reads (id, day, SHA-256, the
# page's facts; one in ten with a verified signed copy) inserted with
# sqlite3 instead of drawing 10,000 PDFs, which is the letters benchmark's
# job. The publish stage itself runs for real. Prints wall time, pages per
# second, files written and peak RSS (/usr/bin/time -v), and as the file
# system's floor the time `cp -a` takes to copy the site just written.
set -eu
build=${1:-build}
n=${BENCH_LETTERS:-10000}
day=2026-11-24
cd "$(dirname "$0")/.."
build=$(cd "$build" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tte-bench-publish-XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
cpu=${BENCH_CPU:-$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')}
root=$work/root
mkdir -p "$root/inbox/forms"
cat >"$root/tte.conf" <<CONF
[inbox]
settle_seconds = 0
[pemberi_rekomendasi]
nama = Made Contoh Rekomendasi
nip = 197501012000031001
nik = 5108010101750001
golongan = IV/a
CONF
"$build/tools/gen-forms" --rows "$n" --invalid 0 --resubmit 0 >"$root/inbox/forms/f.csv"
"$build/tte" --root "$root" --date $day intake

# One letter per applicant, as the letters stage records them.
sqlite3 "$root/var/tte.db" <<'SQL'
BEGIN;
CREATE TEMP TABLE ids AS SELECT id AS applicant_id, upper(hex(randomblob(8))) AS h
  FROM applicants WHERE state='VALID';
INSERT INTO letters(id, applicant_id, version, data_hash, day, sha256, file, page_instansi,
  page_rec_name, page_rec_position, page_name, page_unit, page_nip)
SELECT '20261124-' || substr(h, 1, 4) || '-' || substr(h, 5, 4) || '-' || substr(h, 9, 4) ||
       '-' || substr(h, 13, 4), a.id, 1, a.data_hash, '2026-11-24', lower(hex(randomblob(32))),
       'outbox/letters/' || a.nip || '.pdf', 'Universitas Pendidikan Ganesha',
       'Made Contoh Rekomendasi', 'Kepala UPT Teknologi Informasi dan Komunikasi', a.name,
       a.unit, a.nip
  FROM ids JOIN applicants a ON a.id=ids.applicant_id;
UPDATE applicants SET state='LETTER', letter_id=(SELECT id FROM letters l
  WHERE l.applicant_id=applicants.id) WHERE state='VALID';
UPDATE letters SET signed_sha256=lower(hex(randomblob(32))), signed_day='2026-11-25',
  signer='Made Contoh Rekomendasi' WHERE applicant_id % 10 = 0;
COMMIT;
SQL
letters=$(sqlite3 "$root/var/tte.db" "SELECT count(*) FROM letters")

printf '| %s letters | s | CPU s | pages/s (1 core) | files written | peak RSS MiB |\n' "$letters"
printf '|---|---:|---:|---:|---:|---:|\n'
# night LABEL: one publish run, pinned, timed.
night() {
	sync
	/usr/bin/time -v -o "$work/time" taskset -c "$cpu" \
		"$build/stages/publish" --root "$root" --date $day >/dev/null 2>"$work/err" || {
		cat "$work/err" >&2
		exit 1
	}
	local wall rss written cpu
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
	cpu=$(sed -n 's/.*\(User\|System\) time (seconds): //p' "$work/time" | awk '{ s += $1 } END { print s }')
	written=$(grep -h 'publish: ' "$root"/var/log/*.log | tail -1 |
		sed 's/.*letters, \([0-9]*\) files written.*/\1/')
	awk -v l="$1" -v n="$letters" -v s="$wall" -v c="$cpu" -v w="$written" -v r="$rss" 'BEGIN {
		printf "| %s | %.2f | %.2f | %.0f | %d | %.1f |\n", l, s, c, (s > 0 ? n / s : 0), w, r / 1024 }'
}
night "from scratch"
# The file system's floor for the same files and folders, for scale.
sync
/usr/bin/time -f '%e' -o "$work/cp" cp -a "$root/outbox/web" "$work/web-copy"
awk -v s="$(cat "$work/cp")" 'BEGIN { printf "| floor: cp -a of the site | %.2f | | | | |\n", s }'
rm -rf "$work/web-copy"
night "next night, nothing changed"
# One correction: the first applicant's letter superseded by version 2.
sqlite3 "$root/var/tte.db" <<'SQL'
BEGIN;
UPDATE letters SET superseded_day='2026-11-25', file=NULL
  WHERE applicant_id=(SELECT min(applicant_id) FROM letters);
INSERT INTO letters(id, applicant_id, version, data_hash, day, sha256, file, page_instansi,
  page_rec_name, page_rec_position, page_name, page_unit, page_nip)
SELECT '20261125-AAAA-BBBB-CCCC-DDDD', applicant_id, 2, data_hash, '2026-11-25',
       lower(hex(randomblob(32))), file, page_instansi, page_rec_name, page_rec_position,
       page_name, 'Unit yang diperbaiki', page_nip
  FROM letters WHERE applicant_id=(SELECT min(applicant_id) FROM letters);
COMMIT;
SQL
letters=$(sqlite3 "$root/var/tte.db" "SELECT count(*) FROM letters")
night "after one correction"
du -sm "$root/outbox/web" | awk '{ printf "\n(site: %d MiB; ", $1 }'
printf '%s, %s; load average %s)\n' "$(nproc) cores" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
