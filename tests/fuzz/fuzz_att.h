/*
 * fuzz_att.h: the body of the attestation format targets.  The input is
 * an attStmt (CBOR); authData, clientDataHash, credential key and policy
 * are those of one valid test-vector case of the format, so the seed from
 * that case passes and every mutation of it is checked against real
 * context.  As in wa_reg_verify(), a format function is only handed a
 * well-formed map.
 */
#ifndef FUZZ_ATT_H
#define FUZZ_ATT_H

#include "tests/fuzz/fuzz_common.h"

struct fz_fixture {
	size_t			case_idx;
	struct wa_authdata	ad;
	struct wa_cose		key;
	bool			ready;
};

/* Parses the case's authData and decodes its key, once. */
static inline void
fz_fixture_init(struct fz_fixture *f, const char *name)
{
	const struct fz_case *c;

	if (f->ready)
		return;
	f->case_idx = fz_case_named(name);
	c = &fz_cases[f->case_idx];
	FZ_ASSERT(wa_authdata_parse(c->authdata, c->authdata_len, &f->ad) ==
	    WA_OK);
	FZ_ASSERT((f->ad.flags & WA_FLAG_AT) != 0);
	FZ_ASSERT(wa_cose_decode(f->ad.pubkey, f->ad.pubkey_len, &f->key) ==
	    WA_OK);
	(void)fz_rp(f->case_idx);
	f->ready = true;
}

/*
 * Runs fn over stmt with the context of case idx; ad and key describe
 * that case's authData.  Returns fn's result.
 */
static inline int
fz_att_run(int (*fn)(struct wa_att *), size_t idx,
    const struct wa_authdata *ad, const struct wa_cose *key,
    const unsigned char *authdata, size_t authdata_len,
    const cbor_item_t *stmt)
{
	struct wa_att	att;
	int		r;

	memset(&att, 0, sizeof(att));
	att.rp = fz_rp(idx);
	att.stmt = stmt;
	att.authdata = authdata;
	att.authdata_len = authdata_len;
	att.ad = ad;
	att.cdh = fz_cases[idx].cdh;
	att.key = key;
	att.type = -1;
	r = fn(&att);
	fz_verdict("att", idx, r);
	FZ_ASSERT(r >= 0 && r < WA_ERR_MAX);
	if (r == WA_OK)
		FZ_ASSERT(att.type >= WA_ATT_NONE &&
		    att.type <= WA_ATT_ANONCA &&
		    (!att.trusted || att.rp->nanchors > 0));

	return (r);
}

/* One input of a format target. */
static inline int
fz_att_one(struct fz_fixture *f, const char *name,
    int (*fn)(struct wa_att *), const uint8_t *data, size_t size)
{
	const struct fz_case	*c;
	cbor_item_t		*stmt = NULL;

	fz_fixture_init(f, name);
	c = &fz_cases[f->case_idx];
	if (wa_cbor_decode(data, size, &stmt) != WA_OK)
		return (0);
	if (cbor_isa_map(stmt) && !wa_cbor_map_bad(stmt))
		(void)fz_att_run(fn, f->case_idx, &f->ad, &f->key,
		    c->authdata, c->authdata_len, stmt);
	cbor_decref(&stmt);

	return (0);
}

#endif /* FUZZ_ATT_H */
