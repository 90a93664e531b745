/*
 * fault_disk.c: the real authd on a full disk and on a failing one.
 * diskfull.so (LD_PRELOAD) makes writes under the database's folder
 * fail with ENOSPC, or writes and syncs fail with EIO, while a control
 * file says so.  A user signs in, gets tokens, then the disk fills:
 *
 *   - a sign-in, a registration and a logout answer 503 "unavailable"
 *     and give out no token and store no credential;
 *   - a token refresh, which writes nothing, may still succeed, and
 *     its token is then good; or it answers 503;
 *   - authd keeps running, and once the disk has room again the same
 *     sign-in, registration and logout succeed;
 *   - the database passes PRAGMA integrity_check and
 *     foreign_key_check, and holds the credentials that returned 201
 *     and no other.
 *
 * The same again with EIO.  Runs only without SANITIZER (run.sh).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

struct user {
	char		 name[64];
	char		*code;
	unsigned char	 handle[64];
	size_t		 handle_len;
	struct sa_cred	*cred;
	uint32_t	 count;
};

static struct {
	struct fx_authd	 a;
	char		 dir[512], ctl[512], db[600];
	char		 origin[64], listen[64], origins[96], issuer[96];
	char		 dbarg[640];
	struct hc_conn	*c;
	struct user	 u;		/* signs in throughout */
	unsigned int	 ncreds;	/* registrations that returned 201 */
	bool		 up;
} D;

static void
disk(const char *mode)
{
	FILE *f;

	if (mode == NULL) {
		if (unlink(D.ctl) != 0)
			fail_msg("unlink %s", D.ctl);
		return;
	}
	if ((f = fopen(D.ctl, "w")) == NULL)
		fail_msg("%s", D.ctl);
	fputs(mode, f);
	fclose(f);
}

static int
post(const char *path, const char *json, struct hc_resp *resp)
{
	int st;

	hc_resp_free(resp);
	if (D.c == NULL)
		D.c = fx_connect(D.a.port);
	if ((st = fx_post(D.c, path, json, NULL, resp)) == 0)
		fail_msg("%s: no answer (authd %s)", path, kill(D.a.pid, 0) ==
		    0 ? "runs" : "is gone");

	return (st);
}

static void
params(struct sa_params *p, const unsigned char *chal, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->rp_id = "localhost";
	p->origin = D.origin;
	p->challenge = chal;
	p->challenge_len = len;
	p->flags = FX_UP_UV;
}

static int
do_register(struct user *u, struct hc_resp *resp)
{
	struct sa_params	 p;
	unsigned char		*chal = NULL, *h = NULL;
	size_t			 chal_len, hl;
	char			 body[256], *json;
	int			 st;

	fx_arg(body, sizeof(body), "{\"code\":\"%s\",\"label\":\"disk\"}",
	    u->code);
	if ((st = post("/v1/registration/options", body, resp)) != 200)
		return (st);
	if (sa_json_get_b64(resp->body, "challenge", &chal, &chal_len) != 0 ||
	    sa_json_get_b64(resp->body, "user.id", &h, &hl) != 0 ||
	    hl > sizeof(u->handle))
		fail_msg("registration options: %s", resp->body);
	memcpy(u->handle, h, hl);
	u->handle_len = hl;
	free(h);
	params(&p, chal, chal_len);
	p.fmt = "packed";
	json = sa_make_registration(u->cred, &p);
	free(chal);
	if (json == NULL)
		fail_msg("sa_make_registration");
	st = post("/v1/registration/verify", json, resp);
	free(json);
	if (st == 201) {
		u->count = 1;
		D.ncreds++;
	}

	return (st);
}

/* A sign-in by username; OUT: the refresh token on 200 (free(3)). */
static int
do_login(struct user *u, char **refresh, struct hc_resp *resp)
{
	struct sa_params	 p;
	unsigned char		*chal = NULL;
	size_t			 chal_len;
	char			 body[128], *json;
	json_t			*j;
	const char		*rt;
	int			 st;

	*refresh = NULL;
	fx_arg(body, sizeof(body), "{\"username\":\"%s\"}", u->name);
	if ((st = post("/v1/authentication/options", body, resp)) != 200)
		fail_msg("authentication options: %d %s", st, resp->body);
	if (sa_json_get_b64(resp->body, "challenge", &chal, &chal_len) != 0)
		fail_msg("authentication options: %s", resp->body);
	params(&p, chal, chal_len);
	p.sign_count = u->count;
	p.user_handle = u->handle;
	p.user_handle_len = u->handle_len;
	json = sa_make_assertion(u->cred, &p);
	free(chal);
	if (json == NULL)
		fail_msg("sa_make_assertion");
	st = post("/v1/authentication/verify", json, resp);
	free(json);
	if (st == 200) {
		u->count++;
		if ((j = fx_json(resp)) == NULL || json_string_value(
		    json_object_get(j, "access_token")) == NULL ||
		    (rt = json_string_value(json_object_get(j,
		    "refresh_token"))) == NULL || (*refresh = strdup(rt)) ==
		    NULL)
			fail_msg("sign-in 200 without tokens: %s", resp->body);
		json_decref(j);
	}

	return (st);
}

static void
expect_503(const struct hc_resp *resp, int st, const char *what)
{
	json_t *j;

	if (st != 503)
		fail_msg("%s on a failing disk: %d %s (want 503)", what, st,
		    resp->body);
	if ((j = fx_json(resp)) == NULL ||
	    json_object_get(j, "access_token") != NULL ||
	    json_object_get(j, "refresh_token") != NULL ||
	    strcmp(json_string_value(json_object_get(j, "error")) != NULL ?
	    json_string_value(json_object_get(j, "error")) : "",
	    "unavailable") != 0)
		fail_msg("%s on a failing disk: %s", what, resp->body);
	json_decref(j);
}

static void
db_check(void)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	const char	*v;

	if (sqlite3_open_v2(D.db, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", D.db);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW ||
	    (v = (const char *)sqlite3_column_text(s, 0)) == NULL ||
	    strcmp(v, "ok") != 0)
		fail_msg("integrity_check: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
		fail_msg("foreign_key_check");
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM credentials", -1,
	    &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		fail_msg("count credentials");
	if (sqlite3_column_int64(s, 0) != (sqlite3_int64)D.ncreds)
		fail_msg("%lld credentials stored, %u registrations returned "
		    "201", (long long)sqlite3_column_int64(s, 0), D.ncreds);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void
new_user(struct user *u, const char *prefix)
{
	memset(u, 0, sizeof(*u));
	fx_username(prefix, u->name, sizeof(u->name));
	u->code = fx_enroll(D.db, u->name, "courier");
	if ((u->cred = sa_cred_new(WA_COSE_ES256)) == NULL)
		fail_msg("sa_cred_new");
}

/* The disk fails with mode; then it has room again. */
static void
failing_disk(const char *mode)
{
	struct hc_resp	 resp;
	struct user	 v;
	char		*rt = NULL, *rt2 = NULL, body[160];
	json_t		*j;
	int		 st;

	if (!D.up)
		skip();
	memset(&resp, 0, sizeof(resp));
	new_user(&v, "dnew");
	if ((st = do_login(&D.u, &rt, &resp)) != 200)
		fail_msg("sign-in before: %d %s", st, resp.body);

	disk(mode);
	st = do_login(&D.u, &rt2, &resp);
	expect_503(&resp, st, "a sign-in");
	st = do_register(&v, &resp);
	expect_503(&resp, st, "a registration");
	fx_arg(body, sizeof(body), "{\"refresh_token\":\"%s\"}", rt);
	st = post("/v1/logout", body, &resp);
	expect_503(&resp, st, "a logout");
	/* Nothing to write: it may work, and its token is then good. */
	st = post("/v1/token", body, &resp);
	if (st == 200) {
		if ((j = fx_json(&resp)) == NULL || json_string_value(
		    json_object_get(j, "access_token")) == NULL)
			fail_msg("refresh: %s", resp.body);
		json_decref(j);
	} else
		expect_503(&resp, st, "a token refresh");
	if (kill(D.a.pid, 0) != 0)
		fail_msg("authd is gone (log %s)", D.a.log);

	disk(NULL);
	if ((st = do_login(&D.u, &rt2, &resp)) != 200)
		fail_msg("sign-in after the disk recovered: %d %s", st,
		    resp.body);
	if ((st = do_register(&v, &resp)) != 201)
		fail_msg("registration after the disk recovered: %d %s", st,
		    resp.body);
	if ((st = post("/v1/token", body, &resp)) != 200)
		fail_msg("refresh after: %d %s", st, resp.body);
	if ((st = post("/v1/logout", body, &resp)) != 204)
		fail_msg("logout after: %d %s", st, resp.body);
	if ((st = post("/v1/token", body, &resp)) != 401)
		fail_msg("refresh after logout: %d %s", st, resp.body);
	db_check();
	if (!fx_file_has(D.a.log, strcmp(mode, "EIO") == 0 ?
	    "database I/O error" : "database or disk is full"))
		fail_msg("no store error for %s in %s", mode, D.a.log);
	free(rt);
	free(rt2);
	free(v.code);
	sa_cred_free(&v.cred);
	hc_resp_free(&resp);
}

static void
disk_full(void **state)
{
	(void)state;
	failing_disk("ENOSPC");
}

static void
disk_io_error(void **state)
{
	(void)state;
	failing_disk("EIO");
}

/* A full disk at startup: authd exits with an error, never a signal. */
static void
full_at_start(void **state)
{
	struct fx_authd	 a;
	char		 dbarg[640], listen[64];
	const char	*args[3];
	int		 r;

	(void)state;
	memset(&a, 0, sizeof(a));
	fx_free_port(a.port, sizeof(a.port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", a.port);
	fx_arg(dbarg, sizeof(dbarg), "--database=%s/new.db", D.dir);
	args[0] = listen;
	args[1] = dbarg;
	args[2] = NULL;
	disk("ENOSPC");
	setenv("LD_PRELOAD", getenv("HTTPT_DISKFULL"), 1);
	r = fx_authd_start(&a, "diskstart", args);
	unsetenv("LD_PRELOAD");
	disk(NULL);
	if (r == 0)
		fail_msg("authd started on a full disk (log %s)", a.log);
	if (r != 1 || a.status <= 0)
		fail_msg("authd on a full disk at start: %d, status %d (log "
		    "%s)", r, a.status, a.log);
}

static int
group_setup(void **state)
{
	const char	*so = getenv("HTTPT_DISKFULL");
	struct hc_resp	 resp;
	int		 st;

	(void)state;
	if (fx_env_load() != 0 || so == NULL)
		return (-1);
	fx_arg(D.dir, sizeof(D.dir), "%s/disk/", fx.tmp);
	fx_arg(D.ctl, sizeof(D.ctl), "%s/disk.ctl", fx.tmp);
	fx_arg(D.db, sizeof(D.db), "%sauthd.db", D.dir);
	if (mkdir(D.dir, 0700) != 0)
		return (-1);
	fx_free_port(D.a.port, sizeof(D.a.port));
	fx_arg(D.origin, sizeof(D.origin), "http://localhost:%s", D.a.port);
	fx_arg(D.listen, sizeof(D.listen), "--listen=127.0.0.1:%s", D.a.port);
	fx_arg(D.origins, sizeof(D.origins), "--origins=%s", D.origin);
	fx_arg(D.issuer, sizeof(D.issuer), "--issuer=%s", D.origin);
	fx_arg(D.dbarg, sizeof(D.dbarg), "--database=%s", D.db);
	/* The preload is for authd alone, not for authctl. */
	setenv("DISKFULL_DIR", D.dir, 1);
	setenv("DISKFULL_CTL", D.ctl, 1);
	setenv("LD_PRELOAD", so, 1);
	{
		const char *args[] = { D.listen, D.origins, D.issuer, D.dbarg,
		    "--rate_limit_ip=0", "--rate_limit_account=0", NULL };

		st = fx_authd_start(&D.a, "disk", args);
	}
	unsetenv("LD_PRELOAD");
	if (st != 0)
		return (-1);
	memset(&resp, 0, sizeof(resp));
	new_user(&D.u, "disk");
	st = do_register(&D.u, &resp);
	hc_resp_free(&resp);
	if (st != 201)
		return (-1);
	D.up = true;

	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(D.ctl);
	hc_close(&D.c);
	if (D.a.pid > 0 && fx_authd_stop(&D.a, SIGTERM) != 0) {
		print_error("authd did not stop cleanly (log %s)\n", D.a.log);
		return (-1);
	}
	free(D.u.code);
	sa_cred_free(&D.u.cred);

	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disk_full),
		cmocka_unit_test(disk_io_error),
		cmocka_unit_test(full_at_start),
	};

	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (cmocka_run_group_tests_name("fault_disk", tests, group_setup,
	    group_teardown));
}
