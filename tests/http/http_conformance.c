/*
 * http_conformance.c: a negative suite over HTTP, modelled on the test
 * families of the FIDO2 server conformance tools: the structure of the
 * response (Server-ServerAuthenticatorAttestationResponse and
 * -AssertionResponse), the client data, the authenticator data, trust,
 * each attestation format (none, packed self and x5c, fido-u2f, tpm,
 * android-key, android-safetynet, apple) and the assertion, of sign-in
 * and of delivery confirmations.  softauth makes none, packed and
 * fido-u2f; the other statements are built here.
 *
 * Every case runs the real ceremony against the main authd (the trust
 * cases against a second one, started here, whose couriers need
 * attestation that chains to softauth's CA): options, a response from
 * softauth with exactly one rule broken, verify.  It asserts the exact
 * status and error code, then that nothing changed: a failed
 * registration stores no credential and leaves the enrollment code
 * usable (the unbroken response then registers, with the same key); a
 * failed sign-in sets no cookie and leaves the stored devices and
 * sessions as they were, and the unbroken sign-in then succeeds with the
 * same sign count, so the counter did not move; a failed confirmation
 * stays pending.  An accepted registration must sign in with the stored
 * key.  Each family starts with its positive control, and a few cases
 * are variations that authd must accept.
 *
 * Cases are rows of tables; each row is one cmocka case named
 * family_rule.  HTTPT_FILTER=pattern runs the matching cases only.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

#define UP_UV		FX_UP_UV
#define UP		FX_UP
#define UV		WA_FLAG_UV
#define BE		WA_FLAG_BE
#define BS		WA_FLAG_BS
#define RFU1		0x02
#define RFU2		0x20
#define MAX_CASES	300
/* JSON nested deeper than authd takes (20 levels). */
#define DEEP		"[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"
#define BIG_LEN		(17 * 1024)	/* over WA_MAX_CLIENTDATA */
#define HUGE_LEN	(65 * 1024)	/* over authd's max_body */
#define LONG_ID		1400		/* base64url over WA_MAX_CRED_ID */

/* A well-formed challenge that authd did not issue. */
#define OTHER_CHAL	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA"
/* A COSE_Key {kty: EC2, alg: -999}. */
#define COSE_ALG_999	\
    ((const unsigned char *)"\xa2\x01\x02\x03\x39\x03\xe6")
/* An authenticator extension output {"credProtect": 1}, and with a
 * trailing byte. */
#define CRED_PROTECT	((const unsigned char *)"\xa1\x6b" "credProtect\x01")
#define CRED_PROTECT_TRAILING \
    ((const unsigned char *)"\xa1\x6b" "credProtect\x01\x00")
/* A P-256 public key (SubjectPublicKeyInfo) that no case holds. */
#define OTHER_SPKI	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMJ6FdH2in6joj5vR" \
			"vbY-tWsTMfYZMpH-9OrHgeWRHev3qRjApypvoV3VXoBjQ9vU_b" \
			"uYMrqffZY7jD_eULdv-w"
#define AAGUID		((const unsigned char *)SA_AAGUID)
#define OTHER_AAGUID	((const unsigned char *)"another-aaguid!!")
#define APPLE_NONCE	"1.2.840.113635.100.8.2"
#define ANDROID_KEYDESC	"1.3.6.1.4.1.11129.2.1.17"

static struct {
	struct hc_conn	*c;
	struct sa_cred	*other;		/* a key no case registers */
	struct sa_cred	*rsa;		/* SafetyNet's signer */
	struct sa_ca	*other_ca;	/* a CA that is no anchor */
	char		*svc;		/* a service's API key */
	/* The instance whose couriers need attestation from anchor. */
	struct fx_authd	 tr;
	struct hc_conn	*tc;
	char		 tr_origin[64];
	char		 anchor[512];
	/* Large values: x..., "pad":"x...", and "AAA..." (1050 bytes). */
	char		 big[HUGE_LEN + 16];
	char		 bigmember[BIG_LEN + 16];
	char		 longid[LONG_ID + 3];
} T;

/* Hook arguments. */

/* JSON members to replace (val, JSON text) or delete (val NULL). */
struct jedit {
	const char	*path;
	const char	*val;
	const char	*also;		/* a second path, or NULL */
};

/* An attStmt or attestationObject member to change. */
enum { S_DEL, S_INT, S_BYTES, S_TEXT, S_GARBAGE_X5C, S_EMPTY_ARRAY };
struct sedit {
	const char	*key;
	int		 kind;
	int64_t		 i;
};

/* Authenticator data edits, after it is built and before it is signed. */
enum { AD_TRUNC, AD_APPEND, AD_FLAGS_OR };
struct adedit {
	int		 op;
	size_t		 n;		/* bytes to cut, or flag bits */
	const char	*bytes;		/* AD_APPEND: n bytes */
};

/* Signature edits. */
enum { SIG_FLIP, SIG_TRAILING, SIG_EMPTY, SIG_BER };

/* The statement builders (apple, android-key, tpm, safetynet): what
 * to break. */
enum {
	FB_NONE, FB_NONCE, FB_NO_EXT, FB_OTHER_KEY, FB_X5C_EMPTY,
	FB_EXTRA, FB_SIG, FB_ALL_APPS, FB_PURPOSE, FB_IMPORTED, FB_ALG,
	FB_NO_SIG, FB_NAME, FB_MAGIC, FB_TYPE, FB_VER, FB_SUBJECT,
	FB_NO_SAN, FB_CA, FB_AAGUID, FB_X5C_GARBAGE, FB_CTS, FB_OLD,
	FB_HOST, FB_ALG_NONE
};

/* Body edits: the JSON text as a whole. */
enum { BODY_ASIS, BODY_ARRAY, BODY_TRAILING, BODY_TEXT, BODY_DUP_ID,
    BODY_HUGE };

/* The positive control of a format family. */
struct family {
	const char	*fmt;		/* softauth's fmt */
	int		 alg;
	struct sa_hooks	 base;
};

/* One registration case. */
struct rcase {
	const char		*name;
	const struct family	*fam;
	const char		*fmt;		/* NULL: the family's */
	int			 alg;		/* 0: the family's */
	uint8_t			 flags;		/* 0: UP|UV */
	const char		*rp_id;		/* NULL: localhost */
	const char		*origin;	/* "PORT" is replaced */
	bool			 signer_other;	/* packed self by T.other */
	bool			 long_id;	/* a 1024-byte credential id */
	bool			 other_ca;	/* x5c from T.other_ca */
	bool			 off_curve;	/* a key off its curve */
	bool			 trusted;	/* on the trusted instance */
	bool			 replay;	/* accepted, then again */
	const char		*cdj;		/* CHAL, PORT are replaced */
	struct sa_hooks		 h;
	int			 body;		/* BODY_* */
	const char		*text;		/* BODY_TEXT */
	const char		*ctype;		/* NULL: application/json */
	int			 want;
	const char		*error;
};

/* What makes a sign-in case special. */
enum {
	L_PLAIN,
	L_UNKNOWN_CRED,		/* a key authd never saw, same handle */
	L_OTHER_CRED,		/* options for u, another user's passkey */
	L_OTHER_HANDLE,		/* u's passkey, another user's handle */
	L_REPLAY,		/* the accepted response again */
	L_COUNT,		/* after an accepted count of 10 */
	L_REG_CHALLENGE,	/* a registration ceremony's challenge */
};

/* One sign-in case. */
struct lcase {
	const char	*name;
	int		 mode;		/* L_* */
	int		 alg;		/* 0: ES256 */
	uint8_t		 flags;		/* 0: UP|UV */
	const char	*rp_id;
	const char	*origin;
	bool		 discoverable;
	bool		 no_handle;
	bool		 signer_other;
	bool		 count_set;
	uint32_t	 count;		/* with count_set */
	const char	*cdj;		/* CHAL, PORT are replaced */
	uint8_t		 reg_flags;	/* 0: UP|UV at registration */
	struct sa_hooks	 h;
	int		 body;
	const char	*text;
	const char	*ctype;
	int		 want;
	const char	*error;
};

/* Hooks. */

static int
h_json(json_t *root, void *arg)
{
	const struct jedit	*e = arg;
	json_error_t		 jerr;
	json_t			*v = NULL;

	if (e->val != NULL && (v = json_loads(e->val, JSON_DECODE_ANY,
	    &jerr)) == NULL)
		return (-1);
	if (e->also != NULL && sa_json_set(root, e->also, v != NULL ?
	    json_incref(v) : NULL) < 0) {
		json_decref(v);
		return (-1);
	}

	return (sa_json_set(root, e->path, v));
}

static cbor_item_t *
sedit_value(const struct sedit *e)
{
	cbor_item_t *a;

	switch (e->kind) {
	case S_INT:
		return (sa_cbor_int(e->i));
	case S_BYTES:
		return (cbor_build_bytestring((const unsigned char *)"junk",
		    4));
	case S_TEXT:
		return (cbor_build_string("junk"));
	case S_GARBAGE_X5C:
		if ((a = cbor_new_definite_array(1)) != NULL &&
		    !cbor_array_push(a, cbor_move(cbor_build_bytestring(
		    (const unsigned char *)"\x30\x82\x01\x00garbage", 11))))
			cbor_decref(&a);
		return (a);
	default:
		return (cbor_new_definite_array(0));
	}
}

static int
sedit_apply(cbor_item_t **map, const struct sedit *e)
{
	if (e->kind == S_DEL)
		return (sa_cbor_map_del(map, e->key));

	return (sa_cbor_map_put(map, e->key, sedit_value(e)));
}

static int
h_attstmt(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	(void)ctx;

	return (sedit_apply(stmt, arg));
}

/* The attestationObject, decoded, edited and encoded again. */
static int
h_attobj(struct sa_bytes *b, void *arg)
{
	struct cbor_load_result	 res;
	cbor_item_t		*m;
	unsigned char		*out;
	size_t			 n;
	int			 r = -1;

	if ((m = cbor_load(b->ptr, b->len, &res)) == NULL)
		return (-1);
	if (sedit_apply(&m, arg) == 0 && sa_cbor_serialize(m, &out, &n) == 0) {
		r = sa_bytes_set(b, out, n);
		free(out);
	}
	cbor_decref(&m);

	return (r);
}

static int
h_attobj_trailing(struct sa_bytes *b, void *arg)
{
	(void)arg;

	return (sa_bytes_append(b, "", 1));
}

static int
h_authdata(struct sa_bytes *b, void *arg)
{
	const struct adedit *e = arg;

	switch (e->op) {
	case AD_TRUNC:
		if (b->len < e->n)
			return (-1);
		b->len -= e->n;
		return (0);
	case AD_APPEND:
		return (sa_bytes_append(b, e->bytes, e->n));
	default:
		if (b->len <= SHA256_DIGEST_LENGTH)
			return (-1);
		b->ptr[SHA256_DIGEST_LENGTH] |= (unsigned char)e->n;
		return (0);
	}
}

/*
 * An ECDSA signature in BER that is not DER: r with one more leading
 * zero byte than its minimal encoding, the same value.
 */
static int
sig_ber(struct sa_bytes *b)
{
	unsigned char	 p[160];
	size_t		 n = b->len;

	if (n < 8 || n + 1 > sizeof(p) || b->ptr[0] != 0x30 ||
	    b->ptr[1] >= 0x80 || b->ptr[2] != 0x02 || b->ptr[3] >= 0x7f)
		return (-1);
	memcpy(p, b->ptr, 4);
	p[1]++;
	p[3]++;
	p[4] = 0x00;
	memcpy(p + 5, b->ptr + 4, n - 4);

	return (sa_bytes_set(b, p, n + 1));
}

static int
h_sig(struct sa_bytes *b, void *arg)
{
	const int *op = arg;

	if (b->len == 0)
		return (-1);
	if (*op == SIG_BER)
		return (sig_ber(b));
	if (*op == SIG_FLIP)
		b->ptr[b->len / 2] ^= 0x01;
	else if (*op == SIG_TRAILING)
		return (sa_bytes_append(b, "", 1));
	else
		b->len = 0;

	return (0);
}

/* How x5c carries the certificate. */
enum { X5C_ONE, X5C_EMPTY, X5C_GARBAGE };

/* A certificate from softauth's CA for subject's key, as x5c. */
static int
put_x5c_opts(cbor_item_t **stmt, const struct sa_cred *subject,
    const struct sa_cert_opts *o, int shape)
{
	unsigned char	*der;
	size_t		 len;
	cbor_item_t	*x5c;
	int		 r = -1;

	if ((der = sa_ca_issue(sa_ca_default(), subject, o, &len)) == NULL)
		return (-1);
	if (shape == X5C_GARBAGE)
		len = 10;
	if ((x5c = cbor_new_definite_array(shape == X5C_EMPTY ? 0 : 1)) !=
	    NULL && (shape == X5C_EMPTY || cbor_array_push(x5c, cbor_move(
	    cbor_build_bytestring(der, len)))))
		r = sa_cbor_map_put(stmt, "x5c", x5c);
	free(der);

	return (r);
}

/* The same with subject dn and one extra extension (or none). */
static int
put_x5c(cbor_item_t **stmt, const struct sa_cred *subject, const char *dn,
    const struct sa_cert_ext *ext, bool empty)
{
	struct sa_cert_opts o;

	memset(&o, 0, sizeof(o));
	o.subject = dn;
	o.exts = ext;
	o.nexts = ext != NULL ? 1 : 0;

	return (put_x5c_opts(stmt, subject, &o, empty ? X5C_EMPTY : X5C_ONE));
}

/* SHA-256(authData || clientDataHash), the nonce of §8.4 and §8.8. */
static void
att_nonce(const struct sa_ctx *ctx, unsigned char out[32])
{
	struct sa_bytes tbs = { NULL, 0 };

	if (sa_bytes_set(&tbs, ctx->authdata, ctx->authdata_len) < 0 ||
	    sa_bytes_append(&tbs, ctx->cdh, 32) < 0)
		fail_msg("out of memory");
	SHA256(tbs.ptr, tbs.len, out);
	free(tbs.ptr);
}

/* Apple anonymous attestation (§8.8): credCert with the nonce. */
static int
h_apple(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const int		*brk = arg;
	struct sa_cert_ext	 ext;
	unsigned char		 der[38] = { 0x30, 0x24, 0xa1, 0x22, 0x04,
				    0x20 };

	att_nonce(ctx, der + 6);
	if (*brk == FB_NONCE)
		der[6] ^= 0x01;
	ext.oid = APPLE_NONCE;
	ext.critical = false;
	ext.der = der;
	ext.der_len = sizeof(der);
	if (put_x5c(stmt, *brk == FB_OTHER_KEY ? T.other : ctx->cred,
	    "/O=Apple Inc./ST=California/CN=credCert",
	    *brk == FB_NO_EXT ? NULL : &ext, *brk == FB_X5C_EMPTY) < 0)
		return (-1);
	/* "alg" is tolerated, as Apple devices send it; "sig" is not. */
	if (*brk == FB_EXTRA)
		return (sa_cbor_map_put(stmt, "sig",
		    cbor_build_bytestring((const unsigned char *)"x", 1)));

	return (0);
}

/*
 * The Android key description (§8.4.1): version 3, TEE, the challenge,
 * an empty software list and a TEE list with purpose SIGN and origin
 * GENERATED, or what brk breaks.  OUT: der (at most 96 bytes).
 */
static size_t
key_description(const unsigned char *cdh, int brk, unsigned char *der)
{
	static const unsigned char head[] = {
		0x02, 0x01, 0x03, 0x0a, 0x01, 0x01, 0x02, 0x01, 0x04,
		0x0a, 0x01, 0x01, 0x04, 0x20,
	};
	unsigned char	 tee[32];
	size_t		 n = 2, t = 0;

	memcpy(tee + t, brk == FB_PURPOSE ? "\xa1\x05\x31\x03\x02\x01\x00" :
	    "\xa1\x05\x31\x03\x02\x01\x02", 7);
	t += 7;
	if (brk == FB_ALL_APPS) {
		memcpy(tee + t, "\xbf\x84\x58\x02\x05\x00", 6);
		t += 6;
	}
	memcpy(tee + t, brk == FB_IMPORTED ? "\xbf\x85\x3e\x03\x02\x01\x02" :
	    "\xbf\x85\x3e\x03\x02\x01\x00", 7);
	t += 7;
	memcpy(der + n, head, sizeof(head));
	n += sizeof(head);
	memcpy(der + n, cdh, 32);
	if (brk == FB_NONCE)
		der[n] ^= 0x01;
	n += 32;
	memcpy(der + n, "\x04\x00\x30\x00\x30", 5);
	n += 5;
	der[n++] = (unsigned char)t;
	memcpy(der + n, tee, t);
	n += t;
	der[0] = 0x30;
	der[1] = (unsigned char)(n - 2);

	return (n);
}

/* Android key attestation (§8.4): the credential key certified. */
static int
h_android_key(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const int		*brk = arg;
	const struct sa_cred	*key = *brk == FB_OTHER_KEY ? T.other :
				    ctx->cred;
	struct sa_cert_ext	 ext;
	struct sa_bytes		 tbs = { NULL, 0 };
	unsigned char		 der[96], *sig = NULL;
	size_t			 sig_len;
	int			 r = -1;

	ext.oid = ANDROID_KEYDESC;
	ext.critical = false;
	ext.der = der;
	ext.der_len = key_description(ctx->cdh, *brk, der);
	if (sa_bytes_set(&tbs, ctx->authdata, ctx->authdata_len) < 0 ||
	    sa_bytes_append(&tbs, ctx->cdh, 32) < 0 ||
	    sa_cred_sign(key, tbs.ptr, tbs.len, &sig, &sig_len) < 0)
		goto fail;
	if (*brk == FB_SIG)
		sig[sig_len / 2] ^= 0x01;
	if (put_x5c(stmt, key, "/CN=Android Keystore Key",
	    *brk == FB_NO_EXT ? NULL : &ext, false) < 0 ||
	    sa_cbor_map_put(stmt, "alg", sa_cbor_int(*brk == FB_ALG ?
	    WA_COSE_RS256 : WA_COSE_ES256)) < 0)
		goto fail;
	if (*brk != FB_NO_SIG && sa_cbor_map_put(stmt, "sig",
	    cbor_build_bytestring(sig, sig_len)) < 0)
		goto fail;

	r = 0;
fail:
	free(tbs.ptr);
	free(sig);

	return (r);
}

/* TPM (§8.3): big-endian integers and TPM2B sized buffers. */
static int
be(struct sa_bytes *b, uint64_t v, size_t n)
{
	unsigned char p[8];

	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * (n - 1 - i)));

	return (sa_bytes_append(b, p, n));
}

static int
tpm2b(struct sa_bytes *b, const unsigned char *p, size_t n)
{
	return (be(b, n, 2) < 0 || sa_bytes_append(b, p, n) < 0 ? -1 : 0);
}

/*
 * TPMT_PUBLIC of an ES256 key, taken from its COSE_Key (softauth's is
 * canonical: x at offset 10, y at 45), and TPMS_ATTEST of type CERTIFY
 * naming it with extraData.
 */
static int
tpm_pub_area(const struct sa_cred *key, struct sa_bytes *pub)
{
	const unsigned char *cose = sa_cred_cose_ptr(key);

	if (sa_cred_cose_len(key) != 77)
		return (-1);
	if (be(pub, 0x0023, 2) < 0 ||		/* TPM_ALG_ECC */
	    be(pub, 0x000b, 2) < 0 ||		/* nameAlg SHA-256 */
	    be(pub, 0x00060472, 4) < 0 ||	/* objectAttributes */
	    tpm2b(pub, NULL, 0) < 0 ||		/* authPolicy */
	    be(pub, 0x0010, 2) < 0 ||		/* symmetric: NULL */
	    be(pub, 0x0010, 2) < 0 ||		/* scheme: NULL */
	    be(pub, 0x0003, 2) < 0 ||		/* NIST P-256 */
	    be(pub, 0x0010, 2) < 0 ||		/* kdf: NULL */
	    tpm2b(pub, cose + 10, 32) < 0 || tpm2b(pub, cose + 45, 32) < 0)
		return (-1);

	return (0);
}

static int
tpm_cert_info(const unsigned char extra[32], const struct sa_bytes *pub,
    int brk, struct sa_bytes *info)
{
	unsigned char	name[34], signer[34];

	memset(signer, 0x5a, sizeof(signer));
	name[0] = 0x00;
	name[1] = brk == FB_NAME ? 0x0c : 0x0b;	/* SHA-384 or SHA-256 */
	SHA256(pub->ptr, pub->len, name + 2);
	if (be(info, brk == FB_MAGIC ? 0xff544348 : 0xff544347, 4) < 0 ||
	    be(info, brk == FB_TYPE ? 0x8018 : 0x8017, 2) < 0 ||
	    tpm2b(info, signer, sizeof(signer)) < 0 ||
	    tpm2b(info, extra, 32) < 0 ||
	    be(info, 12345, 8) < 0 ||		/* clock */
	    be(info, 1, 4) < 0 || be(info, 0, 4) < 0 ||
	    sa_bytes_append(info, "\x01", 1) < 0 ||	/* safe */
	    be(info, 0x20190827, 8) < 0 ||	/* firmwareVersion */
	    tpm2b(info, name, sizeof(name)) < 0 ||
	    tpm2b(info, signer, sizeof(signer)) < 0)
		return (-1);

	return (0);
}

/*
 * The AIK certificate extensions of §8.3.1: a subjectAltName with the
 * TPM manufacturer, model and version (tcg OIDs 2.23.133.2.1-3), and
 * the extended key usage tcg-kp-AIKCertificate (2.23.133.8.3).
 */
static const unsigned char tpm_san[] = {
	0x30, 0x3b, 0xa4, 0x39, 0x30, 0x37,
	0x31, 0x14, 0x30, 0x12, 0x06, 0x05, 0x67, 0x81, 0x05, 0x02, 0x01,
	0x0c, 0x09, 'i', 'd', ':', '5', '3', '4', '1', '3', '5',
	0x31, 0x10, 0x30, 0x0e, 0x06, 0x05, 0x67, 0x81, 0x05, 0x02, 0x02,
	0x0c, 0x05, 'S', 'O', 'F', 'T', '1',
	0x31, 0x0d, 0x30, 0x0b, 0x06, 0x05, 0x67, 0x81, 0x05, 0x02, 0x03,
	0x0c, 0x02, '2', '0',
};
static const unsigned char tpm_eku[] = {
	0x30, 0x07, 0x06, 0x05, 0x67, 0x81, 0x05, 0x08, 0x03,
};

static int
h_tpm(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const int		*brk = arg;
	struct sa_cert_ext	 ext[2];
	struct sa_cert_opts	 o;
	struct sa_bytes		 pub = { NULL, 0 }, info = { NULL, 0 };
	struct sa_cred		*aik = NULL;
	unsigned char		 extra[32], *sig = NULL;
	size_t			 sig_len;
	int			 r = -1;

	att_nonce(ctx, extra);
	if (*brk == FB_NONCE)
		extra[0] ^= 0x01;
	ext[0] = (struct sa_cert_ext){ "2.5.29.17", true, tpm_san,
	    sizeof(tpm_san) };
	ext[1] = (struct sa_cert_ext){ "2.5.29.37", false, tpm_eku,
	    sizeof(tpm_eku) };
	memset(&o, 0, sizeof(o));
	o.subject = *brk == FB_SUBJECT ? "/CN=not empty" : "";
	o.bc = *brk == FB_CA ? SA_BC_CA : SA_BC_LEAF;
	o.aaguid = *brk == FB_AAGUID ? OTHER_AAGUID : AAGUID;
	/* FB_NO_EXT leaves out the EKU, FB_NO_SAN the SAN. */
	o.exts = *brk == FB_NO_SAN ? ext + 1 : ext;
	o.nexts = *brk == FB_NO_SAN || *brk == FB_NO_EXT ? 1 : 2;
	if ((aik = sa_cred_new(WA_COSE_ES256)) == NULL ||
	    tpm_pub_area(*brk == FB_OTHER_KEY ? T.other : ctx->cred,
	    &pub) < 0 ||
	    tpm_cert_info(extra, &pub, *brk, &info) < 0 ||
	    sa_cred_sign(aik, info.ptr, info.len, &sig, &sig_len) < 0)
		goto fail;
	if (*brk == FB_SIG)
		sig[sig_len / 2] ^= 0x01;
	if (put_x5c_opts(stmt, aik, &o, *brk == FB_X5C_GARBAGE ?
	    X5C_GARBAGE : X5C_ONE) < 0 ||
	    sa_cbor_map_put(stmt, "ver", cbor_build_string(*brk == FB_VER ?
	    "1.0" : "2.0")) < 0 ||
	    sa_cbor_map_put(stmt, "alg", sa_cbor_int(WA_COSE_ES256)) < 0 ||
	    sa_cbor_map_put(stmt, "sig", cbor_build_bytestring(sig,
	    sig_len)) < 0 ||
	    sa_cbor_map_put(stmt, "certInfo", cbor_build_bytestring(info.ptr,
	    info.len)) < 0 ||
	    sa_cbor_map_put(stmt, "pubArea", cbor_build_bytestring(pub.ptr,
	    pub.len)) < 0)
		goto fail;
	if (*brk == FB_EXTRA && sa_cbor_map_put(stmt, "ecdaaKeyId",
	    cbor_build_bytestring(extra, 16)) < 0)
		goto fail;

	r = 0;
fail:
	free(pub.ptr);
	free(info.ptr);
	free(sig);
	sa_cred_free(&aik);

	return (r);
}

/* Standard base64 with padding, as JWS x5c and SafetyNet's nonce. */
static char *
b64std(const unsigned char *p, size_t n)
{
	char *s;

	if ((s = malloc(n / 3 * 4 + 5)) == NULL)
		fail_msg("out of memory");
	(void)EVP_EncodeBlock((unsigned char *)s, p, (int)n);

	return (s);
}

/* base64url of a JSON value's compact text; steals o. */
static char *
b64json(json_t *o)
{
	char *t, *r;

	if (o == NULL || (t = json_dumps(o, JSON_COMPACT)) == NULL)
		fail_msg("json_dumps");
	json_decref(o);
	r = fx_b64url((const unsigned char *)t, strlen(t));
	free(t);

	return (r);
}

/*
 * Android SafetyNet (§8.5): a JWS signed RS256 by a certificate for
 * attest.android.com, over a payload whose nonce is base64 of
 * SHA-256(authData || clientDataHash), fresh, with ctsProfileMatch.
 */
static int
h_safetynet(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const int		*brk = arg;
	struct sa_cert_opts	 o;
	struct sa_bytes		 jws = { NULL, 0 };
	const struct sa_cred	*signer = T.rsa;
	unsigned char		 md[32], *cert = NULL, *sig = NULL;
	size_t			 cert_len, sig_len;
	char			*cert64 = NULL, *nonce, *h64, *p64, *s64 = NULL;
	json_int_t		 ts = (json_int_t)time(NULL) * 1000;
	int			 r = -1;

	memset(&o, 0, sizeof(o));
	o.subject = "/C=US/O=Google LLC/CN=attest.android.com";
	o.san_dns = "attest.android.com";
	if (*brk == FB_HOST) {
		o.subject = "/C=US/O=Google LLC/CN=attest.android.com.evil";
		o.san_dns = "attest.android.com.evil";
	}
	att_nonce(ctx, md);
	if (*brk == FB_NONCE)
		md[0] ^= 0x01;
	if ((cert = sa_ca_issue(sa_ca_default(), signer, &o, &cert_len)) ==
	    NULL)
		goto fail;
	cert64 = b64std(cert, cert_len);
	nonce = b64std(md, sizeof(md));
	h64 = b64json(json_pack("{s:s, s:[s]}", "alg", *brk == FB_ALG_NONE ?
	    "none" : "RS256", "x5c", cert64));
	p64 = b64json(json_pack("{s:s, s:I, s:s, s:b, s:b}", "nonce", nonce,
	    "timestampMs", *brk == FB_OLD ? ts - 3600000 : ts,
	    "apkPackageName", "com.google.android.gms", "ctsProfileMatch",
	    *brk != FB_CTS, "basicIntegrity", 1));
	free(nonce);
	r = sa_bytes_set(&jws, h64, strlen(h64)) < 0 ||
	    sa_bytes_append(&jws, ".", 1) < 0 ||
	    sa_bytes_append(&jws, p64, strlen(p64)) < 0 ? -1 : 0;
	free(h64);
	free(p64);
	if (r < 0 || sa_cred_sign(signer, jws.ptr, jws.len, &sig,
	    &sig_len) < 0) {
		r = -1;
		goto fail;
	}
	if (*brk == FB_SIG)
		sig[sig_len / 2] ^= 0x01;
	s64 = fx_b64url(sig, sig_len);
	if (sa_bytes_append(&jws, ".", 1) < 0 ||
	    sa_bytes_append(&jws, s64, strlen(s64)) < 0 ||
	    sa_cbor_map_put(stmt, "ver", cbor_build_string(*brk == FB_VER ?
	    "" : "14366018")) < 0 ||
	    sa_cbor_map_put(stmt, "response", cbor_build_bytestring(jws.ptr,
	    jws.len)) < 0)
		r = -1;
fail:
	free(cert);
	free(cert64);
	free(sig);
	free(s64);
	free(jws.ptr);

	return (r);
}

/* The families' positive controls. */

static const int brk_none = FB_NONE;

static const struct family f_none = { "none", WA_COSE_ES256, { 0 } };
static const struct family f_packed = { "packed", WA_COSE_ES256, { 0 } };
static const struct family f_x5c = { "packed-x5c", WA_COSE_ES256, { 0 } };
static const struct family f_u2f = { "fido-u2f", WA_COSE_ES256, { 0 } };
static const struct family f_apple = { "apple", WA_COSE_ES256,
    { .attstmt = h_apple, .arg = (void *)(uintptr_t)&brk_none } };
static const struct family f_tpm = { "tpm", WA_COSE_ES256,
    { .attstmt = h_tpm, .arg = (void *)(uintptr_t)&brk_none } };
static const struct family f_sn = { "android-safetynet", WA_COSE_ES256,
    { .attstmt = h_safetynet, .arg = (void *)(uintptr_t)&brk_none } };
static const struct family f_akey = { "android-key", WA_COSE_ES256,
    { .attstmt = h_android_key, .arg = (void *)(uintptr_t)&brk_none } };

#define ARG(...)	((void *)(uintptr_t)(__VA_ARGS__))
#define JSON(p, v)	.h = { .json = h_json, \
			    .arg = ARG(&(const struct jedit){ p, v, NULL }) }
#define JSON2(p, q, v)	.h = { .json = h_json, \
			    .arg = ARG(&(const struct jedit){ p, v, q }) }
#define STMT(k, kind, i) .h = { .attstmt = h_attstmt, \
			    .arg = ARG(&(const struct sedit){ k, kind, i }) }
#define ATTOBJ(k, kind)	.h = { .attobj = h_attobj, \
			    .arg = ARG(&(const struct sedit){ k, kind, 0 }) }
#define AUTHDATA(op, n, b) .h = { .authdata = h_authdata, \
			    .arg = ARG(&(const struct adedit){ op, n, b }) }
#define SIG(op)		.h = { .sig = h_sig, .arg = ARG(&(const int){ (op) }) }
#define LEAF(...)	.h = { .leaf = &(const struct sa_cert_opts){ \
			    __VA_ARGS__ } }
#define BRK(fn, b)	.h = { .attstmt = (fn), \
			    .arg = ARG(&(const int){ (b) }) }
#define ERR(st, code)	.want = (st), .error = (code)

/*
 * Registration: the response structure, the client data, the
 * authenticator data and each attestation format.
 */
static const struct rcase rcases[] = {
	/* Response structure (RegistrationResponseJSON). */
	{ "structure_ok", &f_none, ERR(201, NULL) },
	{ "structure_id_missing", &f_none, JSON("id", NULL),
	    ERR(400, "malformed_response") },
	{ "structure_rawid_missing", &f_none, JSON("rawId", NULL),
	    ERR(400, "malformed_response") },
	{ "structure_id_not_rawid", &f_none, JSON("id", "\"AAAAAAAAAAAA\""),
	    ERR(400, "credential_id_mismatch") },
	{ "structure_id_too_long", &f_none, JSON2("id", "rawId", T.longid),
	    ERR(400, "credential_id_mismatch") },
	{ "structure_id_not_string", &f_none, JSON("id", "42"),
	    ERR(400, "malformed_response") },
	{ "structure_id_empty", &f_none, JSON("id", "\"\""),
	    ERR(400, "credential_id_mismatch") },
	{ "structure_type_missing", &f_none, JSON("type", NULL),
	    ERR(400, "malformed_response") },
	{ "structure_type_wrong", &f_none, JSON("type", "\"password\""),
	    ERR(400, "bad_credential_type") },
	{ "structure_type_case", &f_none, JSON("type", "\"Public-Key\""),
	    ERR(400, "bad_credential_type") },
	{ "structure_type_not_string", &f_none, JSON("type", "true"),
	    ERR(400, "malformed_response") },
	{ "structure_response_missing", &f_none, JSON("response", NULL),
	    ERR(400, "malformed_response") },
	{ "structure_response_not_object", &f_none,
	    JSON("response", "\"x\""), ERR(400, "malformed_response") },
	{ "structure_cdj_missing", &f_none,
	    JSON("response.clientDataJSON", NULL),
	    ERR(400, "malformed_response") },
	{ "structure_cdj_empty", &f_none,
	    JSON("response.clientDataJSON", "\"\""),
	    ERR(400, "malformed_client_data") },
	{ "structure_cdj_not_base64url", &f_none,
	    JSON("response.clientDataJSON", "\"eyJ0eXBlIjoi*\""),
	    ERR(400, "bad_base64url") },
	{ "structure_cdj_padded", &f_none,
	    JSON("response.clientDataJSON", "\"e30=\""),
	    ERR(400, "bad_base64url") },
	{ "structure_attobj_missing", &f_none,
	    JSON("response.attestationObject", NULL),
	    ERR(400, "malformed_response") },
	{ "structure_attobj_empty", &f_none,
	    JSON("response.attestationObject", "\"\""),
	    ERR(400, "malformed_cbor") },
	{ "structure_attobj_not_base64url", &f_none,
	    JSON("response.attestationObject", "\"o2Nm+/bXQ\""),
	    ERR(400, "bad_base64url") },
	{ "structure_attobj_trailing", &f_none,
	    .h = { .attobj = h_attobj_trailing }, ERR(400, "malformed_cbor") },
	{ "structure_attobj_not_map", &f_none,
	    JSON("response.attestationObject", "\"gA\""),
	    ERR(400, "malformed_cbor") },
	{ "structure_attobj_fmt_missing", &f_none, ATTOBJ("fmt", S_DEL),
	    ERR(400, "malformed_cbor") },
	{ "structure_attobj_fmt_not_text", &f_none, ATTOBJ("fmt", S_BYTES),
	    ERR(400, "malformed_cbor") },
	{ "structure_attobj_attstmt_missing", &f_none,
	    ATTOBJ("attStmt", S_DEL), ERR(400, "malformed_cbor") },
	{ "structure_attobj_authdata_missing", &f_none,
	    ATTOBJ("authData", S_DEL), ERR(400, "malformed_cbor") },
	{ "structure_attobj_authdata_text", &f_none,
	    ATTOBJ("authData", S_TEXT), ERR(400, "malformed_cbor") },
	{ "structure_attobj_extra_member", &f_none,
	    ATTOBJ("epAtt", S_INT), ERR(400, "malformed_cbor") },
	{ "structure_authdata_member_differs", &f_none,
	    JSON("response.authenticatorData", "\"AAAA\""),
	    ERR(400, "malformed_response") },
	{ "structure_nested_too_deep", &f_none,
	    JSON("clientExtensionResults", "{\"a\":" DEEP "}"),
	    ERR(400, "malformed_response") },
	{ "structure_body_array", &f_none, .body = BODY_ARRAY,
	    ERR(400, "malformed_response") },
	{ "structure_body_trailing", &f_none, .body = BODY_TRAILING,
	    ERR(400, "malformed_response") },
	{ "structure_body_not_json", &f_none, .body = BODY_TEXT,
	    .text = "id=x&type=public-key", ERR(400, "malformed_response") },
	{ "structure_content_type", &f_none, .ctype = "text/plain",
	    ERR(415, "unsupported_media_type") },
	{ "structure_duplicate_member", &f_none, .body = BODY_DUP_ID,
	    ERR(400, "malformed_response") },
	{ "structure_body_too_large", &f_none, .body = BODY_HUGE,
	    ERR(413, "body_too_large") },
	{ "structure_replay", &f_none, .replay = true,
	    ERR(400, "ceremony_used") },
	{ "structure_transports_not_array", &f_none,
	    JSON("response.transports", "5"), ERR(400, "malformed_response") },
	/* toJSON()'s conveniences do not override the attested key. */
	{ "structure_public_key_ignored", &f_none,
	    JSON("response.publicKey", "\"" OTHER_SPKI "\""), ERR(201, NULL) },
	{ "structure_public_key_alg_mismatch", &f_none,
	    JSON("response.publicKeyAlgorithm", "-8"),
	    ERR(400, "malformed_response") },
	{ "structure_client_ext_not_object", &f_none,
	    JSON("clientExtensionResults", "\"x\""),
	    ERR(400, "malformed_response") },
	/* Unknown transports are ignored (§5.8.4). */
	{ "structure_transports_unknown_accepted", &f_none,
	    JSON("response.transports", "[\"carrier-pigeon\"]"),
	    ERR(201, NULL) },
	{ "structure_extra_member_ignored", &f_none,
	    JSON("futureMember", "{\"x\":1}"), ERR(201, NULL) },

	/* Client data (§7.1 steps 5-11). */
	{ "clientdata_ok", &f_none, ERR(201, NULL) },
	{ "clientdata_type_get", &f_none, .h = { .cd_type = "webauthn.get" },
	    ERR(400, "client_data_type") },
	{ "clientdata_type_unknown", &f_none,
	    .h = { .cd_type = "webauthn.create " },
	    ERR(400, "client_data_type") },
	{ "clientdata_challenge_other", &f_none,
	    .h = { .cd_challenge = OTHER_CHAL },
	    ERR(400, "unknown_ceremony") },
	{ "clientdata_challenge_not_base64url", &f_none,
	    .h = { .cd_challenge = "not base64url!" },
	    ERR(400, "challenge_mismatch") },
	{ "clientdata_challenge_empty", &f_none, .h = { .cd_challenge = "" },
	    ERR(400, "unknown_ceremony") },
	{ "clientdata_origin_https", &f_none,
	    .origin = "https://localhost:PORT", ERR(400, "origin_mismatch") },
	{ "clientdata_origin_port", &f_none, .origin = "http://localhost:1",
	    ERR(400, "origin_mismatch") },
	{ "clientdata_origin_subdomain", &f_none,
	    .origin = "http://www.localhost:PORT",
	    ERR(400, "origin_mismatch") },
	{ "clientdata_origin_trailing_slash", &f_none,
	    .origin = "http://localhost:PORT/", ERR(400, "origin_mismatch") },
	{ "clientdata_origin_case", &f_none, .origin = "http://LOCALHOST:PORT",
	    ERR(400, "origin_mismatch") },
	{ "clientdata_cross_origin", &f_none,
	    .h = { .cross_origin = SA_CROSS_TRUE },
	    ERR(400, "cross_origin_refused") },
	{ "clientdata_top_origin", &f_none,
	    .h = { .top_origin = "https://evil.example" },
	    ERR(400, "cross_origin_refused") },
	{ "clientdata_token_binding_bad", &f_none,
	    .h = { .cd_extra = "\"tokenBinding\":{\"status\":\"bogus\"}" },
	    ERR(400, "token_binding") },
	{ "clientdata_not_utf8", &f_none,
	    .cdj = "{\"type\":\"webauthn.create\",\"challenge\":\"CHAL\","
	    "\"origin\":\"http://localhost:PORT\",\"x\":\"\xff\"}",
	    ERR(400, "malformed_client_data") },
	{ "clientdata_not_json", &f_none, .cdj = "webauthn.create CHAL",
	    ERR(400, "malformed_client_data") },
	{ "clientdata_duplicate_type", &f_none,
	    .h = { .cd_extra = "\"type\":\"webauthn.create\"" },
	    ERR(400, "malformed_client_data") },
	{ "clientdata_too_large", &f_none, .h = { .cd_extra = T.bigmember },
	    ERR(400, "too_large") },
	{ "clientdata_not_object", &f_none, .cdj = "[\"webauthn.create\"]",
	    ERR(400, "malformed_client_data") },
	{ "clientdata_type_not_string", &f_none,
	    .cdj = "{\"type\":1,\"challenge\":\"CHAL\",\"origin\":"
	    "\"http://localhost:PORT\"}", ERR(400, "malformed_client_data") },
	{ "clientdata_type_nul", &f_none,
	    .cdj = "{\"type\":\"webauthn.create\\u0000\",\"challenge\":"
	    "\"CHAL\",\"origin\":\"http://localhost:PORT\"}",
	    ERR(400, "malformed_client_data") },
	{ "clientdata_origin_missing", &f_none,
	    .cdj = "{\"type\":\"webauthn.create\",\"challenge\":\"CHAL\"}",
	    ERR(400, "malformed_client_data") },
	{ "clientdata_origin_nul", &f_none,
	    .cdj = "{\"type\":\"webauthn.create\",\"challenge\":\"CHAL\","
	    "\"origin\":\"http://localhost:PORT\\u0000.evil.example\"}",
	    ERR(400, "malformed_client_data") },
	{ "clientdata_duplicate_origin", &f_none,
	    .cdj = "{\"type\":\"webauthn.create\",\"challenge\":\"CHAL\","
	    "\"origin\":\"https://evil.example\",\"origin\":"
	    "\"http://localhost:PORT\"}", ERR(400, "malformed_client_data") },
	{ "clientdata_duplicate_challenge", &f_none,
	    .cdj = "{\"type\":\"webauthn.create\",\"challenge\":\""
	    OTHER_CHAL "\",\"challenge\":\"CHAL\",\"origin\":"
	    "\"http://localhost:PORT\"}", ERR(400, "malformed_client_data") },
	{ "clientdata_challenge_padded", &f_none,
	    .cdj = "{\"type\":\"webauthn.create\",\"challenge\":\"CHAL=\","
	    "\"origin\":\"http://localhost:PORT\"}",
	    ERR(400, "challenge_mismatch") },
	{ "clientdata_escaped_accepted", &f_none,
	    .cdj = "{\"type\":\"webauthn.cre\\u0061te\",\"challenge\":"
	    "\"CHAL\",\"origin\":\"http:\\/\\/localhost:PORT\"}",
	    ERR(201, NULL) },
	{ "clientdata_token_binding_present_accepted", &f_none,
	    .h = { .cd_extra = "\"tokenBinding\":{\"status\":\"present\","
	    "\"id\":\"AAAA\"}" }, ERR(201, NULL) },
	{ "clientdata_bom_accepted", &f_none, .h = { .cd_bom = true },
	    ERR(201, NULL) },
	{ "clientdata_cross_origin_absent_accepted", &f_none,
	    .h = { .cross_origin = SA_CROSS_ABSENT }, ERR(201, NULL) },

	/* Authenticator data (§6.1, §7.1 steps 13-20, 25). */
	{ "authdata_ok", &f_packed, ERR(201, NULL) },
	{ "authdata_rpid_hash", &f_packed, .rp_id = "evil.example",
	    ERR(400, "rp_id_mismatch") },
	{ "authdata_up_clear", &f_packed, .flags = UV,
	    ERR(400, "user_not_present") },
	{ "authdata_uv_clear", &f_packed, .flags = UP,
	    ERR(400, "user_not_verified") },
	{ "authdata_at_clear", &f_packed, .h = { .no_at = true },
	    ERR(400, "malformed_authenticator_data") },
	{ "authdata_at_without_data", &f_packed,
	    AUTHDATA(AD_TRUNC, 16 + 2 + 32 + 77, NULL),
	    ERR(400, "malformed_authenticator_data") },
	{ "authdata_truncated", &f_packed, AUTHDATA(AD_TRUNC, 1, NULL),
	    ERR(400, "malformed_authenticator_data") },
	{ "authdata_trailing", &f_packed, AUTHDATA(AD_APPEND, 1, "\x00"),
	    ERR(400, "malformed_authenticator_data") },
	{ "authdata_ext_without_ed", &f_packed,
	    AUTHDATA(AD_APPEND, 1, "\xa0"),
	    ERR(400, "malformed_authenticator_data") },
	{ "authdata_ed_without_ext", &f_packed,
	    AUTHDATA(AD_FLAGS_OR, WA_FLAG_ED, NULL),
	    ERR(400, "malformed_authenticator_data") },
	{ "authdata_bs_without_be", &f_packed, .flags = UP_UV | BS,
	    ERR(400, "backup_flags") },
	{ "authdata_cred_id_differs", &f_packed,
	    .h = { .ad_cred_id = (const unsigned char *)"another-id",
	    .ad_cred_id_len = 10 }, ERR(400, "credential_id_mismatch") },
	{ "authdata_cred_id_too_long", &f_none, .long_id = true,
	    ERR(400, "credential_id_mismatch") },
	{ "authdata_cose_not_map", &f_none,
	    .h = { .cose = (const unsigned char *)"\x80", .cose_len = 1 },
	    ERR(400, "malformed_public_key") },
	{ "authdata_cose_alg_unknown", &f_none,
	    .h = { .cose = COSE_ALG_999, .cose_len = 7 },
	    ERR(400, "unsupported_algorithm") },
	{ "authdata_rpid_case", &f_packed, .rp_id = "LOCALHOST",
	    ERR(400, "rp_id_mismatch") },
	{ "authdata_cose_off_curve", &f_none, .off_curve = true,
	    ERR(400, "malformed_public_key") },
	{ "authdata_be_bs_accepted", &f_packed, .flags = UP_UV | BE | BS,
	    ERR(201, NULL) },
	{ "authdata_rfu_bits_accepted", &f_packed,
	    .flags = UP_UV | RFU1 | RFU2, ERR(201, NULL) },
	{ "authdata_extensions_accepted", &f_packed,
	    .h = { .ext = CRED_PROTECT, .ext_len = 14 }, ERR(201, NULL) },
	{ "authdata_extensions_trailing", &f_packed,
	    .h = { .ext = CRED_PROTECT_TRAILING, .ext_len = 15 },
	    ERR(400, "malformed_authenticator_data") },
	{ "authdata_extensions_not_map", &f_packed,
	    .h = { .ext = (const unsigned char *)"\x80", .ext_len = 1 },
	    ERR(400, "malformed_authenticator_data") },

	/* none (§8.7). */
	{ "none_ok", &f_none, ERR(201, NULL) },
	{ "none_attstmt_not_empty", &f_none, STMT("sig", S_BYTES, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "none_fmt_case", &f_none, .fmt = "None",
	    ERR(400, "unsupported_format") },
	{ "none_fmt_unknown", &f_none, .fmt = "fido-u2f-v2",
	    ERR(400, "unsupported_format") },
	{ "none_fmt_empty", &f_none, .fmt = "",
	    ERR(400, "unsupported_format") },

	/* packed self attestation (§8.2). */
	{ "packed_self_ok", &f_packed, ERR(201, NULL) },
	{ "packed_self_sig_bad", &f_packed, SIG(SIG_FLIP),
	    ERR(400, "attestation_signature") },
	{ "packed_self_sig_trailing", &f_packed, SIG(SIG_TRAILING),
	    ERR(400, "attestation_signature") },
	{ "packed_self_sig_ber", &f_packed, SIG(SIG_BER),
	    ERR(400, "attestation_signature") },
	{ "packed_self_sig_empty", &f_packed, SIG(SIG_EMPTY),
	    ERR(400, "malformed_attestation_statement") },
	{ "packed_self_other_key", &f_packed, .signer_other = true,
	    ERR(400, "attestation_signature") },
	{ "packed_self_alg_mismatch", &f_packed,
	    STMT("alg", S_INT, WA_COSE_EDDSA),
	    ERR(400, "attestation_signature") },
	{ "packed_self_alg_missing", &f_packed, STMT("alg", S_DEL, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "packed_self_alg_text", &f_packed, STMT("alg", S_TEXT, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "packed_self_sig_missing", &f_packed, STMT("sig", S_DEL, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "packed_self_ecdaa", &f_packed, STMT("ecdaaKeyId", S_BYTES, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "packed_self_eddsa_ok", &f_packed, .alg = WA_COSE_EDDSA,
	    ERR(201, NULL) },

	/* packed with a certificate (§8.2, §8.2.1). */
	{ "packed_x5c_ok", &f_x5c, ERR(201, NULL) },
	{ "packed_x5c_sig_bad", &f_x5c, SIG(SIG_FLIP),
	    ERR(400, "attestation_signature") },
	{ "packed_x5c_garbage", &f_x5c, STMT("x5c", S_GARBAGE_X5C, 0),
	    ERR(400, "attestation_certificate") },
	{ "packed_x5c_empty", &f_x5c, STMT("x5c", S_EMPTY_ARRAY, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "packed_x5c_not_array", &f_x5c, STMT("x5c", S_BYTES, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "packed_x5c_alg_mismatch", &f_x5c,
	    STMT("alg", S_INT, WA_COSE_RS256),
	    ERR(400, "attestation_signature") },
	{ "packed_x5c_version_1", &f_x5c, LEAF(.version = 1,
	    .aaguid = AAGUID), ERR(400, "attestation_certificate") },
	{ "packed_x5c_ou_wrong", &f_x5c,
	    LEAF(.subject = "/C=US/O=softauth/OU=Authenticator/CN=softauth",
	    .aaguid = AAGUID), ERR(400, "attestation_certificate") },
	{ "packed_x5c_country_missing", &f_x5c,
	    LEAF(.subject = "/O=softauth/OU=Authenticator Attestation/"
	    "CN=softauth", .aaguid = AAGUID),
	    ERR(400, "attestation_certificate") },
	{ "packed_x5c_cn_missing", &f_x5c,
	    LEAF(.subject = "/C=US/O=softauth/OU=Authenticator Attestation",
	    .aaguid = AAGUID), ERR(400, "attestation_certificate") },
	{ "packed_x5c_ca_true", &f_x5c, LEAF(.bc = SA_BC_CA,
	    .aaguid = AAGUID), ERR(400, "attestation_certificate") },
	{ "packed_x5c_aaguid_mismatch", &f_x5c, LEAF(.aaguid = OTHER_AAGUID),
	    ERR(400, "aaguid_mismatch") },
	{ "packed_x5c_aaguid_critical", &f_x5c, LEAF(.aaguid = AAGUID,
	    .aaguid_critical = true), ERR(400, "attestation_certificate") },
	/* Validity counts for trust; run.sh configures no anchors. */
	{ "packed_x5c_expired_untrusted", &f_x5c, LEAF(.aaguid = AAGUID,
	    .not_before = -172800, .not_after = -86400), ERR(201, NULL) },
	{ "packed_x5c_with_ca_ok", &f_x5c, .h = { .x5c_with_ca = true },
	    ERR(201, NULL) },

	/* fido-u2f (§8.6). */
	{ "u2f_ok", &f_u2f, ERR(201, NULL) },
	{ "u2f_sig_bad", &f_u2f, SIG(SIG_FLIP),
	    ERR(400, "attestation_signature") },
	/* An ES384 key cannot be U2F's; it then registers with "none". */
	{ "u2f_key_not_p256", &f_none, .fmt = "fido-u2f",
	    .alg = WA_COSE_ES384, ERR(400, "malformed_attestation_statement") },
	{ "u2f_cert_not_p256", &f_u2f, .h = { .leaf_alg = WA_COSE_ES384 },
	    ERR(400, "attestation_certificate") },
	{ "u2f_two_certs", &f_u2f, .h = { .x5c_with_ca = true },
	    ERR(400, "malformed_attestation_statement") },
	{ "u2f_alg_member", &f_u2f, STMT("alg", S_INT, WA_COSE_ES256),
	    ERR(400, "malformed_attestation_statement") },
	{ "u2f_x5c_missing", &f_u2f, STMT("x5c", S_DEL, 0),
	    ERR(400, "malformed_attestation_statement") },
	{ "u2f_x5c_garbage", &f_u2f, STMT("x5c", S_GARBAGE_X5C, 0),
	    ERR(400, "attestation_certificate") },
	{ "u2f_rpid_hash", &f_u2f, .rp_id = "evil.example",
	    ERR(400, "rp_id_mismatch") },

	/* apple (§8.8). */
	{ "apple_ok", &f_apple, BRK(h_apple, FB_NONE), ERR(201, NULL) },
	{ "apple_nonce_mismatch", &f_apple, BRK(h_apple, FB_NONCE),
	    ERR(400, "attestation_nonce_mismatch") },
	{ "apple_nonce_missing", &f_apple, BRK(h_apple, FB_NO_EXT),
	    ERR(400, "attestation_certificate") },
	{ "apple_other_key", &f_apple, BRK(h_apple, FB_OTHER_KEY),
	    ERR(400, "attestation_key_mismatch") },
	{ "apple_x5c_empty", &f_apple, BRK(h_apple, FB_X5C_EMPTY),
	    ERR(400, "malformed_attestation_statement") },
	{ "apple_extra_member", &f_apple, BRK(h_apple, FB_EXTRA),
	    ERR(400, "malformed_attestation_statement") },

	/*
	 * Trust (§7.1 steps 23-24), on the instance whose couriers need
	 * attestation that chains to the anchor.
	 */
	{ "trust_x5c_ok", &f_x5c, .trusted = true, ERR(201, NULL) },
	{ "trust_x5c_with_ca_ok", &f_x5c, .trusted = true,
	    .h = { .x5c_with_ca = true }, ERR(201, NULL) },
	{ "trust_u2f_ok", &f_u2f, .trusted = true, ERR(201, NULL) },
	{ "trust_x5c_other_ca", &f_x5c, .trusted = true, .other_ca = true,
	    ERR(400, "untrusted_attestation") },
	{ "trust_u2f_other_ca", &f_u2f, .trusted = true, .other_ca = true,
	    ERR(400, "untrusted_attestation") },
	{ "trust_x5c_expired", &f_x5c, .trusted = true,
	    LEAF(.aaguid = AAGUID, .not_before = -172800, .not_after = -86400),
	    ERR(400, "untrusted_attestation") },
	{ "trust_x5c_not_yet_valid", &f_x5c, .trusted = true,
	    LEAF(.aaguid = AAGUID, .not_before = 86400, .not_after = 172800),
	    ERR(400, "untrusted_attestation") },
	{ "trust_self", &f_x5c, .trusted = true, .fmt = "packed",
	    ERR(400, "attestation_required") },
	{ "trust_none", &f_x5c, .trusted = true, .fmt = "none",
	    ERR(400, "attestation_required") },

	/* tpm (§8.3). */
	{ "tpm_ok", &f_tpm, BRK(h_tpm, FB_NONE), ERR(201, NULL) },
	{ "tpm_extra_data", &f_tpm, BRK(h_tpm, FB_NONCE),
	    ERR(400, "attestation_nonce_mismatch") },
	{ "tpm_pub_area_other_key", &f_tpm, BRK(h_tpm, FB_OTHER_KEY),
	    ERR(400, "attestation_key_mismatch") },
	{ "tpm_name_alg", &f_tpm, BRK(h_tpm, FB_NAME),
	    ERR(400, "attestation_key_mismatch") },
	{ "tpm_magic", &f_tpm, BRK(h_tpm, FB_MAGIC),
	    ERR(400, "malformed_attestation_statement") },
	{ "tpm_type_quote", &f_tpm, BRK(h_tpm, FB_TYPE),
	    ERR(400, "malformed_attestation_statement") },
	{ "tpm_ver", &f_tpm, BRK(h_tpm, FB_VER),
	    ERR(400, "malformed_attestation_statement") },
	{ "tpm_ecdaa", &f_tpm, BRK(h_tpm, FB_EXTRA),
	    ERR(400, "malformed_attestation_statement") },
	{ "tpm_sig_bad", &f_tpm, BRK(h_tpm, FB_SIG),
	    ERR(400, "attestation_signature") },
	{ "tpm_x5c_garbage", &f_tpm, BRK(h_tpm, FB_X5C_GARBAGE),
	    ERR(400, "attestation_certificate") },
	{ "tpm_aik_subject", &f_tpm, BRK(h_tpm, FB_SUBJECT),
	    ERR(400, "attestation_certificate") },
	{ "tpm_aik_no_san", &f_tpm, BRK(h_tpm, FB_NO_SAN),
	    ERR(400, "attestation_certificate") },
	{ "tpm_aik_no_eku", &f_tpm, BRK(h_tpm, FB_NO_EXT),
	    ERR(400, "attestation_certificate") },
	{ "tpm_aik_ca", &f_tpm, BRK(h_tpm, FB_CA),
	    ERR(400, "attestation_certificate") },
	{ "tpm_aik_aaguid", &f_tpm, BRK(h_tpm, FB_AAGUID),
	    ERR(400, "aaguid_mismatch") },
	{ "trust_tpm_ok", &f_tpm, .trusted = true, BRK(h_tpm, FB_NONE),
	    ERR(201, NULL) },

	/* android-safetynet (§8.5). */
	{ "safetynet_ok", &f_sn, BRK(h_safetynet, FB_NONE), ERR(201, NULL) },
	{ "safetynet_nonce", &f_sn, BRK(h_safetynet, FB_NONCE),
	    ERR(400, "attestation_nonce_mismatch") },
	{ "safetynet_cts_profile", &f_sn, BRK(h_safetynet, FB_CTS),
	    ERR(400, "attestation_policy") },
	{ "safetynet_timestamp_old", &f_sn, BRK(h_safetynet, FB_OLD),
	    ERR(400, "attestation_timestamp") },
	{ "safetynet_sig_bad", &f_sn, BRK(h_safetynet, FB_SIG),
	    ERR(400, "attestation_signature") },
	{ "safetynet_host", &f_sn, BRK(h_safetynet, FB_HOST),
	    ERR(400, "attestation_certificate") },
	{ "safetynet_alg_none", &f_sn, BRK(h_safetynet, FB_ALG_NONE),
	    ERR(400, "unsupported_algorithm") },
	{ "safetynet_ver_empty", &f_sn, BRK(h_safetynet, FB_VER),
	    ERR(400, "malformed_attestation_statement") },

	/* android-key (§8.4). */
	{ "android_key_ok", &f_akey, BRK(h_android_key, FB_NONE),
	    ERR(201, NULL) },
	{ "android_key_challenge", &f_akey, BRK(h_android_key, FB_NONCE),
	    ERR(400, "attestation_nonce_mismatch") },
	{ "android_key_all_applications", &f_akey,
	    BRK(h_android_key, FB_ALL_APPS), ERR(400, "attestation_policy") },
	{ "android_key_purpose", &f_akey, BRK(h_android_key, FB_PURPOSE),
	    ERR(400, "attestation_policy") },
	{ "android_key_imported", &f_akey, BRK(h_android_key, FB_IMPORTED),
	    ERR(400, "attestation_policy") },
	{ "android_key_no_key_description", &f_akey,
	    BRK(h_android_key, FB_NO_EXT),
	    ERR(400, "attestation_certificate") },
	{ "android_key_sig_bad", &f_akey, BRK(h_android_key, FB_SIG),
	    ERR(400, "attestation_signature") },
	{ "android_key_other_key", &f_akey, BRK(h_android_key, FB_OTHER_KEY),
	    ERR(400, "attestation_key_mismatch") },
	{ "android_key_alg_mismatch", &f_akey, BRK(h_android_key, FB_ALG),
	    ERR(400, "attestation_signature") },
	{ "android_key_sig_missing", &f_akey, BRK(h_android_key, FB_NO_SIG),
	    ERR(400, "malformed_attestation_statement") },
};

/* Sign-in: the response structure, the client data, the authenticator
 * data and the assertion itself. */
static const struct lcase lcases[] = {
	/* Response structure (AuthenticationResponseJSON). */
	{ "assert_structure_ok", ERR(200, NULL) },
	{ "assert_structure_id_missing", JSON("id", NULL),
	    ERR(400, "malformed_response") },
	{ "assert_structure_id_too_long", JSON2("id", "rawId", T.longid),
	    ERR(400, "credential_id_mismatch") },
	{ "assert_structure_id_not_rawid", JSON("id", "\"AAAAAAAAAAAA\""),
	    ERR(400, "credential_id_mismatch") },
	{ "assert_structure_type_wrong", JSON("type", "\"public-key2\""),
	    ERR(400, "bad_credential_type") },
	{ "assert_structure_response_missing", JSON("response", NULL),
	    ERR(400, "malformed_response") },
	{ "assert_structure_authdata_missing",
	    JSON("response.authenticatorData", NULL),
	    ERR(400, "malformed_response") },
	{ "assert_structure_signature_missing",
	    JSON("response.signature", NULL), ERR(400, "malformed_response") },
	{ "assert_structure_cdj_missing", JSON("response.clientDataJSON", NULL),
	    ERR(400, "malformed_response") },
	{ "assert_structure_signature_not_base64url",
	    JSON("response.signature", "\"MEUCIQ+/\""),
	    ERR(400, "bad_base64url") },
	{ "assert_structure_signature_not_string",
	    JSON("response.signature", "[48,69]"),
	    ERR(400, "malformed_response") },
	{ "assert_structure_user_handle_not_string",
	    JSON("response.userHandle", "7"), ERR(400, "malformed_response") },
	{ "assert_structure_user_handle_too_long",
	    JSON("response.userHandle", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAA\""), ERR(400, "too_large") },
	{ "assert_structure_duplicate_member", .body = BODY_DUP_ID,
	    ERR(400, "malformed_response") },
	{ "assert_structure_body_too_large", .body = BODY_HUGE,
	    ERR(413, "body_too_large") },
	{ "assert_structure_user_handle_null", JSON("response.userHandle",
	    "null"), ERR(200, NULL) },
	{ "assert_structure_body_trailing", .body = BODY_TRAILING,
	    ERR(400, "malformed_response") },
	{ "assert_structure_content_type", .ctype = "application/cbor",
	    ERR(415, "unsupported_media_type") },

	/* Client data (§7.2 steps 8-14). */
	{ "assert_clientdata_type_create",
	    .h = { .cd_type = "webauthn.create" },
	    ERR(401, "client_data_type") },
	{ "assert_clientdata_challenge_other",
	    .h = { .cd_challenge = OTHER_CHAL },
	    ERR(400, "unknown_ceremony") },
	{ "assert_clientdata_challenge_missing",
	    .cdj = "{\"type\":\"webauthn.get\",\"origin\":"
	    "\"http://localhost:PORT\"}", ERR(400, "malformed_client_data") },
	{ "assert_clientdata_registration_challenge", .mode = L_REG_CHALLENGE,
	    ERR(400, "unknown_ceremony") },
	{ "assert_clientdata_origin_https", .origin = "https://localhost:PORT",
	    ERR(401, "origin_mismatch") },
	{ "assert_clientdata_origin_subdomain",
	    .origin = "http://auth.localhost:PORT",
	    ERR(401, "origin_mismatch") },
	{ "assert_clientdata_origin_slash", .origin = "http://localhost:PORT/",
	    ERR(401, "origin_mismatch") },
	{ "assert_clientdata_origin_android",
	    .origin = "android:apk-key-hash:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAA", ERR(401, "origin_mismatch") },
	{ "assert_clientdata_cross_origin",
	    .h = { .cross_origin = SA_CROSS_TRUE },
	    ERR(401, "cross_origin_refused") },
	{ "assert_clientdata_cross_origin_not_bool",
	    .h = { .cross_origin = SA_CROSS_ABSENT,
	    .cd_extra = "\"crossOrigin\":\"false\"" },
	    ERR(401, "malformed_client_data") },
	{ "assert_clientdata_origin_nul",
	    .cdj = "{\"type\":\"webauthn.get\",\"challenge\":\"CHAL\","
	    "\"origin\":\"http://localhost:PORT\\u0000.evil.example\"}",
	    ERR(400, "malformed_client_data") },
	{ "assert_clientdata_duplicate_origin",
	    .cdj = "{\"type\":\"webauthn.get\",\"challenge\":\"CHAL\","
	    "\"origin\":\"https://evil.example\",\"origin\":"
	    "\"http://localhost:PORT\"}", ERR(400, "malformed_client_data") },
	{ "assert_clientdata_escaped_accepted",
	    .cdj = "{\"type\":\"webauthn.get\",\"challenge\":\"CHAL\","
	    "\"origin\":\"http:\\/\\/localhost:PORT\"}", ERR(200, NULL) },
	{ "assert_clientdata_not_utf8",
	    .h = { .cd_extra = "\"x\":\"\xc3\x28\"" },
	    ERR(400, "malformed_client_data") },

	/* Authenticator data (§7.2 steps 15-19). */
	{ "assert_authdata_rpid_hash", .rp_id = "localhost.evil.example",
	    ERR(401, "rp_id_mismatch") },
	{ "assert_authdata_up_clear", .flags = UV,
	    ERR(401, "user_not_present") },
	{ "assert_authdata_uv_clear", .flags = UP,
	    ERR(401, "user_not_verified") },
	{ "assert_authdata_bs_without_be", .flags = UP_UV | BS,
	    ERR(401, "backup_flags") },
	{ "assert_authdata_be_changed", .flags = UP_UV | BE,
	    ERR(401, "backup_flags") },
	{ "assert_authdata_be_cleared", .reg_flags = UP_UV | BE,
	    ERR(401, "backup_flags") },
	{ "assert_authdata_bs_set_ok", .reg_flags = UP_UV | BE,
	    .flags = UP_UV | BE | BS, ERR(200, NULL) },
	{ "assert_authdata_truncated", AUTHDATA(AD_TRUNC, 1, NULL),
	    ERR(401, "malformed_authenticator_data") },
	{ "assert_authdata_trailing", AUTHDATA(AD_APPEND, 2, "\x00\x00"),
	    ERR(401, "malformed_authenticator_data") },
	{ "assert_authdata_at_set", AUTHDATA(AD_FLAGS_OR, WA_FLAG_AT, NULL),
	    ERR(401, "malformed_authenticator_data") },
	{ "assert_authdata_ed_without_ext",
	    AUTHDATA(AD_FLAGS_OR, WA_FLAG_ED, NULL),
	    ERR(401, "malformed_authenticator_data") },

	/* The assertion (§7.2 steps 5-6, 21-22). */
	{ "assert_discoverable_ok", .discoverable = true, ERR(200, NULL) },
	{ "assert_eddsa_ok", .alg = WA_COSE_EDDSA, ERR(200, NULL) },
	{ "assert_unknown_credential", .mode = L_UNKNOWN_CRED,
	    ERR(401, "unknown_credential") },
	{ "assert_other_users_credential", .mode = L_OTHER_CRED,
	    ERR(401, "credential_not_allowed") },
	{ "assert_other_users_handle", .mode = L_OTHER_HANDLE,
	    .discoverable = true, ERR(401, "user_handle_mismatch") },
	{ "assert_other_users_handle_username_first", .mode = L_OTHER_HANDLE,
	    ERR(401, "user_handle_mismatch") },
	{ "assert_user_handle_empty", .discoverable = true,
	    JSON("response.userHandle", "\"\""),
	    ERR(400, "user_handle_mismatch") },
	{ "assert_discoverable_no_handle", .discoverable = true,
	    .no_handle = true, ERR(401, "user_handle_mismatch") },
	{ "assert_signature_bad", SIG(SIG_FLIP), ERR(401, "bad_signature") },
	{ "assert_signature_trailing", SIG(SIG_TRAILING),
	    ERR(401, "bad_signature") },
	{ "assert_signature_ber", SIG(SIG_BER), ERR(401, "bad_signature") },
	{ "assert_signature_empty", SIG(SIG_EMPTY),
	    ERR(401, "bad_signature") },
	{ "assert_signature_other_key", .signer_other = true,
	    ERR(401, "bad_signature") },
	{ "assert_signature_eddsa_bad", .alg = WA_COSE_EDDSA, SIG(SIG_FLIP),
	    ERR(401, "bad_signature") },
	{ "assert_signature_rsa_bad", .alg = WA_COSE_RS256, SIG(SIG_FLIP),
	    ERR(401, "bad_signature") },
	{ "assert_replay", .mode = L_REPLAY, ERR(400, "ceremony_used") },
	{ "assert_counter_equal", .mode = L_COUNT, .count_set = true,
	    .count = 10, ERR(401, "cloned_authenticator") },
	{ "assert_counter_lower", .mode = L_COUNT, .count_set = true,
	    .count = 9, ERR(401, "cloned_authenticator") },
	{ "assert_counter_zero", .mode = L_COUNT, .count_set = true,
	    .count = 0, ERR(401, "cloned_authenticator") },
	{ "assert_counter_higher_ok", .mode = L_COUNT, .count_set = true,
	    .count = 1000, ERR(200, NULL) },
};

/*
 * Delivery confirmations: the assertion again, on the endpoint where a
 * customer's passkey signs a delivery statement.
 */
static const struct lcase ccases[] = {
	{ "confirm_ok", ERR(200, NULL) },
	{ "confirm_uv_clear", .flags = UP, ERR(401, "user_not_verified") },
	{ "confirm_up_clear", .flags = UV, ERR(401, "user_not_present") },
	{ "confirm_origin", .origin = "https://localhost:PORT",
	    ERR(401, "origin_mismatch") },
	{ "confirm_rpid_hash", .rp_id = "evil.example",
	    ERR(401, "rp_id_mismatch") },
	{ "confirm_type_create", .h = { .cd_type = "webauthn.create" },
	    ERR(401, "client_data_type") },
	{ "confirm_challenge_other", .h = { .cd_challenge = OTHER_CHAL },
	    ERR(401, "challenge_mismatch") },
	{ "confirm_signature_bad", SIG(SIG_FLIP), ERR(401, "bad_signature") },
	{ "confirm_signature_other_key", .signer_other = true,
	    ERR(401, "bad_signature") },
	{ "confirm_unknown_credential", .mode = L_UNKNOWN_CRED,
	    ERR(401, "unknown_credential") },
	{ "confirm_other_customer", .mode = L_OTHER_CRED,
	    ERR(403, "wrong_customer") },
	{ "confirm_other_users_handle", .mode = L_OTHER_HANDLE,
	    ERR(401, "user_handle_mismatch") },
	{ "confirm_counter_equal", .mode = L_COUNT, .count_set = true,
	    .count = 10, ERR(401, "cloned_authenticator") },
	{ "confirm_structure_signature_missing",
	    JSON("response.signature", NULL), ERR(400, "malformed_response") },
	{ "confirm_replay", .mode = L_REPLAY, ERR(409, "already_confirmed") },
};

/* Helpers. */

/*
 * tmpl with each "PORT" replaced by authd's port and each "CHAL" by
 * the challenge in base64url (chal may be NULL if there is none).
 */
static const char *
fill(const char *tmpl, const unsigned char *chal, size_t chal_len,
    char *buf, size_t len)
{
	const char	*p = tmpl, *v;
	char		*c = NULL;
	size_t		 n = 0;

	if (tmpl == NULL)
		return (NULL);
	if (chal != NULL)
		c = fx_b64url(chal, chal_len);
	while (*p != '\0' && n + 1 < len) {
		v = strncmp(p, "PORT", 4) == 0 ? fx.port :
		    strncmp(p, "CHAL", 4) == 0 && c != NULL ? c : NULL;
		if (v != NULL) {
			n += (size_t)snprintf(buf + n, len - n, "%s", v);
			p += 4;
		} else
			buf[n++] = *p++;
	}
	if (n >= len)
		fail_msg("template too long: %s", tmpl);
	buf[n] = '\0';
	free(c);

	return (buf);
}

/* authctl --db DB WHAT USERNAME: its output (FX_MAX_OUT). */
static char *
authctl_out(const char *db, const char *what, const char *user)
{
	char	*out, err[512];
	int	 st;

	if ((out = malloc(FX_MAX_OUT)) == NULL)
		fail_msg("out of memory");
	if ((st = fx_authctl(db, out, err, what, user, NULL)) != 0)
		fail_msg("authctl %s %s: %d %s", what, user, st, err);

	return (out);
}

/* The stored devices and sessions of user, as authctl prints them. */
static char *
snapshot(const char *user)
{
	char	*d = authctl_out(NULL, "devices", user);
	char	*s = authctl_out(NULL, "sessions", user);
	char	*all;

	if ((all = malloc(strlen(d) + strlen(s) + 2)) == NULL)
		fail_msg("out of memory");
	snprintf(all, strlen(d) + strlen(s) + 2, "%s\n%s", d, s);
	free(d);
	free(s);

	return (all);
}

static size_t
count_of(const char *s, const char *needle)
{
	size_t n = 0;

	for (; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;

	return (n);
}

/* The body as the case sends it; free(3). */
static char *
body_of(char *json, int op, const char *text)
{
	char	*b;
	size_t	 n = strlen(json), max = n + HUGE_LEN + 64;

	if (op == BODY_ASIS)
		return (json);
	if ((b = malloc(max)) == NULL)
		fail_msg("out of memory");
	if (op == BODY_ARRAY)
		snprintf(b, max, "[%s]", json);
	else if (op == BODY_TRAILING)
		snprintf(b, max, "%s{}", json);
	else if (op == BODY_DUP_ID)
		snprintf(b, max, "{\"id\":\"AAAA\",%s", json + 1);
	else if (op == BODY_HUGE)
		snprintf(b, max, "{\"pad\":\"%.*s\",%s", HUGE_LEN, T.big,
		    json + 1);
	else
		snprintf(b, max, "%s", text);
	free(json);

	return (b);
}

static int
post(struct hc_conn *c, const char *path, const char *ctype,
    const char *body, struct hc_resp *resp)
{
	return (fx_req(c, "POST", path, ctype != NULL ? ctype :
	    "application/json", NULL, NULL, body, strlen(body), resp));
}

/* The status, and for a refusal the JSON error code. */
static void
expect(const struct hc_resp *resp, int st, int want, const char *error)
{
	json_t		*j = fx_json(resp);
	const char	*e = json_string_value(json_object_get(j, "error"));
	bool		 ok;

	ok = st == want && (error == NULL || (e != NULL &&
	    strcmp(e, error) == 0 && json_is_string(json_object_get(j,
	    "message"))));
	json_decref(j);
	if (!ok)
		fail_msg("status %d, want %d %s: %s", st, want, error != NULL ?
		    error : "", resp->body != NULL ? resp->body : "");
}

/* Registration cases. */

static void
reg_case(void **state)
{
	const struct rcase	*rc = *state;
	const struct family	*f = rc->fam;
	struct fx_ceremony	 ce;
	struct sa_hooks		 h = rc->h;
	struct sa_params	 p;
	struct hc_resp		 resp;
	struct fx_user		 u;
	struct hc_conn		*c = rc->trusted ? T.tc : T.c;
	const char		*db = rc->trusted ? T.tr.db : NULL;
	unsigned char		*chal, id[1024];
	size_t			 chal_len;
	char			*code, *json, *out, *cid, obuf[128];
	char			 cdj[1024];
	unsigned char		 cose[512];
	int			 alg = rc->alg != 0 ? rc->alg : f->alg, st;

	memset(&u, 0, sizeof(u));
	memset(&resp, 0, sizeof(resp));
	fx_username("conf", u.name, sizeof(u.name));
	code = fx_enroll(db, u.name, "courier");
	if ((u.cred = sa_cred_new(alg)) == NULL)
		fail_msg("sa_cred_new(%d)", alg);
	if (rc->long_id) {
		memset(id, 0x6c, sizeof(id));
		assert_int_equal(sa_cred_set_id(u.cred, id, sizeof(id)), 0);
	}
	if (rc->signer_other)
		h.signer = T.other;
	if (rc->other_ca)
		h.ca = T.other_ca;
	if (rc->off_curve) {
		/* The last byte of y. */
		if (sa_cred_cose_len(u.cred) > sizeof(cose))
			fail_msg("COSE key too long");
		memcpy(cose, sa_cred_cose_ptr(u.cred),
		    sa_cred_cose_len(u.cred));
		cose[sa_cred_cose_len(u.cred) - 1] ^= 0x01;
		h.cose = cose;
		h.cose_len = sa_cred_cose_len(u.cred);
	}
	assert_int_equal(fx_reg_options(c, code, NULL, "conformance", NULL,
	    &chal, &chal_len, &u), 200);
	if (rc->cdj != NULL)
		h.cdj = fill(rc->cdj, chal, chal_len, cdj, sizeof(cdj));
	memset(&p, 0, sizeof(p));
	p.rp_id = rc->rp_id != NULL ? rc->rp_id : "localhost";
	p.origin = rc->origin != NULL ? fill(rc->origin, NULL, 0, obuf,
	    sizeof(obuf)) : rc->trusted ? T.tr_origin : fx.origin;
	p.challenge = chal;
	p.challenge_len = chal_len;
	p.flags = rc->flags != 0 ? rc->flags : UP_UV;
	p.fmt = rc->fmt != NULL ? rc->fmt : f->fmt;
	if ((json = sa_make_registration_ex(u.cred, &p, &h)) == NULL)
		fail_msg("sa_make_registration_ex");
	json = body_of(json, rc->body, rc->text);
	if (rc->replay && (st = post(c, "/v1/registration/verify", NULL,
	    json, &resp)) != 201)
		fail_msg("the response to replay: %d %s", st, resp.body);
	st = post(c, "/v1/registration/verify", rc->ctype, json, &resp);
	expect(&resp, st, rc->want, rc->error);
	free(json);
	free(chal);

	out = authctl_out(db, "devices", u.name);
	if (rc->want == 201 || rc->replay) {
		/* Stored once, trusted only where anchors are set. */
		if (rc->want == 201)
			assert_non_null(strstr(resp.body, rc->trusted ?
			    "\"trusted\":true" : "\"trusted\":false"));
		cid = fx_b64url(sa_cred_id_ptr(u.cred), sa_cred_id_len(u.cred));
		assert_int_equal(count_of(out, "\"credential_id\""), 1);
		assert_non_null(strstr(out, cid));
		free(cid);
		/* What was stored is the attested key. */
		memset(&ce, 0, sizeof(ce));
		ce.origin = rc->trusted ? T.tr_origin : NULL;
		ce.flags = p.flags;
		u.count = 1;
		if ((st = fx_login(c, &u, false, &ce, &resp)) != 200)
			fail_msg("sign-in with the registered key: %d %s", st,
			    resp.body);
	} else {
		/* Nothing stored; the code and the key are still unused. */
		if (count_of(out, "\"credential_id\"") != 0)
			fail_msg("a refused registration stored: %s", out);
		if (rc->long_id) {
			memset(id, 0x5e, 32);
			assert_int_equal(sa_cred_set_id(u.cred, id, 32), 0);
		}
		memset(&ce, 0, sizeof(ce));
		ce.fmt = f->fmt;
		ce.hooks = &f->base;
		ce.origin = rc->trusted ? T.tr_origin : NULL;
		if ((st = fx_register(c, code, &u, alg, &ce, &resp)) != 201)
			fail_msg("the unbroken response after the refusal: "
			    "%d %s", st, resp.body);
	}
	free(out);
	free(code);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

/* Sign-in cases. */

/*
 * The challenge of the case's ceremony: sign-in options for name (NULL:
 * discoverable), or with reg a registration's, of an unused enrollment.
 */
static void
challenge_for(const char *name, bool reg, unsigned char **chal,
    size_t *chal_len)
{
	struct fx_user	 r;
	char		*code;

	if (!reg) {
		assert_int_equal(fx_login_options(T.c, name, chal, chal_len,
		    NULL), 200);
		return;
	}
	memset(&r, 0, sizeof(r));
	fx_username("confreg", r.name, sizeof(r.name));
	code = fx_enroll(NULL, r.name, "courier");
	assert_int_equal(fx_reg_options(T.c, code, NULL, "x", NULL, chal,
	    chal_len, &r), 200);
	free(code);
}

/* The user who signs in: a courier with a passkey for the case. */
static void
new_user(const struct lcase *lc, const char *role, struct fx_user *u)
{
	struct fx_ceremony	 ce;
	struct hc_resp		 resp;
	char			*code;
	int			 st;

	memset(u, 0, sizeof(*u));
	memset(&ce, 0, sizeof(ce));
	memset(&resp, 0, sizeof(resp));
	fx_username("confin", u->name, sizeof(u->name));
	code = fx_enroll(NULL, u->name, role);
	ce.flags = lc->reg_flags;
	if ((st = fx_register(T.c, code, u, lc->alg != 0 ? lc->alg :
	    WA_COSE_ES256, &ce, &resp)) != 201)
		fail_msg("register %s: %d %s", u->name, st, resp.body);
	free(code);
	hc_resp_free(&resp);
}

/* A sign-in or confirmation case as it runs. */
struct arun {
	struct fx_ceremony	 ce;		/* the broken ceremony */
	struct sa_hooks		 h;		/* ce's hooks */
	struct fx_user		 u;		/* who signs */
	struct fx_user		 v;		/* another user, or zeros */
	struct fx_user		 who;		/* the key and handle sent */
	struct hc_resp		 resp;		/* the last response */
	char			 obuf[128];	/* ce's origin */
};

/*
 * A new user with role (courier, customer) for the case, the ceremony
 * with the case's rule broken, and who answers with which handle.
 */
static void
arun_start(const struct lcase *lc, const char *role, struct arun *a)
{
	struct fx_ceremony first;

	memset(a, 0, sizeof(*a));
	a->h = lc->h;
	new_user(lc, role, &a->u);
	a->ce.origin = fill(lc->origin, NULL, 0, a->obuf, sizeof(a->obuf));
	a->ce.rp_id = lc->rp_id;
	a->ce.flags = lc->flags;
	a->ce.no_user_handle = lc->no_handle;
	a->ce.hooks = &a->h;
	if (lc->signer_other)
		a->h.signer = T.other;
	if (lc->mode == L_COUNT) {
		memset(&first, 0, sizeof(first));
		first.sign_count_set = true;
		first.sign_count = 10;
		assert_int_equal(fx_login(T.c, &a->u, false, &first, &a->resp),
		    200);
		a->ce.sign_count_set = lc->count_set;
		a->ce.sign_count = lc->count;
	}

	/* Who answers, with which handle. */
	a->who = a->u;
	if (lc->mode == L_UNKNOWN_CRED)
		assert_non_null(a->who.cred = sa_cred_new(WA_COSE_ES256));
	if (lc->mode == L_OTHER_CRED || lc->mode == L_OTHER_HANDLE) {
		fx_new_user(T.c, "confother", role, WA_COSE_ES256, &a->v);
		memcpy(a->who.handle, a->v.handle, a->v.handle_len);
	}
	if (lc->mode == L_OTHER_CRED) {
		a->who.cred = a->v.cred;
		a->who.count = a->v.count;
	}
}

/*
 * POSTs json to path (first once more, accepted, for L_REPLAY) and
 * checks the answer is the case's; a refused what ("sign-in") must leave
 * the user's devices and sessions as they were.  Returns how many more
 * sessions the user has live.
 */
static long
arun_verify(const struct lcase *lc, struct arun *a, const char *path,
    const char *what, const char *json)
{
	char	*before, *after;
	long	 n;
	int	 st;

	if (lc->mode == L_REPLAY) {
		assert_int_equal(post(T.c, path, NULL, json, &a->resp), 200);
		a->u.count++;
	}
	before = snapshot(a->u.name);
	st = post(T.c, path, lc->ctype, json, &a->resp);
	expect(&a->resp, st, lc->want, lc->error);
	after = snapshot(a->u.name);
	if (lc->want != 200 && strcmp(before, after) != 0)
		fail_msg("a refused %s changed the store:\n%s\n--\n%s", what,
		    before, after);
	n = (long)count_of(after, "\"state\":\"live\"") -
	    (long)count_of(before, "\"state\":\"live\"");
	free(before);
	free(after);

	return (n);
}

static void
arun_end(const struct lcase *lc, struct arun *a)
{
	if (lc->mode == L_UNKNOWN_CRED)
		sa_cred_free(&a->who.cred);
	hc_resp_free(&a->resp);
	fx_user_free(&a->u);
	fx_user_free(&a->v);
}

static void
login_case(void **state)
{
	const struct lcase	*lc = *state;
	struct fx_ceremony	 ce;
	struct arun		 a;
	unsigned char		*chal;
	size_t			 chal_len;
	char			*json, cdj[1024];
	long			 live;
	int			 st;

	arun_start(lc, "courier", &a);
	challenge_for(lc->discoverable ? NULL : a.u.name,
	    lc->mode == L_REG_CHALLENGE, &chal, &chal_len);
	if (lc->cdj != NULL)
		a.h.cdj = fill(lc->cdj, chal, chal_len, cdj, sizeof(cdj));
	json = body_of(fx_assertion(&a.who, chal, chal_len, &a.ce), lc->body,
	    lc->text);
	free(chal);
	live = arun_verify(lc, &a, "/v1/authentication/verify", "sign-in",
	    json);
	if (lc->want == 200) {
		assert_int_equal(live, 1);
		a.u.count = (lc->count_set ? lc->count : a.u.count) + 1;
	}
	if (lc->want != 200 && ((a.resp.body != NULL && strstr(a.resp.body,
	    "access_token") != NULL) ||
	    hc_resp_header(&a.resp, "Set-Cookie") != NULL))
		fail_msg("a refused sign-in answered with a token or a "
		    "cookie: %s", a.resp.body);
	free(json);

	/* The unbroken sign-in, with the same count, still works. */
	memset(&ce, 0, sizeof(ce));
	ce.flags = lc->reg_flags;
	if ((st = fx_login(T.c, &a.u, lc->discoverable, &ce, &a.resp)) != 200)
		fail_msg("the unbroken sign-in after the refusal: %d %s", st,
		    a.resp.body);
	arun_end(lc, &a);
}

/* Delivery confirmation cases. */

/* A confirmation for customer; its id (free(3)). */
static char *
confirmation_new(const char *customer)
{
	struct hc_resp	 resp;
	json_t		*req, *j = NULL;
	char		*body, *id, path[128];
	int		 st;

	memset(&resp, 0, sizeof(resp));
	req = json_pack("{s:s, s:s, s:s, s:s, s:s}", "customer", customer,
	    "recipient", "J. Doe", "address", "12 Quay St", "courier",
	    "courier-17", "delivered_at", "2026-11-29T14:05:00Z");
	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL)
		fail_msg("json_pack");
	json_decref(req);
	snprintf(path, sizeof(path), "/v1/deliveries/%s/confirmations",
	    customer);
	st = fx_req(T.c, "POST", path, "application/json", T.svc, NULL, body,
	    strlen(body), &resp);
	free(body);
	if (st != 201 || (j = fx_json(&resp)) == NULL ||
	    json_string_value(json_object_get(j, "confirmation_id")) == NULL)
		fail_msg("create a confirmation: %d %s", st, resp.body);
	id = strdup(json_string_value(json_object_get(j, "confirmation_id")));
	json_decref(j);
	hc_resp_free(&resp);

	return (id);
}

/* POST /v1/confirmations/ID/options: the challenge. */
static void
confirmation_challenge(const char *id, unsigned char **chal, size_t *len)
{
	struct hc_resp	 resp;
	char		 path[160];

	memset(&resp, 0, sizeof(resp));
	snprintf(path, sizeof(path), "/v1/confirmations/%s/options", id);
	if (post(T.c, path, NULL, "{}", &resp) != 200 ||
	    sa_json_get_b64(resp.body, "publicKey.challenge", chal, len) != 0)
		fail_msg("confirmation options: %s", resp.body);
	hc_resp_free(&resp);
}

/* GET /v1/confirmations/ID as the service: status, and the receipt. */
static void
expect_confirmation(const char *id, const char *status)
{
	struct hc_resp	 resp;
	json_t		*j;
	char		 path[160];
	const char	*got;

	memset(&resp, 0, sizeof(resp));
	snprintf(path, sizeof(path), "/v1/confirmations/%s", id);
	if (fx_req(T.c, "GET", path, NULL, T.svc, NULL, NULL, 0, &resp) !=
	    200 || (j = fx_json(&resp)) == NULL)
		fail_msg("confirmation status: %s", resp.body);
	got = json_string_value(json_object_get(j, "status"));
	if (got == NULL || strcmp(got, status) != 0 ||
	    (json_object_get(j, "receipt") != NULL) !=
	    (strcmp(status, "confirmed") == 0))
		fail_msg("confirmation %s, want %s", resp.body, status);
	json_decref(j);
	hc_resp_free(&resp);
}

static void
confirm_case(void **state)
{
	const struct lcase	*lc = *state;
	struct arun		 a;
	unsigned char		*chal;
	size_t			 chal_len;
	char			*id, *json, path[160];
	int			 st;

	arun_start(lc, "customer", &a);
	id = confirmation_new(a.u.name);
	snprintf(path, sizeof(path), "/v1/confirmations/%s/verify", id);
	confirmation_challenge(id, &chal, &chal_len);
	json = fx_assertion(&a.who, chal, chal_len, &a.ce);
	arun_verify(lc, &a, path, "confirmation", json);
	if (lc->want != 200 && a.resp.body != NULL &&
	    strstr(a.resp.body, "receipt") != NULL)
		fail_msg("a refused confirmation has a receipt: %s",
		    a.resp.body);
	free(json);

	/* Still pending, and the unbroken assertion confirms it. */
	if (lc->want != 200 && lc->mode != L_REPLAY) {
		expect_confirmation(id, "pending");
		json = fx_assertion(&a.u, chal, chal_len, NULL);
		if ((st = post(T.c, path, NULL, json, &a.resp)) != 200)
			fail_msg("the unbroken confirmation after the refusal: "
			    "%d %s", st, a.resp.body);
		free(json);
	}
	expect_confirmation(id, "confirmed");
	free(chal);
	free(id);
	arun_end(lc, &a);
}

/*
 * The second instance: couriers need attestation that chains to
 * softauth's default CA, written to HTTPT_TMP as the one anchor.
 */
static int
trusted_start(void)
{
	static char	 listen[64], origins[96], issuer[96], anchors[600];
	const char	*args[] = { listen, origins, issuer, anchors,
			    "--attestation_courier=trusted", NULL };
	const struct sa_ca *ca = sa_ca_default();
	FILE		*f;

	if ((T.other_ca = sa_ca_new()) == NULL || ca == NULL)
		return (-1);
	snprintf(T.anchor, sizeof(T.anchor), "%s/conformance-anchor.der",
	    fx.tmp);
	if ((f = fopen(T.anchor, "wb")) == NULL)
		return (-1);
	if (fwrite(sa_ca_der_ptr(ca), 1, sa_ca_der_len(ca), f) !=
	    sa_ca_der_len(ca) || fclose(f) != 0)
		return (-1);
	fx_free_port(T.tr.port, sizeof(T.tr.port));
	snprintf(T.tr_origin, sizeof(T.tr_origin), "http://localhost:%s",
	    T.tr.port);
	snprintf(listen, sizeof(listen), "--listen=127.0.0.1:%s", T.tr.port);
	snprintf(origins, sizeof(origins), "--origins=%s", T.tr_origin);
	snprintf(issuer, sizeof(issuer), "--issuer=%s", T.tr_origin);
	snprintf(anchors, sizeof(anchors), "--trust_anchors=%s", T.anchor);
	if (fx_authd_start(&T.tr, "conformance-trusted", args) != 0) {
		print_error("the trusted instance did not start: %s\n",
		    T.tr.log);
		return (-1);
	}

	return (0);
}

static int
group_setup(void **state)
{
	char name[64];

	(void)state;
	if (fx_env_load() < 0)
		return (-1);
	fx_username("conftracking", name, sizeof(name));
	T.svc = fx_service_add(name, "authd-services");
	if ((T.other = sa_cred_new(WA_COSE_ES256)) == NULL ||
	    (T.rsa = sa_cred_new(WA_COSE_RS256)) == NULL)
		return (-1);
	/* "pad":"xxx...": a member that makes clientDataJSON too large. */
	memset(T.big, 'x', sizeof(T.big) - 1);
	memcpy(T.bigmember, "\"pad\":\"", 7);
	memset(T.bigmember + 7, 'x', BIG_LEN);
	memcpy(T.bigmember + 7 + BIG_LEN, "\"", 2);
	T.longid[0] = '"';
	memset(T.longid + 1, 'A', LONG_ID);
	T.longid[LONG_ID + 1] = '"';
	if (trusted_start() < 0)
		return (-1);

	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	if (T.tr.pid > 0 && fx_authd_stop(&T.tr, SIGTERM) != 0)
		print_error("the trusted instance did not stop cleanly\n");
	sa_cred_free(&T.other);
	sa_cred_free(&T.rsa);
	free(T.svc);
	sa_ca_free(&T.other_ca);

	return (0);
}

/*
 * Fresh connections for each case: a keep-alive connection left idle
 * while other cases run would be closed by authd's keep-alive timeout.
 */
static int
case_setup(void **state)
{
	(void)state;
	T.c = fx_connect(NULL);
	T.tc = fx_connect(T.tr.port);

	return (0);
}

static int
case_teardown(void **state)
{
	(void)state;
	hc_close(&T.c);
	hc_close(&T.tc);

	return (0);
}

int
main(void)
{
	static struct CMUnitTest	 tests[MAX_CASES];
	size_t				 n = 0;

	_Static_assert(sizeof(rcases) / sizeof(rcases[0]) +
	    sizeof(lcases) / sizeof(lcases[0]) +
	    sizeof(ccases) / sizeof(ccases[0]) <= MAX_CASES, "MAX_CASES");
	for (size_t i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		tests[n].name = rcases[i].name;
		tests[n].setup_func = case_setup;
		tests[n].teardown_func = case_teardown;
		tests[n].test_func = reg_case;
		tests[n++].initial_state = (void *)(uintptr_t)&rcases[i];
	}
	for (size_t i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++) {
		tests[n].name = lcases[i].name;
		tests[n].setup_func = case_setup;
		tests[n].teardown_func = case_teardown;
		tests[n].test_func = login_case;
		tests[n++].initial_state = (void *)(uintptr_t)&lcases[i];
	}
	for (size_t i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		tests[n].name = ccases[i].name;
		tests[n].setup_func = case_setup;
		tests[n].teardown_func = case_teardown;
		tests[n].test_func = confirm_case;
		tests[n++].initial_state = (void *)(uintptr_t)&ccases[i];
	}
	/* HTTPT_FILTER=pattern runs only the matching cases. */
	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (_cmocka_run_group_tests("http_conformance", tests, n,
	    group_setup, group_teardown));
}
