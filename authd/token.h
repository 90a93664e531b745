/*
 * token.h: authd's JOSE module.  Signed JWTs in compact JWS form (RFC
 * 7515, 7519) with EdDSA over Ed25519 (RFC 8037) or ES256 (RFC 7518
 * §3.4), the signing keys that make them, and the JWK Sets (RFC 7517)
 * that publish and load the public halves.  Verification follows the JWT
 * BCP (RFC 8725) and the access-token profile (RFC 9068 §4).
 *
 * Usage, issuer:
 *
 *	struct token_key *k;
 *	token_key_generate(TOKEN_ALG_EDDSA, &k);  (or token_key_from_der)
 *	token_sign(k, TOKEN_TYP_AT, claims, &jwt);  ... free(jwt);
 *	token_jwks_json(keys, nkeys, &doc);         (GET /.well-known/jwks.json)
 *
 * Usage, verifier:
 *
 *	struct token_keyset *ks = token_keyset_new();
 *	token_keyset_add_jwks(ks, doc, doc_len);   (or token_keyset_add_key)
 *	r = token_verify(jwt, jwt_len, ks, TOKEN_TYP_AT, iss, aud, now,
 *	    leeway, &claims);
 *
 * Every key is pinned to exactly one algorithm: the header "alg" must be
 * that algorithm, so "none", HMAC and algorithm confusion are refused by
 * construction (RFC 8725 §3.1).
 *
 * A struct token_key and a struct token_keyset are immutable once built:
 * token_sign() and token_verify() may run concurrently on them from any
 * number of threads.
 */
#ifndef AUTHD_TOKEN_H
#define AUTHD_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Error codes.  token_errname() gives the stable snake_case name. */
#define TOKEN_OK		 0
#define TOKEN_ERR_ARG		 1	/* caller error */
#define TOKEN_ERR_NOMEM		 2
#define TOKEN_ERR_INTERNAL	 3	/* OpenSSL or jansson failed */
#define TOKEN_ERR_TOO_LARGE	 4	/* an input exceeds its cap */
#define TOKEN_ERR_FORMAT	 5	/* not three parts, or an empty one */
#define TOKEN_ERR_B64		 6	/* a part is not strict base64url */
#define TOKEN_ERR_HEADER	 7	/* header not a strict JSON object */
#define TOKEN_ERR_ALG		 8	/* alg missing, "none", not allowed */
#define TOKEN_ERR_KEY_LOCATOR	 9	/* jku, jwk, x5u or x5c header */
#define TOKEN_ERR_CRIT		10	/* crit header: unknown extension */
#define TOKEN_ERR_TYP		11	/* typ missing or not the expected */
#define TOKEN_ERR_KID		12	/* kid missing or malformed */
#define TOKEN_ERR_KID_UNKNOWN	13	/* no key with this kid */
#define TOKEN_ERR_ALG_MISMATCH	14	/* alg is not the key's pinned alg */
#define TOKEN_ERR_SIG_LEN	15	/* signature of the wrong length */
#define TOKEN_ERR_SIG		16	/* signature invalid */
#define TOKEN_ERR_CLAIMS	17	/* payload not a strict JSON object */
#define TOKEN_ERR_ISS		18	/* iss missing or not the expected */
#define TOKEN_ERR_AUD		19	/* aud missing or lacks the expected */
#define TOKEN_ERR_EXP		20	/* exp missing or not a NumericDate */
#define TOKEN_ERR_EXPIRED	21	/* exp has passed */
#define TOKEN_ERR_NBF		22	/* nbf malformed or in the future */
#define TOKEN_ERR_IAT		23	/* iat malformed or in the future */
#define TOKEN_ERR_SUB		24	/* sub missing or empty */
#define TOKEN_ERR_JWKS		25	/* JWK Set malformed, duplicate kid */
#define TOKEN_ERR_JWK		26	/* a usable JWK malformed, off curve */
#define TOKEN_ERR_KEY		27	/* private key DER bad or unsupported */
#define TOKEN_ERR_MAX		28

/* Algorithms; each key has exactly one. */
#define TOKEN_ALG_EDDSA		1	/* "EdDSA", Ed25519 (RFC 8037) */
#define TOKEN_ALG_ES256		2	/* "ES256", P-256 + SHA-256 */

/* Explicit types (RFC 8725 §3.11); distinct so validation is exclusive. */
#define TOKEN_TYP_AT		"at+jwt"		/* RFC 9068 */
#define TOKEN_TYP_RECEIPT	"delivery-receipt+jwt"

/* Caps on untrusted input. */
#define TOKEN_MAX_JWT		(8 * 1024)	/* compact serialization */
#define TOKEN_MAX_JSON_DEPTH	16		/* header and claims */
#define TOKEN_MAX_JWKS		(64 * 1024)	/* JWK Set document */
#define TOKEN_MAX_KEYS		32		/* keys in one key set */
#define TOKEN_MAX_KID		128		/* characters */
#define TOKEN_MAX_LEEWAY	600		/* seconds of clock skew */
#define TOKEN_MAX_KEY_DER	512		/* PKCS#8 of our key types */

struct token_key;
struct token_keyset;

/*
 * Errors.  token_errname() returns a stable snake_case code such as
 * "expired"; token_strerr() a sentence naming the rule.  Both return
 * static strings, also for unknown codes.
 */
const char	*token_errname(int);
const char	*token_strerr(int);

/* "EdDSA" or "ES256"; NULL for another value. */
const char	*token_alg_name(int);

/*
 * Signing keys.
 *
 * token_key_generate() makes a fresh key pair for alg (TOKEN_ALG_EDDSA,
 * the default, or TOKEN_ALG_ES256).  token_key_from_der() loads a private
 * key from DER PKCS#8 (RFC 5208), exactly len bytes, of one of those
 * types, checking that its halves match; the caller keeps and wipes der.
 * Both store the new key in *out (OUT), which token_key_free() releases;
 * TOKEN_OK, or TOKEN_ERR_ARG (unknown alg), TOKEN_ERR_KEY, TOKEN_ERR_NOMEM.
 *
 * The kid is base64url of the first 16 bytes of the RFC 7638 JWK
 * thumbprint (SHA-256 of the canonical public JWK): 22 characters, stable
 * for a key however it is loaded.
 */
int		 token_key_generate(int, struct token_key **);
int		 token_key_from_der(const unsigned char *, size_t,
		    struct token_key **);
/* Accepts NULL; wipes and frees the key and NULLs the pointer. */
void		 token_key_free(struct token_key **);

/*
 * Writes the private key as DER PKCS#8 to dst (at most dst_max bytes;
 * TOKEN_MAX_KEY_DER always suffices) and its length to *dst_len (OUT).
 * The caller wipes dst (OPENSSL_cleanse) when done.  TOKEN_OK,
 * TOKEN_ERR_TOO_LARGE, or TOKEN_ERR_ARG for a public-only key.
 */
int		 token_key_to_der(const struct token_key *, unsigned char *,
		    size_t, size_t *);

/* The key's algorithm and kid; the string is borrowed from the key. */
int		 token_key_alg(const struct token_key *);
const char	*token_key_kid(const struct token_key *);

/*
 * The public JWK (RFC 7517 §4, RFC 8037 §2, RFC 7518 §6.2.1): kty, crv,
 * x (and y), kid, alg, "use":"sig"; never a private member.  Stores a
 * new reference in *out (OUT), which the caller releases with
 * json_decref().
 */
int		 token_key_jwk(const struct token_key *, json_t **);

/*
 * The JWK Set {"keys":[...]} of n keys (the current signing key first,
 * then those still inside their last token's lifetime), compact, as a
 * NUL-terminated string in *out (OUT) that the caller frees with
 * free(3).
 */
int		 token_jwks_json(const struct token_key *const *, size_t,
		    char **);

/*
 * json_dumps(j, flags), except that it returns NULL if any part of the
 * text could not be written.  jansson (2.14, dump.c) ignores a failed
 * write of an object's key, so under memory pressure json_dumps() can
 * return JSON with a key cut out, or cut to "", and report success: a
 * token signed so could lack "exp" or "cid".  OUT: a NUL-terminated
 * string freed with free(3).
 */
char		*token_json_dumps(const json_t *, size_t);

/*
 * Compact JWS (RFC 7515 §7.1) of the JSON object claims, with the
 * protected header {"alg","typ","kid"} of key and typ (e.g. TOKEN_TYP_AT).
 * ES256 signatures are raw r||s, 64 bytes (RFC 7518 §3.4); EdDSA per RFC
 * 8037 §3.1.  The claims are signed as given: the caller sets iss, sub,
 * aud, exp, iat, jti, ...  Stores a NUL-terminated string in *jwt (OUT)
 * that the caller frees with free(3).  TOKEN_OK; TOKEN_ERR_ARG for a
 * public-only key, an empty typ or claims that are not an object;
 * TOKEN_ERR_TOO_LARGE if the token would exceed TOKEN_MAX_JWT.
 */
int		 token_sign(const struct token_key *, const char *,
		    const json_t *, char **);

/*
 * Key sets: the verification keys a verifier trusts, each pinned to one
 * algorithm, found by kid.  token_keyset_new() returns an empty set or
 * NULL; token_keyset_free() accepts NULL and NULLs the pointer.
 */
struct token_keyset *token_keyset_new(void);
void		 token_keyset_free(struct token_keyset **);
size_t		 token_keyset_count(const struct token_keyset *);

/*
 * Adds the public half of a signing key (its kid and alg).  TOKEN_OK,
 * TOKEN_ERR_JWKS if the set holds that kid, TOKEN_ERR_TOO_LARGE beyond
 * TOKEN_MAX_KEYS.
 */
int		 token_keyset_add_key(struct token_keyset *,
		    const struct token_key *);

/*
 * Adds the keys of a JWK Set document (RFC 7517 §5), len bytes of JSON,
 * all or none.  A key is used if it is kty "OKP" crv "Ed25519" or kty
 * "EC" crv "P-256", has a kid, a "use" of "sig" or none, "key_ops" with
 * "verify" or none, and an "alg" that is its own or none; other keys are
 * ignored (§5: keys not understood).  Fails with TOKEN_ERR_TOO_LARGE
 * over TOKEN_MAX_JWKS bytes or TOKEN_MAX_KEYS keys; TOKEN_ERR_JWKS for a
 * document that is not strict JSON {"keys":[objects]} or repeats a kid;
 * TOKEN_ERR_JWK for a usable key whose x/y are not canonical base64url of
 * the right length, whose point is not on the curve, whose kid exceeds
 * TOKEN_MAX_KID, or that carries a private member ("d").  A set that
 * loads no key is TOKEN_OK: check token_keyset_count().
 */
int		 token_keyset_add_jwks(struct token_keyset *, const char *,
		    size_t);

/*
 * Verifies a compact JWS JWT of jwt_len bytes, RFC 8725 §3 and RFC 9068
 * §4, rejecting at the first failure:
 *  1. at most TOKEN_MAX_JWT bytes, exactly three parts, each strict
 *     base64url; header and claims strict JSON objects (UTF-8, no
 *     duplicate members, depth at most TOKEN_MAX_JSON_DEPTH);
 *  2. header: alg "EdDSA" or "ES256"; no jku, jwk, x5u, x5c (key
 *     locators are never followed) and no crit; typ equal to typ (or to
 *     "application/" typ, RFC 9068 §4); kid that names a key in ks whose
 *     pinned alg is alg;
 *  3. signature: 64 bytes; ES256 as raw r||s (RFC 7518 §3.4);
 *  4. claims: iss equal to iss (not checked if iss is NULL: a weakening
 *     left to tools); aud a string equal to aud or an array of strings
 *     holding it; exp present and now < exp + leeway; nbf and iat, if
 *     present, at most now + leeway; sub a non-empty string.
 * typ and aud are required; now is seconds since the epoch; leeway is
 * 0..TOKEN_MAX_LEEWAY seconds.  On TOKEN_OK stores the claims in *claims
 * (OUT), a new reference that the caller releases with json_decref();
 * otherwise *claims is NULL and the code names the failed rule.
 */
int		 token_verify(const char *, size_t,
		    const struct token_keyset *, const char *, const char *,
		    const char *, int64_t, int64_t, json_t **);

#endif /* AUTHD_TOKEN_H */
