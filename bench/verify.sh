#!/usr/bin/env bash
# bench/verify.sh BUILD - `tte verify` beside `pdfsig -no-ocsp` on the
# same files in the same run: MB/s on one ~100 MB signed PDF, files/s on
# 1,000 small signed letters; `openssl speed -evp sha256` (16 KiB blocks)
# for reference, since hashing bounds the large file. Best of 3 timings,
# warm page cache. The files are made once by build/tools/mksigned under
# BUILD/bench/verify/ (a throw-away PKI; every key is made up). The
# per-process loops are timed once (they take a minute each).
set -eu
B=${1:-build}
tte=$B/tte
mk=$B/tools/mksigned
work=$B/bench/verify
MB=${VERIFY_BENCH_MB:-100}
N=${VERIFY_BENCH_FILES:-1000}
mkdir -p "$work"
root=$work/root
mkdir -p "$root"

if [ ! -f "$work/big-$MB.pdf" ]; then
	echo "making a ${MB} MB signed PDF..."
	"$mk" big "$MB" "$work/big-$MB.pdf" "$work/trust-big.pem"
fi
if [ ! -f "$work/small-$N/.done" ]; then
	echo "making $N small signed PDFs..."
	rm -rf "$work/small-$N"
	"$mk" small "$N" "$work/small-$N" "$work/trust-small.pem"
	touch "$work/small-$N/.done"
fi
big=$work/big-$MB.pdf
bytes=$(stat -c %s "$big")
cat "$big" > /dev/null

# best of 3 wall-clock seconds of a command
best() {
	local b="" t0 t1 t
	for _ in 1 2 3; do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s.%N)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
	done
	echo "$b"
}

# wall-clock seconds of one run (for the long per-process loops)
once() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }'
}

check_valid() {
	local c
	c=$("$tte" --root "$root" verify --json --trust "$2" "$1" | jq -r .conclusion)
	if [ "$c" != VALID ]; then
		echo "bench: $1 is $c, not VALID" >&2
		exit 1
	fi
}
check_valid "$big" "$work/trust-big.pem"
check_valid "$work/small-$N/surat-0000.pdf" "$work/trust-small.pem"

pdfsig_each() {
	for f in "$work/small-$N"/*.pdf; do pdfsig -no-ocsp -nocert "$f"; done
}
tte_each() {
	for f in "$work/small-$N"/*.pdf; do
		"$tte" --root "$root" verify --trust "$work/trust-small.pem" "$f"
	done
}

t_tte_big=$(best "$tte" --root "$root" verify --trust "$work/trust-big.pem" "$big")
t_tte_big5=$(best "$tte" --root "$root" verify --trust "$work/trust-big.pem" "$big" "$big" "$big" "$big" "$big")
t_sig_big=$(best pdfsig -no-ocsp -nocert "$big")
t_tte_small=$(best "$tte" --root "$root" verify --trust "$work/trust-small.pem" "$work/small-$N"/*.pdf)
t_tte_each=$(once tte_each)
t_sig_each=$(once pdfsig_each)
ossl=$(openssl speed -seconds 3 -evp sha256 2>/dev/null | awk '/^sha256/ {print $NF}' | tr -d k)
ossl_mb=$(awk -v k="$ossl" 'BEGIN { print k / 1000 }')

mbps() { awk -v n="$bytes" -v t="$1" 'BEGIN { print n / 1000000 / t }'; }
fps() { awk -v n="$N" -v t="$1" 'BEGIN { print n / t }'; }
pct() { awk -v a="$1" -v b="$ossl_mb" 'BEGIN { print 100 * a / b }'; }
tte_mb=$(mbps "$t_tte_big")
# Steady state: what one more 100 MB file costs once the process runs.
t_marg=$(awk -v a="$t_tte_big5" -v b="$t_tte_big" 'BEGIN { print (a - b) / 4 }')
tte_marg=$(mbps "$t_marg")
printf '%-52s %12s %12s\n' "verify (wall clock, best of 3)" "tte" "pdfsig"
printf '%-52s %12.1f %12.1f\n' "MB/s, one $((bytes / 1000000)) MB signed PDF, one run" "$tte_mb" "$(mbps "$t_sig_big")"
printf '%-52s %12.3f %12.3f\n' "  seconds" "$t_tte_big" "$t_sig_big"
printf '%-52s %12.1f %12s\n' "MB/s, same file, steady state (5 in one run)" "$tte_marg" "-"
printf '%-52s %12.0f %12s\n' "files/s, $N small PDFs, one run" "$(fps "$t_tte_small")" "-"
printf '%-52s %12.0f %12.0f\n' "files/s, $N small PDFs, one run each (1 pass)" "$(fps "$t_tte_each")" "$(fps "$t_sig_each")"
printf '%-52s %12.1f\n' "openssl speed -evp sha256 (16 KiB blocks), MB/s" "$ossl_mb"
printf '%-52s %11.0f%%\n' "tte / openssl sha256, one run" "$(pct "$tte_mb")"
printf '%-52s %11.0f%%\n' "tte / openssl sha256, steady state" "$(pct "$tte_marg")"
printf '%-52s %12s\n' "load average at the end" "$(cut -d' ' -f1 /proc/loadavg)"
