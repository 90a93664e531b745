/*
 * webauthn_apple.c: malformed "apple" anonymous attestation statements
 * (WebAuthn §8.8).  Real Apple statements are covered by the device
 * vectors.  Here softauth's CA issues credCert for the credential key
 * with the nonce extension (1.2.840.113635.100.8.2, SEQUENCE { [1]
 * OCTET STRING SHA-256(authData || clientDataHash) }) and each case
 * breaks one part.
 */
#include <openssl/sha.h>

#include "regress.h"

#define OID_APPLE_NONCE	"1.2.840.113635.100.8.2"

enum ap_break {
	AP_NONE,
	AP_ADD,			/* add member key: -7 */
	AP_ADD_TEXT,		/* add member key: "ES256" */
	AP_X5C_NOT_ARRAY,
	AP_X5C_EMPTY,
	AP_X5C_GARBAGE,
	AP_NO_NONCE_EXT,
	AP_NONCE_EXT_TWICE,
	AP_NONCE_NOT_SEQUENCE,
	AP_NONCE_WRONG_TAG,
	AP_NONCE_SHORT,
	AP_NONCE_MISMATCH,
	AP_OTHER_KEY,
};

struct ap_case {
	enum ap_break	 what;
	const char	*key;
};

static int
hook_apple(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const struct ap_case	*ac = arg;
	struct sa_cred		*other = NULL;
	const struct sa_cred	*subject = ctx->cred;
	struct sa_bytes		 tbs = { NULL, 0 };
	struct sa_cert_ext	 ext[2];
	struct sa_cert_opts	 o;
	unsigned char		 nonce[38], *cert;
	size_t			 cert_len;
	cbor_item_t		*x5c;

	/* 30 24 a1 22 04 20 <SHA-256(authData || cdh)> */
	memcpy(nonce, "\x30\x24\xa1\x22\x04\x20", 6);
	assert_int_equal(sa_bytes_set(&tbs, ctx->authdata,
	    ctx->authdata_len), 0);
	assert_int_equal(sa_bytes_append(&tbs, ctx->cdh, 32), 0);
	SHA256(tbs.ptr, tbs.len, nonce + 6);
	free(tbs.ptr);
	if (ac->what == AP_NONCE_MISMATCH)
		nonce[37] ^= 1;
	if (ac->what == AP_NONCE_NOT_SEQUENCE)
		nonce[0] = 0x31;
	if (ac->what == AP_NONCE_WRONG_TAG)
		nonce[2] = 0xa2;
	if (ac->what == AP_NONCE_SHORT) {
		/* 31 bytes of nonce, lengths adjusted. */
		nonce[1] = 0x23;
		nonce[3] = 0x21;
		nonce[5] = 0x1f;
	}
	if (ac->what == AP_OTHER_KEY) {
		assert_non_null(other = sa_cred_new(WA_COSE_ES256));
		subject = other;
	}
	ext[0].oid = ext[1].oid = OID_APPLE_NONCE;
	ext[0].critical = ext[1].critical = false;
	ext[0].der = ext[1].der = nonce;
	ext[0].der_len = ext[1].der_len = ac->what == AP_NONCE_SHORT ? 37 : 38;
	memset(&o, 0, sizeof(o));
	o.subject = "/O=Apple Inc./ST=California/CN=credCert";
	o.exts = ext;
	o.nexts = ac->what == AP_NO_NONCE_EXT ? 0 :
	    ac->what == AP_NONCE_EXT_TWICE ? 2 : 1;
	assert_non_null(cert = sa_ca_issue(sa_ca_default(), subject, &o,
	    &cert_len));
	if (ac->what == AP_X5C_NOT_ARRAY)
		assert_non_null(x5c = cbor_build_bytestring(cert, cert_len));
	else {
		assert_non_null(x5c = cbor_new_definite_array(
		    ac->what == AP_X5C_EMPTY ? 0 : 1));
		if (ac->what != AP_X5C_EMPTY)
			assert_true(cbor_array_push(x5c, cbor_move(
			    cbor_build_bytestring(cert,
			    ac->what == AP_X5C_GARBAGE ? 20 : cert_len))));
	}
	assert_int_equal(sa_cbor_map_put(stmt, "x5c", x5c), 0);
	if (ac->what == AP_ADD)
		assert_int_equal(sa_cbor_map_put(stmt, ac->key,
		    sa_cbor_int(WA_COSE_ES256)), 0);
	if (ac->what == AP_ADD_TEXT)
		assert_int_equal(sa_cbor_map_put(stmt, ac->key,
		    cbor_build_string("ES256")), 0);
	free(cert);
	sa_cred_free(&other);

	return (0);
}

static int
ap_rp(enum ap_break what, const char *key, const struct wa_rp *rp)
{
	struct sa_params	p = params("apple");
	struct ap_case		ac = { what, key };
	struct sa_hooks		h = { .attstmt = hook_apple, .arg = &ac };

	return (reg_rp(cred(ALG_ES256), &p, &h, rp));
}

static int
ap(enum ap_break what, const char *key)
{
	return (ap_rp(what, key, NULL));
}

static void
well_formed_baseline(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_reg		*reg;
	struct sa_params	 p = params("apple");
	struct ap_case		 ac = { AP_NONE, NULL };
	struct sa_hooks		 h = { .attstmt = hook_apple, .arg = &ac };
	char			*json;

	(void)state;
	assert_non_null(json = sa_make_registration_ex(cred(ALG_ES256), &p,
	    &h));
	assert_non_null(reg = wa_reg_new());
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_int_equal(wa_reg_att_type(reg), WA_ATT_ANONCA);
	assert_false(wa_reg_trusted(reg));
	free(json);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

static void
empty_statement(void **state)
{
	struct sa_params p = params("apple");

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_ATTSTMT);
}

static void
member_unknown(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_ADD, "sig"), WA_ERR_ATTSTMT);
	assert_int_equal(ap(AP_ADD, "ver"), WA_ERR_ATTSTMT);
}

static void
alg_member(void **state)
{
	(void)state;
	/* iOS 14 sent "alg": -7; it is tolerated as an integer only. */
	assert_int_equal(ap(AP_ADD, "alg"), WA_OK);
	assert_int_equal(ap(AP_ADD_TEXT, "alg"), WA_ERR_ATTSTMT);
}

static void
x5c_not_array(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_X5C_NOT_ARRAY, NULL), WA_ERR_ATTSTMT);
}

static void
x5c_empty(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_X5C_EMPTY, NULL), WA_ERR_ATTSTMT);
}

static void
x5c_garbage(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_X5C_GARBAGE, NULL), WA_ERR_ATT_CERT);
}

static void
nonce_extension_missing(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_NO_NONCE_EXT, NULL), WA_ERR_ATT_CERT);
}

static void
nonce_extension_twice(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_NONCE_EXT_TWICE, NULL), WA_ERR_ATT_CERT);
}

static void
nonce_extension_malformed(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_NONCE_NOT_SEQUENCE, NULL), WA_ERR_ATT_CERT);
	assert_int_equal(ap(AP_NONCE_WRONG_TAG, NULL), WA_ERR_ATT_CERT);
}

static void
nonce_short(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_NONCE_SHORT, NULL), WA_ERR_ATT_NONCE);
}

static void
nonce_mismatch(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_NONCE_MISMATCH, NULL), WA_ERR_ATT_NONCE);
}

static void
certified_key_not_credential_key(void **state)
{
	(void)state;
	assert_int_equal(ap(AP_OTHER_KEY, NULL), WA_ERR_ATT_KEY);
}

static void
chain_against_wrong_anchor(void **state)
{
	struct wa_rp	*rp = rp_new();
	struct sa_ca	*other;

	(void)state;
	assert_non_null(other = sa_ca_new());
	assert_int_equal(wa_rp_add_trust_anchor(rp, sa_ca_der_ptr(other),
	    sa_ca_der_len(other)), WA_OK);
	assert_int_equal(ap_rp(AP_NONE, NULL, rp), WA_ERR_TRUST);
	sa_ca_free(&other);
	wa_rp_free(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(well_formed_baseline),
		cmocka_unit_test(empty_statement),
		cmocka_unit_test(member_unknown),
		cmocka_unit_test(alg_member),
		cmocka_unit_test(x5c_not_array),
		cmocka_unit_test(x5c_empty),
		cmocka_unit_test(x5c_garbage),
		cmocka_unit_test(nonce_extension_missing),
		cmocka_unit_test(nonce_extension_twice),
		cmocka_unit_test(nonce_extension_malformed),
		cmocka_unit_test(nonce_short),
		cmocka_unit_test(nonce_mismatch),
		cmocka_unit_test(certified_key_not_credential_key),
		cmocka_unit_test(chain_against_wrong_anchor),
	};

	return (GROUP(tests));
}
