/*
 * session.c: sessions, access tokens and the callers they identify.
 *
 *   POST /v1/token        a live session mints a new access token
 *   POST /v1/logout       ends the session
 *   POST /v1/introspect   RFC 7662, for services
 *   GET  /.well-known/jwks.json
 *
 * A session is presented as an opaque refresh secret (native apps) or as
 * an HttpOnly, SameSite=Strict cookie (the web pages); only SHA-256 of the
 * secret is stored.  A cookie is honoured only with an allowed Origin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "civetweb.h"

#include "authd/authd.h"
#include "authd/keys.h"
#include "authd/routes.h"
#include "authd/session.h"
#include "authd/token.h"

/*
 * A refresh token is base64url of the session id and then SECRET_LEN
 * random bytes.  The id finds the session; the SHA-256 of the secret
 * must match the stored one.  A token of SECRET_LEN bytes alone is from
 * before schema 5 and is found by its hash.
 */
#define SECRET_LEN	32
#define REFRESH_LEN	(STORE_SID_LEN + SECRET_LEN)
#define API_KEY_PREFIX	"sk_"

static char *
b64(const void *p, size_t n)
{
	return (wa_b64url_encode(p, n));
}

/* RFC 8176 methods, naming only what the ceremony proved. */
static void
amr_for(const struct store_cred *c, uint8_t flags, char *out, size_t len)
{
	snprintf(out, len, "user%s%s", (flags & WA_FLAG_UV) ? " mfa" : "",
	    (flags & WA_FLAG_BE) ? " swk" : c->trusted ? " hwk" : "");
}

static json_t *
access_claims(const struct store_user *u, const struct store_session *s,
    int64_t now)
{
	unsigned char	 jti[16], cid[SHA256_DIGEST_LENGTH];
	char		*sub = b64(u->handle, STORE_HANDLE_LEN);
	char		*sid = b64(s->id, STORE_SID_LEN);
	char		*j, *c, amr[STORE_MAX_AMR + 1], *tok, *save;
	json_t		*claims = NULL, *amr_a;

	rand_bytes(jti, sizeof(jti));
	j = b64(jti, sizeof(jti));
	c = SHA256(s->cred_id, s->cred_id_len, cid) != NULL ? b64(cid, 16) :
	    NULL;
	amr_a = json_array();
	snprintf(amr, sizeof(amr), "%s", s->amr);
	for (tok = strtok_r(amr, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save))
		json_array_append_new(amr_a, json_string(tok));
	if (sub != NULL && sid != NULL && j != NULL && c != NULL)
		claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:s, "
		    "s:s, s:s, s:s, s:o}",
		    "iss", srv->cfg.issuer, "sub", sub, "aud",
		    srv->cfg.audience, "exp",
		    (json_int_t)(now + srv->cfg.token_lifetime), "iat",
		    (json_int_t)now, "jti", j, "auth_time",
		    (json_int_t)s->auth_time, "client_id", srv->cfg.rp_id,
		    "role", store_role_name(u->role), "sid", sid, "cid", c,
		    "amr", amr_a);
	else
		json_decref(amr_a);
	free(sub);
	free(sid);
	free(j);
	free(c);

	return (claims);
}

static char *
mint(struct http_req *r, const struct store_user *u,
    const struct store_session *s, int64_t now)
{
	json_t	*claims;
	char	*jwt = NULL;

	if ((claims = access_claims(u, s, now)) != NULL)
		(void)keys_sign(r->st, TOKEN_TYP_AT, claims, &jwt);
	json_decref(claims);

	return (jwt);
}

/*
 * The token answer, as text, the access token first and as it is (see
 * http_json_text_lead()).  refresh: NULL for none.
 */
static char *
token_response(const char *jwt, const struct store_user *u,
    const struct store_session *s, const char *refresh)
{
	json_t *rest;

	rest = json_pack("{s:s, s:I, s:I, s:{s:s, s:s, s:s}}",
	    "token_type", "Bearer", "expires_in",
	    (json_int_t)srv->cfg.token_lifetime, "session_expires_at",
	    (json_int_t)s->expires, "user", "username", u->username,
	    "display_name", u->display_name, "role", store_role_name(u->role));
	if (rest != NULL && refresh != NULL &&
	    json_object_set_new(rest, "refresh_token",
	    json_string(refresh)) != 0) {
		json_decref(rest);
		return (NULL);
	}

	return (http_json_text_lead("access_token", jwt, rest));
}

/*
 * A session id is public (the tokens' sid) and must be unique, not
 * secret: the time in microseconds, then 8 random bytes.  Ordered by
 * time, new sessions append to the store's primary key.
 */
static void
session_new_id(unsigned char id[STORE_SID_LEN])
{
	uint64_t t = (uint64_t)now_us();

	for (size_t i = 0; i < 8; i++)
		id[i] = (unsigned char)(t >> (56 - 8 * i));
	rand_bytes(id + 8, STORE_SID_LEN - 8);
}

void
session_start(struct http_req *r, const struct ceremony *cer,
    const struct store_cred *cred, const struct store_user *u,
    uint32_t count, uint8_t flags, int64_t now)
{
	struct store_session	 s;
	unsigned char		 refresh[REFRESH_LEN];
	unsigned char		*secret = refresh + STORE_SID_LEN;
	char			*jwt = NULL, *sec = NULL, *text = NULL;
	int			 e;

	memset(&s, 0, sizeof(s));
	session_new_id(s.id);
	memcpy(refresh, s.id, STORE_SID_LEN);
	rand_bytes(secret, SECRET_LEN);
	if (SHA256(secret, SECRET_LEN, s.secret_hash) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	s.user_id = u->id;
	memcpy(s.cred_id, cred->id, cred->id_len);
	s.cred_id_len = cred->id_len;
	s.created = now;
	s.auth_time = now;
	s.expires = now + srv->cfg.roles[u->role].session_lifetime;
	amr_for(cred, flags, s.amr, sizeof(s.amr));
	/*
	 * The answer is made before the write: once the session is
	 * committed, nothing may fail and leave it without its tokens.
	 */
	if ((jwt = mint(r, u, &s, now)) == NULL ||
	    (sec = b64(refresh, sizeof(refresh))) == NULL ||
	    (text = token_response(jwt, u, &s, sec)) == NULL) {
		http_error(r, 500, "internal_error", "internal error");
		goto done;
	}
	/* One write: ceremony consumed, counter and BS, session. */
	e = store_login(r->st, cer->id, cer->expires, cred->id, cred->id_len,
	    count, (flags & WA_FLAG_BS) != 0, now, &s);
	if (e == STORE_ERR_CONSUMED) {
		metrics_ceremony("authentication", "ceremony_used");
		http_error(r, 400, "ceremony_used",
		    "this sign-in was completed already");
		goto done;
	} else if (e == STORE_ERR_COUNTER) {
		metrics_ceremony("authentication", "cloned_authenticator");
		log_event("clone_suspected", "rid", r->id, "user", u->username,
		    NULL);
		http_error(r, 401, "cloned_authenticator", "the "
		    "authenticator's counter went backwards; this device may "
		    "be cloned");
		goto done;
	} else if (e == STORE_ERR_REVOKED) {
		http_error(r, 401, "credential_revoked",
		    "this device's passkey was revoked");
		goto done;
	} else if (e != STORE_OK) {
		route_store_error(r, e);
		goto done;
	}
	http_set_cookie(r, SESSION_COOKIE, sec,
	    srv->cfg.roles[u->role].session_lifetime);
	metrics_ceremony("authentication", "ok");
	log_event("login", "rid", r->id, "user", u->username, "role",
	    store_role_name(u->role), NULL);
	http_json_send(r, 200, text);
done:
	OPENSSL_cleanse(refresh, sizeof(refresh));
	free(jwt);
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	if (sec != NULL) {
		OPENSSL_cleanse(sec, strlen(sec));
		free(sec);
	}
}

static bool
origin_allowed(const struct http_req *r)
{
	const char *o = http_header(r, "Origin");

	if (o == NULL)
		return (false);
	for (size_t i = 0; i < srv->cfg.norigins; i++)
		if (strcmp(o, srv->cfg.origins[i]) == 0)
			return (true);

	return (false);
}

/*
 * A cookie may authenticate a request only from one of our own pages:
 * SameSite=Strict keeps other sites from sending it, and for anything
 * but GET the Origin must be an allowed origin (CSRF).
 */
static bool
cookie_allowed(const struct http_req *r)
{
	const char *site = http_header(r, "Sec-Fetch-Site");

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return (false);
	if (http_header(r, "Origin") != NULL || strcmp(r->method, "GET") != 0)
		return (origin_allowed(r));

	return (true);
}

/*
 * The session of a refresh secret: live, its credential not revoked.
 * Sends the error and returns -1 otherwise.
 */
static int
session_of(struct http_req *r, const char *tok, struct store_session *s,
    struct store_user *u)
{
	unsigned char		 refresh[REFRESH_LEN + 3], hash[32];
	unsigned char		 sid[STORE_SID_LEN];
	size_t			 len;
	struct store_cred	 cred;
	int			 e;

	if (tok == NULL || wa_b64url_decode(tok, strlen(tok), refresh,
	    sizeof(refresh), &len) != WA_OK || (len != REFRESH_LEN &&
	    len != SECRET_LEN)) {
		OPENSSL_cleanse(refresh, sizeof(refresh));
		http_error(r, 401, "invalid_session", "no valid session");
		return (-1);
	}
	if (SHA256(refresh + len - SECRET_LEN, SECRET_LEN, hash) == NULL) {
		OPENSSL_cleanse(refresh, sizeof(refresh));
		http_error(r, 503, "unavailable", "out of memory");
		return (-1);
	}
	memcpy(sid, refresh, sizeof(sid));
	OPENSSL_cleanse(refresh, sizeof(refresh));
	if (len == REFRESH_LEN)
		e = store_session_get(r->st, sid, s);
	else
		e = store_session_by_old_secret(r->st, hash, s);
	/* A known id with the wrong secret is no session either. */
	if (e == STORE_OK && CRYPTO_memcmp(s->secret_hash, hash,
	    sizeof(hash)) != 0)
		e = STORE_ERR_NOT_FOUND;
	if (e != STORE_OK) {
		if (e == STORE_ERR_NOT_FOUND)
			http_error(r, 401, "invalid_session",
			    "no valid session");
		else
			route_store_error(r, e);
		return (-1);
	}
	if (s->ended_at != 0 || s->expires <= now_s()) {
		http_error(r, 401, "session_ended", s->ended_at != 0 ?
		    "the session has ended" : "the session has expired");
		return (-1);
	}
	if ((e = store_cred_get(r->st, s->cred_id, s->cred_id_len,
	    &cred)) != STORE_OK && e != STORE_ERR_NOT_FOUND) {
		/* Not a revocation: the client must keep its session. */
		route_store_error(r, e);
		return (-1);
	}
	if (e != STORE_OK || cred.revoked_at != 0) {
		http_error(r, 401, "credential_revoked",
		    "this device's passkey was revoked");
		return (-1);
	}
	if ((e = store_user_by_id(r->st, s->user_id, u)) != STORE_OK) {
		route_store_error(r, e);
		return (-1);
	}

	return (0);
}

/*
 * The session a request presents: {"refresh_token"} in the body, or the
 * cookie from one of our pages.
 */
static int
request_session(struct http_req *r, struct store_session *s,
    struct store_user *u)
{
	json_t		*body = NULL;
	const char	*tok = NULL;
	char		 cookie[128];
	int		 rc;

	if (http_header(r, "Content-Type") != NULL) {
		if ((body = http_body_json(r)) == NULL)
			return (-1);
		tok = json_string_value(json_object_get(body,
		    "refresh_token"));
	}
	if (tok == NULL && (tok = http_cookie(r, SESSION_COOKIE, cookie,
	    sizeof(cookie))) != NULL && !cookie_allowed(r)) {
		json_decref(body);
		http_error(r, 403, "forbidden", "the Origin of a cookie "
		    "request must be an allowed origin");
		return (-1);
	}
	rc = session_of(r, tok, s, u);
	json_decref(body);

	return (rc);
}

int
route_token(struct http_req *r)
{
	struct store_session	 s;
	struct store_user	 u;
	char			*jwt, *text;
	int64_t			 now = now_s();

	if (request_session(r, &s, &u) < 0) {
		metrics_ceremony("token", r->error != NULL ? r->error :
		    "failed");
		return (0);
	}
	if ((jwt = mint(r, &u, &s, now)) == NULL) {
		http_error(r, 500, "internal_error", "internal error");
		return (0);
	}
	if ((text = token_response(jwt, &u, &s, NULL)) == NULL) {
		free(jwt);
		http_error(r, 500, "internal_error", "internal error");
		return (0);
	}
	metrics_ceremony("token", "ok");
	log_event("token_refresh", "rid", r->id, "user", u.username, NULL);
	http_json_send(r, 200, text);
	free(text);
	free(jwt);

	return (0);
}

int
route_logout(struct http_req *r)
{
	struct store_session	 s;
	struct store_user	 u;
	int			 e;

	if (request_session(r, &s, &u) < 0)
		return (0);
	if ((e = store_session_end(r->st, s.id, now_s(), "logout")) !=
	    STORE_OK) {
		route_store_error(r, e);
		return (0);
	}
	store_audit(r->st, now_s(), "logout", u.username, u.username, "");
	log_event("logout", "rid", r->id, "user", u.username, NULL);
	http_set_cookie(r, SESSION_COOKIE, "", 0);
	http_status(r, 204);

	return (0);
}

/*
 * A live session for the token's sid, and its credential not revoked:
 * revocation takes effect at once for everything authd answers.
 */
static int
token_live(struct store *st, const json_t *claims, struct store_user *u,
    unsigned char *sid_out)
{
	struct store_session	 s;
	struct store_cred	 cred;
	const char		*sid, *sub;
	unsigned char		 sid_b[STORE_SID_LEN + 3];
	unsigned char		 h[STORE_HANDLE_LEN + 3];
	size_t			 len;

	sid = json_string_value(json_object_get(claims, "sid"));
	sub = json_string_value(json_object_get(claims, "sub"));
	if (sid == NULL || sub == NULL ||
	    wa_b64url_decode(sid, strlen(sid), sid_b, sizeof(sid_b),
	    &len) != WA_OK || len != STORE_SID_LEN ||
	    wa_b64url_decode(sub, strlen(sub), h, sizeof(h), &len) != WA_OK ||
	    len != STORE_HANDLE_LEN)
		return (-1);
	if (store_session_get(st, sid_b, &s) != STORE_OK || s.ended_at != 0 ||
	    s.expires <= now_s())
		return (-1);
	if (store_cred_get(st, s.cred_id, s.cred_id_len, &cred) != STORE_OK ||
	    cred.revoked_at != 0)
		return (-1);
	if (store_user_by_id(st, s.user_id, u) != STORE_OK ||
	    memcmp(u->handle, h, STORE_HANDLE_LEN) != 0)
		return (-1);
	if (sid_out != NULL)
		memcpy(sid_out, sid_b, STORE_SID_LEN);

	return (0);
}

static const char *
bearer(const struct http_req *r)
{
	const char *a = http_header(r, "Authorization");

	if (a == NULL || strncasecmp(a, "Bearer ", 7) != 0)
		return (NULL);

	return (a + 7);
}

static int
service_caller(struct http_req *r, const char *key, struct caller *c)
{
	unsigned char	hash[32];
	struct store_service svc;

	if (SHA256((const unsigned char *)key, strlen(key), hash) == NULL ||
	    store_service_by_key(r->st, hash, &svc) != STORE_OK ||
	    svc.revoked_at != 0)
		return (-1);
	c->is_service = true;
	c->service_id = svc.id;
	snprintf(c->service_audience, sizeof(c->service_audience), "%s",
	    svc.audience);

	return (0);
}

int
route_caller(struct http_req *r, struct caller *c)
{
	const char	*tok = bearer(r);
	json_t		*claims = NULL;
	int		 ok = -1;

	memset(c, 0, sizeof(*c));
	if (http_header(r, "Authorization") == NULL) {
		struct store_session	s;
		char			cookie[128];
		const char		*sec;

		/* The pages: the session cookie, sent by our own origin. */
		sec = http_cookie(r, SESSION_COOKIE, cookie, sizeof(cookie));
		if (sec == NULL || !cookie_allowed(r)) {
			http_error(r, 401, "unauthorized", "sign in first");
			return (-1);
		}
		if (session_of(r, sec, &s, &c->user) < 0)
			return (-1);
		memcpy(c->sid, s.id, STORE_SID_LEN);
		return (0);
	}
	if (tok == NULL || strlen(tok) > TOKEN_MAX_JWT)
		goto done;
	if (strncmp(tok, API_KEY_PREFIX, strlen(API_KEY_PREFIX)) == 0) {
		ok = service_caller(r, tok, c);
		goto done;
	}
	if (keys_verify(r->st, tok, TOKEN_TYP_AT, srv->cfg.audience,
	    &claims) != TOKEN_OK)
		goto done;
	ok = token_live(r->st, claims, &c->user, c->sid);
done:
	json_decref(claims);
	if (ok < 0) {
		http_error(r, 401, "unauthorized", "a valid access token or "
		    "service key is required");
	}

	return (ok);
}

int
route_introspect(struct http_req *r)
{
	const struct mg_request_info	*ri = mg_get_request_info(r->conn);
	const char			*ct = http_header(r, "Content-Type");
	struct caller			 c;
	struct store_user		 u;
	json_t				*claims = NULL, *out;
	char				 body[TOKEN_MAX_JWT + 64];
	char				 tok[TOKEN_MAX_JWT + 1];
	int				 n = 0, got;

	if (route_caller(r, &c) < 0)
		return (0);
	if (!c.is_service) {
		http_error(r, 403, "forbidden", "introspection needs a service "
		    "key");
		return (0);
	}
	if (ct == NULL || strncasecmp(ct,
	    "application/x-www-form-urlencoded", 33) != 0) {
		http_error(r, 415, "unsupported_media_type", "the body must be "
		    "application/x-www-form-urlencoded (RFC 7662)");
		return (0);
	}
	if (ri->content_length >= (long long)sizeof(body)) {
		http_error(r, 413, "body_too_large", "the token is too large");
		return (0);
	}
	while ((size_t)n < sizeof(body) - 1 && (got = mg_read(r->conn,
	    body + n, sizeof(body) - 1 - (size_t)n)) > 0)
		n += got;
	body[n] = '\0';
	if (mg_get_var(body, (size_t)n, "token", tok, sizeof(tok)) <= 0) {
		http_error(r, 400, "invalid_request", "the token parameter is "
		    "required");
		return (0);
	}
	/* Tokens for another audience are inactive for this caller. */
	if (keys_verify(r->st, tok, TOKEN_TYP_AT, c.service_audience,
	    &claims) != TOKEN_OK || token_live(r->st, claims, &u, NULL) < 0) {
		json_decref(claims);
		http_json(r, 200, json_pack("{s:b}", "active", 0));
		return (0);
	}
	out = json_deep_copy(claims);
	json_decref(claims);
	if (out == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		return (0);
	}
	json_object_set_new(out, "active", json_true());
	json_object_set_new(out, "token_type", json_string("access_token"));
	json_object_set_new(out, "username", json_string(u.username));
	http_json(r, 200, out);

	return (0);
}

int
route_jwks(struct http_req *r)
{
	http_json(r, 200, keys_jwks(r->st));

	return (0);
}
