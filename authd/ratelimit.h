/*
 * ratelimit.h: request rate limits per client address and per account,
 * in memory, in bounded space.  See ratelimit.c and docs/operations.md
 * ("Abuse resistance").
 */
#ifndef AUTHD_RATELIMIT_H
#define AUTHD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_req;

/* Keys remembered per class: sets of RATELIMIT_WAYS entries. */
#define RATELIMIT_SETS		4096
#define RATELIMIT_WAYS		8
/* The per-address key: IPv4 as v4-mapped IPv6, IPv6 as its /64. */
#define RATELIMIT_ADDR_LEN	16

/*
 * Makes the hash key and the locks.  Call once, before the workers run;
 * every table starts empty.
 */
void	 ratelimit_init(void);

/* Whether the route (a path of the route table, and its method) is
 * unauthenticated and so limited per client address. */
bool	 ratelimit_applies(const char *, const char *);

/*
 * Takes one request from the calling client's address budget
 * (rate_limit_ip per rate_limit_window).  Returns 0 if the request may
 * go on; otherwise sends 429 with Retry-After and returns -1.
 */
int	 ratelimit_check_ip(struct http_req *);

/*
 * The same for the account named username (rate_limit_account), known
 * or not: both get the same answer.
 */
int	 ratelimit_check_account(struct http_req *, const char *);

/* Charges username's budget for a failed sign-in without refusing. */
void	 ratelimit_charge_account(const char *);

/*
 * The address key for a client: remote is the peer's address as text;
 * forwarded, if not NULL, an X-Forwarded-For value whose last element
 * is used when it parses (a trusted proxy appends the peer it saw).
 * OUT: key (RATELIMIT_ADDR_LEN bytes).  Returns -1 if neither parses.
 */
int	 ratelimit_addr_key(const char *, const char *,
	    unsigned char [RATELIMIT_ADDR_LEN]);

#endif /* AUTHD_RATELIMIT_H */
