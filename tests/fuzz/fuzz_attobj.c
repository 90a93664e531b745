/*
 * fuzz_attobj.c: an attestationObject as wa_reg_verify() takes it apart
 * (WebAuthn §7.1 steps 13-22): strict CBOR, the {fmt, attStmt, authData}
 * shape, the authenticator data with attested credential data, the
 * credential key, then the format's verification.  The context (policy,
 * clientDataHash) is that of the test-vector case that attested the same
 * credential id, so the seeds verify completely.
 */
#include "tests/fuzz/fuzz_att.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct {
	const char	*name;
	int		(*fn)(struct wa_att *);
} formats[] = {
	{ "none", wa_att_none },
	{ "packed", wa_att_packed },
	{ "fido-u2f", wa_att_fido_u2f },
	{ "tpm", wa_att_tpm },
	{ "android-key", wa_att_android_key },
	{ "android-safetynet", wa_att_android_safetynet },
	{ "apple", wa_att_apple },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "fmt", "attStmt", "authData" };
	cbor_item_t		*item = NULL;
	const cbor_item_t	*fmt, *stmt;
	const unsigned char	*ad_ptr;
	size_t			 ad_len, idx, flen;
	struct wa_authdata	 ad;
	struct wa_cose		 key;
	int			 r;

	memset(&key, 0, sizeof(key));
	if ((r = wa_cbor_decode(data, size, &item)) != WA_OK) {
		FZ_ASSERT(r == WA_ERR_CBOR || r == WA_ERR_NOMEM);
		return (0);
	}
	/* reg.c parse_attobj(). */
	if (!cbor_isa_map(item) || wa_cbor_map_bad(item) ||
	    cbor_map_size(item) != 3 || !wa_cbor_map_only(item, keys, 3))
		goto out;
	fmt = wa_cbor_map_str(item, "fmt");
	stmt = wa_cbor_map_str(item, "attStmt");
	if (fmt == NULL || !cbor_isa_string(fmt) || stmt == NULL ||
	    !cbor_isa_map(stmt) || wa_cbor_map_bad(stmt) ||
	    wa_cbor_bytes(wa_cbor_map_str(item, "authData"), &ad_ptr,
	    &ad_len) < 0)
		goto out;
	/* Steps 14-20, as wa_reg_verify() orders them. */
	if (wa_authdata_parse(ad_ptr, ad_len, &ad) != WA_OK ||
	    (ad.flags & WA_FLAG_AT) == 0)
		goto out;
	idx = fz_case_for_cred(ad.cred_id, ad.cred_id_len);
	if (wa_authdata_check(fz_rp(idx), &ad) != WA_OK ||
	    wa_cose_decode(ad.pubkey, ad.pubkey_len, &key) != WA_OK ||
	    !wa_rp_alg_allowed(fz_rp(idx), key.alg))
		goto out;
	/* Steps 21-22. */
	flen = cbor_string_length(fmt);
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
		if (strlen(formats[f].name) == flen &&
		    memcmp(formats[f].name, cbor_string_handle(fmt),
		    flen) == 0) {
			(void)fz_att_run(formats[f].fn, idx, &ad, &key, ad_ptr,
			    ad_len, stmt);
			break;
		}
out:
	wa_cose_reset(&key);
	cbor_decref(&item);

	return (0);
}
