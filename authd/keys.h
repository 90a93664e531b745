/*
 * keys.h: the token signing keys: made on first start, loaded from the
 * store, picked up again when `authctl keys rotate` changes them, and
 * published as a JWKS with the previous keys until their last token
 * expires.
 */
#ifndef AUTHD_KEYS_H
#define AUTHD_KEYS_H

#include <stddef.h>

#include <jansson.h>

#include "store/store.h"

int	 keys_init(struct store *, char *, size_t);
void	 keys_fini(void);
/* Signs claims as a JWT of type typ with the current key.  0 or -1. */
int	 keys_sign(struct store *, const char *, const json_t *, char **);
/*
 * Verifies a token this server signed, for typ and an audience.
 * OUT: *claims.  0, or a token_* error code.
 */
int	 keys_verify(struct store *, const char *, const char *, const char *,
	    json_t **);
json_t	*keys_jwks(struct store *);

#endif /* AUTHD_KEYS_H */
