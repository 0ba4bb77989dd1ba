# bench/common.sh - sourced by benchmarks: a scratch directory removed on
# exit ($work), the one-core pin ($pin), and measure.
work=$(mktemp -d "${TMPDIR:-/tmp}/tte-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""

# measure CMD...: prints "wall user sys maxrss_kb" of CMD
measure() {
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
		cat "$work/err" >&2; return 1; }
	cat "$work/time"
}
