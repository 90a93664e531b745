/*
 * http_daemon.c: authd as a process.  Each case starts its own authd
 * instances (own port, database and log in HTTPT_TMP): refusals to start
 * (non-loopback without TLS, invalid values from flags, file and
 * environment), starting behind a TLS proxy, graceful stops, and
 * ceremonies that outlive --challenge_lifetime.
 *
 * The expiry case needs 11 s of waiting: its ceremonies are started in
 * the group setup and checked by the last case, so the other cases run
 * in the meantime.
 */
#include <sys/types.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

#define EXPIRY_LIFETIME	10	/* --challenge_lifetime, its minimum */

static struct {
	/* The expiry instance and its pending ceremonies. */
	struct fx_authd	 exp;
	char		 exp_origin[64];
	struct fx_user	 exp_user;	/* registered; a login is pending */
	unsigned char	*login_chal;
	size_t		 login_chal_len;
	unsigned char	*reg_chal;
	size_t		 reg_chal_len;
	struct sa_cred	*reg_cred;
	int64_t		 started_ms;	/* when the ceremonies began */
} D;

static struct sa_params
reg_params(const unsigned char *chal, size_t len, const char *origin)
{
	struct sa_params p;

	memset(&p, 0, sizeof(p));
	p.rp_id = "localhost";
	p.origin = origin;
	p.challenge = chal;
	p.challenge_len = len;
	p.flags = FX_UP_UV;
	p.fmt = "none";

	return (p);
}

/* Starts the expiry instance and leaves a login and a registration
 * ceremony open. */
static int
expiry_prepare(void)
{
	struct fx_ceremony	 ce;
	struct hc_resp		 resp;
	struct hc_conn		*c;
	struct fx_user		 other;
	char			 listen[64], lifetime[64], origins[96];
	char			 issuer[96], *code;
	const char		*args[8];

	fx_free_port(D.exp.port, sizeof(D.exp.port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", D.exp.port);
	fx_arg(lifetime, sizeof(lifetime), "--challenge_lifetime=%d",
	    EXPIRY_LIFETIME);
	fx_arg(D.exp_origin, sizeof(D.exp_origin), "http://localhost:%s",
	    D.exp.port);
	fx_arg(origins, sizeof(origins), "--origins=%s", D.exp_origin);
	fx_arg(issuer, sizeof(issuer), "--issuer=%s", D.exp_origin);
	args[0] = listen;
	args[1] = lifetime;
	args[2] = origins;
	args[3] = issuer;
	args[4] = NULL;
	if (fx_authd_start(&D.exp, "expiry", args) != 0) {
		print_error("expiry instance did not start\n");
		return (-1);
	}
	c = fx_connect(D.exp.port);
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	ce.origin = D.exp_origin;
	fx_username("late", D.exp_user.name, sizeof(D.exp_user.name));
	code = fx_enroll(D.exp.db, D.exp_user.name, "courier");
	if (fx_register(c, code, &D.exp_user, WA_COSE_ES256, &ce,
	    &resp) != 201) {
		print_error("expiry registration: %s\n", resp.body);
		return (-1);
	}
	free(code);
	/* The options advertise the lifetime. */
	if (fx_login_options(c, D.exp_user.name, &D.login_chal,
	    &D.login_chal_len, NULL) != 200)
		return (-1);
	memset(&other, 0, sizeof(other));
	fx_username("slow", other.name, sizeof(other.name));
	code = fx_enroll(D.exp.db, other.name, "courier");
	if (fx_reg_options(c, code, NULL, "slow phone", NULL, &D.reg_chal,
	    &D.reg_chal_len, &other) != 200)
		return (-1);
	free(code);
	D.started_ms = fx_now_ms();
	if ((D.reg_cred = sa_cred_new(WA_COSE_EDDSA)) == NULL)
		return (-1);
	hc_close(&c);
	hc_resp_free(&resp);

	return (0);
}

static int
group_setup(void **state)
{
	(void)state;
	if (fx_env_load() < 0)
		return (-1);

	return (expiry_prepare());
}

static int
group_teardown(void **state)
{
	(void)state;
	(void)fx_authd_stop(&D.exp, SIGKILL);
	fx_user_free(&D.exp_user);
	sa_cred_free(&D.reg_cred);
	free(D.login_chal);
	free(D.reg_chal);

	return (0);
}

static void
stop_ok(struct fx_authd *a)
{
	assert_int_equal(fx_authd_stop(a, SIGTERM), 0);
	assert_true(fx_file_has(a->log, "\"event\":\"stopped\""));
}

/* authd must not start; its standard error must name needle. */
static void
refuses(const char *name, const char *const *args, const char *needle)
{
	struct fx_authd a;

	memset(&a, 0, sizeof(a));
	if (fx_authd_start(&a, name, args) != 1) {
		(void)fx_authd_stop(&a, SIGKILL);
		fail_msg("%s: authd started", name);
	}
	assert_int_not_equal(a.status, 0);
	if (!fx_file_has(a.log, needle))
		fail_msg("%s: stderr does not name '%s'", name, needle);
}

static void
non_loopback_needs_tls(void **state)
{
	char		 listen[64];
	const char	*args[3];

	(void)state;
	fx_free_port(listen, sizeof(listen));
	memmove(listen + 17, listen, strlen(listen) + 1);
	memcpy(listen, "--listen=0.0.0.0:", 17);
	args[0] = listen;
	args[1] = NULL;
	refuses("nonloop", args, "listen: '0.0.0.0:");
}

static void
non_loopback_behind_proxy(void **state)
{
	struct fx_authd	 a;
	struct hc_conn	*c;
	struct hc_resp	 resp;
	char		 listen[64];
	const char	*args[3];

	(void)state;
	memset(&resp, 0, sizeof(resp));
	fx_free_port(a.port, sizeof(a.port));
	fx_arg(listen, sizeof(listen), "--listen=0.0.0.0:%s", a.port);
	args[0] = listen;
	args[1] = "--behind_tls_proxy=true";
	args[2] = NULL;
	if (fx_authd_start(&a, "proxy", args) != 0)
		fail_msg("authd behind a proxy did not start (status %d)",
		    a.status);
	c = fx_connect(a.port);
	assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL, NULL, NULL,
	    0, &resp), 200);
	hc_close(&c);
	hc_resp_free(&resp);
	stop_ok(&a);
}

static void
invalid_config_values(void **state)
{
	static const struct {
		const char	*arg, *needle;
	} cases[] = {
		{ "--token_lifetime=abc", "token_lifetime: 'abc'" },
		{ "--token_lifetime=5", "token_lifetime: '5'" },
		{ "--challenge_lifetime=9999", "challenge_lifetime" },
		{ "--user_verification_courier=maybe",
		    "user_verification_courier: 'maybe'" },
		{ "--attestation_admin=all", "attestation_admin" },
		{ "--behind_tls_proxy=perhaps", "behind_tls_proxy" },
		{ "--token_alg=HS256", "token_alg: 'HS256'" },
		{ "--origins=http://evil.example", "origins" },
		{ "--tls_cert=/nonexistent.pem", "tls_cert, tls_key" },
		{ "--threads=0", "threads" },
		{ "--no_such_key=1", "unknown flag '--no_such_key'" },
	};
	char		 listen[64], port[8], name[32];
	const char	*args[4];

	(void)state;
	fx_free_port(port, sizeof(port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", port);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		args[0] = listen;
		args[1] = cases[i].arg;
		args[2] = NULL;
		snprintf(name, sizeof(name), "badcfg%zu", i);
		refuses(name, args, cases[i].needle);
	}
}

static void
invalid_config_file_and_env(void **state)
{
	char		 path[512], cfgarg[600], listen[64], port[8];
	const char	*args[4];
	FILE		*f;

	(void)state;
	fx_free_port(port, sizeof(port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", port);
	snprintf(path, sizeof(path), "%s/bad.conf", fx.tmp);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "# a comment\nrp_id = localhost\n"
	    "session_lifetime_admin = forever\n");
	fclose(f);
	fx_arg(cfgarg, sizeof(cfgarg), "--config=%s", path);
	args[0] = listen;
	args[1] = cfgarg;
	args[2] = NULL;
	refuses("badfile", args, "bad.conf:3: session_lifetime_admin");
	/* The environment, AUTHD_<KEY>. */
	args[1] = NULL;
	setenv("AUTHD_MAX_BODY", "lots", 1);
	refuses("badenv", args, "AUTHD_MAX_BODY: max_body");
	unsetenv("AUTHD_MAX_BODY");
}

static void
graceful_stop_idle(void **state)
{
	struct fx_authd	 a;
	char		 listen[64];
	const char	*args[2];

	(void)state;
	fx_free_port(a.port, sizeof(a.port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", a.port);
	args[0] = listen;
	args[1] = NULL;
	assert_int_equal(fx_authd_start(&a, "stop", args), 0);
	assert_int_equal(fx_authd_stop(&a, SIGTERM), 0);
	assert_true(fx_file_has(a.log, "\"event\":\"stopping\","
	    "\"signal\":\"SIGTERM\""));
	assert_true(fx_file_has(a.log, "\"event\":\"stopped\""));
	/* SIGINT too, and the database reopens cleanly. */
	assert_int_equal(fx_authd_start(&a, "stop", args), 0);
	assert_int_equal(fx_authd_stop(&a, SIGINT), 0);
	assert_true(fx_file_has(a.log, "\"signal\":\"SIGINT\""));
	assert_true(fx_file_has(a.log, "\"event\":\"stopped\""));
}

/* An idle keep-alive connection does not hold the stop up. */
static void
graceful_stop_keepalive_open(void **state)
{
	struct fx_authd	 a;
	struct hc_conn	*c;
	struct hc_resp	 resp;
	char		 listen[64];
	const char	*args[2];
	int64_t		 t0;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	fx_free_port(a.port, sizeof(a.port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", a.port);
	args[0] = listen;
	args[1] = NULL;
	assert_int_equal(fx_authd_start(&a, "stopka", args), 0);
	c = fx_connect(a.port);
	assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL, NULL, NULL,
	    0, &resp), 200);
	t0 = fx_now_ms();
	assert_int_equal(fx_authd_stop(&a, SIGTERM), 0);
	print_message("stopped %lld ms after SIGTERM with an idle "
	    "connection\n", (long long)(fx_now_ms() - t0));
	assert_true(fx_now_ms() - t0 < 3000);
	assert_true(fx_file_has(a.log, "\"event\":\"stopped\""));
	hc_close(&c);
	hc_resp_free(&resp);
}

/* Last: the ceremonies of the group setup have outlived their lifetime. */
static void
expired_ceremony(void **state)
{
	struct fx_ceremony	 ce;
	struct sa_params	 p;
	struct hc_conn		*c;
	struct hc_resp		 resp;
	int64_t			 wait;
	char			*json;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	wait = D.started_ms + (EXPIRY_LIFETIME + 1) * 1000 - fx_now_ms();
	if (wait > 0) {
		print_message("expired_ceremony: waiting %lld ms\n",
		    (long long)wait);
		fx_sleep_ms(wait);
	}
	c = fx_connect(D.exp.port);
	ce.origin = D.exp_origin;
	json = fx_assertion(&D.exp_user, D.login_chal, D.login_chal_len, &ce);
	st = fx_post(c, "/v1/authentication/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 400, "ceremony_expired");
	free(json);
	p = reg_params(D.reg_chal, D.reg_chal_len, D.exp_origin);
	assert_non_null(json = sa_make_registration(D.reg_cred, &p));
	st = fx_post(c, "/v1/registration/verify", json, NULL, &resp);
	fx_expect_error(&resp, st, 400, "ceremony_expired");
	free(json);
	/* A fresh ceremony on the same instance works. */
	assert_int_equal(fx_login(c, &D.exp_user, false, &ce, &resp), 200);
	hc_close(&c);
	hc_resp_free(&resp);
	stop_ok(&D.exp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(non_loopback_needs_tls),
		cmocka_unit_test(non_loopback_behind_proxy),
		cmocka_unit_test(invalid_config_values),
		cmocka_unit_test(invalid_config_file_and_env),
		cmocka_unit_test(graceful_stop_idle),
		cmocka_unit_test(graceful_stop_keepalive_open),
		cmocka_unit_test(expired_ceremony),
	};

	/* HTTPT_FILTER=pattern runs only the matching cases (cmocka 1.1.5+). */
	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (cmocka_run_group_tests_name("http_daemon", tests, group_setup,
	    group_teardown));
}
