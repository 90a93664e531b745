/*
 * route_login.c: passkey sign-in.
 *
 *   POST /v1/authentication/options  {"username"?}: request options
 *   POST /v1/authentication/verify   AuthenticationResponseJSON: a session
 *                                    and an access token
 *
 * An unknown username gets options that look like a known user's: the
 * same shape, with credential ids derived from the name under a key of
 * this process, so repeated requests agree with each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "authd/authd.h"
#include "authd/ceremony.h"
#include "authd/ratelimit.h"
#include "authd/routes.h"
#include "authd/session.h"

#define FAKE_ID_LEN	32

static unsigned char	fake_key[32];	/* set once, before workers run */

struct cred_list {
	json_t	*arr;
	size_t	 n;
};


static json_t *
descriptor(const unsigned char *id, size_t len, unsigned int transports)
{
	json_t	*d, *tr;
	char	*b64;

	if ((b64 = wa_b64url_encode(id, len)) == NULL)
		return (NULL);
	tr = json_array();
	for (unsigned int b = 1; b <= WA_TRANSPORT_SMART_CARD; b <<= 1)
		if ((transports & b) && wa_transport_name(b) != NULL)
			json_array_append_new(tr,
			    json_string(wa_transport_name(b)));
	d = json_pack("{s:s, s:s, s:o}", "type", "public-key", "id", b64,
	    "transports", tr);
	free(b64);

	return (d);
}

static int
skip_cred(const struct store_cred *c, void *arg)
{
	(void)c;
	(void)arg;

	return (0);
}

static int
add_cred(const struct store_cred *c, void *arg)
{
	struct cred_list *l = arg;

	if (c->revoked_at == 0 && l->n < 32) {
		json_array_append_new(l->arr, descriptor(c->id, c->id_len,
		    c->transports));
		l->n++;
	}

	return (0);
}

void
route_exclude_list(struct store *st, int64_t user_id, json_t *arr)
{
	struct cred_list l = { arr, 0 };

	(void)store_cred_list(st, user_id, add_cred, &l);
}

/*
 * The made-up credential of a user who has none: an HMAC of the name, so
 * that it is the same every time.  -1 if HMAC failed: an id made of
 * whatever the stack held would disclose it, and would change from one
 * answer to the next.
 */
static int
fake_descriptor(const char *username, json_t *arr)
{
	unsigned char	id[SHA256_DIGEST_LENGTH];
	unsigned int	len = sizeof(id);

	if (HMAC(EVP_sha256(), fake_key, sizeof(fake_key),
	    (const unsigned char *)username, strlen(username), id,
	    &len) == NULL || len != sizeof(id))
		return (-1);
	json_array_append_new(arr, descriptor(id, FAKE_ID_LEN,
	    WA_TRANSPORT_INTERNAL | WA_TRANSPORT_HYBRID));

	return (0);
}

void
route_login_init(void)
{
	rand_bytes(fake_key, sizeof(fake_key));
}

int
route_authentication_options(struct http_req *r)
{
	struct ceremony		 cer;
	struct store_user	 u;
	json_t			*body, *allow;
	const char		*username;
	unsigned char		 sealed[CER_MAX_SEALED];
	char			*c, *text;
	size_t			 sealed_len;
	int			 e, fake = 0, uv = CFG_UV_REQUIRED;
	static const char	*uv_names[] = { "required", "preferred",
				    "discouraged" };

	if ((body = http_body_json(r)) == NULL)
		return (0);
	memset(&cer, 0, sizeof(cer));
	cer.type = CER_LOGIN;
	cer.expires = now_s() + srv->cfg.challenge_lifetime;
	allow = json_array();
	username = json_string_value(json_object_get(body, "username"));
	if (json_object_get(body, "username") != NULL && (username == NULL ||
	    strlen(username) == 0 || strlen(username) > STORE_MAX_USERNAME)) {
		json_decref(body);
		json_decref(allow);
		http_error(r, 400, "malformed_request",
		    "username must be a string of 1-64 characters");
		return (0);
	}
	/* Known or not, the same budget and the same answer. */
	if (username != NULL && ratelimit_check_account(r, username) < 0) {
		json_decref(body);
		json_decref(allow);
		return (0);
	}
	if (username != NULL) {
		struct store	*rd;
		bool		 need_fake = false;

		if ((rd = route_reader()) == NULL) {
			json_decref(body);
			json_decref(allow);
			http_error(r, 503, "unavailable",
			    "the store is unavailable");
			return (0);
		}
		e = store_user_by_name_nopii(rd, username, &u);
		if (e == STORE_OK) {
			struct cred_list l = { allow, 0 };

			(void)store_cred_list(rd, u.id, add_cred, &l);
			cer.user_id = u.id;
			cer.role = (uint8_t)u.role;
			uv = srv->cfg.roles[u.role].uv;
			need_fake = l.n == 0;
		} else if (e == STORE_ERR_NOT_FOUND) {
			/*
			 * -1: a user who cannot exist.  The same credential
			 * query as for a known user (it finds nothing), so
			 * the answer takes as long.
			 */
			cer.user_id = -1;
			(void)store_cred_list(rd, -1, skip_cred, NULL);
			need_fake = true;
		}
		route_reader_done(rd);
		if (need_fake)
			fake = fake_descriptor(username, allow);
		if (e != STORE_OK && e != STORE_ERR_NOT_FOUND) {
			json_decref(body);
			json_decref(allow);
			route_store_error(r, e);
			return (0);
		}
	}
	json_decref(body);
	if (fake < 0) {
		json_decref(allow);
		http_error(r, 503, "unavailable", "out of memory");
		return (0);
	}
	if (ceremony_seal(&cer, sealed, &sealed_len) < 0 ||
	    (c = wa_b64url_encode(sealed, sealed_len)) == NULL) {
		json_decref(allow);
		http_error(r, 500, "internal_error", "internal error");
		return (0);
	}
	/* The challenge first, written as it is: it is base64url. */
	text = http_json_text_lead("challenge", c, json_pack("{s:I, s:s, "
	    "s:o, s:s}", "timeout",
	    (json_int_t)srv->cfg.challenge_lifetime * 1000, "rpId",
	    srv->cfg.rp_id, "allowCredentials", allow, "userVerification",
	    uv_names[uv]));
	free(c);
	if (text == NULL) {
		http_error(r, 500, "internal_error", "internal error");
		return (0);
	}
	metrics_ceremony("authentication", "started");
	http_json_send(r, 200, text);
	free(text);

	return (0);
}

static void
login_fail(struct http_req *r, int status, const char *code,
    const char *msg, const char *user)
{
	metrics_ceremony("authentication", code);
	/* Failures count against the account's budget for options. */
	if (user != NULL)
		ratelimit_charge_account(user);
	log_event("login_failed", "rid", r->id, "reason", code, "user",
	    user != NULL ? user : "", NULL);
	store_audit(r->st, now_s(), "login_failed", user != NULL ? user : "",
	    user != NULL ? user : "", code);
	http_error(r, status, code, msg);
}

int
route_authentication_verify(struct http_req *r)
{
	struct ceremony		 cer;
	struct store_cred	 cred;
	struct store_user	 u;
	struct wa_assert	*a = NULL;
	struct store		*rd;
	char			*json = NULL;
	unsigned char		 chal[WA_MAX_CHALLENGE];
	size_t			 chal_len, json_len;
	int64_t			 now = now_s();
	int			 e, e2 = STORE_OK, oc;

	if ((json = http_body_raw(r, &json_len)) == NULL)
		return (0);
	if ((a = wa_assert_new()) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if ((e = wa_assert_parse(a, json, json_len)) != WA_OK ||
	    (e = wa_assert_challenge(a, chal, sizeof(chal),
	    &chal_len)) != WA_OK) {
		login_fail(r, 400, wa_errname(e), wa_strerr(e), NULL);
		goto done;
	}
	if ((oc = ceremony_open(chal, chal_len, now, &cer)) < 0 ||
	    cer.type != CER_LOGIN) {
		login_fail(r, 400, oc == -2 ? "ceremony_expired" :
		    "unknown_ceremony", oc == -2 ? "the sign-in took too long; "
		    "start again" : "the challenge was not issued by this "
		    "server for a sign-in", NULL);
		goto done;
	}
	if ((rd = route_reader()) == NULL) {
		http_error(r, 503, "unavailable", "the store is unavailable");
		goto done;
	}
	/* The credential and its owner, then the reader goes back. */
	if ((e = store_cred_get(rd, wa_assert_cred_id_ptr(a),
	    wa_assert_cred_id_len(a), &cred)) == STORE_OK)
		e2 = store_user_by_id(rd, cred.user_id, &u);
	route_reader_done(rd);
	if (e == STORE_ERR_NOT_FOUND) {
		login_fail(r, 401, "unknown_credential",
		    "this passkey is not registered", NULL);
		goto done;
	} else if (e != STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	if (e2 != STORE_OK) {
		route_store_error(r, e2);
		goto done;
	}
	if (cred.revoked_at != 0) {
		login_fail(r, 401, "credential_revoked",
		    "this device's passkey was revoked", u.username);
		goto done;
	}
	/* §7.2 step 6: the user named first must own the credential. */
	if (cer.user_id != 0 && cer.user_id != cred.user_id) {
		login_fail(r, 401, "credential_not_allowed",
		    "this passkey does not belong to the user signing in",
		    u.username);
		goto done;
	}
	if ((e = wa_assert_set_stored(a, cred.cose_key, cred.cose_key_len,
	    cred.sign_count, cred.be, u.handle, STORE_HANDLE_LEN)) != WA_OK ||
	    (e = wa_assert_set_discoverable(a, cer.user_id == 0)) != WA_OK) {
		http_error(r, 500, "internal_error", "internal error");
		goto done;
	}
	if ((e = wa_assert_verify(a, srv->rp[u.role], chal,
	    chal_len)) != WA_OK) {
		/*
		 * §7.2 step 12 before step 22: a consumed challenge is a
		 * replay, not evidence of a clone.  Consuming it here costs
		 * a write only on this rare path.
		 */
		if (e == WA_ERR_SIGN_COUNT && store_ceremony_consume(r->st,
		    cer.id, cer.expires, now) == STORE_ERR_CONSUMED) {
			metrics_ceremony("authentication", "ceremony_used");
			http_error(r, 400, "ceremony_used",
			    "this sign-in was completed already");
		} else if (e == WA_ERR_SIGN_COUNT) {
			log_event("clone_suspected", "rid", r->id, "user",
			    u.username, NULL);
			login_fail(r, 401, "cloned_authenticator", "the "
			    "authenticator's counter went backwards; this "
			    "device may be cloned", u.username);
		} else
			login_fail(r, 401, wa_errname(e), wa_strerr(e),
			    u.username);
		goto done;
	}
	session_start(r, &cer, &cred, &u, wa_assert_sign_count(a),
	    wa_assert_flags(a), now);
done:
	wa_assert_free(&a);
	free(json);

	return (0);
}
