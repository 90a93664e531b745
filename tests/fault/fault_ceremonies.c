/*
 * fault_ceremonies.c: authd built with fault injection (tests/fault,
 * FAULT=1) under a load of ceremonies.  Each round starts that authd on
 * a throwaway database with a seed and a rate, sets users up while the
 * faults are off, then arms them (AUTHD_FAULT_ARM) and drives
 * enrollments, registrations ("none" and "packed"), sign-ins by
 * username and discoverable, token refreshes and logouts, delivery
 * confirmations, revocations and the revocation feed, and ceremonies
 * that must fail (a bad signature, a wrong origin, a replayed
 * assertion, another user's passkey on a confirmation).  One round
 * makes SQLite's and OpenSSL's own allocations fail (AUTHD_FAULT_LIBS).
 * Every answer must be a success or a JSON error; a lost connection is
 * allowed only if authd is still running.  Then, faults off:
 *
 *   - no ceremony that must fail ever succeeded;
 *   - PRAGMA integrity_check and foreign_key_check pass, and the audit
 *     chain verifies;
 *   - every credential row is one whose registration returned 201 (or
 *     one set up before), and every such registration left its row and
 *     signs in;
 *   - every session row belongs to a sign-in that returned tokens,
 *     every used enrollment code to a registration that returned 201,
 *     and every confirmation to a request that returned 201;
 *   - every access token returned is active at introspection and names
 *     a live session row, unless its session was logged out;
 *   - a confirmation is complete exactly when its verify returned 200,
 *     and holds the receipt returned; a revocation that returned 2xx is
 *     in the feed and its credential cannot sign in;
 *   - authd stops cleanly on SIGTERM.
 *
 * A case starts authd with the faults armed from the first call: it
 * must start or exit with an error, never die of a signal but the abort
 * that rand_bytes() makes when RAND_bytes fails three times.  A last one
 * makes HMAC fail while login options answer for an unknown user: 503,
 * never a made-up credential id of uninitialised bytes.
 *
 * HTTPT_FAULT_SEED=n replays a run's seeds (printed); a round is
 * reproducible call for call only when its load is single-threaded,
 * which it is, and when its usernames are as long as they were: they
 * carry a counter over all rounds and this program's process id, and a
 * name's length decides where jansson's parser grows its buffers.
 * HTTPT_FILTER=round_7 runs one round (with shorter names than in a
 * whole run); HTTPT_FAULT_RATE=n makes every round fail one call in n
 * instead of its own rate, to hunt a rare failure with more faults.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

#define NBASE		6	/* users registered before the faults */
#define NCODES		14	/* enrollment codes for registrations */
#define NOPS		110	/* operations per round */
#define MAX_TOKENS	256
#define MAX_CREDS	64
#define MAX_SIDS	128
#define MAX_CONFS	32
#define CUSTOMER	(NBASE - 1)	/* the base user who is a customer */
#define SID_LEN		16	/* a session id, as STORE_SID_LEN */

/*
 * A round: one in rate wrapped calls fails, among those named by only;
 * with libs, the libraries' own allocations too (AUTHD_FAULT_LIBS).
 */
struct plan {
	unsigned int	 rate;
	const char	*only;
	bool		 libs;
};

static const struct plan plans[] = {
	{ 25, "sqlite3_", false },
	{ 300, NULL, false },
	{ 1500, NULL, false },
	{ 1000, NULL, false },
	{ 60, "sqlite3_step,sqlite3_prepare", false },
	{ 400, "malloc,calloc,realloc,strdup,json_", false },
	{ 150, "EVP_,X509,fido_,es256_,eddsa_,cbor_,OSSL_,BN_,ECDSA_,SHA",
	    false },
	/*
	 * Not jansson's own allocations: its parser overflows the heap when
	 * one fails (see docs/security.md), so the round would test
	 * jansson, and fail at random, not authd.
	 */
	{ 2000, "lib_sqlite3,lib_openssl", true },
};
#define NPLANS	(sizeof(plans) / sizeof(plans[0]))

struct user {
	char		 name[64];
	unsigned char	 handle[64];
	size_t		 handle_len;
	struct sa_cred	*cred;
	uint32_t	 count;
	bool		 ok;		/* registered (201) */
	int		 revoked;	/* 0, 1 revoked (2xx), -1 maybe */
};

/* A delivery confirmation created under faults. */
struct conf {
	char		 id[64];
	char		*receipt;	/* what a 200 of verify returned */
};

struct token {
	char		*access;
	char		*refresh;	/* NULL for a refresh's answer */
	size_t		 session;	/* index in R.sids */
};

static struct {
	unsigned int	 seed;
	char		 arm[600];
	char		 dbarg[600], listen[64], origins[96], issuer[96];
	const char	*args[8];
	char		 origin[64];
	char		 db[512];
	struct fx_authd	 a;
	struct hc_conn	*c;
	unsigned int	 rng;

	char		*admin_token;
	char		*service_key;
	struct user	 base[NBASE];
	struct user	 regs[MAX_CREDS];
	size_t		 nregs;
	char		*codes[NCODES];
	size_t		 ncodes, codes_used;
	size_t		 code_regs_ok;	/* registrations with a code: 201 */

	/* Sessions that a sign-in answered with tokens. */
	unsigned char	 sids[MAX_SIDS][SID_LEN];
	bool		 ended[MAX_SIDS];	/* logged out, or maybe */
	size_t		 nsids;
	struct token	 tokens[MAX_TOKENS];
	size_t		 ntokens;
	char		*replay;	/* an assertion that returned 200 */
	struct conf	 confs[MAX_CONFS];
	size_t		 nconfs;

	unsigned int	 st_ok, st_4xx, st_5xx, st_lost, negatives;
} R;

/* authd must still run: a lost answer is fine, a crash is not. */
static void
alive(const char *what)
{
	int	st;

	if (R.a.pid > 0 && waitpid(R.a.pid, &st, WNOHANG) == R.a.pid) {
		R.a.pid = 0;
		if (WIFSIGNALED(st))
			fail_msg("authd died of signal %d during %s (seed %u; "
			    "log %s)", WTERMSIG(st), what, R.seed, R.a.log);
		fail_msg("authd exited with %d during %s (log %s)",
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1, what, R.a.log);
	}
}

/* authd never names a member "": one means a key lost in the dump. */
static bool
empty_key(json_t *j)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			if (*k == '\0' || empty_key(v))
				return (true);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (empty_key(v))
				return (true);
	}

	return (false);
}

static struct hc_conn *
conn(void)
{
	struct hc_opts	o;

	if (R.c == NULL) {
		memset(&o, 0, sizeof(o));
		o.host = "127.0.0.1";
		o.port = R.a.port;
		o.timeout_ms = 10000;
		if (hc_connect(&o, &R.c, NULL, 0) != HC_OK) {
			alive("connect");
			fail_msg("connect to authd on port %s", R.a.port);
		}
	}

	return (R.c);
}

/*
 * One request.  Returns the status, 0 if the answer was lost.  Every
 * answer must be a success or an error as JSON {"error": "..."}.
 */
static int
req_ct(const char *method, const char *path, const char *bearer,
    const char *ctype, const char *json, struct hc_resp *resp)
{
	const char	*h[3];
	char		 auth[9000], ct[96];
	size_t		 n = 0;
	json_t		*j = NULL;
	int		 st;

	if (json != NULL) {
		fx_arg(ct, sizeof(ct), "Content-Type: %s", ctype);
		h[n++] = ct;
	}
	if (bearer != NULL) {
		fx_arg(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		h[n++] = auth;
	}
	h[n] = NULL;
	hc_resp_free(resp);
	if (hc_request(conn(), method, path, h, json, json != NULL ?
	    strlen(json) : 0, resp) != HC_OK) {
		hc_close(&R.c);
		alive(path);
		R.st_lost++;
		return (0);
	}
	st = resp->status;
	if (st >= 400) {
		R.st_4xx += st < 500;
		R.st_5xx += st >= 500;
		if ((j = fx_json(resp)) == NULL || empty_key(j) ||
		    json_string_value(json_object_get(j, "error")) == NULL)
			fail_msg("%s %s: %d without a JSON error: %s", method,
			    path, st, resp->body != NULL ? resp->body : "");
		json_decref(j);
	} else if (st >= 200 && st < 300) {
		R.st_ok++;
		if (st != 204 && ((j = fx_json(resp)) == NULL ||
		    empty_key(j)))
			fail_msg("%s %s: %d with a body that is not authd's "
			    "JSON: %s", method, path, st, resp->body);
		else if (st != 204)
			json_decref(j);
	} else
		fail_msg("%s %s: status %d", method, path, st);

	return (st);
}

static int
req(const char *method, const char *path, const char *bearer,
    const char *json, struct hc_resp *resp)
{
	return (req_ct(method, path, bearer, "application/json", json,
	    resp));
}

static unsigned int
rnd(unsigned int n)
{
	return ((unsigned int)rand_r(&R.rng) % n);
}

static void
params(struct sa_params *p, const unsigned char *chal, size_t len,
    const char *origin)
{
	memset(p, 0, sizeof(*p));
	p->rp_id = "localhost";
	p->origin = origin != NULL ? origin : R.origin;
	p->challenge = chal;
	p->challenge_len = len;
	p->flags = FX_UP_UV;
}

/* A registration of u with code (fmt, origin NULL: the right one). */
static int
do_register(struct user *u, const char *code, const char *fmt,
    const char *origin)
{
	struct sa_params	 p;
	struct hc_resp		 resp;
	json_t			*o;
	unsigned char		*chal = NULL, *h = NULL;
	size_t			 chal_len, hl;
	char			*body, *json = NULL;
	int			 st;

	memset(&resp, 0, sizeof(resp));
	if ((o = json_pack("{s:s, s:s}", "code", code, "label", "fault")) ==
	    NULL || (body = json_dumps(o, JSON_COMPACT)) == NULL)
		fail_msg("json_pack");
	json_decref(o);
	st = req("POST", "/v1/registration/options", NULL, body, &resp);
	free(body);
	if (st != 200)
		goto out;
	if (sa_json_get_b64(resp.body, "challenge", &chal, &chal_len) != 0 ||
	    sa_json_get_b64(resp.body, "user.id", &h, &hl) != 0 ||
	    hl > sizeof(u->handle))
		fail_msg("registration options: %s", resp.body);
	memcpy(u->handle, h, hl);
	u->handle_len = hl;
	params(&p, chal, chal_len, origin);
	p.fmt = fmt;
	if ((json = sa_make_registration(u->cred, &p)) == NULL)
		fail_msg("sa_make_registration");
	st = req("POST", "/v1/registration/verify", NULL, json, &resp);
	if (st == 201) {
		u->ok = true;
		u->count = 1;
	}
out:
	free(chal);
	free(h);
	free(json);
	hc_resp_free(&resp);

	return (st);
}

static void
keep_token(const char *access, const char *refresh, size_t session)
{
	struct token *t;

	if (R.ntokens == MAX_TOKENS)
		return;
	t = &R.tokens[R.ntokens++];
	if ((t->access = strdup(access)) == NULL ||
	    (refresh != NULL && (t->refresh = strdup(refresh)) == NULL))
		fail_msg("strdup");
	t->session = session;
}

/* An access token's claims: every one a service relies on is there. */
static json_t *
claims_of(const char *access)
{
	json_t *pl;

	if ((pl = fx_jwt_part(access, 1)) == NULL || empty_key(pl) ||
	    !json_is_integer(json_object_get(pl, "exp")) ||
	    json_string_value(json_object_get(pl, "aud")) == NULL ||
	    json_string_value(json_object_get(pl, "cid")) == NULL ||
	    json_string_value(json_object_get(pl, "sid")) == NULL)
		fail_msg("a token without its claims: %s", access);

	return (pl);
}

/* The session a token names (its "sid"), added to R.sids. */
static size_t
keep_session(const char *access)
{
	json_t		*pl = NULL;
	unsigned char	 sid[SID_LEN + 3];
	size_t		 len;
	const char	*s = NULL;

	pl = claims_of(access);
	if ((s = json_string_value(json_object_get(pl, "sid"))) == NULL ||
	    wa_b64url_decode(s, strlen(s), sid, sizeof(sid), &len) !=
	    WA_OK || len != SID_LEN)
		fail_msg("a token without a session id: %s", access);
	json_decref(pl);
	if (R.nsids == MAX_SIDS)
		fail_msg("too many sessions");
	memcpy(R.sids[R.nsids], sid, SID_LEN);

	return (R.nsids++);
}

/*
 * A sign-in by u (by username, or discoverable); with origin or a bad
 * signature it must fail.  Keeps the tokens of a success.
 */
static int
do_login(struct user *u, bool discoverable, const char *origin,
    bool bad_sig, bool keep_replay)
{
	struct sa_params	 p;
	struct hc_resp		 resp;
	unsigned char		*chal = NULL;
	size_t			 chal_len;
	char			 body[128], *json = NULL;
	json_t			*j = NULL;
	const char		*at = NULL, *rt = NULL;
	int			 st;

	memset(&resp, 0, sizeof(resp));
	if (discoverable)
		fx_arg(body, sizeof(body), "{}");
	else
		fx_arg(body, sizeof(body), "{\"username\":\"%s\"}", u->name);
	if ((st = req("POST", "/v1/authentication/options", NULL, body,
	    &resp)) != 200)
		goto out;
	if (sa_json_get_b64(resp.body, "challenge", &chal, &chal_len) != 0)
		fail_msg("authentication options: %s", resp.body);
	params(&p, chal, chal_len, origin);
	p.sign_count = u->count;
	p.user_handle = u->handle;
	p.user_handle_len = u->handle_len;
	if (bad_sig) {
		char *s;

		/* One character of the signature's base64url changed. */
		if ((json = sa_make_assertion(u->cred, &p)) == NULL ||
		    (s = strstr(json, "\"signature\":\"")) == NULL)
			fail_msg("sa_make_assertion");
		s += 13 + 10;
		*s = *s == 'A' ? 'B' : 'A';
	} else if ((json = sa_make_assertion(u->cred, &p)) == NULL)
		fail_msg("sa_make_assertion");
	st = req("POST", "/v1/authentication/verify", NULL, json, &resp);
	if (st == 200) {
		u->count++;
		if ((j = fx_json(&resp)) == NULL ||
		    (at = json_string_value(json_object_get(j,
		    "access_token"))) == NULL ||
		    (rt = json_string_value(json_object_get(j,
		    "refresh_token"))) == NULL)
			fail_msg("sign-in 200 without tokens: %s", resp.body);
		keep_token(at, rt, keep_session(at));
		if (keep_replay) {
			free(R.replay);
			R.replay = json;
			json = NULL;
		}
	}
out:
	json_decref(j);
	free(chal);
	free(json);
	hc_resp_free(&resp);

	return (st);
}

static void
negative(int st, const char *what)
{
	R.negatives++;
	if (st >= 200 && st < 300)
		fail_msg("%s succeeded (%d) under faults (seed %u)", what, st,
		    R.seed);
}

static char *
enroll_http(void)
{
	struct hc_resp	 resp;
	char		 body[160], name[64];
	const char	*code = NULL;
	json_t		*j = NULL;
	char		*r = NULL;

	memset(&resp, 0, sizeof(resp));
	fx_username("fenr", name, sizeof(name));
	fx_arg(body, sizeof(body), "{\"username\":\"%s\",\"role\":\"courier\"}",
	    name);
	if (req("POST", "/v1/enrollments", R.admin_token, body, &resp) ==
	    201) {
		if ((j = fx_json(&resp)) == NULL ||
		    (code = json_string_value(json_object_get(j, "code"))) ==
		    NULL || (r = strdup(code)) == NULL)
			fail_msg("enrollment 201 without a code: %s",
			    resp.body);
		json_decref(j);
	}
	hc_resp_free(&resp);

	return (r);
}

static struct user *
new_reg(void)
{
	struct user *u;

	if (R.nregs == MAX_CREDS)
		return (NULL);
	u = &R.regs[R.nregs++];
	memset(u, 0, sizeof(*u));
	fx_username("freg", u->name, sizeof(u->name));
	if ((u->cred = sa_cred_new(R.nregs % 2 ? WA_COSE_ES256 :
	    WA_COSE_EDDSA)) == NULL)
		fail_msg("sa_cred_new");

	return (u);
}

/*
 * A confirmation of a delivery to the customer; with wrong, another
 * user's passkey signs and it must fail.
 */
static void
do_confirm(bool wrong)
{
	struct sa_params	 p;
	struct hc_resp		 resp;
	struct conf		*cf;
	struct user		*u = &R.base[wrong ? 1 : CUSTOMER];
	unsigned char		*chal = NULL;
	size_t			 chal_len;
	char			 path[160], body[320], *json = NULL;
	json_t			*j = NULL;
	const char		*v = NULL;
	int			 st;

	memset(&resp, 0, sizeof(resp));
	if (R.nconfs == MAX_CONFS)
		return;
	fx_arg(path, sizeof(path), "/v1/deliveries/ship%zu/confirmations",
	    R.nconfs);
	fx_arg(body, sizeof(body), "{\"customer\":\"%s\",\"recipient\":\"J. "
	    "Doe\",\"address\":\"12 Quay St\",\"courier\":\"c-17\","
	    "\"delivered_at\":\"2026-11-29T14:05:00Z\"}",
	    R.base[CUSTOMER].name);
	if (req("POST", path, R.service_key, body, &resp) != 201)
		goto out;
	if ((j = fx_json(&resp)) == NULL || (v = json_string_value(
	    json_object_get(j, "confirmation_id"))) == NULL ||
	    strlen(v) >= sizeof(cf->id))
		fail_msg("confirmation 201: %s", resp.body);
	cf = &R.confs[R.nconfs++];
	fx_arg(cf->id, sizeof(cf->id), "%s", v);
	fx_arg(path, sizeof(path), "/v1/confirmations/%s/options", cf->id);
	if (req("POST", path, NULL, NULL, &resp) != 200)
		goto out;
	if (sa_json_get_b64(resp.body, "publicKey.challenge", &chal,
	    &chal_len) != 0)
		fail_msg("confirmation options: %s", resp.body);
	params(&p, chal, chal_len, NULL);
	p.sign_count = u->count;
	p.user_handle = u->handle;
	p.user_handle_len = u->handle_len;
	if ((json = sa_make_assertion(u->cred, &p)) == NULL)
		fail_msg("sa_make_assertion");
	fx_arg(path, sizeof(path), "/v1/confirmations/%s/verify", cf->id);
	st = req("POST", path, NULL, json, &resp);
	if (wrong) {
		negative(st, "a confirmation by another user's passkey");
		goto out;
	}
	if (st == 200) {
		u->count++;
		json_decref(j);
		if ((j = fx_json(&resp)) == NULL || (v = json_string_value(
		    json_object_get(j, "receipt"))) == NULL ||
		    (cf->receipt = strdup(v)) == NULL)
			fail_msg("confirmation 200 without a receipt: %s",
			    resp.body);
	}
out:
	json_decref(j);
	free(chal);
	free(json);
	hc_resp_free(&resp);
}

/* An admin revokes a credential registered under faults. */
static void
do_revoke(void)
{
	struct hc_resp	 resp;
	struct user	*u = NULL;
	char		 path[256], *id;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < R.nregs && u == NULL; i++)
		if (R.regs[i].ok && R.regs[i].revoked == 0)
			u = &R.regs[i];
	if (u == NULL)
		return;
	if ((id = sa_b64url(sa_cred_id_ptr(u->cred),
	    sa_cred_id_len(u->cred))) == NULL)
		fail_msg("sa_b64url");
	fx_arg(path, sizeof(path), "/v1/admin/credentials/%s", id);
	free(id);
	st = req("DELETE", path, R.admin_token, "{\"reason\":\"lost\"}",
	    &resp);
	u->revoked = st >= 200 && st < 300 ? 1 : -1;
	hc_resp_free(&resp);
}

static void
one_op(unsigned int i)
{
	struct hc_resp	 resp;
	struct user	*u;
	struct token	*t;
	char		 body[256], *code;
	json_t		*j = NULL;
	const char	*at = NULL;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	switch (i % 13) {
	case 0:		/* an enrollment, then its registration */
		if ((code = enroll_http()) == NULL || (u = new_reg()) ==
		    NULL) {
			free(code);
			break;
		}
		if (do_register(u, code, "packed", NULL) == 201)
			R.code_regs_ok++;
		free(code);
		break;
	case 1:		/* a registration with a code made beforehand */
		if (R.codes_used == R.ncodes || (u = new_reg()) == NULL)
			break;
		code = R.codes[R.codes_used++];
		if (do_register(u, code, i % 4 == 1 ? "none" : "packed",
		    NULL) == 201)
			R.code_regs_ok++;
		else if (rnd(2) == 0) {
			/* Again with the same code: fine if unused. */
			if (do_register(u, code, "none", NULL) == 201)
				R.code_regs_ok++;
		}
		break;
	case 2:
	case 3:
		(void)do_login(&R.base[rnd(NBASE)], false, NULL, false,
		    R.replay == NULL || rnd(3) == 0);
		break;
	case 4:
		(void)do_login(&R.base[rnd(NBASE)], true, NULL, false, false);
		break;
	case 5:
	case 6:		/* a refresh */
		if (R.ntokens == 0)
			break;
		t = &R.tokens[rnd((unsigned int)R.ntokens)];
		if (t->refresh == NULL || R.ended[t->session])
			break;
		fx_arg(body, sizeof(body), "{\"refresh_token\":\"%s\"}",
		    t->refresh);
		st = req("POST", "/v1/token", NULL, body, &resp);
		if (st == 200) {
			if ((j = fx_json(&resp)) == NULL ||
			    (at = json_string_value(json_object_get(j,
			    "access_token"))) == NULL)
				fail_msg("refresh 200 without a token: %s",
				    resp.body);
			json_decref(claims_of(at));
			keep_token(at, NULL, t->session);
			json_decref(j);
		}
		break;
	case 7:		/* a logout */
		if (R.ntokens == 0)
			break;
		t = &R.tokens[rnd((unsigned int)R.ntokens)];
		if (t->refresh == NULL || R.ended[t->session] || rnd(3) != 0)
			break;
		fx_arg(body, sizeof(body), "{\"refresh_token\":\"%s\"}",
		    t->refresh);
		/* Whatever the answer, it may have ended. */
		R.ended[t->session] = true;
		(void)req("POST", "/v1/logout", NULL, body, &resp);
		break;
	case 8:		/* must fail: a bad signature, a wrong origin */
		u = &R.base[rnd(NBASE)];
		negative(do_login(u, rnd(2), NULL, true, false),
		    "a sign-in with a bad signature");
		negative(do_login(u, false, "http://localhost:1", false,
		    false), "a sign-in from another origin");
		if (R.codes_used < R.ncodes && (u = new_reg()) != NULL)
			negative(do_register(u, R.codes[R.codes_used++],
			    "none", "http://evil.localhost"),
			    "a registration from another origin");
		break;
	case 9:		/* must fail: a replayed assertion */
		if (R.replay == NULL)
			break;
		negative(req("POST", "/v1/authentication/verify", NULL,
		    R.replay, &resp), "a replayed assertion");
		break;
	case 10:
	case 11:	/* a delivery confirmation */
		do_confirm(i % 3 == 0);
		break;
	case 12:	/* a revocation (every other time), and the feed */
		if (i / 13 % 2 == 0)
			do_revoke();
		(void)req("GET", "/v1/revocations?since=0", R.service_key, NULL,
		    &resp);
		break;
	}
	hc_resp_free(&resp);
}

/* The first admin's code, from the link authd prints (buf: FX_MAX_OUT). */
static void
first_admin_code(char *buf, char *code, size_t len)
{
	FILE		*f;
	const char	*p;
	size_t		 n;

	for (int i = 0; i < 100 && !fx_file_has(R.a.out, "enroll?code="); i++)
		fx_sleep_ms(20);
	if ((f = fopen(R.a.out, "r")) == NULL)
		fail_msg("%s", R.a.out);
	n = fread(buf, 1, FX_MAX_OUT - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strstr(buf, "enroll?code=")) == NULL)
		fail_msg("no first-admin link in %s", R.a.out);
	p += 12;
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_");
	if (n >= len)
		fail_msg("first-admin code");
	memcpy(code, p, n);
	code[n] = '\0';
}

/* The plan's rate, or HTTPT_FAULT_RATE's if it is set. */
static unsigned int
rate_of(const struct plan *pl)
{
	const char	*s = getenv("HTTPT_FAULT_RATE");
	unsigned long	 n;

	if (s == NULL || *s == '\0' || (n = strtoul(s, NULL, 10)) == 0 ||
	    n > UINT_MAX)
		return (pl->rate);

	return ((unsigned int)n);
}

/* Sets a round up, faults off: an admin, NBASE users, codes, a key. */
static void
round_setup(unsigned int k, const struct plan *pl)
{
	char		 name[32], *out, *err, rate[16], seed[16], code[128];
	const char	*p;
	size_t		 n;
	int		 st;

	memset(&R.a, 0, sizeof(R.a));
	fx_free_port(R.a.port, sizeof(R.a.port));
	fx_arg(R.origin, sizeof(R.origin), "http://localhost:%s", R.a.port);
	fx_arg(R.listen, sizeof(R.listen), "--listen=127.0.0.1:%s", R.a.port);
	fx_arg(R.origins, sizeof(R.origins), "--origins=%s", R.origin);
	fx_arg(R.issuer, sizeof(R.issuer), "--issuer=%s", R.origin);
	fx_arg(R.db, sizeof(R.db), "%s/fault%u.db", fx.tmp, k);
	fx_arg(R.dbarg, sizeof(R.dbarg), "--database=%s", R.db);
	fx_arg(R.arm, sizeof(R.arm), "%s/fault%u.arm", fx.tmp, k);
	R.args[0] = R.listen;
	R.args[1] = R.origins;
	R.args[2] = R.issuer;
	R.args[3] = R.dbarg;
	R.args[4] = "--rate_limit_ip=0";
	R.args[5] = "--rate_limit_account=0";
	R.args[6] = NULL;
	fx_arg(rate, sizeof(rate), "%u", rate_of(pl));
	fx_arg(seed, sizeof(seed), "%u", R.seed + k);
	setenv("AUTHD_FAULT_RATE", rate, 1);
	setenv("AUTHD_FAULT_SEED", seed, 1);
	setenv("AUTHD_FAULT_ARM", R.arm, 1);
	if (pl->only != NULL)
		setenv("AUTHD_FAULT_ONLY", pl->only, 1);
	else
		unsetenv("AUTHD_FAULT_ONLY");
	if (pl->libs)
		setenv("AUTHD_FAULT_LIBS", "1", 1);
	else
		unsetenv("AUTHD_FAULT_LIBS");
	unlink(R.arm);
	fx_arg(name, sizeof(name), "fault%u", k);
	if (fx_authd_start(&R.a, name, R.args) != 0)
		fail_msg("round %u: authd did not start (log %s)", k,
		    R.a.log);
	R.rng = R.seed + k;

	if ((out = malloc(FX_MAX_OUT)) == NULL ||
	    (err = malloc(FX_MAX_OUT)) == NULL)
		fail_msg("out of memory");
	first_admin_code(out, code, sizeof(code));
	memset(&R.base[0], 0, sizeof(R.base[0]));
	fx_arg(R.base[0].name, sizeof(R.base[0].name), "admin");
	if ((R.base[0].cred = sa_cred_new(WA_COSE_ES256)) == NULL)
		fail_msg("sa_cred_new");
	if ((st = do_register(&R.base[0], code, "none", NULL)) != 201)
		fail_msg("first admin: %d", st);
	for (size_t i = 1; i < NBASE; i++) {
		struct user	*u = &R.base[i];
		char		*c;

		memset(u, 0, sizeof(*u));
		fx_username("fbase", u->name, sizeof(u->name));
		c = fx_enroll(R.db, u->name, i == CUSTOMER ? "customer" :
		    "courier");
		if ((u->cred = sa_cred_new(i % 2 ? WA_COSE_EDDSA :
		    WA_COSE_ES256)) == NULL)
			fail_msg("sa_cred_new");
		if ((st = do_register(u, c, i % 3 ? "none" : "packed",
		    NULL)) != 201)
			fail_msg("%s: registration %d", u->name, st);
		free(c);
	}
	if ((st = do_login(&R.base[0], false, NULL, false, false)) != 200)
		fail_msg("admin sign-in: %d", st);
	if ((R.admin_token = strdup(R.tokens[R.ntokens - 1].access)) == NULL)
		fail_msg("strdup");
	for (size_t i = 0; i < NCODES; i++) {
		char u[64];

		fx_username("fcode", u, sizeof(u));
		R.codes[i] = fx_enroll(R.db, u, i % 2 ? "courier" :
		    "customer");
	}
	R.ncodes = NCODES;
	fx_arg(name, sizeof(name), "fsvc%u", k);
	if ((st = fx_authctl(R.db, out, err, "service", "add", name,
	    "authd-services", NULL)) != 0 || (p = strstr(out,
	    "\"api_key\":\"")) == NULL)
		fail_msg("authctl service add: %d %s%s", st, out, err);
	p += 11;
	n = strcspn(p, "\"");
	if ((R.service_key = strndup(p, n)) == NULL)
		fail_msg("strndup");
	free(out);
	free(err);
}

static void
round_free(void)
{
	hc_close(&R.c);
	free(R.admin_token);
	free(R.service_key);
	free(R.replay);
	for (size_t i = 0; i < NBASE; i++)
		sa_cred_free(&R.base[i].cred);
	for (size_t i = 0; i < R.nregs; i++)
		sa_cred_free(&R.regs[i].cred);
	for (size_t i = 0; i < R.ncodes; i++)
		free(R.codes[i]);
	for (size_t i = 0; i < R.ntokens; i++) {
		free(R.tokens[i].access);
		free(R.tokens[i].refresh);
	}
	for (size_t i = 0; i < R.nconfs; i++)
		free(R.confs[i].receipt);
	memset(&R.admin_token, 0, sizeof(R) - offsetof(__typeof__(R),
	    admin_token));
}

static sqlite3_stmt *
q(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));

	return (s);
}

static bool
cred_expected(const void *id, int len)
{
	for (size_t i = 0; i < NBASE; i++)
		if (R.base[i].ok && (size_t)len ==
		    sa_cred_id_len(R.base[i].cred) && memcmp(id,
		    sa_cred_id_ptr(R.base[i].cred), (size_t)len) == 0)
			return (true);
	for (size_t i = 0; i < R.nregs; i++)
		if (R.regs[i].ok && (size_t)len ==
		    sa_cred_id_len(R.regs[i].cred) && memcmp(id,
		    sa_cred_id_ptr(R.regs[i].cred), (size_t)len) == 0)
			return (true);

	return (false);
}

/* The database, faults off, with authd still running. */
static void
check_database(void)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s;
	const char	*v;
	size_t		 nc = 0, want = 0, used = 0;
	char		 out[4096], err[4096];
	int		 st;

	if (sqlite3_open_v2(R.db, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", R.db);
	sqlite3_busy_timeout(db, 5000);
	s = q(db, "PRAGMA integrity_check");
	if (sqlite3_step(s) != SQLITE_ROW || (v = (const char *)
	    sqlite3_column_text(s, 0)) == NULL || strcmp(v, "ok") != 0)
		fail_msg("integrity_check: %s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	s = q(db, "PRAGMA foreign_key_check");
	if (sqlite3_step(s) == SQLITE_ROW)
		fail_msg("foreign_key_check: %s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);

	/* Credentials: exactly those that returned 201. */
	s = q(db, "SELECT cred_id FROM credentials");
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (!cred_expected(sqlite3_column_blob(s, 0),
		    sqlite3_column_bytes(s, 0)))
			fail_msg("a stored credential whose registration did "
			    "not return 201 (seed %u)", R.seed);
		nc++;
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < NBASE; i++)
		want += R.base[i].ok;
	for (size_t i = 0; i < R.nregs; i++)
		want += R.regs[i].ok;
	if (nc != want)
		fail_msg("%zu credentials stored, %zu registrations returned "
		    "201", nc, want);

	/* Sessions: each from a sign-in that returned tokens. */
	s = q(db, "SELECT id FROM sessions");
	while (sqlite3_step(s) == SQLITE_ROW) {
		bool found = false;

		for (size_t i = 0; i < R.nsids && !found; i++)
			found = sqlite3_column_bytes(s, 0) == SID_LEN &&
			    memcmp(sqlite3_column_blob(s, 0), R.sids[i],
			    SID_LEN) == 0;
		if (!found)
			fail_msg("a session row from a sign-in that returned "
			    "no token (seed %u)", R.seed);
	}
	sqlite3_finalize(s);

	/* Used codes: the setup's and the registrations' that got 201. */
	s = q(db, "SELECT count(*) FROM enrollments WHERE used_at != 0");
	if (sqlite3_step(s) == SQLITE_ROW)
		used = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (used != NBASE + R.code_regs_ok)
		fail_msg("%zu enrollment codes used, %zu registrations with "
		    "a code returned 201", used, NBASE + R.code_regs_ok);

	/* Confirmations: each one's creation returned 201. */
	s = q(db, "SELECT count(*) FROM confirmations");
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (size_t)sqlite3_column_int64(s, 0) != R.nconfs)
		fail_msg("%lld confirmations stored, %zu returned 201",
		    (long long)sqlite3_column_int64(s, 0), R.nconfs);
	sqlite3_finalize(s);
	sqlite3_close(db);

	if ((st = fx_authctl(R.db, out, err, "audit", "verify", NULL)) != 0)
		fail_msg("authctl audit verify: %d %s%s", st, out, err);
}

/* Tokens, faults off: active unless their session was logged out. */
static void
check_tokens(void)
{
	struct hc_resp	 resp;
	json_t		*j = NULL;
	char		*body;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < R.ntokens; i++) {
		struct token *t = &R.tokens[i];

		if (R.ended[t->session])
			continue;
		if ((body = malloc(strlen(t->access) + 7)) == NULL)
			fail_msg("out of memory");
		fx_arg(body, strlen(t->access) + 7, "token=%s", t->access);
		st = req_ct("POST", "/v1/introspect", R.service_key,
		    "application/x-www-form-urlencoded", body, &resp);
		free(body);
		if (st != 200 || (j = fx_json(&resp)) == NULL)
			fail_msg("introspect: %d %s", st, resp.body);
		if (!json_is_true(json_object_get(j, "active")))
			fail_msg("a token returned under faults is not "
			    "active: %s", resp.body);
		json_decref(j);
	}
	hc_resp_free(&resp);
}

/*
 * Confirmations: complete exactly when verify returned 200, with that
 * receipt.  Revocations: a 2xx one is in the feed and its credential
 * cannot sign in.
 */
static void
check_confirmations(void)
{
	struct hc_resp	 resp;
	char		 path[160];
	const char	*status = NULL, *rc;
	json_t		*j = NULL, *arr;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < R.nconfs; i++) {
		struct conf *cf = &R.confs[i];

		fx_arg(path, sizeof(path), "/v1/confirmations/%s", cf->id);
		if ((st = req("GET", path, R.service_key, NULL, &resp)) !=
		    200 || (j = fx_json(&resp)) == NULL ||
		    (status = json_string_value(json_object_get(j,
		    "status"))) == NULL)
			fail_msg("GET %s: %d %s", path, st, resp.body);
		rc = json_string_value(json_object_get(j, "receipt"));
		if ((strcmp(status, "confirmed") == 0) != (cf->receipt !=
		    NULL))
			fail_msg("confirmation %s is %s, but verify %s", cf->id,
			    status, cf->receipt != NULL ? "returned 200" :
			    "did not return 200");
		if (cf->receipt != NULL && (rc == NULL ||
		    strcmp(rc, cf->receipt) != 0))
			fail_msg("confirmation %s: the stored receipt is not "
			    "the one returned", cf->id);
		json_decref(j);
		j = NULL;
	}
	if ((st = req("GET", "/v1/revocations?since=0", R.service_key, NULL,
	    &resp)) != 200 || (j = fx_json(&resp)) == NULL ||
	    (arr = json_object_get(j, "revocations")) == NULL)
		fail_msg("revocations: %d %s", st, resp.body);
	for (size_t i = 0; i < R.nregs; i++) {
		struct user	*u = &R.regs[i];
		unsigned char	 h[32];
		char		*cid;
		bool		 found = false;
		size_t		 k;
		json_t		*e;

		if (u->revoked != 1)
			continue;
		SHA256(sa_cred_id_ptr(u->cred), sa_cred_id_len(u->cred), h);
		if ((cid = sa_b64url(h, 16)) == NULL)
			fail_msg("sa_b64url");
		json_array_foreach(arr, k, e)
			if (json_string_value(json_object_get(e, "cid")) !=
			    NULL && strcmp(json_string_value(
			    json_object_get(e, "cid")), cid) == 0)
				found = true;
		free(cid);
		if (!found)
			fail_msg("%s: revoked (2xx) but not in the feed",
			    u->name);
		if ((st = do_login(u, true, NULL, false, false)) == 200)
			fail_msg("%s: revoked (2xx) but signs in", u->name);
	}
	json_decref(j);
	hc_resp_free(&resp);
}

/* The fault build's last word at exit: failures and calls. */
static void
tally_of(char *buf, size_t len)
{
	FILE	*f;
	char	 line[512];

	if ((f = fopen(R.a.log, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "fault: ", 7) == 0 &&
		    strstr(line, " calls") != NULL)
			fx_arg(buf, len, "%.*s", (int)strcspn(line + 7, "\n"),
			    line + 7);
	fclose(f);
}

static void
round_run(unsigned int k)
{
	const struct plan	*pl = &plans[k];
	FILE			*f;
	unsigned int		 regs = 0, loss, nconf = 0, nrev = 0;
	char			 tally[128] = "";
	int			 st;

	/* What a failed round before this one left. */
	if (R.a.pid > 0)
		(void)fx_authd_stop(&R.a, SIGKILL);
	round_free();
	round_setup(k, pl);
	if ((f = fopen(R.arm, "w")) == NULL)
		fail_msg("%s", R.arm);
	fclose(f);
	fx_sleep_ms(10);
	for (unsigned int i = 0; i < NOPS; i++)
		one_op(i);
	unlink(R.arm);
	fx_sleep_ms(10);
	alive("the load");
	loss = R.st_lost;
	for (size_t i = 0; i < R.nconfs; i++)
		nconf += R.confs[i].receipt != NULL;
	for (size_t i = 0; i < R.nregs; i++)
		nrev += R.regs[i].revoked == 1;

	check_database();
	check_tokens();
	check_confirmations();
	/* Every registration that returned 201 signs in (discoverable:
	 * R.regs[i].name is not the enrolled username). */
	for (size_t i = 0; i < R.nregs; i++) {
		if (!R.regs[i].ok || R.regs[i].revoked != 0)
			continue;
		regs++;
		if ((st = do_login(&R.regs[i], true, NULL, false, false)) !=
		    200)
			fail_msg("%s registered under faults cannot sign in: "
			    "%d", R.regs[i].name, st);
	}
	if ((st = fx_authd_stop(&R.a, SIGTERM)) != 0)
		fail_msg("authd exited with %d after SIGTERM (log %s)", st,
		    R.a.log);
	tally_of(tally, sizeof(tally));
	print_message("fault: round %u (1 in %u%s%s, seed %u): %u ok, "
	    "%u 4xx, %u 5xx, %u lost; %u registered, %u revoked, %zu "
	    "tokens, %u of %zu deliveries confirmed, %u must-fail refused; "
	    "%s\n", k, rate_of(pl), pl->only != NULL ? " of " : "",
	    pl->only != NULL ? pl->only : "", R.seed + k, R.st_ok, R.st_4xx,
	    R.st_5xx, loss, regs, nrev, R.ntokens, nconf, R.nconfs,
	    R.negatives, tally);
	round_free();
}

#define ROUND(k)							\
static void								\
round_##k(void **state)							\
{									\
	(void)state;							\
	round_run(k);							\
}
ROUND(0)
ROUND(1)
ROUND(2)
ROUND(3)
ROUND(4)
ROUND(5)
ROUND(6)
ROUND(7)
_Static_assert(NPLANS == 8, "one case per plan");

/* Faults from the first call: start, or exit with an error. */
static void
startup_under_faults(void **state)
{
	static const unsigned int rates[] = { 3, 20, 80, 300 };
	char	name[32], rate[16], seed[16], db[600], dbarg[640];
	const char *args[4];
	int	r, started = 0, refused = 0, norand = 0;

	(void)state;
	unsetenv("AUTHD_FAULT_ARM");
	unsetenv("AUTHD_FAULT_ONLY");
	unsetenv("AUTHD_FAULT_LIBS");
	for (unsigned int i = 0; i < 8; i++) {
		memset(&R.a, 0, sizeof(R.a));
		fx_free_port(R.a.port, sizeof(R.a.port));
		fx_arg(R.listen, sizeof(R.listen), "--listen=127.0.0.1:%s",
		    R.a.port);
		fx_arg(db, sizeof(db), "%s/start%u.db", fx.tmp, i);
		fx_arg(dbarg, sizeof(dbarg), "--database=%s", db);
		args[0] = R.listen;
		args[1] = dbarg;
		args[2] = NULL;
		fx_arg(rate, sizeof(rate), "%u", rates[i % 4]);
		fx_arg(seed, sizeof(seed), "%u", R.seed + 100 + i);
		setenv("AUTHD_FAULT_RATE", rate, 1);
		setenv("AUTHD_FAULT_SEED", seed, 1);
		fx_arg(name, sizeof(name), "start%u", i);
		r = fx_authd_start(&R.a, name, args);
		/* The one deliberate stop: RAND_bytes failed three times. */
		if (r == 1 && R.a.status == -1 && fx_file_has(R.a.log,
		    "authd: no randomness")) {
			norand++;
			continue;
		}
		if (r == 1 && R.a.status == -1)
			fail_msg("authd died of a signal while starting under "
			    "faults (1 in %u, seed %u; log %s)", rates[i % 4],
			    R.seed + 100 + i, R.a.log);
		if (r == 1 && R.a.status == 0)
			fail_msg("authd exited 0 while starting (log %s)",
			    R.a.log);
		if (r == 0) {
			started++;
			/* Still under faults: any clean exit will do. */
			if (fx_authd_stop(&R.a, SIGTERM) < 0 &&
			    !fx_file_has(R.a.log, "authd: no randomness"))
				fail_msg("authd died of a signal while "
				    "stopping under faults (seed %u; log %s)",
				    R.seed + 100 + i, R.a.log);
		} else if (r == 1)
			refused++;
		else
			fail_msg("start %u: fixture error", i);
	}
	unsetenv("AUTHD_FAULT_RATE");
	print_message("fault: startup under faults: %d started, %d exited "
	    "with an error, %d stopped for want of randomness\n", started,
	    refused, norand);
}

/*
 * The made-up credential that login options show for an unknown user is
 * an HMAC of the name.  With HMAC failing, authd must not answer with an
 * id made of uninitialised stack bytes: 503 instead.
 */
static void
fake_id_without_hmac(void **state)
{
	struct hc_resp	 resp;
	const char	*args[3];
	char		 dbarg[640];
	FILE		*f;
	int		 st;

	(void)state;
	if (R.a.pid > 0)
		(void)fx_authd_stop(&R.a, SIGKILL);
	hc_close(&R.c);
	memset(&R.a, 0, sizeof(R.a));
	memset(&resp, 0, sizeof(resp));
	fx_free_port(R.a.port, sizeof(R.a.port));
	fx_arg(R.listen, sizeof(R.listen), "--listen=127.0.0.1:%s", R.a.port);
	fx_arg(R.db, sizeof(R.db), "%s/fakeid.db", fx.tmp);
	fx_arg(dbarg, sizeof(dbarg), "--database=%s", R.db);
	fx_arg(R.arm, sizeof(R.arm), "%s/fakeid.arm", fx.tmp);
	args[0] = R.listen;
	args[1] = dbarg;
	args[2] = NULL;
	setenv("AUTHD_FAULT_RATE", "1", 1);
	setenv("AUTHD_FAULT_SEED", "1", 1);
	setenv("AUTHD_FAULT_ARM", R.arm, 1);
	setenv("AUTHD_FAULT_ONLY", "HMAC", 1);
	unsetenv("AUTHD_FAULT_LIBS");
	unlink(R.arm);
	if (fx_authd_start(&R.a, "fakeid", args) != 0)
		fail_msg("authd did not start (log %s)", R.a.log);
	if ((f = fopen(R.arm, "w")) == NULL)
		fail_msg("%s", R.arm);
	fclose(f);
	fx_sleep_ms(10);
	st = req("POST", "/v1/authentication/options", NULL,
	    "{\"username\":\"nobody\"}", &resp);
	if (st != 503)
		fail_msg("login options for an unknown user while HMAC "
		    "fails: %d, not 503: %s", st, resp.body != NULL ?
		    resp.body : "");
	hc_resp_free(&resp);
	unlink(R.arm);
	hc_close(&R.c);
	if ((st = fx_authd_stop(&R.a, SIGTERM)) != 0)
		fail_msg("authd exited with %d after SIGTERM (log %s)", st,
		    R.a.log);
	unsetenv("AUTHD_FAULT_RATE");
	unsetenv("AUTHD_FAULT_ARM");
	unsetenv("AUTHD_FAULT_ONLY");
}

static int
group_setup(void **state)
{
	(void)state;
	if (fx_env_load() != 0)
		return (-1);
	R.seed = getenv("HTTPT_FAULT_SEED") != NULL ?
	    (unsigned int)strtoul(getenv("HTTPT_FAULT_SEED"), NULL, 10) :
	    (unsigned int)time(NULL) ^ (unsigned int)getpid();
	print_message("fault: seed %u (HTTPT_FAULT_SEED)\n", R.seed);

	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	if (R.a.pid > 0)
		(void)fx_authd_stop(&R.a, SIGKILL);

	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_0),
		cmocka_unit_test(round_1),
		cmocka_unit_test(round_2),
		cmocka_unit_test(round_3),
		cmocka_unit_test(round_4),
		cmocka_unit_test(round_5),
		cmocka_unit_test(round_6),
		cmocka_unit_test(round_7),
		cmocka_unit_test(startup_under_faults),
		cmocka_unit_test(fake_id_without_hmac),
	};

	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (cmocka_run_group_tests_name("fault_ceremonies", tests,
	    group_setup, group_teardown));
}
