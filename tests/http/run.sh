#!/bin/sh
# run.sh: the HTTP integration tests.  Starts a real authd on 127.0.0.1
# on a free port with a throwaway database in a mktemp folder, runs the
# test programs BUILD_DIR/tests/http/http_* at once (http_api and
# http_conformance against this instance; http_daemon and http_tls start
# their own instances for configuration, expiry, shutdown and TLS, and
# http_conformance one that requires attestation), then stops authd
# with SIGTERM and checks that it exits 0 and logs "stopped".  Prints
# each program's cmocka output and a summary; exits non-zero on any
# failure.
#
# Usage: run.sh BUILD_DIR      (from the top of the repository)
# HTTPT_KEEP=1 keeps the temporary folder (logs, databases) for a look.

if [ "$#" -ne 1 ]; then
	echo "usage: run.sh BUILD_DIR" >&2
	exit 2
fi
build=$1
here=$(cd "$(dirname "$0")" && pwd)
authd=$build/authd
authctl=$build/authctl
progs=$(ls "$build"/tests/http/http_* 2>/dev/null)
for f in "$authd" "$authctl" "$build/tests/http/http_api" \
    "$build/tests/http/http_daemon" "$build/tests/http/http_tls"; do
	if [ ! -x "$f" ]; then
		echo "http: $f: not built" >&2
		exit 2
	fi
done
case $build in
/*) ;;
*)	build=$(pwd)/$build
	authd=$build/authd
	authctl=$build/authctl
	progs=$(ls "$build"/tests/http/http_*)
	;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/authd-http.XXXXXX") || exit 2
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	if [ "${HTTPT_KEEP:-0}" = 1 ]; then
		echo "http: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

# The JOSE check needs its pinned npm package.
if ! command -v node >/dev/null 2>&1; then
	echo "http: node is required for the JOSE check" >&2
	exit 2
fi
if [ ! -f "$here/jose/node_modules/jose/package.json" ]; then
	echo "http: installing the pinned jose package (npm ci)"
	(cd "$here/jose" && npm ci --no-audit --no-fund --silent) || {
		echo "http: npm ci failed in $here/jose" >&2
		exit 2
	}
fi

# A random high port; another is tried if it is taken.
random_port() {
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + n % 40000))
}

start_authd() {
	port=$1
	"$authd" --listen="127.0.0.1:$port" --database="$tmp/authd.db" \
	    --rp_id=localhost --origins="http://localhost:$port" \
	    --issuer="http://localhost:$port" \
	    >"$tmp/authd.out" 2>"$tmp/authd.log" &
	pid=$!
	i=0
	while [ $i -lt 200 ]; do
		grep -q '"event":"started"' "$tmp/authd.log" 2>/dev/null &&
		    return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			pid=""
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "http: authd did not start within 10 s" >&2
	return 1
}

tries=0
while :; do
	port=$(random_port)
	start_authd "$port" && break
	tries=$((tries + 1))
	if [ $tries -ge 5 ] || ! grep -qi 'listen' "$tmp/authd.log"; then
		echo "http: authd did not start:" >&2
		cat "$tmp/authd.log" >&2
		exit 1
	fi
	rm -f "$tmp"/authd.db*
done
echo "http: authd (pid $pid) on 127.0.0.1:$port, database $tmp/authd.db"

# The one-time first-admin link, printed on standard output.
i=0
while [ $i -lt 40 ] && ! grep -q 'enroll?code=' "$tmp/authd.out"; do
	sleep 0.05
	i=$((i + 1))
done
first_admin=$(sed -n 's/.*enroll?code=\([A-Za-z0-9_-]*\).*/\1/p' \
    "$tmp/authd.out" | head -n 1)

HTTPT_AUTHD=$authd HTTPT_AUTHCTL=$authctl HTTPT_TMP=$tmp \
HTTPT_DB=$tmp/authd.db HTTPT_PORT=$port HTTPT_LOG=$tmp/authd.log \
HTTPT_JOSE=$here/jose HTTPT_FIRST_ADMIN_CODE=$first_admin
export HTTPT_AUTHD HTTPT_AUTHCTL HTTPT_TMP HTTPT_DB HTTPT_PORT HTTPT_LOG \
    HTTPT_JOSE HTTPT_FIRST_ADMIN_CODE

start=$(date +%s)
ppids=""
for p in $progs; do
	name=$(basename "$p")
	"$p" >"$tmp/$name.txt" 2>&1 &
	ppids="$ppids $!:$name"
done
failed=""
cases_ok=0
cases_bad=0
for pp in $ppids; do
	wait "${pp%%:*}"
	rc=$?
	name=${pp#*:}
	echo "==> $name"
	cat "$tmp/$name.txt"
	ok=$(grep -c '^\[       OK \]' "$tmp/$name.txt")
	bad=$(grep '^\[  FAILED  \] [a-z_0-9]*$' "$tmp/$name.txt" |
	    sort -u | wc -l)
	cases_ok=$((cases_ok + ok))
	cases_bad=$((cases_bad + bad))
	if [ "$rc" -ne 0 ]; then
		echo "http: $name exited with status $rc" >&2
		failed="$failed $name"
	fi
done

# Graceful stop of the main instance.
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
if [ "$rc" -ne 0 ]; then
	echo "http: authd exited with status $rc after SIGTERM" >&2
	failed="$failed authd-exit"
elif ! grep -q '"event":"stopped"' "$tmp/authd.log"; then
	echo "http: authd's log has no \"stopped\" after SIGTERM" >&2
	failed="$failed authd-stopped"
fi
# Nothing secret in the log: the first-admin code, at least.
if [ -n "$first_admin" ] && grep -qF "$first_admin" "$tmp/authd.log"; then
	echo "http: the first-admin enrollment code is in authd's log" >&2
	failed="$failed log-secret"
fi
if [ -n "$failed" ] && [ "${HTTPT_KEEP:-0}" != 1 ]; then
	echo "==> authd log (last 40 lines)"
	tail -n 40 "$tmp/authd.log"
fi

echo
[ -n "$failed" ] && echo "http: failed:$failed"
echo "http: cases: $cases_ok passed, $cases_bad failed" \
    "($(( $(date +%s) - start )) s)"
[ -z "$failed" ]
