/*
 * ceremony.h: WebAuthn ceremony state, sealed into the challenge.
 *
 * The challenge a client signs is the ceremony itself: its type, expiry,
 * user and purpose, encrypted and authenticated with AES-256-GCM under a
 * key that lives only in this process's memory.  Nothing is written when
 * a ceremony starts; verifying one consumes its id in the same store
 * transaction that records the result, so each challenge works once,
 * even across a restart (which also invalidates every open ceremony).
 */
#ifndef AUTHD_CEREMONY_H
#define AUTHD_CEREMONY_H

#include <stddef.h>
#include <stdint.h>

#define CER_REGISTER	1
#define CER_LOGIN	2
#define CER_CONFIRM	3

#define CER_ID_LEN	16
#define CER_MAX_LABEL	64
#define CER_MAX_SEALED	256

struct ceremony {
	uint8_t		type;
	uint8_t		role;		/* enum store_role, or 0 */
	int64_t		expires;
	int64_t		user_id;	/* 0: the user is not known yet */
	unsigned char	code_hash[32];	/* enrollment code, or zeros */
	unsigned char	ref[32];	/* e.g. a confirmation id */
	char		label[CER_MAX_LABEL + 1];
	unsigned char	id[CER_ID_LEN];	/* OUT of ceremony_open() */
};

/* Makes the process's ceremony key. */
void	ceremony_init(void);
/*
 * Seals c into out (at most CER_MAX_SEALED bytes); *len is set.  A random
 * nonce makes every challenge unique.  0 or -1.
 */
int	ceremony_seal(const struct ceremony *, unsigned char *, size_t *);
/*
 * Opens a sealed challenge: -1 if it was not made by this process or was
 * altered, -2 if it has expired at now.  Sets c->id, the one-time id.
 */
int	ceremony_open(const unsigned char *, size_t, int64_t,
	    struct ceremony *);

#endif /* AUTHD_CEREMONY_H */
