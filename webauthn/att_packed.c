/*
 * att_packed.c: the "packed" attestation format (WebAuthn §8.2): self
 * attestation, signed by the credential key, or x5c attestation, signed
 * by an attestation certificate that meets §8.2.1.
 */
#include <string.h>

#include <openssl/x509v3.h>

#include "extern.h"

/* §8.2.1: the subject has C, O, OU "Authenticator Attestation", CN. */
static int
check_subject(X509 *x)
{
	X509_NAME		*name = X509_get_subject_name(x);
	const ASN1_STRING	*ou;
	int			 i;

	if (name == NULL ||
	    X509_NAME_get_index_by_NID(name, NID_countryName, -1) < 0 ||
	    X509_NAME_get_index_by_NID(name, NID_organizationName, -1) < 0 ||
	    X509_NAME_get_index_by_NID(name, NID_commonName, -1) < 0)
		return (WA_ERR_ATT_CERT);
	i = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, -1);
	if (i < 0)
		return (WA_ERR_ATT_CERT);
	ou = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	if (ou == NULL || ASN1_STRING_length(ou) != 25 ||
	    memcmp(ASN1_STRING_get0_data(ou), "Authenticator Attestation",
	    25) != 0)
		return (WA_ERR_ATT_CERT);

	return (WA_OK);
}

static int
packed_x5c(struct wa_att *att, const cbor_item_t *x5c, int alg,
    const unsigned char *sig, size_t sig_len)
{
	STACK_OF(X509)	*chain = NULL;
	X509		*leaf;
	EVP_PKEY	*pkey = NULL;
	struct wa_buf	 tbs = { NULL, 0 };
	int		 r;

	if ((r = wa_x5c_parse(x5c, &chain)) != WA_OK)
		goto fail;
	leaf = sk_X509_value(chain, 0);
	if ((r = wa_x509_check_v3_leaf(leaf)) != WA_OK ||
	    (r = check_subject(leaf)) != WA_OK ||
	    (r = wa_x509_check_aaguid(leaf, att->ad->aaguid)) != WA_OK)
		goto fail;
	/* libfido2 verifies with any key; the alg fixes the key type. */
	if ((pkey = X509_get_pubkey(leaf)) == NULL ||
	    !wa_sig_key_fits(pkey, alg)) {
		r = WA_ERR_ATT_SIG;
		goto fail;
	}
	r = -1;
	if (wa_att_fido_covers(att, alg) &&
	    (r = wa_att_fido_verify(att, "packed", false)) != WA_OK &&
	    r != -1)
		goto fail;
	if (r == -1) {
		if ((r = wa_att_tbs(att, &tbs)) != WA_OK)
			goto fail;
		if ((r = wa_sig_verify(pkey, alg, tbs.ptr, tbs.len, sig,
		    sig_len)) != WA_OK) {
			if (r == WA_ERR_SIG)
				r = WA_ERR_ATT_SIG;
			goto fail;
		}
	}
	att->type = WA_ATT_BASIC;	/* or AttCA: only metadata tells */
	if ((r = wa_chain_verify(att->rp, chain, &att->trusted)) != WA_OK)
		goto fail;

	r = WA_OK;
fail:
	wa_buf_reset(&tbs);
	EVP_PKEY_free(pkey);
	sk_X509_pop_free(chain, X509_free);

	return (r);
}

static int
packed_self(struct wa_att *att, int alg, const unsigned char *sig,
    size_t sig_len)
{
	struct wa_buf	tbs = { NULL, 0 };
	int		r;

	/* §8.2 step 3: alg must be the credential key's. */
	if (alg != att->key->alg)
		return (WA_ERR_ATT_SIG);
	if (wa_att_fido_covers(att, alg) &&
	    (r = wa_att_fido_verify(att, "packed", true)) != -1) {
		if (r != WA_OK)
			return (r);
		att->type = WA_ATT_SELF;
		return (WA_OK);
	}
	if ((r = wa_att_tbs(att, &tbs)) != WA_OK)
		return (r);
	r = wa_sig_verify(att->key->pkey, alg, tbs.ptr, tbs.len, sig, sig_len);
	wa_buf_reset(&tbs);
	if (r == WA_ERR_SIG)
		return (WA_ERR_ATT_SIG);
	if (r != WA_OK)
		return (r);
	att->type = WA_ATT_SELF;
	att->trusted = false;

	return (WA_OK);
}

int
wa_att_packed(struct wa_att *att)
{
	static const char *const keys[] = { "alg", "sig", "x5c" };
	const cbor_item_t	*x5c;
	const unsigned char	*sig;
	size_t			 sig_len;
	int64_t			 alg;
	int			 r;

	/* ecdaaKeyId and anything unknown are refused. */
	if (!wa_cbor_map_only(att->stmt, keys, 3))
		return (WA_ERR_ATTSTMT);
	if ((r = wa_att_alg_sig(att->stmt, &alg, &sig, &sig_len)) != WA_OK)
		return (r);
	if ((x5c = wa_cbor_map_str(att->stmt, "x5c")) != NULL) {
		if (!wa_alg_supported((int)alg))
			return (WA_ERR_UNSUPPORTED_ALG);
		return (packed_x5c(att, x5c, (int)alg, sig, sig_len));
	}
	r = packed_self(att, (int)alg, sig, sig_len);
	if (r == WA_OK)
		att->type = WA_ATT_SELF;

	return (r);
}
