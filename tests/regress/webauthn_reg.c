/*
 * webauthn_reg.c: the registration ceremony, WebAuthn §7.1, end to end
 * through wa_reg_verify() with softauth responses: every algorithm, the
 * RegistrationResponseJSON members, the client data and authenticator
 * data steps, the attestation object's CBOR, the credential key, the
 * format lookup, the attestation policy and the input caps.  Each
 * negative case changes one thing and keeps the rest signed and valid.
 */
#include <stdio.h>

#include "regress.h"

#define APK_ORIGIN \
    "android:apk-key-hash:lX1HvlgB5nDmpk8R0s3lYOxRn1wrQq6xWZVk63r7eHs"

static char *
make(size_t alg)
{
	struct sa_params p = params("none");

	return (sa_make_registration(cred(alg), &p));
}

/* Verifies json (freed) against the default relying party. */
static int
reg_default(char *json)
{
	struct wa_rp	*rp = rp_new();
	int		 r;

	r = reg_json(rp, json);
	wa_rp_free(&rp);

	return (r);
}

/* Inserts text right after the opening brace of json (freed). */
static char *
insert_front(char *json, const char *text)
{
	char *out;

	assert_non_null(json);
	assert_non_null(out = malloc(strlen(json) + strlen(text) + 1));
	out[0] = '{';
	memcpy(out + 1, text, strlen(text));
	memcpy(out + 1 + strlen(text), json + 1, strlen(json));
	free(json);

	return (out);
}

/* Positive cases. */

static void
each_alg_registers(void **state)
{
	struct wa_rp	*rp = rp_new();
	struct wa_reg	*reg;
	char		*json;

	(void)state;
	assert_non_null(reg = wa_reg_new());
	for (size_t i = 0; i < NALGS; i++) {
		assert_non_null(json = make(i));
		assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
		    strlen(json)), WA_OK);
		free(json);
		assert_int_equal(wa_reg_alg(reg), regress_cose_alg(i));
		assert_int_equal(wa_reg_cred_id_len(reg),
		    sa_cred_id_len(cred(i)));
		assert_memory_equal(wa_reg_cred_id_ptr(reg),
		    sa_cred_id_ptr(cred(i)), sa_cred_id_len(cred(i)));
		assert_int_equal(wa_reg_pubkey_len(reg),
		    sa_cred_cose_len(cred(i)));
		assert_memory_equal(wa_reg_pubkey_ptr(reg),
		    sa_cred_cose_ptr(cred(i)), sa_cred_cose_len(cred(i)));
		assert_memory_equal(wa_reg_aaguid_ptr(reg), SA_AAGUID, 16);
		assert_string_equal(wa_reg_fmt(reg), "none");
		assert_int_equal(wa_reg_att_type(reg), WA_ATT_NONE);
		assert_false(wa_reg_trusted(reg));
		assert_int_equal(wa_reg_sign_count(reg), 0);
		assert_int_equal(wa_reg_flags(reg),
		    WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT);
		assert_int_equal(wa_reg_transports(reg),
		    WA_TRANSPORT_HYBRID | WA_TRANSPORT_INTERNAL);
		assert_int_equal(wa_reg_cred_props_rk(reg), -1);
	}
	wa_reg_free(&reg);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

static void
failure_clears_getters(void **state)
{
	struct wa_rp	*rp = rp_new();
	struct wa_reg	*reg;
	char		*json;

	(void)state;
	assert_non_null(reg = wa_reg_new());
	json = make(ALG_ES256);
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN - 1, json,
	    strlen(json)), WA_ERR_CHALLENGE);
	assert_null(wa_reg_cred_id_ptr(reg));
	assert_null(wa_reg_pubkey_ptr(reg));
	assert_int_equal(wa_reg_alg(reg), 0);
	free(json);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

static void
sign_count_and_backup_flags(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct wa_reg		*reg;
	struct sa_params	 p = params("none");
	char			*json;

	(void)state;
	p.sign_count = 0x7fffffff;
	p.flags |= WA_FLAG_BE | WA_FLAG_BS;
	assert_non_null(reg = wa_reg_new());
	json = sa_make_registration(cred(ALG_EDDSA), &p);
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_int_equal(wa_reg_sign_count(reg), 0x7fffffff);
	assert_int_equal(wa_reg_flags(reg) & (WA_FLAG_BE | WA_FLAG_BS),
	    WA_FLAG_BE | WA_FLAG_BS);
	free(json);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

static void
be_without_bs(void **state)
{
	struct sa_params p = params("none");

	(void)state;
	p.flags |= WA_FLAG_BE;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_OK);
}

static void
bom_clientdata_accepted(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .cd_bom = true };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_OK);
}

static void
cred_id_1023_bytes(void **state)
{
	struct sa_cred		*c;
	struct sa_params	 p = params("packed");
	unsigned char		 id[1023];

	(void)state;
	memset(id, 0xa5, sizeof(id));
	assert_non_null(c = sa_cred_new(WA_COSE_ES256));
	assert_int_equal(sa_cred_set_id(c, id, sizeof(id)), 0);
	assert_int_equal(reg(c, &p, NULL), WA_OK);
	sa_cred_free(&c);
}

static void
cred_id_1024_bytes(void **state)
{
	struct sa_cred		*c;
	struct sa_params	 p = params("none");
	unsigned char		 id[1024];

	(void)state;
	memset(id, 0xa5, sizeof(id));
	assert_non_null(c = sa_cred_new(WA_COSE_ES256));
	assert_int_equal(sa_cred_set_id(c, id, sizeof(id)), 0);
	assert_int_equal(reg(c, &p, NULL), WA_ERR_CRED_ID);
	sa_cred_free(&c);
}

static void
no_user_presence_when_allowed(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("packed");

	(void)state;
	p.flags = 0;
	assert_int_equal(wa_rp_set_insecure_no_user_presence(rp, true),
	    WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
android_origin(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("none");

	(void)state;
	p.origin = APK_ORIGIN;
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp),
	    WA_ERR_ORIGIN);
	assert_int_equal(wa_rp_add_origin(rp, APK_ORIGIN), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
cross_origin_when_allowed(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("none");
	struct sa_hooks		 h = { .cross_origin = SA_CROSS_TRUE,
				    .top_origin = "https://top.example" };

	(void)state;
	assert_int_equal(wa_rp_set_allow_cross_origin(rp, true), WA_OK);
	assert_int_equal(wa_rp_add_top_origin(rp, "https://top.example"),
	    WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, &h, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
extensions_in_authdata(void **state)
{
	static const unsigned char ext[] = {
		0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e', 'c',
		't', 0x02,
	};
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .ext = ext, .ext_len = sizeof(ext) };

	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		assert_int_equal(reg(cred(i), &p, &h), WA_OK);
}

static void
uv_required_and_set(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("none");

	(void)state;
	assert_int_equal(wa_rp_set_require_uv(rp, true), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	wa_rp_free(&rp);
}

static void
transports_reported(void **state)
{
	struct wa_rp	*rp = rp_new();
	struct wa_reg	*reg;
	json_t		*t;
	char		*json;

	(void)state;
	assert_non_null(t = json_pack("[sssssss]", "usb", "nfc", "ble",
	    "internal", "hybrid", "smart-card", "carrier-pigeon"));
	json = edit(make(ALG_ES256), "response.transports", t);
	assert_non_null(reg = wa_reg_new());
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_int_equal(wa_reg_transports(reg), WA_TRANSPORT_USB |
	    WA_TRANSPORT_NFC | WA_TRANSPORT_BLE | WA_TRANSPORT_INTERNAL |
	    WA_TRANSPORT_HYBRID | WA_TRANSPORT_SMART_CARD);
	free(json);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

static void
transports_absent(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.transports", NULL)), WA_OK);
}

static void
cred_props_rk(void **state)
{
	struct wa_rp	*rp = rp_new();
	struct wa_reg	*reg;
	char		*json;

	(void)state;
	assert_non_null(reg = wa_reg_new());
	json = edit(make(ALG_ES256), "clientExtensionResults.credProps",
	    json_pack("{sb}", "rk", 1));
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_int_equal(wa_reg_cred_props_rk(reg), 1);
	free(json);
	json = edit(make(ALG_ES256), "clientExtensionResults.credProps",
	    json_pack("{sb}", "rk", 0));
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	assert_int_equal(wa_reg_cred_props_rk(reg), 0);
	free(json);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

/* §7.1 step 3: the RegistrationResponseJSON. */

static int
reg_text(const char *text)
{
	char *json;

	assert_non_null(json = strdup(text));

	return (reg_default(json));
}

static void
not_json(void **state)
{
	(void)state;
	assert_int_equal(reg_text("not json"), WA_ERR_JSON);
	assert_int_equal(reg_text(""), WA_ERR_JSON);
	assert_int_equal(reg_text("[]"), WA_ERR_JSON);
	assert_int_equal(reg_text("{}"), WA_ERR_JSON);
}

static void
trailing_garbage(void **state)
{
	char *json = make(ALG_ES256), *out;

	(void)state;
	assert_non_null(out = malloc(strlen(json) + 3));
	memcpy(out, json, strlen(json));
	memcpy(out + strlen(json), "{}", 3);
	free(json);
	assert_int_equal(reg_default(out), WA_ERR_JSON);
}

static void
duplicate_member(void **state)
{
	(void)state;
	assert_int_equal(reg_default(insert_front(make(ALG_ES256),
	    "\"type\":\"public-key\",")), WA_ERR_JSON);
}

static void
deep_nesting(void **state)
{
	(void)state;
	assert_int_equal(reg_default(insert_front(make(ALG_ES256),
	    "\"x\":[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]],")), WA_ERR_JSON);
}

static void
response_too_large(void **state)
{
	char	*pad;
	json_t	*v;

	(void)state;
	assert_non_null(pad = malloc(WA_MAX_RESPONSE_JSON + 1));
	memset(pad, 'a', WA_MAX_RESPONSE_JSON);
	pad[WA_MAX_RESPONSE_JSON] = '\0';
	v = json_string(pad);
	free(pad);
	assert_int_equal(reg_default(edit(make(ALG_ES256), "pad", v)),
	    WA_ERR_TOO_LARGE);
}

static void
type_missing(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256), "type", NULL)),
	    WA_ERR_JSON);
}

static void
type_not_public_key(void **state)
{
	static const char *const types[] = {
		"Public-Key", "public-key ", "public_key", "", "password",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_int_equal(reg_default(edit(make(ALG_ES256), "type",
		    json_string(types[i]))), WA_ERR_CRED_TYPE);
}

static void
type_not_string(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256), "type",
	    json_integer(1))), WA_ERR_JSON);
}

static void
id_missing(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256), "id", NULL)),
	    WA_ERR_JSON);
	assert_int_equal(reg_default(edit(make(ALG_ES256), "rawId", NULL)),
	    WA_ERR_JSON);
}

static void
id_differs_from_raw_id(void **state)
{
	struct sa_cred	*other;
	char		*id;

	(void)state;
	assert_non_null(other = sa_cred_new(WA_COSE_ES256));
	assert_non_null(id = sa_b64url(sa_cred_id_ptr(other),
	    sa_cred_id_len(other)));
	assert_int_equal(reg_default(edit(make(ALG_ES256), "id",
	    json_string(id))), WA_ERR_CRED_ID);
	free(id);
	sa_cred_free(&other);
}

static void
raw_id_differs_from_authdata(void **state)
{
	struct sa_cred		*other;
	struct sa_params	 p = params("packed");
	struct sa_hooks		 h;
	char			*json;

	(void)state;
	assert_non_null(other = sa_cred_new(WA_COSE_ES256));
	memset(&h, 0, sizeof(h));
	h.ad_cred_id = sa_cred_id_ptr(other);
	h.ad_cred_id_len = sa_cred_id_len(other);
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_CRED_ID);
	/* The same id, one byte shorter, in authenticator data. */
	h.ad_cred_id = sa_cred_id_ptr(cred(ALG_ES256));
	h.ad_cred_id_len = sa_cred_id_len(cred(ALG_ES256)) - 1;
	assert_non_null(json = sa_make_registration_ex(cred(ALG_ES256), &p,
	    &h));
	assert_int_equal(reg_default(json), WA_ERR_CRED_ID);
	sa_cred_free(&other);
}

static void
id_empty(void **state)
{
	char *json;

	(void)state;
	json = edit(make(ALG_ES256), "id", json_string(""));
	assert_int_equal(reg_default(edit(json, "rawId", json_string(""))),
	    WA_ERR_CRED_ID);
}

static void
id_padded(void **state)
{
	char	*json, *id, padded[64];

	(void)state;
	/* 32 bytes are 43 characters; '=' makes them 44. */
	assert_non_null(id = sa_b64url(sa_cred_id_ptr(cred(ALG_ES256)), 32));
	(void)snprintf(padded, sizeof(padded), "%s=", id);
	free(id);
	json = edit(make(ALG_ES256), "id", json_string(padded));
	assert_int_equal(reg_default(edit(json, "rawId",
	    json_string(padded))), WA_ERR_B64);
}

static void
raw_id_too_long(void **state)
{
	unsigned char	 id[1024];
	char		*json, *s;

	(void)state;
	memset(id, 7, sizeof(id));
	assert_non_null(s = sa_b64url(id, sizeof(id)));
	json = edit(make(ALG_ES256), "id", json_string(s));
	assert_int_equal(reg_default(edit(json, "rawId", json_string(s))),
	    WA_ERR_CRED_ID);
	free(s);
}

static void
response_missing(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256), "response",
	    NULL)), WA_ERR_JSON);
	assert_int_equal(reg_default(edit(make(ALG_ES256), "response",
	    json_string("x"))), WA_ERR_JSON);
}

static void
client_data_missing(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.clientDataJSON", NULL)), WA_ERR_JSON);
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.clientDataJSON", json_integer(0))), WA_ERR_JSON);
}

static void
attestation_object_missing(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.attestationObject", NULL)), WA_ERR_JSON);
}

static void
client_data_not_base64url(void **state)
{
	(void)state;
	/* Standard base64 with padding, as some clients send. */
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.clientDataJSON", json_string("eyJ0eXBlIjoid2ViYXV0aG4u"
	    "Y3JlYXRlIn0="))), WA_ERR_B64);
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.clientDataJSON", json_string("eyJ0eXBl+/"))),
	    WA_ERR_B64);
}

static void
attestation_object_not_base64url(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.attestationObject", json_string("o2Nm bXRk"))),
	    WA_ERR_B64);
}

static void
client_data_too_large(void **state)
{
	struct sa_params	 p = params("none");
	struct sa_hooks		 h;
	char			*extra;

	(void)state;
	assert_non_null(extra = malloc(WA_MAX_CLIENTDATA + 16));
	memcpy(extra, "\"pad\":\"", 7);
	memset(extra + 7, 'a', WA_MAX_CLIENTDATA);
	memcpy(extra + 7 + WA_MAX_CLIENTDATA, "\"", 2);
	memset(&h, 0, sizeof(h));
	h.cd_extra = extra;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_TOO_LARGE);
	free(extra);
}

static int
hook_pad_attobj(struct sa_bytes *b, void *arg)
{
	unsigned char *pad;
	int r;

	(void)arg;
	if ((pad = calloc(1, WA_MAX_ATTOBJ)) == NULL)
		return (-1);
	r = sa_bytes_append(b, pad, WA_MAX_ATTOBJ);
	free(pad);

	return (r);
}

static void
attestation_object_too_large(void **state)
{
	struct sa_params	p = params("none");
	struct sa_hooks		h = { .attobj = hook_pad_attobj };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_TOO_LARGE);
}

static void
client_extension_results_not_object(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "clientExtensionResults", json_array())), WA_ERR_JSON);
}

static void
transports_not_array(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.transports", json_string("usb"))), WA_ERR_JSON);
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.transports", json_pack("[si]", "usb", 1))),
	    WA_ERR_JSON);
}

static void
transports_too_many(void **state)
{
	json_t *t = json_array();

	(void)state;
	for (size_t i = 0; i < 17; i++)
		assert_int_equal(json_array_append_new(t, json_string("usb")),
		    0);
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.transports", t)), WA_ERR_JSON);
}

static void
cred_props_malformed(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "clientExtensionResults.credProps", json_true())), WA_ERR_JSON);
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "clientExtensionResults.credProps", json_pack("{ss}", "rk",
	    "true"))), WA_ERR_JSON);
}

static void
public_key_algorithm_mismatch(void **state)
{
	(void)state;
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.publicKeyAlgorithm", json_integer(WA_COSE_EDDSA))),
	    WA_ERR_JSON);
	assert_int_equal(reg_default(edit(make(ALG_ES256),
	    "response.publicKeyAlgorithm", json_string("-7"))), WA_ERR_JSON);
}

static void
authenticator_data_member_mismatch(void **state)
{
	unsigned char	*ad;
	size_t		 n;
	char		*json = make(ALG_ES256), *out;

	(void)state;
	assert_int_equal(sa_json_get_b64(json, "response.authenticatorData",
	    &ad, &n), 0);
	ad[n - 1] ^= 1;
	out = sa_json_edit_b64(json, "response.authenticatorData", ad, n);
	free(ad);
	free(json);
	assert_int_equal(reg_default(out), WA_ERR_JSON);
}

static void
l3_members_absent(void **state)
{
	char *json = make(ALG_ES256);

	(void)state;
	json = edit(json, "response.authenticatorData", NULL);
	json = edit(json, "response.publicKey", NULL);
	json = edit(json, "response.publicKeyAlgorithm", NULL);
	json = edit(json, "authenticatorAttachment", NULL);
	json = edit(json, "clientExtensionResults", NULL);
	assert_int_equal(reg_default(json), WA_OK);
}

/* §7.1 steps 5-11 through the ceremony. */

static void
client_data_type_get(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .cd_type = "webauthn.get" };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_TYPE);
}

static void
client_data_not_json(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .cdj = "webauthn.create" };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_CLIENTDATA);
}

static void
challenge_mismatch(void **state)
{
	struct sa_params p = params("packed");

	(void)state;
	p.challenge = (const unsigned char *)"another challenge, 32 bytes long";
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_CHALLENGE);
}

static void
origin_mismatch(void **state)
{
	struct sa_params p = params("packed");

	(void)state;
	p.origin = "https://example.com.evil.net";
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_ORIGIN);
}

static void
origin_missing(void **state)
{
	struct sa_params p = params("packed");

	(void)state;
	p.origin = NULL;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_CLIENTDATA);
}

static void
cross_origin_refused(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .cross_origin = SA_CROSS_TRUE };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_CROSS_ORIGIN);
}

static void
top_origin_mismatch(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("none");
	struct sa_hooks		 h = { .cross_origin = SA_CROSS_TRUE,
				    .top_origin = "https://evil.example" };

	(void)state;
	assert_int_equal(wa_rp_set_allow_cross_origin(rp, true), WA_OK);
	assert_int_equal(wa_rp_add_top_origin(rp, "https://top.example"),
	    WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, &h, rp),
	    WA_ERR_TOP_ORIGIN);
	wa_rp_free(&rp);
}

static void
token_binding_bad_status(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = {
		.cd_extra = "\"tokenBinding\":{\"status\":\"bogus\"}" };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_TOKEN_BINDING);
}

/* §7.1 step 13: the attestation object. */

struct ao_edit {
	const char	*key;
	cbor_item_t	*val;		/* NULL: delete key */
};

/* Rebuilds the attestation object with one member changed. */
static int
hook_ao_edit(struct sa_bytes *b, void *arg)
{
	struct ao_edit		*e = arg;
	struct cbor_load_result	 res;
	cbor_item_t		*m;
	unsigned char		*p;
	size_t			 n;
	int			 r;

	if ((m = cbor_load(b->ptr, b->len, &res)) == NULL)
		return (-1);
	r = e->val != NULL ? sa_cbor_map_put(&m, e->key, e->val) :
	    sa_cbor_map_del(&m, e->key);
	if (r == 0 && (r = sa_cbor_serialize(m, &p, &n)) == 0) {
		r = sa_bytes_set(b, p, n);
		free(p);
	}
	cbor_decref(&m);

	return (r);
}

static int
ao_edit(const char *key, cbor_item_t *val)
{
	struct sa_params	p = params("packed");
	struct ao_edit		e = { key, val };
	struct sa_hooks		h = { .attobj = hook_ao_edit, .arg = &e };

	return (reg(cred(ALG_ES256), &p, &h));
}

static void
attobj_auth_data_missing(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("authData", NULL), WA_ERR_CBOR);
}

static void
attobj_fmt_missing(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("fmt", NULL), WA_ERR_CBOR);
}

static void
attobj_att_stmt_missing(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("attStmt", NULL), WA_ERR_CBOR);
}

static void
attobj_extra_member(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("epAtt", cbor_build_bool(true)), WA_ERR_CBOR);
}

static void
attobj_fmt_not_text(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("fmt", cbor_build_bytestring(
	    (const unsigned char *)"packed", 6)), WA_ERR_CBOR);
}

static void
attobj_att_stmt_not_map(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("attStmt", cbor_new_definite_array(0)),
	    WA_ERR_CBOR);
}

static void
attobj_auth_data_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("authData", cbor_build_string("x")),
	    WA_ERR_CBOR);
}

enum ao_mutation {
	AO_TRAILING,		/* a byte after the map */
	AO_INDEFINITE,		/* the map as indefinite length */
	AO_DUPLICATE,		/* a second "fmt" */
	AO_LONG_HEAD,		/* map(3) as b8 03 */
	AO_TAG,			/* tag 55799 in front */
	AO_TRUNCATED,		/* last byte missing */
};

static int
prepend(struct sa_bytes *b, const char *head, size_t n)
{
	struct sa_bytes	c = { NULL, 0 };
	int		r;

	if (sa_bytes_set(&c, head, n) < 0 ||
	    sa_bytes_append(&c, b->ptr, b->len) < 0) {
		free(c.ptr);
		return (-1);
	}
	r = sa_bytes_set(b, c.ptr, c.len);
	free(c.ptr);

	return (r);
}

static int
hook_ao_bytes(struct sa_bytes *b, void *arg)
{
	switch (*(const enum ao_mutation *)arg) {
	case AO_TRAILING:
		return (sa_bytes_append(b, "", 1));
	case AO_INDEFINITE:
		b->ptr[0] = 0xbf;
		return (sa_bytes_append(b, "\xff", 1));
	case AO_DUPLICATE:
		b->ptr[0] = 0xa4;
		return (sa_bytes_append(b, "\x63" "fmt" "\x64" "none", 9));
	case AO_LONG_HEAD:
		b->ptr[0] = 0x03;
		return (prepend(b, "\xb8", 1));
	case AO_TAG:
		return (prepend(b, "\xd9\xd9\xf7", 3));
	case AO_TRUNCATED:
		b->len--;
		return (0);
	}

	return (-1);
}

static int
ao_bytes(enum ao_mutation what)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .attobj = hook_ao_bytes, .arg = &what };

	return (reg(cred(ALG_ES256), &p, &h));
}

static void
attobj_trailing_bytes(void **state)
{
	(void)state;
	assert_int_equal(ao_bytes(AO_TRAILING), WA_ERR_CBOR);
}

static void
attobj_indefinite_map(void **state)
{
	(void)state;
	assert_int_equal(ao_bytes(AO_INDEFINITE), WA_ERR_CBOR);
}

static void
attobj_duplicate_key(void **state)
{
	(void)state;
	assert_int_equal(ao_bytes(AO_DUPLICATE), WA_ERR_CBOR);
}

static void
attobj_long_head(void **state)
{
	(void)state;
	assert_int_equal(ao_bytes(AO_LONG_HEAD), WA_ERR_CBOR);
}

static void
attobj_tagged(void **state)
{
	(void)state;
	assert_int_equal(ao_bytes(AO_TAG), WA_ERR_CBOR);
}

static void
attobj_truncated(void **state)
{
	(void)state;
	assert_int_equal(ao_bytes(AO_TRUNCATED), WA_ERR_CBOR);
}

/* attStmt of "none" holding 16 nested arrays: too deep as a whole. */
static int
hook_deep_stmt(cbor_item_t **stmt, const struct sa_ctx *ctx, void *arg)
{
	cbor_item_t	*v = cbor_new_definite_array(0), *outer;
	size_t		 depth = (size_t)(uintptr_t)arg;

	(void)ctx;
	for (size_t i = 1; i < depth; i++) {
		outer = cbor_new_definite_array(1);
		if (outer == NULL || v == NULL || !cbor_array_push(outer, v))
			return (-1);
		cbor_decref(&v);
		v = outer;
	}

	return (sa_cbor_map_put(stmt, "x", v));
}

static void
attobj_deep_nesting(void **state)
{
	struct sa_params	p = params("none");
	struct sa_hooks		h = { .attstmt = hook_deep_stmt };

	(void)state;
	/* Map (0), attStmt (1), then arrays at 2..16: within the cap. */
	h.arg = (void *)(uintptr_t)15;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_ATTSTMT);
	h.arg = (void *)(uintptr_t)16;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_CBOR);
}

static int
hook_stmt_duplicate(struct sa_bytes *b, void *arg)
{
	static const unsigned char from[] = {
		0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa0,
	};
	static const unsigned char to[] = {
		0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa2,
		0x61, 'x', 0x01, 0x61, 'x', 0x02,
	};
	struct sa_bytes	 c = { NULL, 0 };
	size_t		 at;
	int		 r;

	(void)arg;
	/* "attStmt": {} becomes {"x": 1, "x": 2}. */
	for (at = 0; at + sizeof(from) <= b->len; at++)
		if (memcmp(b->ptr + at, from, sizeof(from)) == 0)
			break;
	if (at + sizeof(from) > b->len ||
	    sa_bytes_set(&c, b->ptr, at) < 0 ||
	    sa_bytes_append(&c, to, sizeof(to)) < 0 ||
	    sa_bytes_append(&c, b->ptr + at + sizeof(from),
	    b->len - at - sizeof(from)) < 0)
		return (-1);
	r = sa_bytes_set(b, c.ptr, c.len);
	free(c.ptr);

	return (r);
}

static void
att_stmt_duplicate_key(void **state)
{
	struct sa_params	p = params("none");
	struct sa_hooks		h = { .attobj = hook_stmt_duplicate };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_CBOR);
}

/* Authenticator data in the attestation object. */

static void
authdata_trailing_bytes(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .authdata = hook_append_zero };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_AUTHDATA);
}

static int
hook_truncate(struct sa_bytes *b, void *arg)
{
	b->len = (size_t)(uintptr_t)arg;

	return (0);
}

static void
authdata_truncated(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .authdata = hook_truncate };

	(void)state;
	h.arg = (void *)(uintptr_t)36;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_AUTHDATA);
	/* AT set, attested credential data cut in the key. */
	h.arg = (void *)(uintptr_t)100;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_AUTHDATA);
}

static void
authdata_without_at(void **state)
{
	struct sa_params	p = params("packed");
	struct sa_hooks		h = { .no_at = true };

	(void)state;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_AUTHDATA);
}

static void
authdata_ed_without_extensions(void **state)
{
	struct sa_params p = params("packed");

	(void)state;
	p.flags |= WA_FLAG_ED;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_AUTHDATA);
}

static void
authdata_over_cap(void **state)
{
	struct sa_params	 p = params("none");
	struct sa_hooks		 h;
	unsigned char		*ext;
	size_t			 n = WA_MAX_AUTHDATA;

	(void)state;
	/* {"x": h'00..'} as extensions, making authData too long. */
	assert_non_null(ext = calloc(1, n));
	memcpy(ext, "\xa1\x61x\x59", 4);
	ext[4] = (unsigned char)((n - 6) >> 8);
	ext[5] = (unsigned char)(n - 6);
	memset(&h, 0, sizeof(h));
	h.ext = ext;
	h.ext_len = n;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_AUTHDATA);
	free(ext);
}

/* §7.1 steps 14-17. */

static void
rp_id_mismatch(void **state)
{
	struct sa_params p = params("packed");

	(void)state;
	p.rp_id = "example.org";
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_RPID);
	p.rp_id = "login.example.com";
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_RPID);
}

static void
user_not_present(void **state)
{
	struct sa_params p = params("packed");

	(void)state;
	p.flags = WA_FLAG_UV;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_UP);
}

static void
user_not_verified(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("packed");

	(void)state;
	p.flags = WA_FLAG_UP;
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	assert_int_equal(wa_rp_set_require_uv(rp, true), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_ERR_UV);
	wa_rp_free(&rp);
}

static void
backup_state_without_eligibility(void **state)
{
	struct sa_params p = params("packed");

	(void)state;
	p.flags |= WA_FLAG_BS;
	assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_BACKUP);
}

/* §7.1 step 20: the credential public key. */

static void
off_curve_key(void **state)
{
	struct sa_params	 p = params("none");
	struct sa_hooks		 h;
	unsigned char		*key;
	size_t			 n = sa_cred_cose_len(cred(ALG_ES256));

	(void)state;
	assert_non_null(key = malloc(n));
	memcpy(key, sa_cred_cose_ptr(cred(ALG_ES256)), n);
	key[n - 1] ^= 0x01;
	memset(&h, 0, sizeof(h));
	h.cose = key;
	h.cose_len = n;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_COSE);
	free(key);
}

static int
reg_with_key(const char *hex)
{
	struct sa_params	 p = params("none");
	struct sa_hooks		 h;
	unsigned char		*key;
	size_t			 n;
	int			 r;

	assert_non_null(key = malloc(strlen(hex) / 2 + 1));
	assert_int_not_equal(n = unhex(hex, key, strlen(hex) / 2 + 1),
	    SIZE_MAX);
	memset(&h, 0, sizeof(h));
	h.cose = key;
	h.cose_len = n;
	r = reg(cred(ALG_ES256), &p, &h);
	free(key);

	return (r);
}

#define X32 "0101010101010101010101010101010101010101010101010101010101010101"

static void
ed448_key(void **state)
{
	(void)state;
	/* {1: 1, 3: -8, -1: 7, -2: h'<57 bytes>'} */
	assert_int_equal(reg_with_key("a4 01 01 03 27 20 07 21 58 39" X32
	    "01010101010101010101010101010101010101010101010101"),
	    WA_ERR_UNSUPPORTED_ALG);
}

static void
rs1_key(void **state)
{
	struct sa_params	 p = params("none");
	struct sa_hooks		 h;
	unsigned char		*key;
	size_t			 n = sa_cred_cose_len(cred(ALG_RS256));

	(void)state;
	/* a4 01 03 03 39 0100 ...: alg -257 becomes -65535 (39 fffe). */
	assert_non_null(key = malloc(n));
	memcpy(key, sa_cred_cose_ptr(cred(ALG_RS256)), n);
	assert_int_equal(key[4], 0x39);
	key[5] = 0xff;
	key[6] = 0xfe;
	memset(&h, 0, sizeof(h));
	h.cose = key;
	h.cose_len = n;
	assert_int_equal(reg(cred(ALG_RS256), &p, &h), WA_ERR_UNSUPPORTED_ALG);
	free(key);
}

static void
ml_dsa_key(void **state)
{
	struct sa_params	 p = params("none");
	struct sa_hooks		 h;
	unsigned char		*key;
	size_t			 n = 10 + 1312;

	(void)state;
	/* {1: 7, 3: -48, -1: h'<1312 bytes>'} (ML-DSA-44). */
	assert_non_null(key = malloc(n));
	memcpy(key, "\xa3\x01\x07\x03\x38\x2f\x20\x59\x05\x20", 10);
	memset(key + 10, 0x42, 1312);
	memset(&h, 0, sizeof(h));
	h.cose = key;
	h.cose_len = n;
	assert_int_equal(reg(cred(ALG_ES256), &p, &h), WA_ERR_UNSUPPORTED_ALG);
	free(key);
}

static void
alg_not_allowed(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("none");
	const int		 algs[] = { WA_COSE_ES256, WA_COSE_RS256 };

	(void)state;
	assert_int_equal(wa_rp_set_algs(rp, algs, 2), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_RS256), &p, NULL, rp), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_EDDSA), &p, NULL, rp),
	    WA_ERR_ALG_NOT_ALLOWED);
	assert_int_equal(reg_rp(cred(ALG_ES384), &p, NULL, rp),
	    WA_ERR_ALG_NOT_ALLOWED);
	assert_int_equal(reg_rp(cred(ALG_PS256), &p, NULL, rp),
	    WA_ERR_ALG_NOT_ALLOWED);
	wa_rp_free(&rp);
}

/* §7.1 step 21: the format, case-sensitive. */

static void
unknown_format(void **state)
{
	static const char *const fmts[] = {
		"Packed", "NONE", "unknown", "", "none ", "fido-u2f2",
		"tpm2", "apple-appattest",
	};
	struct sa_params p;

	(void)state;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		/* softauth writes names it does not know with {}. */
		p = params(fmts[i]);
		assert_int_equal(reg(cred(ALG_ES256), &p, NULL), WA_ERR_FMT);
	}
}

static void
format_with_nul(void **state)
{
	(void)state;
	assert_int_equal(ao_edit("fmt", cbor_build_stringn("none\0x", 6)),
	    WA_ERR_FMT);
}

static void
none_with_statement(void **state)
{
	(void)state;
	/* fmt "none" over a packed statement. */
	assert_int_equal(ao_edit("fmt", cbor_build_string("none")),
	    WA_ERR_ATTSTMT);
}

/* §7.1 steps 23-24: attestation policy. */

static void
policy_trusted_refuses_none(void **state)
{
	struct wa_rp		*rp = rp_new();
	struct sa_params	 p = params("none");

	(void)state;
	assert_int_equal(wa_rp_set_attestation_policy(rp,
	    WA_ATT_POLICY_TRUSTED), WA_OK);
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp),
	    WA_ERR_ATTESTATION_REQUIRED);
	p = params("packed");
	assert_int_equal(reg_rp(cred(ALG_ES256), &p, NULL, rp),
	    WA_ERR_ATTESTATION_REQUIRED);
	wa_rp_free(&rp);
}

/* Arguments. */

static void
bad_arguments(void **state)
{
	struct wa_rp	*rp = wa_rp_new();
	struct wa_reg	*reg;
	char		*json = make(ALG_ES256);

	(void)state;
	assert_non_null(reg = wa_reg_new());
	/* No RP ID and no origin yet. */
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_id(rp, RP_ID), WA_OK);
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_origin(rp, ORIGIN), WA_OK);
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, 0, json, strlen(json)),
	    WA_ERR_ARG);
	assert_int_equal(wa_reg_verify(reg, rp, NULL, CHAL_LEN, json,
	    strlen(json)), WA_ERR_ARG);
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, NULL, 0),
	    WA_ERR_ARG);
	assert_int_equal(wa_reg_verify(reg, NULL, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_ERR_ARG);
	assert_int_equal(wa_reg_verify(NULL, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_ERR_ARG);
	/* A length that stops short of the text. */
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json) - 1), WA_ERR_JSON);
	assert_int_equal(wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json,
	    strlen(json)), WA_OK);
	free(json);
	wa_reg_free(&reg);
	wa_rp_free(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_alg_registers),
		cmocka_unit_test(failure_clears_getters),
		cmocka_unit_test(sign_count_and_backup_flags),
		cmocka_unit_test(be_without_bs),
		cmocka_unit_test(bom_clientdata_accepted),
		cmocka_unit_test(cred_id_1023_bytes),
		cmocka_unit_test(cred_id_1024_bytes),
		cmocka_unit_test(no_user_presence_when_allowed),
		cmocka_unit_test(android_origin),
		cmocka_unit_test(cross_origin_when_allowed),
		cmocka_unit_test(extensions_in_authdata),
		cmocka_unit_test(uv_required_and_set),
		cmocka_unit_test(transports_reported),
		cmocka_unit_test(transports_absent),
		cmocka_unit_test(cred_props_rk),
		cmocka_unit_test(not_json),
		cmocka_unit_test(trailing_garbage),
		cmocka_unit_test(duplicate_member),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(response_too_large),
		cmocka_unit_test(type_missing),
		cmocka_unit_test(type_not_public_key),
		cmocka_unit_test(type_not_string),
		cmocka_unit_test(id_missing),
		cmocka_unit_test(id_differs_from_raw_id),
		cmocka_unit_test(raw_id_differs_from_authdata),
		cmocka_unit_test(id_empty),
		cmocka_unit_test(id_padded),
		cmocka_unit_test(raw_id_too_long),
		cmocka_unit_test(response_missing),
		cmocka_unit_test(client_data_missing),
		cmocka_unit_test(attestation_object_missing),
		cmocka_unit_test(client_data_not_base64url),
		cmocka_unit_test(attestation_object_not_base64url),
		cmocka_unit_test(client_data_too_large),
		cmocka_unit_test(attestation_object_too_large),
		cmocka_unit_test(client_extension_results_not_object),
		cmocka_unit_test(transports_not_array),
		cmocka_unit_test(transports_too_many),
		cmocka_unit_test(cred_props_malformed),
		cmocka_unit_test(public_key_algorithm_mismatch),
		cmocka_unit_test(authenticator_data_member_mismatch),
		cmocka_unit_test(l3_members_absent),
		cmocka_unit_test(client_data_type_get),
		cmocka_unit_test(client_data_not_json),
		cmocka_unit_test(challenge_mismatch),
		cmocka_unit_test(origin_mismatch),
		cmocka_unit_test(origin_missing),
		cmocka_unit_test(cross_origin_refused),
		cmocka_unit_test(top_origin_mismatch),
		cmocka_unit_test(token_binding_bad_status),
		cmocka_unit_test(attobj_auth_data_missing),
		cmocka_unit_test(attobj_fmt_missing),
		cmocka_unit_test(attobj_att_stmt_missing),
		cmocka_unit_test(attobj_extra_member),
		cmocka_unit_test(attobj_fmt_not_text),
		cmocka_unit_test(attobj_att_stmt_not_map),
		cmocka_unit_test(attobj_auth_data_not_bytes),
		cmocka_unit_test(attobj_trailing_bytes),
		cmocka_unit_test(attobj_indefinite_map),
		cmocka_unit_test(attobj_duplicate_key),
		cmocka_unit_test(attobj_long_head),
		cmocka_unit_test(attobj_tagged),
		cmocka_unit_test(attobj_truncated),
		cmocka_unit_test(attobj_deep_nesting),
		cmocka_unit_test(att_stmt_duplicate_key),
		cmocka_unit_test(authdata_trailing_bytes),
		cmocka_unit_test(authdata_truncated),
		cmocka_unit_test(authdata_without_at),
		cmocka_unit_test(authdata_ed_without_extensions),
		cmocka_unit_test(authdata_over_cap),
		cmocka_unit_test(rp_id_mismatch),
		cmocka_unit_test(user_not_present),
		cmocka_unit_test(user_not_verified),
		cmocka_unit_test(backup_state_without_eligibility),
		cmocka_unit_test(off_curve_key),
		cmocka_unit_test(ed448_key),
		cmocka_unit_test(rs1_key),
		cmocka_unit_test(ml_dsa_key),
		cmocka_unit_test(alg_not_allowed),
		cmocka_unit_test(unknown_format),
		cmocka_unit_test(format_with_nul),
		cmocka_unit_test(none_with_statement),
		cmocka_unit_test(policy_trusted_refuses_none),
		cmocka_unit_test(bad_arguments),
	};

	return (GROUP(tests));
}
