/*
 * att_u2f.c: the "fido-u2f" attestation format (WebAuthn §8.6), for
 * authenticators that speak CTAP1/U2F.  The statement signs
 * 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F
 * with a P-256 attestation certificate.
 */
#include <string.h>

#include "extern.h"

int
wa_att_fido_u2f(struct wa_att *att)
{
	static const char *const keys[] = { "sig", "x5c" };
	STACK_OF(X509)		*chain = NULL;
	EVP_PKEY		*pkey = NULL;
	const cbor_item_t	*x5c;
	const unsigned char	*sig;
	unsigned char		*msg = NULL;
	size_t			 sig_len, len, o = 0;
	int			 r;

	if (!wa_cbor_map_only(att->stmt, keys, 2) ||
	    wa_cbor_bytes(wa_cbor_map_str(att->stmt, "sig"), &sig,
	    &sig_len) < 0 || sig_len == 0 || sig_len > WA_MAX_SIG ||
	    (x5c = wa_cbor_map_str(att->stmt, "x5c")) == NULL ||
	    !cbor_isa_array(x5c) || cbor_array_size(x5c) != 1)
		return (WA_ERR_ATTSTMT);
	/* §8.6 step 2-4: P-256 certificate and credential key. */
	if ((r = wa_x5c_parse(x5c, &chain)) != WA_OK)
		goto fail;
	if ((pkey = X509_get_pubkey(sk_X509_value(chain, 0))) == NULL ||
	    !wa_sig_key_fits(pkey, WA_COSE_ES256)) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if (att->key->alg != WA_COSE_ES256) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	r = -1;
	if (wa_att_fido_covers(att, WA_COSE_ES256) &&
	    (r = wa_att_fido_verify(att, "fido-u2f", false)) != WA_OK &&
	    r != -1)
		goto fail;
	if (r == -1) {
		len = 1 + 32 + 32 + att->ad->cred_id_len + 65;
		if ((msg = malloc(len)) == NULL) {
			r = WA_ERR_NOMEM;
			goto fail;
		}
		msg[o++] = 0x00;
		memcpy(msg + o, att->ad->rp_id_hash, 32);
		o += 32;
		memcpy(msg + o, att->cdh, 32);
		o += 32;
		memcpy(msg + o, att->ad->cred_id, att->ad->cred_id_len);
		o += att->ad->cred_id_len;
		msg[o++] = 0x04;
		memcpy(msg + o, att->key->raw, 64);
		if ((r = wa_sig_verify(pkey, WA_COSE_ES256, msg, len, sig,
		    sig_len)) != WA_OK) {
			r = r == WA_ERR_SIG ? WA_ERR_ATT_SIG : r;
			goto fail;
		}
	}
	att->type = WA_ATT_BASIC;	/* or AttCA: only metadata tells */
	if ((r = wa_chain_verify(att->rp, chain, &att->trusted)) != WA_OK)
		goto fail;

	r = WA_OK;
fail:
	free(msg);
	EVP_PKEY_free(pkey);
	sk_X509_pop_free(chain, X509_free);

	return (r);
}
