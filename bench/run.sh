#!/usr/bin/env bash
# bench/run.sh BUILD NAME... - run each benchmark bench/NAME.sh with the
# build directory. Benchmarks print tables; they are never timed tests.
set -u
build=$1
shift
cd "$(dirname "$0")/.." || exit 2
export TTE_SHARED="${TTE_SHARED:-$(cd .. && pwd)/shared}"
echo "tte benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
status=0
for b in "$@"; do
	echo
	echo "== $b"
	bash "bench/$b.sh" "$build" || status=1
done
exit $status
