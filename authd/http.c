/*
 * http.c: the Civetweb glue.  Handlers get a struct http_req; they read
 * a bounded JSON body and answer with JSON.  Every response carries the
 * request id and the security headers, and is logged once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "civetweb.h"

#include "authd/authd.h"
#include "authd/token.h"

#define MAX_JSON_DEPTH	16
#define HTTP_BODY_STEP	64	/* bytes per mg_read(); see http_body_raw */
#define HTTP_BODY_FIRST	4096	/* first buffer of a chunked body */
#define SMALL_ANSWER	8192	/* answer bodies built on the stack */
#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#endif

/* Pending Set-Cookie and Retry-After headers, per worker thread. */
static _Thread_local char	pending_cookie[512];
static _Thread_local int64_t	pending_retry_after;

static const char *
reason(int status)
{
	const char *r = mg_get_response_code_text(NULL, status);

	return (r != NULL ? r : "Unknown");
}

#define HEAD_MAX	2048

/*
 * The status line and headers into buf (HEAD_MAX bytes); returns their
 * length.  A response goes out in one write: with TCP_NODELAY, each write
 * would be a packet of its own.
 */
static size_t
head(struct http_req *r, const char *ctype, size_t len, char *buf)
{
	size_t	n;
	int	w;

	w = snprintf(buf, HEAD_MAX,
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "frame-ancestors 'none'\r\n"
	    "X-Request-Id: %s\r\n%s",
	    r->status, reason(r->status), ctype, len, r->id, srv->tls ?
	    "Strict-Transport-Security: max-age=63072000; "
	    "includeSubDomains\r\n" : "");
	n = w > 0 ? (size_t)w : 0;
	if (pending_cookie[0] != '\0') {
		w = snprintf(buf + n, HEAD_MAX - n, "Set-Cookie: %s\r\n",
		    pending_cookie);
		n += w > 0 ? (size_t)w : 0;
		pending_cookie[0] = '\0';
	}
	if (pending_retry_after > 0) {
		w = snprintf(buf + n, HEAD_MAX - n, "Retry-After: %lld\r\n",
		    (long long)pending_retry_after);
		n += w > 0 ? (size_t)w : 0;
		pending_retry_after = 0;
	}
	w = snprintf(buf + n, HEAD_MAX - n, "\r\n");
	n += w > 0 ? (size_t)w : 0;

	return (n < HEAD_MAX ? n : HEAD_MAX - 1);
}

char *
http_json_text(json_t *body)
{
	char *s = NULL;

	if (body != NULL)
		s = token_json_dumps(body, JSON_COMPACT);
	json_decref(body);

	return (s);
}

char *
http_json_text_lead(const char *key, const char *value, json_t *rest)
{
	static const char	 b64dot[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.";
	char			*members = NULL, *text = NULL;
	size_t			 n;

	if (rest == NULL || value[strspn(value, b64dot)] != '\0' ||
	    (members = token_json_dumps(rest, JSON_COMPACT | JSON_EMBED)) ==
	    NULL)
		goto done;
	n = strlen(key) + strlen(value) + strlen(members) +
	    sizeof("{\"\":\"\",}");
	if ((text = malloc(n)) != NULL)
		snprintf(text, n, "{\"%s\":\"%s\"%s%s}", key, value,
		    *members != '\0' ? "," : "", members);
	OPENSSL_cleanse(members, strlen(members));
done:
	free(members);
	json_decref(rest);

	return (text);
}

void
http_json_send(struct http_req *r, int status, const char *s)
{
	char	*out, small[HEAD_MAX + SMALL_ANSWER];
	size_t	 len = strlen(s), hlen;

	r->status = status;
	/* Head and body in one write; a small answer needs no malloc. */
	out = len <= SMALL_ANSWER ? small : malloc(HEAD_MAX + len);
	if (out == NULL) {
		/* Two writes rather than no answer. */
		hlen = head(r, "application/json", len, small);
		mg_write(r->conn, small, hlen);
		mg_write(r->conn, s, len);
		return;
	}
	hlen = head(r, "application/json", len, out);
	memcpy(out + hlen, s, len);
	mg_write(r->conn, out, hlen + len);
	OPENSSL_cleanse(out + hlen, len);
	if (out != small)
		free(out);
}

void
http_json(struct http_req *r, int status, json_t *body)
{
	char *s;

	if ((s = http_json_text(body)) != NULL) {
		http_json_send(r, status, s);
		free(s);
	} else if (status == 503) {
		/* Out of memory while saying so: the status stands. */
		r->error = "unavailable";
		http_json_send(r, 503, "{\"error\":\"unavailable\","
		    "\"message\":\"the service is unavailable; try again "
		    "later\"}");
	} else {
		r->error = "internal_error";
		http_json_send(r, 500, "{\"error\":\"internal_error\","
		    "\"message\":\"internal error\"}");
	}
}

void
http_error(struct http_req *r, int status, const char *code,
    const char *message)
{
	r->error = code;
	http_json(r, status, json_pack("{s:s, s:s}", "error", code,
	    "message", message));
}

void
http_rate_limited(struct http_req *r, int64_t seconds)
{
	pending_retry_after = seconds > 0 ? seconds : 1;
	http_error(r, 429, "rate_limited", "too many requests; try again "
	    "later");
}

void
http_status(struct http_req *r, int status)
{
	char buf[HEAD_MAX];

	r->status = status;
	mg_write(r->conn, buf, head(r, "text/plain", 0, buf));
}

const char *
http_header(const struct http_req *r, const char *name)
{
	return (mg_get_header(r->conn, name));
}

const char *
http_cookie(const struct http_req *r, const char *name, char *buf,
    size_t len)
{
	const char *c;

	if ((c = mg_get_header(r->conn, "Cookie")) == NULL)
		return (NULL);
	if (mg_get_cookie(c, name, buf, len) <= 0)
		return (NULL);

	return (buf);
}

void
http_set_cookie(struct http_req *r, const char *name, const char *value,
    int64_t max_age)
{
	(void)r;
	snprintf(pending_cookie, sizeof(pending_cookie),
	    "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
	    name, value, (long long)max_age, srv->tls ? "; Secure" : "");
}

static bool
too_deep(const json_t *j, int depth)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (depth > MAX_JSON_DEPTH)
		return (true);
	if (json_is_object(j)) {
		json_object_foreach((json_t *)(uintptr_t)j, k, v)
			if (too_deep(v, depth + 1))
				return (true);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (too_deep(v, depth + 1))
				return (true);
	}

	return (false);
}

char *
http_body_raw(struct http_req *r, size_t *len)
{
	const struct mg_request_info	*ri = mg_get_request_info(r->conn);
	const char			*ct = mg_get_header(r->conn,
					    "Content-Type");
	char				*buf, *nb;
	size_t				 max = (size_t)srv->cfg.max_body, n = 0;
	size_t				 cap;
	int				 got;

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';')) {
		http_error(r, 415, "unsupported_media_type",
		    "the body must be application/json");
		return (NULL);
	}
	/* Refused before reading when the client says it is too large. */
	if (ri->content_length > (long long)max) {
		http_error(r, 413, "body_too_large",
		    "the request body is too large");
		return (NULL);
	}
	/*
	 * The buffer fits the declared length; a chunked body grows it up
	 * to max + 1 bytes, one more than allowed, to see it is too long.
	 * (A buffer of max_body for every request would cost a 64 KiB
	 * allocation and its free each time.)
	 */
	cap = ri->content_length >= 0 ? (size_t)ri->content_length + 1 :
	    MIN(max + 1, HTTP_BODY_FIRST);
	if ((buf = malloc(cap)) == NULL) {
		http_error(r, 503, "unavailable", "out of memory");
		return (NULL);
	}
	/*
	 * Civetweb's mg_read() returns only when all it was asked for has
	 * come or no byte came for request_timeout_ms, so a client that
	 * trickles its body could hold a worker for max_body timeouts.
	 * Asking for HTTP_BODY_STEP bytes at a time (cheap: usually they
	 * are buffered already) lets the deadline below cut it off within
	 * request_timeout_ms plus HTTP_BODY_STEP slow bytes.
	 */
	while (n <= max) {
		if (n == cap) {
			cap = MIN(cap * 2, max + 1);
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				http_error(r, 503, "unavailable",
				    "out of memory");
				return (NULL);
			}
			buf = nb;
		}
		if ((got = mg_read(r->conn, buf + n, MIN(cap - n,
		    HTTP_BODY_STEP))) <= 0)
			break;
		n += (size_t)got;
		if (n <= max && (ri->content_length < 0 ||
		    (long long)n < ri->content_length) &&
		    now_us() - r->start_us > srv->cfg.request_timeout_ms *
		    1000) {
			free(buf);
			http_error(r, 408, "request_timeout",
			    "the request body came too slowly");
			return (NULL);
		}
	}
	if (n > max) {
		free(buf);
		http_error(r, 413, "body_too_large",
		    "the request body is too large");
		return (NULL);
	}
	/* The client went away, or we are stopping: not a whole body. */
	if (ri->content_length >= 0 && (long long)n != ri->content_length) {
		free(buf);
		http_error(r, 400, "malformed_request",
		    "the body is shorter than its Content-Length");
		return (NULL);
	}
	buf[n] = '\0';
	*len = n;

	return (buf);
}

json_t *
http_body_json(struct http_req *r)
{
	json_t		*j;
	json_error_t	 jerr;
	char		*buf;
	size_t		 n;

	if ((buf = http_body_raw(r, &n)) == NULL)
		return (NULL);
	j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (j == NULL || !json_is_object(j) || too_deep(j, 0)) {
		json_decref(j);
		http_error(r, 400, "malformed_request",
		    "the body is not a JSON object of the expected shape");
		return (NULL);
	}

	return (j);
}
