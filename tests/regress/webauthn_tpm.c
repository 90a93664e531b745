/*
 * webauthn_tpm.c: malformed "tpm" attestation statements (WebAuthn
 * §8.3).  Genuine TPM statements are covered by the device vectors; here
 * softauth's authenticator data carries a statement built in the test
 * (pubArea of the credential key, certInfo over authData and
 * clientDataHash, signed by a softauth certificate) and each case breaks
 * one member, in the order the verifier checks them.
 */
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "regress.h"
#include "webauthn/extern.h"

/* What to break. */
enum tpm_break {
	TB_NONE,
	TB_DROP,		/* remove member "key" */
	TB_ADD,			/* add member "key" */
	TB_VER,			/* ver "1.0" */
	TB_ALG_EDDSA,		/* alg without a TPM digest */
	TB_PUB_GARBAGE,
	TB_PUB_TRAILING,
	TB_PUB_TYPE,		/* TPM_ALG_KEYEDHASH */
	TB_PUB_OTHER_KEY,
	TB_INFO_MAGIC,
	TB_INFO_TYPE,		/* TPM_ST_ATTEST_QUOTE */
	TB_INFO_TRUNCATED,
	TB_INFO_TRAILING,
	TB_INFO_EXTRA,		/* extraData over other data */
	TB_INFO_NAME,		/* name of another pubArea */
	TB_INFO_NAME_ALG,	/* name with an unknown nameAlg */
	TB_X5C_GARBAGE,
	TB_X5C_EMPTY,
	TB_SIG,
	TB_AIK_SUBJECT,		/* a valid signature, but not an AIK cert */
};

struct tpm_case {
	enum tpm_break	 what;
	const char	*key;
};

static void
put16(struct sa_bytes *b, uint16_t v)
{
	unsigned char p[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	assert_int_equal(sa_bytes_append(b, p, 2), 0);
}

static void
put32(struct sa_bytes *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b, (uint16_t)v);
}

static void
put_b(struct sa_bytes *b, const void *p, size_t n)
{
	put16(b, (uint16_t)n);
	assert_int_equal(sa_bytes_append(b, p, n), 0);
}

/* TPMT_PUBLIC of a P-256 key (x || y). */
static struct sa_bytes
pub_area(const unsigned char *xy)
{
	struct sa_bytes b = { NULL, 0 };

	put16(&b, 0x0023);		/* TPM_ALG_ECC */
	put16(&b, 0x000b);		/* nameAlg SHA-256 */
	put32(&b, 0x00060472);		/* objectAttributes */
	put_b(&b, "", 0);		/* authPolicy */
	put16(&b, 0x0010);		/* symmetric NULL */
	put16(&b, 0x0010);		/* scheme NULL */
	put16(&b, 0x0003);		/* TPM_ECC_NIST_P256 */
	put16(&b, 0x0010);		/* kdf NULL */
	put_b(&b, xy, 32);
	put_b(&b, xy + 32, 32);

	return (b);
}

/* TPMS_ATTEST certifying name for extra. */
static struct sa_bytes
cert_info(const unsigned char *extra, size_t extra_len,
    const unsigned char *name, size_t name_len)
{
	struct sa_bytes	b = { NULL, 0 };
	unsigned char	signer[34];

	memset(signer, 0x5a, sizeof(signer));
	put32(&b, 0xff544347);		/* TPM_GENERATED_VALUE */
	put16(&b, 0x8017);		/* TPM_ST_ATTEST_CERTIFY */
	put_b(&b, signer, sizeof(signer));
	put_b(&b, extra, extra_len);
	put32(&b, 0);			/* clock */
	put32(&b, 12345);
	put32(&b, 1);			/* resetCount */
	put32(&b, 0);			/* restartCount */
	assert_int_equal(sa_bytes_append(&b, "\x01", 1), 0);	/* safe */
	put32(&b, 0x20190827);		/* firmwareVersion */
	put32(&b, 0);
	put_b(&b, name, name_len);
	put_b(&b, signer, sizeof(signer));	/* qualifiedName */

	return (b);
}

/* The Name of a pubArea: nameAlg || SHA-256(pubArea). */
static void
name_of(const struct sa_bytes *pub, uint16_t alg, unsigned char name[34])
{
	name[0] = (unsigned char)(alg >> 8);
	name[1] = (unsigned char)alg;
	SHA256(pub->ptr, pub->len, name + 2);
}

static cbor_item_t *
bstr(const struct sa_bytes *b)
{
	return (cbor_build_bytestring(b->ptr, b->len));
}

static int
hook_tpm(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const struct tpm_case	*tc = arg;
	struct sa_cert_opts	 o;
	struct sa_cred		*aik = NULL, *other = NULL;
	struct wa_cose		 key;
	struct sa_bytes		 pub = { NULL, 0 }, info = { NULL, 0 };
	struct sa_bytes		 tbs = { NULL, 0 }, opub = { NULL, 0 };
	unsigned char		 extra[32], name[34], *der, *sig;
	cbor_item_t		*x5c;
	size_t			 der_len, sig_len;

	/* The credential key, and a second one for the mismatches. */
	assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(ctx->cred),
	    sa_cred_cose_len(ctx->cred), &key), WA_OK);
	assert_int_equal(key.raw_len, 64);
	assert_non_null(other = sa_cred_new(WA_COSE_ES256));
	assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(other),
	    sa_cred_cose_len(other), &key), WA_OK);
	opub = pub_area(key.raw);
	assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(ctx->cred),
	    sa_cred_cose_len(ctx->cred), &key), WA_OK);
	pub = tc->what == TB_PUB_OTHER_KEY ? opub : pub_area(key.raw);
	if (tc->what == TB_PUB_OTHER_KEY)
		opub.ptr = NULL;
	if (tc->what == TB_PUB_TRAILING)
		assert_int_equal(sa_bytes_append(&pub, "", 1), 0);
	if (tc->what == TB_PUB_TYPE)
		pub.ptr[1] = 0x08;
	if (tc->what == TB_PUB_GARBAGE)
		pub.len = 5;

	/* extraData = SHA-256(authData || clientDataHash) for ES256. */
	assert_int_equal(sa_bytes_set(&tbs, ctx->authdata,
	    ctx->authdata_len), 0);
	assert_int_equal(sa_bytes_append(&tbs, ctx->cdh, 32), 0);
	SHA256(tbs.ptr, tbs.len - (tc->what == TB_INFO_EXTRA ? 1 : 0),
	    extra);
	name_of(tc->what == TB_INFO_NAME ? &opub : &pub,
	    tc->what == TB_INFO_NAME_ALG ? 0x0099 : 0x000b, name);
	info = cert_info(extra, sizeof(extra), name, sizeof(name));
	if (tc->what == TB_INFO_MAGIC)
		info.ptr[0] = 0xfe;
	if (tc->what == TB_INFO_TYPE)
		info.ptr[5] = 0x18;
	if (tc->what == TB_INFO_TRUNCATED)
		info.len -= 2;
	if (tc->what == TB_INFO_TRAILING)
		assert_int_equal(sa_bytes_append(&info, "", 1), 0);

	/* The AIK certificate: empty subject, TPM SAN and EKU omitted. */
	memset(&o, 0, sizeof(o));
	o.subject = tc->what == TB_AIK_SUBJECT ? NULL : "";
	assert_non_null(aik = sa_cred_new(WA_COSE_ES256));
	assert_non_null(der = sa_ca_issue(sa_ca_default(), aik, &o,
	    &der_len));
	assert_int_equal(sa_cred_sign(aik, info.ptr, info.len, &sig,
	    &sig_len), 0);
	if (tc->what == TB_SIG)
		sig[sig_len - 1] ^= 1;
	assert_non_null(x5c = cbor_new_definite_array(
	    tc->what == TB_X5C_EMPTY ? 0 : 1));
	if (tc->what == TB_X5C_GARBAGE)
		assert_true(cbor_array_push(x5c, cbor_move(
		    cbor_build_bytestring(der, 10))));
	else if (tc->what != TB_X5C_EMPTY)
		assert_true(cbor_array_push(x5c, cbor_move(
		    cbor_build_bytestring(der, der_len))));

	assert_int_equal(sa_cbor_map_put(stmt, "ver",
	    cbor_build_string(tc->what == TB_VER ? "1.0" : "2.0")), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "alg",
	    sa_cbor_int(tc->what == TB_ALG_EDDSA ? WA_COSE_EDDSA :
	    WA_COSE_ES256)), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "x5c", x5c), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "sig",
	    cbor_build_bytestring(sig, sig_len)), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "certInfo", bstr(&info)), 0);
	assert_int_equal(sa_cbor_map_put(stmt, "pubArea", bstr(&pub)), 0);
	if (tc->what == TB_DROP)
		assert_int_equal(sa_cbor_map_del(stmt, tc->key), 0);
	if (tc->what == TB_ADD)
		assert_int_equal(sa_cbor_map_put(stmt, tc->key,
		    cbor_build_bytestring((const unsigned char *)"x", 1)), 0);

	free(sig);
	free(der);
	free(pub.ptr);
	free(opub.ptr);
	free(info.ptr);
	free(tbs.ptr);
	sa_cred_free(&aik);
	sa_cred_free(&other);

	return (0);
}

static int
tpm(enum tpm_break what, const char *key)
{
	struct sa_params	p = params("tpm");
	struct tpm_case		tc = { what, key };
	struct sa_hooks		h = { .attstmt = hook_tpm, .arg = &tc };

	return (reg(cred(ALG_ES256), &p, &h));
}

static void
empty_statement(void **state)
{
	struct sa_params p = params("tpm");

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_ATTSTMT);
}

static void
member_missing(void **state)
{
	static const char *const keys[] = {
		"ver", "alg", "sig", "x5c", "certInfo", "pubArea",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (tpm(TB_DROP, keys[i]) != WA_ERR_ATTSTMT)
			fail_msg("without %s", keys[i]);
}

static void
member_unknown(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_ADD, "ecdaaKeyId"), WA_ERR_ATTSTMT);
	assert_int_equal(tpm(TB_ADD, "x5u"), WA_ERR_ATTSTMT);
}

static void
version_wrong(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_VER, NULL), WA_ERR_ATTSTMT);
}

static void
alg_without_digest(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_ALG_EDDSA, NULL), WA_ERR_UNSUPPORTED_ALG);
}

static void
pub_area_garbage(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_PUB_GARBAGE, NULL), WA_ERR_ATTSTMT);
}

static void
pub_area_trailing_bytes(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_PUB_TRAILING, NULL), WA_ERR_ATTSTMT);
}

static void
pub_area_type(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_PUB_TYPE, NULL), WA_ERR_ATTSTMT);
}

static void
pub_area_other_key(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_PUB_OTHER_KEY, NULL), WA_ERR_ATT_KEY);
}

static void
cert_info_magic(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_INFO_MAGIC, NULL), WA_ERR_ATTSTMT);
}

static void
cert_info_type(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_INFO_TYPE, NULL), WA_ERR_ATTSTMT);
}

static void
cert_info_truncated(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_INFO_TRUNCATED, NULL), WA_ERR_ATTSTMT);
}

static void
cert_info_trailing_bytes(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_INFO_TRAILING, NULL), WA_ERR_ATTSTMT);
}

static void
extra_data_mismatch(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_INFO_EXTRA, NULL), WA_ERR_ATT_NONCE);
}

static void
name_of_other_key(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_INFO_NAME, NULL), WA_ERR_ATT_KEY);
}

static void
name_alg_mismatch(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_INFO_NAME_ALG, NULL), WA_ERR_ATT_KEY);
}

static void
x5c_garbage(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_X5C_GARBAGE, NULL), WA_ERR_ATT_CERT);
}

static void
x5c_empty(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_X5C_EMPTY, NULL), WA_ERR_ATTSTMT);
}

static void
signature_invalid(void **state)
{
	(void)state;
	assert_int_equal(tpm(TB_SIG, NULL), WA_ERR_ATT_SIG);
}

static void
aik_certificate_requirements(void **state)
{
	(void)state;
	/* Signed correctly, but by a certificate with a subject. */
	assert_int_equal(tpm(TB_AIK_SUBJECT, NULL), WA_ERR_ATT_CERT);
	/* Empty subject, but no TPM subjectAltName or AIK EKU. */
	assert_int_equal(tpm(TB_NONE, NULL), WA_ERR_ATT_CERT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_statement),
		cmocka_unit_test(member_missing),
		cmocka_unit_test(member_unknown),
		cmocka_unit_test(version_wrong),
		cmocka_unit_test(alg_without_digest),
		cmocka_unit_test(pub_area_garbage),
		cmocka_unit_test(pub_area_trailing_bytes),
		cmocka_unit_test(pub_area_type),
		cmocka_unit_test(pub_area_other_key),
		cmocka_unit_test(cert_info_magic),
		cmocka_unit_test(cert_info_type),
		cmocka_unit_test(cert_info_truncated),
		cmocka_unit_test(cert_info_trailing_bytes),
		cmocka_unit_test(extra_data_mismatch),
		cmocka_unit_test(name_of_other_key),
		cmocka_unit_test(name_alg_mismatch),
		cmocka_unit_test(x5c_garbage),
		cmocka_unit_test(x5c_empty),
		cmocka_unit_test(signature_invalid),
		cmocka_unit_test(aik_certificate_requirements),
	};

	return (GROUP(tests));
}
