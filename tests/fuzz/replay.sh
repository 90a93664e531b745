#!/bin/sh
# replay.sh: run every fuzz target once over its seed corpus and its
# regression inputs, under the sanitizers it was built with.
#
# Usage: replay.sh BUILD_DIR NAME...
#
# For each NAME, runs BUILD_DIR/NAME -runs=0 over tests/fuzz/corpus/NAME
# and tests/fuzz/regress/NAME (if present).  Logs and any crash input go
# to BUILD_DIR/replay/.  Prints one line per target and a summary; exits
# 1 if any target crashed, leaked, timed out or has no seeds.
set -u

if [ $# -lt 2 ]; then
	echo "usage: replay.sh BUILD_DIR NAME..." >&2
	exit 2
fi
build=$1
shift
here=$(dirname "$0")
out=$build/replay
mkdir -p "$out"

ntargets=0
ninputs=0
failed=""
for name in "$@"; do
	ntargets=$((ntargets + 1))
	bin=$build/$name
	dirs=""
	n=0
	for d in "$here/corpus/$name" "$here/regress/$name"; do
		[ -d "$d" ] || continue
		dirs="$dirs $d"
		n=$((n + $(find "$d" -type f | wc -l)))
	done
	log=$out/$name.log
	if [ ! -x "$bin" ]; then
		printf 'replay: %-22s FAIL (no binary %s)\n' "$name" "$bin"
		failed="$failed $name"
		continue
	fi
	if [ "$n" -eq 0 ]; then
		printf 'replay: %-22s FAIL (no seeds in %s/corpus/%s)\n' \
		    "$name" "$here" "$name"
		failed="$failed $name"
		continue
	fi
	# shellcheck disable=SC2086
	if "$bin" -runs=0 -timeout=25 -rss_limit_mb=2048 \
	    -artifact_prefix="$out/$name-" $dirs >"$log" 2>&1; then
		cov=$(sed -n 's/.*INITED \(cov: [0-9]* ft: [0-9]*\).*/\1/p' \
		    "$log" | tail -n 1)
		printf 'replay: %-22s ok    %4d inputs  %s\n' "$name" "$n" \
		    "$cov"
		ninputs=$((ninputs + n))
	else
		printf 'replay: %-22s CRASH %4d inputs  (log %s)\n' "$name" \
		    "$n" "$log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed)' \
		    "$log" | head -n 3 | sed 's/^/    /'
		sed -n 's/.*Test unit written to \(.*\)$/    input: \1/p' "$log"
		failed="$failed $name"
	fi
done

if [ -n "$failed" ]; then
	echo "replay: FAILED:$failed"
	exit 1
fi
echo "replay: $ntargets targets, $ninputs inputs, all passed"
exit 0
