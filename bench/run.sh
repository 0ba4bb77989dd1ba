#!/usr/bin/env bash
# bench/run.sh BUILD NAME... - run each bench/NAME.sh with the build
# directory as its argument; each prints its own table. Benchmarks are
# measurements, never pass/fail tests: the exit status only says whether
# a benchmark could run at all.
set -u
build=${1:?usage: bench/run.sh BUILD NAME...}
shift
cd "$(dirname "$0")/.." || exit 2
rc=0
for name in "$@"; do
	echo "== $name"
	if ! bash "bench/$name.sh" "$build"; then
		echo "bench $name: failed" >&2
		rc=1
	fi
	echo
done
exit $rc
