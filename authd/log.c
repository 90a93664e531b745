/*
 * log.c: structured logs, one JSON object per line on standard error:
 * one line per request and one per security event, each with the
 * request id.  Callers never pass tokens, keys, challenges or enrollment
 * codes; request lines carry the path without its query string.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "authd/authd.h"
#include "authd/token.h"

static int		level = 1;	/* 0 debug, 1 info, 2 warn, 3 error */
static pthread_mutex_t	log_mtx = PTHREAD_MUTEX_INITIALIZER;

void
log_set_level(const char *l)
{
	if (strcmp(l, "debug") == 0)
		level = 0;
	else if (strcmp(l, "info") == 0)
		level = 1;
	else if (strcmp(l, "warn") == 0)
		level = 2;
	else
		level = 3;
}

int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);

	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

int64_t
now_s(void)
{
	return ((int64_t)time(NULL));
}

/*
 * Random bytes from the CSPRNG, a buffer at a time per thread: one
 * RAND_bytes call costs about a microsecond whatever its length, and a
 * sign-in wants five small draws.  Bytes handed out are wiped from the
 * buffer; a large request bypasses it.  authd never forks, so no two
 * processes can share a buffer.
 *
 * A failure may be passing (an allocation inside the DRBG), so it is
 * retried; one that persists means no safe secret can be made, and
 * authd stops rather than hand out guessable ones.
 */
#define RAND_BUF	512

static void
rand_fill(void *p, size_t n)
{
	for (int i = 0; i < 3; i++)
		if (RAND_bytes(p, (int)n) == 1)
			return;
	fprintf(stderr, "authd: no randomness\n");
	abort();
}

void
rand_bytes(void *p, size_t n)
{
	static _Thread_local unsigned char	buf[RAND_BUF];
	static _Thread_local size_t		used = RAND_BUF;

	if (n > RAND_BUF / 4) {
		rand_fill(p, n);
		return;
	}
	if (n > RAND_BUF - used) {
		rand_fill(buf, RAND_BUF);
		used = 0;
	}
	memcpy(p, buf + used, n);
	OPENSSL_cleanse(buf + used, n);
	used += n;
}

/*
 * Writes o (stolen) as one line.  If memory ran out while it was built
 * (ok false, or o NULL) or written, a line with the event, its level
 * and "incomplete": true goes out instead, so that no event is lost for
 * want of memory.  Event names are constants that need no escaping.
 */
static void
emit(json_t *o, bool ok, const char *event, const char *lvl)
{
	char		 ts[64];
	struct tm	 tm;
	struct timeval	 tv;
	char		*s = NULL;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
	if (ok && o != NULL &&
	    json_object_set_new(o, "ts", json_string(ts)) == 0)
		s = token_json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	pthread_mutex_lock(&log_mtx);
	if (s != NULL)
		fprintf(stderr, "%s\n", s);
	else
		fprintf(stderr, "{\"event\":\"%s\",%s%s%s\"ts\":\"%s\","
		    "\"incomplete\":true}\n", event,
		    lvl != NULL ? "\"level\":\"" : "", lvl != NULL ? lvl : "",
		    lvl != NULL ? "\"," : "", ts);
	pthread_mutex_unlock(&log_mtx);
	free(s);
	json_decref(o);
}

/*
 * Adds k: v (stolen) to o; false if o or v is NULL (memory ran out), and
 * then v is freed (json_object_set_new() frees it for a NULL o).
 */
static bool
put(json_t *o, const char *k, json_t *v)
{
	return (json_object_set_new(o, k, v) == 0);
}

static void
vevent(const char *event, const char *lvl, va_list ap)
{
	json_t		*o = json_object();
	const char	*k, *v;
	bool		 ok;

	ok = put(o, "event", json_string(event));
	if (lvl != NULL)
		ok = put(o, "level", json_string(lvl)) && ok;
	for (k = va_arg(ap, const char *); k != NULL;
	    k = va_arg(ap, const char *)) {
		if ((v = va_arg(ap, const char *)) == NULL)
			break;
		ok = put(o, k, json_string(v)) && ok;
	}
	emit(o, ok, event, lvl);
}

/*
 * A security event: log_event("login_failed", "rid", rid, "reason", r,
 * NULL): string pairs after the event name.
 */
void
log_event(const char *event, ...)
{
	va_list ap;

	if (level > 1)
		return;
	va_start(ap, event);
	vevent(event, NULL, ap);
	va_end(ap);
}

/* The same for something the operator should fix; kept at warn. */
void
log_warning(const char *event, ...)
{
	va_list ap;

	if (level > 2)
		return;
	va_start(ap, event);
	vevent(event, "warn", ap);
	va_end(ap);
}

void
log_request(const struct http_req *r)
{
	json_t	*o;
	bool	 ok;

	if (level > 1)
		return;
	o = json_object();
	ok = put(o, "event", json_string("request")) &&
	    put(o, "rid", json_string(r->id)) &&
	    put(o, "method", json_string(r->method)) &&
	    put(o, "path", json_string(r->path)) &&
	    put(o, "status", json_integer(r->status)) &&
	    (r->error == NULL || put(o, "error", json_string(r->error))) &&
	    put(o, "us", json_integer(now_us() - r->start_us));
	emit(o, ok, "request", NULL);
}
