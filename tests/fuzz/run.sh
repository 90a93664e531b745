#!/bin/sh
# run.sh: fuzz each target for a fixed time.
#
# Usage: [FUZZ_JOBS=N] run.sh BUILD_DIR SECONDS NAME...
#
# Each target runs for SECONDS (-max_total_time) over a working corpus in
# BUILD_DIR/corpus/NAME, which starts from the committed seeds and
# regression inputs and keeps what it finds between runs; the committed
# corpus is only read.  Crash inputs go to BUILD_DIR/crash/NAME/; copy
# one to tests/fuzz/regress/NAME/ to keep it.  Targets use the
# dictionary of their input format from tests/fuzz/dict/.  Prints per target the
# executions and coverage of libFuzzer's final line; exits 1 on a crash.
set -u

if [ $# -lt 3 ]; then
	echo "usage: run.sh BUILD_DIR SECONDS NAME..." >&2
	exit 2
fi
build=$1
secs=$2
shift 2
here=$(dirname "$0")

# Input size caps, from the largest input each parser meets in practice;
# never below the largest seed.
max_len() {
	case $1 in
	fuzz_reg)		echo 32768 ;;
	fuzz_attobj)		echo 16384 ;;
	fuzz_att_*)		echo 12288 ;;
	fuzz_assert)		echo 4096 ;;
	fuzz_clientdata)	echo 2048 ;;
	fuzz_authdata)		echo 2048 ;;
	fuzz_cose)		echo 1024 ;;
	fuzz_token)		echo 9000 ;;
	*)			echo 4096 ;;
	esac
}

# The dictionary of tokens a target's input format is made of.
dict_for() {
	case $1 in
	fuzz_reg|fuzz_assert|fuzz_clientdata)	echo json ;;
	fuzz_token|fuzz_http_json)		echo json ;;
	fuzz_attobj|fuzz_att_*|fuzz_authdata)	echo cbor ;;
	fuzz_cose)				echo cose ;;
	esac
}

# FUZZ_JOBS=N runs N targets at a time: the names are dealt out to N
# runs of this script, one target each at a time.
jobs=${FUZZ_JOBS:-1}
case $jobs in
''|*[!0-9]*) echo "run.sh: FUZZ_JOBS must be a number" >&2; exit 2 ;;
esac
if [ "$jobs" -gt 1 ]; then
	pids=""
	j=0
	while [ "$j" -lt "$jobs" ]; do
		names=""
		i=0
		for name in "$@"; do
			[ $((i % jobs)) -eq "$j" ] && names="$names $name"
			i=$((i + 1))
		done
		if [ -n "$names" ]; then
			# shellcheck disable=SC2086
			FUZZ_JOBS=1 sh "$0" "$build" "$secs" $names &
			pids="$pids $!"
		fi
		j=$((j + 1))
	done
	status=0
	for pid in $pids; do
		wait "$pid" || status=1
	done
	exit $status
fi

status=0
for name in "$@"; do
	bin=$build/$name
	work=$build/corpus/$name
	crash=$build/crash/$name
	log=$build/fuzz-$name.log
	mkdir -p "$work" "$crash"
	if [ ! -x "$bin" ]; then
		printf 'fuzz: %-22s FAIL (no binary %s)\n' "$name" "$bin"
		status=1
		continue
	fi
	seeds=""
	len=$(max_len "$name")
	for d in "$here/corpus/$name" "$here/regress/$name"; do
		[ -d "$d" ] || continue
		seeds="$seeds $d"
		big=$(find "$d" -type f -exec wc -c {} + 2>/dev/null |
		    awk '$2 != "total" && $1 > m { m = $1 }
		    END { print m + 0 }')
		[ "$big" -gt "$len" ] && len=$big
	done
	dict=""
	d=$(dict_for "$name")
	[ -f "$here/dict/$d.dict" ] && dict="-dict=$here/dict/$d.dict"
	before=$(find "$crash" -type f | wc -l)
	# New inputs go to the first directory only: the working corpus.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -max_len="$len" -timeout=25 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$crash/" $dict "$work" $seeds >"$log" 2>&1
	rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
	if [ -n "$done_line" ]; then
		execs=$(echo "$done_line" | sed 's/^#\([0-9]*\).*/\1/')
		cov=$(echo "$done_line" | sed 's/.*\(cov: [0-9]*\).*/\1/')
		ft=$(echo "$done_line" | sed 's/.*\(ft: [0-9]*\).*/\1/')
		corp=$(echo "$done_line" | sed 's/.*corp: \([0-9]*\).*/\1/')
		rate=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' \
		    "$log")
		printf 'fuzz: %-22s %10s execs %6s/s  %-10s %-10s corpus %s\n' \
		    "$name" "$execs" "${rate:-?}" "$cov" "$ft" "$corp"
	fi
	if [ "$rc" -ne 0 ] || [ "$(find "$crash" -type f | wc -l)" -gt \
	    "$before" ]; then
		status=1
		printf 'fuzz: %-22s CRASH (exit %d, log %s)\n' "$name" "$rc" \
		    "$log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed)' \
		    "$log" | head -n 3 | sed 's/^/    /'
		sed -n 's/.*Test unit written to \(.*\)$/    input: \1/p' "$log"
	fi
done
exit $status
