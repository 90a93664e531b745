/*
 * webauthn_assert.c: the authentication ceremony, WebAuthn §7.2, through
 * wa_assert_parse(), wa_assert_set_stored() and wa_assert_verify(): every
 * algorithm on both verification paths (libfido2 for ES256, ES384, EdDSA
 * and 2048-bit RS256; OpenSSL for the others and whenever extensions are
 * present), signatures, the counter, backup flags, UP and UV,
 * allowCredentials, user handles, and the response members and caps.
 */
#include "regress.h"

static const uint8_t ed_ext[] = {
	0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e', 'c', 't',
	0x01,
};

static char *
make(size_t alg)
{
	struct sa_params p = aparams();

	return (sa_make_assertion(cred(alg), &p));
}

/* Sets a base64url member of json (freed) to p. */
static char *
edit_b64(char *json, const char *path, const unsigned char *p, size_t n)
{
	char *out;

	assert_non_null(json);
	out = sa_json_edit_b64(json, path, p, n);
	free(json);
	assert_non_null(out);

	return (out);
}

/* Verifies json (freed) for credential alg with the default records. */
static int
verify_as(size_t alg, char *json)
{
	struct wa_rp	*rp = rp_new();
	struct stored	 s = stored();
	int		 r;

	r = assert_json(cred(alg), &s, rp, json);
	wa_rp_free(&rp);

	return (r);
}

/* Positive cases. */

static void
each_alg_asserts(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_assert	*a;
	struct stored		 s = stored();

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		assert_int_equal(assert_json_keep(cred(i), &s, rp, make(i),
		    &a), WA_OK);
		assert_int_equal(wa_assert_alg(a), regress_cose_alg(i));
		assert_int_equal(wa_assert_sign_count(a), 1);
		assert_int_equal(wa_assert_flags(a), WA_FLAG_UP | WA_FLAG_UV);
		assert_int_equal(wa_assert_cred_id_len(a),
		    sa_cred_id_len(cred(i)));
		assert_memory_equal(wa_assert_cred_id_ptr(a),
		    sa_cred_id_ptr(cred(i)), sa_cred_id_len(cred(i)));
		assert_int_equal(wa_assert_user_handle_len(a), UH_LEN);
		assert_memory_equal(wa_assert_user_handle_ptr(a), UH, UH_LEN);
		wa_assert_free(&a);
		wa_assert_free(&a);
	}
	wa_rp_free(&rp);
}

static void
each_alg_with_extensions(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .ext = ed_ext,
				    .ext_len = sizeof(ed_ext) };

	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(as(cred(i), &p, &h, NULL), WA_OK);
}

static void
counter_zero_both(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	/* Authenticators without a counter always send 0. */
	p.sign_count = 0;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_OK);
	assert_int_equal(as(cred(ALG_EDDSA), &p, NULL, NULL), WA_OK);
}

static void
counter_increases(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.count = 41;
	p.sign_count = 42;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_OK);
	s.count = 0xfffffffe;
	p.sign_count = 0xffffffff;
	assert_int_equal(as(cred(ALG_ES512), &p, NULL, &s), WA_OK);
}

static void
backup_eligible_and_state(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.be = true;
	p.flags |= WA_FLAG_BE | WA_FLAG_BS;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_OK);
	p.flags &= (uint8_t)~WA_FLAG_BS;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_OK);
}

static void
uv_required_and_set(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = aparams();

	(void)state;
	assert_int_equal(wa_rp_set_require_uv(rp, true), WA_OK);
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(as_rp(cred(i), &p, NULL, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
uv_not_required(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.flags = WA_FLAG_UP;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_OK);
}

static void
user_handle_absent(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	/* The user was identified first: no handle is needed. */
	p.user_handle = NULL;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_OK);
}

static void
user_handle_null(void **state)
{
	(void)state;
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256),
	    "response.userHandle", json_null())), WA_OK);
}

static void
user_handle_not_stored(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	/* The caller chose not to compare handles. */
	s.uh = NULL;
	s.uh_len = 0;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_OK);
}

static void
discoverable_with_user_handle(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.discoverable = true;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_OK);
}

static void
allow_credentials_match(void **state)
{
	struct sa_params	 p = aparams();
	struct stored		 s = stored();
	struct wa_rp		*rp = rp_new();
	struct wa_assert	*a;
	char			*json;

	(void)state;
	s.allow = sa_cred_id_ptr(cred(ALG_ES256));
	s.allow_len = sa_cred_id_len(cred(ALG_ES256));
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_OK);
	/* Among several. */
	assert_non_null(a = wa_assert_new());
	json = sa_make_assertion(cred(ALG_ES256), &p);
	assert_int_equal(wa_assert_parse(a, json, strlen(json)), WA_OK);
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(wa_assert_add_allowed(a,
		    sa_cred_id_ptr(cred(NALGS - 1 - i)),
		    sa_cred_id_len(cred(NALGS - 1 - i))), WA_OK);
	assert_int_equal(wa_assert_set_stored(a,
	    sa_cred_cose_ptr(cred(ALG_ES256)),
	    sa_cred_cose_len(cred(ALG_ES256)), 0, false, UH, UH_LEN), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_OK);
	free(json);
	wa_assert_free(&a);
	wa_rp_free(&rp);
}

static void
bom_clientdata_accepted(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .cd_bom = true };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_OK);
}

static void
reverify_same_object(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_assert	*a;
	char			*json = make(ALG_ES256);

	(void)state;
	assert_non_null(a = wa_assert_new());
	assert_int_equal(wa_assert_parse(a, json, strlen(json)), WA_OK);
	assert_int_equal(wa_assert_set_stored(a,
	    sa_cred_cose_ptr(cred(ALG_ES256)),
	    sa_cred_cose_len(cred(ALG_ES256)), 0, false, UH, UH_LEN), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_OK);
	/* A failed parse leaves nothing behind. */
	assert_int_equal(wa_assert_parse(a, "{", 1), WA_ERR_JSON);
	assert_null(wa_assert_cred_id_ptr(a));
	assert_null(wa_assert_user_handle_ptr(a));
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_ERR_ARG);
	free(json);
	wa_assert_free(&a);
	wa_rp_free(&rp);
}

/* §7.2 step 21: the signature. */

static void
signature_corrupt(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .sig = hook_flip_last };

	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(as(cred(i), &p, &h, NULL), WA_ERR_SIG);
}

static void
signature_corrupt_with_extensions(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .sig = hook_flip_last, .ext = ed_ext,
				    .ext_len = sizeof(ed_ext) };

	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(as(cred(i), &p, &h, NULL), WA_ERR_SIG);
}

static void
der_signature_trailing_bytes(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .sig = hook_append_zero };

	(void)state;
	for (size_t i = ALG_ES256; i <= ALG_ES512; i++)
		assert_int_equal(as(cred(i), &p, &h, NULL), WA_ERR_SIG);
	h.ext = ed_ext;
	h.ext_len = sizeof(ed_ext);
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_SIG);
}

/* r and s as raw 32-byte integers, as COSE and JWS encode them. */
static int
hook_der_to_raw(struct sa_bytes *b, void *arg)
{
	unsigned char raw[64];

	(void)arg;
	memset(raw, 0x11, sizeof(raw));
	return (sa_bytes_set(b, raw, sizeof(raw)));
}

static void
raw_ecdsa_signature(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .sig = hook_der_to_raw };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_SIG);
	assert_int_equal(as(cred(ALG_ES512), &p, &h, NULL), WA_ERR_SIG);
}

/* DER with a redundant leading zero on r: BER, not DER. */
static int
hook_der_pad(struct sa_bytes *b, void *arg)
{
	struct sa_bytes	c = { NULL, 0 };
	size_t		rlen;
	int		r;

	(void)arg;
	/* 30 L 02 rl r 02 sl s, short form lengths for P-256. */
	if (b->len < 8 || b->ptr[0] != 0x30 || b->ptr[2] != 0x02)
		return (-1);
	rlen = b->ptr[3];
	if (sa_bytes_set(&c, "\x30", 1) < 0 ||
	    sa_bytes_append(&c, (unsigned char []){ (unsigned char)
	    (b->ptr[1] + 1), 0x02, (unsigned char)(rlen + 1), 0x00 }, 4) < 0 ||
	    sa_bytes_append(&c, b->ptr + 4, b->len - 4) < 0)
		return (-1);
	r = sa_bytes_set(b, c.ptr, c.len);
	free(c.ptr);

	return (r);
}

static void
ber_signature(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .sig = hook_der_pad };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_SIG);
	h.ext = ed_ext;
	h.ext_len = sizeof(ed_ext);
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_SIG);
}

static void
signature_by_other_key(void **state)
{
	struct sa_params	 p = aparams();
	struct sa_hooks		 h;
	struct sa_cred		*other;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < NALGS; i++) {
		assert_non_null(other = sa_cred_new(regress_cose_alg(i)));
		h.signer = other;
		assert_int_equal(as(cred(i), &p, &h, NULL), WA_ERR_SIG);
		sa_cred_free(&other);
	}
}

static void
signature_by_other_alg(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h;

	(void)state;
	/* Stored ES256 key, EdDSA and RS256 signatures; and back. */
	memset(&h, 0, sizeof(h));
	h.signer = cred(ALG_EDDSA);
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_SIG);
	h.signer = cred(ALG_RS256);
	assert_int_equal(as(cred(ALG_PS256), &p, &h, NULL), WA_ERR_SIG);
	h.signer = cred(ALG_PS256);
	assert_int_equal(as(cred(ALG_RS256), &p, &h, NULL), WA_ERR_SIG);
	h.signer = cred(ALG_ES384);
	assert_int_equal(as(cred(ALG_ES512), &p, &h, NULL), WA_ERR_SIG);
}

static int
hook_empty(struct sa_bytes *b, void *arg)
{
	(void)arg;
	b->len = 0;

	return (0);
}

static void
signature_empty(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .sig = hook_empty };
	int			r;
	bool			ok = true;

	(void)state;
	/* An empty signature is a bad signature, on either path. */
	for (size_t i = 0; i < NALGS; i++)
		if ((r = as(cred(i), &p, &h, NULL)) != WA_ERR_SIG) {
			print_error("alg %d: %s, want bad_signature\n",
			    regress_cose_alg(i), wa_errname(r));
			ok = false;
		}
	assert_true(ok);
}

static void
signature_too_large(void **state)
{
	unsigned char	*big;
	char		*json;

	(void)state;
	assert_non_null(big = calloc(1, WA_MAX_SIG + 1));
	json = edit_b64(make(ALG_ES256), "response.signature", big,
	    WA_MAX_SIG + 1);
	free(big);
	assert_int_equal(verify_as(ALG_ES256, json), WA_ERR_TOO_LARGE);
}

/* §7.2 step 22: the signature counter. */

static void
counter_regress(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_assert	*a;
	struct sa_params	 p = aparams();
	struct stored		 s = stored();

	(void)state;
	s.count = 5;
	p.sign_count = 3;
	p.flags |= WA_FLAG_BE | WA_FLAG_BS;
	s.be = true;
	for (size_t i = 0; i < NALGS; i++) {
		assert_int_equal(assert_json_keep(cred(i), &s, rp,
		    sa_make_assertion(cred(i), &p), &a), WA_ERR_SIGN_COUNT);
		/* Everything else verified: the getters say what. */
		assert_int_equal(wa_assert_alg(a), regress_cose_alg(i));
		assert_int_equal(wa_assert_sign_count(a), 3);
		assert_int_equal(wa_assert_flags(a), WA_FLAG_UP | WA_FLAG_UV |
		    WA_FLAG_BE | WA_FLAG_BS);
		wa_assert_free(&a);
	}
	wa_rp_free(&rp);
}

static void
counter_equal(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.count = 7;
	p.sign_count = 7;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_SIGN_COUNT);
}

static void
counter_reset_to_zero(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.count = 7;
	p.sign_count = 0;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_SIGN_COUNT);
}

static void
counter_regress_bad_signature_first(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .sig = hook_flip_last };
	struct stored		s = stored();

	(void)state;
	/* A clone signal is only raised for a genuine signature. */
	s.count = 9;
	p.sign_count = 1;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, &s), WA_ERR_SIG);
}

/* §7.2 steps 15-19: authenticator data. */

static void
rp_id_mismatch(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.rp_id = "example.org";
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(as(cred(i), &p, NULL, NULL), WA_ERR_RPID);
}

static void
user_not_present(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.flags = WA_FLAG_UV;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_ERR_UP);
	assert_int_equal(as(cred(ALG_PS256), &p, NULL, NULL), WA_ERR_UP);
}

static void
user_not_present_despite_policy(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = aparams();

	(void)state;
	/* The registration-only exception does not cover assertions. */
	assert_int_equal(wa_rp_set_insecure_no_user_presence(rp, true),
	    WA_OK);
	p.flags = WA_FLAG_UV;
	assert_int_equal(as_rp(cred(ALG_ES256), &p, NULL, NULL, rp), WA_ERR_UP);
	wa_rp_free(&rp);
}

static void
user_not_verified(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = aparams();

	(void)state;
	assert_int_equal(wa_rp_set_require_uv(rp, true), WA_OK);
	p.flags = WA_FLAG_UP;
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(as_rp(cred(i), &p, NULL, NULL, rp),
		    WA_ERR_UV);
	wa_rp_free(&rp);
}

static void
backup_state_without_eligibility(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.flags |= WA_FLAG_BS;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_ERR_BACKUP);
}

static void
backup_eligibility_lost(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.be = true;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_BACKUP);
}

static void
backup_eligibility_gained(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.flags |= WA_FLAG_BE;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_ERR_BACKUP);
}

static void
backup_eligibility_unknown(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_assert	*a;
	struct sa_params	 p = aparams();
	char			*json;

	(void)state;
	/* Stored BE true, response BE clear: step 19 skipped on request. */
	assert_non_null(json = sa_make_assertion(cred(ALG_ES256), &p));
	assert_non_null(a = wa_assert_new());
	assert_int_equal(wa_assert_parse(a, json, strlen(json)), WA_OK);
	assert_int_equal(wa_assert_set_stored(a,
	    sa_cred_cose_ptr(cred(ALG_ES256)),
	    sa_cred_cose_len(cred(ALG_ES256)), 0, true, UH, UH_LEN), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN),
	    WA_ERR_BACKUP);
	assert_int_equal(wa_assert_set_insecure_any_backup_eligibility(a,
	    true), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_OK);
	free(json);
	wa_assert_free(&a);
	/* BS without BE stays wrong (step 18). */
	p.flags |= WA_FLAG_BS;
	assert_non_null(json = sa_make_assertion(cred(ALG_ES256), &p));
	assert_non_null(a = wa_assert_new());
	assert_int_equal(wa_assert_parse(a, json, strlen(json)), WA_OK);
	assert_int_equal(wa_assert_set_stored(a,
	    sa_cred_cose_ptr(cred(ALG_ES256)),
	    sa_cred_cose_len(cred(ALG_ES256)), 0, false, UH, UH_LEN), WA_OK);
	assert_int_equal(wa_assert_set_insecure_any_backup_eligibility(a,
	    true), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN),
	    WA_ERR_BACKUP);
	assert_int_equal(wa_assert_set_insecure_any_backup_eligibility(NULL,
	    true), WA_ERR_ARG);
	free(json);
	wa_assert_free(&a);
	wa_rp_free(&rp);
}

static void
attested_data_in_assertion(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.flags |= WA_FLAG_AT;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_ERR_AUTHDATA);
}

static void
authdata_trailing_bytes(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .authdata = hook_append_zero };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_AUTHDATA);
	assert_int_equal(as(cred(ALG_ES512), &p, &h, NULL), WA_ERR_AUTHDATA);
}

static int
hook_truncate(struct sa_bytes *b, void *arg)
{
	(void)arg;
	b->len--;

	return (0);
}

static void
authdata_truncated(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .authdata = hook_truncate };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_AUTHDATA);
}

static void
authdata_ed_without_extensions(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.flags |= WA_FLAG_ED;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_ERR_AUTHDATA);
}

static void
authdata_too_large(void **state)
{
	unsigned char	*big;
	char		*json;

	(void)state;
	assert_non_null(big = calloc(1, WA_MAX_AUTHDATA + 1));
	json = edit_b64(make(ALG_ES256), "response.authenticatorData", big,
	    WA_MAX_AUTHDATA + 1);
	free(big);
	assert_int_equal(verify_as(ALG_ES256, json), WA_ERR_TOO_LARGE);
}

/* §7.2 steps 8-14: client data. */

static void
client_data_type_create(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .cd_type = "webauthn.create" };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL), WA_ERR_TYPE);
}

static void
challenge_mismatch(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.challenge = (const unsigned char *)"another challenge, 32 bytes long";
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_ERR_CHALLENGE);
}

static void
origin_mismatch(void **state)
{
	struct sa_params p = aparams();

	(void)state;
	p.origin = "https://evil.example";
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, NULL), WA_ERR_ORIGIN);
}

static void
cross_origin_refused(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = { .cross_origin = SA_CROSS_TRUE };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL),
	    WA_ERR_CROSS_ORIGIN);
}

static void
top_origin_mismatch(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = aparams();
	struct sa_hooks		 h = { .cross_origin = SA_CROSS_TRUE,
				    .top_origin = "https://evil.example" };

	(void)state;
	assert_int_equal(wa_rp_set_allow_cross_origin(rp, true), WA_OK);
	assert_int_equal(wa_rp_add_top_origin(rp, "https://top.example"),
	    WA_OK);
	assert_int_equal(as_rp(cred(ALG_ES256), &p, &h, NULL, rp),
	    WA_ERR_TOP_ORIGIN);
	h.top_origin = "https://top.example";
	assert_int_equal(as_rp(cred(ALG_ES256), &p, &h, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
token_binding_bad_status(void **state)
{
	struct sa_params	p = aparams();
	struct sa_hooks		h = {
		.cd_extra = "\"tokenBinding\":{\"status\":\"absent\"}" };

	(void)state;
	assert_int_equal(as(cred(ALG_ES256), &p, &h, NULL),
	    WA_ERR_TOKEN_BINDING);
}

static void
client_data_swapped(void **state)
{
	struct sa_params	 p = aparams();
	unsigned char		*cd;
	size_t			 n;
	char			*other, *json;

	(void)state;
	/* Client data of another ceremony, signature of this one. */
	p.challenge = (const unsigned char *)"another challenge, 32 bytes long";
	other = make(ALG_ES256);
	json = sa_make_assertion(cred(ALG_ES256), &p);
	assert_int_equal(sa_json_get_b64(other, "response.clientDataJSON",
	    &cd, &n), 0);
	free(other);
	other = sa_json_edit_b64(json, "response.clientDataJSON", cd, n);
	free(json);
	free(cd);
	assert_int_equal(verify_as(ALG_ES256, other), WA_ERR_SIG);
}

/* §7.2 steps 5-6: allowCredentials and the user handle. */

static void
not_in_allow_credentials(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.allow = sa_cred_id_ptr(cred(ALG_EDDSA));
	s.allow_len = sa_cred_id_len(cred(ALG_EDDSA));
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_NOT_ALLOWED);
	/* A prefix of the id is another id. */
	s.allow = sa_cred_id_ptr(cred(ALG_ES256));
	s.allow_len = sa_cred_id_len(cred(ALG_ES256)) - 1;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_NOT_ALLOWED);
}

static void
user_handle_mismatch(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.uh = (const unsigned char *)"user-handle-0002";
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s),
	    WA_ERR_USER_HANDLE);
	/* Same prefix, different length. */
	s.uh = UH;
	s.uh_len = UH_LEN - 1;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s),
	    WA_ERR_USER_HANDLE);
}

static void
discoverable_without_user_handle(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	p.user_handle = NULL;
	s.discoverable = true;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s),
	    WA_ERR_USER_HANDLE);
}

static void
user_handle_empty(void **state)
{
	(void)state;
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256),
	    "response.userHandle", json_string(""))), WA_ERR_USER_HANDLE);
}

static void
user_handle_too_long(void **state)
{
	unsigned char	 uh[WA_MAX_USER_HANDLE + 1];
	char		*json;

	(void)state;
	memset(uh, 'u', sizeof(uh));
	json = edit_b64(make(ALG_ES256), "response.userHandle", uh,
	    sizeof(uh));
	assert_int_equal(verify_as(ALG_ES256, json), WA_ERR_TOO_LARGE);
}

static void
user_handle_max(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();
	unsigned char		uh[WA_MAX_USER_HANDLE];

	(void)state;
	memset(uh, 'u', sizeof(uh));
	p.user_handle = uh;
	p.user_handle_len = sizeof(uh);
	s.uh = uh;
	s.uh_len = sizeof(uh);
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_OK);
}

static void
user_handle_not_base64url(void **state)
{
	(void)state;
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256),
	    "response.userHandle", json_string("dXNlcg=="))), WA_ERR_B64);
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256),
	    "response.userHandle", json_integer(1))), WA_ERR_JSON);
}

/* The AuthenticationResponseJSON. */

static void
id_differs_from_raw_id(void **state)
{
	char *id;

	(void)state;
	assert_non_null(id = sa_b64url(sa_cred_id_ptr(cred(ALG_EDDSA)),
	    sa_cred_id_len(cred(ALG_EDDSA))));
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256), "id",
	    json_string(id))), WA_ERR_CRED_ID);
	free(id);
}

static void
id_too_long(void **state)
{
	unsigned char	 id[1024];
	char		*json, *s;

	(void)state;
	memset(id, 1, sizeof(id));
	assert_non_null(s = sa_b64url(id, sizeof(id)));
	json = edit(make(ALG_ES256), "id", json_string(s));
	json = edit(json, "rawId", json_string(s));
	free(s);
	assert_int_equal(verify_as(ALG_ES256, json), WA_ERR_CRED_ID);
}

static void
type_not_public_key(void **state)
{
	(void)state;
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256), "type",
	    json_string("public-key\xc2\xa0"))), WA_ERR_CRED_TYPE);
}

static void
member_missing(void **state)
{
	static const char *const members[] = {
		"response.clientDataJSON", "response.authenticatorData",
		"response.signature", "response", "id", "rawId", "type",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (verify_as(ALG_ES256, edit(make(ALG_ES256), members[i],
		    NULL)) != WA_ERR_JSON)
			fail_msg("%s", members[i]);
}

static void
signature_not_base64url(void **state)
{
	(void)state;
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256),
	    "response.signature", json_string("MEUCIQ+/"))), WA_ERR_B64);
}

static void
response_too_large(void **state)
{
	char	*pad;
	json_t	*v;

	(void)state;
	assert_non_null(pad = malloc(WA_MAX_RESPONSE_JSON + 1));
	memset(pad, ' ', WA_MAX_RESPONSE_JSON);
	pad[WA_MAX_RESPONSE_JSON] = '\0';
	v = json_string(pad);
	free(pad);
	assert_int_equal(verify_as(ALG_ES256, edit(make(ALG_ES256),
	    "clientExtensionResults.pad", v)), WA_ERR_TOO_LARGE);
}

/* The stored credential. */

static void
stored_key_malformed(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.cose = (const unsigned char *)"\xa1\x01\x02";
	s.cose_len = 3;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_COSE);
	s.cose = (const unsigned char *)"\xbf\xff";
	s.cose_len = 2;
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_COSE);
}

static void
stored_key_off_curve(void **state)
{
	struct sa_params	 p = aparams();
	struct stored		 s = stored();
	unsigned char		*key;

	(void)state;
	for (size_t i = ALG_ES256; i <= ALG_ES512; i++) {
		s.cose_len = sa_cred_cose_len(cred(i));
		assert_non_null(key = malloc(s.cose_len));
		memcpy(key, sa_cred_cose_ptr(cred(i)), s.cose_len);
		key[s.cose_len - 1] ^= 1;
		s.cose = key;
		assert_int_equal(as(cred(i), &p, NULL, &s), WA_ERR_COSE);
		free(key);
	}
}

static void
stored_key_unsupported(void **state)
{
	struct sa_params	 p = aparams();
	struct stored		 s = stored();
	unsigned char		 key[80];
	size_t			 n;

	(void)state;
	/* An Ed448 key on record. */
	n = unhex("a4 01 01 03 27 20 07 21 58 39"
	    "0101010101010101010101010101010101010101010101010101010101"
	    "01010101010101010101010101010101010101010101010101010101", key,
	    sizeof(key));
	s.cose = key;
	s.cose_len = n;
	assert_int_equal(as(cred(ALG_EDDSA), &p, NULL, &s),
	    WA_ERR_UNSUPPORTED_ALG);
}

static void
stored_key_of_other_credential(void **state)
{
	struct sa_params	p = aparams();
	struct stored		s = stored();

	(void)state;
	s.cose = sa_cred_cose_ptr(cred(ALG_ES384));
	s.cose_len = sa_cred_cose_len(cred(ALG_ES384));
	assert_int_equal(as(cred(ALG_ES256), &p, NULL, &s), WA_ERR_SIG);
}

/* Arguments and call order. */

static void
bad_arguments(void **state)
{
	struct wa_rp		*rp = rp_new(), *empty = wa_rp_new();
	struct wa_assert	*a;
	char			*json = make(ALG_ES256);
	const unsigned char	*k = sa_cred_cose_ptr(cred(ALG_ES256));
	size_t			 kl = sa_cred_cose_len(cred(ALG_ES256));
	unsigned char		 big[WA_MAX_CRED_ID + 1];

	(void)state;
	memset(big, 0, sizeof(big));
	assert_non_null(a = wa_assert_new());
	assert_int_equal(wa_assert_parse(NULL, json, strlen(json)), WA_ERR_ARG);
	assert_int_equal(wa_assert_parse(a, NULL, 0), WA_ERR_ARG);
	/* Not parsed yet. */
	assert_int_equal(wa_assert_set_stored(a, k, kl, 0, false, NULL, 0),
	    WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_ERR_ARG);
	wa_assert_free(&a);
	assert_non_null(a = wa_assert_new());
	assert_int_equal(wa_assert_parse(a, json, strlen(json)), WA_OK);
	/* No stored credential yet. */
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_ERR_ARG);
	assert_int_equal(wa_assert_set_stored(a, NULL, kl, 0, false, NULL, 0),
	    WA_ERR_ARG);
	assert_int_equal(wa_assert_set_stored(a, k, 0, 0, false, NULL, 0),
	    WA_ERR_ARG);
	assert_int_equal(wa_assert_set_stored(a, k, WA_MAX_COSE_KEY + 1, 0,
	    false, NULL, 0), WA_ERR_ARG);
	assert_int_equal(wa_assert_set_stored(a, k, kl, 0, false, NULL, 1),
	    WA_ERR_ARG);
	assert_int_equal(wa_assert_set_stored(a, k, kl, 0, false, UH,
	    WA_MAX_USER_HANDLE + 1), WA_ERR_ARG);
	assert_int_equal(wa_assert_add_allowed(a, NULL, 1), WA_ERR_ARG);
	assert_int_equal(wa_assert_add_allowed(a, big, 0), WA_ERR_ARG);
	assert_int_equal(wa_assert_add_allowed(a, big, sizeof(big)),
	    WA_ERR_ARG);
	assert_int_equal(wa_assert_set_discoverable(NULL, true), WA_ERR_ARG);
	assert_int_equal(wa_assert_set_stored(a, k, kl, 0, false, UH, UH_LEN),
	    WA_OK);
	assert_int_equal(wa_assert_verify(a, NULL, CHAL, CHAL_LEN), WA_ERR_ARG);
	assert_int_equal(wa_assert_verify(a, rp, NULL, CHAL_LEN), WA_ERR_ARG);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, 0), WA_ERR_ARG);
	assert_int_equal(wa_assert_verify(a, empty, CHAL, CHAL_LEN),
	    WA_ERR_ARG);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_OK);
	free(json);
	wa_assert_free(&a);
	wa_rp_free(&rp);
	wa_rp_free(&empty);
}

static void
allow_list_full(void **state)
{
	struct wa_assert	*a;
	unsigned char		 id[4] = { 0 };
	size_t			 i;

	(void)state;
	assert_non_null(a = wa_assert_new());
	for (i = 0; i < 1000; i++) {
		id[0] = (unsigned char)i;
		if (wa_assert_add_allowed(a, id, sizeof(id)) != WA_OK)
			break;
	}
	/* Bounded: a caller cannot grow the list without limit. */
	assert_true(i > 0 && i < 1000);
	wa_assert_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_alg_asserts),
		cmocka_unit_test(each_alg_with_extensions),
		cmocka_unit_test(counter_zero_both),
		cmocka_unit_test(counter_increases),
		cmocka_unit_test(backup_eligible_and_state),
		cmocka_unit_test(uv_required_and_set),
		cmocka_unit_test(uv_not_required),
		cmocka_unit_test(user_handle_absent),
		cmocka_unit_test(user_handle_null),
		cmocka_unit_test(user_handle_not_stored),
		cmocka_unit_test(discoverable_with_user_handle),
		cmocka_unit_test(allow_credentials_match),
		cmocka_unit_test(bom_clientdata_accepted),
		cmocka_unit_test(reverify_same_object),
		cmocka_unit_test(signature_corrupt),
		cmocka_unit_test(signature_corrupt_with_extensions),
		cmocka_unit_test(der_signature_trailing_bytes),
		cmocka_unit_test(raw_ecdsa_signature),
		cmocka_unit_test(ber_signature),
		cmocka_unit_test(signature_by_other_key),
		cmocka_unit_test(signature_by_other_alg),
		cmocka_unit_test(signature_empty),
		cmocka_unit_test(signature_too_large),
		cmocka_unit_test(counter_regress),
		cmocka_unit_test(counter_equal),
		cmocka_unit_test(counter_reset_to_zero),
		cmocka_unit_test(counter_regress_bad_signature_first),
		cmocka_unit_test(rp_id_mismatch),
		cmocka_unit_test(user_not_present),
		cmocka_unit_test(user_not_present_despite_policy),
		cmocka_unit_test(user_not_verified),
		cmocka_unit_test(backup_state_without_eligibility),
		cmocka_unit_test(backup_eligibility_lost),
		cmocka_unit_test(backup_eligibility_gained),
		cmocka_unit_test(backup_eligibility_unknown),
		cmocka_unit_test(attested_data_in_assertion),
		cmocka_unit_test(authdata_trailing_bytes),
		cmocka_unit_test(authdata_truncated),
		cmocka_unit_test(authdata_ed_without_extensions),
		cmocka_unit_test(authdata_too_large),
		cmocka_unit_test(client_data_type_create),
		cmocka_unit_test(challenge_mismatch),
		cmocka_unit_test(origin_mismatch),
		cmocka_unit_test(cross_origin_refused),
		cmocka_unit_test(top_origin_mismatch),
		cmocka_unit_test(token_binding_bad_status),
		cmocka_unit_test(client_data_swapped),
		cmocka_unit_test(not_in_allow_credentials),
		cmocka_unit_test(user_handle_mismatch),
		cmocka_unit_test(discoverable_without_user_handle),
		cmocka_unit_test(user_handle_empty),
		cmocka_unit_test(user_handle_too_long),
		cmocka_unit_test(user_handle_max),
		cmocka_unit_test(user_handle_not_base64url),
		cmocka_unit_test(id_differs_from_raw_id),
		cmocka_unit_test(id_too_long),
		cmocka_unit_test(type_not_public_key),
		cmocka_unit_test(member_missing),
		cmocka_unit_test(signature_not_base64url),
		cmocka_unit_test(response_too_large),
		cmocka_unit_test(stored_key_malformed),
		cmocka_unit_test(stored_key_off_curve),
		cmocka_unit_test(stored_key_unsupported),
		cmocka_unit_test(stored_key_of_other_credential),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(allow_list_full),
	};

	return (GROUP(tests));
}
