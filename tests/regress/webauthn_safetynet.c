/*
 * webauthn_safetynet.c: malformed "android-safetynet" statements
 * (WebAuthn §8.5).  Real SafetyNet responses are covered by the device
 * vectors; here the test writes the JWS itself, signed by a softauth
 * certificate for attest.android.com over softauth's authenticator data,
 * and each case breaks one part: the statement, the JWS framing, the
 * header, the signature, the certificate host, or one payload claim
 * (nonce, timestampMs, ctsProfileMatch).
 */
#include <time.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "regress.h"

enum sn_break {
	SN_NONE,
	SN_ES256,		/* a valid ES256-signed JWS */
	SN_DROP,		/* remove member key */
	SN_VER_EMPTY,
	SN_RESPONSE_TEXT,
	SN_NO_DOTS,
	SN_EMPTY_PAYLOAD,
	SN_HDR_B64,
	SN_HDR_JSON,
	SN_NO_X5C,
	SN_X5C_B64,
	SN_CRIT,
	SN_ALG_NONE,
	SN_ALG_HS256,
	SN_ALG_MISMATCH,	/* header ES256, RSA certificate */
	SN_SIG,
	SN_HOST,
	SN_NONCE,
	SN_NO_NONCE,
	SN_TS_OLD,
	SN_TS_FUTURE,
	SN_CTS_FALSE,
	SN_CTS_ABSENT,
};

struct sn_case {
	enum sn_break	 what;
	const char	*key;
};

static char *
b64std(const unsigned char *p, size_t n)
{
	char *s;

	assert_non_null(s = malloc(n / 3 * 4 + 5));
	assert_true(EVP_EncodeBlock((unsigned char *)s, p, (int)n) >= 0);

	return (s);
}

/* A JSON object, dumped and base64url encoded. */
static char *
b64_json(json_t *o)
{
	char *s, *b;

	assert_non_null(o);
	assert_non_null(s = json_dumps(o, JSON_COMPACT));
	assert_non_null(b = sa_b64url((const unsigned char *)s, strlen(s)));
	free(s);
	json_decref(o);

	return (b);
}

/* ECDSA DER to the JWS r || s form. */
static void
der_to_raw(unsigned char **sig, size_t *len)
{
	const unsigned char	*p = *sig;
	const BIGNUM		*r, *s;
	ECDSA_SIG		*es;
	unsigned char		*raw;

	assert_non_null(es = d2i_ECDSA_SIG(NULL, &p, (long)*len));
	ECDSA_SIG_get0(es, &r, &s);
	assert_non_null(raw = malloc(64));
	assert_int_equal(BN_bn2binpad(r, raw, 32), 32);
	assert_int_equal(BN_bn2binpad(s, raw + 32, 32), 32);
	ECDSA_SIG_free(es);
	free(*sig);
	*sig = raw;
	*len = 64;
}

static json_t *
header(enum sn_break what, const char *cert)
{
	const char	*alg = what == SN_ES256 || what == SN_ALG_MISMATCH ?
			    "ES256" : what == SN_ALG_NONE ? "none" :
			    what == SN_ALG_HS256 ? "HS256" : "RS256";
	json_t		*h;

	assert_non_null(h = json_pack("{s:s, s:[s]}", "alg", alg, "x5c",
	    what == SN_X5C_B64 ? "!!!!" : cert));
	if (what == SN_NO_X5C)
		assert_int_equal(json_object_del(h, "x5c"), 0);
	if (what == SN_CRIT)
		assert_int_equal(json_object_set_new(h, "crit",
		    json_pack("[s]", "exp")), 0);

	return (h);
}

static json_t *
payload(enum sn_break what, const struct sa_ctx *ctx)
{
	struct sa_bytes	 tbs = { NULL, 0 };
	unsigned char	 md[32];
	char		*nonce;
	json_int_t	 ts = (json_int_t)time(NULL) * 1000;
	json_t		*o;

	assert_int_equal(sa_bytes_set(&tbs, ctx->authdata,
	    ctx->authdata_len), 0);
	assert_int_equal(sa_bytes_append(&tbs, ctx->cdh, 32), 0);
	SHA256(tbs.ptr, tbs.len, md);
	free(tbs.ptr);
	if (what == SN_NONCE)
		md[31] ^= 1;
	nonce = b64std(md, sizeof(md));
	if (what == SN_TS_OLD)
		ts -= 5 * 60 * 1000;
	if (what == SN_TS_FUTURE)
		ts += 5 * 60 * 1000;
	assert_non_null(o = json_pack("{s:s, s:I, s:s, s:s, s:b, s:b}",
	    "nonce", nonce, "timestampMs", ts, "apkPackageName",
	    "com.google.android.gms", "apkCertificateDigestSha256",
	    "8P1sW0EPJcslw7UzRsiXL64w+O50Ed+RBICtay1g24M=",
	    "ctsProfileMatch", what != SN_CTS_FALSE, "basicIntegrity", 1));
	free(nonce);
	if (what == SN_NO_NONCE)
		assert_int_equal(json_object_del(o, "nonce"), 0);
	if (what == SN_CTS_ABSENT)
		assert_int_equal(json_object_del(o, "ctsProfileMatch"), 0);

	return (o);
}

static int
hook_safetynet(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const struct sn_case	*sc = arg;
	struct sa_cred		*signer;
	struct sa_cert_opts	 o;
	struct sa_bytes		 jws = { NULL, 0 };
	unsigned char		*cert, *sig;
	size_t			 cert_len, sig_len;
	char			*cert64, *h64, *p64, *s64;
	bool			 ec = sc->what == SN_ES256;

	assert_non_null(signer = sa_cred_new(ec ? WA_COSE_ES256 :
	    WA_COSE_RS256));
	memset(&o, 0, sizeof(o));
	o.subject = "/C=US/O=Google LLC/CN=attest.android.com";
	o.san_dns = sc->what == SN_HOST ? "attest.android.com.evil.net" :
	    "attest.android.com";
	if (sc->what == SN_HOST)
		o.subject = "/C=US/O=Evil/CN=attest.android.com.evil.net";
	assert_non_null(cert = sa_ca_issue(sa_ca_default(), signer, &o,
	    &cert_len));
	cert64 = b64std(cert, cert_len);
	h64 = sc->what == SN_HDR_B64 ? strdup("eyJhbGciOiJSUzI1NiJ9+") :
	    sc->what == SN_HDR_JSON ? strdup("bm90IGpzb24") :
	    b64_json(header(sc->what, cert64));
	p64 = sc->what == SN_EMPTY_PAYLOAD ? strdup("") :
	    b64_json(payload(sc->what, ctx));
	assert_non_null(h64);
	assert_non_null(p64);
	assert_int_equal(sa_bytes_set(&jws, h64, strlen(h64)), 0);
	assert_int_equal(sa_bytes_append(&jws, ".", 1), 0);
	assert_int_equal(sa_bytes_append(&jws, p64, strlen(p64)), 0);
	assert_int_equal(sa_cred_sign(signer, jws.ptr, jws.len, &sig,
	    &sig_len), 0);
	if (ec)
		der_to_raw(&sig, &sig_len);
	if (sc->what == SN_SIG)
		sig[sig_len / 2] ^= 1;
	s64 = sa_b64url(sig, sig_len);
	assert_int_equal(sa_bytes_append(&jws, ".", 1), 0);
	assert_int_equal(sa_bytes_append(&jws, s64, strlen(s64)), 0);
	if (sc->what == SN_NO_DOTS)
		assert_int_equal(sa_bytes_set(&jws, h64, strlen(h64)), 0);

	assert_int_equal(sa_cbor_map_put(stmt, "ver",
	    cbor_build_string(sc->what == SN_VER_EMPTY ? "" : "14366018")), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "response",
	    sc->what == SN_RESPONSE_TEXT ? cbor_build_stringn(
	    (const char *)jws.ptr, jws.len) :
	    cbor_build_bytestring(jws.ptr, jws.len)), 0);
	if (sc->what == SN_DROP)
		assert_int_equal(sa_cbor_map_del(stmt, sc->key), 0);
	free(cert);
	free(cert64);
	free(h64);
	free(p64);
	free(s64);
	free(sig);
	free(jws.ptr);
	sa_cred_free(&signer);

	return (0);
}

static int
sn_rp(enum sn_break what, const char *key, const struct wa_rp *rp)
{
	struct sa_params	p = params("android-safetynet");
	struct sn_case		sc = { what, key };
	struct sa_hooks		h = { .attstmt = hook_safetynet, .arg = &sc };

	return (reg_rp(cred(ALG_ES256), &p, &h, rp));
}

static int
sn(enum sn_break what, const char *key)
{
	return (sn_rp(what, key, NULL));
}

static void
well_formed_baseline(void **state)
{
	(void)state;
	/* The statements the cases below break one thing of. */
	assert_int_equal(sn(SN_NONE, NULL), WA_OK);
	assert_int_equal(sn(SN_ES256, NULL), WA_OK);
}

static void
empty_statement(void **state)
{
	struct sa_params p = params("android-safetynet");

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_ATTSTMT);
}

static void
member_missing(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_DROP, "ver"), WA_ERR_ATTSTMT);
	assert_int_equal(sn(SN_DROP, "response"), WA_ERR_ATTSTMT);
}

static void
version_empty(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_VER_EMPTY, NULL), WA_ERR_ATTSTMT);
}

static void
response_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_RESPONSE_TEXT, NULL), WA_ERR_ATTSTMT);
}

static void
response_not_compact_jws(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_NO_DOTS, NULL), WA_ERR_ATTSTMT);
	assert_int_equal(sn(SN_EMPTY_PAYLOAD, NULL), WA_ERR_ATTSTMT);
}

static void
header_not_base64url(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_HDR_B64, NULL), WA_ERR_ATTSTMT);
}

static void
header_not_json(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_HDR_JSON, NULL), WA_ERR_ATTSTMT);
}

static void
header_without_x5c(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_NO_X5C, NULL), WA_ERR_ATTSTMT);
}

static void
header_x5c_not_base64(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_X5C_B64, NULL), WA_ERR_ATTSTMT);
}

static void
header_crit(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_CRIT, NULL), WA_ERR_ATTSTMT);
}

static void
header_alg_unsupported(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_ALG_NONE, NULL), WA_ERR_UNSUPPORTED_ALG);
	assert_int_equal(sn(SN_ALG_HS256, NULL), WA_ERR_UNSUPPORTED_ALG);
}

static void
header_alg_mismatch(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_ALG_MISMATCH, NULL), WA_ERR_ATT_SIG);
}

static void
signature_invalid(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_SIG, NULL), WA_ERR_ATT_SIG);
}

static void
certificate_host(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_HOST, NULL), WA_ERR_ATT_CERT);
}

static void
nonce_mismatch(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_NONCE, NULL), WA_ERR_ATT_NONCE);
}

static void
nonce_missing(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_NO_NONCE, NULL), WA_ERR_ATTSTMT);
}

static void
timestamp_stale(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_TS_OLD, NULL), WA_ERR_ATT_TIME);
}

static void
timestamp_future(void **state)
{
	(void)state;
	assert_int_equal(sn(SN_TS_FUTURE, NULL), WA_ERR_ATT_TIME);
}

static void
timestamp_other_clock(void **state)
{
	struct wa_rp *rp = rp_new();

	(void)state;
	/* Fresh now, stale for an RP clock set a day ahead. */
	assert_int_equal(wa_rp_set_time(rp, (int64_t)time(NULL) + 86400),
	    WA_OK);
	assert_int_equal(sn_rp(SN_NONE, NULL, rp), WA_ERR_ATT_TIME);
	wa_rp_free(&rp);
}

static void
cts_profile_mismatch(void **state)
{
	struct wa_rp *rp = rp_new();

	(void)state;
	assert_int_equal(sn(SN_CTS_FALSE, NULL), WA_ERR_ATT_POLICY);
	assert_int_equal(sn(SN_CTS_ABSENT, NULL), WA_ERR_ATT_POLICY);
	/* Unless the RP does not enforce it. */
	assert_int_equal(wa_rp_set_safetynet_cts(rp, false), WA_OK);
	assert_int_equal(sn_rp(SN_CTS_FALSE, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(well_formed_baseline),
		cmocka_unit_test(empty_statement),
		cmocka_unit_test(member_missing),
		cmocka_unit_test(version_empty),
		cmocka_unit_test(response_not_bytes),
		cmocka_unit_test(response_not_compact_jws),
		cmocka_unit_test(header_not_base64url),
		cmocka_unit_test(header_not_json),
		cmocka_unit_test(header_without_x5c),
		cmocka_unit_test(header_x5c_not_base64),
		cmocka_unit_test(header_crit),
		cmocka_unit_test(header_alg_unsupported),
		cmocka_unit_test(header_alg_mismatch),
		cmocka_unit_test(signature_invalid),
		cmocka_unit_test(certificate_host),
		cmocka_unit_test(nonce_mismatch),
		cmocka_unit_test(nonce_missing),
		cmocka_unit_test(timestamp_stale),
		cmocka_unit_test(timestamp_future),
		cmocka_unit_test(timestamp_other_clock),
		cmocka_unit_test(cts_profile_mismatch),
	};

	return (GROUP(tests));
}
