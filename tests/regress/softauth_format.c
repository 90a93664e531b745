/*
 * softauth_format.c: what softauth emits is what a browser and a CTAP2
 * authenticator emit: the members of RegistrationResponseJSON and
 * AuthenticationResponseJSON (WebAuthn L3 §5.1), clientDataJSON in the
 * browser's member order (§5.8.1.1), CTAP2 canonical CBOR for the
 * attestation object and COSE keys, and certificates as §8.2.1 asks.
 */
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "regress.h"

static json_t *
load(char *s)
{
	json_t *j;

	assert_non_null(s);
	assert_non_null(j = json_loads(s, JSON_REJECT_DUPLICATES, NULL));
	free(s);

	return (j);
}

static const char *
str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));

	return (json_string_value(v));
}

static void
registration_members(void **state)
{
	struct sa_params	 p = params("packed");
	json_t			*j, *r;
	char			*id;

	(void)state;
	j = load(sa_make_registration(cred(ALG_ES256), &p));
	assert_non_null(id = sa_b64url(sa_cred_id_ptr(cred(ALG_ES256)),
	    sa_cred_id_len(cred(ALG_ES256))));
	assert_string_equal(str(j, "id"), id);
	assert_string_equal(str(j, "rawId"), id);
	assert_string_equal(str(j, "type"), "public-key");
	assert_string_equal(str(j, "authenticatorAttachment"), "platform");
	assert_true(json_is_object(json_object_get(j,
	    "clientExtensionResults")));
	assert_int_equal(json_object_size(json_object_get(j,
	    "clientExtensionResults")), 0);
	assert_true(json_is_object(r = json_object_get(j, "response")));
	(void)str(r, "clientDataJSON");
	(void)str(r, "attestationObject");
	(void)str(r, "authenticatorData");
	(void)str(r, "publicKey");
	assert_int_equal(json_integer_value(json_object_get(r,
	    "publicKeyAlgorithm")), WA_COSE_ES256);
	assert_true(json_is_array(json_object_get(r, "transports")));
	assert_int_equal(json_object_size(j), 6);
	assert_int_equal(json_object_size(r), 6);
	free(id);
	json_decref(j);
}

static void
assertion_members(void **state)
{
	struct sa_params	 p = aparams();
	json_t			*j, *r;

	(void)state;
	j = load(sa_make_assertion(cred(ALG_EDDSA), &p));
	assert_string_equal(str(j, "type"), "public-key");
	assert_true(json_is_object(r = json_object_get(j, "response")));
	(void)str(r, "clientDataJSON");
	(void)str(r, "authenticatorData");
	(void)str(r, "signature");
	assert_string_equal(str(r, "userHandle"), "dXNlci1oYW5kbGUtMDAwMQ");
	assert_int_equal(json_object_size(r), 4);
	json_decref(j);
	/* No user handle: the member is left out, as toJSON() does. */
	p.user_handle = NULL;
	j = load(sa_make_assertion(cred(ALG_EDDSA), &p));
	assert_null(json_object_get(json_object_get(j, "response"),
	    "userHandle"));
	json_decref(j);
}

static char *
cdj_of(char *json)
{
	unsigned char	*p;
	size_t		 n;
	char		*s;

	assert_non_null(json);
	assert_int_equal(sa_json_get_b64(json, "response.clientDataJSON", &p,
	    &n), 0);
	free(json);
	assert_non_null(s = malloc(n + 1));
	memcpy(s, p, n);
	s[n] = '\0';
	free(p);

	return (s);
}

#define CHAL_B64 "MDEyMzQ1Njc4OWFiY2RlZi1jaGFsbGVuZ2UtYnl0ZXM"

static void
client_data_text(void **state)
{
	struct sa_params	 p = params("none");
	struct sa_params	 a = aparams();
	struct sa_hooks		 h;
	char			*s;

	(void)state;
	s = cdj_of(sa_make_registration(cred(ALG_ES256), &p));
	assert_string_equal(s, "{\"type\":\"webauthn.create\",\"challenge\":\""
	    CHAL_B64 "\",\"origin\":\"https://example.com\","
	    "\"crossOrigin\":false}");
	free(s);
	s = cdj_of(sa_make_assertion(cred(ALG_ES256), &a));
	assert_string_equal(s, "{\"type\":\"webauthn.get\",\"challenge\":\""
	    CHAL_B64 "\",\"origin\":\"https://example.com\","
	    "\"crossOrigin\":false}");
	free(s);
	memset(&h, 0, sizeof(h));
	h.cross_origin = SA_CROSS_TRUE;
	h.top_origin = "https://top.example";
	h.cd_extra = "\"x\":1";
	h.cd_bom = true;
	s = cdj_of(sa_make_registration_ex(cred(ALG_ES256), &p, &h));
	assert_string_equal(s, "\xef\xbb\xbf{\"type\":\"webauthn.create\","
	    "\"challenge\":\"" CHAL_B64 "\",\"origin\":\"https://example.com\","
	    "\"crossOrigin\":true,\"topOrigin\":\"https://top.example\","
	    "\"x\":1}");
	free(s);
	h.cross_origin = SA_CROSS_ABSENT;
	h.top_origin = NULL;
	h.cd_extra = NULL;
	h.cd_bom = false;
	h.cd_type = "payment.get";
	h.cd_challenge = "abc";
	s = cdj_of(sa_make_registration_ex(cred(ALG_ES256), &p, &h));
	assert_string_equal(s, "{\"type\":\"payment.get\",\"challenge\":"
	    "\"abc\",\"origin\":\"https://example.com\"}");
	free(s);
}

static void
attestation_object_canonical(void **state)
{
	static const unsigned char head[] = {
		0xa3, 0x63, 'f', 'm', 't', 0x66, 'p', 'a', 'c', 'k', 'e', 'd',
		0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa3, 0x63, 'a', 'l',
		'g', 0x26, 0x63, 's', 'i', 'g',
	};
	struct sa_params	 p = params("packed-x5c");
	unsigned char		*ao;
	size_t			 n;
	char			*json;

	(void)state;
	assert_non_null(json = sa_make_registration(cred(ALG_EDDSA), &p));
	assert_int_equal(sa_json_get_b64(json, "response.attestationObject",
	    &ao, &n), 0);
	assert_true(n > sizeof(head));
	assert_memory_equal(ao, head, sizeof(head));
	free(ao);
	free(json);
}

static void
cose_keys_canonical(void **state)
{
	static const unsigned char es256[] = {
		0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20,
	};
	static const unsigned char es512[] = {
		0xa5, 0x01, 0x02, 0x03, 0x38, 0x23, 0x20, 0x03, 0x21, 0x58,
		0x42,
	};
	static const unsigned char eddsa[] = {
		0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20,
	};
	static const unsigned char rs256[] = {
		0xa4, 0x01, 0x03, 0x03, 0x39, 0x01, 0x00, 0x20, 0x59, 0x01,
		0x00,
	};
	const unsigned char *k;

	(void)state;
	k = sa_cred_cose_ptr(cred(ALG_ES256));
	assert_int_equal(sa_cred_cose_len(cred(ALG_ES256)), 77);
	assert_memory_equal(k, es256, sizeof(es256));
	assert_memory_equal(k + 42, "\x22\x58\x20", 3);
	assert_int_equal(sa_cred_cose_len(cred(ALG_ES512)), 146);
	assert_memory_equal(sa_cred_cose_ptr(cred(ALG_ES512)), es512,
	    sizeof(es512));
	assert_int_equal(sa_cred_cose_len(cred(ALG_EDDSA)), 42);
	assert_memory_equal(sa_cred_cose_ptr(cred(ALG_EDDSA)), eddsa,
	    sizeof(eddsa));
	/* n, then e = 65537. */
	k = sa_cred_cose_ptr(cred(ALG_RS256));
	assert_int_equal(sa_cred_cose_len(cred(ALG_RS256)), 272);
	assert_memory_equal(k, rs256, sizeof(rs256));
	assert_memory_equal(k + 267, "\x21\x43\x01\x00\x01", 5);
}

static void
public_key_member_is_the_key(void **state)
{
	struct sa_params	 p = params("none");
	unsigned char		*spki;
	const unsigned char	*q;
	size_t			 n;
	EVP_PKEY		*pk;
	char			*json;

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		assert_non_null(json = sa_make_registration(cred(i), &p));
		assert_int_equal(sa_json_get_b64(json, "response.publicKey",
		    &spki, &n), 0);
		q = spki;
		assert_non_null(pk = d2i_PUBKEY(NULL, &q, (long)n));
		assert_int_equal(EVP_PKEY_eq(pk, sa_cred_pkey(cred(i))), 1);
		EVP_PKEY_free(pk);
		free(spki);
		free(json);
	}
}

static void
authenticator_data_layout(void **state)
{
	struct sa_params	 p = params("none");
	unsigned char		*ad;
	size_t			 n;
	char			*json;

	(void)state;
	p.sign_count = 0x01020304;
	p.flags = WA_FLAG_UP | WA_FLAG_BE;
	assert_non_null(json = sa_make_registration(cred(ALG_ES256), &p));
	assert_int_equal(sa_json_get_b64(json, "response.authenticatorData",
	    &ad, &n), 0);
	assert_int_equal(n, 37 + 16 + 2 + 32 + 77);
	assert_int_equal(ad[32], WA_FLAG_UP | WA_FLAG_BE | WA_FLAG_AT);
	assert_memory_equal(ad + 33, "\x01\x02\x03\x04", 4);
	assert_memory_equal(ad + 37, SA_AAGUID, 16);
	assert_memory_equal(ad + 53, "\x00\x20", 2);
	assert_memory_equal(ad + 55, sa_cred_id_ptr(cred(ALG_ES256)), 32);
	assert_memory_equal(ad + 87, sa_cred_cose_ptr(cred(ALG_ES256)), 77);
	free(ad);
	free(json);
}

static void
leaf_certificate_shape(void **state)
{
	struct sa_cert_opts	 o = {
		.aaguid = (const unsigned char *)SA_AAGUID };
	unsigned char		*der;
	const unsigned char	*q;
	size_t			 n;
	X509			*x;
	BASIC_CONSTRAINTS	*bc;
	char			 buf[256];

	(void)state;
	assert_non_null(der = sa_ca_issue(sa_ca_default(), cred(ALG_ES256),
	    &o, &n));
	q = der;
	assert_non_null(x = d2i_X509(NULL, &q, (long)n));
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_non_null(X509_NAME_oneline(X509_get_subject_name(x), buf,
	    sizeof(buf)));
	assert_string_equal(buf,
	    "/C=US/O=softauth/OU=Authenticator Attestation/CN=softauth");
	assert_non_null(bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL,
	    NULL));
	assert_int_equal(bc->ca, 0);
	BASIC_CONSTRAINTS_free(bc);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x),
	    sa_cred_pkey(cred(ALG_ES256))), 1);
	assert_int_equal(X509_get_ext_count(x), 2);
	X509_free(x);
	free(der);
}

static void
json_helpers(void **state)
{
	unsigned char	*p;
	size_t		 n;
	char		*s;

	(void)state;
	s = sa_json_edit("{\"a\":{\"b\":1}}", "a.c", json_string("x"));
	assert_string_equal(s, "{\"a\":{\"b\":1,\"c\":\"x\"}}");
	free(s);
	s = sa_json_edit("{\"a\":{\"b\":1}}", "a.b", NULL);
	assert_string_equal(s, "{\"a\":{}}");
	free(s);
	assert_null(sa_json_edit("{\"a\":1}", "a.b", json_true()));
	assert_null(sa_json_edit("{", "a", json_true()));
	s = sa_json_edit_b64("{}", "k", (const unsigned char *)"\xfb\xff", 2);
	assert_string_equal(s, "{\"k\":\"-_8\"}");
	assert_int_equal(sa_json_get_b64(s, "k", &p, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(p, "\xfb\xff", 2);
	free(p);
	assert_int_equal(sa_json_get_b64(s, "missing", &p, &n), -1);
	free(s);
}

static void
cbor_helpers(void **state)
{
	cbor_item_t	*m;
	unsigned char	*p;
	size_t		 n;

	(void)state;
	assert_non_null(m = cbor_new_definite_map(0));
	assert_int_equal(sa_cbor_map_put(&m, "x5c", sa_cbor_int(1)), 0);
	assert_int_equal(sa_cbor_map_put(&m, "sig", sa_cbor_int(2)), 0);
	assert_int_equal(sa_cbor_map_put(&m, "alg", sa_cbor_int(-7)), 0);
	assert_int_equal(sa_cbor_map_put(&m, "ver", sa_cbor_int(1000)), 0);
	assert_int_equal(sa_cbor_map_put(&m, "certInfo", sa_cbor_int(-300)),
	    0);
	assert_int_equal(sa_cbor_map_put(&m, "sig", sa_cbor_int(3)), 0);
	assert_int_equal(sa_cbor_map_del(&m, "ver"), 0);
	assert_int_equal(sa_cbor_serialize(m, &p, &n), 0);
	/* {"alg": -7, "sig": 3, "x5c": 1, "certInfo": -300} */
	assert_int_equal(n, 28);
	assert_memory_equal(p, "\xa4\x63" "alg" "\x26\x63" "sig" "\x03\x63"
	    "x5c" "\x01\x68" "certInfo" "\x39\x01\x2b", 28);
	free(p);
	cbor_decref(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration_members),
		cmocka_unit_test(assertion_members),
		cmocka_unit_test(client_data_text),
		cmocka_unit_test(attestation_object_canonical),
		cmocka_unit_test(cose_keys_canonical),
		cmocka_unit_test(public_key_member_is_the_key),
		cmocka_unit_test(authenticator_data_layout),
		cmocka_unit_test(leaf_certificate_shape),
		cmocka_unit_test(json_helpers),
		cmocka_unit_test(cbor_helpers),
	};

	return (GROUP(tests));
}
