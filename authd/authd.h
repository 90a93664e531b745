/*
 * authd.h: what the daemon's files share: the server state, the HTTP
 * helpers, ceremonies, logging and metrics.  Only authd/ includes it.
 */
#ifndef AUTHD_AUTHD_H
#define AUTHD_AUTHD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "authd/cfg.h"
#include "store/store.h"
#include "webauthn/webauthn.h"

struct mg_connection;
struct mg_context;

/* One request: what the handlers and the logger need. */
struct http_req {
	struct mg_connection	*conn;
	char			 id[17];	/* request id, hex */
	const char		*method;
	const char		*path;		/* never the query string */
	int			 status;
	const char		*error;		/* error code, for the log */
	int64_t			 start_us;
	struct store		*st;		/* this worker's connection */
};

/* The running server; one per process. */
struct server {
	struct cfg		 cfg;
	/* Relying-party policy per role, and for discoverable logins. */
	struct wa_rp		*rp[4];
	struct wa_rp		*rp_any;
	unsigned char		 ceremony_key[32];	/* AES-256-GCM */
	bool			 tls;
	struct mg_context	*ctx;
};

extern struct server	*srv;

/*
 * Logging: JSON lines on stderr.  log_event(name, key, value, ...,
 * NULL) with string pairs.  Never pass secrets.
 */
void	 log_event(const char *, ...) __attribute__((sentinel));
void	 log_warning(const char *, ...) __attribute__((sentinel));
void	 log_request(const struct http_req *);
void	 log_set_level(const char *);

/* Time. */
int64_t	 now_s(void);
int64_t	 now_us(void);

/*
 * HTTP helpers.  http_body_json() reads the request body (Content-Type
 * application/json, at most max_body bytes) and parses it; on failure it
 * has already sent the error response and returns NULL.
 */
json_t	*http_body_json(struct http_req *);
/* The raw body, NUL-terminated, checked like http_body_json(); free(3). */
char	*http_body_raw(struct http_req *, size_t *);
/* Sends body (stolen; NULL: 500) as the response, serialized. */
void	 http_json(struct http_req *, int, json_t *);
/*
 * http_json() in two halves, for a handler that must have its answer
 * ready before it commits: http_json_text() serializes body (stolen)
 * and returns the text (free(3)) or NULL; http_json_send() sends it
 * and fails only if the connection does.
 */
char	*http_json_text(json_t *);
/*
 * http_json_text() of rest (stolen, an object) with key: value as its
 * first member.  value is written as it is, spared jansson's escaping
 * pass over a long string, so it must be base64url and dots (a JWS, a
 * challenge): anything else gives NULL.  key must need no escaping.
 */
char	*http_json_text_lead(const char *, const char *, json_t *);
void	 http_json_send(struct http_req *, int, const char *);
void	 http_error(struct http_req *, int, const char *, const char *);
/* Sends 429 {"error":"rate_limited"} with Retry-After: seconds. */
void	 http_rate_limited(struct http_req *, int64_t);
/* Sends a status with no body. */
void	 http_status(struct http_req *, int);
/* The value of a request header, or NULL. */
const char *http_header(const struct http_req *, const char *);
/* The cookie's value copied into buf, or NULL. */
const char *http_cookie(const struct http_req *, const char *, char *,
	    size_t);
/* Adds a Set-Cookie header to the next response. */
void	 http_set_cookie(struct http_req *, const char *, const char *,
	    int64_t);

/* Random bytes; aborts if the system has none. */
void	 rand_bytes(void *, size_t);

/* Metrics. */
void	 metrics_ceremony(const char *, const char *);
void	 metrics_request(int, int64_t);
char	*metrics_render(void);

#endif /* AUTHD_AUTHD_H */
