#!/bin/sh
# tests/e2e/run.sh: the browser end-to-end tests.  Starts a real authd
# (build/authd) on 127.0.0.1 on a free port with a temporary database,
# reads the first admin's enrollment link from its standard output, runs
# the tests (node --test, driving Debian's /usr/bin/chromium through
# playwright-core) and stops authd.  Artifacts (screenshots, authd's log)
# go to build/e2e/.
#
#   sh tests/e2e/run.sh [test files...]
#
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
AUTHD=$BUILD/authd
AUTHCTL=$BUILD/authctl
ART=$BUILD/e2e
CONFIRMATION_LIFETIME=${E2E_CONFIRMATION_LIFETIME:-8}

for b in "$AUTHD" "$AUTHCTL"; do
	if [ ! -x "$b" ]; then
		echo "e2e: $b is missing: run make first" >&2
		exit 1
	fi
done
# Quick when everything is there already.
sh "$ROOT/tests/e2e/setup.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/authd-e2e.XXXXXX")
mkdir -p "$ART/screenshots"
rm -f "$ART"/screenshots/*.png
PID=

# shellcheck disable=SC2317 # run by the trap
stop() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	[ -f "$WORK/authd.log" ] && cp "$WORK/authd.log" "$ART/authd.log"
	rm -rf "$WORK"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP PIPE

free_port() {
	node -e 'const s = require("net").createServer();
	    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# A free port can be taken by someone else before authd binds it: retry.
LINK=
for attempt in 1 2 3; do
	PORT=$(free_port)
	ORIGIN=http://localhost:$PORT
	rm -f "$WORK"/authd.db*
	env -u AUTHD_CONFIG "$AUTHD" --database="$WORK/authd.db" \
	    --listen="127.0.0.1:$PORT" --origins="$ORIGIN" --issuer="$ORIGIN" \
	    --rp_id=localhost --web_root="$ROOT/web" --threads=8 \
	    --confirmation_lifetime="$CONFIRMATION_LIFETIME" \
	    >"$WORK/stdout" 2>"$WORK/authd.log" &
	PID=$!
	i=0
	while [ $i -lt 100 ]; do
		LINK=$(grep -o 'http://[^ ]*/enroll?code=[A-Za-z0-9_-]*' \
		    "$WORK/stdout" 2>/dev/null | head -n 1) || true
		[ -n "$LINK" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$LINK" ] && break
	echo "e2e: authd did not start (attempt $attempt):" >&2
	cat "$WORK/stdout" "$WORK/authd.log" >&2
	kill -TERM "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=
done
if [ -z "$LINK" ]; then
	echo "e2e: no first-admin enrollment link from authd" >&2
	exit 1
fi
echo "e2e: authd on $ORIGIN (pid $PID), database $WORK/authd.db"

export E2E_ORIGIN="$ORIGIN"
export E2E_ADMIN_LINK="$LINK"
export E2E_DB="$WORK/authd.db"
export E2E_AUTHCTL="$AUTHCTL"
export E2E_ARTIFACTS="$ART"
export E2E_CONFIRMATION_LIFETIME="$CONFIRMATION_LIFETIME"

cd "$ROOT"
if [ $# -eq 0 ]; then
	set -- tests/e2e/*.test.mjs
fi
set +e
node --test --test-concurrency=1 --test-reporter=spec "$@"
rc=$?
set -e
echo "e2e: screenshots in $ART/screenshots, authd's log in $ART/authd.log"
exit $rc
