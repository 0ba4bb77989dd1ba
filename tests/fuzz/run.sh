#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS FUZZER... - run each libFuzzer harness
# build/fuzz/FUZZER for SECONDS, seeded with tests/fuzz/seeds/FUZZER/ (and
# the dictionary tests/fuzz/FUZZER.dict when there is one); the
# growing corpus stays in build/fuzz/corpus/FUZZER/, crashes go to
# build/fuzz/crashes/FUZZER/. Exit 1 when any harness found a crash.
set -u
secs=${1:?seconds}
shift
cd "$(dirname "$0")/../.." || exit 2
rc=0
for f in "$@"; do
	corpus=build/fuzz/corpus/$f crashes=build/fuzz/crashes/$f log=build/fuzz/$f.log
	if [ ! -x "build/fuzz/$f" ]; then
		printf '%-20s NOT BUILT (build/fuzz/%s)\n' "$f" "$f"
		rc=1
		continue
	fi
	mkdir -p "$corpus" "$crashes"
	seeds=() dict=()
	[ -d "tests/fuzz/seeds/$f" ] && seeds=("tests/fuzz/seeds/$f")
	[ -f "tests/fuzz/$f.dict" ] && dict=("-dict=tests/fuzz/$f.dict")
	if "build/fuzz/$f" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" "$corpus" "${seeds[@]}" \
		>"$log" 2>&1; then
		runs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}')
		cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
		printf '%-20s ok    %8s runs in %ss, coverage %s\n' "$f" "${runs:-?}" "$secs" "${cov:-?}"
	else
		rc=1
		printf '%-20s CRASH (see %s, inputs in %s)\n' "$f" "$log" "$crashes"
		grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -20 | sed 's/^/    /'
	fi
done
exit $rc
