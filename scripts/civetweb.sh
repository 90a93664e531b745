#!/bin/sh
# civetweb.sh OUTDIR: builds Civetweb 1.15 from Debian's own source package
# into OUTDIR/libcivetweb.a and OUTDIR/include/civetweb.h.
#
# Debian 12's libcivetweb1 dlopens libssl and looks up symbols that
# OpenSSL 3 no longer has, so it cannot serve TLS.  This build links
# OpenSSL 3 directly (OPENSSL_API_3_0, NO_SSL_DL).  The source comes from
# `apt-get source` through a private deb-src list and private apt state
# under OUTDIR, so the system's apt configuration is untouched.
set -eu

out=${1:?usage: civetweb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# NO_FILES and NO_FILESYSTEMS: authd serves its pages itself, and
# Civetweb must not touch the file system on a request.  Without them
# it looks for a .htpasswd beside every request path ("/.htpasswd" with
# no document root), a stat per request, and would ask for digest
# authentication if such a file appeared.  Its error messages and
# access log then come from scripts/civetweb/*.inl.
inl=$(cd "$(dirname "$0")/civetweb" && pwd)
flags="-DOPENSSL_API_3_0 -DNO_SSL_DL -DUSE_IPV6 -DNO_CGI -DNO_CACHING \
    -DNO_FILES -DNO_FILESYSTEMS -DMG_EXTERNAL_FUNCTION_log_access \
    -DMG_EXTERNAL_FUNCTION_mg_cry_internal_impl"
stamp="$flags $(cat "$inl"/*.inl | cksum)"
[ -f "$out/libcivetweb.a" ] && [ -f "$out/include/civetweb.h" ] &&
    [ "$(cat "$out/flags" 2>/dev/null)" = "$stamp" ] && exit 0
rm -f "$out/libcivetweb.a" "$out/flags"

apt="$out/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/src"
# The suite of the running system, for the matching source version.
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mirror=$(grep -hE '^[[:space:]]*(URIs:|deb[[:space:]])' /etc/apt/sources.list \
    /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
    2>/dev/null | grep -oE 'https?://[^ ]+' | grep -v security | head -n 1)
: "${mirror:=http://deb.debian.org/debian}"
echo "deb-src $mirror $suite main" >"$apt/sources.list"
opts="-o Dir::Etc::SourceList=$apt/sources.list \
      -o Dir::Etc::SourceParts=/nonexistent \
      -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache \
      -o APT::Sandbox::User=root"

src="$out/src/civetweb"
if [ ! -f "$src/src/civetweb.c" ]; then
	echo "civetweb: fetching Debian's civetweb source package"
	# shellcheck disable=SC2086
	apt-get $opts -qq update
	(cd "$out/src" && rm -rf civetweb && \
	    # shellcheck disable=SC2086
	    apt-get $opts -qq source --download-only civetweb >/dev/null)
	dsc=$(ls "$out"/src/civetweb_*.dsc | head -n 1)
	if command -v dpkg-source >/dev/null 2>&1; then
		(cd "$out/src" && dpkg-source -q -x "$dsc" civetweb >/dev/null)
	else
		mkdir -p "$out/src/civetweb"
		tar -xf "$out"/src/civetweb_*.orig.tar.* -C "$out/src/civetweb" \
		    --strip-components=1
	fi
fi

echo "civetweb: building with OpenSSL 3 (OPENSSL_API_3_0, NO_SSL_DL)"
# shellcheck disable=SC2086
cc -std=gnu11 -O2 -g -fPIC -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
    $flags -I"$inl" -I"$src/include" -c "$src/src/civetweb.c" -o "$out/civetweb.o"
ar rcs "$out/libcivetweb.a" "$out/civetweb.o"
printf '%s\n' "$stamp" >"$out/flags"
mkdir -p "$out/include"
cp "$src/include/civetweb.h" "$out/include/"
echo "civetweb: $out/libcivetweb.a"
