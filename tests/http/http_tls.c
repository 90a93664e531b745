/*
 * http_tls.c: authd over TLS, with a throwaway self-signed certificate
 * (made with the openssl CLI) and a real TLS client (httpc, verifying
 * the certificate): TLS 1.3 with HSTS, TLS 1.2 accepted, TLS 1.1 and
 * 1.0 refused with a protocol_version alert, certificate checks that
 * bite, Secure session cookies; and tokens signed with ES256.  Every
 * instance has its own port, database and log in HTTPT_TMP.
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
#include <openssl/ssl.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

static struct {
	char		 cert[512], key[512];
	struct fx_authd	 tls;		/* the TLS instance */
} D;

/* A self-signed certificate for localhost and 127.0.0.1 (openssl CLI). */
static int
make_cert(void)
{
	char	 subj[] = "/CN=localhost";
	char	 san[] = "subjectAltName=DNS:localhost,IP:127.0.0.1";
	char	*argv[] = { (char *)(uintptr_t)"openssl",
		    (char *)(uintptr_t)"req", (char *)(uintptr_t)"-x509",
		    (char *)(uintptr_t)"-newkey", (char *)(uintptr_t)"ec",
		    (char *)(uintptr_t)"-pkeyopt",
		    (char *)(uintptr_t)"ec_paramgen_curve:P-256",
		    (char *)(uintptr_t)"-nodes", (char *)(uintptr_t)"-days",
		    (char *)(uintptr_t)"1", (char *)(uintptr_t)"-subj", subj,
		    (char *)(uintptr_t)"-addext", san,
		    (char *)(uintptr_t)"-keyout", D.key,
		    (char *)(uintptr_t)"-out", D.cert, NULL };
	char	 err[FX_MAX_OUT];

	snprintf(D.cert, sizeof(D.cert), "%s/tls-cert.pem", fx.tmp);
	snprintf(D.key, sizeof(D.key), "%s/tls-key.pem", fx.tmp);
	if (fx_run(argv, NULL, NULL, err) != 0) {
		print_error("openssl req: %s\n", err);
		return (-1);
	}

	return (0);
}

/* The TLS instance, on a loopback port. */
static int
start_tls(struct fx_authd *a, const char *name)
{
	char		 listen[64], cert[600], key[600], origins[96];
	char		 issuer[96];
	const char	*args[8];

	fx_free_port(a->port, sizeof(a->port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", a->port);
	fx_arg(cert, sizeof(cert), "--tls_cert=%s", D.cert);
	fx_arg(key, sizeof(key), "--tls_key=%s", D.key);
	fx_arg(origins, sizeof(origins), "--origins=https://localhost:%s",
	    a->port);
	fx_arg(issuer, sizeof(issuer), "--issuer=https://localhost:%s",
	    a->port);
	args[0] = listen;
	args[1] = cert;
	args[2] = key;
	args[3] = origins;
	args[4] = issuer;
	args[5] = NULL;
	if (fx_authd_start(a, name, args) != 0) {
		print_error("TLS authd did not start (status %d)\n",
		    a->status);
		return (-1);
	}

	return (0);
}

static int
group_setup(void **state)
{
	(void)state;
	if (fx_env_load() < 0 || make_cert() < 0 ||
	    start_tls(&D.tls, "tls") < 0)
		return (-1);

	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	(void)fx_authd_stop(&D.tls, SIGKILL);

	return (0);
}

static int
tls_connect(const struct fx_authd *a, int min, int max, const char *ciphers,
    const char *cafile, const char *name, struct hc_conn **c, char *err,
    size_t errlen)
{
	struct hc_opts o;

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = a->port;
	o.tls = true;
	o.tls_cafile = cafile;
	o.tls_name = name;
	o.tls_min_version = min;
	o.tls_max_version = max;
	o.tls_ciphers = ciphers;
	o.timeout_ms = 5000;

	return (hc_connect(&o, c, err, errlen));
}

static void
stop_ok(struct fx_authd *a)
{
	assert_int_equal(fx_authd_stop(a, SIGTERM), 0);
	assert_true(fx_file_has(a->log, "\"event\":\"stopped\""));
}

static void
tls13_with_hsts(void **state)
{
	struct fx_authd	*a = &D.tls;
	struct hc_conn	*c = NULL;
	struct hc_resp	 resp;
	const char	*hsts;
	char		 err[512];

	(void)state;
	memset(&resp, 0, sizeof(resp));
	/* Verified against the self-signed certificate, by IP and name. */
	if (tls_connect(a, 0, 0, NULL, D.cert, "127.0.0.1", &c, err,
	    sizeof(err)) != HC_OK)
		fail_msg("TLS connect: %s", err);
	assert_int_equal(hc_tls_version(c), TLS1_3_VERSION);
	assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL, NULL, NULL,
	    0, &resp), 200);
	assert_non_null(hsts = hc_resp_header(&resp,
	    "Strict-Transport-Security"));
	assert_non_null(strstr(hsts, "max-age="));
	assert_true(atol(strstr(hsts, "max-age=") + 8) >= 31536000);
	/* Keep-alive over TLS. */
	assert_int_equal(fx_req(c, "GET", "/.well-known/jwks.json", NULL,
	    NULL, NULL, NULL, 0, &resp), 200);
	assert_int_equal(hc_nconnects(c), 1);
	hc_close(&c);
	if (tls_connect(a, TLS1_3_VERSION, 0, NULL, D.cert, "localhost", &c,
	    err, sizeof(err)) != HC_OK)
		fail_msg("TLS connect by name: %s", err);
	hc_close(&c);
	hc_resp_free(&resp);

}

static void
tls12_accepted_tls11_refused(void **state)
{
	struct fx_authd	*a = &D.tls;
	struct hc_conn	*c = NULL;
	char		 err[512];
	int		 r;

	(void)state;
	if (tls_connect(a, TLS1_2_VERSION, TLS1_2_VERSION, NULL, D.cert,
	    "127.0.0.1", &c, err, sizeof(err)) != HC_OK)
		fail_msg("TLS 1.2: %s", err);
	assert_int_equal(hc_tls_version(c), TLS1_2_VERSION);
	hc_close(&c);
	/*
	 * A client that offers TLS 1.1 at most (security level 0, so that
	 * OpenSSL really sends it): the server must answer with a
	 * protocol_version alert.
	 */
	r = tls_connect(a, TLS1_VERSION, TLS1_1_VERSION,
	    "DEFAULT:@SECLEVEL=0", D.cert, "127.0.0.1", &c, err, sizeof(err));
	assert_int_equal(r, HC_ERR_TLS);
	assert_null(c);
	if (strstr(err, "alert protocol version") == NULL)
		fail_msg("want a protocol_version alert, got: %s", err);
	r = tls_connect(a, TLS1_VERSION, TLS1_VERSION,
	    "DEFAULT:@SECLEVEL=0", D.cert, "127.0.0.1", &c, err, sizeof(err));
	assert_int_equal(r, HC_ERR_TLS);
	assert_non_null(strstr(err, "alert protocol version"));

}

/* The client really verifies: a certificate it does not trust, or for
 * another name, fails. */
static void
tls_verification_is_real(void **state)
{
	struct fx_authd	*a = &D.tls;
	struct hc_conn	*c = NULL;
	char		 err[512];

	(void)state;
	assert_int_equal(tls_connect(a, 0, 0, NULL, NULL, "127.0.0.1", &c,
	    err, sizeof(err)), HC_ERR_TLS);
	assert_non_null(strstr(err, "certificate"));
	assert_int_equal(tls_connect(a, 0, 0, NULL, D.cert,
	    "other.example", &c, err, sizeof(err)), HC_ERR_TLS);
	assert_non_null(strstr(err, "certificate"));
	/* Plain HTTP to the TLS port gets no HTTP answer. */
	{
		struct hc_resp	 resp;
		struct hc_conn	*p = fx_connect(a->port);

		memset(&resp, 0, sizeof(resp));
		assert_int_not_equal(hc_request(p, "GET", "/healthz", NULL,
		    NULL, 0, &resp), HC_OK);
		hc_close(&p);
		hc_resp_free(&resp);
	}

}

/* Over TLS the session cookie is Secure. */
static void
tls_login_cookie_secure(void **state)
{
	struct fx_authd		*a = &D.tls;
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_conn		*c = NULL;
	struct hc_resp		 resp;
	char			 err[512], origin[64], *code;
	const char		*sc;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&u, 0, sizeof(u));
	memset(&ce, 0, sizeof(ce));
	fx_arg(origin, sizeof(origin), "https://localhost:%s", a->port);
	ce.origin = origin;
	if (tls_connect(a, 0, 0, NULL, D.cert, "localhost", &c, err,
	    sizeof(err)) != HC_OK)
		fail_msg("TLS connect: %s", err);
	fx_username("secure", u.name, sizeof(u.name));
	code = fx_enroll(a->db, u.name, "courier");
	assert_int_equal(fx_register(c, code, &u, WA_COSE_EDDSA, &ce, &resp),
	    201);
	assert_int_equal(fx_login(c, &u, false, &ce, &resp), 200);
	assert_non_null(sc = hc_resp_header(&resp, "Set-Cookie"));
	assert_non_null(strstr(sc, "; Secure"));
	assert_non_null(strstr(sc, "HttpOnly"));
	assert_non_null(hc_resp_header(&resp, "Strict-Transport-Security"));
	free(code);
	hc_close(&c);
	hc_resp_free(&resp);
	fx_user_free(&u);

}

static void
tls_graceful_stop(void **state)
{
	(void)state;
	stop_ok(&D.tls);
}

/* Tokens signed with ES256 (token_alg) verify with jose and authctl. */
static void
es256_tokens(void **state)
{
	struct fx_authd		 a;
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_conn		*c;
	struct hc_resp		 resp;
	json_t			*j, *h;
	char			 listen[64], origins[96], issuer[96];
	char			 origin[64], jwks[128], *code, *at;
	char			 out[FX_MAX_OUT];
	const char		*args[6];

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&u, 0, sizeof(u));
	memset(&ce, 0, sizeof(ce));
	fx_free_port(a.port, sizeof(a.port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", a.port);
	fx_arg(origin, sizeof(origin), "http://localhost:%s", a.port);
	fx_arg(origins, sizeof(origins), "--origins=%s", origin);
	fx_arg(issuer, sizeof(issuer), "--issuer=%s", origin);
	fx_arg(jwks, sizeof(jwks), "http://127.0.0.1:%s/.well-known/jwks.json",
	    a.port);
	args[0] = listen;
	args[1] = origins;
	args[2] = issuer;
	args[3] = "--token_alg=ES256";
	args[4] = NULL;
	assert_int_equal(fx_authd_start(&a, "es256", args), 0);
	c = fx_connect(a.port);
	ce.origin = origin;
	fx_username("es", u.name, sizeof(u.name));
	code = fx_enroll(a.db, u.name, "courier");
	assert_int_equal(fx_register(c, code, &u, WA_COSE_ES256, &ce, &resp),
	    201);
	assert_int_equal(fx_login(c, &u, false, &ce, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	assert_non_null(at = strdup(json_string_value(json_object_get(j,
	    "access_token"))));
	json_decref(j);
	assert_non_null(h = fx_jwt_part(at, 0));
	assert_string_equal(json_string_value(json_object_get(h, "alg")),
	    "ES256");
	json_decref(h);
	if (fx_jose(jwks, "authd-services", origin, at, out) != 0)
		fail_msg("jose refused an ES256 token: %s", out);
	assert_int_equal(fx_authctl(a.db, out, NULL, "token", "verify",
	    "--jwks", jwks, "--aud", "authd-services", "--iss", origin, at,
	    NULL), 0);
	free(at);
	free(code);
	hc_close(&c);
	hc_resp_free(&resp);
	fx_user_free(&u);
	stop_ok(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tls13_with_hsts),
		cmocka_unit_test(tls12_accepted_tls11_refused),
		cmocka_unit_test(tls_verification_is_real),
		cmocka_unit_test(tls_login_cookie_secure),
		cmocka_unit_test(tls_graceful_stop),
		cmocka_unit_test(es256_tokens),
	};

	/* HTTPT_FILTER=pattern runs only the matching cases (cmocka 1.1.5+). */
	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (cmocka_run_group_tests_name("http_tls", tests, group_setup,
	    group_teardown));
}
