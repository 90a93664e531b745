/*
 * reg.c: registration ceremony verification, WebAuthn §7.1 steps 3-25,
 * for a RegistrationResponseJSON.
 */
#include <string.h>

#include <openssl/sha.h>

#include "extern.h"

static const struct {
	const char	*name;
	int		(*verify)(struct wa_att *);
} formats[] = {
	{ "none", wa_att_none },
	{ "packed", wa_att_packed },
	{ "fido-u2f", wa_att_fido_u2f },
	{ "tpm", wa_att_tpm },
	{ "android-key", wa_att_android_key },
	{ "android-safetynet", wa_att_android_safetynet },
	{ "apple", wa_att_apple },
};

static const char *const transport_names[] = {
	"usb", "nfc", "ble", "internal", "hybrid", "smart-card",
};
#define NTRANSPORTS (sizeof(transport_names) / sizeof(transport_names[0]))

struct wa_reg *
wa_reg_new(void)
{
	struct wa_reg *reg;

	if ((reg = calloc(1, sizeof(*reg))) == NULL)
		return (NULL);
	reg->rk = -1;

	return (reg);
}

static void
reg_reset(struct wa_reg *reg)
{
	wa_buf_reset(&reg->cred_id);
	wa_buf_reset(&reg->pubkey);
	memset(reg, 0, sizeof(*reg));
	reg->rk = -1;
}

void
wa_reg_free(struct wa_reg **regp)
{
	struct wa_reg *reg;

	if (regp == NULL || (reg = *regp) == NULL)
		return;
	reg_reset(reg);
	free(reg);
	*regp = NULL;
}

const char *
wa_transport_name(unsigned int bit)
{
	for (size_t i = 0; i < NTRANSPORTS; i++)
		if (bit == 1U << i)
			return (transport_names[i]);

	return (NULL);
}

const char *
wa_att_type_name(int type)
{
	switch (type) {
	case WA_ATT_NONE:
		return ("none");
	case WA_ATT_SELF:
		return ("self");
	case WA_ATT_BASIC:
		return ("basic");
	case WA_ATT_ATTCA:
		return ("attca");
	case WA_ATT_ANONCA:
		return ("anonca");
	default:
		return ("unknown");
	}
}

/* response.transports: known names become bits; others are ignored. */
static int
parse_transports(const json_t *resp, unsigned int *out)
{
	const json_t	*arr, *v;
	size_t		 i;

	*out = 0;
	if ((arr = json_object_get(resp, "transports")) == NULL)
		return (WA_OK);
	if (!json_is_array(arr) || json_array_size(arr) > 16)
		return (WA_ERR_JSON);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return (WA_ERR_JSON);
		for (size_t t = 0; t < NTRANSPORTS; t++)
			if (strcmp(json_string_value(v),
			    transport_names[t]) == 0)
				*out |= 1U << t;
	}

	return (WA_OK);
}

/* clientExtensionResults.credProps.rk. */
static int
parse_cred_props(const json_t *root, int *rk)
{
	const json_t *ext, *cp, *v;

	*rk = -1;
	if ((ext = json_object_get(root, "clientExtensionResults")) == NULL ||
	    (cp = json_object_get(ext, "credProps")) == NULL)
		return (WA_OK);
	if (!json_is_object(cp))
		return (WA_ERR_JSON);
	if ((v = json_object_get(cp, "rk")) == NULL)
		return (WA_OK);
	if (!json_is_boolean(v))
		return (WA_ERR_JSON);
	*rk = json_is_true(v) ? 1 : 0;

	return (WA_OK);
}

/*
 * The Level 3 convenience members duplicate what the attestation object
 * holds; when a client sends them they must agree with it.
 */
static int
check_l3_members(const json_t *resp, const struct wa_buf *authdata, int alg)
{
	const json_t	*v;
	struct wa_buf	 b = { NULL, 0 };
	int		 r;

	if ((v = json_object_get(resp, "publicKeyAlgorithm")) != NULL &&
	    (!json_is_integer(v) || json_integer_value(v) != alg))
		return (WA_ERR_JSON);
	if ((r = wa_json_b64(resp, "authenticatorData", false,
	    WA_MAX_AUTHDATA, &b)) != WA_OK)
		return (r);
	if (b.ptr != NULL && (b.len != authdata->len ||
	    memcmp(b.ptr, authdata->ptr, b.len) != 0))
		r = WA_ERR_JSON;
	wa_buf_reset(&b);

	return (r);
}

/* §7.1 step 13: {fmt: text, attStmt: map, authData: bytes}. */
static int
parse_attobj(const struct wa_buf *ao, cbor_item_t **item, const char **fmt,
    size_t *fmt_len, const cbor_item_t **stmt, struct wa_buf *authdata)
{
	static const char *const keys[] = { "fmt", "attStmt", "authData" };
	const cbor_item_t	*f;
	const unsigned char	*p;
	size_t			 n;
	int			 r;

	if ((r = wa_cbor_decode(ao->ptr, ao->len, item)) != WA_OK)
		return (r);
	if (!cbor_isa_map(*item) || wa_cbor_map_bad(*item) ||
	    cbor_map_size(*item) != 3 || !wa_cbor_map_only(*item, keys, 3))
		return (WA_ERR_CBOR);
	f = wa_cbor_map_str(*item, "fmt");
	*stmt = wa_cbor_map_str(*item, "attStmt");
	if (f == NULL || !cbor_isa_string(f) || *stmt == NULL ||
	    !cbor_isa_map(*stmt) || wa_cbor_map_bad(*stmt) ||
	    wa_cbor_bytes(wa_cbor_map_str(*item, "authData"), &p, &n) < 0)
		return (WA_ERR_CBOR);
	*fmt = (const char *)cbor_string_handle(f);
	*fmt_len = cbor_string_length(f);

	return (wa_buf_set(authdata, p, n));
}

int
wa_reg_verify(struct wa_reg *reg, const struct wa_rp *rp,
    const unsigned char *chal, size_t chal_len, const char *json,
    size_t json_len)
{
	json_t			*root = NULL;
	const json_t		*resp;
	cbor_item_t		*ao_item = NULL;
	struct wa_buf		 cdj = { NULL, 0 }, ao = { NULL, 0 };
	struct wa_buf		 authdata = { NULL, 0 };
	struct wa_authdata	 ad;
	struct wa_cose		 key;
	struct wa_att		 att;
	const cbor_item_t	*stmt;
	const char		*fmt;
	size_t			 fmt_len, f;
	unsigned char		 cdh[SHA256_DIGEST_LENGTH];
	int			 r;

	memset(&key, 0, sizeof(key));
	if (reg == NULL || rp == NULL || chal == NULL || json == NULL)
		return (WA_ERR_ARG);
	reg_reset(reg);
	if (rp->id == NULL || rp->norigins == 0 || chal_len == 0) {
		r = WA_ERR_ARG;
		goto fail;
	}
	/* §7.1 step 3: a PublicKeyCredential with an attestation response. */
	if ((r = wa_json_load(json, json_len, WA_MAX_RESPONSE_JSON,
	    WA_ERR_JSON, &root)) != WA_OK ||
	    (r = wa_resp_common(root, &reg->cred_id, &resp)) != WA_OK ||
	    (r = wa_json_b64(resp, "clientDataJSON", true, WA_MAX_CLIENTDATA,
	    &cdj)) != WA_OK ||
	    (r = wa_json_b64(resp, "attestationObject", true, WA_MAX_ATTOBJ,
	    &ao)) != WA_OK ||
	    (r = parse_transports(resp, &reg->transports)) != WA_OK ||
	    (r = parse_cred_props(root, &reg->rk)) != WA_OK)
		goto fail;
	/* Steps 5-11. */
	if ((r = wa_clientdata_verify(rp, cdj.ptr, cdj.len, WA_CD_CREATE, chal,
	    chal_len)) != WA_OK)
		goto fail;
	/* Step 12. */
	if (SHA256(cdj.ptr, cdj.len, cdh) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	/* Step 13. */
	if ((r = parse_attobj(&ao, &ao_item, &fmt, &fmt_len, &stmt,
	    &authdata)) != WA_OK)
		goto fail;
	if ((r = wa_authdata_parse(authdata.ptr, authdata.len, &ad)) != WA_OK)
		goto fail;
	if ((ad.flags & WA_FLAG_AT) == 0) {
		r = WA_ERR_AUTHDATA;
		goto fail;
	}
	/* Steps 14-17. */
	if ((r = wa_authdata_check(rp, &ad)) != WA_OK)
		goto fail;
	/* Step 25, and the id the client reported is the one attested. */
	if (ad.cred_id_len != reg->cred_id.len ||
	    memcmp(ad.cred_id, reg->cred_id.ptr, ad.cred_id_len) != 0) {
		r = WA_ERR_CRED_ID;
		goto fail;
	}
	/* Step 20. */
	if ((r = wa_cose_decode(ad.pubkey, ad.pubkey_len, &key)) != WA_OK)
		goto fail;
	if (!wa_rp_alg_allowed(rp, key.alg)) {
		r = WA_ERR_ALG_NOT_ALLOWED;
		goto fail;
	}
	if ((r = check_l3_members(resp, &authdata, key.alg)) != WA_OK)
		goto fail;
	/* Steps 21-22: the format, matched case-sensitively. */
	for (f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
		if (strlen(formats[f].name) == fmt_len &&
		    memcmp(formats[f].name, fmt, fmt_len) == 0)
			break;
	if (f == sizeof(formats) / sizeof(formats[0])) {
		r = WA_ERR_FMT;
		goto fail;
	}
	memset(&att, 0, sizeof(att));
	att.rp = rp;
	att.stmt = stmt;
	att.authdata = authdata.ptr;
	att.authdata_len = authdata.len;
	att.ad = &ad;
	att.cdh = cdh;
	att.key = &key;
	if ((r = formats[f].verify(&att)) != WA_OK)
		goto fail;
	/* Steps 23-24. */
	if (rp->att_policy == WA_ATT_POLICY_TRUSTED && !att.trusted) {
		r = WA_ERR_ATTESTATION_REQUIRED;
		goto fail;
	}
	if ((r = wa_buf_set(&reg->pubkey, ad.pubkey, ad.pubkey_len)) != WA_OK)
		goto fail;
	memcpy(reg->aaguid, ad.aaguid, WA_AAGUID_LEN);
	memcpy(reg->fmt, formats[f].name, strlen(formats[f].name) + 1);
	reg->alg = key.alg;
	reg->sign_count = ad.sign_count;
	reg->flags = ad.flags;
	reg->att_type = att.type;
	reg->trusted = att.trusted;

	r = WA_OK;
fail:
	if (r != WA_OK)
		reg_reset(reg);
	wa_cose_reset(&key);
	if (ao_item != NULL)
		cbor_decref(&ao_item);
	wa_buf_reset(&authdata);
	wa_buf_reset(&ao);
	wa_buf_reset(&cdj);
	json_decref(root);

	return (r);
}

const unsigned char *
wa_reg_cred_id_ptr(const struct wa_reg *reg)
{
	return (reg->cred_id.ptr);
}

size_t
wa_reg_cred_id_len(const struct wa_reg *reg)
{
	return (reg->cred_id.len);
}

const unsigned char *
wa_reg_pubkey_ptr(const struct wa_reg *reg)
{
	return (reg->pubkey.ptr);
}

size_t
wa_reg_pubkey_len(const struct wa_reg *reg)
{
	return (reg->pubkey.len);
}

int
wa_reg_alg(const struct wa_reg *reg)
{
	return (reg->alg);
}

uint32_t
wa_reg_sign_count(const struct wa_reg *reg)
{
	return (reg->sign_count);
}

uint8_t
wa_reg_flags(const struct wa_reg *reg)
{
	return (reg->flags);
}

const unsigned char *
wa_reg_aaguid_ptr(const struct wa_reg *reg)
{
	return (reg->aaguid);
}

const char *
wa_reg_fmt(const struct wa_reg *reg)
{
	return (reg->fmt);
}

int
wa_reg_att_type(const struct wa_reg *reg)
{
	return (reg->att_type);
}

bool
wa_reg_trusted(const struct wa_reg *reg)
{
	return (reg->trusted);
}

unsigned int
wa_reg_transports(const struct wa_reg *reg)
{
	return (reg->transports);
}

int
wa_reg_cred_props_rk(const struct wa_reg *reg)
{
	return (reg->rk);
}
