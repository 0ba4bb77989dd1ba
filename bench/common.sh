# bench/common.sh - sourced by benchmarks: a scratch directory removed on
# exit ($work), the one-core pin ($pin), and measure.
work=$(mktemp -d "${TMPDIR:-/tmp}/tte-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""

# measure CMD...: prints "wall user sys maxrss_kb" of CMD; wall to the
# millisecond (time(1)'s %e has 10 ms steps: too coarse for small runs).
measure() {
	local t0=$EPOCHREALTIME t1
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
		cat "$work/err" >&2; return 1; }
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" '{ printf "%.3f %s %s %s\n", b - a, $2, $3, $4 }' "$work/time"
}
