/*
 * fuzz_cose.c: wa_cose_decode() and wa_cose_parse() on a COSE_Key.  The
 * two must agree on every key decode accepts, and a decoded key must be
 * usable by wa_sig_verify() (which refuses the fixed bad signature).
 */
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A DER ECDSA signature with r = s = 1, wrong for every key. */
	static const unsigned char sig[] = {
		0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01
	};
	static const unsigned char msg[] = "fuzz_cose";
	struct wa_cose	dec, par;
	int		rd, rp;

	rd = wa_cose_decode(data, size, &dec);
	rp = wa_cose_parse(data, size, &par);
	FZ_ASSERT(rd >= 0 && rd < WA_ERR_MAX && rp >= 0 && rp < WA_ERR_MAX);
	if (rd == WA_OK) {
		FZ_ASSERT(dec.pkey != NULL);
		FZ_ASSERT(rp == WA_OK);
		FZ_ASSERT(dec.alg == par.alg && dec.kty == par.kty &&
		    dec.crv == par.crv && dec.raw_len == par.raw_len &&
		    dec.raw_len <= sizeof(dec.raw) &&
		    memcmp(dec.raw, par.raw, dec.raw_len) == 0);
		FZ_ASSERT(wa_alg_supported(dec.alg));
		FZ_ASSERT(wa_sig_verify(dec.pkey, dec.alg, msg, sizeof(msg),
		    sig, sizeof(sig)) == WA_ERR_SIG);
	} else
		FZ_ASSERT(dec.pkey == NULL);
	if (rp == WA_OK)
		FZ_ASSERT(par.pkey == NULL);
	wa_cose_reset(&dec);
	wa_cose_reset(&par);

	return (0);
}
