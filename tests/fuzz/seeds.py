#!/usr/bin/env python3
"""seeds.py: build the fuzz seed corpora and fixtures from the test vectors.

Usage: python3 tests/fuzz/seeds.py [VECTORS_DIR]

VECTORS_DIR defaults to ../shared/vectors relative to the repository root
(the Makefile's VECTORS).  The script rewrites, and only rewrites:

  tests/fuzz/corpus/<target>/   one seed file per distinct input
  tests/fuzz/fuzz_vectors.h     the relying-party context of every case

It never touches tests/fuzz/regress/, nor the corpus of a target it
does not generate: fuzz_token's seeds are tokens signed with its fixed
test keys, written by the target itself (FZ_WRITE_SEEDS=DIR, see
fuzz_token.c).  The output is deterministic: the same vectors give
byte-identical files.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
HEADER = os.path.join(HERE, "fuzz_vectors.h")

# The case each attestation format target verifies its input against:
# valid cases whose statement reaches the format's success path.
FORMAT_FIXTURES = {
    "packed": "swa-reg-packed-x5c-yubikey",
    "fido-u2f": "swa-reg-fido-u2f-yubikey",
    "tpm": "py-reg-tpm-rs256-dell-xps-13",
    "android-key": "swa-reg-android-key-pixel-8a",
    "android-safetynet": "swa-reg-android-safetynet-2019",
    "apple": "py-reg-apple-passkey",
}
FORMAT_TARGETS = {
    "packed": "fuzz_att_packed",
    "fido-u2f": "fuzz_att_u2f",
    "tpm": "fuzz_att_tpm",
    "android-key": "fuzz_att_android_key",
    "android-safetynet": "fuzz_att_safetynet",
    "apple": "fuzz_att_apple",
}

# fuzz_http_json: the whole responses of these cases (verify bodies),
# and hand-made bodies of the options and enrollment routes.
HTTP_JSON_CASES = {
    "swa-auth-es256",
    "py-auth-eddsa",
    "py-auth-rs256-windows-hello",
    "swa-reg-packed-x5c-yubikey",
    "py-reg-apple-passkey",
}
HTTP_JSON_BODIES = [
    ("login-options", '{"username":"courier-17"}'),
    ("login-options-discoverable", "{}"),
    ("reg-options-code", '{"code":"Zm9vYmFyYmF6cXV4","label":"phone"}'),
    ("enroll", '{"username":"a","role":"courier","display_name":'
     r'"A\u00e9\ud83d\ude00"}'),
    ("dup-key", '{"username":"a","username":"b"}'),
    ("depth-16", "{\"a\":" * 15 + "[1]" + "}" * 15),
    ("depth-17", "{\"a\":" * 16 + "[1]" + "}" * 16),
    ("response-minimal", '{"id":"AAAA","rawId":"AAAA","type":'
     '"public-key","response":{"clientDataJSON":'
     '"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiQUFBQSJ9",'
     '"authenticatorData":"AAAA","signature":"AAAA"}}'),
]

# fuzz_clientdata verifies against this challenge; seeds carry it.
# base64url of "fuzz-clientdata-challenge"
CD_CHALLENGE = "ZnV6ei1jbGllbnRkYXRhLWNoYWxsZW5nZQ"


def b64d(s):
    """Lenient base64url decode (the vectors are canonical; a few
    values are not and are then taken as bytes)."""
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except Exception:
        return s.encode()


def b64d_strict(s):
    """Decodes s or returns None if it is not canonical base64url."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s) or len(s) % 4 == 1:
        return None
    b = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    if base64.urlsafe_b64encode(b).decode().rstrip("=") != s:
        return None
    return b


# ---------------------------------------------------------------- CBOR
# Just enough CBOR to find where items start and end.

def cbor_head(b, i):
    ib = b[i]
    major, info = ib >> 5, ib & 0x1F
    i += 1
    if info < 24:
        return major, info, i
    n = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if n is None:
        if info == 31:
            return major, None, i
        raise ValueError("bad CBOR head")
    return major, int.from_bytes(b[i:i + n], "big"), i + n


def cbor_item(b, i):
    """Returns (value, end).  Maps are lists of (key, value, vstart,
    vend); byte strings are bytes; text is str."""
    major, val, i = cbor_head(b, i)
    if major in (0, 1):
        return (val if major == 0 else -1 - val), i
    if major in (2, 3):
        s = b[i:i + val]
        return (s if major == 2 else s.decode("utf-8", "replace")), i + val
    if major == 4:
        out = []
        for _ in range(val):
            v, i = cbor_item(b, i)
            out.append(v)
        return out, i
    if major == 5:
        out = []
        for _ in range(val):
            k, i = cbor_item(b, i)
            vs = i
            v, i = cbor_item(b, i)
            out.append((k, v, vs, i))
        return out, i
    if major == 6:
        return cbor_item(b, i)
    return val, i


def cbor_map_get(m, key):
    for k, v, vs, ve in m:
        if k == key:
            return v, vs, ve
    return None


def parse_attobj(ao):
    """(fmt, attStmt bytes, authData) or None."""
    try:
        m, end = cbor_item(ao, 0)
        fmt = cbor_map_get(m, "fmt")[0]
        _, s, e = cbor_map_get(m, "attStmt")
        ad = cbor_map_get(m, "authData")[0]
        return fmt, ao[s:e], ad
    except Exception:
        return None


def parse_authdata(ad):
    """(flags, cred_id, pubkey bytes) of an authenticatorData."""
    flags = ad[32]
    cred_id = pub = None
    if flags & 0x40:
        n = int.from_bytes(ad[53:55], "big")
        cred_id = ad[55:55 + n]
        _, end = cbor_item(ad, 55 + n)
        pub = ad[55 + n:end]
    return flags, cred_id, pub


# ------------------------------------------------------------- output

class Corpus:
    def __init__(self):
        self.targets = {}

    def add(self, target, name, data):
        if isinstance(data, str):
            data = data.encode()
        files = self.targets.setdefault(target, {})
        if data in files.values():
            return
        base, n = name, 1
        while name in files:
            n += 1
            name = "%s-%d" % (base, n)
        files[name] = data

    def write(self):
        for target, files in sorted(self.targets.items()):
            d = os.path.join(CORPUS, target)
            if os.path.isdir(d):
                shutil.rmtree(d)
            os.makedirs(d)
            for name, data in sorted(files.items()):
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)


def c_bytes(name, data):
    out = ["static const unsigned char %s[] = {" % name]
    if not data:
        out[0] = "static const unsigned char %s[1] = {" % name
        data = b"\0"
    for i in range(0, len(data), 12):
        out.append("\t" + " ".join("0x%02x," % c for c in data[i:i + 12]))
    out.append("};")
    return "\n".join(out)


def c_str(s):
    """A C string literal, split into 60-character pieces."""
    if s is None:
        return "NULL"
    if len(s) > 60:
        return "\n\t    ".join(c_str(s[i:i + 60])
                                for i in range(0, len(s), 60))
    return '"' + "".join(
        c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else
        "\\%03o" % ord(c) if ord(c) < 0x80 else
        "".join("\\%03o" % x for x in c.encode()) for c in s) + '"'


def epoch(s):
    if s is None:
        return 0
    s = s.rstrip("Z").split(".")[0]
    t = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=timezone.utc)
    return int(t.timestamp())


def main():
    vdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, "..", "shared", "vectors")
    with open(os.path.join(vdir, "index.json")) as f:
        index = json.load(f)
    with open(os.path.join(vdir, "trust_anchors.json")) as f:
        anchors = json.load(f)
    anchor_names = sorted(anchors)

    cases = []
    for e in index:
        with open(os.path.join(vdir, e["file"])) as f:
            cases.append(json.load(f))
    # Registration first, valid first: the fuzz targets take the first
    # case whose challenge matches.
    cases.sort(key=lambda c: (c["kind"] != "registration",
                              not c["expected"]["valid"], c["name"]))

    corpus = Corpus()
    decls, rows = [], []
    for ci, c in enumerate(cases):
        cred = c["credential"]
        resp = cred.get("response", {})
        name = c["name"]
        reg = c["kind"] == "registration"
        cdj = b64d(resp.get("clientDataJSON", ""))
        cdh = hashlib.sha256(cdj).digest()
        opts = c.get("options", {})

        # Seeds.
        corpus.add("fuzz_reg" if reg else "fuzz_assert", name,
                   json.dumps(cred, separators=(",", ":")))
        # A few whole responses of each kind for the verify bodies.
        if name in HTTP_JSON_CASES:
            corpus.add("fuzz_http_json", name,
                       json.dumps(cred, separators=(",", ":")))
        if cdj:
            corpus.add("fuzz_clientdata", name, cdj)
            try:
                ch = json.loads(cdj).get("challenge")
            except Exception:
                ch = None
            if isinstance(ch, str) and ch:
                rw = cdj.replace(('"%s"' % ch).encode(),
                                 ('"%s"' % CD_CHALLENGE).encode(), 1)
                corpus.add("fuzz_clientdata", name + "-chal", rw)
        authdata = None
        if reg:
            ao = b64d(resp.get("attestationObject", ""))
            corpus.add("fuzz_attobj", name, ao)
            p = parse_attobj(ao)
            if p is not None:
                fmt, stmt, authdata = p
                if fmt in FORMAT_TARGETS:
                    corpus.add(FORMAT_TARGETS[fmt], name, stmt)
        else:
            authdata = b64d(resp.get("authenticatorData", ""))
            corpus.add("fuzz_cose", name,
                       b64d(c["credential_public_key"]))
        if authdata:
            corpus.add("fuzz_authdata", name, authdata)
            if reg:
                try:
                    _, _, pub = parse_authdata(authdata)
                    if pub:
                        corpus.add("fuzz_cose", name, pub)
                except Exception:
                    pass

        # Fixture row.
        chal = b64d_strict(c["expected_challenge"])
        if chal is None:
            chal = c["expected_challenge"].encode()
        decls.append(c_bytes("fz_chal_%d" % ci, chal))
        decls.append(c_bytes("fz_cdh_%d" % ci, cdh))
        rawid = b64d(cred.get("rawId", ""))
        decls.append(c_bytes("fz_id_%d" % ci, rawid))
        ad = authdata or b""
        be = len(ad) > 32 and (ad[32] & 0x08) != 0
        if not reg:
            ad = b""    # the fixtures need only registration authData
        decls.append(c_bytes("fz_ad_%d" % ci, ad))
        key = b64d(c["credential_public_key"]) if not reg else b""
        decls.append(c_bytes("fz_key_%d" % ci, key))
        tops = opts.get("allowed_top_origins", [])
        decls.append("static const char *const fz_top_%d[] = { %s };" % (
            ci, ", ".join([c_str(t) for t in tops] + ["NULL"])))
        algs = opts.get("supported_algorithms", [])
        decls.append("static const int fz_algs_%d[] = { %s };" % (
            ci, ", ".join([str(a) for a in algs] + ["0"])))
        tas = [anchor_names.index(t) for t in c.get("trust_anchors", [])]
        decls.append("static const int fz_tas_%d[] = { %s };" % (
            ci, ", ".join([str(t) for t in tas] + ["-1"])))
        rows.append("\t{ %s, %d,\n\t    %s,\n\t    %s,\n\t    %s,\n"
                    "\t    fz_chal_%d, sizeof(fz_chal_%d), %s, %s, %s, %s,\n"
                    "\t    fz_top_%d, %d, fz_algs_%d, %d, fz_tas_%d, %d,"
                    " %dLL,\n"
                    "\t    fz_cdh_%d, fz_id_%d, %d, fz_ad_%d, %d,\n"
                    "\t    fz_key_%d, %d, %uU, %s }," % (
                        c_str(name), 0 if reg else 1, c_str(c["rp_id"]),
                        c_str(c["origin"]), c_str(c["expected_challenge"]),
                        ci, ci,
                        "true" if c.get("require_user_verification")
                        else "false",
                        "true" if opts.get("require_user_presence") is False
                        else "false",
                        "false" if opts.get("safetynet_enforce_cts") is False
                        else "true",
                        "true" if opts.get("allow_cross_origin") else "false",
                        ci, len(tops), ci, len(algs), ci, len(tas),
                        epoch(c.get("verify_at")),
                        ci, ci, len(rawid), ci, len(ad), ci, len(key),
                        c.get("prior_sign_count", 0),
                        "true" if be else "false"))

    # Hand-made seeds for shapes the vectors lack.
    corpus.add("fuzz_authdata", "ed-extensions",
               hashlib.sha256(b"example.org").digest() + bytes([0x81]) +
               b"\0\0\0\x05" + bytes([0xA1, 0x64]) + b"test" + b"\xf5")
    corpus.add("fuzz_cose", "okp-ed25519-zero",
               bytes([0xA4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21,
                      0x58, 0x20]) + bytes(32))
    for name, body in HTTP_JSON_BODIES:
        corpus.add("fuzz_http_json", name, body)
    corpus.write()

    out = ["/*",
           " * fuzz_vectors.h: the relying-party context of every case of",
           " * the shared test vectors, for the fuzz targets.  Generated by",
           " * tests/fuzz/seeds.py from %d cases; do not edit." % len(cases),
           " */",
           "#ifndef FUZZ_VECTORS_H",
           "#define FUZZ_VECTORS_H",
           "",
           "#include <stdbool.h>",
           "#include <stddef.h>",
           "#include <stdint.h>",
           "",
           '#define FZ_CD_CHALLENGE\t%s' % c_str(CD_CHALLENGE),
           ""]
    for fmt, case in sorted(FORMAT_FIXTURES.items()):
        out.append("#define FZ_FIXTURE_%s\t%s" % (
            re.sub(r"[^A-Z0-9]", "_", fmt.upper()), c_str(case)))
    out.append("")
    for i, n in enumerate(anchor_names):
        out.append("/* %s */" % n)
        out.append(c_bytes("fz_anchor_%d" % i, b64d(anchors[n]["der"])))
    out.append("static const struct { const unsigned char *p; size_t n; }"
               " fz_anchors[] = {")
    for i, n in enumerate(anchor_names):
        out.append("\t{ fz_anchor_%d, sizeof(fz_anchor_%d) }," % (i, i))
    out.append("};")
    out.append("")
    out.extend(decls)
    out.append("""
struct fz_case {
	const char		*name;
	int			 kind;		/* 0 reg, 1 assertion */
	const char		*rp_id;
	const char		*origin;
	const char		*chal_b64;	/* as the RP issued it */
	const unsigned char	*chal;
	size_t			 chal_len;
	bool			 require_uv;
	bool			 no_up;
	bool			 cts;
	bool			 cross_origin;
	const char *const	*top;
	size_t			 ntop;
	const int		*algs;
	size_t			 nalgs;
	const int		*anchors;	/* in fz_anchors */
	size_t			 nanchors;
	int64_t			 time;		/* 0: none given */
	const unsigned char	*cdh;	/* SHA-256(cdj) */
	const unsigned char	*cred_id;
	size_t			 cred_id_len;
	const unsigned char	*authdata;
	size_t			 authdata_len;
	const unsigned char	*key;		/* assertion: stored key */
	size_t			 key_len;
	uint32_t		 prior_count;
	bool			 be;
};
""")
    out.append("static const struct fz_case fz_cases[] = {")
    out.extend(rows)
    out.append("};")
    out.append("#define FZ_NCASES (sizeof(fz_cases) / sizeof(fz_cases[0]))")
    out.append("")
    out.append("#endif /* FUZZ_VECTORS_H */")
    with open(HEADER, "w") as f:
        f.write("\n".join(out) + "\n")

    for t, files in sorted(corpus.targets.items()):
        print("%-22s %4d seeds %8d bytes" % (
            t, len(files), sum(len(v) for v in files.values())))


if __name__ == "__main__":
    main()
