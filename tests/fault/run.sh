#!/bin/sh
# run.sh: make check-fault.  Runs BUILD_DIR/tests/fault/fault_ceremonies
# against the fault-injection authd (BUILD_DIR/fault/authd), and
# fault_disk against the real one (BUILD_DIR/authd) with diskfull.so
# preloaded, unless SANITIZER is set: a sanitizer's runtime must come
# first among the loaded libraries, and the preload would not.  Each
# program starts its own authd instances in a mktemp folder.
#
# Usage: run.sh BUILD_DIR      (from the top of the repository)
# HTTPT_KEEP=1 keeps the temporary folder (logs, databases) for a look.

if [ "$#" -ne 1 ]; then
	echo "usage: run.sh BUILD_DIR" >&2
	exit 2
fi
case $1 in
/*)	build=$1 ;;
*)	build=$(pwd)/$1 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
for f in "$build/fault/authd" "$build/authd" "$build/authctl" \
    "$build/tests/fault/fault_ceremonies" "$build/tests/fault/fault_disk"; do
	if [ ! -x "$f" ]; then
		echo "fault: $f: not built" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/authd-fault.XXXXXX") || exit 2
cleanup() {
	if [ "${HTTPT_KEEP:-0}" = 1 ]; then
		echo "fault: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

# The fixture's environment; each program picks its own ports.
HTTPT_AUTHCTL=$build/authctl HTTPT_TMP=$tmp HTTPT_DB=$tmp/unused.db
HTTPT_PORT=0 HTTPT_LOG=$tmp/unused.log HTTPT_JOSE=$here/../http/jose
export HTTPT_AUTHCTL HTTPT_TMP HTTPT_DB HTTPT_PORT HTTPT_LOG HTTPT_JOSE

# Under a sanitizer, memory errors fail the run but leaks do not: a
# wrapper that fails json_pack or json_object_set_new cannot steal the
# references that jansson takes even when it fails, so the fault build
# leaks by design.
if [ -n "${SANITIZER:-}" ]; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	export ASAN_OPTIONS
fi

start=$(date +%s)
failed=""
HTTPT_AUTHD=$build/fault/authd "$build/tests/fault/fault_ceremonies" ||
    failed="$failed fault_ceremonies"
if [ -n "${SANITIZER:-}" ]; then
	echo "fault: fault_disk skipped under SANITIZER (it preloads a library)"
else
	HTTPT_AUTHD=$build/authd HTTPT_DISKFULL=$build/tests/fault/diskfull.so \
	    "$build/tests/fault/fault_disk" || failed="$failed fault_disk"
fi
echo
if [ -n "$failed" ]; then
	echo "fault: failed:$failed ($(( $(date +%s) - start )) s)"
	[ "${HTTPT_KEEP:-0}" = 1 ] || echo "fault: HTTPT_KEEP=1 keeps the logs"
	exit 1
fi
echo "fault: passed ($(( $(date +%s) - start )) s)"
