/*
 * webauthn_peek.c: reading the claimed challenge before verification
 * (wa_response_challenge, wa_assert_challenge).  The value is untrusted;
 * these cases check that it is the one in clientDataJSON, decoded
 * strictly, and that malformed responses fail with the code the full
 * verification would give.
 */
#include "regress.h"

static int
peek(const char *json, size_t max, unsigned char *out, size_t *len)
{
	return (wa_response_challenge(json, strlen(json), out, max, len));
}

static int
peek_free(char *json)
{
	unsigned char	out[WA_MAX_CHALLENGE];
	size_t		len;
	int		r;

	assert_non_null(json);
	r = peek(json, sizeof(out), out, &len);
	free(json);

	return (r);
}

static char *
make_reg(const struct sa_hooks *h)
{
	struct sa_params p = params("none");

	return (sa_make_registration_ex(cred(ALG_ES256), &p, h));
}

static void
registration_challenge(void **state)
{
	unsigned char	 out[WA_MAX_CHALLENGE];
	size_t		 len;
	char		*json = make_reg(NULL);

	(void)state;
	assert_int_equal(peek(json, sizeof(out), out, &len), WA_OK);
	assert_int_equal(len, CHAL_LEN);
	assert_memory_equal(out, CHAL, CHAL_LEN);
	free(json);
}

static void
assertion_challenge(void **state)
{
	struct sa_params	 p = aparams();
	struct wa_assert	*a;
	unsigned char		 out[WA_MAX_CHALLENGE];
	size_t			 len;
	char			*json;

	(void)state;
	assert_non_null(json = sa_make_assertion(cred(ALG_EDDSA), &p));
	assert_int_equal(peek(json, sizeof(out), out, &len), WA_OK);
	assert_int_equal(len, CHAL_LEN);
	assert_memory_equal(out, CHAL, CHAL_LEN);
	assert_non_null(a = wa_assert_new());
	assert_int_equal(wa_assert_challenge(a, out, sizeof(out), &len),
	    WA_ERR_ARG);
	assert_int_equal(wa_assert_parse(a, json, strlen(json)), WA_OK);
	memset(out, 0, sizeof(out));
	assert_int_equal(wa_assert_challenge(a, out, sizeof(out), &len),
	    WA_OK);
	assert_int_equal(len, CHAL_LEN);
	assert_memory_equal(out, CHAL, CHAL_LEN);
	assert_int_equal(wa_assert_challenge(a, NULL, sizeof(out), &len),
	    WA_ERR_ARG);
	assert_int_equal(wa_assert_challenge(a, out, sizeof(out), NULL),
	    WA_ERR_ARG);
	wa_assert_free(&a);
	free(json);
}

/*
 * wa_assert_challenge() keeps the parsed client data for the
 * verification; parsing the next response into the same object must
 * drop it, or the second response would be checked against the first's
 * challenge and origin.
 */
static void
assertion_reparse_drops_clientdata(void **state)
{
	struct sa_params	 p = aparams(), q = aparams();
	struct wa_assert	*a;
	struct wa_rp		*rp = rp_new();
	const struct sa_cred	*c = cred(ALG_ES256);
	unsigned char		 out[WA_MAX_CHALLENGE];
	size_t			 len;
	char			*j1, *j2;

	(void)state;
	q.challenge = (const unsigned char *)"another challenge";
	q.challenge_len = 17;
	q.sign_count = 2;
	assert_non_null(j1 = sa_make_assertion(c, &p));
	assert_non_null(j2 = sa_make_assertion(c, &q));
	assert_non_null(a = wa_assert_new());
	assert_int_equal(wa_assert_parse(a, j1, strlen(j1)), WA_OK);
	assert_int_equal(wa_assert_challenge(a, out, sizeof(out), &len),
	    WA_OK);
	assert_int_equal(wa_assert_set_stored(a, sa_cred_cose_ptr(c),
	    sa_cred_cose_len(c), 0, false, UH, UH_LEN), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN), WA_OK);

	/* The second response claims another challenge. */
	assert_int_equal(wa_assert_parse(a, j2, strlen(j2)), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, CHAL, CHAL_LEN),
	    WA_ERR_CHALLENGE);
	assert_int_equal(wa_assert_challenge(a, out, sizeof(out), &len),
	    WA_OK);
	assert_int_equal(len, 17);
	assert_memory_equal(out, "another challenge", 17);
	assert_int_equal(wa_assert_verify(a, rp, q.challenge,
	    q.challenge_len), WA_OK);
	/* And back: the first's client data is parsed again. */
	assert_int_equal(wa_assert_parse(a, j1, strlen(j1)), WA_OK);
	assert_int_equal(wa_assert_verify(a, rp, q.challenge,
	    q.challenge_len), WA_ERR_CHALLENGE);
	wa_assert_free(&a);
	wa_rp_free(&rp);
	free(j1);
	free(j2);
}

static void
bom_clientdata(void **state)
{
	struct sa_hooks h = { .cd_bom = true };

	(void)state;
	assert_int_equal(peek_free(make_reg(&h)), WA_OK);
}

static void
unverified_challenge_is_reported(void **state)
{
	struct sa_params	 p = params("none");
	unsigned char		 out[WA_MAX_CHALLENGE];
	size_t			 len;
	char			*json;

	(void)state;
	/* Another ceremony's challenge: reported, for the caller to reject. */
	p.challenge = (const unsigned char *)"another challenge";
	p.challenge_len = 17;
	assert_non_null(json = sa_make_registration(cred(ALG_ES256), &p));
	assert_int_equal(peek(json, sizeof(out), out, &len), WA_OK);
	assert_int_equal(len, 17);
	assert_memory_equal(out, "another challenge", 17);
	free(json);
}

static void
bad_arguments(void **state)
{
	unsigned char	out[4];
	size_t		len;

	(void)state;
	assert_int_equal(wa_response_challenge(NULL, 0, out, sizeof(out),
	    &len), WA_ERR_ARG);
	assert_int_equal(wa_response_challenge("{}", 2, NULL, sizeof(out),
	    &len), WA_ERR_ARG);
	assert_int_equal(wa_response_challenge("{}", 2, out, sizeof(out),
	    NULL), WA_ERR_ARG);
	assert_int_equal(wa_assert_challenge(NULL, out, sizeof(out), &len),
	    WA_ERR_ARG);
}

static void
response_malformed(void **state)
{
	(void)state;
	assert_int_equal(peek_free(strdup("{")), WA_ERR_JSON);
	assert_int_equal(peek_free(strdup("[]")), WA_ERR_JSON);
	assert_int_equal(peek_free(edit(make_reg(NULL), "response", NULL)),
	    WA_ERR_JSON);
	assert_int_equal(peek_free(edit(make_reg(NULL),
	    "response.clientDataJSON", NULL)), WA_ERR_JSON);
	assert_int_equal(peek_free(edit(make_reg(NULL),
	    "response.clientDataJSON", json_string("e30="))), WA_ERR_B64);
}

static void
response_too_large(void **state)
{
	char	*pad;
	json_t	*v;

	(void)state;
	assert_non_null(pad = malloc(WA_MAX_RESPONSE_JSON + 1));
	memset(pad, 'x', WA_MAX_RESPONSE_JSON);
	pad[WA_MAX_RESPONSE_JSON] = '\0';
	v = json_string(pad);
	free(pad);
	assert_int_equal(peek_free(edit(make_reg(NULL), "pad", v)),
	    WA_ERR_TOO_LARGE);
}

static void
clientdata_malformed(void **state)
{
	struct sa_hooks h;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.cdj = "challenge";
	assert_int_equal(peek_free(make_reg(&h)), WA_ERR_CLIENTDATA);
	h.cdj = "{\"type\":\"webauthn.create\"}";
	assert_int_equal(peek_free(make_reg(&h)), WA_ERR_CLIENTDATA);
	h.cdj = "{\"challenge\":1}";
	assert_int_equal(peek_free(make_reg(&h)), WA_ERR_CLIENTDATA);
}

static void
challenge_not_base64url(void **state)
{
	struct sa_hooks h;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.cd_challenge = "MDEyMzQ1Njc4OWFiY2RlZi1jaGFsbGVuZ2UtYnl0ZXM=";
	assert_int_equal(peek_free(make_reg(&h)), WA_ERR_CHALLENGE);
	h.cd_challenge = "MDEy+/";
	assert_int_equal(peek_free(make_reg(&h)), WA_ERR_CHALLENGE);
}

static void
challenge_over_buffer(void **state)
{
	unsigned char	 out[CHAL_LEN - 1];
	size_t		 len;
	char		*json = make_reg(NULL);

	(void)state;
	assert_int_equal(peek(json, sizeof(out), out, &len),
	    WA_ERR_CHALLENGE);
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration_challenge),
		cmocka_unit_test(assertion_challenge),
		cmocka_unit_test(assertion_reparse_drops_clientdata),
		cmocka_unit_test(bom_clientdata),
		cmocka_unit_test(unverified_challenge_is_reported),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(response_malformed),
		cmocka_unit_test(response_too_large),
		cmocka_unit_test(clientdata_malformed),
		cmocka_unit_test(challenge_not_base64url),
		cmocka_unit_test(challenge_over_buffer),
	};

	return (GROUP(tests));
}
