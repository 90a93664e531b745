#!/bin/sh
# run-regress.sh: runs each cmocka regress program named on the command
# line, shows its output, and summarises.  A program fails if it exits
# non-zero (a failed case, a crash or a sanitizer report).  Exits 1 if
# any program failed.  The last line is
#	regress: N passed, M failed
# counting programs; the line before it counts cmocka cases.
#
# Usage: run-regress.sh build/tests/regress/prog ...

if [ "$#" -eq 0 ]; then
	echo "usage: run-regress.sh program ..." >&2
	exit 2
fi

tmp=$(mktemp "${TMPDIR:-/tmp}/regress.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT HUP INT TERM

passed=0
failed=0
failed_names=""
cases_ok=0
cases_bad=0

for prog in "$@"; do
	name=$(basename "$prog")
	echo "==> $name"
	if [ ! -x "$prog" ]; then
		echo "regress: $prog: not an executable" >&2
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		continue
	fi
	"$prog" >"$tmp" 2>&1
	rc=$?
	cat "$tmp"
	ok=$(grep -c '^\[       OK \]' "$tmp")
	# cmocka lists each failure twice: when it happens and in the summary.
	bad=$(grep '^\[  FAILED  \] [A-Za-z_0-9]*$' "$tmp" | sort -u | wc -l)
	cases_ok=$((cases_ok + ok))
	cases_bad=$((cases_bad + bad))
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		echo "regress: $name exited with status $rc" >&2
		failed=$((failed + 1))
		failed_names="$failed_names $name"
	fi
done

echo
[ -n "$failed_names" ] && echo "regress: failed:$failed_names"
echo "regress: cases: $cases_ok passed, $cases_bad failed"
echo "regress: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
