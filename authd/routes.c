/*
 * routes.c: the route table, the per-request envelope (request id,
 * method check, logging, metrics), per-worker store connections, the
 * relying-party policy per role, and caller authentication.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "civetweb.h"

#include "authd/authd.h"
#include "authd/kek.h"
#include "authd/keys.h"
#include "authd/ratelimit.h"
#include "authd/routes.h"

struct route {
	const char	*method;
	const char	*path;		/* ending in '/': a prefix */
	int		(*fn)(struct http_req *);
};

static const struct route routes[] = {
	{ "POST", "/v1/enrollments", route_enrollments },
	{ "POST", "/v1/registration/options", route_registration_options },
	{ "POST", "/v1/registration/verify", route_registration_verify },
	{ "POST", "/v1/authentication/options", route_authentication_options },
	{ "POST", "/v1/authentication/verify", route_authentication_verify },
	{ "POST", "/v1/token", route_token },
	{ "POST", "/v1/logout", route_logout },
	{ "POST", "/v1/introspect", route_introspect },
	{ "GET", "/v1/me", route_me },
	{ "GET", "/v1/admin/users", route_admin_users },
	{ "GET", "/v1/admin/users/", route_admin_user_credentials },
	{ "DELETE", "/v1/admin/credentials/", route_admin_revoke },
	{ "GET", "/v1/admin/audit", route_admin_audit },
	{ "POST", "/v1/deliveries/", route_delivery_create },
	{ "GET", "/v1/confirmations/", route_confirmation_get },
	{ "POST", "/v1/confirmations/", route_confirmation_step },
	{ "GET", "/v1/revocations", route_revocations },
	{ "GET", "/.well-known/jwks.json", route_jwks },
	{ "GET", "/healthz", route_healthz },
	{ "GET", "/metrics", route_metrics },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static _Thread_local struct store	*tl_store;

struct store *
route_store(void)
{
	if (tl_store == NULL && store_open(srv->cfg.database,
	    &tl_store) != STORE_OK)
		tl_store = NULL;

	return (tl_store);
}

void
routes_thread_exit(void)
{
	store_close(&tl_store);
}

/*
 * The sign-in reads go to a few shared connections instead of the
 * worker's own.  In WAL mode a connection empties its page cache when
 * it starts reading after any commit, and the group commit commits many
 * times a second, so each of the workers' many connections read every
 * B-tree from the root again on nearly every request.  A shared
 * connection serves many requests between two commits, and after the
 * first of them finds the upper pages of each tree in its cache.  A
 * reader is held only for the reads, never across cryptography or a
 * wait for the writer.  There are twice as many as CPUs, from 4 to 16.
 */
#define READERS_MAX	16

struct reader {
	pthread_mutex_t	 mtx;
	struct store	*st;
};

static struct reader	readers[READERS_MAX];
static size_t		nreaders;

static void
readers_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	nreaders = n < 2 ? 4 : n > READERS_MAX / 2 ? READERS_MAX :
	    (size_t)(2 * n);
	for (size_t i = 0; i < nreaders; i++) {
		pthread_mutex_init(&readers[i].mtx, NULL);
		readers[i].st = NULL;
	}
}

static void
readers_fini(void)
{
	for (size_t i = 0; i < nreaders; i++) {
		store_close(&readers[i].st);
		pthread_mutex_destroy(&readers[i].mtx);
	}
	nreaders = 0;
}

struct store *
route_reader(void)
{
	static _Thread_local size_t	 hint = SIZE_MAX;
	struct reader			*rd = NULL;

	if (nreaders == 0)
		return (NULL);	/* before routes_init() or after the end */
	if (hint == SIZE_MAX) {
		unsigned char b;

		rand_bytes(&b, 1);
		hint = b;
	}
	/* A free one if there is one, starting from this thread's own. */
	for (size_t i = 0; i < nreaders && rd == NULL; i++)
		if (pthread_mutex_trylock(&readers[(hint + i) %
		    nreaders].mtx) == 0)
			rd = &readers[(hint + i) % nreaders];
	if (rd == NULL) {
		rd = &readers[hint % nreaders];
		pthread_mutex_lock(&rd->mtx);
	}
	if (rd->st == NULL && store_open(srv->cfg.database, &rd->st) !=
	    STORE_OK) {
		rd->st = NULL;
		pthread_mutex_unlock(&rd->mtx);
		return (NULL);
	}

	return (rd->st);
}

void
route_reader_done(struct store *st)
{
	for (size_t i = 0; i < nreaders; i++)
		if (readers[i].st == st && st != NULL) {
			/* The next caller must not inherit a snapshot. */
			if (store_settle(st) != 0)
				log_warning("reader_left_reading", NULL);
			pthread_mutex_unlock(&readers[i].mtx);
			return;
		}
	abort();	/* not a reader: a bug */
}

void
route_store_error(struct http_req *r, int e)
{
	switch (e) {
	case STORE_ERR_NOT_FOUND:
		http_error(r, 404, "not_found", "no such item");
		break;
	case STORE_ERR_EXISTS:
		http_error(r, 409, "conflict", "the item exists already");
		break;
	case STORE_ERR_FULL:
	case STORE_ERR_IO:
	case STORE_ERR_BUSY:
	case STORE_ERR_NOMEM:
		log_event("store_error", "rid", r->id, "error",
		    store_strerr(e), NULL);
		http_error(r, 503, "unavailable",
		    "the service is unavailable; try again later");
		break;
	default:
		log_event("store_error", "rid", r->id, "error",
		    store_strerr(e), NULL);
		http_error(r, 500, "internal_error", "internal error");
		break;
	}
}

static bool
path_matches(const char *pattern, const char *uri)
{
	size_t n = strlen(pattern);

	if (pattern[n - 1] == '/')
		return (strncmp(uri, pattern, n) == 0 && uri[n] != '\0');

	return (strcmp(uri, pattern) == 0);
}

/* A request id: 8 random bytes in hex.  Not secret, only unique. */
static void
request_id(char out[17])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		b[8];

	rand_bytes(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 0x0f];
	}
	out[16] = '\0';
}

/*
 * Every request comes here: the API routes by path and method, anything
 * else GET goes to the pages.  Each request gets an id, one log line and
 * its latency in the metrics.
 */
static int
dispatch(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info	*ri = mg_get_request_info(conn);
	const struct route		*rt = NULL;
	struct http_req			 r;
	char				 allow[64] = "";

	(void)cbdata;
	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.start_us = now_us();
	request_id(r.id);
	r.method = ri->request_method;
	r.path = "(page)";
	for (size_t i = 0; i < NROUTES; i++) {
		if (!path_matches(routes[i].path, ri->local_uri))
			continue;
		r.path = routes[i].path;
		if (strcmp(ri->request_method, routes[i].method) == 0) {
			rt = &routes[i];
			break;
		}
		/* Every method the path has, for the Allow header. */
		if (strstr(allow, routes[i].method) == NULL)
			snprintf(allow + strlen(allow), sizeof(allow) -
			    strlen(allow), "%s%s", allow[0] != '\0' ? ", " : "",
			    routes[i].method);
	}
	if (ri->num_headers >= MG_MAX_HEADERS) {
		/*
		 * Civetweb keeps the first MG_MAX_HEADERS fields and drops
		 * the rest silently, a Content-Length among them maybe:
		 * refuse, and let Civetweb close the connection.
		 */
		r.status = 431;
		r.error = "too_many_headers";
		mg_send_http_error(conn, 431, "%s", "too many header fields");
	} else if (rt == NULL && allow[0] != '\0') {
		r.status = 405;
		mg_printf(conn, "HTTP/1.1 405 Method Not Allowed\r\n"
		    "Allow: %s\r\nContent-Length: 0\r\n"
		    "X-Request-Id: %s\r\n\r\n", allow, r.id);
	} else if (rt == NULL && strncmp(ri->local_uri, "/v1/", 4) == 0)
		http_error(&r, 404, "not_found", "no such endpoint");
	else if (rt == NULL)
		(void)route_page(&r);
	else if (ratelimit_applies(rt->method, rt->path) &&
	    ratelimit_check_ip(&r) < 0)
		;	/* 429 sent */
	else if ((r.st = route_store()) == NULL)
		http_error(&r, 503, "unavailable",
		    "the database is unavailable");
	else
		(void)rt->fn(&r);
	if (r.status == 0)
		http_error(&r, 500, "internal_error", "internal error");
	log_request(&r);
	metrics_request(r.status, now_us() - r.start_us);

	return (r.status);
}

void
routes_register(struct mg_context *ctx)
{
	mg_set_request_handler(ctx, "/", dispatch, NULL);
}

static int
load_anchor(struct wa_rp *rp, const char *path, char *err, size_t errlen)
{
	FILE		*f;
	unsigned char	*buf;
	size_t		 n;
	int		 r;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "trust_anchors: cannot open %s", path);
		return (-1);
	}
	if ((buf = malloc(1 << 20)) == NULL) {
		fclose(f);
		return (-1);
	}
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	r = wa_rp_add_trust_anchor(rp, buf, n);
	free(buf);
	if (r != WA_OK) {
		snprintf(err, errlen, "trust_anchors: %s is not a PEM or DER "
		    "certificate", path);
		return (-1);
	}

	return (0);
}

int
routes_init(char *err, size_t errlen)
{
	struct store	*st = NULL;
	char		 src[CFG_MAX_STR + 8];
	bool		 created;
	int		 e;

	if ((e = store_open(srv->cfg.database, &st)) != STORE_OK) {
		snprintf(err, errlen, "database %s: %s", srv->cfg.database,
		    store_strerr(e));
		return (-1);
	}
	/*
	 * Before anything reads a sealed field; every worker's connection
	 * then finds the data-encryption key by itself.
	 */
	if (kek_unlock(&srv->cfg, st, &created, src, sizeof(src), err,
	    errlen) < 0) {
		store_close(&st);
		return (-1);
	}
	if (created)
		log_event("kek_created", "file", src, "mode", "0600", NULL);
	if (kek_beside_database(&srv->cfg, src))
		log_warning("kek_beside_database", "file", src, "hint",
		    "a copy of this directory holds the data and its key; "
		    "move the file elsewhere and set kek_file, or use "
		    "AUTHD_KEK", NULL);
	route_login_init();
	readers_init();
	if (keys_init(st, err, errlen) < 0) {
		store_close(&st);
		return (-1);
	}
	store_close(&st);
	for (int role = STORE_ROLE_COURIER; role <= STORE_ROLE_ADMIN; role++) {
		struct wa_rp		*rp;
		const struct cfg_role	*cr = &srv->cfg.roles[role];

		if ((rp = srv->rp[role] = wa_rp_new()) == NULL ||
		    wa_rp_set_id(rp, srv->cfg.rp_id) != WA_OK ||
		    wa_rp_set_require_uv(rp, cr->uv == CFG_UV_REQUIRED) !=
		    WA_OK || wa_rp_set_attestation_policy(rp,
		    cr->attestation == CFG_ATT_TRUSTED ?
		    WA_ATT_POLICY_TRUSTED : WA_ATT_POLICY_ANY) != WA_OK) {
			snprintf(err, errlen, "rp_id: '%s' is not usable",
			    srv->cfg.rp_id);
			return (-1);
		}
		for (size_t i = 0; i < srv->cfg.norigins; i++)
			if (wa_rp_add_origin(rp, srv->cfg.origins[i]) !=
			    WA_OK) {
				snprintf(err, errlen, "origins: '%s' is not "
				    "usable", srv->cfg.origins[i]);
				return (-1);
			}
		for (size_t i = 0; i < srv->cfg.nanchors; i++)
			if (load_anchor(rp, srv->cfg.trust_anchors[i], err,
			    errlen) < 0)
				return (-1);
	}

	return (0);
}

void
routes_fini(void)
{
	for (int role = 0; role < 4; role++)
		wa_rp_free(&srv->rp[role]);
	keys_fini();
	readers_fini();
	store_close(&tl_store);
	store_writer_stop();
	store_lock();
}

void
routes_first_admin(void)
{
	struct store		*st = NULL;
	struct store_user	 u;
	unsigned char		 code[32], hash[32];
	char			*b64 = NULL;
	bool			 exists = false;
	int64_t			 now = now_s();

	if (store_open(srv->cfg.database, &st) != STORE_OK)
		return;
	if (store_admin_exists(st, &exists) != STORE_OK || exists)
		goto done;
	if (store_user_ensure(st, "admin", STORE_ROLE_ADMIN, "Administrator",
	    now, &u) != STORE_OK)
		goto done;
	rand_bytes(code, sizeof(code));
	if (SHA256(code, sizeof(code), hash) == NULL ||
	    store_enroll_put(st, hash, u.id, STORE_ROLE_ADMIN, now,
	    now + srv->cfg.enrollment_lifetime) != STORE_OK ||
	    (b64 = wa_b64url_encode(code, sizeof(code))) == NULL)
		goto done;
	/* On standard output, never in the log. */
	printf("\nNo admin has a passkey yet.  Enroll the first admin "
	    "within %lld hours at:\n\n    %s/enroll?code=%s\n\n",
	    (long long)(srv->cfg.enrollment_lifetime / 3600),
	    srv->cfg.origins[0], b64);
	fflush(stdout);
	log_event("enrollment_issued", "user", "admin", "role", "admin",
	    "by", "startup", NULL);
done:
	free(b64);
	store_close(&st);
}

/*
 * Signs the head of the audit hash chain with the token key, unless it
 * has not moved since the last checkpoint.  `authctl audit verify`
 * checks the newest checkpoint, which catches entries cut from the end.
 */
void
routes_audit_checkpoint(void)
{
	struct store			*st = NULL;
	struct store_audit_checkpoint	*cp = NULL, *last = NULL;
	json_t				*cl = NULL;
	char				*jws = NULL, h[2 * STORE_HASH_LEN + 1];
	int64_t				 now = now_s();

	if ((cp = calloc(1, sizeof(*cp))) == NULL ||
	    (last = calloc(1, sizeof(*last))) == NULL ||
	    store_open(srv->cfg.database, &st) != STORE_OK ||
	    store_audit_head(st, &cp->seq, cp->hash) != STORE_OK ||
	    cp->seq == 0)
		goto done;
	if (store_audit_checkpoint_last(st, last) == STORE_OK &&
	    last->seq == cp->seq)
		goto done;
	for (size_t i = 0; i < STORE_HASH_LEN; i++)
		snprintf(h + 2 * i, 3, "%02x", cp->hash[i]);
	cl = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "iss",
	    srv->cfg.issuer, "sub", "audit", "aud", "authd-audit", "seq",
	    (json_int_t)cp->seq, "hash", h, "iat", (json_int_t)now, "exp",
	    (json_int_t)(now + 1));
	if (cl == NULL || keys_sign(st, "audit-checkpoint+jwt", cl, &jws) < 0 ||
	    strlen(jws) > STORE_MAX_JWS)
		goto done;
	cp->time = now;		/* equal to iat, as audit verify checks */
	memcpy(cp->jws, jws, strlen(jws) + 1);
	if (store_audit_checkpoint_put(st, cp) != STORE_OK)
		log_event("audit_checkpoint_failed", NULL);
done:
	json_decref(cl);
	free(jws);
	free(cp);
	free(last);
	store_close(&st);
}

int
route_healthz(struct http_req *r)
{
	struct store_user u;
	int e = store_user_by_id(r->st, 0, &u);

	if (e != STORE_OK && e != STORE_ERR_NOT_FOUND) {
		http_error(r, 503, "unavailable",
		    "the database is unavailable");
		return (0);
	}
	http_json(r, 200, json_pack("{s:s}", "status", "ok"));

	return (0);
}

int
route_metrics(struct http_req *r)
{
	char *m;

	if ((m = metrics_render()) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		return (0);
	}
	r->status = 200;
	mg_printf(r->conn, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; version=0.0.4\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\nX-Request-Id: %s\r\n\r\n",
	    strlen(m), r->id);
	mg_write(r->conn, m, strlen(m));
	free(m);

	return (0);
}
