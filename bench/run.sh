#!/usr/bin/env bash
# bench/run.sh BUILD NAME... - run each benchmark bench/NAME.sh with the
# build folder as its argument; each prints its own table. Benchmarks
# report figures, they never fail on them; exit 1 only when one of them
# could not run.
set -u
build=${1:?usage: run.sh BUILD NAME...}
shift
cd "$(dirname "$0")/.." || exit 2
failed=()
for name in "$@"; do
	echo "== bench $name ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
	if ! "bench/$name.sh" "$build"; then
		failed+=("$name")
	fi
	echo
done
if [ ${#failed[@]} -ne 0 ]; then
	echo "BENCH: could not run: ${failed[*]}"
	exit 1
fi
