/*
 * fuzz_authdata.c: wa_authdata_parse() on authenticator data, then the
 * RP checks and, for attested credential data, the key's COSE parse.
 */
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
inside(const uint8_t *data, size_t size, const unsigned char *p, size_t n)
{
	return (p != NULL && p >= data && n <= size &&
	    (size_t)(p - data) <= size - n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_authdata	ad;
	struct wa_cose		key;
	size_t			want;
	int			r;

	if ((r = wa_authdata_parse(data, size, &ad)) != WA_OK) {
		FZ_ASSERT(r == WA_ERR_AUTHDATA || r == WA_ERR_CRED_ID);
		return (0);
	}
	/* Everything borrowed lies in the input, which is used exactly. */
	FZ_ASSERT(ad.rp_id_hash == data && size >= 37);
	want = 37;
	if (ad.flags & WA_FLAG_AT) {
		FZ_ASSERT(inside(data, size, ad.aaguid, WA_AAGUID_LEN));
		FZ_ASSERT(ad.cred_id_len > 0 &&
		    ad.cred_id_len <= WA_MAX_CRED_ID &&
		    inside(data, size, ad.cred_id, ad.cred_id_len));
		FZ_ASSERT(ad.pubkey_len > 0 &&
		    inside(data, size, ad.pubkey, ad.pubkey_len));
		want += WA_AAGUID_LEN + 2 + ad.cred_id_len + ad.pubkey_len;
		if (wa_cose_parse(ad.pubkey, ad.pubkey_len, &key) == WA_OK)
			wa_cose_reset(&key);
	} else
		FZ_ASSERT(ad.aaguid == NULL && ad.pubkey == NULL);
	if (ad.flags & WA_FLAG_ED) {
		FZ_ASSERT(ad.ext_len > 0 &&
		    inside(data, size, ad.ext, ad.ext_len));
		want += ad.ext_len;
	} else
		FZ_ASSERT(ad.ext == NULL);
	FZ_ASSERT(want == size);
	r = wa_authdata_check(fz_rp(0), &ad);
	FZ_ASSERT(r == WA_OK || r == WA_ERR_RPID || r == WA_ERR_UP ||
	    r == WA_ERR_UV || r == WA_ERR_BACKUP);

	return (0);
}
