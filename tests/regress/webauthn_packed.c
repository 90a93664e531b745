/*
 * webauthn_packed.c: the "packed" attestation format (WebAuthn §8.2):
 * self attestation with each algorithm, x5c attestation from softauth's
 * generated CA (trusted, untrusted, wrong anchor, expired, policy), the
 * §8.2.1 certificate requirements, the AAGUID extension, and malformed
 * statements.
 */
#include <time.h>

#include "regress.h"

/* A registration verified by rp, with its result kept in *regp. */
static int
reg_keep(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h, const struct wa_rp *rp, struct wa_reg **regp)
{
	char	*json;
	int	 r;

	assert_non_null(json = sa_make_registration_ex(c, p, h));
	assert_non_null(*regp = wa_reg_new());
	r = wa_reg_verify(*regp, rp, CHAL, CHAL_LEN, json, strlen(json));
	free(json);

	return (r);
}

static struct wa_rp *
rp_anchored(const struct sa_ca *ca)
{
	struct wa_rp *rp = rp_new();

	assert_int_equal(wa_rp_add_trust_anchor(rp, sa_ca_der_ptr(ca),
	    sa_ca_der_len(ca)), WA_OK);

	return (rp);
}

static const uint8_t ed_ext[] = {
	0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e', 'c', 't',
	0x01,
};

/* Self attestation. */

static void
self_each_alg(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_reg		*reg;
	struct sa_params	 p = params("packed");

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		assert_int_equal(reg_keep(cred(i), &p, NULL, rp, &reg), WA_OK);
		assert_string_equal(wa_reg_fmt(reg), "packed");
		assert_int_equal(wa_reg_att_type(reg), WA_ATT_SELF);
		assert_false(wa_reg_trusted(reg));
		assert_int_equal(wa_reg_alg(reg), regress_cose_alg(i));
		wa_reg_free(&reg);
	}
	wa_rp_free(&rp);
}

static void
self_each_alg_with_extensions(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .ext = ed_ext,
				    .ext_len = sizeof(ed_ext) };

	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(reg(cred(i), &p, &h), WA_OK);
}

static void
self_without_user_presence(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("packed");

	(void)state;
	p.flags = 0;
	assert_int_equal(wa_rp_set_insecure_no_user_presence(rp, true),
	    WA_OK);
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(reg_rp(cred(i), &p, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
self_signature_corrupt(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .sig = hook_flip_last };

	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(reg(cred(i), &p, &h), WA_ERR_ATT_SIG);
	h.ext = ed_ext;
	h.ext_len = sizeof(ed_ext);
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(reg(cred(i), &p, &h), WA_ERR_ATT_SIG);
}

static void
self_der_signature_trailing_bytes(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .sig = hook_append_zero };

	(void)state;
	for (size_t i = ALG_ES256; i <= ALG_ES512; i++)
		assert_int_equal(reg(cred(i), &p, &h), WA_ERR_ATT_SIG);
}

static void
self_signed_by_other_key(void **state)
{
	struct sa_params	 p = params("packed");
	struct sa_hooks		 h;
	struct sa_cred		*other;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < NALGS; i++) {
		assert_non_null(other = sa_cred_new(regress_cose_alg(i)));
		h.signer = other;
		assert_int_equal(reg(cred(i), &p, &h), WA_ERR_ATT_SIG);
		sa_cred_free(&other);
	}
}

/* Sets attStmt member key to an integer (arg: struct put *). */
struct put {
	const char	*key;
	int64_t		 v;
	bool		 del;
	bool		 as_text;
};

static int
hook_put(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const struct put *pu = arg;

	(void)ctx;
	if (pu->del)
		return (sa_cbor_map_del(stmt, pu->key));
	if (pu->as_text)
		return (sa_cbor_map_put(stmt, pu->key,
		    cbor_build_string("x")));

	return (sa_cbor_map_put(stmt, pu->key, sa_cbor_int(pu->v)));
}

static int
put(const char *fmt, size_t alg, struct put pu)
{
	struct sa_params	p = params(fmt);
	struct sa_hooks		h = { .attstmt = hook_put, .arg = &pu };

	return (reg(cred(alg), &p, &h));
}

static void
self_alg_mismatch(void **state)
{
	(void)state;
	/* §8.2 step 3: alg must be the credential key's. */
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "alg", WA_COSE_ES384, false, false }),
	    WA_ERR_ATT_SIG);
	assert_int_equal(put("packed", ALG_RS256,
	    (struct put){ "alg", WA_COSE_PS256, false, false }),
	    WA_ERR_ATT_SIG);
}

static void
self_alg_unsupported(void **state)
{
	(void)state;
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "alg", -((int64_t)1 << 33), false, false }),
	    WA_ERR_UNSUPPORTED_ALG);
}

static void
sig_missing(void **state)
{
	(void)state;
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "sig", 0, true, false }), WA_ERR_ATTSTMT);
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "sig", 0, true, false }), WA_ERR_ATTSTMT);
}

static void
sig_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "sig", 0, false, true }), WA_ERR_ATTSTMT);
}

static void
alg_missing(void **state)
{
	(void)state;
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "alg", 0, true, false }), WA_ERR_ATTSTMT);
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "alg", 0, true, false }), WA_ERR_ATTSTMT);
}

static void
alg_not_int(void **state)
{
	(void)state;
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "alg", 0, false, true }), WA_ERR_ATTSTMT);
}

static void
ecdaa_key_id(void **state)
{
	(void)state;
	/* ECDAA was removed from WebAuthn Level 3. */
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "ecdaaKeyId", 1, false, false }), WA_ERR_ATTSTMT);
}

static void
unknown_member(void **state)
{
	(void)state;
	assert_int_equal(put("packed", ALG_ES256,
	    (struct put){ "ver", 2, false, false }), WA_ERR_ATTSTMT);
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "x5u", 2, false, false }), WA_ERR_ATTSTMT);
}

static int
hook_empty_sig(struct sa_bytes *b, void *arg)
{
	(void)arg;
	b->len = 0;

	return (0);
}

static void
sig_empty(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .sig = hook_empty_sig };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATTSTMT);
}

/* x5c attestation. */

static void
x5c_untrusted_without_anchors(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_reg		*reg;
	struct sa_params	 p = params("packed-x5c");

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		assert_int_equal(reg_keep(cred(i), &p, NULL, rp, &reg), WA_OK);
		assert_string_equal(wa_reg_fmt(reg), "packed");
		assert_int_equal(wa_reg_att_type(reg), WA_ATT_BASIC);
		assert_false(wa_reg_trusted(reg));
		wa_reg_free(&reg);
	}
	wa_rp_free(&rp);
}

static void
x5c_trusted_with_anchor(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct wa_reg		*reg;
	struct sa_params	 p = params("packed-x5c");

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		assert_int_equal(reg_keep(cred(i), &p, NULL, rp, &reg), WA_OK);
		assert_int_equal(wa_reg_att_type(reg), WA_ATT_BASIC);
		assert_true(wa_reg_trusted(reg));
		wa_reg_free(&reg);
	}
	wa_rp_free(&rp);
}

static void
x5c_trusted_with_ca_in_chain(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct wa_reg		*reg;
	struct sa_params	 p = params("packed-x5c");
	struct sa_hooks		 h = { .x5c_with_ca = true };

	(void)state;
	assert_int_equal(reg_keep(cred(ALG_ES256), &p, &h, rp, &reg), WA_OK);
	assert_true(wa_reg_trusted(reg));
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

static void
x5c_trusted_anchor_pem(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_reg		*reg;
	struct sa_params	 p = params("packed-x5c");
	const struct sa_ca	*ca = sa_ca_default();
	char			*b64, *pem;
	size_t			 n;

	(void)state;
	/* base64url to base64, in one line: PEM readers accept it. */
	assert_non_null(b64 = sa_b64url(sa_ca_der_ptr(ca), sa_ca_der_len(ca)));
	n = strlen(b64);
	for (size_t i = 0; i < n; i++)
		b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
	assert_non_null(pem = malloc(n + 80));
	memcpy(pem, "-----BEGIN CERTIFICATE-----\n", 28);
	memcpy(pem + 28, b64, n);
	memcpy(pem + 28 + n, "====", (4 - n % 4) % 4);
	n += (4 - n % 4) % 4;
	memcpy(pem + 28 + n, "\n-----END CERTIFICATE-----\n", 28);
	assert_int_equal(wa_rp_add_trust_anchor(rp, (unsigned char *)pem,
	    strlen(pem)), WA_OK);
	assert_int_equal(reg_keep(cred(ALG_ES256), &p, NULL, rp, &reg), WA_OK);
	assert_true(wa_reg_trusted(reg));
	wa_reg_free(&reg);
	wa_rp_free(&rp);
	free(pem);
	free(b64);
}

static void
x5c_wrong_anchor(void **state)
{
	struct sa_ca		*other;
	struct wa_rp		*rp;
	struct sa_params	 p = params("packed-x5c");

	(void)state;
	assert_non_null(other = sa_ca_new());
	rp = rp_anchored(other);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_ERR_TRUST);
	assert_int_equal(reg_rp(cred(ALG_EDDSA), &p, NULL, rp), WA_ERR_TRUST);
	wa_rp_free(&rp);
	sa_ca_free(&other);
}

static void
x5c_any_of_two_anchors(void **state)
{
	struct sa_ca		*other;
	struct wa_rp		*rp;
	struct sa_params	 p = params("packed-x5c");
	struct sa_hooks		 h;

	(void)state;
	assert_non_null(other = sa_ca_new());
	rp = rp_anchored(sa_ca_default());
	assert_int_equal(wa_rp_add_trust_anchor(rp, sa_ca_der_ptr(other),
	    sa_ca_der_len(other)), WA_OK);
	memset(&h, 0, sizeof(h));
	h.ca = other;
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, &h, rp), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	wa_rp_free(&rp);
	sa_ca_free(&other);
}

static void
x5c_leaf_as_anchor(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_cred		*leaf;
	struct sa_params	 p = params("packed-x5c");
	unsigned char		*der;
	size_t			 len;

	(void)state;
	/* Another leaf of the same CA trusts nothing but itself. */
	assert_non_null(leaf = sa_cred_new(WA_COSE_ES256));
	assert_non_null(der = sa_ca_issue(sa_ca_default(), leaf, NULL, &len));
	assert_int_equal(wa_rp_add_trust_anchor(rp, der, len), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_ERR_TRUST);
	free(der);
	sa_cred_free(&leaf);
	wa_rp_free(&rp);
}

static void
x5c_policy_trusted(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct wa_rp		*bare = rp_new();
	struct sa_params	 p = params("packed-x5c");

	(void)state;
	assert_int_equal(wa_rp_set_attestation_policy(rp,
	    WA_ATT_POLICY_TRUSTED), WA_OK);
	assert_int_equal(wa_rp_set_attestation_policy(bare,
	    WA_ATT_POLICY_TRUSTED), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, bare),
	    WA_ERR_ATTESTATION_REQUIRED);
	p = params("packed");
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp),
	    WA_ERR_ATTESTATION_REQUIRED);
	wa_rp_free(&rp);
	wa_rp_free(&bare);
}

static void
x5c_clock_after_expiry(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct sa_params	 p = params("packed-x5c");
	struct sa_cert_opts	 o = {
		.aaguid = (const unsigned char *)SA_AAGUID,
		.not_before = -7200, .not_after = -3600 };
	struct sa_hooks		 h = { .leaf = &o };

	(void)state;
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, &h, rp), WA_ERR_TRUST);
	/* Verified at a time when it was valid. */
	assert_int_equal(wa_rp_set_time(rp, (int64_t)time(NULL) - 5400),
	    WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, &h, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
x5c_clock_before_validity(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct sa_params	 p = params("packed-x5c");

	(void)state;
	assert_int_equal(wa_rp_set_time(rp, 86400), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_ERR_TRUST);
	wa_rp_free(&rp);
}

static void
x5c_leaf_algs(void **state)
{
	struct wa_rp		*rp = rp_anchored(sa_ca_default());
	struct sa_params	 p = params("packed-x5c");
	struct sa_hooks		 h;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < NALGS; i++) {
		h.leaf_alg = regress_cose_alg(i);
		assert_int_equal(reg_rp(cred(ALG_ES256), &p, &h, rp), WA_OK);
		assert_int_equal(reg_rp(cred(ALG_EDDSA), &p, &h, rp), WA_OK);
	}
	wa_rp_free(&rp);
}

static void
x5c_signature_corrupt(void **state)
{
	struct sa_params	p = params("packed-x5c");
	struct sa_hooks		h = { .sig = hook_flip_last };

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		h.leaf_alg = regress_cose_alg(i);
		assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
	}
}

static void
x5c_der_signature_trailing_bytes(void **state)
{
	struct sa_params	p = params("packed-x5c");
	struct sa_hooks		h = { .sig = hook_append_zero };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
	h.leaf_alg = WA_COSE_ES384;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
}

/* The credential key signs instead of the attestation key. */
static int
hook_self_sig(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	struct sa_bytes	 tbs = { NULL, 0 };
	unsigned char	*sig;
	size_t		 n;
	int		 r;

	(void)arg;
	if (sa_bytes_set(&tbs, ctx->authdata, ctx->authdata_len) < 0 ||
	    sa_bytes_append(&tbs, ctx->cdh, 32) < 0 ||
	    sa_cred_sign(ctx->cred, tbs.ptr, tbs.len, &sig, &n) < 0)
		return (-1);
	r = sa_cbor_map_put(stmt, "sig", cbor_build_bytestring(sig, n));
	free(sig);
	free(tbs.ptr);

	return (r);
}

static void
x5c_signed_by_credential(void **state)
{
	struct sa_params	p = params("packed-x5c");
	struct sa_hooks		h = { .attstmt = hook_self_sig };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
}

static void
x5c_alg_mismatch(void **state)
{
	(void)state;
	/* An ES256 leaf, but alg says RS256, PS256, EdDSA or ES384. */
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "alg", WA_COSE_RS256, false, false }),
	    WA_ERR_ATT_SIG);
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "alg", WA_COSE_PS256, false, false }),
	    WA_ERR_ATT_SIG);
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "alg", WA_COSE_EDDSA, false, false }),
	    WA_ERR_ATT_SIG);
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "alg", WA_COSE_ES384, false, false }),
	    WA_ERR_ATT_SIG);
}

/*
 * ES256 is P-256 with SHA-256: a P-384 attestation key signing SHA-256
 * and claiming ES256 does not meet it.
 */
static int
hook_p384_claims_es256(cbor_item_t **stmt, const struct sa_ctx *ctx,
    void *arg)
{
	struct sa_cert_opts	 o = {
		.aaguid = (const unsigned char *)SA_AAGUID };
	struct sa_cred		*leaf;
	struct sa_bytes		 tbs = { NULL, 0 };
	EVP_MD_CTX		*md = NULL;
	unsigned char		*der = NULL, sig[256];
	cbor_item_t		*x5c = NULL;
	size_t			 len, sig_len = sizeof(sig);
	int			 r = -1;

	(void)arg;
	if ((leaf = sa_cred_new(WA_COSE_ES384)) == NULL ||
	    (der = sa_ca_issue(sa_ca_default(), leaf, &o, &len)) == NULL ||
	    sa_bytes_set(&tbs, ctx->authdata, ctx->authdata_len) < 0 ||
	    sa_bytes_append(&tbs, ctx->cdh, 32) < 0 ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    sa_cred_pkey(leaf)) != 1 ||
	    EVP_DigestSign(md, sig, &sig_len, tbs.ptr, tbs.len) != 1 ||
	    (x5c = cbor_new_definite_array(1)) == NULL ||
	    !cbor_array_push(x5c, cbor_move(cbor_build_bytestring(der, len))))
		goto fail;
	if (sa_cbor_map_put(stmt, "alg", sa_cbor_int(WA_COSE_ES256)) < 0 ||
	    sa_cbor_map_put(stmt, "sig", cbor_build_bytestring(sig,
	    sig_len)) < 0 ||
	    sa_cbor_map_put(stmt, "x5c", cbor_incref(x5c)) < 0)
		goto fail;
	r = 0;
fail:
	if (x5c != NULL)
		cbor_decref(&x5c);
	EVP_MD_CTX_free(md);
	free(tbs.ptr);
	free(der);
	sa_cred_free(&leaf);

	return (r);
}

static void
x5c_p384_key_claims_es256(void **state)
{
	struct sa_params	p = params("packed-x5c");
	struct sa_hooks		h = { .attstmt = hook_p384_claims_es256 };

	(void)state;
	/* Both verification paths: libfido2 (ES256 key), OpenSSL (ES512). */
	assert_int_equal(reg(cred(ALG_ES512), &p, &h), WA_ERR_ATT_SIG);
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
}

/* An RS256 signature by a 1024-bit attestation key. */
static int
hook_rsa1024(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	struct sa_cert_opts	 o = {
		.aaguid = (const unsigned char *)SA_AAGUID };
	struct sa_cred		*leaf = NULL;
	EVP_PKEY		*pkey;
	struct sa_bytes		 tbs = { NULL, 0 };
	unsigned char		*der = NULL, *sig = NULL;
	cbor_item_t		*x5c = NULL;
	size_t			 len, sig_len;
	int			 r = -1;

	(void)arg;
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024)) ==
	    NULL ||
	    (leaf = sa_cred_from_pkey(WA_COSE_RS256, pkey)) == NULL ||
	    (der = sa_ca_issue(sa_ca_default(), leaf, &o, &len)) == NULL ||
	    sa_bytes_set(&tbs, ctx->authdata, ctx->authdata_len) < 0 ||
	    sa_bytes_append(&tbs, ctx->cdh, 32) < 0 ||
	    sa_cred_sign(leaf, tbs.ptr, tbs.len, &sig, &sig_len) < 0 ||
	    (x5c = cbor_new_definite_array(1)) == NULL ||
	    !cbor_array_push(x5c, cbor_move(cbor_build_bytestring(der, len))))
		goto fail;
	if (sa_cbor_map_put(stmt, "alg", sa_cbor_int(WA_COSE_RS256)) < 0 ||
	    sa_cbor_map_put(stmt, "sig", cbor_build_bytestring(sig,
	    sig_len)) < 0 ||
	    sa_cbor_map_put(stmt, "x5c", cbor_incref(x5c)) < 0)
		goto fail;
	r = 0;
fail:
	if (x5c != NULL)
		cbor_decref(&x5c);
	free(tbs.ptr);
	free(der);
	free(sig);
	sa_cred_free(&leaf);
	EVP_PKEY_free(pkey);

	return (r);
}

static void
x5c_rsa_1024_key(void **state)
{
	struct sa_params	p = params("packed-x5c");
	struct sa_hooks		h = { .attstmt = hook_rsa1024 };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES512), &p, &h), WA_ERR_ATT_SIG);
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATT_SIG);
}

static void
x5c_alg_unsupported(void **state)
{
	(void)state;
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "alg", WA_COSE_RS1, false, false }),
	    WA_ERR_UNSUPPORTED_ALG);
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "alg", -47, false, false }),
	    WA_ERR_UNSUPPORTED_ALG);
}

/* §8.2.1: the attestation certificate. */

static int
with_leaf(struct sa_cert_opts o)
{
	struct sa_params	p = params("packed-x5c");
	struct sa_hooks		h = { .leaf = &o };

	return (reg(cred(ALG_ES256), &p, &h));
}

#define AAG ((const unsigned char *)SA_AAGUID)

static void
leaf_default_meets_requirements(void **state)
{
	(void)state;
	assert_int_equal(with_leaf((struct sa_cert_opts){ .aaguid = AAG }),
	    WA_OK);
	/* The AAGUID extension is optional. */
	assert_int_equal(with_leaf((struct sa_cert_opts){ 0 }), WA_OK);
}

static void
leaf_version_1(void **state)
{
	(void)state;
	assert_int_equal(with_leaf((struct sa_cert_opts){ .version = 1 }),
	    WA_ERR_ATT_CERT);
}

static void
leaf_is_ca(void **state)
{
	(void)state;
	assert_int_equal(with_leaf((struct sa_cert_opts){ .bc = SA_BC_CA,
	    .aaguid = AAG }), WA_ERR_ATT_CERT);
}

static void
leaf_without_basic_constraints(void **state)
{
	(void)state;
	assert_int_equal(with_leaf((struct sa_cert_opts){ .bc = SA_BC_NONE,
	    .aaguid = AAG }), WA_ERR_ATT_CERT);
}

static void
leaf_subject_incomplete(void **state)
{
	static const char *const subjects[] = {
		"/O=softauth/OU=Authenticator Attestation/CN=x",
		"/C=US/OU=Authenticator Attestation/CN=x",
		"/C=US/O=softauth/CN=x",
		"/C=US/O=softauth/OU=Authenticator Attestation",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
		if (with_leaf((struct sa_cert_opts){ .subject = subjects[i],
		    .aaguid = AAG }) != WA_ERR_ATT_CERT)
			fail_msg("subject \"%s\"", subjects[i]);
}

static void
leaf_ou_wrong(void **state)
{
	static const char *const subjects[] = {
		"/C=US/O=s/OU=Authenticator attestation/CN=x",
		"/C=US/O=s/OU=Authenticator Attestation /CN=x",
		"/C=US/O=s/OU=Authenticator/CN=x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
		if (with_leaf((struct sa_cert_opts){ .subject = subjects[i],
		    .aaguid = AAG }) != WA_ERR_ATT_CERT)
			fail_msg("subject \"%s\"", subjects[i]);
}

static void
aaguid_mismatch(void **state)
{
	(void)state;
	assert_int_equal(with_leaf((struct sa_cert_opts){
	    .aaguid = (const unsigned char *)"another-aaguid!!" }),
	    WA_ERR_AAGUID);
}

static void
aaguid_critical(void **state)
{
	(void)state;
	assert_int_equal(with_leaf((struct sa_cert_opts){ .aaguid = AAG,
	    .aaguid_critical = true }), WA_ERR_ATT_CERT);
}

static void
aaguid_malformed(void **state)
{
	static const unsigned char bare[16] = "softauth-aaguid!";
	static const unsigned char longer[19] = {
		0x04, 0x11, 's', 'o', 'f', 't', 'a', 'u', 't', 'h', '-', 'a',
		'a', 'g', 'u', 'i', 'd', '!', 0,
	};
	struct sa_cert_ext e = { "1.3.6.1.4.1.45724.1.1.4", false, bare,
	    sizeof(bare) };

	(void)state;
	/* The 16 bytes not wrapped in an OCTET STRING. */
	assert_int_equal(with_leaf((struct sa_cert_opts){ .exts = &e,
	    .nexts = 1 }), WA_ERR_AAGUID);
	e.der = longer;
	e.der_len = sizeof(longer);
	assert_int_equal(with_leaf((struct sa_cert_opts){ .exts = &e,
	    .nexts = 1 }), WA_ERR_AAGUID);
}

/* The x5c array. */

struct x5c_edit {
	size_t			 n;	/* entries */
	const unsigned char	*der;	/* replaces entry 0 */
	size_t			 der_len;
	bool			 text;	/* entry 0 as text */
	bool			 not_array;
	bool			 trailing;	/* append a byte to entry 0 */
};

static int
hook_x5c(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	const struct x5c_edit	*e = arg;
	const cbor_item_t	*old = NULL;
	cbor_item_t		*arr, *leaf;
	struct cbor_pair	*pairs = cbor_map_handle(*stmt);
	struct sa_bytes		 b = { NULL, 0 };

	(void)ctx;
	for (size_t i = 0; i < cbor_map_size(*stmt); i++)
		if (cbor_string_length(pairs[i].key) == 3 &&
		    memcmp(cbor_string_handle(pairs[i].key), "x5c", 3) == 0)
			old = pairs[i].value;
	if (old == NULL)
		return (-1);
	if (e->not_array)
		return (sa_cbor_map_put(stmt, "x5c",
		    cbor_incref(cbor_array_handle(old)[0])));
	leaf = cbor_array_handle(old)[0];
	if (sa_bytes_set(&b, cbor_bytestring_handle(leaf),
	    cbor_bytestring_length(leaf)) < 0)
		return (-1);
	if (e->der != NULL && sa_bytes_set(&b, e->der, e->der_len) < 0)
		return (-1);
	if (e->trailing && sa_bytes_append(&b, "", 1) < 0)
		return (-1);
	arr = cbor_new_definite_array(e->n);
	for (size_t i = 0; i < e->n; i++)
		(void)cbor_array_push(arr, cbor_move(e->text ?
		    cbor_build_string("MIIB") :
		    cbor_build_bytestring(b.ptr, b.len)));
	free(b.ptr);

	return (sa_cbor_map_put(stmt, "x5c", arr));
}

static int
x5c_edit(struct x5c_edit e)
{
	struct sa_params	p = params("packed-x5c");
	struct sa_hooks		h = { .attstmt = hook_x5c, .arg = &e };

	return (reg(cred(ALG_ES256), &p, &h));
}

static void
x5c_empty(void **state)
{
	(void)state;
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = 0 }),
	    WA_ERR_ATTSTMT);
}

static void
x5c_not_array(void **state)
{
	(void)state;
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = 1,
	    .not_array = true }), WA_ERR_ATTSTMT);
}

static void
x5c_entry_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = 1, .text = true }),
	    WA_ERR_ATTSTMT);
}

static void
x5c_too_many(void **state)
{
	(void)state;
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = WA_MAX_X5C }),
	    WA_OK);
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = WA_MAX_X5C + 1 }),
	    WA_ERR_ATTSTMT);
}

static void
x5c_garbage(void **state)
{
	(void)state;
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = 1,
	    .der = (const unsigned char *)"\x30\x03\x02\x01\x01",
	    .der_len = 5 }), WA_ERR_ATT_CERT);
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = 1,
	    .der = (const unsigned char *)"", .der_len = 0 }),
	    WA_ERR_ATT_CERT);
}

static void
x5c_der_trailing_bytes(void **state)
{
	(void)state;
	assert_int_equal(x5c_edit((struct x5c_edit){ .n = 1,
	    .trailing = true }), WA_ERR_ATT_CERT);
}

static void
x5c_missing_turns_self(void **state)
{
	(void)state;
	/* Without x5c the leaf's signature is checked as self. */
	assert_int_equal(put("packed-x5c", ALG_ES256,
	    (struct put){ "x5c", 0, true, false }), WA_ERR_ATT_SIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(self_each_alg),
		cmocka_unit_test(self_each_alg_with_extensions),
		cmocka_unit_test(self_without_user_presence),
		cmocka_unit_test(self_signature_corrupt),
		cmocka_unit_test(self_der_signature_trailing_bytes),
		cmocka_unit_test(self_signed_by_other_key),
		cmocka_unit_test(self_alg_mismatch),
		cmocka_unit_test(self_alg_unsupported),
		cmocka_unit_test(sig_missing),
		cmocka_unit_test(sig_not_bytes),
		cmocka_unit_test(alg_missing),
		cmocka_unit_test(alg_not_int),
		cmocka_unit_test(ecdaa_key_id),
		cmocka_unit_test(unknown_member),
		cmocka_unit_test(sig_empty),
		cmocka_unit_test(x5c_untrusted_without_anchors),
		cmocka_unit_test(x5c_trusted_with_anchor),
		cmocka_unit_test(x5c_trusted_with_ca_in_chain),
		cmocka_unit_test(x5c_trusted_anchor_pem),
		cmocka_unit_test(x5c_wrong_anchor),
		cmocka_unit_test(x5c_any_of_two_anchors),
		cmocka_unit_test(x5c_leaf_as_anchor),
		cmocka_unit_test(x5c_policy_trusted),
		cmocka_unit_test(x5c_clock_after_expiry),
		cmocka_unit_test(x5c_clock_before_validity),
		cmocka_unit_test(x5c_leaf_algs),
		cmocka_unit_test(x5c_signature_corrupt),
		cmocka_unit_test(x5c_der_signature_trailing_bytes),
		cmocka_unit_test(x5c_signed_by_credential),
		cmocka_unit_test(x5c_alg_mismatch),
		cmocka_unit_test(x5c_p384_key_claims_es256),
		cmocka_unit_test(x5c_rsa_1024_key),
		cmocka_unit_test(x5c_alg_unsupported),
		cmocka_unit_test(leaf_default_meets_requirements),
		cmocka_unit_test(leaf_version_1),
		cmocka_unit_test(leaf_is_ca),
		cmocka_unit_test(leaf_without_basic_constraints),
		cmocka_unit_test(leaf_subject_incomplete),
		cmocka_unit_test(leaf_ou_wrong),
		cmocka_unit_test(aaguid_mismatch),
		cmocka_unit_test(aaguid_critical),
		cmocka_unit_test(aaguid_malformed),
		cmocka_unit_test(x5c_empty),
		cmocka_unit_test(x5c_not_array),
		cmocka_unit_test(x5c_entry_not_bytes),
		cmocka_unit_test(x5c_too_many),
		cmocka_unit_test(x5c_garbage),
		cmocka_unit_test(x5c_der_trailing_bytes),
		cmocka_unit_test(x5c_missing_turns_self),
	};

	return (GROUP(tests));
}
