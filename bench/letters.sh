#!/usr/bin/env bash
# bench/letters.sh BUILD - the letters and bundle stages on synthetic
# applicants (tools/gen-forms, all valid): letters per second for 1k and
# 10k applicants with the whole stage pinned to one core (taskset; the
# writer thread shares that core), CPU time per letter, peak RSS
# (/usr/bin/time -v), then the bundle of the same applicants.
# BENCH_SIZES overrides the sizes ("1000 10000"), BENCH_CPU the core.
set -eu
build=${1:-build}
sizes=${BENCH_SIZES:-1000 10000}
day=2026-11-24
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tte-bench-letters-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cpu=${BENCH_CPU:-$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')}

measure() {	# measure OUT CMD... : run pinned, keep /usr/bin/time -v output
	local out=$1
	shift
	/usr/bin/time -v -o "$out" taskset -c "$cpu" "$@" >/dev/null
}
field() {	# field FILE LABEL
	sed -n "s/^[[:space:]]*$2: //p" "$1"
}
secs() {	# elapsed h:mm:ss or m:ss.xx -> seconds
	awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$1"
}

printf '| applicants | letters s | letters/s (1 core) | CPU ms/letter | letters peak RSS | bundle s | bundle MB | bundle peak RSS |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $sizes; do
	root=$tmp/r$n
	mkdir -p "$root/inbox/forms"
	cat >"$root/tte.conf" <<CONF
[inbox]
settle_seconds = 0
[pemberi_rekomendasi]
nama = Made Contoh Rekomendasi
nip = 197501012000031001
nik = 5108010101750001
golongan = IV/a
email = kepala.tik@undiksha.ac.id
CONF
	"$build/tools/gen-forms" --rows "$n" --invalid 0 --resubmit 0 >"$root/inbox/forms/f.csv"
	"$build/tte" --root "$root" --date $day intake
	valid=$(sqlite3 "$root/var/tte.db" "SELECT count(*) FROM applicants WHERE state='VALID'")
	sync
	measure "$tmp/l.time" "$build/stages/letters" --root "$root" --date $day
	made=$(sqlite3 "$root/var/tte.db" "SELECT count(*) FROM letters")
	[ "$made" = "$valid" ] || { echo "letters: $made of $valid made" >&2; exit 1; }
	measure "$tmp/b.time" "$build/stages/bundle" --root "$root" --date $day
	zip=$(ls "$root"/outbox/bundles/bsre-*.zip)
	le=$(secs "$(field "$tmp/l.time" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')")
	lu=$(field "$tmp/l.time" 'User time (seconds)')
	ls=$(field "$tmp/l.time" 'System time (seconds)')
	lr=$(field "$tmp/l.time" 'Maximum resident set size (kbytes)')
	be=$(secs "$(field "$tmp/b.time" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')")
	br=$(field "$tmp/b.time" 'Maximum resident set size (kbytes)')
	awk -v n="$made" -v le="$le" -v lu="$lu" -v ls="$ls" -v lr="$lr" -v be="$be" -v br="$br" \
	    -v zb="$(stat -c %s "$zip")" 'BEGIN {
		printf "| %d | %.2f | %.0f | %.2f | %.1f MiB | %.2f | %.0f | %.1f MiB |\n",
		       n, le, n / le, (lu + ls) * 1000 / n, lr / 1024, be, zb / 1e6, br / 1024 }'
	rm -rf "$root"
done
printf '\n(%s, %s; load average %s)\n' "$(nproc) cores" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
