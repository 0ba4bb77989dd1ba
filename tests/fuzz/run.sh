#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS NAME... - run each libFuzzer harness
# build/fuzz/NAME for SECONDS, seeded from tests/fuzz/seeds/NAME/ and from
# the folders listed in tests/fuzz/NAME.seeds (relative to the project,
# else to $TTE_SHARED), with tests/fuzz/NAME.dict when it exists. The
# corpus grows in a scratch folder build/fuzz/NAME.work/ (the seeds are
# never modified). Fails when any run finds a crash, a leak, a timeout or
# an out-of-memory; the reproducer is left in build/fuzz/NAME.work/artifacts/.
set -u
secs=${1:?usage: run.sh SECONDS NAME...}
shift
cd "$(dirname "$0")/../.." || exit 2
export TTE_SHARED="${TTE_SHARED:-$(cd .. && pwd)/shared}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

failed=()
for name in "$@"; do
	bin=build/fuzz/$name
	work=build/fuzz/$name.work
	if [ ! -x "$bin" ]; then
		echo "$name: $bin not built" >&2
		failed+=("$name")
		continue
	fi
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	[ -d "tests/fuzz/seeds/$name" ] && cp tests/fuzz/seeds/"$name"/* "$work/corpus/" 2>/dev/null
	if [ -f "tests/fuzz/$name.seeds" ]; then
		grep -v '^[[:space:]]*\(#\|$\)' "tests/fuzz/$name.seeds" | while read -r dir; do
			for base in . "$TTE_SHARED"; do
				if [ -d "$base/$dir" ]; then
					find "$base/$dir" -maxdepth 1 -type f -exec cp {} "$work/corpus/" \;
					break
				fi
			done
		done
	fi
	dict=()
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	echo "fuzz $name: ${secs}s, $(ls "$work/corpus" | wc -l) seed(s)"
	"$bin" "$work/corpus" "${dict[@]}" -max_total_time="$secs" -timeout=20 \
		-rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" >"$work/log" 2>&1
	rc=$?
	found=$(ls "$work/artifacts" | wc -l)
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$work/log" | sed "s/^/  $name /"
	if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
		echo "fuzz $name: FAILED (exit $rc); see $work/log and $work/artifacts/" >&2
		grep -E 'ERROR|SUMMARY|timeout|out-of-memory' "$work/log" | head -20 >&2
		failed+=("$name")
	else
		echo "fuzz $name: ok"
	fi
done
if [ ${#failed[@]} -ne 0 ]; then
	echo "FUZZ: failed: ${failed[*]}"
	exit 1
fi
echo "FUZZ: $# fuzzer(s), no crash, leak or timeout"
