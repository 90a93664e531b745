/*
 * token_jwt.c: authd/token.c, the JWT signer and verifier and its JWK
 * Sets.  Round trips for both algorithms, then one case per rule that
 * token_verify() enforces: each forges a token that breaks exactly that
 * rule, signed with the real key by an independent OpenSSL signer, so
 * that nothing else can be the cause.
 *
 * Reference data (ed_der, ED_KID, ED_GOLDEN, es_der, ES_KID, ES_X, ES_Y,
 * ES_INTEROP, ES_Y_OFF) came from Python's "cryptography" package, not
 * from this code: the Ed25519 key is RFC 8037 Appendix A.1, and ED_KID
 * is the first 16 bytes of its thumbprint in RFC 8037 A.3.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include "authd/token.h"
#include "webauthn/webauthn.h"

#define NOW	1999999800
#define LEEWAY	30
#define ISS	"https://auth.example"
#define AUD	"tracking"

/* RFC 8037 A.1 private key as PKCS#8. */
static const unsigned char ed_der[] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
	0x04, 0x22, 0x04, 0x20, 0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
	0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69,
	0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};
#define ED_KID	"kPrK_qmxVWaYVA9wwBF6Ig"
#define ED_X	"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
/* token_sign(ed, "at+jwt", CLAIMS_GOLDEN) as Python computed it. */
#define ED_GOLDEN \
	"eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImtQcktfcW14Vl" \
	"dhWVZBOXd3QkY2SWcifQ.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZSIsI" \
	"nN1YiI6InVzZXItMSIsImF1ZCI6InRyYWNraW5nIiwiZXhwIjoyMDAwMDAwMDA" \
	"wLCJpYXQiOjE5OTk5OTk3MDAsImp0aSI6ImoxIn0.JhaBkYSEZNRlxhamK_rXs" \
	"etV1CmBKbhLejIr7F6Znmc6SzgJQ7d6jiPycZVGLLoRnM2mTOUNDuhRU4eOszhNBA"
#define CLAIMS_GOLDEN \
	"{\"iss\":\"https://auth.example\",\"sub\":\"user-1\"," \
	"\"aud\":\"tracking\",\"exp\":2000000000,\"iat\":1999999700," \
	"\"jti\":\"j1\"}"

/* A P-256 key from a fixed scalar, as PKCS#8 with its public key. */
static const unsigned char es_der[] = {
	0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,
	0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20,
	0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a, 0x79, 0x88, 0x77, 0x66, 0x55, 0x44,
	0x33, 0x22, 0x11, 0x00, 0x0f, 0xfe, 0xed, 0xdc, 0xcb, 0xba, 0xa9, 0x98,
	0x87, 0x76, 0x65, 0x54, 0x43, 0x32, 0x21, 0x10, 0xa1, 0x44, 0x03, 0x42,
	0x00, 0x04, 0xa1, 0x75, 0xf1, 0x74, 0xf2, 0x60, 0x3f, 0x9e, 0xe0, 0xdd,
	0x3f, 0x8b, 0x88, 0xb9, 0x8b, 0x59, 0x4d, 0x01, 0x6b, 0x40, 0x12, 0xc5,
	0xfe, 0x86, 0xaa, 0x38, 0xd8, 0x72, 0x27, 0x53, 0x2b, 0x69, 0xbf, 0x75,
	0xa8, 0x11, 0x09, 0xee, 0x60, 0x1b, 0xfa, 0x3e, 0xa9, 0x33, 0x6f, 0x29,
	0xa7, 0x69, 0x15, 0xbf, 0xc9, 0x06, 0xfe, 0xcc, 0xd9, 0xfe, 0x87, 0xfc,
	0xa0, 0x5a, 0x0b, 0x4f, 0x07, 0x88,
};
#define ES_KID	"NWLz5i7oEHVXtRcR5aXM-w"
#define ES_X	"oXXxdPJgP57g3T-LiLmLWU0Ba0ASxf6GqjjYcidTK2k"
#define ES_Y	"v3WoEQnuYBv6PqkzbymnaRW_yQb-zNn-h_ygWgtPB4g"
/* ES_Y + 1: the point (ES_X, ES_Y_OFF) is not on P-256. */
#define ES_Y_OFF "v3WoEQnuYBv6PqkzbymnaRW_yQb-zNn-h_ygWgtPB4k"
/* An ES256 token over CLAIMS_GOLDEN signed by Python. */
#define ES_INTEROP \
	"eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ik5XTHo1aTdvRU" \
	"hWWHRSY1I1YVhNLXcifQ.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZSIsI" \
	"nN1YiI6InVzZXItMSIsImF1ZCI6InRyYWNraW5nIiwiZXhwIjoyMDAwMDAwMDA" \
	"wLCJpYXQiOjE5OTk5OTk3MDAsImp0aSI6ImoxIn0.jo0gPeptbpcMgSBMZM3MQ" \
	"YJsD1XQ0udUL4wjDckxjSpoF5n-w3YSGZnSbFflRZg8BlcNPA0rVl85u775vguPkw"

#define ED_HDR	"{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" ED_KID "\"}"
#define ES_HDR	"{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"" ES_KID "\"}"
#define CLAIMS_OK \
	"{\"iss\":\"" ISS "\",\"sub\":\"user-1\",\"aud\":\"" AUD "\"," \
	"\"exp\":2000000000,\"iat\":1999999700}"

#define ES_JWK	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" ES_X "\"," \
		"\"y\":\"" ES_Y "\",\"kid\":\"" ES_KID "\"}"
#define ED_JWK	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X "\"," \
		"\"kid\":\"" ED_KID "\"}"

/* The fixture: both keys as token keys, as raw OpenSSL keys, a set. */
static struct token_key		*ed_key, *es_key;
static EVP_PKEY			*ed_pkey, *es_pkey;
static struct token_keyset	*ks;

static EVP_PKEY *
load_pkcs8(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;

	return (d2i_AutoPrivateKey(NULL, &p, (long)len));
}

static int
group_setup(void **state)
{
	(void)state;
	if (token_key_from_der(ed_der, sizeof(ed_der), &ed_key) != TOKEN_OK ||
	    token_key_from_der(es_der, sizeof(es_der), &es_key) != TOKEN_OK ||
	    (ed_pkey = load_pkcs8(ed_der, sizeof(ed_der))) == NULL ||
	    (es_pkey = load_pkcs8(es_der, sizeof(es_der))) == NULL ||
	    (ks = token_keyset_new()) == NULL ||
	    token_keyset_add_key(ks, ed_key) != TOKEN_OK ||
	    token_keyset_add_key(ks, es_key) != TOKEN_OK)
		return (-1);

	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	token_key_free(&ed_key);
	token_key_free(&es_key);
	EVP_PKEY_free(ed_pkey);
	EVP_PKEY_free(es_pkey);
	token_keyset_free(&ks);

	return (0);
}

static char *
b64s(const char *s)
{
	char *out = wa_b64url_encode((const unsigned char *)s, strlen(s));

	assert_non_null(out);
	return (out);
}

static char *
join3(const char *a, const char *b, const char *c)
{
	size_t	 n = strlen(a) + strlen(b) + strlen(c) + 3;
	char	*out = malloc(n);

	assert_non_null(out);
	snprintf(out, n, "%s.%s.%s", a, b, c);
	return (out);
}

/* The raw JWS signature of msg by pkey: 64 bytes, r||s for ES256. */
static void
raw_sign(EVP_PKEY *pkey, const char *msg, unsigned char *sig)
{
	EVP_MD_CTX		*ctx;
	ECDSA_SIG		*es;
	const BIGNUM		*r, *s;
	unsigned char		 der[128];
	const unsigned char	*p = der;
	size_t			 n = sizeof(der);
	bool			 ec = EVP_PKEY_is_a(pkey, "EC");

	assert_non_null(ctx = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestSignInit_ex(ctx, NULL, ec ? "SHA256" :
	    NULL, NULL, NULL, pkey, NULL), 1);
	assert_int_equal(EVP_DigestSign(ctx, ec ? der : sig, &n,
	    (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(ctx);
	if (!ec) {
		assert_int_equal(n, 64);
		return;
	}
	assert_non_null(es = d2i_ECDSA_SIG(NULL, &p, (long)n));
	ECDSA_SIG_get0(es, &r, &s);
	assert_int_equal(BN_bn2binpad(r, sig, 32), 32);
	assert_int_equal(BN_bn2binpad(s, sig + 32, 32), 32);
	ECDSA_SIG_free(es);
}

/* h64.p64.signature, for parts already encoded (or broken). */
static char *
forge_parts(EVP_PKEY *pkey, const char *h64, const char *p64)
{
	unsigned char	 sig[64];
	char		*in, *s64, *out;
	size_t		 n = strlen(h64) + strlen(p64) + 2;

	assert_non_null(in = malloc(n));
	snprintf(in, n, "%s.%s", h64, p64);
	raw_sign(pkey, in, sig);
	assert_non_null(s64 = wa_b64url_encode(sig, sizeof(sig)));
	out = join3(h64, p64, s64);
	free(in);
	free(s64);

	return (out);
}

static char *
forge(EVP_PKEY *pkey, const char *hdr, const char *claims)
{
	char *h64 = b64s(hdr), *p64 = b64s(claims), *out;

	out = forge_parts(pkey, h64, p64);
	free(h64);
	free(p64);

	return (out);
}

static int
verify_typ(const char *jwt, const char *typ, const char *iss)
{
	json_t	*c = (json_t *)1;
	int	 r;

	r = token_verify(jwt, strlen(jwt), ks, typ, iss, AUD, NOW, LEEWAY,
	    &c);
	if (r == TOKEN_OK) {
		assert_true(json_is_object(c));
		json_decref(c);
	} else
		assert_null(c);

	return (r);
}

static int
verify(const char *jwt)
{
	return (verify_typ(jwt, TOKEN_TYP_AT, ISS));
}

/* Forges with key, verifies, and checks the code. */
static void
expect(EVP_PKEY *pkey, const char *hdr, const char *claims, int want)
{
	char *jwt = forge(pkey, hdr, claims);

	assert_string_equal(token_errname(verify(jwt)), token_errname(want));
	free(jwt);
}

static void
expect_claims(const char *claims, int want)
{
	expect(ed_pkey, ED_HDR, claims, want);
}

static json_t *
claims_json(const char *s)
{
	json_t *c = json_loads(s, 0, NULL);

	assert_non_null(c);
	return (c);
}

/*
 * Round trips.
 */

static void
roundtrip(int alg)
{
	struct token_key	*k = NULL;
	struct token_keyset	*set;
	json_t			*in = claims_json(CLAIMS_OK), *out = NULL;
	char			*jwt = NULL, *dot;

	assert_int_equal(token_key_generate(alg, &k), TOKEN_OK);
	assert_int_equal(token_key_alg(k), alg);
	assert_int_equal(strlen(token_key_kid(k)), 22);
	assert_int_equal(token_sign(k, TOKEN_TYP_AT, in, &jwt), TOKEN_OK);
	assert_non_null(dot = strrchr(jwt, '.'));
	assert_int_equal(strlen(dot + 1), 86);
	assert_non_null(set = token_keyset_new());
	assert_int_equal(token_keyset_add_key(set, k), TOKEN_OK);
	assert_int_equal(token_verify(jwt, strlen(jwt), set, TOKEN_TYP_AT,
	    ISS, AUD, NOW, 0, &out), TOKEN_OK);
	assert_true(json_equal(in, out));
	json_decref(out);
	/* The same kid in a set twice would make selection ambiguous. */
	assert_int_equal(token_keyset_add_key(set, k), TOKEN_ERR_JWKS);
	token_keyset_free(&set);
	assert_null(set);
	token_key_free(&k);
	assert_null(k);
	json_decref(in);
	free(jwt);
}

static void
roundtrip_eddsa(void **state)
{
	(void)state;
	roundtrip(TOKEN_ALG_EDDSA);
}

static void
roundtrip_es256(void **state)
{
	(void)state;
	roundtrip(TOKEN_ALG_ES256);
}

static void
roundtrip_der(void **state)
{
	struct token_key	*k = NULL, *k2 = NULL;
	struct token_keyset	*set;
	unsigned char		 der[TOKEN_MAX_KEY_DER];
	size_t			 len;
	json_t			*in = claims_json(CLAIMS_OK), *out = NULL;
	char			*jwt = NULL;

	(void)state;
	for (int alg = TOKEN_ALG_EDDSA; alg <= TOKEN_ALG_ES256; alg++) {
		assert_int_equal(token_key_generate(alg, &k), TOKEN_OK);
		assert_int_equal(token_key_to_der(k, der, sizeof(der), &len),
		    TOKEN_OK);
		assert_int_equal(token_key_to_der(k, der, len - 1, &len),
		    TOKEN_ERR_TOO_LARGE);
		assert_int_equal(token_key_to_der(k, der, sizeof(der), &len),
		    TOKEN_OK);
		assert_int_equal(token_key_from_der(der, len, &k2), TOKEN_OK);
		OPENSSL_cleanse(der, sizeof(der));
		assert_string_equal(token_key_kid(k), token_key_kid(k2));
		/* Signed by the reloaded key, checked with the original. */
		assert_int_equal(token_sign(k2, TOKEN_TYP_AT, in, &jwt),
		    TOKEN_OK);
		assert_non_null(set = token_keyset_new());
		assert_int_equal(token_keyset_add_key(set, k), TOKEN_OK);
		assert_int_equal(token_verify(jwt, strlen(jwt), set,
		    TOKEN_TYP_AT, ISS, AUD, NOW, 0, &out), TOKEN_OK);
		json_decref(out);
		free(jwt);
		token_keyset_free(&set);
		token_key_free(&k);
		token_key_free(&k2);
	}
	json_decref(in);
}

/* Ed25519 is deterministic: our encoder must produce Python's bytes. */
static void
golden_eddsa(void **state)
{
	json_t	*in = claims_json(CLAIMS_GOLDEN);
	char	*jwt = NULL;

	(void)state;
	assert_string_equal(token_key_kid(ed_key), ED_KID);
	assert_int_equal(token_sign(ed_key, TOKEN_TYP_AT, in, &jwt),
	    TOKEN_OK);
	assert_string_equal(jwt, ED_GOLDEN);
	assert_int_equal(verify(ED_GOLDEN), TOKEN_OK);
	json_decref(in);
	free(jwt);
}

static void
interop_es256(void **state)
{
	struct token_keyset	*set;
	json_t			*c = NULL;
	const char		*doc = "{\"keys\":[" ES_JWK "]}";

	(void)state;
	assert_string_equal(token_key_kid(es_key), ES_KID);
	assert_int_equal(verify(ES_INTEROP), TOKEN_OK);
	assert_non_null(set = token_keyset_new());
	assert_int_equal(token_keyset_add_jwks(set, doc, strlen(doc)),
	    TOKEN_OK);
	assert_int_equal(token_verify(ES_INTEROP, strlen(ES_INTEROP), set,
	    TOKEN_TYP_AT, ISS, AUD, NOW, 0, &c), TOKEN_OK);
	assert_string_equal(json_string_value(json_object_get(c, "jti")),
	    "j1");
	json_decref(c);
	token_keyset_free(&set);
}

static void
forged_ok(void **state)
{
	(void)state;
	expect(ed_pkey, ED_HDR, CLAIMS_OK, TOKEN_OK);
	expect(es_pkey, ES_HDR, CLAIMS_OK, TOKEN_OK);
}

/*
 * Header rules.
 */

static void
alg_none(void **state)
{
	char	*h64 = b64s("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\"}"), *p64 = b64s(CLAIMS_OK), *jwt = join3(h64, p64, "");

	(void)state;
	assert_int_equal(verify(jwt), TOKEN_ERR_ALG);
	free(jwt);
	/* And with a signature attached. */
	expect(ed_pkey, "{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_ALG);
	free(h64);
	free(p64);
}

/* The classic confusion: HMAC keyed with the public key's bytes. */
static void
alg_hs256(void **state)
{
	unsigned char	 x[32], mac[32];
	unsigned int	 maclen = sizeof(mac);
	size_t		 xlen;
	char		*h64, *p64, *in, *m64, *jwt;

	(void)state;
	assert_int_equal(wa_b64url_decode(ED_X, strlen(ED_X), x, sizeof(x),
	    &xlen), WA_OK);
	h64 = b64s("{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"" ED_KID
	    "\"}");
	p64 = b64s(CLAIMS_OK);
	assert_non_null(in = malloc(strlen(h64) + strlen(p64) + 2));
	sprintf(in, "%s.%s", h64, p64);
	assert_non_null(HMAC(EVP_sha256(), x, (int)xlen,
	    (const unsigned char *)in, strlen(in), mac, &maclen));
	assert_non_null(m64 = wa_b64url_encode(mac, maclen));
	jwt = join3(h64, p64, m64);
	assert_int_equal(verify(jwt), TOKEN_ERR_ALG);
	free(h64);
	free(p64);
	free(in);
	free(m64);
	free(jwt);
}

static void
alg_unknown(void **state)
{
	(void)state;
	expect_claims(CLAIMS_OK, TOKEN_OK);
	expect(ed_pkey, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_ALG);
	expect(ed_pkey, "{\"alg\":\"eddsa\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_ALG);
	expect(ed_pkey, "{\"alg\":\"Ed25519\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_ALG);
	expect(ed_pkey, "{\"typ\":\"at+jwt\",\"kid\":\"" ED_KID "\"}",
	    CLAIMS_OK, TOKEN_ERR_ALG);
	expect(ed_pkey, "{\"alg\":[\"EdDSA\"],\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_ALG);
}

/* An ES256 token whose header claims EdDSA for the EC key's kid. */
static void
alg_es256_as_eddsa(void **state)
{
	(void)state;
	expect(es_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\""
	    ES_KID "\"}", CLAIMS_OK, TOKEN_ERR_ALG_MISMATCH);
}

static void
alg_eddsa_as_es256(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_ALG_MISMATCH);
}

static void
kid_unknown(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\","
	    "\"kid\":\"nope\"}", CLAIMS_OK, TOKEN_ERR_KID_UNKNOWN);
	/* Prefix matches are no matches. */
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\","
	    "\"kid\":\"" ED_KID "x\"}", CLAIMS_OK, TOKEN_ERR_KID_UNKNOWN);
}

static void
kid_missing(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\"}", CLAIMS_OK,
	    TOKEN_ERR_KID);
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":7}",
	    CLAIMS_OK, TOKEN_ERR_KID);
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"\"}",
	    CLAIMS_OK, TOKEN_ERR_KID);
}

static void
header_key_locators(void **state)
{
	static const char *const hdrs[] = {
		"{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" ED_KID
		    "\",\"jku\":\"https://evil.example/jwks\"}",
		"{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" ED_KID
		    "\",\"x5u\":\"https://evil.example/cert\"}",
		"{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" ED_KID
		    "\",\"jwk\":" ED_JWK "}",
		"{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" ED_KID
		    "\",\"x5c\":[\"MIIB\"]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++)
		expect(ed_pkey, hdrs[i], CLAIMS_OK, TOKEN_ERR_KEY_LOCATOR);
}

static void
header_crit(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\",\"crit\":[\"exp\"],\"exp\":1}", CLAIMS_OK,
	    TOKEN_ERR_CRIT);
}

static void
header_nested_cty(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\",\"cty\":\"JWT\"}", CLAIMS_OK, TOKEN_ERR_HEADER);
}

static void
typ_wrong(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_TYP);
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"AT+JWT\",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_TYP);
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt \",\"kid\":\""
	    ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_TYP);
	/* RFC 9068 §4: the full media type is the same type. */
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"application/at+jwt\","
	    "\"kid\":\"" ED_KID "\"}", CLAIMS_OK, TOKEN_OK);
}

static void
typ_missing(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"kid\":\"" ED_KID "\"}",
	    CLAIMS_OK, TOKEN_ERR_TYP);
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":null,\"kid\":\"" ED_KID
	    "\"}", CLAIMS_OK, TOKEN_ERR_TYP);
}

/* RFC 8725 §3.12: a receipt is never an access token, nor the reverse. */
static void
typ_exclusive(void **state)
{
	json_t	*in = claims_json(CLAIMS_OK);
	char	*at = NULL, *rc = NULL;

	(void)state;
	assert_int_equal(token_sign(ed_key, TOKEN_TYP_AT, in, &at), TOKEN_OK);
	assert_int_equal(token_sign(ed_key, TOKEN_TYP_RECEIPT, in, &rc),
	    TOKEN_OK);
	assert_int_equal(verify_typ(at, TOKEN_TYP_AT, ISS), TOKEN_OK);
	assert_int_equal(verify_typ(rc, TOKEN_TYP_RECEIPT, ISS), TOKEN_OK);
	assert_int_equal(verify_typ(at, TOKEN_TYP_RECEIPT, ISS),
	    TOKEN_ERR_TYP);
	assert_int_equal(verify_typ(rc, TOKEN_TYP_AT, ISS), TOKEN_ERR_TYP);
	json_decref(in);
	free(at);
	free(rc);
}

static void
header_not_object(void **state)
{
	(void)state;
	expect(ed_pkey, "[\"EdDSA\"]", CLAIMS_OK, TOKEN_ERR_HEADER);
	expect(ed_pkey, "\"EdDSA\"", CLAIMS_OK, TOKEN_ERR_HEADER);
	expect(ed_pkey, "{\"alg\":\"EdDSA\"", CLAIMS_OK, TOKEN_ERR_HEADER);
	expect(ed_pkey, ED_HDR " ", CLAIMS_OK, TOKEN_OK);
	expect(ed_pkey, ED_HDR "x", CLAIMS_OK, TOKEN_ERR_HEADER);
	/* Not UTF-8. */
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\",\"x\":\"\xff\"}", CLAIMS_OK, TOKEN_ERR_HEADER);
	/* A NUL would let "alg\u0000" pass for "alg". */
	expect(ed_pkey, "{\"alg\":\"EdDSA\\u0000\",\"typ\":\"at+jwt\","
	    "\"kid\":\"" ED_KID "\"}", CLAIMS_OK, TOKEN_ERR_HEADER);
}

static void
header_duplicate_member(void **state)
{
	(void)state;
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\",\"alg\":\"none\"}", CLAIMS_OK, TOKEN_ERR_HEADER);
	expect(ed_pkey, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\""
	    ED_KID "\",\"kid\":\"" ES_KID "\"}", CLAIMS_OK, TOKEN_ERR_HEADER);
}

/*
 * Claims rules.
 */

static void
aud_wrong(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"other\","
	    "\"exp\":2000000000}", TOKEN_ERR_AUD);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"Tracking\","
	    "\"exp\":2000000000}", TOKEN_ERR_AUD);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":7,"
	    "\"exp\":2000000000}", TOKEN_ERR_AUD);
}

static void
aud_missing(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"exp\":2000000000}", TOKEN_ERR_AUD);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":null,"
	    "\"exp\":2000000000}", TOKEN_ERR_AUD);
}

static void
aud_array(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":[\"a\","
	    "\"" AUD "\"],\"exp\":2000000000}", TOKEN_OK);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":[\"a\","
	    "\"b\"],\"exp\":2000000000}", TOKEN_ERR_AUD);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":[],"
	    "\"exp\":2000000000}", TOKEN_ERR_AUD);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":[\"" AUD
	    "\",1],\"exp\":2000000000}", TOKEN_ERR_AUD);
}

static void
iss_wrong(void **state)
{
	char *jwt;

	(void)state;
	expect_claims("{\"iss\":\"https://evil.example\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":2000000000}", TOKEN_ERR_ISS);
	expect_claims("{\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000}", TOKEN_ERR_ISS);
	/* Without an expected issuer, iss is not looked at. */
	jwt = forge(ed_pkey, ED_HDR, "{\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000}");
	assert_int_equal(verify_typ(jwt, TOKEN_TYP_AT, NULL), TOKEN_OK);
	free(jwt);
}

static void
expired(void **state)
{
	(void)state;
	/* now - leeway = 1999999770 */
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":1999999770}", TOKEN_ERR_EXPIRED);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":1000}", TOKEN_ERR_EXPIRED);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":-1}", TOKEN_ERR_EXPIRED);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":1999999770.9}", TOKEN_ERR_EXPIRED);
	/* Inside the leeway. */
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":1999999771}", TOKEN_OK);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":1999999771.5}", TOKEN_OK);
}

static void
exp_missing(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD
	    "\"}", TOKEN_ERR_EXP);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":\"2000000000\"}", TOKEN_ERR_EXP);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":true}", TOKEN_ERR_EXP);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":1e300}", TOKEN_ERR_EXP);
}

static void
nbf_future(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000,\"nbf\":1999999831}", TOKEN_ERR_NBF);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000,\"nbf\":1999999830.1}", TOKEN_ERR_NBF);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000,\"nbf\":\"0\"}", TOKEN_ERR_NBF);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000,\"nbf\":1999999830}", TOKEN_OK);
}

static void
iat_future(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000,\"iat\":1999999831}", TOKEN_ERR_IAT);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000,\"iat\":[]}", TOKEN_ERR_IAT);
}

static void
sub_missing(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000}", TOKEN_ERR_SUB);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000}", TOKEN_ERR_SUB);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":1,\"aud\":\"" AUD "\","
	    "\"exp\":2000000000}", TOKEN_ERR_SUB);
}

static void
claims_not_object(void **state)
{
	(void)state;
	expect_claims("[1]", TOKEN_ERR_CLAIMS);
	expect_claims("null", TOKEN_ERR_CLAIMS);
	expect_claims(CLAIMS_OK "{}", TOKEN_ERR_CLAIMS);
}

static void
claims_duplicate_member(void **state)
{
	(void)state;
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":2000000000,\"sub\":\"admin\"}", TOKEN_ERR_CLAIMS);
	expect_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\"" AUD "\","
	    "\"exp\":1,\"exp\":2000000000}", TOKEN_ERR_CLAIMS);
}

static void
claims_too_deep(void **state)
{
	char	 deep[512], *p = deep;
	int	 levels;

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		/* The claims object plus 15 or 16 nested ones. */
		levels = pass == 0 ? TOKEN_MAX_JSON_DEPTH - 1 :
		    TOKEN_MAX_JSON_DEPTH;
		p = deep;
		p += sprintf(p, "{\"iss\":\"" ISS "\",\"sub\":\"u\",\"aud\":\""
		    AUD "\",\"exp\":2000000000,\"x\":");
		for (int i = 0; i < levels - 1; i++)
			p += sprintf(p, "{\"a\":");
		p += sprintf(p, "[]");
		for (int i = 0; i < levels; i++)
			*p++ = '}';
		*p = '\0';
		expect_claims(deep, pass == 0 ? TOKEN_OK : TOKEN_ERR_CLAIMS);
	}
}

/*
 * Serialization and signature.
 */

/* Flips one bit of the decoded signature, in place. */
static void
flip_sig_bit(char *jwt, size_t bit)
{
	unsigned char	 sig[64];
	size_t		 n;
	char		*dot = strrchr(jwt, '.'), *s64;

	assert_int_equal(wa_b64url_decode(dot + 1, strlen(dot + 1), sig,
	    sizeof(sig), &n), WA_OK);
	assert_int_equal(n, 64);
	sig[bit / 8] ^= (unsigned char)(1U << (bit % 8));
	assert_non_null(s64 = wa_b64url_encode(sig, n));
	memcpy(dot + 1, s64, strlen(s64));
	free(s64);
}

static void
bad_signature(void **state)
{
	char	*jwt, *es, *dot;

	(void)state;
	/* One bit of the signature: R or S for EdDSA, r or s for ES256. */
	for (size_t bit = 0; bit < 512; bit += 257) {
		jwt = forge(ed_pkey, ED_HDR, CLAIMS_OK);
		flip_sig_bit(jwt, bit);
		assert_int_equal(verify(jwt), TOKEN_ERR_SIG);
		free(jwt);
		es = forge(es_pkey, ES_HDR, CLAIMS_OK);
		flip_sig_bit(es, bit);
		assert_int_equal(verify(es), TOKEN_ERR_SIG);
		free(es);
	}
	/* One bit of the payload. */
	jwt = forge(ed_pkey, ED_HDR, CLAIMS_OK);
	dot = strchr(jwt, '.');
	dot[3] ^= 0x01;
	assert_int_equal(verify(jwt), TOKEN_ERR_SIG);
	free(jwt);
	/* A valid signature of another key with the same alg. */
	jwt = forge(es_pkey, ES_HDR, CLAIMS_OK);
	es = forge(es_pkey, ES_HDR, CLAIMS_GOLDEN);
	memcpy(strrchr(jwt, '.'), strrchr(es, '.'), 87);
	assert_int_equal(verify(jwt), TOKEN_ERR_SIG);
	free(jwt);
	free(es);
}

static void
truncated(void **state)
{
	char	*jwt = forge(ed_pkey, ED_HDR, CLAIMS_OK);
	size_t	 n = strlen(jwt);

	(void)state;
	assert_int_equal(token_errname(token_verify(jwt, n - 1, ks,
	    TOKEN_TYP_AT, ISS, AUD, NOW, 0, &(json_t *){ NULL })),
	    token_errname(TOKEN_ERR_B64));	/* 85 characters: 1 mod 4 */
	jwt[n - 2] = '\0';
	assert_int_equal(verify(jwt), TOKEN_ERR_SIG_LEN);
	*strrchr(jwt, '.') = '\0';
	assert_int_equal(verify(jwt), TOKEN_ERR_FORMAT);
	*strrchr(jwt, '.') = '\0';
	assert_int_equal(verify(jwt), TOKEN_ERR_FORMAT);
	assert_int_equal(verify(""), TOKEN_ERR_FORMAT);
	free(jwt);
}

static void
padding(void **state)
{
	char	*h64 = b64s(ED_HDR), *p64 = b64s(CLAIMS_OK " "), *jwt, *x;
	size_t	 n;

	(void)state;
	assert_non_null(x = malloc(strlen(p64) + 4));
	/* These claims need padding to reach a multiple of 4. */
	n = strlen(p64);
	assert_true(n % 4 != 0);
	sprintf(x, "%s%s", p64, n % 4 == 2 ? "==" : "=");
	jwt = forge_parts(ed_pkey, h64, x);
	assert_int_equal(verify(jwt), TOKEN_ERR_B64);
	free(jwt);
	free(x);
	/* Padding on the signature. */
	jwt = forge_parts(ed_pkey, h64, p64);
	assert_non_null(jwt = realloc(jwt, strlen(jwt) + 3));
	strcat(jwt, "==");
	assert_int_equal(verify(jwt), TOKEN_ERR_B64);
	free(jwt);
	/* Standard base64 characters are not base64url. */
	jwt = forge(ed_pkey, ED_HDR, CLAIMS_OK);
	x = strrchr(jwt, '.');
	x[1] = '+';
	assert_int_equal(verify(jwt), TOKEN_ERR_B64);
	free(jwt);
	free(h64);
	free(p64);
}

static void
part_count(void **state)
{
	char	*jwt = forge(ed_pkey, ED_HDR, CLAIMS_OK), *four, *s;
	size_t	 n = strlen(jwt);

	(void)state;
	/* Four parts, and five (a JWE). */
	assert_non_null(four = malloc(n + 8));
	sprintf(four, "%s.", jwt);
	assert_int_equal(verify(four), TOKEN_ERR_FORMAT);
	sprintf(four, "%s.AAAA", jwt);
	assert_int_equal(verify(four), TOKEN_ERR_FORMAT);
	sprintf(four, "%s.AA.AA", jwt);
	assert_int_equal(verify(four), TOKEN_ERR_FORMAT);
	/* An empty header or payload. */
	s = strchr(jwt, '.');
	assert_int_equal(verify(s), TOKEN_ERR_FORMAT);
	sprintf(four, "%.*s.%s", (int)(s - jwt), jwt, strchr(s + 1, '.'));
	assert_int_equal(verify(four), TOKEN_ERR_FORMAT);
	free(four);
	free(jwt);
}

/* The ES256 signature is raw r||s: exactly 64 bytes, never DER. */
static void
es256_signature_length(void **state)
{
	char		*h64 = b64s(ES_HDR), *p64 = b64s(CLAIMS_OK), *in, *s64;
	char		*jwt;
	unsigned char	 der[128], sig[66];
	size_t		 n = sizeof(der);
	EVP_MD_CTX	*ctx;

	(void)state;
	assert_non_null(in = malloc(strlen(h64) + strlen(p64) + 2));
	sprintf(in, "%s.%s", h64, p64);
	assert_non_null(ctx = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL,
	    NULL, es_pkey, NULL), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, &n,
	    (const unsigned char *)in, strlen(in)), 1);
	EVP_MD_CTX_free(ctx);
	assert_non_null(s64 = wa_b64url_encode(der, n));
	jwt = join3(h64, p64, s64);
	assert_int_equal(verify(jwt), TOKEN_ERR_SIG_LEN);
	free(jwt);
	free(s64);
	/* 63 and 65 bytes around a valid signature. */
	raw_sign(es_pkey, in, sig);
	for (size_t len = 63; len <= 65; len += 2) {
		sig[64] = 0;
		assert_non_null(s64 = wa_b64url_encode(sig, len));
		jwt = join3(h64, p64, s64);
		assert_int_equal(verify(jwt), TOKEN_ERR_SIG_LEN);
		free(jwt);
		free(s64);
	}
	/* r = 0 and s = 0 are out of range. */
	memset(sig, 0, 32);
	assert_non_null(s64 = wa_b64url_encode(sig, 64));
	jwt = join3(h64, p64, s64);
	assert_int_equal(verify(jwt), TOKEN_ERR_SIG);
	free(jwt);
	free(s64);
	free(in);
	free(h64);
	free(p64);
}

static void
oversized(void **state)
{
	char		*big, *claims, *jwt = NULL;
	json_t		*c;
	size_t		 n = TOKEN_MAX_JWT + 1;

	(void)state;
	assert_non_null(big = malloc(n + 1));
	memset(big, 'A', n);
	big[10] = big[20] = '.';
	big[n] = '\0';
	assert_int_equal(verify(big), TOKEN_ERR_TOO_LARGE);
	/* A validly signed token just over the cap. */
	assert_non_null(claims = malloc(TOKEN_MAX_JWT));
	n = (size_t)sprintf(claims, "{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":2000000000,\"pad\":\"");
	memset(claims + n, 'p', 6100 - n);
	strcpy(claims + 6100, "\"}");
	jwt = forge(ed_pkey, ED_HDR, claims);
	assert_true(strlen(jwt) > TOKEN_MAX_JWT);
	assert_int_equal(verify(jwt), TOKEN_ERR_TOO_LARGE);
	free(jwt);
	/* The signer refuses to issue it. */
	assert_non_null(c = json_loads(claims, 0, NULL));
	jwt = (char *)1;
	assert_int_equal(token_sign(ed_key, TOKEN_TYP_AT, c, &jwt),
	    TOKEN_ERR_TOO_LARGE);
	assert_null(jwt);
	json_decref(c);
	free(claims);
	free(big);
}

static void
verify_args(void **state)
{
	json_t	*c = NULL;
	char	*jwt = forge(ed_pkey, ED_HDR, CLAIMS_OK);
	size_t	 n = strlen(jwt);

	(void)state;
	assert_int_equal(token_verify(jwt, n, ks, NULL, ISS, AUD, NOW, 0, &c),
	    TOKEN_ERR_ARG);
	assert_int_equal(token_verify(jwt, n, ks, "", ISS, AUD, NOW, 0, &c),
	    TOKEN_ERR_ARG);
	assert_int_equal(token_verify(jwt, n, ks, TOKEN_TYP_AT, ISS, NULL,
	    NOW, 0, &c), TOKEN_ERR_ARG);
	assert_int_equal(token_verify(jwt, n, ks, TOKEN_TYP_AT, ISS, AUD,
	    NOW, TOKEN_MAX_LEEWAY + 1, &c), TOKEN_ERR_ARG);
	assert_int_equal(token_verify(jwt, n, ks, TOKEN_TYP_AT, ISS, AUD,
	    -1, 0, &c), TOKEN_ERR_ARG);
	assert_int_equal(token_verify(jwt, n, NULL, TOKEN_TYP_AT, ISS, AUD,
	    NOW, 0, &c), TOKEN_ERR_ARG);
	assert_null(c);
	free(jwt);
}

static void
sign_args(void **state)
{
	json_t	*arr = json_array(), *c = claims_json(CLAIMS_OK);
	char	*jwt = NULL;

	(void)state;
	assert_int_equal(token_sign(ed_key, TOKEN_TYP_AT, arr, &jwt),
	    TOKEN_ERR_ARG);
	assert_int_equal(token_sign(ed_key, "", c, &jwt), TOKEN_ERR_ARG);
	assert_int_equal(token_sign(ed_key, "at\"jwt", c, &jwt),
	    TOKEN_ERR_ARG);
	assert_int_equal(token_sign(NULL, TOKEN_TYP_AT, c, &jwt),
	    TOKEN_ERR_ARG);
	assert_null(jwt);
	json_decref(arr);
	json_decref(c);
}

/*
 * Keys and JWK Sets.
 */

static void
key_der_bad(void **state)
{
	struct token_key	*k = (struct token_key *)1;
	unsigned char		 buf[sizeof(es_der) + 1];
	EVP_PKEY		*p384, *rsa, *other;
	unsigned char		*der = NULL, pt[65];
	size_t			 ptlen;
	int			 n;

	(void)state;
	/* Trailing byte, truncated. */
	memcpy(buf, ed_der, sizeof(ed_der));
	buf[sizeof(ed_der)] = 0;
	assert_int_equal(token_key_from_der(buf, sizeof(ed_der) + 1, &k),
	    TOKEN_ERR_KEY);
	assert_null(k);
	assert_int_equal(token_key_from_der(ed_der, sizeof(ed_der) - 1, &k),
	    TOKEN_ERR_KEY);
	/* A public point off the curve. */
	memcpy(buf, es_der, sizeof(es_der));
	buf[sizeof(es_der) - 1] ^= 0x01;
	assert_int_equal(token_key_from_der(buf, sizeof(es_der), &k),
	    TOKEN_ERR_KEY);
	/* A valid public key that belongs to another private key. */
	assert_non_null(other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	assert_int_equal(EVP_PKEY_get_octet_string_param(other,
	    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen), 1);
	assert_int_equal(ptlen, 65);
	memcpy(buf + sizeof(es_der) - 65, pt, 65);
	assert_int_equal(token_key_from_der(buf, sizeof(es_der), &k),
	    TOKEN_ERR_KEY);
	EVP_PKEY_free(other);
	/* Other curves and key types. */
	assert_non_null(p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-384"));
	{
		PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(p384);

		assert_true((n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) > 0);
		PKCS8_PRIV_KEY_INFO_free(p8);
	}
	assert_int_equal(token_key_from_der(der, (size_t)n, &k),
	    TOKEN_ERR_KEY);
	OPENSSL_free(der);
	der = NULL;
	assert_non_null(rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)1024));
	{
		PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(rsa);

		assert_true((n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) > 0);
		PKCS8_PRIV_KEY_INFO_free(p8);
	}
	/* Over TOKEN_MAX_KEY_DER, or not: either way refused. */
	assert_int_equal(token_key_from_der(der, (size_t)n, &k),
	    TOKEN_ERR_KEY);
	OPENSSL_free(der);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(rsa);
	assert_int_equal(token_key_generate(3, &k), TOKEN_ERR_ARG);
}

/* RFC 7638 thumbprint kid: fixed for a fixed key. */
static void
kid_thumbprint_stable(void **state)
{
	struct token_key *k = NULL;

	(void)state;
	assert_string_equal(token_key_kid(ed_key), ED_KID);
	assert_string_equal(token_key_kid(es_key), ES_KID);
	assert_int_equal(token_key_from_der(ed_der, sizeof(ed_der), &k),
	    TOKEN_OK);
	assert_string_equal(token_key_kid(k), ED_KID);
	token_key_free(&k);
	token_key_free(&k);
}

static void
jwks_public_only(void **state)
{
	const struct token_key	*keys[2] = { ed_key, es_key };
	static const char *const allowed[] = {
		"kty", "crv", "x", "y", "kid", "alg", "use",
	};
	json_t			*doc, *arr, *jwk, *v;
	const char		*name;
	char			*s = NULL;
	size_t			 i;

	(void)state;
	assert_int_equal(token_jwks_json(keys, 2, &s), TOKEN_OK);
	assert_non_null(doc = json_loads(s, JSON_REJECT_DUPLICATES, NULL));
	assert_true(json_is_array(arr = json_object_get(doc, "keys")));
	assert_int_equal(json_array_size(arr), 2);
	json_array_foreach(arr, i, jwk) {
		json_object_foreach(jwk, name, v) {
			bool ok = false;

			for (size_t j = 0; j < 7; j++)
				if (strcmp(name, allowed[j]) == 0)
					ok = true;
			assert_true(ok);
		}
		assert_null(json_object_get(jwk, "d"));
		assert_string_equal(json_string_value(json_object_get(jwk,
		    "use")), "sig");
	}
	jwk = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(jwk, "kty")),
	    "OKP");
	assert_string_equal(json_string_value(json_object_get(jwk, "x")),
	    ED_X);
	assert_string_equal(json_string_value(json_object_get(jwk, "alg")),
	    "EdDSA");
	assert_string_equal(json_string_value(json_object_get(jwk, "kid")),
	    ED_KID);
	jwk = json_array_get(arr, 1);
	assert_string_equal(json_string_value(json_object_get(jwk, "y")),
	    ES_Y);
	assert_string_equal(json_string_value(json_object_get(jwk, "alg")),
	    "ES256");
	json_decref(doc);
	free(s);
	assert_int_equal(token_jwks_json(NULL, 0, &s), TOKEN_OK);
	assert_string_equal(s, "{\"keys\":[]}");
	free(s);
}

/* Our JWKS, loaded back, verifies tokens of both keys. */
static void
jwks_roundtrip(void **state)
{
	const struct token_key	*keys[2] = { es_key, ed_key };
	struct token_keyset	*set;
	json_t			*c = NULL;
	char			*doc = NULL;

	(void)state;
	assert_int_equal(token_jwks_json(keys, 2, &doc), TOKEN_OK);
	assert_non_null(set = token_keyset_new());
	assert_int_equal(token_keyset_add_jwks(set, doc, strlen(doc)),
	    TOKEN_OK);
	assert_int_equal(token_keyset_count(set), 2);
	assert_int_equal(token_verify(ED_GOLDEN, strlen(ED_GOLDEN), set,
	    TOKEN_TYP_AT, ISS, AUD, NOW, 0, &c), TOKEN_OK);
	json_decref(c);
	assert_int_equal(token_verify(ES_INTEROP, strlen(ES_INTEROP), set,
	    TOKEN_TYP_AT, ISS, AUD, NOW, 0, &c), TOKEN_OK);
	json_decref(c);
	/* Loading it again repeats both kids. */
	assert_int_equal(token_keyset_add_jwks(set, doc, strlen(doc)),
	    TOKEN_ERR_JWKS);
	assert_int_equal(token_keyset_count(set), 2);
	token_keyset_free(&set);
	free(doc);
}

static int
load_jwks(const char *doc, size_t *count)
{
	struct token_keyset	*set;
	int			 r;

	assert_non_null(set = token_keyset_new());
	r = token_keyset_add_jwks(set, doc, strlen(doc));
	*count = token_keyset_count(set);
	token_keyset_free(&set);

	return (r);
}

static void
jwks_ignores_unknown(void **state)
{
	static const char doc[] = "{\"keys\":["
	    "{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
	    "{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x\",\"x\":\"" ED_X
	    "\"},"
	    "{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"p\",\"x\":\"AA\","
	    "\"y\":\"AA\"},"
	    "{\"kid\":\"nokty\"},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" ES_X "\",\"y\":\""
	    ES_Y "\",\"kid\":\"enc\",\"use\":\"enc\"},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" ES_X "\",\"y\":\""
	    ES_Y "\",\"kid\":\"ops\",\"key_ops\":[\"encrypt\"]},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" ES_X "\",\"y\":\""
	    ES_Y "\",\"kid\":\"es384\",\"alg\":\"ES384\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X "\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X "\","
	    "\"kid\":\"" ED_KID "\",\"alg\":\"EdDSA\",\"use\":\"sig\","
	    "\"key_ops\":[\"verify\"],\"ext\":true,\"x5t\":\"zz\"}"
	    "],\"extra\":1}";
	size_t n;

	(void)state;
	assert_int_equal(load_jwks(doc, &n), TOKEN_OK);
	assert_int_equal(n, 1);
}

/* 32 zero bytes: (0, 0) is no point of P-256. */
#define ZERO32	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static void
jwks_off_curve(void **state)
{
	static const char off[] = "{\"keys\":[" ED_JWK ",{\"kty\":\"EC\","
	    "\"crv\":\"P-256\",\"x\":\"" ES_X "\",\"y\":\"" ES_Y_OFF "\","
	    "\"kid\":\"off\"}]}";
	static const char zero[] = "{\"keys\":[{\"kty\":\"EC\","
	    "\"crv\":\"P-256\",\"x\":\"" ZERO32 "\",\"y\":\"" ZERO32 "\","
	    "\"kid\":\"zero\"}]}";
	size_t n;

	(void)state;
	/* And all or none: the good Ed25519 key is not kept either. */
	assert_int_equal(load_jwks(off, &n), TOKEN_ERR_JWK);
	assert_int_equal(n, 0);
	assert_int_equal(load_jwks(zero, &n), TOKEN_ERR_JWK);
}

static void
jwks_bad_members(void **state)
{
	static const char *const docs[] = {
		/* Private member published. */
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X
		    "\",\"kid\":\"a\",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZ"
		    "cDusAxyuf2A\"}]}",
		/* Short coordinate (RFC 7518 §6.2.1.2: full length). */
		"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\""
		    "XXxdPJgP57g3T-LiLmLWU0Ba0ASxf6GqjjYcidTK2k\",\"y\":\"" ES_Y
		    "\",\"kid\":\"a\"}]}",
		/* Padded coordinate. */
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X
		    "=\",\"kid\":\"a\"}]}",
		/* Missing y. */
		"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" ES_X
		    "\",\"kid\":\"a\"}]}",
		/* kid not a string. */
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" ED_X
		    "\",\"kid\":1}]}",
	};
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		assert_int_equal(load_jwks(docs[i], &n), TOKEN_ERR_JWK);
}

static void
jwks_malformed(void **state)
{
	static const char *const docs[] = {
		"[]",
		"{}",
		"{\"keys\":{}}",
		"{\"keys\":[1]}",
		"{\"keys\":[],\"keys\":[]}",
		"{\"keys\":[" ED_JWK "," ED_JWK "]}",
		"{\"keys\":[]",
	};
	char	*big;
	size_t	 n;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		assert_int_equal(load_jwks(docs[i], &n), TOKEN_ERR_JWKS);
	assert_int_equal(load_jwks("{\"keys\":[]}", &n), TOKEN_OK);
	assert_int_equal(n, 0);
	assert_non_null(big = malloc(TOKEN_MAX_JWKS + 2));
	memset(big, ' ', TOKEN_MAX_JWKS + 1);
	memcpy(big, "{\"keys\":[]}", 11);
	big[TOKEN_MAX_JWKS + 1] = '\0';
	assert_int_equal(load_jwks(big, &n), TOKEN_ERR_TOO_LARGE);
	free(big);
}

static void
errnames(void **state)
{
	(void)state;
	for (int i = 0; i < TOKEN_ERR_MAX; i++) {
		assert_string_not_equal(token_errname(i), "unknown_error");
		assert_string_not_equal(token_strerr(i), "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(token_errname(i),
			    token_errname(j));
	}
	assert_string_equal(token_errname(TOKEN_ERR_MAX), "unknown_error");
	assert_string_equal(token_errname(-1), "unknown_error");
	assert_null(token_alg_name(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_eddsa),
		cmocka_unit_test(roundtrip_es256),
		cmocka_unit_test(roundtrip_der),
		cmocka_unit_test(golden_eddsa),
		cmocka_unit_test(interop_es256),
		cmocka_unit_test(forged_ok),
		cmocka_unit_test(alg_none),
		cmocka_unit_test(alg_hs256),
		cmocka_unit_test(alg_unknown),
		cmocka_unit_test(alg_es256_as_eddsa),
		cmocka_unit_test(alg_eddsa_as_es256),
		cmocka_unit_test(kid_unknown),
		cmocka_unit_test(kid_missing),
		cmocka_unit_test(header_key_locators),
		cmocka_unit_test(header_crit),
		cmocka_unit_test(header_nested_cty),
		cmocka_unit_test(typ_wrong),
		cmocka_unit_test(typ_missing),
		cmocka_unit_test(typ_exclusive),
		cmocka_unit_test(header_not_object),
		cmocka_unit_test(header_duplicate_member),
		cmocka_unit_test(aud_wrong),
		cmocka_unit_test(aud_missing),
		cmocka_unit_test(aud_array),
		cmocka_unit_test(iss_wrong),
		cmocka_unit_test(expired),
		cmocka_unit_test(exp_missing),
		cmocka_unit_test(nbf_future),
		cmocka_unit_test(iat_future),
		cmocka_unit_test(sub_missing),
		cmocka_unit_test(claims_not_object),
		cmocka_unit_test(claims_duplicate_member),
		cmocka_unit_test(claims_too_deep),
		cmocka_unit_test(bad_signature),
		cmocka_unit_test(truncated),
		cmocka_unit_test(padding),
		cmocka_unit_test(part_count),
		cmocka_unit_test(es256_signature_length),
		cmocka_unit_test(oversized),
		cmocka_unit_test(verify_args),
		cmocka_unit_test(sign_args),
		cmocka_unit_test(key_der_bad),
		cmocka_unit_test(kid_thumbprint_stable),
		cmocka_unit_test(jwks_public_only),
		cmocka_unit_test(jwks_roundtrip),
		cmocka_unit_test(jwks_ignores_unknown),
		cmocka_unit_test(jwks_off_curve),
		cmocka_unit_test(jwks_bad_members),
		cmocka_unit_test(jwks_malformed),
		cmocka_unit_test(errnames),
	};

	return (cmocka_run_group_tests_name("token_jwt", tests, group_setup,
	    group_teardown));
}
