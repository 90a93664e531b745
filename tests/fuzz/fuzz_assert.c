/*
 * fuzz_assert.c: wa_assert_parse(), wa_assert_set_stored() and
 * wa_assert_verify() on a whole AuthenticationResponseJSON.  The stored
 * credential is the key, counter and backup eligibility of the test-vector
 * case whose challenge the input carries (fuzz_common.h).
 */
#include <openssl/sha.h>

#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * An accepted assertion must also verify with OpenSSL alone (cose.c and
 * sig.c), whichever verifier the library chose: the two never disagree
 * on a signature the library lets through.
 */
static void
check_openssl(const struct wa_assert *a)
{
	struct wa_cose	 key;
	unsigned char	*msg;
	size_t		 len = a->authdata.len + SHA256_DIGEST_LENGTH;

	FZ_ASSERT(wa_cose_decode(a->stored_key.ptr, a->stored_key.len,
	    &key) == WA_OK);
	FZ_ASSERT((msg = malloc(len)) != NULL);
	memcpy(msg, a->authdata.ptr, a->authdata.len);
	SHA256(a->cdj.ptr, a->cdj.len, msg + a->authdata.len);
	FZ_ASSERT(wa_sig_verify(key.pkey, key.alg, msg, len, a->sig.ptr,
	    a->sig.len) == WA_OK);
	free(msg);
	wa_cose_reset(&key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fz_case	*c;
	struct wa_assert	*a;
	size_t			 i;
	int			 r;

	FZ_ASSERT((a = wa_assert_new()) != NULL);
	if ((r = wa_assert_parse(a, (const char *)data, size)) != WA_OK) {
		FZ_ASSERT(r > 0 && r < WA_ERR_MAX);
		FZ_ASSERT(wa_assert_verify(a, fz_rp(0), fz_cases[0].chal,
		    fz_cases[0].chal_len) == WA_ERR_ARG);
		goto out;
	}
	FZ_ASSERT(wa_assert_cred_id_len(a) > 0 &&
	    wa_assert_cred_id_len(a) <= WA_MAX_CRED_ID);
	i = fz_case_for_json(1, data, size);
	c = &fz_cases[i];
	/*
	 * The allow list holds the case's id and the response's, so the
	 * list is walked but the ceremony goes on; likewise the stored user
	 * handle is the response's own.
	 */
	if (c->cred_id_len > 0 && c->cred_id_len <= WA_MAX_CRED_ID)
		FZ_ASSERT(wa_assert_add_allowed(a, c->cred_id,
		    c->cred_id_len) == WA_OK);
	FZ_ASSERT(wa_assert_add_allowed(a, wa_assert_cred_id_ptr(a),
	    wa_assert_cred_id_len(a)) == WA_OK);
	FZ_ASSERT(wa_assert_set_discoverable(a,
	    wa_assert_user_handle_ptr(a) != NULL) == WA_OK);
	if ((r = wa_assert_set_stored(a, c->key, c->key_len, c->prior_count,
	    c->be, wa_assert_user_handle_ptr(a),
	    wa_assert_user_handle_len(a))) != WA_OK)
		goto out;
	r = wa_assert_verify(a, fz_rp(i), c->chal, c->chal_len);
	fz_verdict("assert", i, r);
	FZ_ASSERT(r >= 0 && r < WA_ERR_MAX);
	if (r == WA_OK || r == WA_ERR_SIGN_COUNT) {
		FZ_ASSERT(wa_assert_alg(a) != 0);
		FZ_ASSERT((wa_assert_flags(a) & WA_FLAG_UP) != 0);
		FZ_ASSERT((wa_assert_flags(a) & WA_FLAG_AT) == 0);
		check_openssl(a);
	}
out:
	wa_assert_free(&a);

	return (0);
}
