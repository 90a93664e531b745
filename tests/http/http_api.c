/*
 * http_api.c: every endpoint of a running authd, over HTTP only (authctl
 * sets up enrollments and service keys).  run.sh starts authd on
 * 127.0.0.1 with a throwaway database and passes its coordinates in
 * HTTPT_* variables.
 *
 * Cases are named for what they provoke.  Each makes its own users, so
 * that they do not depend on each other; key_rotation changes the
 * signing key for the cases after it, which is harmless.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

#define AUDIENCE	"authd-services"
#define NTHREADS	16
#define MAX_SECRETS	512

static struct {
	struct hc_conn	*c;
	char		*svc_key;	/* audience AUDIENCE, customers */
	char		*other_key;	/* another audience */
	struct fx_user	 admin;
	char		*admin_at;
	/* Everything secret that went over the wire, for the log check. */
	char		*secrets[MAX_SECRETS];
	size_t		 nsecrets;
} T;

static void
secret(const char *s)
{
	char *d;

	if (s == NULL || T.nsecrets == MAX_SECRETS || (d = strdup(s)) == NULL)
		return;
	T.secrets[T.nsecrets++] = d;
}

/* A member by dotted path ("user.username"), or NULL. */
static json_t *
jget(json_t *j, const char *path)
{
	char	 buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && j != NULL;
	    tok = strtok_r(NULL, ".", &save))
		j = json_object_get(j, tok);

	return (j);
}

static const char *
jstr(json_t *j, const char *path)
{
	return (json_string_value(jget(j, path)));
}

static void
assert_jstr(json_t *j, const char *path, const char *want)
{
	const char *v = jstr(j, path);

	if (v == NULL || strcmp(v, want) != 0)
		fail_msg("%s is %s, want %s", path, v != NULL ? v : "(none)",
		    want);
}

static char *
dumps(json_t *j)
{
	char *s;

	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL)
		fail_msg("json_dumps");
	json_decref(j);

	return (s);
}

/* Login that must succeed; the parsed body. */
static json_t *
login_json(struct fx_user *u, bool discoverable, struct hc_resp *resp)
{
	json_t	*j;
	int	 st;

	if ((st = fx_login(T.c, u, discoverable, NULL, resp)) != 200)
		fail_msg("login %s: %d %s", u->name, st, resp->body);
	if ((j = fx_json(resp)) == NULL)
		fail_msg("login body: %s", resp->body);
	secret(jstr(j, "access_token"));
	secret(jstr(j, "refresh_token"));

	return (j);
}

static void
login_tokens(struct fx_user *u, char **at, char **rt)
{
	fx_login_ok(T.c, u, at, rt);
	if (at != NULL)
		secret(*at);
	if (rt != NULL)
		secret(*rt);
}

static void
new_user(const char *prefix, const char *role, int alg, struct fx_user *u)
{
	fx_new_user(T.c, prefix, role, alg, u);
}

static int
group_setup(void **state)
{
	char name[64];

	(void)state;
	if (fx_env_load() < 0)
		return (-1);
	T.c = fx_connect(NULL);
	fx_username("tracking", name, sizeof(name));
	T.svc_key = fx_service_add(name, AUDIENCE);
	fx_username("billing", name, sizeof(name));
	T.other_key = fx_service_add(name, "billing-services");
	secret(T.svc_key);
	secret(T.other_key);
	new_user("boss", "admin", WA_COSE_ES256, &T.admin);
	login_tokens(&T.admin, &T.admin_at, NULL);

	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	hc_close(&T.c);
	free(T.svc_key);
	free(T.other_key);
	free(T.admin_at);
	fx_user_free(&T.admin);
	for (size_t i = 0; i < T.nsecrets; i++)
		free(T.secrets[i]);

	return (0);
}

/* Success paths. */

static void
healthz(void **state)
{
	struct hc_resp	 resp;
	const char	*rid;
	json_t		*j;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(fx_req(T.c, "GET", "/healthz", NULL, NULL, NULL,
	    NULL, 0, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	assert_jstr(j, "status", "ok");
	json_decref(j);
	assert_non_null(rid = hc_resp_header(&resp, "X-Request-Id"));
	assert_int_equal(strlen(rid), 16);
	assert_int_equal(strspn(rid, "0123456789abcdef"), 16);
	assert_string_equal(hc_resp_header(&resp, "Cache-Control"),
	    "no-store");
	assert_string_equal(hc_resp_header(&resp, "X-Content-Type-Options"),
	    "nosniff");
	/* Plain HTTP on loopback: no HSTS. */
	assert_null(hc_resp_header(&resp, "Strict-Transport-Security"));
	hc_resp_free(&resp);
}

/*
 * authctl works on the database while authd serves (issue 3).  Fresh
 * connections make authd open new store connections in new worker
 * threads; an authctl command in between must not disturb them: every
 * connection sees what authctl wrote, and none answers 503.
 */
static void
authctl_while_serving(void **state)
{
	struct hc_conn	*cs[8];
	struct hc_resp	 resp;
	struct fx_user	 u;
	json_t		*o;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*code, out[FX_MAX_OUT];
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&u, 0, sizeof(u));
	for (size_t i = 0; i < 8; i++) {
		cs[i] = fx_connect(NULL);
		assert_int_equal(fx_req(cs[i], "GET", "/healthz", NULL, NULL,
		    NULL, NULL, 0, &resp), 200);
	}
	assert_int_equal(fx_authctl(NULL, out, NULL, "users", NULL), 0);
	fx_username("concurrent", u.name, sizeof(u.name));
	code = fx_enroll(NULL, u.name, "courier");
	secret(code);
	for (size_t i = 0; i <= 8; i++) {
		struct hc_conn *c = i < 8 ? cs[i] : T.c;

		assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL,
		    NULL, NULL, 0, &resp), 200);
		/* Options do not use the code up. */
		if (fx_reg_options(c, code, NULL, "x", &o, &chal, &chal_len,
		    &u) != 200)
			fail_msg("connection %zu does not see authctl's "
			    "enrollment: %s", i, o != NULL ? jstr(o, "error") :
			    "");
		json_decref(o);
		free(chal);
	}
	/* What authd writes, authctl sees (and the other way round). */
	for (size_t i = 0; i < 8; i++) {
		struct fx_user	 d;
		char		*c;

		memset(&d, 0, sizeof(d));
		fx_username("written", d.name, sizeof(d.name));
		c = fx_enroll(NULL, d.name, "courier");
		secret(c);
		if ((st = fx_register(cs[i], c, &d, WA_COSE_ES256, NULL,
		    &resp)) != 201)
			fail_msg("connection %zu: registration with a code "
			    "from authctl: status %d (401: authd does not see "
			    "the code)", i, st);
		assert_int_equal(fx_authctl(NULL, out, NULL, "devices", d.name,
		    NULL), 0);
		if (strstr(out, "\"credential_id\"") == NULL)
			fail_msg("authctl does not see the passkey that "
			    "authd stored for %s (connection %zu)", d.name, i);
		free(c);
		fx_user_free(&d);
	}
	for (size_t i = 0; i < 8; i++)
		hc_close(&cs[i]);
	free(code);
	hc_resp_free(&resp);
}

static void
registration_options_shape(void **state)
{
	struct fx_user	 u;
	json_t		*o, *params, *p;
	unsigned char	*chal;
	size_t		 chal_len, i;
	char		*code;
	bool		 es256 = false, eddsa = false;

	(void)state;
	memset(&u, 0, sizeof(u));
	fx_username("shape", u.name, sizeof(u.name));
	code = fx_enroll(NULL, u.name, "courier");
	secret(code);
	assert_int_equal(fx_reg_options(T.c, code, NULL, "phone", &o, &chal,
	    &chal_len, &u), 200);
	assert_true(chal_len >= 16);
	assert_int_equal(u.handle_len, 32);
	assert_jstr(o, "rp.id", "localhost");
	assert_jstr(o, "rp.name", "authd");
	assert_jstr(o, "user.name", u.name);
	assert_jstr(o, "user.displayName", u.name);
	assert_jstr(o, "authenticatorSelection.residentKey", "required");
	assert_jstr(o, "authenticatorSelection.userVerification", "required");
	assert_jstr(o, "attestation", "none");
	assert_int_equal(json_integer_value(jget(o, "timeout")), 120000);
	assert_int_equal(json_array_size(jget(o, "excludeCredentials")), 0);
	params = jget(o, "pubKeyCredParams");
	json_array_foreach(params, i, p) {
		assert_jstr(p, "type", "public-key");
		es256 |= json_integer_value(jget(p, "alg")) == WA_COSE_ES256;
		eddsa |= json_integer_value(jget(p, "alg")) == WA_COSE_EDDSA;
	}
	assert_true(es256 && eddsa);
	json_decref(o);
	free(chal);
	free(code);
}

/* Registers a new courier with alg and fmt, checks the answer, the
 * stored device, and that the key signs in. */
static void
register_case(const char *fmt, int alg, const char *want_fmt,
    const char *want_att)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	json_t			*j;
	char			*code, *cid, out[FX_MAX_OUT], err[FX_MAX_OUT];

	memset(&ce, 0, sizeof(ce));
	memset(&u, 0, sizeof(u));
	memset(&resp, 0, sizeof(resp));
	ce.fmt = fmt;
	fx_username("reg", u.name, sizeof(u.name));
	code = fx_enroll(NULL, u.name, "courier");
	secret(code);
	assert_int_equal(fx_register(T.c, code, &u, alg, &ce, &resp), 201);
	assert_non_null(j = fx_json(&resp));
	cid = fx_b64url(sa_cred_id_ptr(u.cred), sa_cred_id_len(u.cred));
	assert_jstr(j, "credential_id", cid);
	assert_jstr(j, "username", u.name);
	assert_jstr(j, "role", "courier");
	assert_jstr(j, "label", "test device");
	assert_jstr(j, "fmt", want_fmt);
	assert_true(json_is_false(jget(j, "trusted")));
	json_decref(j);

	/* What the store recorded. */
	assert_int_equal(fx_authctl(NULL, out, err, "devices", u.name, NULL),
	    0);
	assert_non_null(j = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL));
	assert_jstr(j, "credential_id", cid);
	assert_int_equal(json_integer_value(jget(j, "alg")), alg);
	assert_jstr(j, "fmt", want_fmt);
	assert_jstr(j, "attestation_type", want_att);
	assert_jstr(j, "state", "active");
	json_decref(j);

	/* The stored key verifies a login. */
	j = login_json(&u, false, &resp);
	assert_jstr(j, "user.username", u.name);
	json_decref(j);
	hc_resp_free(&resp);
	free(cid);
	free(code);
	fx_user_free(&u);
}

static void
register_none_es256(void **state)
{
	(void)state;
	register_case("none", WA_COSE_ES256, "none", "none");
}

static void
register_none_eddsa(void **state)
{
	(void)state;
	register_case("none", WA_COSE_EDDSA, "none", "none");
}

static void
register_packed_es256(void **state)
{
	(void)state;
	register_case("packed", WA_COSE_ES256, "packed", "self");
}

static void
register_packed_eddsa(void **state)
{
	(void)state;
	register_case("packed", WA_COSE_EDDSA, "packed", "self");
}

static void
register_packed_x5c_untrusted(void **state)
{
	(void)state;
	/* A certificate chain, but no trust anchors are configured. */
	register_case("packed-x5c", WA_COSE_ES256, "packed", "basic");
}

/* The startup link for the first admin (run.sh reads it from stdout). */
static void
first_admin_link(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	json_t		*j, *o;
	unsigned char	*chal;
	size_t		 chal_len;

	(void)state;
	if (fx.first_admin == NULL)
		fail_msg("run.sh found no first-admin link on authd's stdout");
	secret(fx.first_admin);
	memset(&u, 0, sizeof(u));
	memset(&resp, 0, sizeof(resp));
	snprintf(u.name, sizeof(u.name), "admin");
	assert_int_equal(fx_register(T.c, fx.first_admin, &u, WA_COSE_EDDSA,
	    NULL, &resp), 201);
	assert_non_null(j = fx_json(&resp));
	assert_jstr(j, "username", "admin");
	assert_jstr(j, "role", "admin");
	json_decref(j);
	j = login_json(&u, false, &resp);
	assert_jstr(j, "user.role", "admin");
	json_decref(j);
	/* The link works once. */
	assert_int_equal(fx_reg_options(T.c, fx.first_admin, NULL, "again",
	    &o, &chal, &chal_len, &u), 401);
	assert_jstr(o, "error", "invalid_enrollment_code");
	json_decref(o);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
check_access_token(const char *at, const struct fx_user *u,
    const char *role)
{
	json_t	*h, *c, *amr;
	char	*sub;

	assert_non_null(h = fx_jwt_part(at, 0));
	assert_non_null(c = fx_jwt_part(at, 1));
	assert_jstr(h, "typ", "at+jwt");
	assert_jstr(h, "alg", "EdDSA");
	assert_non_null(jstr(h, "kid"));
	sub = fx_b64url(u->handle, u->handle_len);
	assert_jstr(c, "sub", sub);
	assert_jstr(c, "iss", fx.issuer);
	assert_jstr(c, "aud", AUDIENCE);
	assert_jstr(c, "role", role);
	assert_non_null(jstr(c, "sid"));
	assert_non_null(jstr(c, "jti"));
	assert_non_null(jstr(c, "cid"));
	assert_int_equal(json_integer_value(jget(c, "exp")) -
	    json_integer_value(jget(c, "iat")), 300);
	assert_true(json_integer_value(jget(c, "auth_time")) > 0);
	/* UV was proven, the key is neither backed up nor attested. */
	amr = jget(c, "amr");
	assert_int_equal(json_array_size(amr), 2);
	assert_string_equal(json_string_value(json_array_get(amr, 0)),
	    "user");
	assert_string_equal(json_string_value(json_array_get(amr, 1)), "mfa");
	free(sub);
	json_decref(h);
	json_decref(c);
}

static void
login_username_first(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	json_t		*o, *j, *allow;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*cid, *json, cookie[256];
	const char	*sc, *rt;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("first", "courier", WA_COSE_ES256, &u);
	assert_int_equal(fx_login_options(T.c, u.name, &chal, &chal_len, &o),
	    200);
	assert_jstr(o, "rpId", "localhost");
	assert_jstr(o, "userVerification", "required");
	assert_int_equal(json_integer_value(jget(o, "timeout")), 120000);
	allow = jget(o, "allowCredentials");
	assert_int_equal(json_array_size(allow), 1);
	cid = fx_b64url(sa_cred_id_ptr(u.cred), sa_cred_id_len(u.cred));
	assert_jstr(json_array_get(allow, 0), "id", cid);
	assert_jstr(json_array_get(allow, 0), "type", "public-key");
	json_decref(o);

	json = fx_assertion(&u, chal, chal_len, NULL);
	assert_int_equal(fx_post(T.c, "/v1/authentication/verify", json,
	    NULL, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	secret(jstr(j, "access_token"));
	secret(rt = jstr(j, "refresh_token"));
	assert_jstr(j, "token_type", "Bearer");
	assert_int_equal(json_integer_value(jget(j, "expires_in")), 300);
	assert_true(json_integer_value(jget(j, "session_expires_at")) >
	    json_integer_value(jget(j, "expires_in")));
	assert_jstr(j, "user.username", u.name);
	assert_jstr(j, "user.role", "courier");
	check_access_token(jstr(j, "access_token"), &u, "courier");
	/* The same session as a cookie, without Secure on plain HTTP. */
	assert_non_null(sc = hc_resp_header(&resp, "Set-Cookie"));
	snprintf(cookie, sizeof(cookie), "authd_session=%s;", rt);
	assert_true(strncmp(sc, cookie, strlen(cookie)) == 0);
	assert_non_null(strstr(sc, "HttpOnly"));
	assert_non_null(strstr(sc, "SameSite=Strict"));
	assert_non_null(strstr(sc, "Max-Age=36000"));
	assert_null(strstr(sc, "Secure"));
	json_decref(j);
	free(json);
	free(chal);
	free(cid);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
login_discoverable(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	json_t		*o, *j;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*json;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("disc", "customer", WA_COSE_EDDSA, &u);
	assert_int_equal(fx_login_options(T.c, NULL, &chal, &chal_len, &o),
	    200);
	assert_true(json_is_array(jget(o, "allowCredentials")));
	assert_int_equal(json_array_size(jget(o, "allowCredentials")), 0);
	assert_jstr(o, "userVerification", "required");
	json_decref(o);
	json = fx_assertion(&u, chal, chal_len, NULL);
	assert_non_null(strstr(json, "\"userHandle\""));
	assert_int_equal(fx_post(T.c, "/v1/authentication/verify", json,
	    NULL, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	secret(jstr(j, "access_token"));
	secret(jstr(j, "refresh_token"));
	assert_jstr(j, "user.username", u.name);
	assert_jstr(j, "user.role", "customer");
	/* Customers' sessions last 15 minutes by default. */
	assert_non_null(strstr(hc_resp_header(&resp, "Set-Cookie"),
	    "Max-Age=900"));
	check_access_token(jstr(j, "access_token"), &u, "customer");
	json_decref(j);
	free(json);
	free(chal);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

/* Unknown usernames get options shaped like a known user's, stable. */
static void
login_unknown_username_indistinguishable(void **state)
{
	json_t		*a, *b;
	unsigned char	*c1, *c2;
	size_t		 l1, l2;
	const char	*id1, *id2;

	(void)state;
	assert_int_equal(fx_login_options(T.c, "nobody-here", &c1, &l1, &a),
	    200);
	assert_int_equal(fx_login_options(T.c, "nobody-here", &c2, &l2, &b),
	    200);
	assert_int_equal(json_array_size(jget(a, "allowCredentials")), 1);
	id1 = jstr(json_array_get(jget(a, "allowCredentials"), 0), "id");
	id2 = jstr(json_array_get(jget(b, "allowCredentials"), 0), "id");
	assert_non_null(id1);
	assert_non_null(id2);
	assert_string_equal(id1, id2);
	assert_int_equal(strlen(id1), 43);	/* 32 bytes, like softauth's */
	assert_jstr(a, "userVerification", "required");
	assert_int_equal(l1, l2);
	assert_memory_not_equal(c1, c2, l1);
	json_decref(a);
	json_decref(b);
	free(c1);
	free(c2);
}

static void
token_refresh(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	json_t		*j, *c1, *c2;
	char		*at, *rt, *body;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("refresh", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, &rt);
	body = dumps(json_pack("{s:s}", "refresh_token", rt));
	assert_int_equal(fx_post(T.c, "/v1/token", body, NULL, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	secret(jstr(j, "access_token"));
	assert_null(jget(j, "refresh_token"));
	assert_jstr(j, "token_type", "Bearer");
	assert_int_equal(json_integer_value(jget(j, "expires_in")), 300);
	assert_jstr(j, "user.username", u.name);
	assert_string_not_equal(jstr(j, "access_token"), at);
	c1 = fx_jwt_part(at, 1);
	c2 = fx_jwt_part(jstr(j, "access_token"), 1);
	assert_jstr(c2, "sid", jstr(c1, "sid"));
	assert_jstr(c2, "sub", jstr(c1, "sub"));
	assert_int_equal(json_integer_value(jget(c2, "auth_time")),
	    json_integer_value(jget(c1, "auth_time")));
	assert_string_not_equal(jstr(c2, "jti"), jstr(c1, "jti"));
	json_decref(c1);
	json_decref(c2);
	json_decref(j);
	free(body);
	free(at);
	free(rt);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

/* POSTs {"refresh_token": base64url of b} to /v1/token: the status. */
static int
refresh_with(const unsigned char *b, size_t len, struct hc_resp *resp)
{
	char	*rt, *body;
	int	 st;

	rt = fx_b64url(b, len);
	body = dumps(json_pack("{s:s}", "refresh_token", rt));
	st = fx_post(T.c, "/v1/token", body, NULL, resp);
	free(body);
	free(rt);

	return (st);
}

/*
 * A refresh token is the session id (the tokens' sid) and a secret.  A
 * changed secret, a changed id, another session's id, or the secret
 * alone (the shape of tokens from before schema 5) is no session; the
 * genuine token still is.
 */
static void
token_refresh_forged(void **state)
{
	struct fx_user	 u, v;
	struct hc_resp	 resp;
	unsigned char	 t[64], o[64], sid[32];
	size_t		 len, olen, sid_len;
	char		*at, *rt, *ort;
	json_t		*c;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("forged", "courier", WA_COSE_ES256, &u);
	new_user("forgedb", "courier", WA_COSE_ES256, &v);
	login_tokens(&u, &at, &rt);
	login_tokens(&v, NULL, &ort);
	assert_int_equal(wa_b64url_decode(rt, strlen(rt), t, sizeof(t),
	    &len), WA_OK);
	assert_int_equal(len, 48);
	assert_int_equal(wa_b64url_decode(ort, strlen(ort), o, sizeof(o),
	    &olen), WA_OK);
	c = fx_jwt_part(at, 1);
	assert_int_equal(wa_b64url_decode(jstr(c, "sid"),
	    strlen(jstr(c, "sid")), sid, sizeof(sid), &sid_len), WA_OK);
	assert_int_equal(sid_len, 16);
	assert_memory_equal(t, sid, 16);
	json_decref(c);

	t[40] ^= 0x01;			/* the secret */
	st = refresh_with(t, len, &resp);
	fx_expect_error(&resp, st, 401, "invalid_session");
	t[40] ^= 0x01;
	t[15] ^= 0x01;			/* the id */
	st = refresh_with(t, len, &resp);
	fx_expect_error(&resp, st, 401, "invalid_session");
	t[15] ^= 0x01;
	memcpy(o + 16, t + 16, 32);	/* v's id, u's secret */
	st = refresh_with(o, olen, &resp);
	fx_expect_error(&resp, st, 401, "invalid_session");
	st = refresh_with(t + 16, 32, &resp);
	fx_expect_error(&resp, st, 401, "invalid_session");
	st = refresh_with(t, 47, &resp);
	fx_expect_error(&resp, st, 401, "invalid_session");
	assert_int_equal(refresh_with(t, len, &resp), 200);
	free(at);
	free(rt);
	free(ort);
	hc_resp_free(&resp);
	fx_user_free(&u);
	fx_user_free(&v);
}

/* The cookie works only with an allowed Origin (CSRF). */
static void
token_refresh_cookie(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	const char	*h[3];
	char		*rt, cookie[256], origin[128];

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("cookie", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, NULL, &rt);
	snprintf(cookie, sizeof(cookie), "Cookie: authd_session=%s", rt);
	snprintf(origin, sizeof(origin), "Origin: %s", fx.origin);
	h[0] = cookie;
	h[1] = origin;
	h[2] = NULL;
	assert_int_equal(hc_request(T.c, "POST", "/v1/token", h, NULL, 0,
	    &resp), HC_OK);
	assert_int_equal(resp.status, 200);
	h[1] = "Origin: https://evil.example";
	assert_int_equal(hc_request(T.c, "POST", "/v1/token", h, NULL, 0,
	    &resp), HC_OK);
	fx_expect_error(&resp, resp.status, 403, "forbidden");
	h[1] = NULL;
	assert_int_equal(hc_request(T.c, "POST", "/v1/token", h, NULL, 0,
	    &resp), HC_OK);
	fx_expect_error(&resp, resp.status, 403, "forbidden");
	free(rt);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
logout_ends_session(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	char		*rt, *at, *body;
	const char	*sc;
	json_t		*j;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("logout", "courier", WA_COSE_EDDSA, &u);
	login_tokens(&u, &at, &rt);
	body = dumps(json_pack("{s:s}", "refresh_token", rt));
	assert_int_equal(fx_post(T.c, "/v1/logout", body, NULL, &resp), 204);
	assert_int_equal(resp.body_len, 0);
	assert_non_null(sc = hc_resp_header(&resp, "Set-Cookie"));
	assert_non_null(strstr(sc, "authd_session=;"));
	assert_non_null(strstr(sc, "Max-Age=0"));
	/* The refresh secret is dead, and so is its access token. */
	st = fx_post(T.c, "/v1/token", body, NULL, &resp);
	fx_expect_error(&resp, st, 401, "session_ended");
	st = fx_post(T.c, "/v1/logout", body, NULL, &resp);
	fx_expect_error(&resp, st, 401, "session_ended");
	j = fx_introspect(T.c, T.svc_key, at, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_false(jget(j, "active")));
	assert_int_equal(json_object_size(j), 1);
	json_decref(j);
	free(body);
	free(rt);
	free(at);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
logout_unknown_session(void **state)
{
	struct hc_resp	 resp;
	unsigned char	 junk[32];
	char		*rt, *body;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(junk, 0x5a, sizeof(junk));
	rt = fx_b64url(junk, sizeof(junk));
	body = dumps(json_pack("{s:s}", "refresh_token", rt));
	st = fx_post(T.c, "/v1/logout", body, NULL, &resp);
	fx_expect_error(&resp, st, 401, "invalid_session");
	st = fx_post(T.c, "/v1/token", "{\"refresh_token\":\"x\"}", NULL,
	    &resp);
	fx_expect_error(&resp, st, 401, "invalid_session");
	free(body);
	free(rt);
	hc_resp_free(&resp);
}

static void
introspect_active(void **state)
{
	struct fx_user	 u;
	char		*at, *sub;
	json_t		*j;
	int		 st;

	(void)state;
	new_user("intro", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, NULL);
	j = fx_introspect(T.c, T.svc_key, at, &st);
	assert_int_equal(st, 200);
	assert_non_null(j);
	assert_true(json_is_true(jget(j, "active")));
	sub = fx_b64url(u.handle, u.handle_len);
	assert_jstr(j, "sub", sub);
	assert_jstr(j, "username", u.name);
	assert_jstr(j, "role", "courier");
	assert_jstr(j, "aud", AUDIENCE);
	assert_jstr(j, "iss", fx.issuer);
	assert_jstr(j, "token_type", "access_token");
	assert_true(json_integer_value(jget(j, "exp")) > 0);
	json_decref(j);
	free(sub);
	free(at);
	fx_user_free(&u);
}

static void
introspect_garbage_token(void **state)
{
	static const char *const junk[] = {
		"garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		"",
	};
	json_t	*j;
	int	 st;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		j = fx_introspect(T.c, T.svc_key, junk[i], &st);
		assert_int_equal(st, 200);
		assert_true(json_is_false(jget(j, "active")));
		assert_int_equal(json_object_size(j), 1);
		json_decref(j);
	}
	/* No token at all is a malformed request (RFC 7662 §2.1). */
	j = fx_introspect(T.c, T.svc_key, junk[3], &st);
	assert_int_equal(st, 400);
	assert_jstr(j, "error", "invalid_request");
	json_decref(j);
}

static void
introspect_other_audience(void **state)
{
	struct fx_user	 u;
	char		*at;
	json_t		*j;
	int		 st;

	(void)state;
	new_user("aud", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, NULL);
	j = fx_introspect(T.c, T.other_key, at, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_false(jget(j, "active")));
	assert_int_equal(json_object_size(j), 1);
	json_decref(j);
	/* The right service still sees it active. */
	j = fx_introspect(T.c, T.svc_key, at, &st);
	assert_true(json_is_true(jget(j, "active")));
	json_decref(j);
	free(at);
	fx_user_free(&u);
}

static void
introspect_needs_service_key(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	char		*at, body[9000];
	json_t		*j;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("introkey", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, NULL);
	snprintf(body, sizeof(body), "token=%s", at);
	j = fx_introspect(T.c, NULL, at, &st);
	assert_int_equal(st, 401);
	assert_jstr(j, "error", "unauthorized");
	json_decref(j);
	j = fx_introspect(T.c, "sk_not-a-key", at, &st);
	assert_int_equal(st, 401);
	json_decref(j);
	/* A user's own token is not a service key. */
	j = fx_introspect(T.c, at, at, &st);
	assert_int_equal(st, 403);
	assert_jstr(j, "error", "forbidden");
	json_decref(j);
	st = fx_req(T.c, "POST", "/v1/introspect", "application/json",
	    T.svc_key, NULL, body, strlen(body), &resp);
	fx_expect_error(&resp, st, 415, "unsupported_media_type");
	free(at);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

#define DISPLAY_NAME	"Ann \"Q\" Sh\xc3\xb6pper \\ </script>"

static void
enrollments_by_service(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	json_t		*j;
	char		*body, prefix[256];
	const char	*code, *rt;
	int		 st;

	(void)state;
	memset(&u, 0, sizeof(u));
	memset(&resp, 0, sizeof(resp));
	fx_username("shopper", u.name, sizeof(u.name));
	/* A contact must be a string without control characters. */
	body = dumps(json_pack("{s:s, s:s, s:i}", "username", u.name, "role",
	    "customer", "contact", 7));
	st = fx_post(T.c, "/v1/enrollments", body, T.svc_key, &resp);
	fx_expect_error(&resp, st, 400, "malformed_request");
	free(body);
	body = dumps(json_pack("{s:s, s:s, s:s}", "username", u.name, "role",
	    "customer", "contact", "ann@example.org\nBcc: x"));
	st = fx_post(T.c, "/v1/enrollments", body, T.svc_key, &resp);
	fx_expect_error(&resp, st, 400, "malformed_request");
	free(body);
	/* A name JSON must escape, back in the sign-in's answer intact. */
	body = dumps(json_pack("{s:s, s:s, s:s, s:s}", "username", u.name,
	    "role", "customer", "display_name", DISPLAY_NAME, "contact",
	    "ann.shopper@example.org"));
	assert_int_equal(fx_post(T.c, "/v1/enrollments", body, T.svc_key,
	    &resp), 201);
	assert_non_null(j = fx_json(&resp));
	assert_non_null(code = jstr(j, "code"));
	secret(code);
	assert_int_equal(strlen(code), 43);
	snprintf(prefix, sizeof(prefix), "%s/enroll?code=%s", fx.origin, code);
	assert_jstr(j, "link", prefix);
	assert_non_null(jstr(j, "expires_at"));
	assert_jstr(j, "user.username", u.name);
	assert_jstr(j, "user.role", "customer");
	/* The code enrolls a passkey. */
	assert_int_equal(fx_register(T.c, code, &u, WA_COSE_ES256, NULL,
	    &resp), 201);
	json_decref(j);
	free(body);
	j = login_json(&u, false, &resp);
	assert_jstr(j, "user.display_name", DISPLAY_NAME);
	assert_jstr(j, "user.role", "customer");
	assert_non_null(rt = jstr(j, "refresh_token"));
	body = dumps(json_pack("{s:s}", "refresh_token", rt));
	json_decref(j);
	assert_int_equal(fx_post(T.c, "/v1/token", body, NULL, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	secret(jstr(j, "access_token"));
	assert_jstr(j, "user.display_name", DISPLAY_NAME);
	json_decref(j);
	free(body);
	/* Services enroll customers only. */
	body = dumps(json_pack("{s:s, s:s}", "username", "crew1", "role",
	    "courier"));
	st = fx_post(T.c, "/v1/enrollments", body, T.svc_key, &resp);
	fx_expect_error(&resp, st, 403, "forbidden");
	free(body);
	/* Admins see the contact. */
	assert_int_equal(fx_req(T.c, "GET", "/v1/admin/users?role=customer",
	    NULL, T.admin_at, NULL, NULL, 0, &resp), 200);
	assert_non_null(strstr(resp.body, "\"ann.shopper@example.org\""));
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
enrollments_by_admin(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	json_t		*j;
	char		*body;

	(void)state;
	memset(&u, 0, sizeof(u));
	memset(&resp, 0, sizeof(resp));
	fx_username("crew", u.name, sizeof(u.name));
	body = dumps(json_pack("{s:s, s:s}", "username", u.name, "role",
	    "courier"));
	assert_int_equal(fx_post(T.c, "/v1/enrollments", body, T.admin_at,
	    &resp), 201);
	assert_non_null(j = fx_json(&resp));
	secret(jstr(j, "code"));
	assert_jstr(j, "user.role", "courier");
	assert_int_equal(fx_register(T.c, jstr(j, "code"), &u, WA_COSE_EDDSA,
	    NULL, &resp), 201);
	json_decref(j);
	free(body);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
enrollments_refused(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	char		*at, *body;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	body = dumps(json_pack("{s:s, s:s}", "username", "someone", "role",
	    "courier"));
	st = fx_post(T.c, "/v1/enrollments", body, NULL, &resp);
	fx_expect_error(&resp, st, 401, "unauthorized");
	st = fx_post(T.c, "/v1/enrollments", body, "not.a.token", &resp);
	fx_expect_error(&resp, st, 401, "unauthorized");
	/* A courier is no admin. */
	new_user("notadmin", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, NULL);
	st = fx_post(T.c, "/v1/enrollments", body, at, &resp);
	fx_expect_error(&resp, st, 403, "forbidden");
	free(body);
	/* Bad fields. */
	body = dumps(json_pack("{s:s, s:s}", "username", "Bad Name", "role",
	    "courier"));
	st = fx_post(T.c, "/v1/enrollments", body, T.admin_at, &resp);
	fx_expect_error(&resp, st, 400, "malformed_request");
	free(body);
	body = dumps(json_pack("{s:s, s:s}", "username", "okname", "role",
	    "pilot"));
	st = fx_post(T.c, "/v1/enrollments", body, T.admin_at, &resp);
	fx_expect_error(&resp, st, 400, "malformed_request");
	free(body);
	/* An existing username with another role. */
	body = dumps(json_pack("{s:s, s:s}", "username", u.name, "role",
	    "admin"));
	st = fx_post(T.c, "/v1/enrollments", body, T.admin_at, &resp);
	fx_expect_error(&resp, st, 409, "conflict");
	free(body);
	free(at);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

/* A signed-in user adds a second device; the first is excluded. */
static void
add_device_with_token(void **state)
{
	struct fx_user	 u, d;
	struct hc_resp	 resp;
	json_t		*o, *ex;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*at, *cid;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("twodev", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, NULL);
	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", u.name);
	assert_int_equal(fx_reg_options(T.c, NULL, at, "tablet", &o, &chal,
	    &chal_len, &d), 200);
	ex = jget(o, "excludeCredentials");
	assert_int_equal(json_array_size(ex), 1);
	cid = fx_b64url(sa_cred_id_ptr(u.cred), sa_cred_id_len(u.cred));
	assert_jstr(json_array_get(ex, 0), "id", cid);
	assert_memory_equal(d.handle, u.handle, u.handle_len);
	json_decref(o);
	free(chal);
	assert_int_equal(fx_register_device(T.c, at, &d, WA_COSE_EDDSA,
	    &resp), 201);
	/* Both devices sign in; options now list both. */
	fx_login_ok(T.c, &d, NULL, NULL);
	fx_login_ok(T.c, &u, NULL, NULL);
	assert_int_equal(fx_login_options(T.c, u.name, &chal, &chal_len, &o),
	    200);
	assert_int_equal(json_array_size(jget(o, "allowCredentials")), 2);
	json_decref(o);
	free(chal);
	/* A service key cannot add devices. */
	assert_int_equal(fx_reg_options(T.c, NULL, T.svc_key, "x", &o, &chal,
	    &chal_len, &d), 403);
	assert_jstr(o, "error", "forbidden");
	json_decref(o);
	free(cid);
	free(at);
	hc_resp_free(&resp);
	fx_user_free(&u);
	fx_user_free(&d);
}

static void
revoked_credential(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	char		*at, *rt, *cid, *body, out[FX_MAX_OUT];
	json_t		*j;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("revoke", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, &rt);
	cid = fx_b64url(sa_cred_id_ptr(u.cred), sa_cred_id_len(u.cred));
	/* "--": a base64url id may start with '-'. */
	assert_int_equal(fx_authctl(NULL, out, NULL, "revoke", "--reason",
	    "lost phone", "--", cid, NULL), 0);
	st = fx_login(T.c, &u, false, NULL, &resp);
	fx_expect_error(&resp, st, 401, "credential_revoked");
	body = dumps(json_pack("{s:s}", "refresh_token", rt));
	st = fx_post(T.c, "/v1/token", body, NULL, &resp);
	assert_int_equal(st, 401);
	j = fx_introspect(T.c, T.svc_key, at, &st);
	assert_true(json_is_false(jget(j, "active")));
	json_decref(j);
	free(body);
	free(cid);
	free(at);
	free(rt);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
authctl_token_verify(void **state)
{
	struct fx_user	 u;
	char		*at, *sub, out[FX_MAX_OUT], err[FX_MAX_OUT];
	json_t		*j;

	(void)state;
	new_user("offline", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, NULL);
	assert_int_equal(fx_authctl(NULL, out, err, "token", "verify",
	    "--jwks", fx.jwks, "--aud", AUDIENCE, "--iss", fx.issuer, at,
	    NULL), 0);
	assert_non_null(j = json_loads(out, 0, NULL));
	sub = fx_b64url(u.handle, u.handle_len);
	assert_jstr(j, "sub", sub);
	assert_jstr(j, "role", "courier");
	assert_jstr(j, "aud", AUDIENCE);
	json_decref(j);
	/* Another audience, another issuer: invalid (1). */
	assert_int_equal(fx_authctl(NULL, out, err, "token", "verify",
	    "--jwks", fx.jwks, "--aud", "billing-services", "--iss",
	    fx.issuer, at, NULL), 1);
	assert_int_equal(fx_authctl(NULL, out, err, "token", "verify",
	    "--jwks", fx.jwks, "--aud", AUDIENCE, "--iss",
	    "https://evil.example", at, NULL), 1);
	free(sub);
	free(at);
	fx_user_free(&u);
}

/* The JOSE library's verdict on token for aud, from the main JWKS. */
static int
jose(const char *token, const char *aud, char *out)
{
	return (fx_jose(fx.jwks, aud, fx.issuer, token, out));
}

static void
jose_verifies_token(void **state)
{
	struct fx_user	 u;
	char		*at, *sub, *bad, out[FX_MAX_OUT];
	json_t		*j;
	size_t		 n;

	(void)state;
	new_user("jose", "courier", WA_COSE_EDDSA, &u);
	login_tokens(&u, &at, NULL);
	if (jose(at, AUDIENCE, out) != 0)
		fail_msg("jose refused the token: %s", out);
	assert_non_null(j = json_loads(out, 0, NULL));
	sub = fx_b64url(u.handle, u.handle_len);
	assert_jstr(j, "payload.sub", sub);
	assert_jstr(j, "header.typ", "at+jwt");
	assert_jstr(j, "header.alg", "EdDSA");
	json_decref(j);
	/* And it refuses what it should. */
	assert_int_equal(jose(at, "billing-services", out), 1);
	assert_non_null(strstr(out, "ERR_JWT_CLAIM_VALIDATION_FAILED"));
	bad = strdup(at);
	n = strlen(bad);
	bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(jose(bad, AUDIENCE, out), 1);
	assert_non_null(strstr(out, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"));
	free(bad);
	free(sub);
	free(at);
	fx_user_free(&u);
}

static bool
jwks_has(const char *kid)
{
	struct hc_resp	 resp;
	json_t		*j, *k;
	size_t		 i;
	bool		 found = false;

	memset(&resp, 0, sizeof(resp));
	assert_int_equal(fx_req(T.c, "GET", "/.well-known/jwks.json", NULL,
	    NULL, NULL, NULL, 0, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	json_array_foreach(jget(j, "keys"), i, k) {
		assert_null(jget(k, "d"));	/* never the private part */
		if (jstr(k, "kid") != NULL && strcmp(jstr(k, "kid"), kid) == 0)
			found = true;
	}
	json_decref(j);
	hc_resp_free(&resp);

	return (found);
}

static void
key_rotation(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	char		*at, *rt, *body, *kid1, out[FX_MAX_OUT];
	char		 err[FX_MAX_OUT];
	const char	*kid2;
	json_t		*h, *rot, *j;
	int64_t		 t0;
	bool		 rotated = false;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("rotate", "courier", WA_COSE_ES256, &u);
	login_tokens(&u, &at, &rt);
	h = fx_jwt_part(at, 0);
	kid1 = strdup(jstr(h, "kid"));
	json_decref(h);
	assert_true(jwks_has(kid1));
	assert_int_equal(fx_authctl(NULL, out, err, "keys", "rotate", NULL),
	    0);
	assert_non_null(rot = json_loads(out, 0, NULL));
	assert_non_null(kid2 = jstr(rot, "kid"));
	assert_string_not_equal(kid1, kid2);
	assert_jstr(rot, "alg", "EdDSA");
	/* authd notices within its 5 s recheck. */
	body = dumps(json_pack("{s:s}", "refresh_token", rt));
	for (t0 = fx_now_ms(); fx_now_ms() - t0 < 6500; fx_sleep_ms(250)) {
		assert_int_equal(fx_post(T.c, "/v1/token", body, NULL, &resp),
		    200);
		j = fx_json(&resp);
		secret(jstr(j, "access_token"));
		h = fx_jwt_part(jstr(j, "access_token"), 0);
		rotated = strcmp(jstr(h, "kid"), kid2) == 0;
		json_decref(h);
		json_decref(j);
		if (rotated)
			break;
	}
	if (!rotated)
		fail_msg("new tokens still carry kid %s after %lld ms", kid1,
		    (long long)(fx_now_ms() - t0));
	print_message("key_rotation: new kid after %lld ms\n",
	    (long long)(fx_now_ms() - t0));
	/* Both keys are published; the old token is still good. */
	assert_true(jwks_has(kid1));
	assert_true(jwks_has(kid2));
	j = fx_introspect(T.c, T.svc_key, at, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_true(jget(j, "active")));
	json_decref(j);
	assert_int_equal(fx_authctl(NULL, out, err, "token", "verify",
	    "--jwks", fx.jwks, "--aud", AUDIENCE, "--iss", fx.issuer, at,
	    NULL), 0);
	assert_int_equal(jose(at, AUDIENCE, out), 0);
	/* New tokens verify too (a fresh login, not only refresh). */
	free(at);
	login_tokens(&u, &at, NULL);
	h = fx_jwt_part(at, 0);
	assert_jstr(h, "kid", kid2);
	json_decref(h);
	assert_int_equal(jose(at, AUDIENCE, out), 0);
	json_decref(rot);
	free(kid1);
	free(body);
	free(at);
	free(rt);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

/* Paths that must fail. */

static void
replayed_assertion(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	unsigned char		*chal;
	size_t			 chal_len;
	char			*json;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	/* An authenticator without a counter (always 0). */
	ce.sign_count_set = true;
	ce.sign_count = 0;
	new_user("replay", "courier", WA_COSE_ES256, &u);
	assert_int_equal(fx_login_options(T.c, u.name, &chal, &chal_len,
	    NULL), 200);
	json = fx_assertion(&u, chal, chal_len, &ce);
	assert_int_equal(fx_post(T.c, "/v1/authentication/verify", json,
	    NULL, &resp), 200);
	st = fx_post(T.c, "/v1/authentication/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 400, "ceremony_used");
	free(json);
	free(chal);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

/*
 * A replay from an authenticator with a counter.  The challenge was
 * consumed, so this is a replay (§7.2 step 12 comes before the counter
 * check of step 22), not evidence of a cloned authenticator.
 */
static void
replayed_assertion_counter(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*json;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("replayc", "courier", WA_COSE_ES256, &u);
	assert_int_equal(fx_login_options(T.c, u.name, &chal, &chal_len,
	    NULL), 200);
	json = fx_assertion(&u, chal, chal_len, NULL);
	assert_int_equal(fx_post(T.c, "/v1/authentication/verify", json,
	    NULL, &resp), 200);
	st = fx_post(T.c, "/v1/authentication/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 400, "ceremony_used");
	free(json);
	free(chal);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
wrong_origin_login(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	new_user("origin", "courier", WA_COSE_ES256, &u);
	ce.origin = "https://evil.example";
	st = fx_login(T.c, &u, false, &ce, &resp);
	fx_expect_error(&resp, st, 401, "origin_mismatch");
	/* Same host, another port, is another origin. */
	ce.origin = "http://localhost:1";
	st = fx_login(T.c, &u, false, &ce, &resp);
	fx_expect_error(&resp, st, 401, "origin_mismatch");
	/* The ceremony was not consumed by the failures: a good one works. */
	assert_int_equal(fx_login(T.c, &u, false, NULL, &resp), 200);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
wrong_origin_registration(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	char			*code;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	memset(&u, 0, sizeof(u));
	fx_username("regorigin", u.name, sizeof(u.name));
	code = fx_enroll(NULL, u.name, "courier");
	secret(code);
	ce.origin = "https://evil.example";
	st = fx_register(T.c, code, &u, WA_COSE_ES256, &ce, &resp);
	fx_expect_error(&resp, st, 400, "origin_mismatch");
	/* A wrong RP ID fails too; the code survives both. */
	ce.origin = NULL;
	ce.rp_id = "evil.example";
	st = fx_register(T.c, code, &u, WA_COSE_ES256, &ce, &resp);
	fx_expect_error(&resp, st, 400, "rp_id_mismatch");
	assert_int_equal(fx_register(T.c, code, &u, WA_COSE_ES256, NULL,
	    &resp), 201);
	free(code);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
uv_missing_login(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	new_user("nouv", "courier", WA_COSE_ES256, &u);
	ce.flags = FX_UP;
	st = fx_login(T.c, &u, false, &ce, &resp);
	fx_expect_error(&resp, st, 401, "user_not_verified");
	st = fx_login(T.c, &u, true, &ce, &resp);
	fx_expect_error(&resp, st, 401, "user_not_verified");
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
uv_missing_registration(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	char			*code;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	memset(&u, 0, sizeof(u));
	fx_username("regnouv", u.name, sizeof(u.name));
	code = fx_enroll(NULL, u.name, "courier");
	secret(code);
	ce.flags = FX_UP;
	st = fx_register(T.c, code, &u, WA_COSE_ES256, &ce, &resp);
	fx_expect_error(&resp, st, 400, "user_not_verified");
	free(code);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
cloned_counter(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	new_user("clone", "courier", WA_COSE_ES256, &u);
	ce.sign_count_set = true;
	ce.sign_count = 10;
	assert_int_equal(fx_login(T.c, &u, false, &ce, &resp), 200);
	/* The same count again, then a lower one: a second copy. */
	st = fx_login(T.c, &u, false, &ce, &resp);
	fx_expect_error(&resp, st, 401, "cloned_authenticator");
	ce.sign_count = 7;
	st = fx_login(T.c, &u, true, &ce, &resp);
	fx_expect_error(&resp, st, 401, "cloned_authenticator");
	/* A count of 0 from a counting authenticator is a clone too. */
	ce.sign_count = 0;
	st = fx_login(T.c, &u, false, &ce, &resp);
	fx_expect_error(&resp, st, 401, "cloned_authenticator");
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
unknown_credential(void **state)
{
	struct fx_user	 u, stranger;
	struct hc_resp	 resp;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("known", "courier", WA_COSE_ES256, &u);
	/* The same user handle, but a key authd never saw. */
	stranger = u;
	assert_non_null(stranger.cred = sa_cred_new(WA_COSE_ES256));
	st = fx_login(T.c, &stranger, true, NULL, &resp);
	fx_expect_error(&resp, st, 401, "unknown_credential");
	st = fx_login(T.c, &stranger, false, NULL, &resp);
	fx_expect_error(&resp, st, 401, "unknown_credential");
	sa_cred_free(&stranger.cred);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
other_users_credential(void **state)
{
	struct fx_user	 a, b, mix;
	struct hc_resp	 resp;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*json;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("alice", "courier", WA_COSE_ES256, &a);
	new_user("bob", "courier", WA_COSE_EDDSA, &b);
	/* Options for alice, answered by bob's passkey. */
	assert_int_equal(fx_login_options(T.c, a.name, &chal, &chal_len,
	    NULL), 200);
	json = fx_assertion(&b, chal, chal_len, NULL);
	st = fx_post(T.c, "/v1/authentication/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 401, "credential_not_allowed");
	free(json);
	free(chal);
	/* Discoverable, bob's passkey claiming alice's user handle. */
	mix = b;
	memcpy(mix.handle, a.handle, a.handle_len);
	st = fx_login(T.c, &mix, true, NULL, &resp);
	fx_expect_error(&resp, st, 401, "user_handle_mismatch");
	/* Options for a user who does not exist, answered by bob. */
	assert_int_equal(fx_login_options(T.c, "ghost-user", &chal,
	    &chal_len, NULL), 200);
	json = fx_assertion(&b, chal, chal_len, NULL);
	st = fx_post(T.c, "/v1/authentication/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 401, "credential_not_allowed");
	free(json);
	free(chal);
	hc_resp_free(&resp);
	fx_user_free(&a);
	fx_user_free(&b);
}

static void
discoverable_without_user_handle(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	new_user("nohandle", "courier", WA_COSE_ES256, &u);
	ce.no_user_handle = true;
	st = fx_login(T.c, &u, true, &ce, &resp);
	fx_expect_error(&resp, st, 401, "user_handle_mismatch");
	/* Username-first does not need it (§7.2 step 6). */
	assert_int_equal(fx_login(T.c, &u, false, &ce, &resp), 200);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
duplicate_credential_id(void **state)
{
	struct fx_user	 a, b;
	struct hc_resp	 resp;
	char		*c1, *c2;
	int		 st;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&resp, 0, sizeof(resp));
	fx_username("dupa", a.name, sizeof(a.name));
	fx_username("dupb", b.name, sizeof(b.name));
	c1 = fx_enroll(NULL, a.name, "courier");
	c2 = fx_enroll(NULL, b.name, "courier");
	secret(c1);
	secret(c2);
	assert_int_equal(fx_register(T.c, c1, &a, WA_COSE_ES256, NULL,
	    &resp), 201);
	/* The same authenticator credential, under a second code. */
	b.cred = a.cred;
	st = fx_register(T.c, c2, &b, WA_COSE_ES256, NULL, &resp);
	fx_expect_error(&resp, st, 409, "duplicate_credential");
	b.cred = NULL;
	/* The second code was not used up by the refusal. */
	assert_int_equal(fx_register(T.c, c2, &b, WA_COSE_ES256, NULL,
	    &resp), 201);
	free(c1);
	free(c2);
	hc_resp_free(&resp);
	fx_user_free(&a);
	fx_user_free(&b);
}

static void
enrollment_code_reused(void **state)
{
	struct fx_user	 u, v;
	struct hc_resp	 resp;
	json_t		*o;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*code;
	int		 st;

	(void)state;
	memset(&u, 0, sizeof(u));
	memset(&v, 0, sizeof(v));
	memset(&resp, 0, sizeof(resp));
	fx_username("once", u.name, sizeof(u.name));
	code = fx_enroll(NULL, u.name, "courier");
	secret(code);
	assert_int_equal(fx_register(T.c, code, &u, WA_COSE_ES256, NULL,
	    &resp), 201);
	assert_int_equal(fx_reg_options(T.c, code, NULL, "again", &o, &chal,
	    &chal_len, &v), 401);
	assert_jstr(o, "error", "invalid_enrollment_code");
	json_decref(o);
	/* A code that was never issued, and one that is not base64url. */
	assert_int_equal(fx_reg_options(T.c,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, "x", &o,
	    &chal, &chal_len, &v), 401);
	assert_jstr(o, "error", "invalid_enrollment_code");
	json_decref(o);
	assert_int_equal(fx_reg_options(T.c, "not a code!", NULL, "x", &o,
	    &chal, &chal_len, &v), 401);
	assert_jstr(o, "error", "invalid_enrollment_code");
	json_decref(o);
	free(code);
	/* Two ceremonies from one code: only the first completes. */
	fx_user_free(&u);
	fx_user_free(&v);
	memset(&u, 0, sizeof(u));
	fx_username("twice", u.name, sizeof(u.name));
	code = fx_enroll(NULL, u.name, "courier");
	secret(code);
	{
		struct sa_params	 p;
		unsigned char		*c1, *c2;
		size_t			 l1, l2;
		char			*j1, *j2;
		struct fx_user		 w;

		memset(&w, 0, sizeof(w));
		assert_int_equal(fx_reg_options(T.c, code, NULL, "one", NULL,
		    &c1, &l1, &w), 200);
		assert_int_equal(fx_reg_options(T.c, code, NULL, "two", NULL,
		    &c2, &l2, &w), 200);
		assert_non_null(u.cred = sa_cred_new(WA_COSE_ES256));
		assert_non_null(v.cred = sa_cred_new(WA_COSE_ES256));
		memset(&p, 0, sizeof(p));
		p.rp_id = "localhost";
		p.origin = fx.origin;
		p.flags = FX_UP_UV;
		p.fmt = "none";
		p.challenge = c1;
		p.challenge_len = l1;
		assert_non_null(j1 = sa_make_registration(u.cred, &p));
		p.challenge = c2;
		p.challenge_len = l2;
		assert_non_null(j2 = sa_make_registration(v.cred, &p));
		assert_int_equal(fx_post(T.c, "/v1/registration/verify", j1,
		    NULL, &resp), 201);
		st = fx_post(T.c, "/v1/registration/verify", j2, NULL, &resp);
		fx_expect_error(&resp, st, 400, "ceremony_used");
		free(c1);
		free(c2);
		free(j1);
		free(j2);
	}
	free(code);
	hc_resp_free(&resp);
	fx_user_free(&u);
	fx_user_free(&v);
}

/* Challenges authd did not issue, or issued for the other ceremony. */
static void
foreign_challenge(void **state)
{
	struct fx_user	 u, r;
	struct hc_resp	 resp;
	unsigned char	 forged[64], *chal;
	size_t		 chal_len;
	char		*json, *code;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&r, 0, sizeof(r));
	new_user("foreign", "courier", WA_COSE_ES256, &u);
	memset(forged, 0x41, sizeof(forged));
	forged[0] = 1;	/* the sealed format's version byte */
	json = fx_assertion(&u, forged, sizeof(forged), NULL);
	st = fx_post(T.c, "/v1/authentication/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 400, "unknown_ceremony");
	free(json);
	/* A registration challenge used to sign in. */
	fx_username("foreignreg", r.name, sizeof(r.name));
	code = fx_enroll(NULL, r.name, "courier");
	secret(code);
	assert_int_equal(fx_reg_options(T.c, code, NULL, "x", NULL, &chal,
	    &chal_len, &r), 200);
	json = fx_assertion(&u, chal, chal_len, NULL);
	st = fx_post(T.c, "/v1/authentication/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 400, "unknown_ceremony");
	free(json);
	free(chal);
	/* A sign-in challenge used to register. */
	assert_int_equal(fx_login_options(T.c, NULL, &chal, &chal_len, NULL),
	    200);
	{
		struct sa_params p;

		memset(&p, 0, sizeof(p));
		p.rp_id = "localhost";
		p.origin = fx.origin;
		p.flags = FX_UP_UV;
		p.fmt = "none";
		p.challenge = chal;
		p.challenge_len = chal_len;
		assert_non_null(json = sa_make_registration(u.cred, &p));
	}
	st = fx_post(T.c, "/v1/registration/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 400, "unknown_ceremony");
	free(json);
	free(chal);
	free(code);
	hc_resp_free(&resp);
	fx_user_free(&u);
}

/*
 * A sealed challenge with one bit changed is refused, and the genuine
 * one still signs in afterwards on the same connection (so the same
 * worker thread): a failed open must not spoil the thread's AES-GCM
 * context for the next request.
 */
static void
tampered_challenge(void **state)
{
	struct fx_user	 u;
	struct hc_resp	 resp;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*json;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	new_user("tampered", "courier", WA_COSE_ES256, &u);
	for (size_t at = 0; at < 3; at++) {
		assert_int_equal(fx_login_options(T.c, u.name, &chal,
		    &chal_len, NULL), 200);
		/* The IV, the ciphertext, the tag. */
		chal[at == 0 ? 1 : at == 1 ? chal_len / 2 : chal_len - 1] ^=
		    0x01;
		json = fx_assertion(&u, chal, chal_len, NULL);
		st = fx_post(T.c, "/v1/authentication/verify", json, NULL,
		    &resp);
		fx_expect_error(&resp, st, 400, "unknown_ceremony");
		free(json);
		free(chal);
		assert_int_equal(fx_login_options(T.c, u.name, &chal,
		    &chal_len, NULL), 200);
		json = fx_assertion(&u, chal, chal_len, NULL);
		st = fx_post(T.c, "/v1/authentication/verify", json, NULL,
		    &resp);
		assert_int_equal(st, 200);
		assert_non_null(strstr(resp.body, "\"access_token\""));
		u.count++;
		free(json);
		free(chal);
	}
	hc_resp_free(&resp);
	fx_user_free(&u);
}

static void
oversized_body(void **state)
{
	struct hc_resp	 resp;
	struct hc_conn	*c;
	char		*big;
	size_t		 n = 70000;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_non_null(big = malloc(n));
	memset(big, ' ', n);
	memcpy(big, "{\"username\":\"x\"", 15);
	big[n - 1] = '}';
	c = fx_connect(NULL);
	st = fx_req(c, "POST", "/v1/authentication/options",
	    "application/json", NULL, NULL, big, n, &resp);
	fx_expect_error(&resp, st, 413, "body_too_large");
	st = fx_req(c, "POST", "/v1/authentication/verify",
	    "application/json", NULL, NULL, big, n, &resp);
	fx_expect_error(&resp, st, 413, "body_too_large");
	hc_close(&c);
	/* Exactly at the limit (64 KiB) is allowed. */
	c = fx_connect(NULL);
	n = 65536;
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	assert_int_equal(fx_req(c, "POST", "/v1/authentication/options",
	    "application/json", NULL, NULL, big, n, &resp), 200);
	hc_close(&c);
	free(big);
	hc_resp_free(&resp);
}

/* Sends a chunked JSON body of n bytes (n >= 2) in 1000-byte chunks. */
static int
chunked_options(size_t n, struct hc_resp *resp)
{
	struct hc_conn	*c;
	char		*req, *body;
	size_t		 len = 0, off;
	int		 w;

	assert_non_null(body = malloc(n));
	memset(body, ' ', n);
	memcpy(body, "{\"username\":\"x\"", 15);
	body[n - 1] = '}';
	assert_non_null(req = malloc(n + n / 1000 * 16 + 512));
	w = snprintf(req, 256, "POST /v1/authentication/options "
	    "HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json"
	    "\r\nTransfer-Encoding: chunked\r\n\r\n", fx.port);
	len = (size_t)w;
	for (off = 0; off < n; off += 1000) {
		size_t k = n - off < 1000 ? n - off : 1000;

		len += (size_t)snprintf(req + len, 16, "%zx\r\n", k);
		memcpy(req + len, body + off, k);
		len += k;
		memcpy(req + len, "\r\n", 2);
		len += 2;
	}
	memcpy(req + len, "0\r\n\r\n", 5);
	len += 5;
	c = fx_connect(NULL);
	assert_int_equal(hc_request_raw(c, req, len, resp), HC_OK);
	hc_close(&c);
	free(req);
	free(body);

	return (resp->status);
}

/*
 * A chunked body has no length up front: its buffer grows as it comes,
 * up to max_body (64 KiB) and not a byte further.
 */
static void
chunked_body_sizes(void **state)
{
	struct hc_resp resp;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(chunked_options(20, &resp), 200);
	assert_int_equal(chunked_options(20000, &resp), 200);
	assert_int_equal(chunked_options(65536, &resp), 200);
	assert_int_equal(chunked_options(65537, &resp), 413);
	fx_expect_error(&resp, resp.status, 413, "body_too_large");
	hc_resp_free(&resp);
}

/* A body longer than max_body, sent chunked: no length up front. */
static void
oversized_chunked_body(void **state)
{
	struct hc_resp resp;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(chunked_options(10 * 8192 + 1, &resp), 413);
	fx_expect_error(&resp, resp.status, 413, "body_too_large");
	hc_resp_free(&resp);
}

/*
 * One request on a fresh socket whose sending side is then shut down, so
 * that the body ends early; the whole answer, NUL-terminated.
 */
static void
half_closed_exchange(const char *req, char *out, size_t max)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 5, 0 };
	size_t			 n = 0;
	ssize_t			 got;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(fx.port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req) ||
	    shutdown(fd, SHUT_WR) < 0)
		fail_msg("socket: %s", strerror(errno));
	while (n < max - 1 && (got = read(fd, out + n, max - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = '\0';
	close(fd);
}

/* A body that ends before its Content-Length is malformed, even when
 * what arrived happens to be valid JSON. */
static void
truncated_body(void **state)
{
	char req[512], out[4096];

	(void)state;
	snprintf(req, sizeof(req), "POST /v1/authentication/options "
	    "HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: "
	    "application/json\r\nContent-Length: 100\r\n\r\n{}", fx.port);
	half_closed_exchange(req, out, sizeof(out));
	if (strncmp(out, "HTTP/1.1 400 ", 13) != 0 ||
	    strstr(out, "\"error\":\"malformed_request\"") == NULL)
		fail_msg("a 2-byte body declared as 100 bytes: %.60s",
		    out[0] != '\0' ? out : "(no answer)");
}

static void
malformed_json(void **state)
{
	static const char *const bad[] = {
		"{", "[]", "\"x\"", "{\"username\":\"a\",\"username\":\"b\"}",
		"{\"username\":\"\\u0000x\"", "nul\0l",
	};
	struct hc_resp	 resp;
	char		 deep[128];
	size_t		 n = 0;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = fx_req(T.c, "POST", "/v1/authentication/options",
		    "application/json", NULL, NULL, bad[i], i == 5 ? 6 :
		    strlen(bad[i]), &resp);
		fx_expect_error(&resp, st, 400, "malformed_request");
	}
	/* Nested deeper than authd's cap. */
	n += (size_t)snprintf(deep, sizeof(deep), "{\"a\":");
	for (int i = 0; i < 20; i++)
		deep[n++] = '[';
	for (int i = 0; i < 20; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	st = fx_post(T.c, "/v1/authentication/options", deep, NULL, &resp);
	fx_expect_error(&resp, st, 400, "malformed_request");
	/* A username of the wrong type. */
	st = fx_post(T.c, "/v1/authentication/options", "{\"username\":7}",
	    NULL, &resp);
	fx_expect_error(&resp, st, 400, "malformed_request");
	/* Response bodies that are not PublicKeyCredential JSON. */
	st = fx_post(T.c, "/v1/authentication/verify", "{", NULL, &resp);
	fx_expect_error(&resp, st, 400, "malformed_response");
	st = fx_post(T.c, "/v1/authentication/verify", "{}", NULL, &resp);
	fx_expect_error(&resp, st, 400, "malformed_response");
	st = fx_post(T.c, "/v1/registration/verify", "{\"id\":1}", NULL,
	    &resp);
	fx_expect_error(&resp, st, 400, "malformed_response");
	hc_resp_free(&resp);
}

static void
wrong_content_type(void **state)
{
	static const char *const types[] = {
		"text/plain", "application/x-www-form-urlencoded",
		"application/jsonx", "multipart/form-data; boundary=x",
	};
	struct hc_resp	 resp;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		st = fx_req(T.c, "POST", "/v1/authentication/options",
		    types[i], NULL, NULL, "{}", 2, &resp);
		fx_expect_error(&resp, st, 415, "unsupported_media_type");
	}
	st = fx_req(T.c, "POST", "/v1/registration/verify", NULL, NULL, NULL,
	    "{}", 2, &resp);
	fx_expect_error(&resp, st, 415, "unsupported_media_type");
	/* Parameters are fine. */
	assert_int_equal(fx_req(T.c, "POST", "/v1/authentication/options",
	    "application/json; charset=utf-8", NULL, NULL, "{}", 2, &resp),
	    200);
	hc_resp_free(&resp);
}

static void
unknown_path(void **state)
{
	static const char *const paths[] = {
		"/v1/nope", "/v1/token/extra", "/v1", "/.well-known/x",
		"/healthz/", "/v1/enrollments%2f..", "/nope/deeper",
	};
	struct hc_resp	 resp;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		st = fx_req(T.c, "GET", paths[i], NULL, NULL, NULL, NULL, 0,
		    &resp);
		fx_expect_error(&resp, st, 404, "not_found");
	}
	st = fx_post(T.c, "/v1/authentication/nope", "{}", NULL, &resp);
	fx_expect_error(&resp, st, 404, "not_found");
	hc_resp_free(&resp);
}

static void
wrong_method(void **state)
{
	static const struct {
		const char	*method, *path, *allow;
	} cases[] = {
		{ "GET", "/v1/token", "POST" },
		{ "GET", "/v1/authentication/options", "POST" },
		{ "PUT", "/v1/enrollments", "POST" },
		{ "DELETE", "/healthz", "GET" },
		{ "POST", "/.well-known/jwks.json", "GET" },
		{ "POST", "/metrics", "GET" },
	};
	struct hc_resp	 resp;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fx_req(T.c, cases[i].method, cases[i].path,
		    NULL, NULL, NULL, NULL, 0, &resp), 405);
		assert_string_equal(hc_resp_header(&resp, "Allow"),
		    cases[i].allow);
		assert_non_null(hc_resp_header(&resp, "X-Request-Id"));
	}
	hc_resp_free(&resp);
}

/* Concurrency: one assertion, many connections at once. */

struct racer {
	pthread_barrier_t	*go;
	struct hc_conn		*c;
	const char		*json;
	int			 status;
	char			 error[64];
};

static void *
race(void *arg)
{
	struct racer	*r = arg;
	struct hc_resp	 resp;
	json_t		*j;
	const char	*h[2] = { "Content-Type: application/json", NULL };

	memset(&resp, 0, sizeof(resp));
	pthread_barrier_wait(r->go);
	if (hc_request(r->c, "POST", "/v1/authentication/verify", h, r->json,
	    strlen(r->json), &resp) == HC_OK) {
		r->status = resp.status;
		if ((j = fx_json(&resp)) != NULL) {
			snprintf(r->error, sizeof(r->error), "%s",
			    jstr(j, "error") != NULL ? jstr(j, "error") : "");
			json_decref(j);
		}
	}
	hc_resp_free(&resp);

	return (NULL);
}

static void
race_one(const struct fx_ceremony *ce)
{
	struct racer		 r[NTHREADS];
	pthread_t		 t[NTHREADS];
	pthread_barrier_t	 go;
	struct fx_user		 u;
	unsigned char		*chal;
	size_t			 chal_len;
	char			*json;
	int			 ok = 0, used = 0, clone = 0;

	new_user("race", "courier", WA_COSE_ES256, &u);
	assert_int_equal(fx_login_options(T.c, u.name, &chal, &chal_len,
	    NULL), 200);
	json = fx_assertion(&u, chal, chal_len, ce);
	pthread_barrier_init(&go, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].go = &go;
		r[i].json = json;
		r[i].c = fx_connect(NULL);
	}
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		hc_close(&r[i].c);
		if (r[i].status == 200)
			ok++;
		else if (r[i].status == 400 &&
		    strcmp(r[i].error, "ceremony_used") == 0)
			used++;
		else if (r[i].status == 401 &&
		    strcmp(r[i].error, "cloned_authenticator") == 0)
			clone++;
		else
			fail_msg("thread %d: %d %s", i, r[i].status,
			    r[i].error);
	}
	pthread_barrier_destroy(&go);
	print_message("%d threads: %d ok, %d ceremony_used, %d "
	    "cloned_authenticator\n", NTHREADS, ok, used, clone);
	/* The losers replayed a consumed challenge: no clone alarms. */
	assert_int_equal(ok, 1);
	assert_int_equal(used, NTHREADS - 1);
	assert_int_equal(clone, 0);
	free(json);
	free(chal);
	fx_user_free(&u);
}

static void
concurrent_same_assertion(void **state)
{
	struct fx_ceremony ce;

	(void)state;
	memset(&ce, 0, sizeof(ce));
	ce.sign_count_set = true;
	ce.sign_count = 0;
	race_one(&ce);
}

static void
concurrent_same_assertion_counter(void **state)
{
	(void)state;
	race_one(NULL);
}

static void
metrics(void **state)
{
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	/* One success and one failure of each kind counted below. */
	new_user("metrics", "courier", WA_COSE_ES256, &u);
	assert_int_equal(fx_login(T.c, &u, false, NULL, &resp), 200);
	ce.sign_count_set = true;
	ce.sign_count = 1;
	assert_int_equal(fx_login(T.c, &u, false, &ce, &resp), 401);
	fx_user_free(&u);
	assert_int_equal(fx_req(T.c, "GET", "/metrics", NULL, NULL, NULL,
	    NULL, 0, &resp), 200);
	assert_string_equal(hc_resp_header(&resp, "Content-Type"),
	    "text/plain; version=0.0.4");
	assert_non_null(strstr(resp.body,
	    "authd_requests_total{class=\"2xx\"}"));
	assert_non_null(strstr(resp.body, "authd_ceremonies_total{type="
	    "\"authentication\",outcome=\"ok\"}"));
	assert_non_null(strstr(resp.body, "authd_ceremonies_total{type="
	    "\"authentication\",outcome=\"cloned_authenticator\"}"));
	assert_non_null(strstr(resp.body, "authd_request_seconds_count"));
	hc_resp_free(&resp);
}

/* Last: nothing secret that went over the wire is in authd's log. */
static void
log_has_no_secrets(void **state)
{
	size_t leaked = 0;

	(void)state;
	assert_true(fx_file_has(fx.log, "\"event\":\"login\""));
	assert_true(T.nsecrets > 20);
	for (size_t i = 0; i < T.nsecrets; i++) {
		/* The log may hold 16-hex request ids; secrets are longer. */
		if (strlen(T.secrets[i]) < 20)
			continue;
		if (fx_file_has(fx.log, T.secrets[i])) {
			print_error("secret %zu of %zu is in the log\n", i,
			    T.nsecrets);
			leaked++;
		}
	}
	assert_int_equal(leaked, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthz),
		cmocka_unit_test(registration_options_shape),
		cmocka_unit_test(register_none_es256),
		cmocka_unit_test(register_none_eddsa),
		cmocka_unit_test(register_packed_es256),
		cmocka_unit_test(register_packed_eddsa),
		cmocka_unit_test(register_packed_x5c_untrusted),
		cmocka_unit_test(first_admin_link),
		cmocka_unit_test(login_username_first),
		cmocka_unit_test(login_discoverable),
		cmocka_unit_test(login_unknown_username_indistinguishable),
		cmocka_unit_test(token_refresh),
		cmocka_unit_test(token_refresh_forged),
		cmocka_unit_test(token_refresh_cookie),
		cmocka_unit_test(logout_ends_session),
		cmocka_unit_test(logout_unknown_session),
		cmocka_unit_test(introspect_active),
		cmocka_unit_test(introspect_garbage_token),
		cmocka_unit_test(introspect_other_audience),
		cmocka_unit_test(introspect_needs_service_key),
		cmocka_unit_test(enrollments_by_service),
		cmocka_unit_test(enrollments_by_admin),
		cmocka_unit_test(enrollments_refused),
		cmocka_unit_test(add_device_with_token),
		cmocka_unit_test(revoked_credential),
		cmocka_unit_test(authctl_token_verify),
		cmocka_unit_test(jose_verifies_token),
		cmocka_unit_test(replayed_assertion),
		cmocka_unit_test(replayed_assertion_counter),
		cmocka_unit_test(wrong_origin_login),
		cmocka_unit_test(wrong_origin_registration),
		cmocka_unit_test(uv_missing_login),
		cmocka_unit_test(uv_missing_registration),
		cmocka_unit_test(cloned_counter),
		cmocka_unit_test(unknown_credential),
		cmocka_unit_test(other_users_credential),
		cmocka_unit_test(discoverable_without_user_handle),
		cmocka_unit_test(duplicate_credential_id),
		cmocka_unit_test(enrollment_code_reused),
		cmocka_unit_test(foreign_challenge),
		cmocka_unit_test(tampered_challenge),
		cmocka_unit_test(oversized_body),
		cmocka_unit_test(oversized_chunked_body),
		cmocka_unit_test(chunked_body_sizes),
		cmocka_unit_test(truncated_body),
		cmocka_unit_test(malformed_json),
		cmocka_unit_test(wrong_content_type),
		cmocka_unit_test(unknown_path),
		cmocka_unit_test(wrong_method),
		cmocka_unit_test(concurrent_same_assertion),
		cmocka_unit_test(concurrent_same_assertion_counter),
		cmocka_unit_test(key_rotation),
		cmocka_unit_test(authctl_while_serving),
		cmocka_unit_test(metrics),
		cmocka_unit_test(log_has_no_secrets),
	};

	/* HTTPT_FILTER=pattern runs only the matching cases (cmocka 1.1.5+). */
	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (cmocka_run_group_tests_name("http_api", tests, group_setup,
	    group_teardown));
}
