/*
 * http_limits.c: abuse resistance.  Rate limits per client address and
 * per account (429 with Retry-After, a budget that refills over the
 * window, IPv6 /64 grouping, X-Forwarded-For behind a proxy), caps on
 * headers, JSON depth and body size, slow and idle clients cut off
 * without pinning the workers, and sign-in options that take as long
 * for an unknown username as for a known one.
 *
 * The limit cases start their own authd instances with small limits
 * and a 2 s window; the caps use the main instance.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

#define WINDOW		2	/* --rate_limit_window, seconds */

static int64_t
now_us_fx(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* Starts an instance on a free port with extra flags (NULL-ended). */
static void
start(struct fx_authd *a, const char *name, const char *const *extra)
{
	static char	 listen[64], origins[96], issuer[96];
	const char	*args[16];
	size_t		 n = 0;

	memset(a, 0, sizeof(*a));
	fx_free_port(a->port, sizeof(a->port));
	fx_arg(listen, sizeof(listen), "--listen=127.0.0.1:%s", a->port);
	fx_arg(origins, sizeof(origins), "--origins=http://localhost:%s",
	    a->port);
	fx_arg(issuer, sizeof(issuer), "--issuer=http://localhost:%s", a->port);
	args[n++] = listen;
	args[n++] = origins;
	args[n++] = issuer;
	for (size_t i = 0; extra[i] != NULL && n < 15; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	if (fx_authd_start(a, name, args) != 0)
		fail_msg("authd %s did not start (status %d)", name,
		    a->status);
}

static void
stop(struct fx_authd *a)
{
	assert_int_equal(fx_authd_stop(a, SIGTERM), 0);
}

/* POST /v1/authentication/options for username (NULL: {}), with an
 * optional extra header line. */
static int
options(struct hc_conn *c, const char *username, const char *extra,
    struct hc_resp *resp)
{
	char body[256];

	if (username != NULL)
		fx_arg(body, sizeof(body), "{\"username\":\"%s\"}", username);
	else
		fx_arg(body, sizeof(body), "{}");

	return (fx_req(c, "POST", "/v1/authentication/options",
	    "application/json", NULL, extra, body, strlen(body), resp));
}

/* A 429 with {"error":"rate_limited"} and 1 <= Retry-After <= max. */
static void
expect_limited(const struct hc_resp *resp, int st, long max)
{
	const char	*ra;
	long		 s;

	fx_expect_error(resp, st, 429, "rate_limited");
	if ((ra = hc_resp_header(resp, "Retry-After")) == NULL)
		fail_msg("429 without Retry-After");
	s = strtol(ra, NULL, 10);
	if (s < 1 || s > max)
		fail_msg("Retry-After: %s, want 1..%ld", ra, max);
}

/* Per address: the budget, then 429, then a full budget one window on;
 * pages and the health check are never limited. */
static void
ip_limit(void **state)
{
	static const char *const extra[] = { "--rate_limit_ip=5",
	    "--rate_limit_window=2", "--rate_limit_account=0", NULL };
	struct fx_authd	 a;
	struct hc_conn	*c;
	struct hc_resp	 resp;
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	start(&a, "limit_ip", extra);
	c = fx_connect(a.port);
	for (int i = 0; i < 5; i++)
		assert_int_equal(options(c, NULL, NULL, &resp), 200);
	st = options(c, NULL, NULL, &resp);
	expect_limited(&resp, st, WINDOW);
	/* Every unauthenticated endpoint shares the address's budget. */
	st = fx_post(c, "/v1/authentication/verify", "{}", NULL, &resp);
	expect_limited(&resp, st, WINDOW);
	st = fx_post(c, "/v1/registration/options", "{}", NULL, &resp);
	expect_limited(&resp, st, WINDOW);
	st = fx_post(c, "/v1/token", "{}", NULL, &resp);
	expect_limited(&resp, st, WINDOW);
	st = fx_post(c, "/v1/confirmations/abc/options", "{}", NULL, &resp);
	expect_limited(&resp, st, WINDOW);
	assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL, NULL, NULL,
	    0, &resp), 200);
	assert_int_not_equal(fx_req(c, "GET", "/", NULL, NULL, NULL, NULL, 0,
	    &resp), 429);
	/* The window on, the whole budget is back. */
	fx_sleep_ms(WINDOW * 1000 + 100);
	for (int i = 0; i < 5; i++)
		assert_int_equal(options(c, NULL, NULL, &resp), 200);
	st = options(c, NULL, NULL, &resp);
	expect_limited(&resp, st, WINDOW);
	hc_close(&c);
	hc_resp_free(&resp);
	stop(&a);
}

/*
 * Behind a proxy, X-Forwarded-For names the client: addresses have
 * budgets of their own, an IPv6 /64 shares one, and an account's budget
 * holds across addresses, for known and unknown names alike.
 */
static void
proxy_addresses_and_accounts(void **state)
{
	static const char *const extra[] = { "--behind_tls_proxy=true",
	    "--rate_limit_ip=3", "--rate_limit_account=4",
	    "--rate_limit_window=2", NULL };
	struct fx_authd	 a;
	struct hc_conn	*c;
	struct hc_resp	 resp;
	char		 xff[96], name[64];
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	start(&a, "limit_proxy", extra);
	c = fx_connect(a.port);
	/* One address: 3, then 429; the next address is fresh. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(options(c, NULL, "X-Forwarded-For: "
		    "198.51.100.7, 10.0.0.1", &resp), 200);
	st = options(c, NULL, "X-Forwarded-For: 198.51.100.7, 10.0.0.1",
	    &resp);
	expect_limited(&resp, st, WINDOW);
	assert_int_equal(options(c, NULL, "X-Forwarded-For: 10.0.0.2",
	    &resp), 200);
	/* Two addresses of one /64 are one client. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(options(c, NULL, "X-Forwarded-For: "
		    "2001:db8:1:2::1", &resp), 200);
	st = options(c, NULL, "X-Forwarded-For: 2001:db8:1:2:ffff::9",
	    &resp);
	expect_limited(&resp, st, WINDOW);
	assert_int_equal(options(c, NULL, "X-Forwarded-For: 2001:db8:1:3::1",
	    &resp), 200);
	/* An account: 4 from 4 addresses, the 5th refused wherever from. */
	fx_username("acct", name, sizeof(name));
	for (int i = 0; i < 4; i++) {
		fx_arg(xff, sizeof(xff), "X-Forwarded-For: 203.0.113.%d", i + 1);
		assert_int_equal(options(c, name, xff, &resp), 200);
	}
	st = options(c, name, "X-Forwarded-For: 203.0.113.99", &resp);
	expect_limited(&resp, st, WINDOW);
	/* Another name from that address is not limited. */
	assert_int_equal(options(c, "someone-else", "X-Forwarded-For: "
	    "203.0.113.99", &resp), 200);
	/* A window on, the account can sign in again. */
	fx_sleep_ms(WINDOW * 1000 + 100);
	assert_int_equal(options(c, name, "X-Forwarded-For: 203.0.113.1",
	    &resp), 200);
	hc_close(&c);
	hc_resp_free(&resp);
	stop(&a);
}

/* Without behind_tls_proxy, X-Forwarded-For is ignored: a client cannot
 * escape its budget by naming other addresses. */
static void
forwarded_ignored_without_proxy(void **state)
{
	static const char *const extra[] = { "--rate_limit_ip=3",
	    "--rate_limit_window=2", NULL };
	struct fx_authd	 a;
	struct hc_conn	*c;
	struct hc_resp	 resp;
	char		 xff[64];
	int		 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	start(&a, "limit_noproxy", extra);
	c = fx_connect(a.port);
	for (int i = 0; i < 3; i++) {
		fx_arg(xff, sizeof(xff), "X-Forwarded-For: 192.0.2.%d", i + 1);
		assert_int_equal(options(c, NULL, xff, &resp), 200);
	}
	st = options(c, NULL, "X-Forwarded-For: 192.0.2.50", &resp);
	expect_limited(&resp, st, WINDOW);
	hc_close(&c);
	hc_resp_free(&resp);
	stop(&a);
}

/* Failed sign-ins of a known user count against the account. */
static void
failed_logins_charge_account(void **state)
{
	static const char *const extra[] = { "--rate_limit_ip=0",
	    "--rate_limit_account=3", "--rate_limit_window=2", NULL };
	struct fx_authd		 a;
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_conn		*c;
	struct hc_resp		 resp;
	char			 origin[64], *code;
	int			 st;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&u, 0, sizeof(u));
	memset(&ce, 0, sizeof(ce));
	start(&a, "limit_fail", extra);
	fx_arg(origin, sizeof(origin), "http://localhost:%s", a.port);
	ce.origin = origin;
	c = fx_connect(a.port);
	fx_username("failer", u.name, sizeof(u.name));
	code = fx_enroll(a.db, u.name, "courier");
	assert_int_equal(fx_register(c, code, &u, WA_COSE_ES256, &ce, &resp),
	    201);
	free(code);
	/*
	 * Options, then a verification that fails (a wrong origin): two
	 * charges.  Options alone would allow three calls; with the failure
	 * counted, the third is refused.
	 */
	ce.origin = "http://localhost:1";
	assert_int_equal(fx_login(c, &u, false, &ce, &resp), 401);
	assert_int_equal(options(c, u.name, NULL, &resp), 200);
	st = options(c, u.name, NULL, &resp);
	expect_limited(&resp, st, WINDOW);
	hc_close(&c);
	hc_resp_free(&resp);
	fx_user_free(&u);
	stop(&a);
}

/* Request line and headers beyond 16 KiB, or too many headers. */
static void
oversized_headers(void **state)
{
	struct hc_conn	*c;
	struct hc_resp	 resp;
	char		*req;
	size_t		 n = 0, cap = 40000;
	int		 r;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_non_null(req = malloc(cap));
	n += (size_t)snprintf(req, cap, "GET /healthz HTTP/1.1\r\nHost: "
	    "127.0.0.1:%s\r\nX-Big: ", fx.port);
	memset(req + n, 'a', 20000);
	n += 20000;
	memcpy(req + n, "\r\n\r\n", 4);
	n += 4;
	c = fx_connect(NULL);
	r = hc_request_raw(c, req, n, &resp);
	/* Civetweb answers 400 (or 413) and closes; a reset is a refusal
	 * too. */
	if (r == HC_OK && resp.status != 413 && resp.status != 431 &&
	    resp.status != 400)
		fail_msg("a 20 KiB header got %d", resp.status);
	print_message("20 KiB header: %s %d\n", hc_strerr(r), resp.status);
	hc_close(&c);
	/* 100 small headers: more than Civetweb keeps (64); the one that
	 * fills its table is refused too. */
	n = (size_t)snprintf(req, cap, "GET /healthz HTTP/1.1\r\nHost: "
	    "127.0.0.1:%s\r\n", fx.port);
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(req + n, cap - n, "X-H%d: v\r\n", i);
	memcpy(req + n, "\r\n", 2);
	n += 2;
	c = fx_connect(NULL);
	r = hc_request_raw(c, req, n, &resp);
	if (r == HC_OK && resp.status != 431)
		fail_msg("100 headers got %d", resp.status);
	print_message("100 headers: %s %d\n", hc_strerr(r), resp.status);
	hc_close(&c);
	/* 62 fields and Host: served. */
	n = (size_t)snprintf(req, cap, "GET /healthz HTTP/1.1\r\nHost: "
	    "127.0.0.1:%s\r\n", fx.port);
	for (int i = 0; i < 62; i++)
		n += (size_t)snprintf(req + n, cap - n, "X-H%d: v\r\n", i);
	memcpy(req + n, "\r\n", 2);
	n += 2;
	c = fx_connect(NULL);
	assert_int_equal(hc_request_raw(c, req, n, &resp), HC_OK);
	assert_int_equal(resp.status, 200);
	hc_close(&c);
	free(req);
	hc_resp_free(&resp);
}

/* JSON nested past the cap, and a body announced too large. */
static void
deep_json_and_large_body(void **state)
{
	struct hc_conn	*c;
	struct hc_resp	 resp;
	char		 deep[256], head[512];
	size_t		 n = 0;
	int		 st, w;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	c = fx_connect(NULL);
	n += (size_t)snprintf(deep, sizeof(deep), "{\"username\":");
	for (int i = 0; i < 40; i++)
		deep[n++] = '[';
	for (int i = 0; i < 40; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	st = fx_post(c, "/v1/registration/options", deep, NULL, &resp);
	fx_expect_error(&resp, st, 400, "malformed_request");
	/* 413 on the Content-Length alone: the body is never sent. */
	w = snprintf(head, sizeof(head), "POST /v1/authentication/options "
	    "HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: "
	    "application/json\r\nContent-Length: 100000000\r\n\r\n", fx.port);
	st = hc_request_raw(c, head, (size_t)w, &resp) == HC_OK ?
	    resp.status : 0;
	fx_expect_error(&resp, st, 413, "body_too_large");
	hc_close(&c);
	hc_resp_free(&resp);
}

static int
tcp_open(const char *port)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		fail_msg("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		fail_msg("connect 127.0.0.1:%s", port);

	return (fd);
}

/* Whether the server closed fd (EOF or reset) within ms. */
static bool
closed_within(int fd, int64_t ms)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	char		buf[512];
	int64_t		deadline = fx_now_ms() + ms;

	while (fx_now_ms() < deadline) {
		if (poll(&pfd, 1, (int)(deadline - fx_now_ms())) <= 0)
			continue;
		if (read(fd, buf, sizeof(buf)) <= 0)
			return (true);
	}

	return (false);
}

/*
 * --threads=4 and a 1 s request timeout: four connections that send
 * nothing and one that sends its headers a byte at a time hold every
 * worker, yet a sixth client is served within the timeout plus slack,
 * and the server closes the idle ones and the trickler.
 */
static void
slow_clients_cut_off(void **state)
{
	static const char *const extra[] = { "--threads=4",
	    "--request_timeout_ms=1000", "--keep_alive_timeout_ms=1000",
	    NULL };
	static const char	 trickle[] = "GET /healthz HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
	struct fx_authd	 a;
	struct hc_conn	*c;
	struct hc_resp	 resp;
	int		 idle[4], slow;
	int64_t		 t0, took;
	size_t		 sent = 0;
	bool		 cut = false;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	start(&a, "limit_slow", extra);
	for (int i = 0; i < 4; i++)
		idle[i] = tcp_open(a.port);
	slow = tcp_open(a.port);
	fx_sleep_ms(100);
	t0 = fx_now_ms();
	c = fx_connect(a.port);
	assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL, NULL, NULL,
	    0, &resp), 200);
	took = fx_now_ms() - t0;
	print_message("served in %lld ms with 5 slow connections on 4 "
	    "workers\n", (long long)took);
	assert_true(took < 1000 + 2000);
	for (int i = 0; i < 4; i++) {
		assert_true(closed_within(idle[i], 3000));
		close(idle[i]);
	}
	/* The trickler: a byte every 100 ms, never finishing; the header
	 * deadline is for the whole header, not per byte. */
	t0 = fx_now_ms();
	while (!cut && sent < sizeof(trickle) - 1 &&
	    fx_now_ms() - t0 < 5000) {
		if (send(slow, trickle + sent, 1, MSG_NOSIGNAL) != 1)
			cut = true;
		else
			sent++;
		if (closed_within(slow, 100))
			cut = true;
	}
	print_message("trickler cut off after %lld ms, %zu bytes\n",
	    (long long)(fx_now_ms() - t0), sent);
	assert_true(cut);
	close(slow);
	/* An idle keep-alive connection is closed too, and reconnecting
	 * works. */
	assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL, NULL, NULL,
	    0, &resp), 200);
	fx_sleep_ms(1500);
	assert_int_equal(fx_req(c, "GET", "/healthz", NULL, NULL, NULL, NULL,
	    0, &resp), 200);
	assert_true(hc_nconnects(c) >= 2);
	hc_close(&c);
	hc_resp_free(&resp);
	stop(&a);
}

/*
 * A body trickled a byte every 20 ms is cut off with 408 once the
 * request is older than the timeout; authd reads 64 bytes per call, so
 * within 1 s + 64 * 20 ms.
 */
static void
slow_body_cut_off(void **state)
{
	static const char *const extra[] = { "--request_timeout_ms=1000",
	    NULL };
	struct fx_authd	 a;
	struct pollfd	 pfd;
	char		 head[256], buf[4096];
	ssize_t		 got;
	size_t		 n = 0;
	int64_t		 t0;
	int		 fd, w;

	(void)state;
	start(&a, "limit_body", extra);
	fd = tcp_open(a.port);
	w = snprintf(head, sizeof(head), "POST /v1/authentication/options "
	    "HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
	    "\r\nContent-Length: 4000\r\n\r\n{");
	assert_int_equal(send(fd, head, (size_t)w, MSG_NOSIGNAL), w);
	pfd.fd = fd;
	pfd.events = POLLIN;
	t0 = fx_now_ms();
	while (fx_now_ms() - t0 < 5000 && poll(&pfd, 1, 20) == 0)
		if (send(fd, " ", 1, MSG_NOSIGNAL) != 1)
			break;
	while (n < sizeof(buf) - 1 && (got = read(fd, buf + n,
	    sizeof(buf) - 1 - n)) > 0)
		n += (size_t)got;
	buf[n] = '\0';
	print_message("trickled body answered after %lld ms\n",
	    (long long)(fx_now_ms() - t0));
	assert_true(fx_now_ms() - t0 < 4000);
	if (strncmp(buf, "HTTP/1.1 408 ", 13) != 0 ||
	    strstr(buf, "request_timeout") == NULL)
		fail_msg("want 408 request_timeout, got: %.80s", buf);
	close(fd);
	stop(&a);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

#define TIMING_N	300

/*
 * Sign-in options for a known and an unknown username, interleaved:
 * their median latencies are within 1.5x of each other (the median,
 * because one slow scheduling blip moves a mean but not the middle).
 */
static void
unknown_user_same_time(void **state)
{
	static const char *const extra[] = { "--rate_limit_ip=0",
	    "--rate_limit_account=0", NULL };
	struct fx_authd		 a;
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_conn		*c;
	struct hc_resp		 resp;
	int64_t			*t[2], sum[2] = { 0, 0 }, med[2], t0;
	char			 origin[64], ghost[64], *code;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	memset(&ce, 0, sizeof(ce));
	start(&a, "limit_timing", extra);
	fx_arg(origin, sizeof(origin), "http://localhost:%s", a.port);
	ce.origin = origin;
	c = fx_connect(a.port);
	/* A known user with two passkeys, some other users around. */
	for (int i = 0; i < 3; i++) {
		struct fx_user o;

		memset(&o, 0, sizeof(o));
		fx_username("other", o.name, sizeof(o.name));
		code = fx_enroll(a.db, o.name, "courier");
		assert_int_equal(fx_register(c, code, &o, WA_COSE_ES256, &ce,
		    &resp), 201);
		free(code);
		fx_user_free(&o);
	}
	memset(&u, 0, sizeof(u));
	fx_username("known", u.name, sizeof(u.name));
	code = fx_enroll(a.db, u.name, "courier");
	assert_int_equal(fx_register(c, code, &u, WA_COSE_ES256, &ce, &resp),
	    201);
	free(code);
	fx_username("ghost", ghost, sizeof(ghost));
	assert_non_null(t[0] = calloc(TIMING_N, sizeof(int64_t)));
	assert_non_null(t[1] = calloc(TIMING_N, sizeof(int64_t)));
	/* Warm up both paths (statement cache, pages). */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(options(c, u.name, NULL, &resp), 200);
		assert_int_equal(options(c, ghost, NULL, &resp), 200);
	}
	for (int i = 0; i < TIMING_N; i++)
		for (int k = 0; k < 2; k++) {
			/* Alternate which goes first. */
			int which = (i + k) % 2;

			t0 = now_us_fx();
			assert_int_equal(options(c, which == 0 ? u.name :
			    ghost, NULL, &resp), 200);
			t[which][i] = now_us_fx() - t0;
			sum[which] += t[which][i];
		}
	for (int k = 0; k < 2; k++) {
		qsort(t[k], TIMING_N, sizeof(int64_t), cmp_i64);
		med[k] = t[k][TIMING_N / 2];
	}
	print_message("options latency, known vs unknown: mean %lld vs %lld "
	    "us, median %lld vs %lld us\n", (long long)(sum[0] / TIMING_N),
	    (long long)(sum[1] / TIMING_N), (long long)med[0],
	    (long long)med[1]);
	assert_true(med[0] * 2 < med[1] * 3 && med[1] * 2 < med[0] * 3);
	free(t[0]);
	free(t[1]);
	hc_close(&c);
	hc_resp_free(&resp);
	fx_user_free(&u);
	stop(&a);
}

static int
group_setup(void **state)
{
	(void)state;

	return (fx_env_load());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ip_limit),
		cmocka_unit_test(proxy_addresses_and_accounts),
		cmocka_unit_test(forwarded_ignored_without_proxy),
		cmocka_unit_test(failed_logins_charge_account),
		cmocka_unit_test(oversized_headers),
		cmocka_unit_test(deep_json_and_large_body),
		cmocka_unit_test(slow_clients_cut_off),
		cmocka_unit_test(slow_body_cut_off),
		cmocka_unit_test(unknown_user_same_time),
	};

	/* HTTPT_FILTER=pattern runs only the matching cases (cmocka 1.1.5+). */
	if (getenv("HTTPT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("HTTPT_FILTER"));

	return (cmocka_run_group_tests_name("http_limits", tests, group_setup,
	    NULL));
}
