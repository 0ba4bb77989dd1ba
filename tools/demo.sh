#!/usr/bin/env bash
# tools/demo.sh BUILD DEMO_ROOT - a night in the life, on synthetic people:
# a fresh root with a made-up recommender, two Google Form exports dropped
# into inbox/forms/ (the English "Download responses" file and the
# Indonesian Sheet file), `tte run`, and where to look in the morning.
set -eu
build=$1
root=$2
tte="$PWD/$build/tte"
gen="$PWD/$build/tools/gen-forms"

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
CONF
"$tte" --root "$root" init >/dev/null
"$gen" --rows 60 --seed 7 --style en > "$root/inbox/forms/Formulir TTE (Responses).csv"
"$gen" --rows 40 --seed 8 --start 1000 --style id > "$root/inbox/forms/Formulir TTE - Form Responses 1.csv"
cp tests/data/samples/forms/*.csv "$root/inbox/forms/"

echo "tte demo: running the nightly batch on synthetic data in $root"
"$tte" --root "$root" run
echo
echo "Outputs:"
find "$root/outbox" -type f ! -name README.md | sort | sed "s|^$PWD/||; s|^|  |"
echo
echo "The admins' workbook: $(ls "$root"/outbox/reports/*.xlsx | sed "s|^$PWD/||")"
echo "One applicant:        $build/tte --root $root show $(sqlite3 "$root/var/tte.db" "SELECT nip FROM applicants WHERE state!='REJECTED' LIMIT 1")"
echo "Run log:              $(ls -t "$root"/var/log/run-*.log | head -1 | sed "s|^$PWD/||")"
