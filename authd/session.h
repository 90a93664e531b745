/*
 * session.h: sessions and access tokens.  A session starts with a passkey
 * sign-in and lasts for its role's lifetime; while it and its credential
 * are live, POST /v1/token mints new short-lived access tokens from it.
 */
#ifndef AUTHD_SESSION_H
#define AUTHD_SESSION_H

#include <stdint.h>

#include "authd/authd.h"
#include "authd/ceremony.h"

#define SESSION_COOKIE	"authd_session"

/*
 * Records the sign-in (one store transaction: the ceremony consumed, the
 * counter, the session) and answers with the session and a token.
 */
void	session_start(struct http_req *, const struct ceremony *,
	    const struct store_cred *, const struct store_user *, uint32_t,
	    uint8_t, int64_t);

#endif /* AUTHD_SESSION_H */
