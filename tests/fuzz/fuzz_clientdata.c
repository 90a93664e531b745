/*
 * fuzz_clientdata.c: wa_clientdata_verify() on a clientDataJSON, against
 * two fixed relying parties that accept every origin of the test vectors:
 * one refuses cross-origin use, the other allows it with every top origin
 * of the vectors.  The challenge is FZ_CD_CHALLENGE, which seeds.py
 * writes into the seeds.
 */
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct wa_rp	*strict_rp, *cross_rp;
static unsigned char	 chal[64];
static size_t		 chal_len;

static void
setup(void)
{
	FZ_ASSERT((strict_rp = wa_rp_new()) != NULL);
	FZ_ASSERT((cross_rp = wa_rp_new()) != NULL);
	FZ_ASSERT(wa_rp_set_id(strict_rp, "example.org") == WA_OK);
	FZ_ASSERT(wa_rp_set_id(cross_rp, "example.org") == WA_OK);
	for (size_t i = 0; i < FZ_NCASES; i++) {
		FZ_ASSERT(wa_rp_add_origin(strict_rp, fz_cases[i].origin) ==
		    WA_OK);
		FZ_ASSERT(wa_rp_add_origin(cross_rp, fz_cases[i].origin) ==
		    WA_OK);
		for (size_t k = 0; k < fz_cases[i].ntop; k++)
			FZ_ASSERT(wa_rp_add_top_origin(cross_rp,
			    fz_cases[i].top[k]) == WA_OK);
	}
	FZ_ASSERT(wa_rp_set_allow_cross_origin(cross_rp, true) == WA_OK);
	FZ_ASSERT(wa_b64url_decode(FZ_CD_CHALLENGE, strlen(FZ_CD_CHALLENGE),
	    chal, sizeof(chal), &chal_len) == WA_OK);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*type = WA_CD_GET;
	int		 r;

	if (strict_rp == NULL)
		setup();
	r = wa_clientdata_verify(strict_rp, data, size, type, chal, chal_len);
	if (r == WA_ERR_TYPE) {
		type = WA_CD_CREATE;
		r = wa_clientdata_verify(strict_rp, data, size, type, chal,
		    chal_len);
	}
	FZ_ASSERT(r >= 0 && r < WA_ERR_MAX);
	if (r == WA_ERR_CROSS_ORIGIN || r == WA_ERR_TOP_ORIGIN) {
		r = wa_clientdata_verify(cross_rp, data, size, type, chal,
		    chal_len);
		FZ_ASSERT(r >= 0 && r < WA_ERR_MAX);
	} else
		/* Allowing cross-origin use never rejects more. */
		FZ_ASSERT(r != WA_OK || wa_clientdata_verify(cross_rp, data,
		    size, type, chal, chal_len) == WA_OK);

	return (0);
}
