/*
 * fuzz_token.c: authd's JWT verifier and JWK Set loader (authd/token.c)
 * on untrusted bytes.  Each input is tried both ways:
 *
 *  - as a compact JWS: token_verify() against a fixed key set (one
 *    Ed25519 and one ES256 key, loaded from the fixed PKCS#8 test keys
 *    below, so kids are stable and seeds can carry valid tokens), as an
 *    access token and as a delivery receipt, at a pinned clock;
 *  - as a JWK Set document: token_keyset_add_jwks() into an empty set,
 *    which must be all or none, and then a fixed token signed by the
 *    Ed25519 key, which may verify only if the document really holds
 *    that key's public half.
 *
 * FZ_WRITE_SEEDS=DIR writes the seed corpus (tokens signed with the
 * keys below and JWK Sets of them) to DIR and exits: see
 * tests/fuzz/corpus/fuzz_token/.  These keys are test fixtures; they
 * never sign anything outside the fuzz corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authd/token.h"
#include "webauthn/webauthn.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#define FZ_NOW		1704067200	/* 2024-01-01T00:00:00Z */
#define FZ_ISS		"https://auth.example.org"
#define FZ_AUD		"https://api.example.org"
#define FZ_LEEWAY	60

/* Test-only keys: PKCS#8 Ed25519 and P-256. */
static const unsigned char ed_der[] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
	0x70, 0x04, 0x22, 0x04, 0x20, 0x3e, 0x84, 0xa7, 0x8b, 0x21, 0x03,
	0x57, 0xf0, 0xd9, 0x8e, 0x38, 0xde, 0xd8, 0x08, 0xfb, 0x1f, 0xf0,
	0xff, 0x5a, 0x65, 0x73, 0x80, 0x10, 0x27, 0x23, 0x9d, 0x51, 0xcf,
	0x2c, 0xa8, 0x12, 0xf2,
};
static const unsigned char ec_der[] = {
	0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a,
	0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
	0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01,
	0x01, 0x04, 0x20, 0x11, 0xfd, 0x81, 0xd1, 0xf8, 0xf2, 0xc7, 0xb8,
	0x99, 0xba, 0xea, 0x7c, 0x51, 0x07, 0x5a, 0x51, 0x93, 0xed, 0x01,
	0x5b, 0x34, 0xf8, 0x6d, 0x39, 0x06, 0x46, 0xd6, 0xdd, 0x09, 0xd9,
	0xa2, 0x96, 0xa1, 0x44, 0x03, 0x42, 0x00, 0x04, 0x47, 0x98, 0x95,
	0x1e, 0x29, 0xba, 0x75, 0xdf, 0xc6, 0x4c, 0x23, 0xc9, 0x7c, 0x7b,
	0x2b, 0x45, 0x5b, 0x6c, 0x96, 0x89, 0xe4, 0x5a, 0xc2, 0x14, 0x86,
	0x02, 0x5d, 0xf3, 0xd9, 0xc7, 0xa3, 0xce, 0x85, 0xf1, 0xb1, 0xa8,
	0xa7, 0xb2, 0x78, 0x6b, 0x5a, 0x07, 0x7f, 0x2d, 0x85, 0x1a, 0xf8,
	0x89, 0xaa, 0xf9, 0x4c, 0x8c, 0x44, 0x12, 0xd0, 0x76, 0xd4, 0x32,
	0x23, 0xc9, 0x30, 0x82, 0x2e, 0xe8,
};

static struct token_key		*ed_key, *ec_key;
static struct token_keyset	*fixed;
static char			*ed_token;	/* signed by ed_key */
static char			 ed_x[64];	/* its public "x" */

/* Claims that pass every check at FZ_NOW. */
static json_t *
good_claims(void)
{
	json_t *c;

	FZ_ASSERT((c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}",
	    "iss", FZ_ISS, "sub", "courier-17", "aud", FZ_AUD,
	    "exp", (json_int_t)FZ_NOW + 600, "iat", (json_int_t)FZ_NOW - 10,
	    "nbf", (json_int_t)FZ_NOW - 10, "jti", "fz-1")) != NULL);

	return (c);
}

static void
write_seed(const char *dir, const char *name, const char *s)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FZ_ASSERT((f = fopen(path, "w")) != NULL);
	FZ_ASSERT(fwrite(s, 1, strlen(s), f) == strlen(s));
	FZ_ASSERT(fclose(f) == 0);
}

static void
write_signed(const char *dir, const char *name, const struct token_key *k,
    const char *typ, json_t *claims)
{
	char *jwt;

	FZ_ASSERT(token_sign(k, typ, claims, &jwt) == TOKEN_OK);
	write_seed(dir, name, jwt);
	free(jwt);
	json_decref(claims);
}

/* header.payload.sig from texts, for headers token_sign never makes. */
static void
write_forged(const char *dir, const char *name, const char *hdr,
    const char *payload)
{
	unsigned char	 sig[64];
	char		 buf[4096];
	char		*h, *p, *s;

	memset(sig, 0xa5, sizeof(sig));
	h = wa_b64url_encode((const unsigned char *)hdr, strlen(hdr));
	p = wa_b64url_encode((const unsigned char *)payload,
	    strlen(payload));
	s = wa_b64url_encode(sig, sizeof(sig));
	FZ_ASSERT(h != NULL && p != NULL && s != NULL);
	snprintf(buf, sizeof(buf), "%s.%s.%s", h, p, s);
	write_seed(dir, name, buf);
	free(h);
	free(p);
	free(s);
}

static void
write_seeds(const char *dir)
{
	const struct token_key	*both[2] = { ed_key, ec_key };
	json_t			*c;
	char			*doc, hdr[256];
	const char		*payload = "{\"iss\":\"" FZ_ISS "\","
				    "\"sub\":\"s\",\"aud\":\"" FZ_AUD "\","
				    "\"exp\":1704070000}";

	write_signed(dir, "at-eddsa", ed_key, TOKEN_TYP_AT, good_claims());
	write_signed(dir, "at-es256", ec_key, TOKEN_TYP_AT, good_claims());
	write_signed(dir, "receipt-eddsa", ed_key, TOKEN_TYP_RECEIPT,
	    good_claims());
	c = good_claims();
	FZ_ASSERT(json_object_set_new(c, "aud", json_pack("[s,s]",
	    "https://other.example.org", FZ_AUD)) == 0);
	write_signed(dir, "at-aud-array", ec_key, TOKEN_TYP_AT, c);
	c = good_claims();
	FZ_ASSERT(json_object_set_new(c, "exp",
	    json_integer(FZ_NOW - 3600)) == 0);
	write_signed(dir, "at-expired", ed_key, TOKEN_TYP_AT, c);
	c = good_claims();
	FZ_ASSERT(json_object_set_new(c, "cnf", json_pack("{s:{s:[i,{}]}}",
	    "x", "y", 1)) == 0);
	write_signed(dir, "at-nested", ed_key, TOKEN_TYP_AT, c);
	write_forged(dir, "hdr-none", "{\"alg\":\"none\",\"typ\":\"at+jwt\"}",
	    payload);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\","
	    "\"kid\":\"%s\",\"jku\":\"https://evil.example\"}",
	    token_key_kid(ed_key));
	write_forged(dir, "hdr-jku", hdr, payload);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"typ\":\"at+jwt\","
	    "\"kid\":\"%s\",\"crit\":[\"exp\"]}", token_key_kid(ec_key));
	write_forged(dir, "hdr-crit", hdr, payload);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"typ\":\"at+jwt\","
	    "\"kid\":\"%s\"}", token_key_kid(ed_key));
	write_forged(dir, "hdr-alg-mismatch", hdr, payload);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"EdDSA\",\"typ\":"
	    "\"application/at+jwt\",\"kid\":\"%s\",\"kid\":\"x\"}",
	    token_key_kid(ed_key));
	write_forged(dir, "hdr-dup-kid", hdr, payload);
	FZ_ASSERT(token_jwks_json(both, 2, &doc) == TOKEN_OK);
	write_seed(dir, "jwks-both", doc);
	free(doc);
	FZ_ASSERT(token_jwks_json(both, 1, &doc) == TOKEN_OK);
	write_seed(dir, "jwks-ed", doc);
	free(doc);
	write_seed(dir, "jwks-mixed", "{\"keys\":[{\"kty\":\"RSA\",\"n\":"
	    "\"AQAB\",\"e\":\"AQAB\",\"kid\":\"r\"},{\"kty\":\"OKP\",\"crv\":"
	    "\"Ed25519\",\"kid\":\"k\",\"use\":\"enc\",\"x\":\"AA\"},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e\",\"key_ops\":"
	    "[\"verify\"],\"x\":\"AA\",\"y\":\"AA\",\"d\":\"AA\"}]}");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_t		*jwk;
	const char	*x, *dir;

	(void)argc;
	(void)argv;
	FZ_ASSERT(token_key_from_der(ed_der, sizeof(ed_der), &ed_key) ==
	    TOKEN_OK);
	FZ_ASSERT(token_key_from_der(ec_der, sizeof(ec_der), &ec_key) ==
	    TOKEN_OK);
	FZ_ASSERT((fixed = token_keyset_new()) != NULL);
	FZ_ASSERT(token_keyset_add_key(fixed, ed_key) == TOKEN_OK);
	FZ_ASSERT(token_keyset_add_key(fixed, ec_key) == TOKEN_OK);
	{
		json_t *c = good_claims();

		FZ_ASSERT(token_sign(ed_key, TOKEN_TYP_AT, c, &ed_token) ==
		    TOKEN_OK);
		json_decref(c);
	}
	FZ_ASSERT(token_key_jwk(ed_key, &jwk) == TOKEN_OK);
	FZ_ASSERT((x = json_string_value(json_object_get(jwk, "x"))) !=
	    NULL && strlen(x) < sizeof(ed_x));
	snprintf(ed_x, sizeof(ed_x), "%s", x);
	json_decref(jwk);
	if ((dir = getenv("FZ_WRITE_SEEDS")) != NULL) {
		write_seeds(dir);
		exit(0);
	}

	return (0);
}

static void
verify_as(const uint8_t *data, size_t size, const char *typ)
{
	json_t	*claims = (json_t *)(uintptr_t)1;
	int	 r;

	r = token_verify((const char *)data, size, fixed, typ, FZ_ISS,
	    FZ_AUD, FZ_NOW, FZ_LEEWAY, &claims);
	FZ_ASSERT(r >= 0 && r < TOKEN_ERR_MAX);
	/* FZ_VERBOSE: a way to check where each seed ends. */
	if (getenv("FZ_VERBOSE") != NULL)
		fprintf(stderr, "FZ token as %s: %s\n", typ, token_errname(r));
	if (r != TOKEN_OK) {
		FZ_ASSERT(claims == NULL);
		return;
	}
	/* What verification promises its caller. */
	FZ_ASSERT(size <= TOKEN_MAX_JWT);
	FZ_ASSERT(json_is_object(claims));
	FZ_ASSERT(json_string_length(json_object_get(claims, "sub")) > 0);
	FZ_ASSERT(json_is_integer(json_object_get(claims, "exp")) ||
	    json_is_real(json_object_get(claims, "exp")));
	json_decref(claims);
}

/* Whether j holds the string s anywhere (after JSON unescaping). */
static int
holds(const json_t *j, const char *s)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (json_is_string(j))
		return (strcmp(json_string_value(j), s) == 0);
	if (json_is_object(j)) {
		json_object_foreach((json_t *)(uintptr_t)j, k, v)
			if (holds(v, s))
				return (1);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (holds(v, s))
				return (1);
	}

	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token_keyset	*ks;
	json_t			*claims = NULL;
	int			 r;

	verify_as(data, size, TOKEN_TYP_AT);
	verify_as(data, size, TOKEN_TYP_RECEIPT);

	FZ_ASSERT((ks = token_keyset_new()) != NULL);
	r = token_keyset_add_jwks(ks, (const char *)data, size);
	FZ_ASSERT(r >= 0 && r < TOKEN_ERR_MAX);
	if (getenv("FZ_VERBOSE") != NULL)
		fprintf(stderr, "FZ jwks: %s, %zu keys\n", token_errname(r),
		    token_keyset_count(ks));
	if (r != TOKEN_OK)
		FZ_ASSERT(token_keyset_count(ks) == 0);	/* all or none */
	else
		FZ_ASSERT(token_keyset_count(ks) <= TOKEN_MAX_KEYS);
	r = token_verify(ed_token, strlen(ed_token), ks, TOKEN_TYP_AT, FZ_ISS,
	    FZ_AUD, FZ_NOW, FZ_LEEWAY, &claims);
	FZ_ASSERT(r >= 0 && r < TOKEN_ERR_MAX);
	/* A set verifies the token only if it holds the true key. */
	if (r == TOKEN_OK) {
		json_t *doc = json_loadb((const char *)data, size, 0, NULL);

		FZ_ASSERT(doc != NULL && holds(doc, ed_x));
		json_decref(doc);
		json_decref(claims);
	}
	token_keyset_free(&ks);
	FZ_ASSERT(ks == NULL);

	return (0);
}
