/*
 * http_crash.c: authd killed under load (issue 5, "Crash safety and
 * durability").  One instance of its own, on a throwaway database, takes
 * registrations and logins from a few threads with the software
 * authenticator while the main thread kills it with SIGKILL at random
 * moments and restarts it on the same database, again and again.  Then:
 * the challenges used (or handed out) before a kill cannot be used
 * twice after it, every credential whose registration returned 201
 * still signs in, and the database left by one more SIGKILL passes
 * PRAGMA integrity_check, holds every such credential and never a sign
 * count below the last one that returned 200.
 *
 * A request in flight when the signal lands may fail or may have been
 * committed: only responses that arrived count.  Worker threads never
 * call cmocka; they record what they saw and the cases judge it.
 * HTTPT_CRASH_SEED=n replays a run's random choices (the seed is
 * printed).
 *
 * Today a restart invalidates every open ceremony (the sealing key is
 * per process, authd/ceremony.h), so a challenge from before a kill is
 * refused after it whatever the consumed-ids table holds; the case
 * still holds authd to the rule should that key ever be persisted.
 */
#include <sys/types.h>

#include <pthread.h>
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
#include <sqlite3.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

#define NTHREADS	3
#define USERS_PER	10	/* enrollment codes per thread */
#define NUSERS		(NTHREADS * USERS_PER)
#define NKILLS		9
#define KILL_MIN_MS	700
#define KILL_SPAN_MS	900	/* kills come MIN + [0, SPAN) apart */
#define MAX_RECS	120
#define RECS_PER_START	10	/* kept ones, spread over the starts */
#define PENDING_EVERY	7	/* every nth login leaves its challenge */
#define KEEP_EVERY	3	/* every nth successful login is kept */

/* A user of the load; owned by one worker until the workers stop. */
struct cu {
	char		 name[64];
	char		*code;		/* enrollment code */
	unsigned char	 handle[64];	/* user.id */
	size_t		 handle_len;
	struct sa_cred	*cred;
	bool		 tried;		/* its code is spent */
	bool		 registered;	/* registration returned 201 */
	uint32_t	 next;		/* the next count to present */
	uint32_t	 last_ok;	/* the last count that returned 200 */
};

/* A challenge handed out before a kill. */
struct rec {
	size_t		 user;
	unsigned char	*chal;
	size_t		 chal_len;
	char		*json;		/* the assertion that returned
					 * 200; NULL: never presented */
};

static struct {
	struct fx_authd	 a;
	char		 origin[64];
	char		 db[512];	/* every start's database */
	char		 listen[64], origins[96], issuer[96], dbarg[600];
	const char	*args[8];
	unsigned int	 seed;
	int		 starts;

	struct cu	 users[NUSERS];

	pthread_mutex_t	 mtx;
	struct rec	 recs[MAX_RECS];
	size_t		 nrecs;
	int		 recs_start;	/* the last one's start */
	size_t		 recs_this_start;

	volatile int	 stop;
	unsigned int	 reg_ok, login_ok, transport_err, other_status;
	unsigned int	 fixture_err;	/* softauth/JSON failures */
	bool		 loaded;	/* the load case ran to its end */
} C;

static void
count(unsigned int *n)
{
	__atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
}

/* Starts (or restarts) the instance on its database; 0 if it runs. */
static int
start(void)
{
	char	name[32];
	int	r;

	/* A restart right after a kill may race the port's release. */
	for (int tries = 0; tries < 3; tries++) {
		snprintf(name, sizeof(name), "crash%d",
		    __atomic_fetch_add(&C.starts, 1, __ATOMIC_SEQ_CST));
		if ((r = fx_authd_start(&C.a, name, C.args)) == 0)
			return (0);
		print_error("crash instance: start %d: %d (log %s)\n",
		    C.starts, r, C.a.log);
		fx_sleep_ms(200);
	}

	return (-1);
}

static struct hc_conn *
connect_quiet(void)
{
	struct hc_opts	 o;
	struct hc_conn	*c = NULL;

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = C.a.port;
	o.timeout_ms = 5000;
	if (hc_connect(&o, &c, NULL, 0) != HC_OK)
		return (NULL);

	return (c);
}

/* POST json; the status, or 0 after a transport error (conn closed). */
static int
post(struct hc_conn **c, const char *path, const char *json,
    struct hc_resp *resp)
{
	const char *h[] = { "Content-Type: application/json", NULL };

	if (*c == NULL && (*c = connect_quiet()) == NULL)
		return (0);
	if (hc_request(*c, "POST", path, h, json, strlen(json), resp) !=
	    HC_OK) {
		hc_close(c);
		return (0);
	}

	return (resp->status);
}

static void
params(struct sa_params *p, const unsigned char *chal, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->rp_id = "localhost";
	p->origin = C.origin;
	p->challenge = chal;
	p->challenge_len = len;
	p->flags = FX_UP_UV;
}

/* An assertion by u over chal presenting u->next, which it consumes. */
static char *
assertion(struct cu *u, const unsigned char *chal, size_t len,
    uint32_t *presented)
{
	struct sa_params p;

	params(&p, chal, len);
	p.sign_count = *presented = u->next++;
	p.user_handle = u->handle;
	p.user_handle_len = u->handle_len;

	return (sa_make_assertion(u->cred, &p));
}

static void
keep(size_t user, unsigned char *chal, size_t len, char *json)
{
	int	now;

	pthread_mutex_lock(&C.mtx);
	now = __atomic_load_n(&C.starts, __ATOMIC_SEQ_CST);
	if (now != C.recs_start) {
		C.recs_start = now;
		C.recs_this_start = 0;
	}
	if (C.nrecs < MAX_RECS && C.recs_this_start < RECS_PER_START) {
		C.recs_this_start++;
		C.recs[C.nrecs].user = user;
		C.recs[C.nrecs].chal = chal;
		C.recs[C.nrecs].chal_len = len;
		C.recs[C.nrecs].json = json;
		C.nrecs++;
		chal = NULL;
		json = NULL;
	}
	pthread_mutex_unlock(&C.mtx);
	free(chal);
	free(json);
}

/* One registration attempt; the code is spent whatever happens. */
static void
do_register(struct hc_conn **c, size_t i)
{
	struct cu		*u = &C.users[i];
	struct sa_params	 p;
	struct hc_resp		 resp;
	json_t			*req;
	unsigned char		*chal = NULL, *h = NULL;
	size_t			 chal_len, hl;
	char			*body = NULL, *json = NULL;
	int			 st;

	memset(&resp, 0, sizeof(resp));
	u->tried = true;
	if ((req = json_pack("{s:s, s:s}", "code", u->code, "label",
	    "crash device")) == NULL ||
	    (body = json_dumps(req, JSON_COMPACT)) == NULL) {
		count(&C.fixture_err);
		goto out;
	}
	st = post(c, "/v1/registration/options", body, &resp);
	if (st != 200) {
		count(st == 0 ? &C.transport_err : &C.other_status);
		goto out;
	}
	if (sa_json_get_b64(resp.body, "challenge", &chal, &chal_len) != 0 ||
	    sa_json_get_b64(resp.body, "user.id", &h, &hl) != 0 ||
	    hl > sizeof(u->handle)) {
		count(&C.fixture_err);
		goto out;
	}
	memcpy(u->handle, h, hl);
	u->handle_len = hl;
	params(&p, chal, chal_len);
	p.fmt = "none";
	if ((json = sa_make_registration(u->cred, &p)) == NULL) {
		count(&C.fixture_err);
		goto out;
	}
	st = post(c, "/v1/registration/verify", json, &resp);
	if (st == 201) {
		u->registered = true;
		u->next = 1;
		count(&C.reg_ok);
	} else
		count(st == 0 ? &C.transport_err : &C.other_status);
out:
	json_decref(req);
	free(body);
	free(json);
	free(chal);
	free(h);
	hc_resp_free(&resp);
}

/* One login attempt by a registered user. */
static void
do_login(struct hc_conn **c, size_t i, unsigned int n)
{
	struct cu	*u = &C.users[i];
	struct hc_resp	 resp;
	unsigned char	*chal = NULL;
	size_t		 chal_len;
	char		 body[128], *json = NULL;
	uint32_t	 presented;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	snprintf(body, sizeof(body), "{\"username\":\"%s\"}", u->name);
	st = post(c, "/v1/authentication/options", body, &resp);
	if (st != 200) {
		count(st == 0 ? &C.transport_err : &C.other_status);
		goto out;
	}
	if (sa_json_get_b64(resp.body, "challenge", &chal, &chal_len) != 0) {
		count(&C.fixture_err);
		goto out;
	}
	if (n % PENDING_EVERY == PENDING_EVERY - 1) {
		/* Handed out, never presented: usable once at most. */
		keep(i, chal, chal_len, NULL);
		chal = NULL;
		goto out;
	}
	if ((json = assertion(u, chal, chal_len, &presented)) == NULL) {
		count(&C.fixture_err);
		goto out;
	}
	st = post(c, "/v1/authentication/verify", json, &resp);
	if (st == 200) {
		u->last_ok = presented;
		count(&C.login_ok);
		if (n % KEEP_EVERY == 0) {
			keep(i, chal, chal_len, json);
			chal = NULL;
			json = NULL;
		}
	} else
		count(st == 0 ? &C.transport_err : &C.other_status);
out:
	free(chal);
	free(json);
	hc_resp_free(&resp);
}

static void *
worker(void *arg_)
{
	size_t		 t = (size_t)(uintptr_t)arg_;
	size_t		 first = t * USERS_PER, ntried = 0, nreg, pick;
	struct hc_conn	*c = NULL;
	unsigned int	 seed = C.seed + (unsigned int)t * 7919u, n = 0;

	while (!__atomic_load_n(&C.stop, __ATOMIC_SEQ_CST)) {
		if (c == NULL && (c = connect_quiet()) == NULL) {
			/* Down: between a kill and a start. */
			fx_sleep_ms(20);
			continue;
		}
		nreg = 0;
		for (size_t k = first; k < first + ntried; k++)
			nreg += C.users[k].registered;
		if (ntried < USERS_PER && (nreg == 0 ||
		    rand_r(&seed) % 4 == 0)) {
			do_register(&c, first + ntried);
			ntried++;
			continue;
		}
		if (nreg == 0) {
			fx_sleep_ms(20);	/* every code spent in vain */
			continue;
		}
		pick = (size_t)rand_r(&seed) % nreg;
		for (size_t k = first; k < first + ntried; k++)
			if (C.users[k].registered && pick-- == 0) {
				do_login(&c, k, n++);
				break;
			}
	}
	hc_close(&c);

	return (NULL);
}

static int
group_setup(void **state)
{
	(void)state;
	if (fx_env_load() != 0)
		return (-1);
	C.seed = getenv("HTTPT_CRASH_SEED") != NULL ?
	    (unsigned int)strtoul(getenv("HTTPT_CRASH_SEED"), NULL, 10) :
	    (unsigned int)time(NULL) ^ (unsigned int)getpid();
	print_message("http_crash: seed %u (HTTPT_CRASH_SEED)\n", C.seed);
	pthread_mutex_init(&C.mtx, NULL);
	fx_free_port(C.a.port, sizeof(C.a.port));
	fx_arg(C.origin, sizeof(C.origin), "http://localhost:%s", C.a.port);
	fx_arg(C.listen, sizeof(C.listen), "--listen=127.0.0.1:%s", C.a.port);
	fx_arg(C.origins, sizeof(C.origins), "--origins=%s", C.origin);
	fx_arg(C.issuer, sizeof(C.issuer), "--issuer=%s", C.origin);
	fx_arg(C.db, sizeof(C.db), "%s/crash.db", fx.tmp);
	fx_arg(C.dbarg, sizeof(C.dbarg), "--database=%s", C.db);
	C.args[0] = C.listen;
	C.args[1] = C.origins;
	C.args[2] = C.issuer;
	C.args[3] = C.dbarg;
	/* The load comes from one address and would meet the limits. */
	C.args[4] = "--rate_limit_ip=0";
	C.args[5] = "--rate_limit_account=0";
	C.args[6] = NULL;
	if (start() != 0)
		return (-1);
	for (size_t i = 0; i < NUSERS; i++) {
		struct cu *u = &C.users[i];

		fx_username("crash", u->name, sizeof(u->name));
		u->code = fx_enroll(C.db, u->name, "courier");
		if ((u->cred = sa_cred_new(i % 2 == 0 ? WA_COSE_ES256 :
		    WA_COSE_EDDSA)) == NULL)
			return (-1);
	}

	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	(void)fx_authd_stop(&C.a, SIGKILL);
	for (size_t i = 0; i < NUSERS; i++) {
		free(C.users[i].code);
		sa_cred_free(&C.users[i].cred);
	}
	for (size_t i = 0; i < C.nrecs; i++) {
		free(C.recs[i].chal);
		free(C.recs[i].json);
	}
	pthread_mutex_destroy(&C.mtx);

	return (0);
}

/*
 * The load, with NKILLS kills at random moments; ends with one more
 * kill and restart once the workers stopped, so that every challenge
 * kept crosses a restart.
 */
static void
killed_under_load(void **state)
{
	pthread_t	th[NTHREADS];
	unsigned int	seed = C.seed;
	int		started = 0;

	(void)state;
	for (size_t t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, worker,
		    (void *)(uintptr_t)t), 0);
	for (int k = 0; k < NKILLS; k++) {
		fx_sleep_ms(KILL_MIN_MS + rand_r(&seed) % KILL_SPAN_MS);
		(void)fx_authd_stop(&C.a, SIGKILL);
		if (start() != 0)
			break;
		started++;
	}
	__atomic_store_n(&C.stop, 1, __ATOMIC_SEQ_CST);
	for (size_t t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	(void)fx_authd_stop(&C.a, SIGKILL);
	assert_int_equal(start(), 0);
	print_message("http_crash: %d kills; %u registrations and %u logins "
	    "succeeded, %u transport errors, %u other statuses, %zu "
	    "challenges kept\n", started + 1, C.reg_ok, C.login_ok,
	    C.transport_err, C.other_status, C.nrecs);
	if (started != NKILLS)
		fail_msg("authd did not restart after kill %d", started + 1);
	assert_int_equal(C.fixture_err, 0);
	/* Enough happened for the checks to mean something. */
	assert_true(C.reg_ok >= NTHREADS);
	assert_true(C.login_ok >= 20);
	assert_true(C.nrecs > 0);
	C.loaded = true;
}

/* A used or handed-out challenge, presented after the restart(s). */
static void
challenge_reused_across_restart(void **state)
{
	struct hc_conn	*c = NULL;
	struct hc_resp	 resp;
	char		*json;
	uint32_t	 presented;
	unsigned int	 used = 0, pending = 0, pending_ok = 0;
	int		 st;

	(void)state;
	if (!C.loaded)
		skip();
	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < C.nrecs; i++) {
		struct rec	*r = &C.recs[i];
		struct cu	*u = &C.users[r->user];

		if (r->json != NULL) {
			/* The very assertion that returned 200. */
			st = post(&c, "/v1/authentication/verify", r->json,
			    &resp);
			assert_int_not_equal(st, 0);
			if (st == 200)
				fail_msg("%s: an assertion that returned 200 "
				    "before a kill returned 200 again",
				    u->name);
			used++;
		} else {
			/* Handed out, never presented: once at most. */
			json = assertion(u, r->chal, r->chal_len, &presented);
			assert_non_null(json);
			st = post(&c, "/v1/authentication/verify", json,
			    &resp);
			free(json);
			assert_int_not_equal(st, 0);
			if (st == 200) {
				u->last_ok = presented;
				pending_ok++;
			}
			pending++;
		}
		/* A fresh signature, with a higher count, over the same
		 * challenge: only the challenge can refuse it now. */
		json = assertion(u, r->chal, r->chal_len, &presented);
		assert_non_null(json);
		st = post(&c, "/v1/authentication/verify", json, &resp);
		free(json);
		assert_int_not_equal(st, 0);
		if (st == 200)
			fail_msg("%s: a challenge %s before a kill was used "
			    "again after the restart", u->name, r->json !=
			    NULL ? "used" : "handed out");
	}
	print_message("http_crash: %u used and %u handed-out challenges "
	    "refused on reuse (%u of the latter used once)\n", used, pending,
	    pending_ok);
	hc_close(&c);
	hc_resp_free(&resp);
}

/* Every credential whose registration returned 201 still signs in. */
static void
registered_credential_lost(void **state)
{
	struct hc_conn	*c = NULL;
	struct hc_resp	 resp;
	unsigned char	*chal = NULL;
	size_t		 chal_len;
	char		 body[128], *json;
	uint32_t	 presented;
	int		 st;

	(void)state;
	if (!C.loaded)
		skip();
	memset(&resp, 0, sizeof(resp));
	for (size_t i = 0; i < NUSERS; i++) {
		struct cu *u = &C.users[i];

		if (!u->registered)
			continue;
		snprintf(body, sizeof(body), "{\"username\":\"%s\"}",
		    u->name);
		st = post(&c, "/v1/authentication/options", body, &resp);
		if (st != 200)
			fail_msg("%s: options after the kills: %d %s",
			    u->name, st, resp.body);
		assert_int_equal(sa_json_get_b64(resp.body, "challenge",
		    &chal, &chal_len), 0);
		json = assertion(u, chal, chal_len, &presented);
		assert_non_null(json);
		st = post(&c, "/v1/authentication/verify", json, &resp);
		free(json);
		free(chal);
		if (st != 200)
			fail_msg("%s: login after the kills: %d %s", u->name,
			    st, resp.body);
		u->last_ok = presented;
	}
	hc_close(&c);
	hc_resp_free(&resp);
}

/*
 * One last SIGKILL, then the database as authd left it (WAL and all),
 * opened read-only: integrity, every credential that returned 201, and
 * sign counts at least the last one that returned 200.
 */
static void
database_after_kill(void **state)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	const char	*v;
	unsigned int	 n = 0;
	int		 r;

	(void)state;
	if (!C.loaded)
		skip();
	(void)fx_authd_stop(&C.a, SIGKILL);
	assert_int_equal(sqlite3_open_v2(C.db, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = (const char *)sqlite3_column_text(st, 0);
	if (v == NULL || strcmp(v, "ok") != 0)
		fail_msg("integrity_check: %s", v != NULL ? v : "(null)");
	sqlite3_finalize(st);
	st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check",
	    -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		fail_msg("foreign_key_check: table %s",
		    sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sign_count FROM "
	    "credentials WHERE cred_id = ?", -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < NUSERS; i++) {
		struct cu	*u = &C.users[i];
		sqlite3_int64	 sc;

		if (!u->registered)
			continue;
		sqlite3_reset(st);
		assert_int_equal(sqlite3_bind_blob(st, 1,
		    sa_cred_id_ptr(u->cred), (int)sa_cred_id_len(u->cred),
		    SQLITE_STATIC), SQLITE_OK);
		if ((r = sqlite3_step(st)) != SQLITE_ROW)
			fail_msg("%s: credential registered (201) is not in "
			    "the database (%d)", u->name, r);
		sc = sqlite3_column_int64(st, 0);
		if (sc < (sqlite3_int64)u->last_ok)
			fail_msg("%s: stored sign count %lld below %u, the "
			    "last count that returned 200", u->name,
			    (long long)sc, u->last_ok);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	print_message("http_crash: %u credentials present, counts in "
	    "order\n", n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(killed_under_load),
		cmocka_unit_test(challenge_reused_across_restart),
		cmocka_unit_test(registered_credential_lost),
		cmocka_unit_test(database_after_kill),
	};

	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (cmocka_run_group_tests_name("http_crash", tests, group_setup,
	    group_teardown));
}
