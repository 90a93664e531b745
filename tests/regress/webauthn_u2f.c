/*
 * webauthn_u2f.c: the "fido-u2f" attestation format (WebAuthn §8.6):
 * one P-256 attestation certificate signing 0x00 || rpIdHash ||
 * clientDataHash || credentialId || publicKeyU2F, for ES256 credentials
 * only.  Positive cases on both verifiers, trust and policy, and one
 * malformed member at a time.
 */
#include "regress.h"

static const uint8_t ed_ext[] = {
	0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e', 'c', 't',
	0x01,
};

static struct wa_rp *
rp_anchored(const struct sa_ca *ca)
{
	struct wa_rp *rp = rp_new();

	assert_int_equal(wa_rp_add_trust_anchor(rp, sa_ca_der_ptr(ca),
	    sa_ca_der_len(ca)), WA_OK);

	return (rp);
}

static void
registers(void **state)
{
	static const unsigned char zero[16];
	struct wa_rp		*rp = rp_new();
	struct wa_reg		*reg;
	struct sa_params	 p = params("fido-u2f");
	char			*json;

	(void)state;
	assert_non_null(json = sa_make_registration(cred(ALG_ES256), &p));
	assert_non_null(reg = wa_reg_new());
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_string_equal(wa_reg_fmt(reg), "fido-u2f");
	assert_int_equal(wa_reg_att_type(reg), WA_ATT_BASIC);
	assert_false(wa_reg_trusted(reg));
	assert_memory_equal(wa_reg_aaguid_ptr(reg), zero, 16);
	assert_int_equal(wa_reg_alg(reg), WA_COSE_ES256);
	free(json);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

static void
registers_with_extensions(void **state)
{
	struct sa_params	p = params("fido-u2f");
	struct sa_hooks		h = { .ext = ed_ext,
				    .ext_len = sizeof(ed_ext) };

	(void)state;
	/* libfido2 cannot judge extensions: the OpenSSL path runs. */
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_OK);
}

static void
registers_without_user_presence(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("fido-u2f");

	(void)state;
	p.flags = 0;
	assert_int_equal(wa_rp_set_insecure_no_user_presence(rp, true),
	    WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
trusted_with_anchor(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct wa_reg		*reg;
	struct sa_params	 p = params("fido-u2f");
	char			*json;

	(void)state;
	assert_non_null(json = sa_make_registration(cred(ALG_ES256), &p));
	assert_non_null(reg = wa_reg_new());
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_true(wa_reg_trusted(reg));
	free(json);
	wa_reg_free(&reg);
	assert_int_equal(wa_rp_set_attestation_policy(rp,
	    WA_ATT_POLICY_TRUSTED), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
wrong_anchor(void **state)
{
	struct sa_ca		*other;
	struct wa_rp		*rp;
	struct sa_params	 p = params("fido-u2f");

	(void)state;
	assert_non_null(other = sa_ca_new());
	rp = rp_anchored(other);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_ERR_TRUST);
	wa_rp_free(&rp);
	sa_ca_free(&other);
}

static void
policy_trusted_without_anchor(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("fido-u2f");

	(void)state;
	assert_int_equal(wa_rp_set_attestation_policy(rp,
	    WA_ATT_POLICY_TRUSTED), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp),
	    WA_ERR_ATTESTATION_REQUIRED);
	wa_rp_free(&rp);
}

static void
credential_not_es256(void **state)
{
	struct sa_params p = params("fido-u2f");

	(void)state;
	for (size_t i = ALG_ES384; i < NALGS; i++)
		assert_int_equal(reg(cred(i), &p, NULL), WA_ERR_ATTSTMT);
}

static void
signature_corrupt(void **state)
{
	struct sa_params	p = params("fido-u2f");
	struct sa_hooks		h = { .sig = hook_flip_last };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
	h.ext = ed_ext;
	h.ext_len = sizeof(ed_ext);
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
}

static void
der_signature_trailing_bytes(void **state)
{
	struct sa_params	p = params("fido-u2f");
	struct sa_hooks		h = { .sig = hook_append_zero };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
	h.ext = ed_ext;
	h.ext_len = sizeof(ed_ext);
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
}

struct put {
	const char	*key;
	int		 what;
#define PUT_DEL		0
#define PUT_INT		1
#define PUT_X5C2	2
#define PUT_TEXT	3
};

static int
hook_put(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const struct put	*pu = arg;
	struct cbor_pair	*pairs = cbor_map_handle(*stmt);
	cbor_item_t		*arr;

	(void)ctx;
	switch (pu->what) {
	case PUT_DEL:
		return (sa_cbor_map_del(stmt, pu->key));
	case PUT_INT:
		return (sa_cbor_map_put(stmt, pu->key, sa_cbor_int(-7)));
	case PUT_TEXT:
		return (sa_cbor_map_put(stmt, pu->key, cbor_build_string("x")));
	default:
		/* x5c with its certificate twice; "sig" < "x5c". */
		arr = pairs[1].value;
		if (!cbor_isa_array(arr) || cbor_array_size(arr) != 1)
			return (-1);
		arr = cbor_new_definite_array(2);
		for (size_t i = 0; i < 2; i++)
			(void)cbor_array_push(arr,
			    cbor_array_handle(pairs[1].value)[0]);
		return (sa_cbor_map_put(stmt, "x5c", arr));
	}
}

static int
put(const char *key, int what)
{
	struct sa_params	p = params("fido-u2f");
	struct put		pu = { key, what };
	struct sa_hooks		h = { .attstmt = hook_put, .arg = &pu };

	return (reg(cred(ALG_ES256), &p, &h));
}

static void
sig_missing(void **state)
{
	(void)state;
	assert_int_equal(put("sig", PUT_DEL), WA_ERR_ATTSTMT);
}

static void
sig_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(put("sig", PUT_TEXT), WA_ERR_ATTSTMT);
}

static void
x5c_missing(void **state)
{
	(void)state;
	assert_int_equal(put("x5c", PUT_DEL), WA_ERR_ATTSTMT);
}

static void
x5c_two_certificates(void **state)
{
	(void)state;
	assert_int_equal(put("x5c", PUT_X5C2), WA_ERR_ATTSTMT);
}

static void
x5c_not_array(void **state)
{
	(void)state;
	assert_int_equal(put("x5c", PUT_TEXT), WA_ERR_ATTSTMT);
}

static void
alg_member(void **state)
{
	(void)state;
	/* fido-u2f has no alg: a packed-looking statement is malformed. */
	assert_int_equal(put("alg", PUT_INT), WA_ERR_ATTSTMT);
}

static void
certificate_not_p256(void **state)
{
	struct sa_params	p = params("fido-u2f");
	struct sa_hooks		h;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.leaf_alg = WA_COSE_ES384;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_CERT);
	h.leaf_alg = WA_COSE_EDDSA;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_CERT);
	h.leaf_alg = WA_COSE_RS256;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_CERT);
}

static int
hook_garbage_cert(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	cbor_item_t *arr = cbor_new_definite_array(1);

	(void)ctx;
	(void)arg;
	if (arr == NULL || !cbor_array_push(arr, cbor_move(
	    cbor_build_bytestring((const unsigned char *)"\x30\x00", 2))))
		return (-1);

	return (sa_cbor_map_put(stmt, "x5c", arr));
}

static void
certificate_garbage(void **state)
{
	struct sa_params	p = params("fido-u2f");
	struct sa_hooks		h = { .attstmt = hook_garbage_cert };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_CERT);
}

static void
certificate_expired(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct sa_params	 p = params("fido-u2f");
	struct sa_cert_opts	 o = { .not_before = -7200,
				    .not_after = -3600 };
	struct sa_hooks		 h = { .leaf = &o };

	(void)state;
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, &h, rp), WA_ERR_TRUST);
	wa_rp_free(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registers),
		cmocka_unit_test(registers_with_extensions),
		cmocka_unit_test(registers_without_user_presence),
		cmocka_unit_test(trusted_with_anchor),
		cmocka_unit_test(wrong_anchor),
		cmocka_unit_test(policy_trusted_without_anchor),
		cmocka_unit_test(credential_not_es256),
		cmocka_unit_test(signature_corrupt),
		cmocka_unit_test(der_signature_trailing_bytes),
		cmocka_unit_test(sig_missing),
		cmocka_unit_test(sig_not_bytes),
		cmocka_unit_test(x5c_missing),
		cmocka_unit_test(x5c_two_certificates),
		cmocka_unit_test(x5c_not_array),
		cmocka_unit_test(alg_member),
		cmocka_unit_test(certificate_not_p256),
		cmocka_unit_test(certificate_garbage),
		cmocka_unit_test(certificate_expired),
	};

	return (GROUP(tests));
}
