/*
 * fixture.c: the shared side of the HTTP integration programs (see
 * fixture.h): the environment from run.sh, requests, authctl and node
 * as child processes, passkey ceremonies with softauth, and extra authd
 * instances with their own ports, databases and logs.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

extern char	**environ;

struct fx_env	fx;

static const char *
env(const char *name, bool required)
{
	const char *v = getenv(name);

	if ((v == NULL || *v == '\0') && required) {
		fprintf(stderr, "fixture: %s is not set; run tests/http/run.sh"
		    "\n", name);
		return (NULL);
	}

	return (v != NULL && *v != '\0' ? v : NULL);
}

int
fx_env_load(void)
{
	if ((fx.authd = env("HTTPT_AUTHD", true)) == NULL ||
	    (fx.authctl = env("HTTPT_AUTHCTL", true)) == NULL ||
	    (fx.tmp = env("HTTPT_TMP", true)) == NULL ||
	    (fx.db = env("HTTPT_DB", true)) == NULL ||
	    (fx.port = env("HTTPT_PORT", true)) == NULL ||
	    (fx.log = env("HTTPT_LOG", true)) == NULL ||
	    (fx.jose = env("HTTPT_JOSE", true)) == NULL)
		return (-1);
	fx.first_admin = env("HTTPT_FIRST_ADMIN_CODE", false);
	/* A child that exits early, or a TLS peer that closes, must not
	 * kill the test program; children get the default back. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(fx.origin, sizeof(fx.origin), "http://localhost:%s",
	    fx.port);
	snprintf(fx.issuer, sizeof(fx.issuer), "%s", fx.origin);
	snprintf(fx.jwks, sizeof(fx.jwks),
	    "http://127.0.0.1:%s/.well-known/jwks.json", fx.port);

	return (0);
}

int64_t
fx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void
fx_sleep_ms(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct hc_conn *
fx_connect(const char *port)
{
	struct hc_opts	 o;
	struct hc_conn	*c = NULL;
	char		 err[256];

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = port != NULL ? port : fx.port;
	if (hc_connect(&o, &c, err, sizeof(err)) != HC_OK)
		fail_msg("connect 127.0.0.1:%s: %s", o.port, err);

	return (c);
}

int
fx_req(struct hc_conn *c, const char *method, const char *path,
    const char *ctype, const char *bearer, const char *extra,
    const void *body, size_t len, struct hc_resp *resp)
{
	const char	*h[4];
	char		 ct[128], auth[9000];
	size_t		 n = 0;
	int		 r;

	if (ctype != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h[n++] = ct;
	}
	if (bearer != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    bearer);
		h[n++] = auth;
	}
	if (extra != NULL)
		h[n++] = extra;
	h[n] = NULL;
	if ((r = hc_request(c, method, path, h, body, len, resp)) != HC_OK) {
		print_error("%s %s: %s: %s\n", method, path, hc_strerr(r),
		    hc_errmsg(c));
		return (0);
	}

	return (resp->status);
}

int
fx_post(struct hc_conn *c, const char *path, const char *json,
    const char *bearer, struct hc_resp *resp)
{
	return (fx_req(c, "POST", path, "application/json", bearer, NULL,
	    json, strlen(json), resp));
}

json_t *
fx_json(const struct hc_resp *resp)
{
	json_error_t	 jerr;
	json_t		*j;

	if (resp->body == NULL)
		return (NULL);
	j = json_loadb(resp->body, resp->body_len, 0, &jerr);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return (NULL);
	}

	return (j);
}

void
fx_expect_error(const struct hc_resp *resp, int got, int status,
    const char *code)
{
	json_t		*j;
	const char	*e, *m;
	char		 eb[128], mb[512];

	if (got != status)
		fail_msg("status %d, want %d; body: %s", got, status,
		    resp->body != NULL ? resp->body : "");
	if ((j = fx_json(resp)) == NULL)
		fail_msg("error body is not JSON: %s", resp->body);
	e = json_string_value(json_object_get(j, "error"));
	m = json_string_value(json_object_get(j, "message"));
	if (e == NULL || strcmp(e, code) != 0 || m == NULL || *m == '\0') {
		/* Copies: the strings go with j. */
		snprintf(eb, sizeof(eb), "%s", e != NULL ? e : "(none)");
		snprintf(mb, sizeof(mb), "%s", m != NULL ? m : "(none)");
		json_decref(j);
		fail_msg("error %s, want %s (message %s)", eb, code, mb);
	}
	assert_string_equal(hc_resp_header(resp, "Content-Type"),
	    "application/json");
	json_decref(j);
}

/* Drains fds[0..1] into out[0..1] until both are at EOF. */
static void
drain(int fds[2], char *out[2])
{
	struct pollfd	pfd[2];
	size_t		len[2] = { 0, 0 };
	char		junk[4096], *dst;
	size_t		room;
	ssize_t		n;
	int		open_fds = 2;

	for (int i = 0; i < 2; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
		if (out[i] != NULL)
			out[i][0] = '\0';
	}
	while (open_fds > 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			if (out[i] != NULL && len[i] < FX_MAX_OUT - 1) {
				dst = out[i] + len[i];
				room = FX_MAX_OUT - 1 - len[i];
			} else {
				dst = junk;
				room = sizeof(junk);
			}
			n = read(pfd[i].fd, dst, room);
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			if (dst != junk) {
				len[i] += (size_t)n;
				out[i][len[i]] = '\0';
			}
		}
	}
}

/* Children start with SIGPIPE at its default. */
static void
spawn_attr(posix_spawnattr_t *sa)
{
	sigset_t def;

	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_init(sa);
	posix_spawnattr_setsigdefault(sa, &def);
	posix_spawnattr_setflags(sa, POSIX_SPAWN_SETSIGDEF);
}

int
fx_run(char *const *argv, const char *in, char *out, char *err)
{
	posix_spawnattr_t		 sa;
	posix_spawn_file_actions_t	 fa;
	int				 po[2], pe[2], pi[2] = { -1, -1 };
	int				 fds[2], st, r;
	char				*outs[2];
	pid_t				 pid;

	if (pipe(po) < 0 || pipe(pe) < 0)
		fail_msg("pipe: %s", strerror(errno));
	if (in != NULL && pipe(pi) < 0)
		fail_msg("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	if (in != NULL) {
		posix_spawn_file_actions_adddup2(&fa, pi[0], 0);
		posix_spawn_file_actions_addclose(&fa, pi[1]);
	} else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
		    O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	spawn_attr(&sa);
	r = posix_spawnp(&pid, argv[0], &fa, &sa, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	close(po[1]);
	close(pe[1]);
	if (in != NULL) {
		close(pi[0]);
		if (r == 0)
			(void)!write(pi[1], in, strlen(in));
		close(pi[1]);
	}
	if (r != 0) {
		close(po[0]);
		close(pe[0]);
		fail_msg("spawn %s: %s", argv[0], strerror(r));
	}
	fds[0] = po[0];
	fds[1] = pe[0];
	outs[0] = out;
	outs[1] = err;
	drain(fds, outs);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));

	return (WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int
fx_authctl(const char *db, char *out, char *err, ...)
{
	char	*argv[16];
	size_t	 n = 0;
	va_list	 ap;

	argv[n++] = (char *)(uintptr_t)fx.authctl;
	argv[n++] = (char *)(uintptr_t)"--db";
	argv[n++] = (char *)(uintptr_t)(db != NULL ? db : fx.db);
	va_start(ap, err);
	while (n < 15 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;

	return (fx_run(argv, NULL, out, err));
}

/* The string member name of the JSON object text, strdup'd. */
static char *
member(const char *text, const char *name)
{
	json_error_t	 jerr;
	json_t		*j;
	const char	*v;
	char		*s = NULL;

	if ((j = json_loads(text, 0, &jerr)) == NULL)
		return (NULL);
	if ((v = json_string_value(json_object_get(j, name))) != NULL)
		s = strdup(v);
	json_decref(j);

	return (s);
}

char *
fx_enroll(const char *db, const char *user, const char *role)
{
	char	*out, *err, *code = NULL;
	int	 st;

	if ((out = malloc(FX_MAX_OUT)) == NULL ||
	    (err = malloc(FX_MAX_OUT)) == NULL)
		fail_msg("out of memory");
	st = fx_authctl(db, out, err, "enroll", user, role, NULL);
	if (st != 0 || (code = member(out, "code")) == NULL)
		fail_msg("authctl enroll %s %s: status %d: %s%s", user, role,
		    st, out, err);
	free(out);
	free(err);

	return (code);
}

char *
fx_service_add(const char *name, const char *aud)
{
	char	*out, *err, *key = NULL;
	int	 st;

	if ((out = malloc(FX_MAX_OUT)) == NULL ||
	    (err = malloc(FX_MAX_OUT)) == NULL)
		fail_msg("out of memory");
	st = fx_authctl(NULL, out, err, "service", "add", name, aud, NULL);
	if (st != 0 || (key = member(out, "api_key")) == NULL ||
	    strncmp(key, "sk_", 3) != 0)
		fail_msg("authctl service add %s %s: status %d: %s%s", name,
		    aud, st, out, err);
	free(out);
	free(err);

	return (key);
}

void
fx_username(const char *prefix, char *buf, size_t len)
{
	static unsigned int n;

	snprintf(buf, len, "%s%u-%ld", prefix, __atomic_add_fetch(&n, 1,
	    __ATOMIC_SEQ_CST), (long)getpid());
}

char *
fx_b64url(const unsigned char *p, size_t n)
{
	char *s;

	if ((s = sa_b64url(p, n)) == NULL)
		fail_msg("sa_b64url");

	return (s);
}

static void
get_b64(const char *json, const char *path, unsigned char **p, size_t *n)
{
	if (sa_json_get_b64(json, path, p, n) != 0)
		fail_msg("no base64url %s in %s", path, json);
}

int
fx_reg_options(struct hc_conn *c, const char *code, const char *bearer,
    const char *label, json_t **options, unsigned char **chal,
    size_t *chal_len, struct fx_user *u)
{
	struct hc_resp	 resp;
	json_t		*req;
	unsigned char	*h;
	char		*body;
	size_t		 hl;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	*chal = NULL;
	*chal_len = 0;
	if (options != NULL)
		*options = NULL;
	req = code != NULL ? json_pack("{s:s, s:s}", "code", code, "label",
	    label) : json_pack("{s:s}", "label", label);
	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL)
		fail_msg("json_pack");
	json_decref(req);
	st = fx_post(c, "/v1/registration/options", body, bearer, &resp);
	free(body);
	if (st == 200) {
		get_b64(resp.body, "challenge", chal, chal_len);
		get_b64(resp.body, "user.id", &h, &hl);
		if (hl > sizeof(u->handle))
			fail_msg("user.id of %zu bytes", hl);
		memcpy(u->handle, h, hl);
		u->handle_len = hl;
		free(h);
		if (options != NULL)
			*options = fx_json(&resp);
	} else if (options != NULL)
		*options = fx_json(&resp);
	hc_resp_free(&resp);

	return (st);
}

static void
params(struct sa_params *p, const struct fx_ceremony *ce,
    const unsigned char *chal, size_t chal_len)
{
	memset(p, 0, sizeof(*p));
	p->rp_id = ce != NULL && ce->rp_id != NULL ? ce->rp_id : "localhost";
	p->origin = ce != NULL && ce->origin != NULL ? ce->origin : fx.origin;
	p->challenge = chal;
	p->challenge_len = chal_len;
	p->flags = ce != NULL && ce->flags != 0 ? ce->flags : FX_UP_UV;
	p->fmt = ce != NULL && ce->fmt != NULL ? ce->fmt : "none";
}

static int
register_with(struct hc_conn *c, const char *code, const char *bearer,
    struct fx_user *u, int alg, const struct fx_ceremony *ce,
    struct hc_resp *resp)
{
	struct sa_params	 p;
	unsigned char		*chal = NULL;
	size_t			 chal_len;
	char			*json;
	int			 st;

	if (u->cred == NULL && (u->cred = sa_cred_new(alg)) == NULL)
		fail_msg("sa_cred_new(%d)", alg);
	st = fx_reg_options(c, code, bearer, "test device", NULL, &chal,
	    &chal_len, u);
	if (st != 200)
		return (st);
	params(&p, ce, chal, chal_len);
	if (ce != NULL && ce->sign_count_set)
		p.sign_count = ce->sign_count;
	json = sa_make_registration_ex(u->cred, &p, ce != NULL ? ce->hooks :
	    NULL);
	free(chal);
	if (json == NULL)
		fail_msg("sa_make_registration");
	st = fx_post(c, "/v1/registration/verify", json, NULL, resp);
	free(json);
	if (st == 201)
		u->count = p.sign_count + 1;

	return (st);
}

int
fx_register(struct hc_conn *c, const char *code, struct fx_user *u,
    int alg, const struct fx_ceremony *ce, struct hc_resp *resp)
{
	return (register_with(c, code, NULL, u, alg, ce, resp));
}

int
fx_register_device(struct hc_conn *c, const char *bearer, struct fx_user *u,
    int alg, struct hc_resp *resp)
{
	return (register_with(c, NULL, bearer, u, alg, NULL, resp));
}

void
fx_new_user(struct hc_conn *c, const char *prefix, const char *role,
    int alg, struct fx_user *u)
{
	struct hc_resp	 resp;
	char		*code;
	int		 st;

	memset(u, 0, sizeof(*u));
	memset(&resp, 0, sizeof(resp));
	fx_username(prefix, u->name, sizeof(u->name));
	code = fx_enroll(NULL, u->name, role);
	if ((st = fx_register(c, code, u, alg, NULL, &resp)) != 201)
		fail_msg("register %s: %d %s", u->name, st, resp.body);
	free(code);
	hc_resp_free(&resp);
}

void
fx_user_free(struct fx_user *u)
{
	sa_cred_free(&u->cred);
}

int
fx_login_options(struct hc_conn *c, const char *username,
    unsigned char **chal, size_t *chal_len, json_t **options)
{
	struct hc_resp	 resp;
	json_t		*req;
	char		*body;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	*chal = NULL;
	if (options != NULL)
		*options = NULL;
	req = username != NULL ? json_pack("{s:s}", "username", username) :
	    json_object();
	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL)
		fail_msg("json_pack");
	json_decref(req);
	st = fx_post(c, "/v1/authentication/options", body, NULL, &resp);
	free(body);
	if (st == 200)
		get_b64(resp.body, "challenge", chal, chal_len);
	if (options != NULL)
		*options = fx_json(&resp);
	hc_resp_free(&resp);

	return (st);
}

char *
fx_assertion(const struct fx_user *u, const unsigned char *chal,
    size_t chal_len, const struct fx_ceremony *ce)
{
	struct sa_params	 p;
	char			*json;

	params(&p, ce, chal, chal_len);
	p.fmt = NULL;
	p.sign_count = ce != NULL && ce->sign_count_set ? ce->sign_count :
	    u->count;
	if (ce == NULL || !ce->no_user_handle) {
		p.user_handle = u->handle;
		p.user_handle_len = u->handle_len;
	}
	if ((json = sa_make_assertion_ex(u->cred, &p, ce != NULL ?
	    ce->hooks : NULL)) == NULL)
		fail_msg("sa_make_assertion");

	return (json);
}

int
fx_login(struct hc_conn *c, struct fx_user *u, bool discoverable,
    const struct fx_ceremony *ce, struct hc_resp *resp)
{
	unsigned char	*chal;
	size_t		 chal_len;
	char		*json;
	int		 st;

	if ((st = fx_login_options(c, discoverable ? NULL : u->name, &chal,
	    &chal_len, NULL)) != 200)
		fail_msg("authentication options: %d", st);
	json = fx_assertion(u, chal, chal_len, ce);
	free(chal);
	st = fx_post(c, "/v1/authentication/verify", json, NULL, resp);
	free(json);
	if (st == 200 && (ce == NULL || !ce->sign_count_set))
		u->count++;
	else if (st == 200)
		u->count = ce->sign_count + 1;

	return (st);
}

void
fx_login_ok(struct hc_conn *c, struct fx_user *u, char **at, char **rt)
{
	struct hc_resp	 resp;
	json_t		*j;
	const char	*a = NULL, *r = NULL;
	int		 st;

	memset(&resp, 0, sizeof(resp));
	if ((st = fx_login(c, u, false, NULL, &resp)) != 200)
		fail_msg("login %s: %d %s", u->name, st, resp.body);
	if ((j = fx_json(&resp)) == NULL ||
	    (a = json_string_value(json_object_get(j, "access_token"))) ==
	    NULL ||
	    (r = json_string_value(json_object_get(j, "refresh_token"))) ==
	    NULL)
		fail_msg("login %s: no tokens: %s", u->name, resp.body);
	if (at != NULL && (*at = strdup(a)) == NULL)
		fail_msg("strdup");
	if (rt != NULL && (*rt = strdup(r)) == NULL)
		fail_msg("strdup");
	json_decref(j);
	hc_resp_free(&resp);
}

int
fx_jose(const char *jwks, const char *aud, const char *iss,
    const char *token, char *out)
{
	char	 script[512], *err;
	char	*argv[] = { (char *)(uintptr_t)"node", script,
		    (char *)(uintptr_t)jwks, (char *)(uintptr_t)aud,
		    (char *)(uintptr_t)iss, (char *)(uintptr_t)"-", NULL };
	int	 st;

	if ((err = malloc(FX_MAX_OUT)) == NULL)
		fail_msg("out of memory");
	snprintf(script, sizeof(script), "%s/verify.mjs", fx.jose);
	st = fx_run(argv, token, out, err);
	if (st != 0 && st != 1)
		fail_msg("node verify.mjs: status %d: %s%s", st, out, err);
	free(err);

	return (st);
}

json_t *
fx_jwt_part(const char *jwt, int part)
{
	const char	*p = jwt, *e;
	unsigned char	 buf[8192];
	size_t		 n;
	json_error_t	 jerr;

	for (int i = 0; i < part && p != NULL; i++)
		if ((p = strchr(p, '.')) != NULL)
			p++;
	if (p == NULL || (e = strchr(p, '.')) == NULL)
		return (NULL);
	if (wa_b64url_decode(p, (size_t)(e - p), buf, sizeof(buf),
	    &n) != WA_OK)
		return (NULL);

	return (json_loadb((const char *)buf, n, 0, &jerr));
}

json_t *
fx_introspect(struct hc_conn *c, const char *key, const char *token,
    int *status)
{
	struct hc_resp	 resp;
	char		*body;
	size_t		 n = 0, len = strlen(token);
	json_t		*j;
	static const char hex[] = "0123456789ABCDEF";

	memset(&resp, 0, sizeof(resp));
	if ((body = malloc(6 + 3 * len + 1)) == NULL)
		fail_msg("out of memory");
	memcpy(body, "token=", 6);
	n = 6;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)token[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~')
			body[n++] = (char)ch;
		else {
			body[n++] = '%';
			body[n++] = hex[ch >> 4];
			body[n++] = hex[ch & 15];
		}
	}
	body[n] = '\0';
	*status = fx_req(c, "POST", "/v1/introspect",
	    "application/x-www-form-urlencoded", key, NULL, body, n, &resp);
	free(body);
	j = fx_json(&resp);
	hc_resp_free(&resp);

	return (j);
}

void
fx_free_port(char *buf, size_t len)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		fail_msg("free port: %s", strerror(errno));
	close(fd);
	snprintf(buf, len, "%u", (unsigned int)ntohs(sin.sin_port));
}

bool
fx_file_has(const char *path, const char *needle)
{
	FILE	*f;
	char	*buf;
	size_t	 n;
	bool	 r;

	if ((f = fopen(path, "r")) == NULL)
		return (false);
	if ((buf = malloc(1 << 20)) == NULL) {
		fclose(f);
		return (false);
	}
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	r = strstr(buf, needle) != NULL;
	free(buf);

	return (r);
}

int
fx_authd_start(struct fx_authd *a, const char *name,
    const char *const *args)
{
	posix_spawnattr_t		 sa;
	posix_spawn_file_actions_t	 fa;
	char				*argv[40], dbarg[600];
	size_t				 n = 0;
	bool				 has_db = false;
	int64_t				 deadline;
	int				 r, st;

	snprintf(a->log, sizeof(a->log), "%s/%s.log", fx.tmp, name);
	snprintf(a->out, sizeof(a->out), "%s/%s.out", fx.tmp, name);
	snprintf(a->db, sizeof(a->db), "%s/%s.db", fx.tmp, name);
	a->status = -1;
	argv[n++] = (char *)(uintptr_t)fx.authd;
	for (size_t i = 0; args[i] != NULL && n < 37; i++) {
		if (strncmp(args[i], "--database", 10) == 0)
			has_db = true;
		argv[n++] = (char *)(uintptr_t)args[i];
	}
	if (!has_db) {
		snprintf(dbarg, sizeof(dbarg), "--database=%s", a->db);
		argv[n++] = dbarg;
	}
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, a->out,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, a->log,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	spawn_attr(&sa);
	r = posix_spawn(&a->pid, fx.authd, &fa, &sa, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	if (r != 0) {
		print_error("spawn %s: %s\n", fx.authd, strerror(r));
		return (-1);
	}
	for (deadline = fx_now_ms() + 10000; fx_now_ms() < deadline;
	    fx_sleep_ms(20)) {
		if (waitpid(a->pid, &st, WNOHANG) == a->pid) {
			a->pid = 0;
			a->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			return (1);
		}
		if (fx_file_has(a->log, "\"event\":\"started\""))
			return (0);
	}
	print_error("authd %s did not start within 10 s\n", name);
	(void)fx_authd_stop(a, SIGKILL);

	return (-1);
}

int
fx_authd_stop(struct fx_authd *a, int sig)
{
	int64_t	deadline;
	int	st;

	if (a->pid <= 0)
		return (a->status);
	if (kill(a->pid, sig) < 0)
		return (-1);
	for (deadline = fx_now_ms() + 10000; fx_now_ms() < deadline;
	    fx_sleep_ms(10))
		if (waitpid(a->pid, &st, WNOHANG) == a->pid) {
			a->pid = 0;
			a->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			return (a->status);
		}
	print_error("authd did not exit within 10 s of signal %d\n", sig);
	(void)kill(a->pid, SIGKILL);
	(void)waitpid(a->pid, &st, 0);
	a->pid = 0;

	return (-1);
}

void
fx_arg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}
