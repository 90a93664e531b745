/*
 * att.c: what the attestation formats share: the signed message, the
 * alg/sig members, and the libfido2 verification path.
 *
 * libfido2 verifies packed, fido-u2f and tpm statements for the key and
 * signature algorithms it knows.  Where it covers a statement it is the
 * verifier; elsewhere the formats verify with OpenSSL (sig.c).
 */
#include <string.h>

#include <fido.h>

#include "extern.h"

int
wa_att_tbs(const struct wa_att *att, struct wa_buf *out)
{
	wa_buf_reset(out);
	if ((out->ptr = malloc(att->authdata_len + 32)) == NULL)
		return (WA_ERR_NOMEM);
	memcpy(out->ptr, att->authdata, att->authdata_len);
	memcpy(out->ptr + att->authdata_len, att->cdh, 32);
	out->len = att->authdata_len + 32;

	return (WA_OK);
}

int
wa_att_alg_sig(const cbor_item_t *stmt, int64_t *alg,
    const unsigned char **sig, size_t *sig_len)
{
	if (wa_cbor_get_int(wa_cbor_map_str(stmt, "alg"), alg) < 0 ||
	    wa_cbor_bytes(wa_cbor_map_str(stmt, "sig"), sig, sig_len) < 0 ||
	    *sig_len == 0 || *sig_len > WA_MAX_SIG)
		return (WA_ERR_ATTSTMT);
	if (*alg < INT32_MIN || *alg > INT32_MAX)
		return (WA_ERR_UNSUPPORTED_ALG);

	return (WA_OK);
}

static bool
fido_key_alg(int alg)
{
	return (alg == WA_COSE_ES256 || alg == WA_COSE_ES384 ||
	    alg == WA_COSE_RS256 || alg == WA_COSE_EDDSA);
}

bool
wa_att_fido_covers(const struct wa_att *att, int att_alg)
{
	/*
	 * libfido2 1.12 signs statements with ES256, RS256 and (TPM) RS1,
	 * insists on UP, and compares authenticator extensions with the
	 * ones requested, which a relying party cannot know in advance.
	 */
	return (fido_key_alg(att->key->alg) &&
	    (att_alg == WA_COSE_ES256 || att_alg == WA_COSE_RS256 ||
	    att_alg == WA_COSE_RS1) &&
	    (att->ad->flags & WA_FLAG_UP) != 0 &&
	    (att->ad->flags & WA_FLAG_ED) == 0);
}

/* CTAP2 canonical order for text keys: shorter first, then bytewise. */
static int
key_cmp(const void *a, const void *b)
{
	const struct cbor_pair	*x = a, *y = b;
	size_t			 xl = cbor_string_length(x->key);
	size_t			 yl = cbor_string_length(y->key);

	if (xl != yl)
		return (xl < yl ? -1 : 1);

	return (memcmp(cbor_string_handle(x->key), cbor_string_handle(y->key),
	    xl));
}

/*
 * libfido2 accepts only canonically ordered maps, and clients do not
 * always send attStmt in that order: serialize a sorted copy.
 */
static size_t
canonical_stmt(const cbor_item_t *stmt, unsigned char **out)
{
	struct cbor_pair	*pairs = NULL;
	cbor_item_t		*map = NULL;
	size_t			 n = cbor_map_size(stmt), len = 0, cap;

	*out = NULL;
	if ((pairs = calloc(n == 0 ? 1 : n, sizeof(*pairs))) == NULL)
		return (0);
	memcpy(pairs, cbor_map_handle(stmt), n * sizeof(*pairs));
	for (size_t i = 0; i < n; i++)
		if (!cbor_isa_string(pairs[i].key))
			goto fail;
	qsort(pairs, n, sizeof(*pairs), key_cmp);
	if ((map = cbor_new_definite_map(n)) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!cbor_map_add(map, pairs[i]))
			goto fail;
	len = cbor_serialize_alloc(map, out, &cap);
fail:
	if (map != NULL)
		cbor_decref(&map);
	free(pairs);

	return (len);
}

int
wa_att_fido_verify(const struct wa_att *att, const char *fmt, bool self)
{
	fido_cred_t	*cred = NULL;
	unsigned char	*stmt = NULL;
	size_t		 stmt_len;
	int		 r;

	if ((stmt_len = canonical_stmt(att->stmt, &stmt)) == 0) {
		r = -1;
		goto fail;
	}
	if ((cred = fido_cred_new()) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	if (fido_cred_set_type(cred, att->key->alg) != FIDO_OK ||
	    fido_cred_set_clientdata_hash(cred, att->cdh, 32) != FIDO_OK ||
	    fido_cred_set_rp(cred, att->rp->id, NULL) != FIDO_OK ||
	    fido_cred_set_authdata_raw(cred, att->authdata,
	    att->authdata_len) != FIDO_OK ||
	    fido_cred_set_fmt(cred, fmt) != FIDO_OK ||
	    fido_cred_set_attstmt(cred, stmt, stmt_len) != FIDO_OK) {
		r = -1;		/* not a shape libfido2 decodes */
		goto fail;
	}
	if ((self ? fido_cred_verify_self(cred) :
	    fido_cred_verify(cred)) != FIDO_OK) {
		r = WA_ERR_ATT_SIG;
		goto fail;
	}

	r = WA_OK;
fail:
	fido_cred_free(&cred);
	free(stmt);

	return (r);
}
