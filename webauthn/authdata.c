/*
 * authdata.c: authenticator data (WebAuthn §6.1).  Layout:
 * rpIdHash(32) flags(1) signCount(4) [aaguid(16) credIdLen(2) credId
 * credentialPublicKey(CBOR)] [extensions(CBOR map)].  The parse must
 * consume exactly the buffer.
 */
#include <string.h>

#include "extern.h"

int
wa_authdata_parse(const unsigned char *p, size_t len, struct wa_authdata *ad)
{
	struct wa_rd	rd;
	uint16_t	id_len;
	size_t		used;

	memset(ad, 0, sizeof(*ad));
	if (p == NULL || len > WA_MAX_AUTHDATA)
		return (WA_ERR_AUTHDATA);
	wa_rd_init(&rd, p, len);
	if (wa_rd_bytes(&rd, &ad->rp_id_hash, WA_RPID_HASH_LEN) < 0 ||
	    wa_rd_u8(&rd, &ad->flags) < 0 ||
	    wa_rd_u32be(&rd, &ad->sign_count) < 0)
		return (WA_ERR_AUTHDATA);
	if (ad->flags & WA_FLAG_AT) {
		if (wa_rd_bytes(&rd, &ad->aaguid, WA_AAGUID_LEN) < 0 ||
		    wa_rd_u16be(&rd, &id_len) < 0)
			return (WA_ERR_AUTHDATA);
		if (id_len == 0 || id_len > WA_MAX_CRED_ID)
			return (WA_ERR_CRED_ID);
		if (wa_rd_bytes(&rd, &ad->cred_id, id_len) < 0)
			return (WA_ERR_AUTHDATA);
		ad->cred_id_len = id_len;
		/* The key's length is known only by walking its CBOR. */
		if (wa_cbor_check(rd.p, rd.n, &used) != WA_OK ||
		    used > WA_MAX_COSE_KEY)
			return (WA_ERR_AUTHDATA);
		ad->pubkey = rd.p;
		ad->pubkey_len = used;
		(void)wa_rd_skip(&rd, used);
	}
	if (ad->flags & WA_FLAG_ED) {
		if (wa_cbor_check(rd.p, rd.n, &used) != WA_OK ||
		    (rd.p[0] >> 5) != 5)	/* a map */
			return (WA_ERR_AUTHDATA);
		ad->ext = rd.p;
		ad->ext_len = used;
		(void)wa_rd_skip(&rd, used);
	}
	if (!wa_rd_empty(&rd))
		return (WA_ERR_AUTHDATA);

	return (WA_OK);
}

int
wa_authdata_check(const struct wa_rp *rp, const struct wa_authdata *ad)
{
	if (!wa_ct_eq(ad->rp_id_hash, rp->id_hash, WA_RPID_HASH_LEN))
		return (WA_ERR_RPID);
	if ((ad->flags & WA_FLAG_UP) == 0 && !rp->no_up)
		return (WA_ERR_UP);
	if ((ad->flags & WA_FLAG_UV) == 0 && rp->require_uv)
		return (WA_ERR_UV);
	if ((ad->flags & WA_FLAG_BS) && (ad->flags & WA_FLAG_BE) == 0)
		return (WA_ERR_BACKUP);

	return (WA_OK);
}
