/*
 * route_delivery.c: delivery confirmations and the revocation feed.
 *
 *   POST /v1/deliveries/{shipment_id}/confirmations   a service: create
 *   GET  /v1/confirmations/{id}                       the service: status
 *   POST /v1/confirmations/{id}/options               the customer's page
 *   POST /v1/confirmations/{id}/verify                the customer's proof
 *   GET  /v1/revocations?since=CURSOR                 a service: the feed
 *
 * The WebAuthn challenge of a confirmation is SHA-256(nonce || canonical
 * statement), so the customer's signature commits to what was delivered.
 * On success authd records the confirmation and issues a delivery
 * receipt, a JWT of type delivery-receipt+jwt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "civetweb.h"

#include "authd/authd.h"
#include "authd/keys.h"
#include "authd/routes.h"
#include "authd/token.h"

#define MAX_FIELD	256
#define RECEIPT_LIFETIME (365 * 86400)

static char *
b64(const void *p, size_t n)
{
	return (wa_b64url_encode(p, n));
}

/* The id in /v1/confirmations/{id}[/rest]. */
static int
confirmation_id(const struct http_req *r, unsigned char *id,
    const char **rest)
{
	const char	*uri = mg_get_request_info(r->conn)->local_uri;
	const char	*p = uri + strlen("/v1/confirmations/"), *end;
	size_t		 n, len;

	end = strchr(p, '/');
	n = end != NULL ? (size_t)(end - p) : strlen(p);
	*rest = end != NULL ? end : "";
	if (wa_b64url_decode(p, n, id, STORE_CONFIRM_ID_LEN, &len) != WA_OK ||
	    len != STORE_CONFIRM_ID_LEN)
		return (-1);

	return (0);
}

static bool
text_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > MAX_FIELD)
		return (false);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (false);

	return (true);
}

/* challenge = SHA-256(nonce || statement); 0, or -1 if it failed. */
static int
challenge_of(const struct store_confirmation *c, unsigned char *out)
{
	unsigned char	buf[sizeof(c->nonce) + STORE_MAX_STATEMENT];
	size_t		n = strlen(c->statement);

	memcpy(buf, c->nonce, sizeof(c->nonce));
	memcpy(buf + sizeof(c->nonce), c->statement, n);

	return (SHA256(buf, sizeof(c->nonce) + n, out) != NULL ? 0 : -1);
}

static const char *
status_of(const struct store_confirmation *c, int64_t now)
{
	if (c->confirmed_at != 0)
		return ("confirmed");

	return (c->expires <= now ? "expired" : "pending");
}

int
route_delivery_create(struct http_req *r)
{
	const char			*uri = mg_get_request_info(
					    r->conn)->local_uri;
	const char			*p, *end;
	struct caller			 c;
	struct store_user		 cust;
	struct store_confirmation	 conf;
	json_t				*body = NULL, *st = NULL;
	const char			*customer, *fields[4];
	static const char		*names[4] = { "recipient", "address",
					    "courier", "delivered_at" };
	char				 shipment[65], *cid = NULL, *s = NULL;
	char				*text = NULL;
	char				 link[2048];
	int64_t				 now = now_s();
	size_t				 n;
	int				 e;

	if (route_caller(r, &c) < 0)
		return (0);
	if (!c.is_service) {
		http_error(r, 403, "forbidden", "a service key is required");
		return (0);
	}
	p = uri + strlen("/v1/deliveries/");
	if ((end = strchr(p, '/')) == NULL ||
	    strcmp(end, "/confirmations") != 0 ||
	    (n = (size_t)(end - p)) == 0 || n >= sizeof(shipment)) {
		http_error(r, 404, "not_found", "no such endpoint");
		return (0);
	}
	memcpy(shipment, p, n);
	shipment[n] = '\0';
	if (!text_ok(shipment)) {
		http_error(r, 400, "malformed_request", "bad shipment id");
		return (0);
	}
	if ((body = http_body_json(r)) == NULL)
		return (0);
	customer = json_string_value(json_object_get(body, "customer"));
	for (size_t i = 0; i < 4; i++)
		fields[i] = json_string_value(json_object_get(body, names[i]));
	if (!text_ok(customer) || !text_ok(fields[0]) || !text_ok(fields[1]) ||
	    !text_ok(fields[2]) || !text_ok(fields[3])) {
		http_error(r, 400, "malformed_request", "customer, recipient, "
		    "address, courier and delivered_at are required strings of "
		    "1-256 characters");
		goto done;
	}
	if ((e = store_user_by_name(r->st, customer, &cust)) != STORE_OK ||
	    cust.role != STORE_ROLE_CUSTOMER) {
		if (e == STORE_OK || e == STORE_ERR_NOT_FOUND)
			http_error(r, 404, "unknown_customer",
			    "no enrolled customer of that name");
		else
			route_store_error(r, e);
		goto done;
	}
	memset(&conf, 0, sizeof(conf));
	rand_bytes(conf.id, sizeof(conf.id));
	rand_bytes(conf.nonce, sizeof(conf.nonce));
	conf.service_id = c.service_id;
	conf.customer_id = cust.id;
	snprintf(conf.shipment_id, sizeof(conf.shipment_id), "%s", shipment);
	/* The canonical statement: sorted keys, no white space. */
	st = json_pack("{s:s, s:s, s:s, s:s, s:s}", "shipment_id", shipment,
	    names[0], fields[0], names[1], fields[1], names[2], fields[2],
	    names[3], fields[3]);
	if (st == NULL || (s = token_json_dumps(st, JSON_COMPACT |
	    JSON_SORT_KEYS)) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (strlen(s) >= sizeof(conf.statement)) {
		http_error(r, 400, "malformed_request", "statement too large");
		goto done;
	}
	memcpy(conf.statement, s, strlen(s) + 1);
	conf.created = now;
	conf.expires = now + srv->cfg.confirmation_lifetime;
	/* The answer first: a stored confirmation must reach its caller. */
	if ((cid = b64(conf.id, sizeof(conf.id))) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	snprintf(link, sizeof(link), "%s/confirm/%s", srv->cfg.origins[0],
	    cid);
	if ((text = http_json_text(json_pack("{s:s, s:s, s:I}",
	    "confirmation_id", cid, "link", link, "expires_at",
	    (json_int_t)conf.expires))) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if ((e = store_confirm_put(r->st, &conf)) != STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	(void)store_audit(r->st, now, "confirmation_requested",
	    c.service_audience, shipment, customer);
	http_json_send(r, 201, text);
done:
	free(text);
	free(cid);
	free(s);
	json_decref(st);
	json_decref(body);

	return (0);
}

int
route_confirmation_get(struct http_req *r)
{
	struct caller			 c;
	struct store_confirmation	 conf;
	unsigned char			 id[STORE_CONFIRM_ID_LEN];
	const char			*rest;
	json_t				*out;
	int				 e;

	if (route_caller(r, &c) < 0)
		return (0);
	if (!c.is_service) {
		http_error(r, 403, "forbidden", "a service key is required");
		return (0);
	}
	/* Another service's confirmation does not exist for this one. */
	if (confirmation_id(r, id, &rest) < 0 || *rest != '\0' ||
	    (e = store_confirm_get(r->st, id, &conf)) == STORE_ERR_NOT_FOUND ||
	    (e == STORE_OK && conf.service_id != c.service_id)) {
		http_error(r, 404, "not_found", "no such confirmation");
		return (0);
	}
	if (e != STORE_OK) {
		route_store_error(r, e);
		return (0);
	}
	out = json_pack("{s:s, s:s, s:I}", "status", status_of(&conf,
	    now_s()), "shipment_id", conf.shipment_id, "expires_at",
	    (json_int_t)conf.expires);
	if (out != NULL && conf.confirmed_at != 0) {
		json_object_set_new(out, "confirmed_at",
		    json_integer(conf.confirmed_at));
		json_object_set_new(out, "receipt", json_string(conf.receipt));
	}
	http_json(r, 200, out);

	return (0);
}

/* Loads a confirmation a customer may still complete; sends errors. */
static int
open_confirmation(struct http_req *r, unsigned char *id,
    struct store_confirmation *conf)
{
	int e;

	if ((e = store_confirm_get(r->st, id, conf)) == STORE_ERR_NOT_FOUND) {
		http_error(r, 404, "not_found", "no such confirmation");
		return (-1);
	} else if (e != STORE_OK) {
		route_store_error(r, e);
		return (-1);
	}
	if (conf->confirmed_at != 0) {
		http_error(r, 409, "already_confirmed",
		    "this delivery was confirmed already");
		return (-1);
	}
	if (conf->expires <= now_s()) {
		http_error(r, 410, "confirmation_expired",
		    "this confirmation link has expired");
		return (-1);
	}

	return (0);
}

struct allow {
	json_t	*arr;
};

static int
add_allowed(const struct store_cred *cr, void *arg)
{
	struct allow	*a = arg;
	char		*id;

	if (cr->revoked_at != 0 || (id = b64(cr->id, cr->id_len)) == NULL)
		return (0);
	json_array_append_new(a->arr, json_pack("{s:s, s:s}", "type",
	    "public-key", "id", id));
	free(id);

	return (0);
}

static void
confirm_options(struct http_req *r, const struct store_confirmation *conf)
{
	static const char	*uv[] = { "required", "preferred",
				    "discouraged" };
	unsigned char		 chal[SHA256_DIGEST_LENGTH];
	struct allow		 a;
	json_t			*statement;
	json_error_t		 jerr;
	char			*c;

	if (challenge_of(conf, chal) < 0) {
		http_error(r, 503, "unavailable", "out of memory");
		return;
	}
	a.arr = json_array();
	(void)store_cred_list(r->st, conf->customer_id, add_allowed, &a);
	statement = json_loads(conf->statement, 0, &jerr);
	if ((c = b64(chal, sizeof(chal))) == NULL || statement == NULL) {
		free(c);
		json_decref(a.arr);
		json_decref(statement);
		http_error(r, 500, "internal_error", "internal error");
		return;
	}
	metrics_ceremony("confirmation", "started");
	http_json(r, 200, json_pack("{s:o, s:{s:s, s:I, s:s, s:o, s:s}, s:I}",
	    "statement", statement, "publicKey", "challenge", c, "timeout",
	    (json_int_t)srv->cfg.challenge_lifetime * 1000, "rpId",
	    srv->cfg.rp_id, "allowCredentials", a.arr, "userVerification",
	    uv[srv->cfg.roles[STORE_ROLE_CUSTOMER].uv], "expires_at",
	    (json_int_t)conf->expires));
	free(c);
}

static char *
receipt(struct http_req *r, const struct store_confirmation *conf,
    const struct store_user *u, const struct store_cred *cred,
    const char *audience, int64_t now)
{
	unsigned char	 sh[SHA256_DIGEST_LENGTH], ch[SHA256_DIGEST_LENGTH];
	unsigned char	 jti[16];
	char		*sub, *shs, *chs, *js, *cid, *jwt = NULL;
	json_t		*claims;

	if (SHA256((const unsigned char *)conf->statement,
	    strlen(conf->statement), sh) == NULL ||
	    SHA256(cred->id, cred->id_len, ch) == NULL)
		return (NULL);
	rand_bytes(jti, sizeof(jti));
	sub = b64(u->handle, STORE_HANDLE_LEN);
	shs = b64(sh, sizeof(sh));
	chs = b64(ch, 16);
	js = b64(jti, sizeof(jti));
	cid = b64(conf->id, sizeof(conf->id));
	/* A receipt that lacks a claim (out of memory) is not made. */
	claims = sub == NULL || shs == NULL || chs == NULL || js == NULL ||
	    cid == NULL ? NULL : json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, "
	    "s:s, s:s, s:s, s:s, s:I}", "iss", srv->cfg.issuer, "sub", sub,
	    "aud", audience, "iat", (json_int_t)now, "exp",
	    (json_int_t)(now + RECEIPT_LIFETIME), "jti", js, "shipment_id",
	    conf->shipment_id, "statement_hash", shs, "cid", chs,
	    "confirmation_id", cid, "confirmed_at", (json_int_t)now);
	if (claims != NULL)
		(void)keys_sign(r->st, TOKEN_TYP_RECEIPT, claims, &jwt);
	json_decref(claims);
	free(sub);
	free(shs);
	free(chs);
	free(js);
	free(cid);

	return (jwt);
}

static void
confirm_verify(struct http_req *r, struct store_confirmation *conf)
{
	struct wa_assert	*a = NULL;
	struct store_cred	 cred;
	struct store_user	 u;
	struct store_service	 svc;
	unsigned char		 chal[SHA256_DIGEST_LENGTH];
	char			*json = NULL, *jwt = NULL, *text = NULL;
	size_t			 len;
	int64_t			 now = now_s();
	int			 e;

	if ((json = http_body_raw(r, &len)) == NULL)
		return;
	if ((a = wa_assert_new()) == NULL ||
	    (e = wa_assert_parse(a, json, len)) != WA_OK) {
		http_error(r, a == NULL ? 503 : 400, a == NULL ?
		    "unavailable" : wa_errname(e), a == NULL ? "out of memory" :
		    wa_strerr(e));
		goto done;
	}
	e = store_cred_get(r->st, wa_assert_cred_id_ptr(a),
	    wa_assert_cred_id_len(a), &cred);
	if (e == STORE_ERR_NOT_FOUND || (e == STORE_OK &&
	    cred.revoked_at != 0)) {
		http_error(r, 401, e == STORE_OK ? "credential_revoked" :
		    "unknown_credential", "this passkey cannot confirm");
		goto done;
	} else if (e != STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	if ((e = store_user_by_id(r->st, cred.user_id, &u)) != STORE_OK ||
	    (e = store_service_get(r->st, conf->service_id, &svc)) !=
	    STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	/*
	 * The signature first, with the key of the credential it names:
	 * only a genuine assertion learns whether the passkey is the
	 * addressed customer's.
	 */
	if (challenge_of(conf, chal) < 0) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (wa_assert_set_stored(a, cred.cose_key, cred.cose_key_len,
	    cred.sign_count, cred.be, u.handle, STORE_HANDLE_LEN) != WA_OK) {
		http_error(r, 500, "internal_error", "internal error");
		goto done;
	}
	if ((e = wa_assert_verify(a, srv->rp[u.role], chal,
	    sizeof(chal))) != WA_OK) {
		metrics_ceremony("confirmation", wa_errname(e));
		http_error(r, 401, e == WA_ERR_SIGN_COUNT ?
		    "cloned_authenticator" : wa_errname(e), wa_strerr(e));
		goto done;
	}
	/* Only the named customer confirms. */
	if (cred.user_id != conf->customer_id) {
		metrics_ceremony("confirmation", "wrong_customer");
		log_event("confirmation_refused", "rid", r->id, "reason",
		    "wrong_customer", NULL);
		http_error(r, 403, "wrong_customer", "this delivery is "
		    "addressed to another customer");
		goto done;
	}
	/* The answer first: nothing may fail after the commit. */
	if ((jwt = receipt(r, conf, &u, &cred, svc.audience, now)) == NULL ||
	    (text = http_json_text(json_pack("{s:s, s:s, s:I}", "receipt",
	    jwt, "shipment_id", conf->shipment_id, "confirmed_at",
	    (json_int_t)now))) == NULL) {
		http_error(r, 500, "internal_error", "internal error");
		goto done;
	}
	/* One transaction: completed once, the counter, the receipt. */
	e = store_confirm_complete(r->st, conf->id, now, cred.id, cred.id_len,
	    wa_assert_sign_count(a), (wa_assert_flags(a) & WA_FLAG_BS) != 0,
	    jwt);
	if (e == STORE_ERR_CONSUMED) {
		http_error(r, 409, "already_confirmed",
		    "this delivery was confirmed already");
		goto done;
	} else if (e == STORE_ERR_EXPIRED) {
		http_error(r, 410, "confirmation_expired",
		    "this confirmation link has expired");
		goto done;
	} else if (e == STORE_ERR_COUNTER) {
		http_error(r, 401, "cloned_authenticator", "the "
		    "authenticator's counter went backwards");
		goto done;
	} else if (e != STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	metrics_ceremony("confirmation", "ok");
	log_event("delivery_confirmed", "rid", r->id, "shipment",
	    conf->shipment_id, NULL);
	(void)store_audit(r->st, now, "delivery_confirmed", u.username,
	    conf->shipment_id, "");
	http_json_send(r, 200, text);
done:
	free(text);
	free(jwt);
	free(json);
	wa_assert_free(&a);
}

int
route_confirmation_step(struct http_req *r)
{
	struct store_confirmation	 conf;
	unsigned char			 id[STORE_CONFIRM_ID_LEN];
	const char			*rest;

	if (confirmation_id(r, id, &rest) < 0 ||
	    (strcmp(rest, "/options") != 0 && strcmp(rest, "/verify") != 0)) {
		http_error(r, 404, "not_found", "no such confirmation");
		return (0);
	}
	if (open_confirmation(r, id, &conf) < 0)
		return (0);
	if (strcmp(rest, "/options") == 0)
		confirm_options(r, &conf);
	else
		confirm_verify(r, &conf);

	return (0);
}

struct feed {
	json_t	*arr;
	int64_t	 cursor;
	bool	 failed;	/* an entry could not be added */
};

static int
add_revocation(const struct store_revocation *rv, void *arg)
{
	struct feed	*f = arg;
	unsigned char	 h[SHA256_DIGEST_LENGTH];
	char		*id = NULL;
	json_t		*e = NULL;
	bool		 cred = rv->kind == STORE_REVOKED_CRED;

	/*
	 * Credentials as the tokens' cid; sessions as their sid.  An entry
	 * that cannot be added stops the walk: skipped, it would be behind
	 * the cursor and lost to the service for good.
	 */
	if (cred)
		id = SHA256(rv->id, rv->id_len, h) != NULL ? b64(h, 16) : NULL;
	else
		id = b64(rv->id, rv->id_len);
	if (id == NULL || f->arr == NULL || (e = json_pack("{s:I, s:s, s:s, "
	    "s:I}", "seq", (json_int_t)rv->seq, "kind", cred ? "credential" :
	    "session", cred ? "cid" : "sid", id, "time",
	    (json_int_t)rv->time)) == NULL ||
	    json_array_append_new(f->arr, e) != 0) {
		free(id);
		f->failed = true;
		return (1);
	}
	free(id);
	f->cursor = rv->seq;

	return (0);
}

int
route_revocations(struct http_req *r)
{
	const struct mg_request_info	*ri = mg_get_request_info(r->conn);
	struct caller			 c;
	struct feed			 f;
	char				 since[24] = "0", *end;
	long long			 s;
	int				 e;

	if (route_caller(r, &c) < 0)
		return (0);
	if (!c.is_service) {
		http_error(r, 403, "forbidden", "a service key is required");
		return (0);
	}
	if (ri->query_string != NULL)
		(void)mg_get_var(ri->query_string, strlen(ri->query_string),
		    "since", since, sizeof(since));
	s = strtoll(since, &end, 10);
	if (*end != '\0' || s < 0) {
		http_error(r, 400, "malformed_request",
		    "since is a cursor from a previous answer");
		return (0);
	}
	f.arr = json_array();
	f.cursor = s;
	f.failed = false;
	if ((e = store_revocation_list(r->st, s, 1000, add_revocation,
	    &f)) != STORE_OK || f.failed) {
		json_decref(f.arr);
		route_store_error(r, e != STORE_OK ? e : STORE_ERR_NOMEM);
		return (0);
	}
	http_json(r, 200, json_pack("{s:o, s:I}", "revocations", f.arr,
	    "cursor", (json_int_t)f.cursor));

	return (0);
}
