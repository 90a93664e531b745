/*
 * route_register.c: enrollment codes and passkey registration.
 *
 *   POST /v1/enrollments            an admin, or a service (customers)
 *   POST /v1/registration/options   an enrollment code, or a user's token
 *   POST /v1/registration/verify    the RegistrationResponseJSON
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "authd/authd.h"
#include "authd/ceremony.h"
#include "authd/routes.h"

#define CODE_LEN	32

/* The creation parameters offered, strongest first. */
static const int offered_algs[] = {
	WA_COSE_EDDSA, WA_COSE_ES256, WA_COSE_ES384, WA_COSE_ES512,
	WA_COSE_PS256, WA_COSE_RS256,
};

static bool
valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return (false);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '.' && c != '-' && c != '_' && c != '@')
			return (false);
	}

	return (true);
}

/* Printable UTF-8 text without control characters. */
static bool
valid_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return (false);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (false);

	return (true);
}

static void
rfc3339(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
route_enrollments(struct http_req *r)
{
	struct caller		 c;
	struct store_user	 u;
	json_t			*body;
	const char		*username, *display, *role_s, *contact;
	enum store_role		 role;
	unsigned char		 code[CODE_LEN], hash[32];
	char			*b64, *text, link[2048], exp[32];
	int64_t			 now = now_s(), expires;
	int			 e;

	if (route_caller(r, &c) < 0)
		return (0);
	if ((body = http_body_json(r)) == NULL)
		return (0);
	username = json_string_value(json_object_get(body, "username"));
	role_s = json_string_value(json_object_get(body, "role"));
	display = json_string_value(json_object_get(body, "display_name"));
	contact = json_string_value(json_object_get(body, "contact"));
	if (username == NULL || role_s == NULL ||
	    !valid_name(username, STORE_MAX_USERNAME) ||
	    (role = store_role_parse(role_s)) == 0 ||
	    (display != NULL && !valid_text(display, STORE_MAX_DISPLAY)) ||
	    (contact != NULL && !valid_text(contact, STORE_MAX_CONTACT)) ||
	    (json_object_get(body, "contact") != NULL && contact == NULL)) {
		json_decref(body);
		http_error(r, 400, "malformed_request", "username (a-z 0-9 . - "
		    "_ @), role (courier, customer or admin), an optional "
		    "display_name and an optional contact (at most 254 "
		    "characters) are required");
		return (0);
	}
	/* Admins enroll anyone; services enroll customers only. */
	if ((c.is_service && role != STORE_ROLE_CUSTOMER) ||
	    (!c.is_service && c.user.role != STORE_ROLE_ADMIN)) {
		json_decref(body);
		http_error(r, 403, "forbidden",
		    "not allowed to enroll this role");
		return (0);
	}
	e = store_user_ensure(r->st, username, role, display != NULL ?
	    display : username, now, &u);
	/* Sealed by the store; a re-enrollment may update it. */
	if (e == STORE_OK && contact != NULL)
		e = store_user_set_contact(r->st, u.id, contact);
	json_decref(body);
	if (e != STORE_OK) {
		if (e == STORE_ERR_EXISTS)
			http_error(r, 409, "conflict",
			    "the username exists with another role");
		else
			route_store_error(r, e);
		return (0);
	}
	rand_bytes(code, sizeof(code));
	if (SHA256(code, sizeof(code), hash) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		return (0);
	}
	expires = now + srv->cfg.enrollment_lifetime;
	/* The answer first: a stored code must reach its caller. */
	if ((b64 = wa_b64url_encode(code, sizeof(code))) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		return (0);
	}
	snprintf(link, sizeof(link), "%s/enroll?code=%s", srv->cfg.origins[0],
	    b64);
	rfc3339(expires, exp, sizeof(exp));
	text = http_json_text(json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}",
	    "code", b64, "link", link, "expires_at", exp, "user", "username",
	    u.username, "role", store_role_name(u.role)));
	OPENSSL_cleanse(b64, strlen(b64));
	free(b64);
	if (text == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		return (0);
	}
	if ((e = store_enroll_put(r->st, hash, u.id, role, now,
	    expires)) != STORE_OK) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
		route_store_error(r, e);
		return (0);
	}
	store_audit(r->st, now, "enrollment_issued", c.is_service ?
	    c.service_audience : c.user.username, u.username,
	    store_role_name(role));
	log_event("enrollment_issued", "rid", r->id, "user", u.username,
	    "role", store_role_name(role), NULL);
	http_json_send(r, 201, text);
	OPENSSL_cleanse(text, strlen(text));
	free(text);

	return (0);
}

static json_t *
creation_options(const struct store_user *u, const unsigned char *chal,
    size_t chal_len, struct store *st)
{
	const struct cfg_role	*cr = &srv->cfg.roles[u->role];
	json_t			*o, *params, *exclude;
	char			*c = NULL, *h = NULL;
	static const char	*uv_names[] = { "required", "preferred",
				    "discouraged" };

	if ((c = wa_b64url_encode(chal, chal_len)) == NULL ||
	    (h = wa_b64url_encode(u->handle, STORE_HANDLE_LEN)) == NULL) {
		free(c);
		return (NULL);
	}
	params = json_array();
	for (size_t i = 0; i < sizeof(offered_algs) / sizeof(offered_algs[0]);
	    i++)
		json_array_append_new(params, json_pack("{s:s, s:i}", "type",
		    "public-key", "alg", offered_algs[i]));
	exclude = json_array();
	o = json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:o, s:I, "
	    "s:o, s:{s:s, s:s, s:b, s:s}, s:s, s:{s:b}}",
	    "rp", "id", srv->cfg.rp_id, "name", srv->cfg.rp_name,
	    "user", "id", h, "name", u->username, "displayName",
	    u->display_name,
	    "challenge", c,
	    "pubKeyCredParams", params,
	    "timeout", (json_int_t)srv->cfg.challenge_lifetime * 1000,
	    "excludeCredentials", exclude,
	    "authenticatorSelection", "authenticatorAttachment", "platform",
	    "residentKey", "required", "requireResidentKey", 1,
	    "userVerification", uv_names[cr->uv],
	    "attestation", cr->attestation == CFG_ATT_TRUSTED ? "direct" :
	    "none",
	    "extensions", "credProps", 1);
	free(c);
	free(h);
	if (o != NULL)
		route_exclude_list(st, u->id, exclude);

	return (o);
}

int
route_registration_options(struct http_req *r)
{
	struct ceremony		 cer;
	struct store_user	 u;
	struct store_enrollment	 en;
	struct caller		 c;
	json_t			*body;
	const char		*code_s, *label;
	unsigned char		 code[CODE_LEN + 3], sealed[CER_MAX_SEALED];
	size_t			 code_len, sealed_len;
	int64_t			 now = now_s();
	int			 e;

	memset(&cer, 0, sizeof(cer));
	/* A signed-in user adds a device; otherwise a code enrolls one. */
	if (http_header(r, "Authorization") != NULL &&
	    route_caller(r, &c) < 0)
		return (0);
	if ((body = http_body_json(r)) == NULL)
		return (0);
	code_s = json_string_value(json_object_get(body, "code"));
	label = json_string_value(json_object_get(body, "label"));
	if (label == NULL || !valid_text(label, CER_MAX_LABEL)) {
		json_decref(body);
		http_error(r, 400, "malformed_request",
		    "a device label of 1-64 characters is required");
		return (0);
	}
	snprintf(cer.label, sizeof(cer.label), "%s", label);
	if (http_header(r, "Authorization") != NULL) {
		if (c.is_service) {
			json_decref(body);
			http_error(r, 403, "forbidden",
			    "services cannot register devices");
			return (0);
		}
		u = c.user;
	} else {
		if (code_s == NULL || wa_b64url_decode(code_s,
		    strlen(code_s), code, sizeof(code), &code_len) != WA_OK ||
		    code_len != CODE_LEN) {
			json_decref(body);
			http_error(r, 401, "invalid_enrollment_code",
			    "the enrollment code is not valid");
			return (0);
		}
		if (SHA256(code, CODE_LEN, cer.code_hash) == NULL) {
			json_decref(body);
			http_error(r, 503, "unavailable", "out of memory");
			return (0);
		}
		e = store_enroll_get(r->st, cer.code_hash, now, &en);
		if (e == STORE_ERR_EXPIRED || e == STORE_ERR_CONSUMED ||
		    e == STORE_ERR_NOT_FOUND) {
			json_decref(body);
			http_error(r, 401, e == STORE_ERR_EXPIRED ?
			    "enrollment_expired" : "invalid_enrollment_code",
			    e == STORE_ERR_EXPIRED ? "the enrollment link has "
			    "expired; ask for a new one" : "the enrollment "
			    "code is not valid or was used already");
			return (0);
		}
		if (e != STORE_OK || (e = store_user_by_id(r->st, en.user_id,
		    &u)) != STORE_OK) {
			json_decref(body);
			route_store_error(r, e);
			return (0);
		}
	}
	json_decref(body);
	cer.type = CER_REGISTER;
	cer.role = (uint8_t)u.role;
	cer.user_id = u.id;
	cer.expires = now + srv->cfg.challenge_lifetime;
	if (ceremony_seal(&cer, sealed, &sealed_len) < 0) {
		http_error(r, 500, "internal_error", "internal error");
		return (0);
	}
	metrics_ceremony("registration", "started");
	http_json(r, 200, creation_options(&u, sealed, sealed_len, r->st));

	return (0);
}

static void
reg_fail(struct http_req *r, int status, const char *code, const char *msg)
{
	metrics_ceremony("registration", code);
	log_event("registration_failed", "rid", r->id, "reason", code, NULL);
	http_error(r, status, code, msg);
}

int
route_registration_verify(struct http_req *r)
{
	struct ceremony		 cer;
	struct store_cred	 cred;
	struct store_user	 u;
	struct wa_reg		*reg = NULL;
	char			*json = NULL, *cid = NULL, *text = NULL;
	unsigned char		 chal[WA_MAX_CHALLENGE];
	size_t			 chal_len, json_len;
	int64_t			 now = now_s();
	int			 e, oc;
	static const unsigned char zero[32];

	if ((json = http_body_raw(r, &json_len)) == NULL)
		return (0);
	if ((e = wa_response_challenge(json, json_len, chal, sizeof(chal),
	    &chal_len)) != WA_OK) {
		reg_fail(r, 400, wa_errname(e), wa_strerr(e));
		goto done;
	}
	if ((oc = ceremony_open(chal, chal_len, now, &cer)) < 0 ||
	    cer.type != CER_REGISTER) {
		reg_fail(r, 400, oc == -2 ? "ceremony_expired" :
		    "unknown_ceremony", oc == -2 ? "the registration took too "
		    "long; start again" : "the challenge was not issued by "
		    "this server for a registration");
		goto done;
	}
	if ((e = store_user_by_id(r->st, cer.user_id, &u)) != STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	if ((reg = wa_reg_new()) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if ((e = wa_reg_verify(reg, srv->rp[u.role], chal, chal_len, json,
	    json_len)) != WA_OK) {
		reg_fail(r, 400, wa_errname(e), wa_strerr(e));
		store_audit(r->st, now, "registration_failed", u.username,
		    u.username, wa_errname(e));
		goto done;
	}
	memset(&cred, 0, sizeof(cred));
	memcpy(cred.id, wa_reg_cred_id_ptr(reg), wa_reg_cred_id_len(reg));
	cred.id_len = wa_reg_cred_id_len(reg);
	cred.user_id = u.id;
	if (wa_reg_pubkey_len(reg) > sizeof(cred.cose_key)) {
		reg_fail(r, 400, "too_large", "the public key is too large");
		goto done;
	}
	memcpy(cred.cose_key, wa_reg_pubkey_ptr(reg), wa_reg_pubkey_len(reg));
	cred.cose_key_len = wa_reg_pubkey_len(reg);
	cred.alg = wa_reg_alg(reg);
	cred.sign_count = wa_reg_sign_count(reg);
	memcpy(cred.aaguid, wa_reg_aaguid_ptr(reg), 16);
	snprintf(cred.fmt, sizeof(cred.fmt), "%s", wa_reg_fmt(reg));
	snprintf(cred.att_type, sizeof(cred.att_type), "%s",
	    wa_att_type_name(wa_reg_att_type(reg)));
	cred.trusted = wa_reg_trusted(reg);
	cred.transports = wa_reg_transports(reg);
	cred.be = (wa_reg_flags(reg) & WA_FLAG_BE) != 0;
	cred.bs = (wa_reg_flags(reg) & WA_FLAG_BS) != 0;
	cred.uv = (wa_reg_flags(reg) & WA_FLAG_UV) != 0;
	snprintf(cred.label, sizeof(cred.label), "%s", cer.label);
	cred.created = now;
	/* The answer is made first: nothing may fail after the commit. */
	if ((cid = wa_b64url_encode(cred.id, cred.id_len)) == NULL ||
	    (text = http_json_text(json_pack("{s:s, s:s, s:s, s:s, s:s, "
	    "s:b}", "credential_id", cid, "username", u.username, "role",
	    store_role_name(u.role), "label", cred.label, "fmt", cred.fmt,
	    "trusted", cred.trusted))) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	e = store_cred_register(r->st, cer.id, cer.expires,
	    memcmp(cer.code_hash, zero, 32) == 0 ? NULL : cer.code_hash, now,
	    &cred);
	if (e == STORE_ERR_EXISTS) {
		reg_fail(r, 409, "duplicate_credential",
		    "this credential is registered already");
		goto done;
	} else if (e == STORE_ERR_CONSUMED) {
		reg_fail(r, 400, "ceremony_used", "this registration was "
		    "completed already, or the enrollment code was used");
		goto done;
	} else if (e == STORE_ERR_EXPIRED) {
		reg_fail(r, 401, "enrollment_expired",
		    "the enrollment link has expired; ask for a new one");
		goto done;
	} else if (e != STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	metrics_ceremony("registration", "ok");
	log_event("registration", "rid", r->id, "user", u.username, "fmt",
	    cred.fmt, NULL);
	store_audit(r->st, now, "registration", u.username, u.username,
	    cred.label);
	http_json_send(r, 201, text);
done:
	free(text);
	free(cid);
	free(json);
	wa_reg_free(&reg);

	return (0);
}
