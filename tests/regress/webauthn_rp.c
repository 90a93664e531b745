/*
 * webauthn_rp.c: the relying-party policy setters (struct wa_rp) and the
 * static tables: error names and messages for every code, algorithm,
 * attestation type and transport names.
 */
#include "regress.h"

static void
every_error_has_a_name(void **state)
{
	(void)state;
	for (int e = 0; e < WA_ERR_MAX; e++) {
		const char *name = wa_errname(e), *msg = wa_strerr(e);

		if (strcmp(name, "unknown_error") == 0 ||
		    strcmp(msg, "unknown error") == 0)
			fail_msg("code %d has no name or message", e);
		/* Stable snake_case names. */
		for (const char *p = name; *p != '\0'; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '_'))
				fail_msg("code %d: name \"%s\"", e, name);
		for (int f = 0; f < e; f++)
			if (strcmp(name, wa_errname(f)) == 0)
				fail_msg("codes %d and %d share \"%s\"", f, e,
				    name);
	}
	assert_string_equal(wa_errname(WA_OK), "ok");
	assert_string_equal(wa_errname(WA_ERR_UNSUPPORTED_ALG),
	    "unsupported_algorithm");
}

static void
unknown_error(void **state)
{
	(void)state;
	assert_string_equal(wa_errname(-1), "unknown_error");
	assert_string_equal(wa_errname(WA_ERR_MAX), "unknown_error");
	assert_string_equal(wa_strerr(WA_ERR_MAX + 100), "unknown error");
}

static void
alg_names(void **state)
{
	(void)state;
	assert_string_equal(wa_alg_name(WA_COSE_ES256), "ES256");
	assert_string_equal(wa_alg_name(WA_COSE_EDDSA), "EdDSA");
	assert_string_equal(wa_alg_name(WA_COSE_RS1), "RS1");
	assert_null(wa_alg_name(-48));
	for (size_t i = 0; i < NALGS; i++) {
		assert_true(wa_alg_supported(regress_cose_alg(i)));
		assert_non_null(wa_alg_name(regress_cose_alg(i)));
	}
	/* RS1 is for TPM statements only, never a credential key. */
	assert_false(wa_alg_supported(WA_COSE_RS1));
	assert_false(wa_alg_supported(-47));
	assert_false(wa_alg_supported(-48));
	assert_false(wa_alg_supported(0));
}

static void
att_type_and_transport_names(void **state)
{
	(void)state;
	assert_string_equal(wa_att_type_name(WA_ATT_NONE), "none");
	assert_string_equal(wa_att_type_name(WA_ATT_SELF), "self");
	assert_string_equal(wa_att_type_name(WA_ATT_BASIC), "basic");
	assert_string_equal(wa_att_type_name(WA_ATT_ATTCA), "attca");
	assert_string_equal(wa_att_type_name(WA_ATT_ANONCA), "anonca");
	assert_string_equal(wa_att_type_name(99), "unknown");
	assert_string_equal(wa_transport_name(WA_TRANSPORT_USB), "usb");
	assert_string_equal(wa_transport_name(WA_TRANSPORT_SMART_CARD),
	    "smart-card");
	assert_null(wa_transport_name(0));
	assert_null(wa_transport_name(WA_TRANSPORT_USB | WA_TRANSPORT_NFC));
	assert_null(wa_transport_name(0x40));
}

static void
setters_refuse_null(void **state)
{
	int alg = WA_COSE_ES256;

	(void)state;
	assert_int_equal(wa_rp_set_id(NULL, RP_ID), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_origin(NULL, ORIGIN), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_top_origin(NULL, ORIGIN), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_allow_cross_origin(NULL, true),
	    WA_ERR_ARG);
	assert_int_equal(wa_rp_set_require_uv(NULL, true), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_insecure_no_user_presence(NULL, true),
	    WA_ERR_ARG);
	assert_int_equal(wa_rp_set_algs(NULL, &alg, 1), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_trust_anchor(NULL,
	    sa_ca_der_ptr(sa_ca_default()), sa_ca_der_len(sa_ca_default())),
	    WA_ERR_ARG);
	assert_int_equal(wa_rp_set_attestation_policy(NULL,
	    WA_ATT_POLICY_ANY), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_time(NULL, 0), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_safetynet_cts(NULL, true), WA_ERR_ARG);
	assert_null(wa_rp_id(NULL));
	wa_rp_free(NULL);
}

static void
id_and_origins(void **state)
{
	struct wa_rp	*rp;
	char		 big[WA_MAX_ORIGIN + 2];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_non_null(rp = wa_rp_new());
	assert_null(wa_rp_id(rp));
	assert_int_equal(wa_rp_set_id(rp, NULL), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_id(rp, ""), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_id(rp, big), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_id(rp, "example.org"), WA_OK);
	assert_int_equal(wa_rp_set_id(rp, RP_ID), WA_OK);
	assert_string_equal(wa_rp_id(rp), RP_ID);
	assert_int_equal(wa_rp_add_origin(rp, NULL), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_origin(rp, ""), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_origin(rp, big), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_top_origin(rp, ""), WA_ERR_ARG);
	wa_rp_free(&rp);
	assert_null(rp);
}

static void
algs(void **state)
{
	struct wa_rp	*rp = rp_new();
	int		 many[17], bad[] = { WA_COSE_ES256, WA_COSE_RS1 };

	(void)state;
	for (size_t i = 0; i < 17; i++)
		many[i] = WA_COSE_ES256;
	assert_int_equal(wa_rp_set_algs(rp, many, 0), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_algs(rp, NULL, 1), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_algs(rp, many, 17), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_algs(rp, bad, 2), WA_ERR_UNSUPPORTED_ALG);
	assert_int_equal(wa_rp_set_algs(rp, many, 16), WA_OK);
	wa_rp_free(&rp);
}

static void
trust_anchor_malformed(void **state)
{
	struct wa_rp		*rp = rp_new();
	const struct sa_ca	*ca = sa_ca_default();
	const char		*pem = "-----BEGIN CERTIFICATE-----\n"
				    "AAAA\n-----END CERTIFICATE-----\n";
	unsigned char		*der;
	size_t			 n = sa_ca_der_len(ca);

	(void)state;
	assert_int_equal(wa_rp_add_trust_anchor(rp, NULL, 10), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_trust_anchor(rp, sa_ca_der_ptr(ca), 0),
	    WA_ERR_ARG);
	assert_int_equal(wa_rp_add_trust_anchor(rp,
	    (const unsigned char *)"garbage", 7), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_trust_anchor(rp, (const unsigned char *)pem,
	    strlen(pem)), WA_ERR_ARG);
	/* DER with a trailing byte, and truncated DER. */
	assert_non_null(der = malloc(n + 1));
	memcpy(der, sa_ca_der_ptr(ca), n);
	der[n] = 0;
	assert_int_equal(wa_rp_add_trust_anchor(rp, der, n + 1), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_trust_anchor(rp, der, n - 1), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_trust_anchor(rp, der, n), WA_OK);
	free(der);
	wa_rp_free(&rp);
}

static void
policy_and_clock(void **state)
{
	struct wa_rp *rp = rp_new();

	(void)state;
	assert_int_equal(wa_rp_set_attestation_policy(rp, 2), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_attestation_policy(rp, -1), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_attestation_policy(rp,
	    WA_ATT_POLICY_TRUSTED), WA_OK);
	assert_int_equal(wa_rp_set_time(rp, -1), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_time(rp, 0), WA_OK);
	assert_int_equal(wa_rp_set_time(rp, 1700000000), WA_OK);
	wa_rp_free(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_error_has_a_name),
		cmocka_unit_test(unknown_error),
		cmocka_unit_test(alg_names),
		cmocka_unit_test(att_type_and_transport_names),
		cmocka_unit_test(setters_refuse_null),
		cmocka_unit_test(id_and_origins),
		cmocka_unit_test(algs),
		cmocka_unit_test(trust_anchor_malformed),
		cmocka_unit_test(policy_and_clock),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
