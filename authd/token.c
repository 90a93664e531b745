/*
 * token.c: signed JWTs for authd, with OpenSSL 3 EVP and jansson.
 *
 * Compact JWS only (RFC 7515 §7.1), with two algorithms: EdDSA over
 * Ed25519 (RFC 8037) and ES256 (RFC 7518 §3.4).  A key is pinned to one
 * of them when it is made or loaded, and a token is checked against the
 * key its kid names, never against what its header asks for (RFC 8725
 * §3.1).  Keys load from DER PKCS#8 (signing) or a JWK Set (verifying);
 * the kid of our own keys is a truncated RFC 7638 thumbprint.
 *
 * Speed: an access token is signed on every login.  Each key keeps one
 * EVP_MD_CTX initialized for its operation, and each signature or check
 * works on a copy, which skips the algorithm fetch and key export that
 * EVP_DigestSignInit_ex() repeats.  The copy only reads the template (a
 * const argument, see openssl-threads(7)), so keys stay shareable
 * between threads.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include "authd/token.h"
#include "webauthn/webauthn.h"

#define COORD_LEN	32	/* Ed25519 x; P-256 x and y */
#define SIG_LEN		64	/* Ed25519; ES256 raw r||s */
#define SIG_B64_LEN	86	/* base64url of SIG_LEN bytes */
#define ECDSA_DER_MAX	80	/* DER ECDSA-Sig-Value of P-256 (72) */
#define KID_HASH_LEN	16	/* thumbprint bytes kept in our kid */
#define KID_B64_LEN	22	/* their base64url */
#define MAX_TYP		64

struct token_key {
	int		 alg;
	bool		 priv;
	EVP_PKEY	*pkey;
	/* Sign (priv) or verify context, initialized once; copied per use. */
	EVP_MD_CTX	*tmpl;
	unsigned char	 x[COORD_LEN];
	unsigned char	 y[COORD_LEN];	/* ES256 only */
	char		 kid[TOKEN_MAX_KID + 1];
};

struct token_keyset {
	struct token_key	*keys[TOKEN_MAX_KEYS];
	size_t			 n;
};

static const struct {
	const char *name;
	const char *msg;
} errs[TOKEN_ERR_MAX] = {
	[TOKEN_OK] = { "ok", "success" },
	[TOKEN_ERR_ARG] = { "invalid_argument", "invalid argument" },
	[TOKEN_ERR_NOMEM] = { "out_of_memory", "out of memory" },
	[TOKEN_ERR_INTERNAL] = { "internal_error", "internal error" },
	[TOKEN_ERR_TOO_LARGE] = { "too_large",
	    "an input exceeds its size limit" },
	[TOKEN_ERR_FORMAT] = { "malformed_token",
	    "not a compact JWS of three non-empty parts (RFC 7515 §7.1)" },
	[TOKEN_ERR_B64] = { "bad_base64url",
	    "a part is not canonical unpadded base64url (RFC 7515 §2)" },
	[TOKEN_ERR_HEADER] = { "malformed_header",
	    "the header is not a strict UTF-8 JSON object (RFC 7515 §5.2 "
	    "step 4, RFC 8725 §3.7)" },
	[TOKEN_ERR_ALG] = { "alg_not_allowed",
	    "alg is missing, \"none\" or not EdDSA or ES256 (RFC 8725 "
	    "§3.1-3.2)" },
	[TOKEN_ERR_KEY_LOCATOR] = { "key_locator_refused",
	    "the header carries jku, jwk, x5u or x5c; keys come only from "
	    "the trusted key set (RFC 8725 §3.10)" },
	[TOKEN_ERR_CRIT] = { "crit_refused",
	    "the header lists critical extensions (RFC 7515 §4.1.11)" },
	[TOKEN_ERR_TYP] = { "typ_mismatch",
	    "typ is missing or not the expected token type (RFC 8725 "
	    "§3.11, RFC 9068 §4 step 1)" },
	[TOKEN_ERR_KID] = { "malformed_kid",
	    "kid is missing, not a string or too long" },
	[TOKEN_ERR_KID_UNKNOWN] = { "unknown_kid",
	    "no trusted key has this kid" },
	[TOKEN_ERR_ALG_MISMATCH] = { "alg_mismatch",
	    "alg is not the algorithm pinned to the key (RFC 8725 §3.1)" },
	[TOKEN_ERR_SIG_LEN] = { "bad_signature_length",
	    "the signature is not 64 bytes (RFC 7518 §3.4, RFC 8037 §3.1)" },
	[TOKEN_ERR_SIG] = { "bad_signature",
	    "the signature does not verify (RFC 7515 §5.2 step 8)" },
	[TOKEN_ERR_CLAIMS] = { "malformed_claims",
	    "the claims are not a strict UTF-8 JSON object (RFC 7519 §7.2 "
	    "step 10)" },
	[TOKEN_ERR_ISS] = { "iss_mismatch",
	    "iss is missing or not the expected issuer (RFC 9068 §4 "
	    "step 3)" },
	[TOKEN_ERR_AUD] = { "aud_mismatch",
	    "aud is missing or does not name this audience (RFC 7519 "
	    "§4.1.3, RFC 9068 §4 step 4)" },
	[TOKEN_ERR_EXP] = { "malformed_exp",
	    "exp is missing or not a NumericDate (RFC 9068 §2.2)" },
	[TOKEN_ERR_EXPIRED] = { "expired",
	    "the token has expired (RFC 7519 §4.1.4)" },
	[TOKEN_ERR_NBF] = { "not_yet_valid",
	    "nbf is malformed or in the future (RFC 7519 §4.1.5)" },
	[TOKEN_ERR_IAT] = { "issued_in_future",
	    "iat is malformed or in the future (RFC 7519 §4.1.6)" },
	[TOKEN_ERR_SUB] = { "missing_sub",
	    "sub is missing or not a non-empty string (RFC 9068 §2.2)" },
	[TOKEN_ERR_JWKS] = { "malformed_jwks",
	    "the JWK Set is not a JSON object with a keys array of objects, "
	    "or repeats a kid (RFC 7517 §5)" },
	[TOKEN_ERR_JWK] = { "malformed_jwk",
	    "a JWK has bad coordinates, a point off its curve, a bad kid "
	    "or a private member (RFC 7517 §4, RFC 7518 §6.2.1)" },
	[TOKEN_ERR_KEY] = { "bad_private_key",
	    "the private key is not DER PKCS#8 Ed25519 or P-256, or its "
	    "halves do not match" },
};

const char *
token_errname(int r)
{
	if (r < 0 || r >= TOKEN_ERR_MAX || errs[r].name == NULL)
		return ("unknown_error");

	return (errs[r].name);
}

const char *
token_strerr(int r)
{
	if (r < 0 || r >= TOKEN_ERR_MAX || errs[r].msg == NULL)
		return ("unknown error");

	return (errs[r].msg);
}

const char *
token_alg_name(int alg)
{
	switch (alg) {
	case TOKEN_ALG_EDDSA:
		return ("EdDSA");
	case TOKEN_ALG_ES256:
		return ("ES256");
	default:
		return (NULL);
	}
}

/* Compares a JSON string with a C string, embedded NULs included. */
static bool
json_str_eq(const json_t *v, const char *s)
{
	size_t n = strlen(s);

	return (json_is_string(v) && json_string_length(v) == n &&
	    memcmp(json_string_value(v), s, n) == 0);
}

/* Nesting depth of a JSON text beyond max, counting outside strings. */
static bool
json_too_deep(const unsigned char *s, size_t n, size_t max)
{
	size_t	depth = 0;
	bool	in_str = false;

	for (size_t i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = false;
		} else if (s[i] == '"')
			in_str = true;
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > max)
				return (true);
		} else if ((s[i] == '}' || s[i] == ']') && depth > 0)
			depth--;
	}

	return (false);
}

/*
 * Strict JSON object: bounded depth, UTF-8 (jansson checks), no
 * duplicate members, no NUL, nothing after the value.  err on failure.
 */
static int
json_parse_object(const unsigned char *s, size_t n, int err, json_t **out)
{
	json_error_t	 jerr;
	json_t		*v;

	*out = NULL;
	if (json_too_deep(s, n, TOKEN_MAX_JSON_DEPTH))
		return (err);
	if ((v = json_loadb((const char *)s, n, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL)
		return (err);
	if (!json_is_object(v)) {
		json_decref(v);
		return (err);
	}
	*out = v;

	return (TOKEN_OK);
}

/*
 * Keys.
 */

static void
key_free(struct token_key *k)
{
	if (k == NULL)
		return;
	EVP_MD_CTX_free(k->tmpl);
	/* EVP_PKEY_free() clears the private scalar. */
	EVP_PKEY_free(k->pkey);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

void
token_key_free(struct token_key **kp)
{
	if (kp == NULL)
		return;
	key_free(*kp);
	*kp = NULL;
}

int
token_key_alg(const struct token_key *k)
{
	return (k == NULL ? 0 : k->alg);
}

const char *
token_key_kid(const struct token_key *k)
{
	return (k == NULL ? NULL : k->kid);
}

/* Base64url of n bytes into a JSON object member. */
static int
set_b64(json_t *o, const char *name, const unsigned char *p, size_t n)
{
	char	*s;
	int	 r;

	if ((s = wa_b64url_encode(p, n)) == NULL)
		return (TOKEN_ERR_NOMEM);
	r = json_object_set_new(o, name, json_string(s)) == 0 ? TOKEN_OK :
	    TOKEN_ERR_NOMEM;
	free(s);

	return (r);
}

/* The members RFC 7638 §3.2 hashes, in its lexicographic order. */
static json_t *
jwk_required(const struct token_key *k)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return (NULL);
	if (k->alg == TOKEN_ALG_EDDSA) {
		if (json_object_set_new(o, "crv", json_string("Ed25519")) ||
		    json_object_set_new(o, "kty", json_string("OKP")) ||
		    set_b64(o, "x", k->x, COORD_LEN) != TOKEN_OK)
			goto fail;
	} else {
		if (json_object_set_new(o, "crv", json_string("P-256")) ||
		    json_object_set_new(o, "kty", json_string("EC")) ||
		    set_b64(o, "x", k->x, COORD_LEN) != TOKEN_OK ||
		    set_b64(o, "y", k->y, COORD_LEN) != TOKEN_OK)
			goto fail;
	}

	return (o);
fail:
	json_decref(o);

	return (NULL);
}

/* kid: base64url of the first bytes of the RFC 7638 thumbprint. */
/* token_json_dumps()'s output, with a failure that sticks. */
struct dumpbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
};

static int
dump_cb(const char *s, size_t n, void *arg)
{
	struct dumpbuf	*d = arg;
	char		*np;
	size_t		 cap = d->cap != 0 ? d->cap : 256;

	if (d->failed)
		return (-1);
	while (cap - d->len <= n) {
		if (cap > SIZE_MAX / 2) {
			d->failed = true;
			return (-1);
		}
		cap *= 2;
	}
	if (cap != d->cap) {
		if ((np = realloc(d->p, cap)) == NULL) {
			d->failed = true;
			return (-1);
		}
		d->p = np;
		d->cap = cap;
	}
	memcpy(d->p + d->len, s, n);
	d->len += n;
	d->p[d->len] = '\0';

	return (0);
}

char *
token_json_dumps(const json_t *j, size_t flags)
{
	struct dumpbuf d;

	memset(&d, 0, sizeof(d));
	/* jansson may ignore dump_cb's -1; d.failed remembers it. */
	if (j == NULL || json_dump_callback(j, dump_cb, &d, flags) != 0 ||
	    d.failed || d.p == NULL) {
		free(d.p);
		return (NULL);
	}

	return (d.p);
}

static int
key_thumbprint_kid(struct token_key *k)
{
	json_t		*o = NULL;
	char		*s = NULL, *kid = NULL;
	unsigned char	 md[32];
	int		 r;

	if ((o = jwk_required(k)) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	/* Members in insertion (= sorted) order, no white space. */
	if ((s = token_json_dumps(o, JSON_COMPACT)) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	if (EVP_Digest(s, strlen(s), md, NULL, EVP_sha256(), NULL) != 1) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	if ((kid = wa_b64url_encode(md, KID_HASH_LEN)) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	_Static_assert((KID_HASH_LEN * 4 + 2) / 3 == KID_B64_LEN,
	    "kid length");
	memcpy(k->kid, kid, strlen(kid) + 1);

	r = TOKEN_OK;
fail:
	json_decref(o);
	free(s);
	free(kid);

	return (r);
}

static int
bn_param(const EVP_PKEY *pkey, const char *name, unsigned char *dst)
{
	BIGNUM	*bn = NULL;
	int	 r;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 ||
	    BN_bn2binpad(bn, dst, COORD_LEN) != COORD_LEN)
		r = TOKEN_ERR_KEY;
	else
		r = TOKEN_OK;
	BN_free(bn);

	return (r);
}

/*
 * Wraps pkey (taken over, also on failure) in a key: finds its alg and
 * public coordinates, sets kid (the thumbprint if kid is NULL) and the
 * sign (priv) or verify template.
 */
static int
key_new(EVP_PKEY *pkey, bool priv, const char *kid, struct token_key **out)
{
	struct token_key	*k = NULL;
	char			 group[32];
	size_t			 len;
	int			 r;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	k->pkey = pkey;
	k->priv = priv;
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		k->alg = TOKEN_ALG_EDDSA;
		len = sizeof(k->x);
		if (EVP_PKEY_get_raw_public_key(pkey, k->x, &len) != 1 ||
		    len != COORD_LEN) {
			r = TOKEN_ERR_KEY;
			goto fail;
		}
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		k->alg = TOKEN_ALG_ES256;
		/* Named curves only: explicit parameters have no name. */
		if (EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    NULL) != 1 || strcmp(group, SN_X9_62_prime256v1) != 0) {
			r = TOKEN_ERR_KEY;
			goto fail;
		}
		if ((r = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X,
		    k->x)) != TOKEN_OK ||
		    (r = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y,
		    k->y)) != TOKEN_OK)
			goto fail;
	} else {
		r = TOKEN_ERR_KEY;
		goto fail;
	}
	if (kid != NULL) {
		if (strlen(kid) > TOKEN_MAX_KID) {
			r = TOKEN_ERR_JWK;
			goto fail;
		}
		memcpy(k->kid, kid, strlen(kid) + 1);
	} else if ((r = key_thumbprint_kid(k)) != TOKEN_OK)
		goto fail;
	if ((k->tmpl = EVP_MD_CTX_new()) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	if ((priv ? EVP_DigestSignInit_ex(k->tmpl, NULL,
	    k->alg == TOKEN_ALG_ES256 ? "SHA256" : NULL, NULL, NULL, pkey,
	    NULL) : EVP_DigestVerifyInit_ex(k->tmpl, NULL,
	    k->alg == TOKEN_ALG_ES256 ? "SHA256" : NULL, NULL, NULL, pkey,
	    NULL)) != 1) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	*out = k;
	k = NULL;

	r = TOKEN_OK;
fail:
	key_free(k);
	if (r != TOKEN_OK)
		ERR_clear_error();

	return (r);
}

int
token_key_generate(int alg, struct token_key **out)
{
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;
	int		 r;

	if (out == NULL)
		return (TOKEN_ERR_ARG);
	*out = NULL;
	if (alg != TOKEN_ALG_EDDSA && alg != TOKEN_ALG_ES256)
		return (TOKEN_ERR_ARG);
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL,
	    alg == TOKEN_ALG_EDDSA ? "ED25519" : "EC", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1 ||
	    (alg == TOKEN_ALG_ES256 &&
	    EVP_PKEY_CTX_set_group_name(ctx, SN_X9_62_prime256v1) != 1) ||
	    EVP_PKEY_generate(ctx, &pkey) != 1) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	r = key_new(pkey, true, NULL, out);
	pkey = NULL;
fail:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	if (r != TOKEN_OK)
		ERR_clear_error();

	return (r);
}

int
token_key_from_der(const unsigned char *der, size_t len,
    struct token_key **out)
{
	PKCS8_PRIV_KEY_INFO	*p8 = NULL;
	EVP_PKEY		*pkey = NULL;
	EVP_PKEY_CTX		*ctx = NULL;
	const unsigned char	*p = der;
	int			 r;

	if (out == NULL)
		return (TOKEN_ERR_ARG);
	*out = NULL;
	if (der == NULL || len == 0 || len > TOKEN_MAX_KEY_DER)
		return (TOKEN_ERR_KEY);
	/* Exactly one PKCS#8 structure, nothing after it. */
	if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		r = TOKEN_ERR_KEY;
		goto fail;
	}
	if ((pkey = EVP_PKCS82PKEY(p8)) == NULL) {
		r = TOKEN_ERR_KEY;
		goto fail;
	}
	/* The public half must belong to the private one. */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_pairwise_check(ctx) != 1) {
		r = TOKEN_ERR_KEY;
		goto fail;
	}
	r = key_new(pkey, true, NULL, out);
	pkey = NULL;
fail:
	/* Frees with the private key octets cleared. */
	PKCS8_PRIV_KEY_INFO_free(p8);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	if (r != TOKEN_OK)
		ERR_clear_error();

	return (r);
}

int
token_key_to_der(const struct token_key *k, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	PKCS8_PRIV_KEY_INFO	*p8 = NULL;
	unsigned char		*p = dst;
	int			 n, r;

	if (k == NULL || !k->priv || dst == NULL || dst_len == NULL)
		return (TOKEN_ERR_ARG);
	*dst_len = 0;
	if ((p8 = EVP_PKEY2PKCS8(k->pkey)) == NULL ||
	    (n = i2d_PKCS8_PRIV_KEY_INFO(p8, NULL)) <= 0) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	if ((size_t)n > dst_max) {
		r = TOKEN_ERR_TOO_LARGE;
		goto fail;
	}
	if (i2d_PKCS8_PRIV_KEY_INFO(p8, &p) != n) {
		OPENSSL_cleanse(dst, dst_max);
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	*dst_len = (size_t)n;

	r = TOKEN_OK;
fail:
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (r != TOKEN_OK)
		ERR_clear_error();

	return (r);
}

int
token_key_jwk(const struct token_key *k, json_t **out)
{
	json_t	*o = NULL;
	int	 r;

	if (out == NULL)
		return (TOKEN_ERR_ARG);
	*out = NULL;
	if (k == NULL)
		return (TOKEN_ERR_ARG);
	/* Public members only: this is what the world sees. */
	if ((o = jwk_required(k)) == NULL ||
	    json_object_set_new(o, "kid", json_string(k->kid)) != 0 ||
	    json_object_set_new(o, "alg",
	    json_string(token_alg_name(k->alg))) != 0 ||
	    json_object_set_new(o, "use", json_string("sig")) != 0) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	*out = o;
	o = NULL;

	r = TOKEN_OK;
fail:
	json_decref(o);

	return (r);
}

int
token_jwks_json(const struct token_key *const *keys, size_t n, char **out)
{
	json_t	*doc = NULL, *arr, *jwk;
	int	 r;

	if (out == NULL)
		return (TOKEN_ERR_ARG);
	*out = NULL;
	if ((keys == NULL && n > 0) || n > TOKEN_MAX_KEYS)
		return (TOKEN_ERR_ARG);
	if ((doc = json_object()) == NULL || (arr = json_array()) == NULL ||
	    json_object_set_new(doc, "keys", arr) != 0) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if ((r = token_key_jwk(keys[i], &jwk)) != TOKEN_OK)
			goto fail;
		if (json_array_append_new(arr, jwk) != 0) {
			r = TOKEN_ERR_NOMEM;
			goto fail;
		}
	}
	if ((*out = token_json_dumps(doc, JSON_COMPACT)) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}

	r = TOKEN_OK;
fail:
	json_decref(doc);

	return (r);
}

/*
 * Public keys from coordinates.  EVP_PKEY_fromdata() refuses an EC point
 * off the curve and EVP_PKEY_public_check() the point at infinity (RFC
 * 8725 §3.4).
 */
static int
pkey_from_public(int alg, const unsigned char *x, const unsigned char *y,
    EVP_PKEY **out)
{
	EVP_PKEY_CTX	*ctx = NULL, *chk = NULL;
	OSSL_PARAM	 params[3];
	unsigned char	 pt[1 + 2 * COORD_LEN];
	char		 group[] = SN_X9_62_prime256v1;
	int		 r;

	*out = NULL;
	if (alg == TOKEN_ALG_EDDSA) {
		if ((*out = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519",
		    NULL, x, COORD_LEN)) == NULL) {
			r = TOKEN_ERR_JWK;
			goto fail;
		}
		r = TOKEN_OK;
		goto fail;
	}
	pt[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(pt + 1, x, COORD_LEN);
	memcpy(pt + 1 + COORD_LEN, y, COORD_LEN);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    pt, sizeof(pt));
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1 ||
	    (chk = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL)) == NULL ||
	    EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(*out);
		*out = NULL;
		r = TOKEN_ERR_JWK;
		goto fail;
	}

	r = TOKEN_OK;
fail:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_CTX_free(chk);
	if (r != TOKEN_OK)
		ERR_clear_error();

	return (r);
}

/*
 * Key sets.
 */

struct token_keyset *
token_keyset_new(void)
{
	return (calloc(1, sizeof(struct token_keyset)));
}

void
token_keyset_free(struct token_keyset **ksp)
{
	if (ksp == NULL || *ksp == NULL)
		return;
	for (size_t i = 0; i < (*ksp)->n; i++)
		key_free((*ksp)->keys[i]);
	free(*ksp);
	*ksp = NULL;
}

size_t
token_keyset_count(const struct token_keyset *ks)
{
	return (ks == NULL ? 0 : ks->n);
}

static const struct token_key *
keyset_find(const struct token_keyset *ks, const char *kid)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->keys[i]->kid, kid) == 0)
			return (ks->keys[i]);

	return (NULL);
}

int
token_keyset_add_key(struct token_keyset *ks, const struct token_key *k)
{
	EVP_PKEY	*pkey;
	struct token_key *pub;
	int		 r;

	if (ks == NULL || k == NULL)
		return (TOKEN_ERR_ARG);
	if (keyset_find(ks, k->kid) != NULL)
		return (TOKEN_ERR_JWKS);
	if (ks->n == TOKEN_MAX_KEYS)
		return (TOKEN_ERR_TOO_LARGE);
	/* A fresh public key: a key set never holds private halves. */
	if ((r = pkey_from_public(k->alg, k->x, k->y, &pkey)) != TOKEN_OK)
		return (r == TOKEN_ERR_JWK ? TOKEN_ERR_INTERNAL : r);
	if ((r = key_new(pkey, false, k->kid, &pub)) != TOKEN_OK)
		return (r);
	ks->keys[ks->n++] = pub;

	return (TOKEN_OK);
}

static int
jwk_coord(const json_t *jwk, const char *name, unsigned char *dst)
{
	const json_t	*v;
	size_t		 n;

	/* RFC 7518 §6.2.1.2: the full coordinate length, always. */
	if (!json_is_string(v = json_object_get(jwk, name)) ||
	    wa_b64url_decode(json_string_value(v), json_string_length(v),
	    dst, COORD_LEN, &n) != WA_OK || n != COORD_LEN)
		return (TOKEN_ERR_JWK);

	return (TOKEN_OK);
}

/* True if a JWK may be used to verify signatures (RFC 7517 §4.2-4.3). */
static bool
jwk_for_verify(const json_t *jwk)
{
	const json_t	*use, *ops, *op;
	size_t		 i;
	bool		 verify = false;

	if ((use = json_object_get(jwk, "use")) != NULL &&
	    !json_str_eq(use, "sig"))
		return (false);
	if ((ops = json_object_get(jwk, "key_ops")) != NULL) {
		if (!json_is_array(ops))
			return (false);
		json_array_foreach(ops, i, op)
			if (json_str_eq(op, "verify"))
				verify = true;
		return (verify);
	}

	return (true);
}

/*
 * One JWK.  *out stays NULL for a key this module does not use (RFC 7517
 * §5: ignore what is not understood); a key it would use must be sound.
 */
static int
jwk_import(const json_t *jwk, struct token_key **out)
{
	const json_t	*kty, *crv, *alg, *kid;
	unsigned char	 x[COORD_LEN], y[COORD_LEN];
	EVP_PKEY	*pkey = NULL;
	int		 a, r;

	*out = NULL;
	kty = json_object_get(jwk, "kty");
	crv = json_object_get(jwk, "crv");
	if (json_str_eq(kty, "OKP") && json_str_eq(crv, "Ed25519"))
		a = TOKEN_ALG_EDDSA;
	else if (json_str_eq(kty, "EC") && json_str_eq(crv, "P-256"))
		a = TOKEN_ALG_ES256;
	else
		return (TOKEN_OK);
	/* A published private key is a leaked key. */
	if (json_object_get(jwk, "d") != NULL)
		return (TOKEN_ERR_JWK);
	/* The key's alg pins it; a different one means not for us. */
	if ((alg = json_object_get(jwk, "alg")) != NULL &&
	    !json_str_eq(alg, token_alg_name(a)))
		return (TOKEN_OK);
	if (!jwk_for_verify(jwk))
		return (TOKEN_OK);
	if ((kid = json_object_get(jwk, "kid")) == NULL)
		return (TOKEN_OK);	/* cannot be selected */
	if (!json_is_string(kid) || json_string_length(kid) == 0 ||
	    json_string_length(kid) > TOKEN_MAX_KID ||
	    strlen(json_string_value(kid)) != json_string_length(kid))
		return (TOKEN_ERR_JWK);
	if ((r = jwk_coord(jwk, "x", x)) != TOKEN_OK ||
	    (a == TOKEN_ALG_ES256 && (r = jwk_coord(jwk, "y", y)) !=
	    TOKEN_OK))
		return (r);
	if ((r = pkey_from_public(a, x, a == TOKEN_ALG_ES256 ? y : NULL,
	    &pkey)) != TOKEN_OK)
		return (r);

	return (key_new(pkey, false, json_string_value(kid), out));
}

int
token_keyset_add_jwks(struct token_keyset *ks, const char *doc, size_t len)
{
	struct token_key	*add[TOKEN_MAX_KEYS], *k = NULL;
	json_t			*root = NULL;
	const json_t		*arr, *jwk;
	size_t			 nadd = 0, i;
	int			 r;

	if (ks == NULL || doc == NULL)
		return (TOKEN_ERR_ARG);
	if (len > TOKEN_MAX_JWKS)
		return (TOKEN_ERR_TOO_LARGE);
	if ((r = json_parse_object((const unsigned char *)doc, len,
	    TOKEN_ERR_JWKS, &root)) != TOKEN_OK)
		goto fail;
	if (!json_is_array(arr = json_object_get(root, "keys"))) {
		r = TOKEN_ERR_JWKS;
		goto fail;
	}
	json_array_foreach(arr, i, jwk) {
		if (!json_is_object(jwk)) {
			r = TOKEN_ERR_JWKS;
			goto fail;
		}
		if ((r = jwk_import(jwk, &k)) != TOKEN_OK)
			goto fail;
		if (k == NULL)
			continue;
		/* A kid must select one key (RFC 7517 §5). */
		if (keyset_find(ks, k->kid) != NULL) {
			r = TOKEN_ERR_JWKS;
			goto fail;
		}
		for (size_t j = 0; j < nadd; j++)
			if (strcmp(add[j]->kid, k->kid) == 0) {
				r = TOKEN_ERR_JWKS;
				goto fail;
			}
		if (ks->n + nadd == TOKEN_MAX_KEYS) {
			r = TOKEN_ERR_TOO_LARGE;
			goto fail;
		}
		add[nadd++] = k;
		k = NULL;
	}
	/* All or none. */
	for (i = 0; i < nadd; i++)
		ks->keys[ks->n++] = add[i];
	nadd = 0;

	r = TOKEN_OK;
fail:
	key_free(k);
	for (i = 0; i < nadd; i++)
		key_free(add[i]);
	json_decref(root);

	return (r);
}

/*
 * Signing.
 */

/* The 64-byte JWS signature of msg: RFC 8037 §3.1, RFC 7518 §3.4. */
static int
sign_raw(const struct token_key *k, const unsigned char *msg, size_t len,
    unsigned char *sig)
{
	EVP_MD_CTX		*ctx = NULL;
	ECDSA_SIG		*es = NULL;
	const BIGNUM		*br, *bs;
	unsigned char		 der[ECDSA_DER_MAX];
	const unsigned char	*p = der;
	size_t			 n;
	int			 r;

	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	if (EVP_MD_CTX_copy_ex(ctx, k->tmpl) != 1) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	if (k->alg == TOKEN_ALG_EDDSA) {
		n = SIG_LEN;
		if (EVP_DigestSign(ctx, sig, &n, msg, len) != 1 ||
		    n != SIG_LEN) {
			r = TOKEN_ERR_INTERNAL;
			goto fail;
		}
	} else {
		/* DER ECDSA-Sig-Value to fixed-width big-endian r||s. */
		n = sizeof(der);
		if (EVP_DigestSign(ctx, der, &n, msg, len) != 1 ||
		    (es = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL) {
			r = TOKEN_ERR_INTERNAL;
			goto fail;
		}
		ECDSA_SIG_get0(es, &br, &bs);
		if (BN_bn2binpad(br, sig, SIG_LEN / 2) != SIG_LEN / 2 ||
		    BN_bn2binpad(bs, sig + SIG_LEN / 2, SIG_LEN / 2) !=
		    SIG_LEN / 2) {
			r = TOKEN_ERR_INTERNAL;
			goto fail;
		}
	}

	r = TOKEN_OK;
fail:
	EVP_MD_CTX_free(ctx);
	ECDSA_SIG_free(es);
	if (r != TOKEN_OK)
		ERR_clear_error();

	return (r);
}

/* typ: a media type name, printable ASCII without quotes. */
static bool
typ_ok(const char *typ)
{
	size_t n = strlen(typ);

	if (n == 0 || n > MAX_TYP)
		return (false);
	for (size_t i = 0; i < n; i++)
		if (typ[i] <= ' ' || typ[i] > '~' || typ[i] == '"' ||
		    typ[i] == '\\')
			return (false);

	return (true);
}

int
token_sign(const struct token_key *k, const char *typ, const json_t *claims,
    char **jwt)
{
	char		 hjson[64 + MAX_TYP + KID_B64_LEN];
	char		*cjson = NULL, *h64 = NULL, *c64 = NULL, *s64 = NULL;
	char		*out = NULL;
	unsigned char	 sig[SIG_LEN];
	size_t		 hl, cl, len;
	int		 n, r;

	if (jwt == NULL)
		return (TOKEN_ERR_ARG);
	*jwt = NULL;
	if (k == NULL || !k->priv || typ == NULL || !typ_ok(typ) ||
	    claims == NULL || !json_is_object(claims))
		return (TOKEN_ERR_ARG);
	/*
	 * RFC 7515 §4.1: alg, and the typ and kid verifiers rely on.  No
	 * member needs escaping (typ_ok(), and a signing key's kid is
	 * base64url), so the header is formatted directly: jansson's
	 * encoder would cost a tenth of an Ed25519 signature.
	 */
	n = snprintf(hjson, sizeof(hjson),
	    "{\"alg\":\"%s\",\"typ\":\"%s\",\"kid\":\"%s\"}",
	    token_alg_name(k->alg), typ, k->kid);
	if (n < 0 || (size_t)n >= sizeof(hjson)) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	if ((cjson = token_json_dumps(claims, JSON_COMPACT)) == NULL ||
	    (h64 = wa_b64url_encode((const unsigned char *)hjson,
	    (size_t)n)) == NULL ||
	    (c64 = wa_b64url_encode((const unsigned char *)cjson,
	    strlen(cjson))) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	hl = strlen(h64);
	cl = strlen(c64);
	/* Never issue what token_verify() would refuse. */
	if (hl > TOKEN_MAX_JWT || cl > TOKEN_MAX_JWT ||
	    hl + cl + 2 + SIG_B64_LEN > TOKEN_MAX_JWT) {
		r = TOKEN_ERR_TOO_LARGE;
		goto fail;
	}
	len = hl + 1 + cl;
	if ((out = malloc(len + 1 + SIG_B64_LEN + 1)) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	memcpy(out, h64, hl);
	out[hl] = '.';
	memcpy(out + hl + 1, c64, cl);
	if ((r = sign_raw(k, (const unsigned char *)out, len, sig)) !=
	    TOKEN_OK)
		goto fail;
	if ((s64 = wa_b64url_encode(sig, sizeof(sig))) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	out[len] = '.';
	memcpy(out + len + 1, s64, SIG_B64_LEN + 1);
	*jwt = out;
	out = NULL;

	r = TOKEN_OK;
fail:
	free(cjson);
	free(h64);
	free(c64);
	free(s64);
	free(out);

	return (r);
}

/*
 * Verification.
 */

static int
verify_raw(const struct token_key *k, const unsigned char *msg, size_t len,
    const unsigned char *sig)
{
	EVP_MD_CTX		*ctx = NULL;
	ECDSA_SIG		*es = NULL;
	BIGNUM			*br = NULL, *bs = NULL;
	unsigned char		 der[ECDSA_DER_MAX], *p = der;
	const unsigned char	*vsig = sig;
	size_t			 vlen = SIG_LEN;
	int			 n, r;

	if (k->alg == TOKEN_ALG_ES256) {
		/* Raw r||s back to the DER OpenSSL verifies. */
		if ((es = ECDSA_SIG_new()) == NULL ||
		    (br = BN_bin2bn(sig, SIG_LEN / 2, NULL)) == NULL ||
		    (bs = BN_bin2bn(sig + SIG_LEN / 2, SIG_LEN / 2,
		    NULL)) == NULL) {
			r = TOKEN_ERR_NOMEM;
			goto fail;
		}
		if (ECDSA_SIG_set0(es, br, bs) != 1) {
			r = TOKEN_ERR_INTERNAL;
			goto fail;
		}
		br = bs = NULL;
		if ((n = i2d_ECDSA_SIG(es, NULL)) <= 0 ||
		    (size_t)n > sizeof(der) || i2d_ECDSA_SIG(es, &p) != n) {
			r = TOKEN_ERR_INTERNAL;
			goto fail;
		}
		vsig = der;
		vlen = (size_t)n;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	if (EVP_MD_CTX_copy_ex(ctx, k->tmpl) != 1) {
		r = TOKEN_ERR_INTERNAL;
		goto fail;
	}
	/* r or s of zero or beyond the order fail here too. */
	if (EVP_DigestVerify(ctx, vsig, vlen, msg, len) != 1) {
		r = TOKEN_ERR_SIG;
		goto fail;
	}

	r = TOKEN_OK;
fail:
	EVP_MD_CTX_free(ctx);
	ECDSA_SIG_free(es);
	BN_free(br);
	BN_free(bs);
	if (r != TOKEN_OK)
		ERR_clear_error();

	return (r);
}

/* RFC 9068 §4 step 1; RFC 7515 §4.1.9 lets "application/" be omitted. */
static bool
typ_matches(const json_t *v, const char *typ)
{
	static const char	 app[] = "application/";
	const char		*s;

	if (!json_is_string(v))
		return (false);
	if (json_str_eq(v, typ))
		return (true);
	s = json_string_value(v);

	return (json_string_length(v) == sizeof(app) - 1 + strlen(typ) &&
	    strncasecmp(s, app, sizeof(app) - 1) == 0 &&
	    strcmp(s + sizeof(app) - 1, typ) == 0);
}

/* The header rules, RFC 8725 §3.1, §3.10, §3.11; RFC 7515 §4.1. */
static int
check_header(const json_t *hdr, const char *typ, int *alg, const char **kid)
{
	static const char *const locators[] = { "jku", "jwk", "x5u", "x5c" };
	const json_t	*v;

	v = json_object_get(hdr, "alg");
	if (json_str_eq(v, "EdDSA"))
		*alg = TOKEN_ALG_EDDSA;
	else if (json_str_eq(v, "ES256"))
		*alg = TOKEN_ALG_ES256;
	else
		return (TOKEN_ERR_ALG);
	for (size_t i = 0; i < sizeof(locators) / sizeof(locators[0]); i++)
		if (json_object_get(hdr, locators[i]) != NULL)
			return (TOKEN_ERR_KEY_LOCATOR);
	/* We implement no extension, so any crit must be refused. */
	if (json_object_get(hdr, "crit") != NULL)
		return (TOKEN_ERR_CRIT);
	if (!typ_matches(json_object_get(hdr, "typ"), typ))
		return (TOKEN_ERR_TYP);
	/* A nested JWT would need a second, unpinned validation. */
	if ((v = json_object_get(hdr, "cty")) != NULL &&
	    (!json_is_string(v) || strcasecmp(json_string_value(v),
	    "JWT") == 0 || strcasecmp(json_string_value(v),
	    "application/jwt") == 0))
		return (TOKEN_ERR_HEADER);
	v = json_object_get(hdr, "kid");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > TOKEN_MAX_KID)
		return (TOKEN_ERR_KID);
	*kid = json_string_value(v);

	return (TOKEN_OK);
}

/*
 * A NumericDate (RFC 7519 §2) as whole seconds, rounded toward the
 * stricter side (up for nbf and iat, down for exp).
 */
static bool
numeric_date(const json_t *v, bool up, int64_t *t)
{
	double d;

	if (json_is_integer(v)) {
		*t = (int64_t)json_integer_value(v);
		return (true);
	}
	if (!json_is_real(v))
		return (false);
	d = json_real_value(v);
	/* Also false for NaN. */
	if (!(d > -9.0e18 && d < 9.0e18))
		return (false);
	*t = (int64_t)d;
	if (up && (double)*t < d)
		(*t)++;
	else if (!up && (double)*t > d)
		(*t)--;

	return (true);
}

static int
check_aud(const json_t *v, const char *aud)
{
	const json_t	*e;
	size_t		 i;
	bool		 found = false;

	if (json_is_string(v))
		return (json_str_eq(v, aud) ? TOKEN_OK : TOKEN_ERR_AUD);
	if (!json_is_array(v))
		return (TOKEN_ERR_AUD);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return (TOKEN_ERR_AUD);
		if (json_str_eq(e, aud))
			found = true;
	}

	return (found ? TOKEN_OK : TOKEN_ERR_AUD);
}

/* RFC 7519 §4.1, RFC 9068 §4 steps 3-5. */
static int
check_claims(const json_t *c, const char *iss, const char *aud,
    int64_t now, int64_t leeway)
{
	const json_t	*v;
	int64_t		 t;
	int		 r;

	if (iss != NULL && !json_str_eq(json_object_get(c, "iss"), iss))
		return (TOKEN_ERR_ISS);
	if ((r = check_aud(json_object_get(c, "aud"), aud)) != TOKEN_OK)
		return (r);
	if (!numeric_date(json_object_get(c, "exp"), false, &t))
		return (TOKEN_ERR_EXP);
	if (now - leeway >= t)
		return (TOKEN_ERR_EXPIRED);
	if ((v = json_object_get(c, "nbf")) != NULL &&
	    (!numeric_date(v, true, &t) || t > now + leeway))
		return (TOKEN_ERR_NBF);
	if ((v = json_object_get(c, "iat")) != NULL &&
	    (!numeric_date(v, true, &t) || t > now + leeway))
		return (TOKEN_ERR_IAT);
	v = json_object_get(c, "sub");
	if (!json_is_string(v) || json_string_length(v) == 0)
		return (TOKEN_ERR_SUB);

	return (TOKEN_OK);
}

int
token_verify(const char *jwt, size_t jwt_len, const struct token_keyset *ks,
    const char *typ, const char *iss, const char *aud, int64_t now,
    int64_t leeway, json_t **claims)
{
	const struct token_key	*k;
	json_t			*hdr = NULL, *c = NULL;
	unsigned char		*buf = NULL, *pay, *sig;
	const char		*kid, *sp;
	size_t			 dots[2], ndots = 0, hl, pl, sl, n, pn, sn;
	int			 alg, r;

	if (claims == NULL)
		return (TOKEN_ERR_ARG);
	*claims = NULL;
	if (jwt == NULL || ks == NULL || typ == NULL || *typ == '\0' ||
	    aud == NULL || *aud == '\0' || now < 0 || now > INT64_MAX / 2 ||
	    leeway < 0 || leeway > TOKEN_MAX_LEEWAY)
		return (TOKEN_ERR_ARG);
	if (jwt_len > TOKEN_MAX_JWT)
		return (TOKEN_ERR_TOO_LARGE);

	/* RFC 7515 §7.1: header.payload.signature, nothing else. */
	for (size_t i = 0; i < jwt_len; i++)
		if (jwt[i] == '.') {
			if (ndots == 2) {
				r = TOKEN_ERR_FORMAT;
				goto fail;
			}
			dots[ndots++] = i;
		}
	if (ndots != 2) {
		r = TOKEN_ERR_FORMAT;
		goto fail;
	}
	hl = dots[0];
	pl = dots[1] - dots[0] - 1;
	sp = jwt + dots[1] + 1;
	sl = jwt_len - dots[1] - 1;
	if (hl == 0 || pl == 0) {
		r = TOKEN_ERR_FORMAT;
		goto fail;
	}
	/* Decoded parts are shorter than their text: one buffer holds all. */
	if ((buf = malloc(hl + pl + sl + 1)) == NULL) {
		r = TOKEN_ERR_NOMEM;
		goto fail;
	}
	if (wa_b64url_decode(jwt, hl, buf, hl, &n) != WA_OK) {
		r = TOKEN_ERR_B64;
		goto fail;
	}
	if ((r = json_parse_object(buf, n, TOKEN_ERR_HEADER, &hdr)) !=
	    TOKEN_OK)
		goto fail;
	if ((r = check_header(hdr, typ, &alg, &kid)) != TOKEN_OK)
		goto fail;
	if ((k = keyset_find(ks, kid)) == NULL) {
		r = TOKEN_ERR_KID_UNKNOWN;
		goto fail;
	}
	if (k->alg != alg) {
		r = TOKEN_ERR_ALG_MISMATCH;
		goto fail;
	}

	/* Cheap checks before the signature, parsing after it. */
	pay = buf + n;
	if (wa_b64url_decode(jwt + hl + 1, pl, pay, pl, &pn) != WA_OK) {
		r = TOKEN_ERR_B64;
		goto fail;
	}
	sig = pay + pn;
	if (wa_b64url_decode(sp, sl, sig, sl, &sn) != WA_OK) {
		r = TOKEN_ERR_B64;
		goto fail;
	}
	if (sn != SIG_LEN) {
		r = TOKEN_ERR_SIG_LEN;
		goto fail;
	}
	if ((r = verify_raw(k, (const unsigned char *)jwt, dots[1], sig)) !=
	    TOKEN_OK)
		goto fail;

	if ((r = json_parse_object(pay, pn, TOKEN_ERR_CLAIMS, &c)) !=
	    TOKEN_OK)
		goto fail;
	if ((r = check_claims(c, iss, aud, now, leeway)) != TOKEN_OK)
		goto fail;
	*claims = c;
	c = NULL;

	r = TOKEN_OK;
fail:
	json_decref(hdr);
	json_decref(c);
	free(buf);

	return (r);
}
