#!/usr/bin/env bash
# tools/demo.sh BUILD DEMO_ROOT - two nights in the life, on synthetic people.
#
# Night 1 (2026-11-24): two Google Form exports (Forms' English "Download
# responses" file and the Indonesian Sheet file) and the sample exports are
# dropped into inbox/forms/; `tte run` validates, writes letters, a bundle,
# the notices and the workbook.
# Night 2 (2026-11-25): the recommender's signed letter (signed here by a
# throw-away test PKI shaped like BSrE's) is dropped into inbox/signed/ and a
# BSrE status export into inbox/status/; `tte run` verifies, moves statuses
# along, writes the day's notices and the workbook.
set -eu
build=$1
root=$2
tte="$PWD/$build/tte"
gen="$PWD/$build/tools/gen-forms"
mksigned="$PWD/$build/tools/mksigned"
n1=2026-11-24
n2=2026-11-25
# Fixed nights: a replay, whatever the clock says (hence --allow-future-date).

rm -rf "$root"
mkdir -p "$root"
# The demo's recommender is made up; a real site fills in its head of UPT
# TIK (`tte init` writes the full commented tte.conf when there is none).
cat > "$root/tte.conf" <<CONF
# tte.conf of the demo root (synthetic data). Every other key has its default;
# see the README or a tte.conf written by \`tte init\` for all of them.
[inbox]
settle_seconds = 0

[pemberi_rekomendasi]
nama = Kadek Contoh Pemberi Rekomendasi
nip = 197801012005011001
nik = 5108010101780001
golongan = IV/a
jabatan = Kepala UPT Teknologi Informasi dan Komunikasi
unit = UPT Teknologi Informasi dan Komunikasi
email = kepala.upttik@undiksha.ac.id

[verify]
# The demo's throw-away test CA; a real site lists BSrE's roots here.
trust = trust-demo.pem
CONF
"$tte" --root "$root" init >/dev/null

summary() {
	for d in letters bundles notices verification reports; do
		n=$(find "$root/outbox/$d" -type f ! -name README.md | wc -l)
		last=$(ls -t "$root/outbox/$d" 2>/dev/null | head -1)
		printf '  outbox/%-13s %3d file(s)%s\n' "$d/" "$n" "${last:+, e.g. $last}"
	done
	sqlite3 "$root/var/tte.db" "SELECT '  applicants by state: ' || group_concat(state || ' ' || n, ', ')
		FROM (SELECT state, count(*) n FROM applicants GROUP BY state ORDER BY n DESC)"
}

echo "== Night 1 ($n1): form exports"
"$gen" --rows 60 --seed 7 --style en > "$root/inbox/forms/Formulir TTE (Responses).csv"
"$gen" --rows 40 --seed 8 --start 1000 --style id > "$root/inbox/forms/Formulir TTE - Form Responses 1.csv"
cp tests/data/samples/forms/*.csv "$root/inbox/forms/"
"$tte" --root "$root" --date "$n1" --allow-future-date run
summary

echo
echo "== Night 2 ($n2): a signed letter and a BSrE status export"
nip=$(sqlite3 "$root/var/tte.db" "SELECT nip FROM applicants WHERE state='BUNDLED' ORDER BY id LIMIT 1")
"$mksigned" sign "$root/outbox/letters/$nip.pdf" "$root/inbox/signed/surat-$nip-ttd.pdf" \
	"$root/trust-demo.pem" "KADEK CONTOH PEMBERI REKOMENDASI" >/dev/null
{
	echo "No,Nama,NIK,Email,Status Pengguna,Status Sertifikat,Serial Number,Berlaku Sampai"
	sqlite3 -separator , "$root/var/tte.db" "SELECT id, name, nik, email,
		CASE id % 3 WHEN 0 THEN 'VERIFIED' ELSE 'NEW' END,
		CASE id % 3 WHEN 0 THEN 'ISSUE' WHEN 1 THEN 'NEW' ELSE '' END,
		CASE id % 3 WHEN 0 THEN printf('%016X', id * 2654435761) ELSE '' END,
		CASE id % 3 WHEN 0 THEN '2028-11-25 10:00:00' ELSE '' END
		FROM applicants WHERE state='BUNDLED'"
} > "$root/inbox/status/pengguna-bsre-$n2.csv"
"$tte" --root "$root" --date "$n2" --allow-future-date run
summary

echo
echo "In the morning:"
echo "  the admins' workbook:   $root/outbox/reports/laporan-${n2//-/}.xlsx"
echo "  the upload bundle:      $(ls "$root"/outbox/bundles/*.zip | head -1)"
echo "  WhatsApp messages:      $root/outbox/notices/wa-${n2//-/}.txt"
echo "  a verification result:  $root/outbox/verification/surat-$nip-ttd.pdf.json"
echo "  its letter's QR page:   $root/outbox/web/$(sqlite3 "$root/var/tte.db" "SELECT l.id FROM letters l
	JOIN applicants a ON a.id=l.applicant_id WHERE a.nip='$nip' AND l.signed_sha256 IS NOT NULL" |
	sed 's|^|verifikasi/|; s|$|/index.html|')"
echo "  one applicant:          $build/tte --root $root show $nip"
echo "  verify a PDF now:       $build/tte --root $root verify --trust $root/trust-demo.pem FILE.pdf"
echo "  run logs:               $root/var/log/"
