#!/bin/sh
# deps.sh: install the Debian packages a build or a test run needs, and
# only those that are missing.  Runs apt-get directly as root, otherwise
# through sudo.  Usage: deps.sh build|test
set -eu

need=""
want_pc() {	# pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || need="$need $2"
}
want_cmd() {	# command, Debian package
	command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
want_file() {	# file, Debian package
	[ -e "$1" ] || need="$need $2"
}

want_cmd pkg-config pkg-config
want_cmd cc gcc
want_cmd make make
if command -v pkg-config >/dev/null 2>&1; then
	want_pc libfido2 libfido2-dev
	want_pc libcbor libcbor-dev
	want_pc libcrypto libssl-dev
	want_pc jansson libjansson-dev
	want_pc sqlite3 libsqlite3-dev
else
	need="$need libfido2-dev libcbor-dev libssl-dev libjansson-dev"
	need="$need libsqlite3-dev"
fi

case "${1:-build}" in
test)
	want_file /usr/include/cmocka.h libcmocka-dev
	want_cmd clang clang
	# libFuzzer and the sanitizer runtimes for clang.
	if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
	    >/dev/null 2>&1; then
		need="$need libclang-rt-dev"
	fi
	want_cmd python3 python3
	want_cmd openssl openssl
	want_cmd node nodejs
	want_cmd npm npm
	;;
esac

[ -n "$need" ] || exit 0

echo "deps: installing missing Debian packages:$need"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: not root and no sudo; install by hand:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$SUDO apt-get install -y -q $need >/dev/null 2>&1 || {
	$SUDO apt-get update -q >/dev/null
	$SUDO apt-get install -y -q $need
}
