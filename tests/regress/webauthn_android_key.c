/*
 * webauthn_android_key.c: malformed "android-key" attestation statements
 * (WebAuthn §8.4).  Genuine keystore statements are covered by the
 * device vectors.  Here softauth's CA certifies the credential key with a
 * key description extension written in the test, and each case breaks
 * one thing: a statement member, the certificate, the signature, or one
 * field of the key description (challenge, allApplications, origin,
 * purpose).
 */
#include "regress.h"

#define OID_KEYDESC	"1.3.6.1.4.1.11129.2.1.17"

enum ak_break {
	AK_NONE,
	AK_DROP,		/* remove member key */
	AK_ADD,			/* add member key */
	AK_X5C_GARBAGE,
	AK_SIG,
	AK_OTHER_KEY,		/* certificate and signature by another key */
	AK_NO_KEYDESC,
	AK_KEYDESC_GARBAGE,
	AK_KEYDESC_TRAILING,
	AK_CHALLENGE,
	AK_ALL_APPS_TEE,
	AK_ALL_APPS_SW,
	AK_ORIGIN_IMPORTED,
	AK_NO_ORIGIN,
	AK_PURPOSE_ENCRYPT,
	AK_PURPOSE_SW_ONLY,
	AK_UNKNOWN_TAG,		/* an unrelated tag, in both lists: fine */
};

struct ak_case {
	enum ak_break	 what;
	const char	*key;
};

/* DER: tag, short or long length, contents. */
static void
der(struct sa_bytes *b, const unsigned char *tag, size_t tag_len,
    const struct sa_bytes *in)
{
	unsigned char len[3];

	assert_int_equal(sa_bytes_append(b, tag, tag_len), 0);
	if (in->len < 0x80) {
		len[0] = (unsigned char)in->len;
		assert_int_equal(sa_bytes_append(b, len, 1), 0);
	} else {
		len[0] = 0x82;
		len[1] = (unsigned char)(in->len >> 8);
		len[2] = (unsigned char)in->len;
		assert_int_equal(sa_bytes_append(b, len, 3), 0);
	}
	assert_int_equal(sa_bytes_append(b, in->ptr, in->len), 0);
}

static void
raw(struct sa_bytes *b, const char *bytes, size_t n)
{
	assert_int_equal(sa_bytes_append(b, bytes, n), 0);
}

/* The AuthorizationList fields §8.4 looks at. */
static void
auth_list(struct sa_bytes *out, bool tee, enum ak_break what)
{
	struct sa_bytes l = { NULL, 0 };

	assert_int_equal(sa_bytes_set(&l, "", 0), 0);
	/* [1] purpose: SET OF INTEGER { SIGN (2) }, or ENCRYPT (0). */
	if ((tee && what != AK_PURPOSE_SW_ONLY) ||
	    (!tee && what == AK_PURPOSE_SW_ONLY))
		raw(&l, what == AK_PURPOSE_ENCRYPT ?
		    "\xa1\x05\x31\x03\x02\x01\x00" :
		    "\xa1\x05\x31\x03\x02\x01\x02", 7);
	/* [10] keySize INTEGER 256: unrelated to §8.4. */
	if (what == AK_UNKNOWN_TAG)
		raw(&l, "\xaa\x04\x02\x02\x01\x00", 6);
	/* [600] allApplications NULL. */
	if ((tee && what == AK_ALL_APPS_TEE) ||
	    (!tee && what == AK_ALL_APPS_SW))
		raw(&l, "\xbf\x84\x58\x02\x05\x00", 6);
	/* [702] origin INTEGER: GENERATED (0) or IMPORTED (2). */
	if (tee && what != AK_NO_ORIGIN)
		raw(&l, what == AK_ORIGIN_IMPORTED ?
		    "\xbf\x85\x3e\x03\x02\x01\x02" :
		    "\xbf\x85\x3e\x03\x02\x01\x00", 7);
	der(out, (const unsigned char *)"\x30", 1, &l);
	free(l.ptr);
}

static struct sa_bytes
key_description(const unsigned char *cdh, enum ak_break what)
{
	struct sa_bytes	 seq = { NULL, 0 }, out = { NULL, 0 };
	struct sa_bytes	 chal = { NULL, 0 };
	unsigned char	 c[32];

	memcpy(c, cdh, 32);
	if (what == AK_CHALLENGE)
		c[0] ^= 1;
	assert_int_equal(sa_bytes_set(&chal, c, 32), 0);
	assert_int_equal(sa_bytes_set(&seq, "", 0), 0);
	raw(&seq, "\x02\x01\x03", 3);		/* attestationVersion */
	raw(&seq, "\x0a\x01\x01", 3);		/* TrustedEnvironment */
	raw(&seq, "\x02\x01\x04", 3);		/* keymasterVersion */
	raw(&seq, "\x0a\x01\x01", 3);
	der(&seq, (const unsigned char *)"\x04", 1, &chal);
	raw(&seq, "\x04\x00", 2);		/* uniqueId */
	auth_list(&seq, false, what);
	auth_list(&seq, true, what);
	assert_int_equal(sa_bytes_set(&out, "", 0), 0);
	der(&out, (const unsigned char *)"\x30", 1, &seq);
	if (what == AK_KEYDESC_TRAILING)
		raw(&out, "", 1);
	if (what == AK_KEYDESC_GARBAGE)
		out.len = 10;
	free(seq.ptr);
	free(chal.ptr);

	return (out);
}

static int
hook_android_key(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const struct ak_case	*ac = arg;
	struct sa_cred		*other = NULL;
	const struct sa_cred	*subject = ctx->cred;
	struct sa_bytes		 kd, tbs = { NULL, 0 };
	struct sa_cert_ext	 ext;
	struct sa_cert_opts	 o;
	unsigned char		*cert, *sig;
	size_t			 cert_len, sig_len;
	cbor_item_t		*x5c;

	if (ac->what == AK_OTHER_KEY) {
		assert_non_null(other = sa_cred_new(WA_COSE_ES256));
		subject = other;
	}
	kd = key_description(ctx->cdh, ac->what);
	ext.oid = OID_KEYDESC;
	ext.critical = false;
	ext.der = kd.ptr;
	ext.der_len = kd.len;
	memset(&o, 0, sizeof(o));
	o.subject = "/CN=Android Keystore Key";
	o.exts = &ext;
	o.nexts = ac->what == AK_NO_KEYDESC ? 0 : 1;
	assert_non_null(cert = sa_ca_issue(sa_ca_default(), subject, &o,
	    &cert_len));
	assert_int_equal(sa_bytes_set(&tbs, ctx->authdata,
	    ctx->authdata_len), 0);
	assert_int_equal(sa_bytes_append(&tbs, ctx->cdh, 32), 0);
	assert_int_equal(sa_cred_sign(subject, tbs.ptr, tbs.len, &sig,
	    &sig_len), 0);
	if (ac->what == AK_SIG)
		sig[sig_len - 1] ^= 1;
	assert_non_null(x5c = cbor_new_definite_array(1));
	assert_true(cbor_array_push(x5c, cbor_move(cbor_build_bytestring(
	    cert, ac->what == AK_X5C_GARBAGE ? 16 : cert_len))));
	assert_int_equal(sa_cbor_map_put(stmt, "alg",
	    sa_cbor_int(WA_COSE_ES256)), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "sig",
	    cbor_build_bytestring(sig, sig_len)), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "x5c", x5c), 0);
	if (ac->what == AK_DROP)
		assert_int_equal(sa_cbor_map_del(stmt, ac->key), 0);
	if (ac->what == AK_ADD)
		assert_int_equal(sa_cbor_map_put(stmt, ac->key,
		    sa_cbor_int(1)), 0);
	free(cert);
	free(sig);
	free(kd.ptr);
	free(tbs.ptr);
	sa_cred_free(&other);

	return (0);
}

static int
ak(enum ak_break what, const char *key)
{
	struct sa_params	p = params("android-key");
	struct ak_case		ac = { what, key };
	struct sa_hooks		h = { .attstmt = hook_android_key, .arg = &ac };

	return (reg(cred(ALG_ES256), &p, &h));
}

static void
well_formed_baseline(void **state)
{
	(void)state;
	/* The statement the cases below break, one thing at a time. */
	assert_int_equal(ak(AK_NONE, NULL), WA_OK);
	assert_int_equal(ak(AK_UNKNOWN_TAG, NULL), WA_OK);
}

static void
empty_statement(void **state)
{
	struct sa_params p = params("android-key");

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_ATTSTMT);
}

static void
member_missing(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_DROP, "alg"), WA_ERR_ATTSTMT);
	assert_int_equal(ak(AK_DROP, "sig"), WA_ERR_ATTSTMT);
	assert_int_equal(ak(AK_DROP, "x5c"), WA_ERR_ATTSTMT);
}

static void
member_unknown(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_ADD, "ver"), WA_ERR_ATTSTMT);
}

static void
x5c_garbage(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_X5C_GARBAGE, NULL), WA_ERR_ATT_CERT);
}

static void
signature_invalid(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_SIG, NULL), WA_ERR_ATT_SIG);
}

static void
certified_key_not_credential_key(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_OTHER_KEY, NULL), WA_ERR_ATT_KEY);
}

static void
key_description_missing(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_NO_KEYDESC, NULL), WA_ERR_ATT_CERT);
}

static void
key_description_malformed(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_KEYDESC_GARBAGE, NULL), WA_ERR_ATT_CERT);
	assert_int_equal(ak(AK_KEYDESC_TRAILING, NULL), WA_ERR_ATT_CERT);
}

static void
challenge_mismatch(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_CHALLENGE, NULL), WA_ERR_ATT_NONCE);
}

static void
all_applications(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_ALL_APPS_TEE, NULL), WA_ERR_ATT_POLICY);
	assert_int_equal(ak(AK_ALL_APPS_SW, NULL), WA_ERR_ATT_POLICY);
}

static void
origin_not_generated(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_ORIGIN_IMPORTED, NULL), WA_ERR_ATT_POLICY);
	assert_int_equal(ak(AK_NO_ORIGIN, NULL), WA_ERR_ATT_POLICY);
}

static void
purpose_not_sign(void **state)
{
	(void)state;
	assert_int_equal(ak(AK_PURPOSE_ENCRYPT, NULL), WA_ERR_ATT_POLICY);
	/* Only the TEE-enforced list counts. */
	assert_int_equal(ak(AK_PURPOSE_SW_ONLY, NULL), WA_ERR_ATT_POLICY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(well_formed_baseline),
		cmocka_unit_test(empty_statement),
		cmocka_unit_test(member_missing),
		cmocka_unit_test(member_unknown),
		cmocka_unit_test(x5c_garbage),
		cmocka_unit_test(signature_invalid),
		cmocka_unit_test(certified_key_not_credential_key),
		cmocka_unit_test(key_description_missing),
		cmocka_unit_test(key_description_malformed),
		cmocka_unit_test(challenge_mismatch),
		cmocka_unit_test(all_applications),
		cmocka_unit_test(origin_not_generated),
		cmocka_unit_test(purpose_not_sign),
	};

	return (GROUP(tests));
}
