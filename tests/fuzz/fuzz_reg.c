/*
 * fuzz_reg.c: wa_reg_verify() on a whole RegistrationResponseJSON, with
 * the relying-party context of the test-vector case whose challenge the
 * input carries (fuzz_common.h).
 */
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fz_case	*c;
	struct wa_reg		*reg;
	struct wa_cose		 key;
	size_t			 i;
	int			 r;

	i = fz_case_for_json(0, data, size);
	c = &fz_cases[i];
	FZ_ASSERT((reg = wa_reg_new()) != NULL);
	r = wa_reg_verify(reg, fz_rp(i), c->chal, c->chal_len,
	    (const char *)data, size);
	FZ_ASSERT(r >= 0 && r < WA_ERR_MAX && wa_errname(r) != NULL);
	fz_verdict("reg", i, r);
	if (r == WA_OK) {
		/* What the RP would store must decode to the same alg. */
		FZ_ASSERT(wa_reg_cred_id_len(reg) > 0 &&
		    wa_reg_cred_id_len(reg) <= WA_MAX_CRED_ID);
		FZ_ASSERT(wa_cose_decode(wa_reg_pubkey_ptr(reg),
		    wa_reg_pubkey_len(reg), &key) == WA_OK);
		FZ_ASSERT(key.alg == wa_reg_alg(reg));
		wa_cose_reset(&key);
		FZ_ASSERT(wa_reg_fmt(reg)[0] != '\0');
		FZ_ASSERT((wa_reg_flags(reg) & WA_FLAG_AT) != 0);
	}
	wa_reg_free(&reg);

	return (0);
}
