#!/bin/sh
# tests/e2e/setup.sh: what the browser tests need.  Debian's chromium
# (installed with apt-get as root, or through sudo) and the npm packages
# pinned by package-lock.json (npm ci).  Playwright never downloads a
# browser here: the tests launch /usr/bin/chromium.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "e2e setup: need root or sudo to run: $*" >&2
		exit 1
	fi
}

missing=
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "e2e setup: installing$missing with apt-get"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing fonts-dejavu-core
fi

# playwright-core 1.65 needs Node 20 or later.
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
	echo "e2e setup: node $(node --version) is too old; need 20 or later" >&2
	exit 1
fi

cd "$ROOT"
if [ ! -f node_modules/.package-lock.json ] ||
    [ -n "$(find package-lock.json package.json -newer node_modules/.package-lock.json)" ]; then
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
	    --loglevel=error
fi
