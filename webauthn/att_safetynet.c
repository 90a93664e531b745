/*
 * att_safetynet.c: the "android-safetynet" attestation statement format
 * (WebAuthn §8.5).
 *
 * The statement carries a SafetyNet attestation: a compact JWS signed by
 * Google's "attest.android.com" certificate whose payload binds
 * SHA-256(authenticatorData || clientDataHash) as its nonce.  Google has
 * retired the SafetyNet API; the format stays for devices that still
 * send it.  Only RS256 and ES256 signed responses are accepted, and the
 * response must be fresh (WA_SN_SKEW_MS either side of the RP's clock).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "extern.h"

#define WA_SN_HOST		"attest.android.com"
/* How far timestampMs may lie from the RP's clock. */
#define WA_SN_SKEW_MS		(60 * 1000)
/* base64 of a SHA-256 hash, with padding. */
#define WA_SN_NONCE_LEN		44

/* A JWS ES256 signature is r || s, 32 bytes each (RFC 7518 §3.4). */
#define WA_SN_ES256_LEN		64

/* The parts of a compact JWS; pointers borrow from the response. */
struct jws {
	const char	*hdr;
	size_t		 hdr_len;
	const char	*pay;
	size_t		 pay_len;
	const char	*sig;
	size_t		 sig_len;
	size_t		 signed_len;	/* of "hdr.pay" */
};

/*
 * Splits header.payload.signature.  Characters are left to the strict
 * base64url decoder, which also rejects a third '.'.
 */
static int
jws_split(const unsigned char *resp, size_t len, struct jws *j)
{
	const char	*s = (const char *)resp;
	const char	*d1, *d2;

	if (resp == NULL || len == 0 || (d1 = memchr(s, '.', len)) == NULL)
		return (-1);
	j->hdr = s;
	j->hdr_len = (size_t)(d1 - s);
	j->pay = d1 + 1;
	if ((d2 = memchr(j->pay, '.', len - j->hdr_len - 1)) == NULL)
		return (-1);
	j->pay_len = (size_t)(d2 - j->pay);
	j->sig = d2 + 1;
	j->signed_len = (size_t)(d2 - s);
	j->sig_len = len - j->signed_len - 1;
	if (j->hdr_len == 0 || j->pay_len == 0 || j->sig_len == 0)
		return (-1);

	return (0);
}

/*
 * Base64 inside the statement: a bad encoding is a malformed attStmt,
 * not a malformed response JSON.
 */
static int
sn_decode(const char *src, size_t len, bool url, size_t max,
    struct wa_buf *out)
{
	int	 r;

	r = url ? wa_b64url_decode_buf(src, len, max, out) :
	    wa_b64std_decode_buf(src, len, max, out);

	return (r == WA_ERR_B64 ? WA_ERR_ATTSTMT : r);
}

/* Converts a JWS ES256 signature (r || s) to the DER OpenSSL verifies. */
static int
es256_to_der(const struct wa_buf *raw, struct wa_buf *out)
{
	struct wa_rd		 rd;
	const unsigned char	*rp, *sp;
	ECDSA_SIG		*es = NULL;
	BIGNUM			*br = NULL, *bs = NULL;
	unsigned char		*der = NULL;
	int			 der_len, r;

	wa_rd_init(&rd, raw->ptr, raw->len);
	if (raw->len != WA_SN_ES256_LEN ||
	    wa_rd_bytes(&rd, &rp, WA_SN_ES256_LEN / 2) == -1 ||
	    wa_rd_bytes(&rd, &sp, WA_SN_ES256_LEN / 2) == -1) {
		r = WA_ERR_ATT_SIG;
		goto fail;
	}
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (br = BN_bin2bn(rp, WA_SN_ES256_LEN / 2, NULL)) == NULL ||
	    (bs = BN_bin2bn(sp, WA_SN_ES256_LEN / 2, NULL)) == NULL ||
	    ECDSA_SIG_set0(es, br, bs) != 1) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	br = bs = NULL;	/* owned by es */
	if ((der_len = i2d_ECDSA_SIG(es, &der)) <= 0) {
		r = WA_ERR_INTERNAL;
		goto fail;
	}
	if (wa_buf_set(out, der, (size_t)der_len) != WA_OK) {
		r = WA_ERR_NOMEM;
		goto fail;
	}

	r = WA_OK;
fail:
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);

	return (r);
}

/*
 * The JWS header: {"alg": "RS256"|"ES256", "x5c": [std base64 DER, ...]}.
 * *cose is the matching COSE alg; *x5c the chain, leaf first.
 */
static int
jws_header(const struct jws *j, int *cose, STACK_OF(X509) **x5c)
{
	struct wa_buf	 raw = { NULL, 0 }, der = { NULL, 0 };
	json_t		*root = NULL;
	const json_t	*alg, *arr, *v;
	const char	*name;
	X509		*x = NULL;
	size_t		 n;
	int		 r;

	*x5c = NULL;
	if ((r = sn_decode(j->hdr, j->hdr_len, true, WA_MAX_ATTOBJ,
	    &raw)) != WA_OK)
		goto fail;
	if ((r = wa_json_load((const char *)raw.ptr, raw.len, WA_MAX_ATTOBJ,
	    WA_ERR_ATTSTMT, &root)) != WA_OK)
		goto fail;
	if (!json_is_object(root) ||
	    json_object_get(root, "crit") != NULL ||
	    (alg = json_object_get(root, "alg")) == NULL ||
	    (name = json_string_value(alg)) == NULL ||
	    (arr = json_object_get(root, "x5c")) == NULL ||
	    !json_is_array(arr) ||
	    (n = json_array_size(arr)) == 0 || n > WA_MAX_X5C) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if (json_string_length(alg) == 5 && strcmp(name, "RS256") == 0)
		*cose = WA_COSE_RS256;
	else if (json_string_length(alg) == 5 && strcmp(name, "ES256") == 0)
		*cose = WA_COSE_ES256;
	else {
		r = WA_ERR_UNSUPPORTED_ALG;
		goto fail;
	}
	if ((*x5c = sk_X509_new_null()) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		v = json_array_get(arr, i);
		if (!json_is_string(v)) {
			r = WA_ERR_ATTSTMT;
			goto fail;
		}
		wa_buf_reset(&der);
		if ((r = sn_decode(json_string_value(v),
		    json_string_length(v), false, WA_MAX_CERT, &der)) != WA_OK)
			goto fail;
		if ((r = wa_x509_der(der.ptr, der.len, &x)) != WA_OK)
			goto fail;
		if (sk_X509_push(*x5c, x) <= 0) {
			r = WA_ERR_NOMEM;
			goto fail;
		}
		x = NULL;
	}

	r = WA_OK;
fail:
	if (r != WA_OK) {
		sk_X509_pop_free(*x5c, X509_free);
		*x5c = NULL;
	}
	X509_free(x);
	json_decref(root);
	wa_buf_reset(&der);
	wa_buf_reset(&raw);

	return (r);
}

/* The JWS signature over "header.payload" with the leaf's key. */
static int
jws_verify(const struct jws *j, int cose, X509 *leaf)
{
	struct wa_buf	 raw = { NULL, 0 }, der = { NULL, 0 };
	const struct wa_buf *sig = &raw;
	EVP_PKEY	*key;
	int		 r;

	if ((key = X509_get0_pubkey(leaf)) == NULL) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if ((r = sn_decode(j->sig, j->sig_len, true, WA_MAX_SIG,
	    &raw)) != WA_OK)
		goto fail;
	if (cose == WA_COSE_ES256) {
		if ((r = es256_to_der(&raw, &der)) != WA_OK)
			goto fail;
		sig = &der;
	}
	r = wa_sig_verify(key, cose, (const unsigned char *)j->hdr,
	    j->signed_len, sig->ptr, sig->len);
	if (r == WA_ERR_SIG)
		r = WA_ERR_ATT_SIG;
	if (r != WA_OK)
		goto fail;

	r = WA_OK;
fail:
	wa_buf_reset(&der);
	wa_buf_reset(&raw);

	return (r);
}

/* base64(SHA-256(authenticatorData || clientDataHash)), NUL-terminated. */
static int
expected_nonce(const struct wa_att *att, char out[WA_SN_NONCE_LEN + 1])
{
	struct wa_buf	 tbs = { NULL, 0 };
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 md_len;
	int		 r;

	if ((r = wa_att_tbs(att, &tbs)) != WA_OK)
		goto fail;
	if (EVP_Digest(tbs.ptr, tbs.len, md, &md_len, EVP_sha256(),
	    NULL) != 1 || md_len != 32) {
		r = WA_ERR_INTERNAL;
		goto fail;
	}
	if (EVP_EncodeBlock((unsigned char *)out, md, 32) !=
	    WA_SN_NONCE_LEN) {
		r = WA_ERR_INTERNAL;
		goto fail;
	}

	r = WA_OK;
fail:
	wa_buf_reset(&tbs);

	return (r);
}

/* The payload: nonce, timestampMs and, if enforced, ctsProfileMatch. */
static int
jws_payload(const struct jws *j, const struct wa_att *att)
{
	struct wa_buf	 raw = { NULL, 0 };
	json_t		*root = NULL;
	const json_t	*nonce, *ts, *cts;
	char		 want[WA_SN_NONCE_LEN + 1];
	json_int_t	 ts_ms;
	int64_t		 now;
	int		 r;

	if ((r = sn_decode(j->pay, j->pay_len, true, WA_MAX_ATTOBJ,
	    &raw)) != WA_OK)
		goto fail;
	if ((r = wa_json_load((const char *)raw.ptr, raw.len, WA_MAX_ATTOBJ,
	    WA_ERR_ATTSTMT, &root)) != WA_OK)
		goto fail;
	if (!json_is_object(root) ||
	    (nonce = json_object_get(root, "nonce")) == NULL ||
	    !json_is_string(nonce) ||
	    (ts = json_object_get(root, "timestampMs")) == NULL ||
	    !json_is_integer(ts)) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if ((r = expected_nonce(att, want)) != WA_OK)
		goto fail;
	if (json_string_length(nonce) != WA_SN_NONCE_LEN ||
	    !wa_ct_eq(json_string_value(nonce), want, WA_SN_NONCE_LEN)) {
		r = WA_ERR_ATT_NONCE;
		goto fail;
	}
	ts_ms = json_integer_value(ts);
	now = wa_rp_now(att->rp);
	if (now < 0 || now > (INT64_MAX - WA_SN_SKEW_MS) / 1000 ||
	    ts_ms < 0 || ts_ms > now * 1000 + WA_SN_SKEW_MS ||
	    ts_ms < now * 1000 - WA_SN_SKEW_MS) {
		r = WA_ERR_ATT_TIME;
		goto fail;
	}
	cts = json_object_get(root, "ctsProfileMatch");
	if (att->rp->safetynet_cts && !json_is_true(cts)) {
		r = WA_ERR_ATT_POLICY;
		goto fail;
	}

	r = WA_OK;
fail:
	json_decref(root);
	wa_buf_reset(&raw);

	return (r);
}

int
wa_att_android_safetynet(struct wa_att *att)
{
	static const char *const keys[] = { "ver", "response" };
	STACK_OF(X509)		*x5c = NULL;
	const cbor_item_t	*ver, *resp;
	const unsigned char	*jws_ptr;
	size_t			 jws_len;
	struct jws		 j;
	X509			*leaf;
	int			 cose = 0, r;

	if (!cbor_isa_map(att->stmt) || wa_cbor_map_bad(att->stmt) ||
	    !wa_cbor_map_only(att->stmt, keys, sizeof(keys) / sizeof(*keys)) ||
	    (ver = wa_cbor_map_str(att->stmt, "ver")) == NULL ||
	    !cbor_isa_string(ver) || !cbor_string_is_definite(ver) ||
	    cbor_string_length(ver) == 0 ||
	    (resp = wa_cbor_map_str(att->stmt, "response")) == NULL ||
	    wa_cbor_bytes(resp, &jws_ptr, &jws_len) != WA_OK ||
	    jws_split(jws_ptr, jws_len, &j) == -1) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if ((r = jws_header(&j, &cose, &x5c)) != WA_OK)
		goto fail;
	leaf = sk_X509_value(x5c, 0);
	if ((r = jws_verify(&j, cose, leaf)) != WA_OK)
		goto fail;
	if (X509_check_host(leaf, WA_SN_HOST, strlen(WA_SN_HOST),
	    X509_CHECK_FLAG_NO_WILDCARDS, NULL) != 1) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if ((r = jws_payload(&j, att)) != WA_OK)
		goto fail;
	if ((r = wa_chain_verify(att->rp, x5c, &att->trusted)) != WA_OK)
		goto fail;
	att->type = WA_ATT_BASIC;

	r = WA_OK;
fail:
	sk_X509_pop_free(x5c, X509_free);

	return (r);
}
