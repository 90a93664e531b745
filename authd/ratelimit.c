/*
 * ratelimit.c: rate limits per client address and per account.
 *
 * Each key (an address, or a username) gets a GCRA bucket: one
 * "theoretical arrival time" (tat) that each request pushes forward by
 * window / limit; a request is refused when that would put tat more
 * than a whole window ahead of now.  This is a token bucket of `limit`
 * tokens refilled over `window` seconds, in 8 bytes per key.
 *
 * Memory is fixed: each class is a set-associative table of
 * RATELIMIT_SETS sets of RATELIMIT_WAYS entries (a 64-bit keyed SipHash
 * tag and the tat).  A new key replaces the entry of its set with the
 * smallest tat, the one closest to a full bucket, so an attacker with
 * many addresses recycles entries instead of growing memory.  The hash
 * key is random per process, so no one can aim keys at one set.
 *
 * Sets are guarded by striped mutexes held for a few instructions, so
 * concurrent sign-ins from different clients rarely meet.
 */
#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civetweb.h"

#include "authd/authd.h"
#include "authd/ratelimit.h"

#define NLOCKS		256

_Static_assert((RATELIMIT_SETS & (RATELIMIT_SETS - 1)) == 0,
    "RATELIMIT_SETS must be a power of two");
_Static_assert(RATELIMIT_SETS % NLOCKS == 0, "sets per lock");

struct entry {
	uint64_t	tag;		/* 0: free */
	int64_t		tat;		/* monotonic, microseconds */
};

struct table {
	pthread_mutex_t	lock[NLOCKS];
	struct entry	set[RATELIMIT_SETS][RATELIMIT_WAYS];
};

static struct table	tab_ip, tab_account;
static unsigned char	hash_key[16];	/* set once, before workers run */

/* Unauthenticated routes: method and route-table path. */
static const struct {
	const char	*method;
	const char	*path;
} limited[] = {
	{ "POST", "/v1/registration/options" },
	{ "POST", "/v1/registration/verify" },
	{ "POST", "/v1/authentication/options" },
	{ "POST", "/v1/authentication/verify" },
	{ "POST", "/v1/token" },
	{ "POST", "/v1/logout" },
	{ "POST", "/v1/confirmations/" },
};

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];

	return (v);
}

/* SipHash-2-4 (Aumasson and Bernstein) under hash_key. */
static uint64_t
siphash(const unsigned char *in, size_t len)
{
	uint64_t	k0 = le64(hash_key), k1 = le64(hash_key + 8);
	uint64_t	v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t	v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t	v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t	v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t	b = (uint64_t)len << 56, m;
	size_t		i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < left; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;

	return (v0 ^ v1 ^ v2 ^ v3);
}

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

void
ratelimit_init(void)
{
	rand_bytes(hash_key, sizeof(hash_key));
	for (size_t i = 0; i < NLOCKS; i++) {
		pthread_mutex_init(&tab_ip.lock[i], NULL);
		pthread_mutex_init(&tab_account.lock[i], NULL);
	}
	memset(tab_ip.set, 0, sizeof(tab_ip.set));
	memset(tab_account.set, 0, sizeof(tab_account.set));
}

/*
 * One request against key's bucket: limit per window seconds.  With
 * strict, a request over the limit is not counted and the wait until
 * the next one fits is returned (microseconds, > 0); without, it is
 * counted anyway (the bucket just stays empty).  0: it fits.
 */
static int64_t
take(struct table *t, const void *key, size_t len, int64_t limit,
    int64_t window, bool strict)
{
	struct entry	*set, *e = NULL;
	uint64_t	 tag = siphash(key, len);
	int64_t		 now = mono_us(), step, burst, tat, wait = 0;
	size_t		 si;

	if (limit <= 0)
		return (0);
	step = window * 1000000 / limit;
	if (step < 1)
		step = 1;
	burst = step * limit;		/* exactly limit requests at once */
	if (tag == 0)
		tag = 1;
	si = (size_t)(tag & (RATELIMIT_SETS - 1));
	set = t->set[si];
	pthread_mutex_lock(&t->lock[si % NLOCKS]);
	for (size_t w = 0; w < RATELIMIT_WAYS; w++) {
		if (set[w].tag == tag) {
			e = &set[w];
			break;
		}
		/* The victim: free, or the fullest bucket. */
		if (e == NULL || set[w].tag == 0 ||
		    (e->tag != 0 && set[w].tat < e->tat))
			e = &set[w];
	}
	if (e->tag != tag) {
		e->tag = tag;
		e->tat = now;
	}
	tat = (e->tat > now ? e->tat : now) + step;
	if (tat - now > burst) {
		wait = tat - now - burst;
		if (!strict)
			e->tat = now + burst;
	} else
		e->tat = tat;
	pthread_mutex_unlock(&t->lock[si % NLOCKS]);

	return (strict ? wait : 0);
}

static int
refuse(struct http_req *r, int64_t wait_us)
{
	http_rate_limited(r, (wait_us + 999999) / 1000000);

	return (-1);
}

bool
ratelimit_applies(const char *method, const char *path)
{
	for (size_t i = 0; i < sizeof(limited) / sizeof(limited[0]); i++)
		if (strcmp(method, limited[i].method) == 0 &&
		    strcmp(path, limited[i].path) == 0)
			return (true);

	return (false);
}

static int
parse_addr(const char *s, size_t len, unsigned char key[RATELIMIT_ADDR_LEN])
{
	char		buf[INET6_ADDRSTRLEN + 1];
	unsigned char	a4[4];

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a4) == 1) {
		memset(key, 0, 10);
		key[10] = key[11] = 0xff;
		memcpy(key + 12, a4, 4);
		return (0);
	}
	if (inet_pton(AF_INET6, buf, key) != 1)
		return (-1);
	/* One client usually holds a whole /64; v4-mapped stay whole. */
	if (!(memcmp(key, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0))
		memset(key + 8, 0, 8);

	return (0);
}

int
ratelimit_addr_key(const char *remote, const char *forwarded,
    unsigned char key[RATELIMIT_ADDR_LEN])
{
	const char *last;

	if (forwarded != NULL) {
		last = strrchr(forwarded, ',');
		last = last != NULL ? last + 1 : forwarded;
		if (parse_addr(last, strlen(last), key) == 0)
			return (0);
	}
	if (remote == NULL)
		return (-1);

	return (parse_addr(remote, strlen(remote), key));
}

int
ratelimit_check_ip(struct http_req *r)
{
	const struct mg_request_info	*ri = mg_get_request_info(r->conn);
	unsigned char			 key[RATELIMIT_ADDR_LEN];
	int64_t				 wait;

	if (srv->cfg.rate_limit_ip == 0)
		return (0);
	/* Behind a proxy every peer is the proxy: it names the client. */
	if (ratelimit_addr_key(ri->remote_addr, srv->cfg.behind_tls_proxy ?
	    mg_get_header(r->conn, "X-Forwarded-For") : NULL, key) < 0)
		return (0);
	if ((wait = take(&tab_ip, key, sizeof(key), srv->cfg.rate_limit_ip,
	    srv->cfg.rate_limit_window, true)) > 0)
		return (refuse(r, wait));

	return (0);
}

int
ratelimit_check_account(struct http_req *r, const char *username)
{
	int64_t wait;

	if ((wait = take(&tab_account, username, strlen(username),
	    srv->cfg.rate_limit_account, srv->cfg.rate_limit_window,
	    true)) > 0)
		return (refuse(r, wait));

	return (0);
}

void
ratelimit_charge_account(const char *username)
{
	(void)take(&tab_account, username, strlen(username),
	    srv->cfg.rate_limit_account, srv->cfg.rate_limit_window, false);
}
