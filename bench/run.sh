#!/usr/bin/env bash
# bench/run.sh BUILD BENCH... - run bench/BENCH.sh BUILD for each benchmark
# in turn (never in parallel: they measure time and memory). Each prints
# its own table; the exit status is 1 when any failed.
set -u
build=${1:?build dir}
shift
cd "$(dirname "$0")/.." || exit 2
rc=0
for b in "$@"; do
	echo "== bench $b"
	if ! "bench/$b.sh" "$build"; then
		echo "bench $b FAILED"
		rc=1
	fi
done
exit $rc
