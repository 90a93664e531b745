/*
 * routes.h: the HTTP API (docs/api.md) and what its handlers share.
 */
#ifndef AUTHD_ROUTES_H
#define AUTHD_ROUTES_H

#include <stddef.h>

#include "authd/authd.h"

struct mg_context;

/* Opens the store, loads keys and policy.  0, or -1 with err set. */
int	 routes_init(char *, size_t);
void	 routes_register(struct mg_context *);
/* Prints a first-admin enrollment link while there is no admin. */
void	 routes_first_admin(void);
void	 routes_thread_exit(void);
/* Signs the audit chain's head if it moved. */
void	 routes_audit_checkpoint(void);
void	 routes_fini(void);

/* The calling worker's store connection (opened on first use). */
struct store *route_store(void);
/*
 * One of the shared connections for a sign-in's reads, held by the
 * caller alone until route_reader_done(); NULL if it cannot be opened.
 * Never held across cryptography or a write.
 */
struct store *route_reader(void);
void	 route_reader_done(struct store *);
/* Maps a store error to an HTTP error response. */
void	 route_store_error(struct http_req *, int);

/* Appends {type, id, transports} of the user's live credentials. */
void	 route_exclude_list(struct store *, int64_t, json_t *);

/* Who is calling: from a Bearer access token or a service key. */
struct caller {
	bool		 is_service;
	int64_t		 service_id;
	char		 service_audience[STORE_MAX_AUDIENCE + 1];
	struct store_user user;
	unsigned char	 sid[STORE_SID_LEN];
};

/*
 * Authenticates the Authorization header: an access token (live session,
 * live credential) or a service API key.  On failure sends 401 and
 * returns -1.
 */
int	 route_caller(struct http_req *, struct caller *);

/* Makes this process's key for unknown users' options. */
void	 route_login_init(void);

/* Handlers. */
int	 route_enrollments(struct http_req *);
int	 route_registration_options(struct http_req *);
int	 route_registration_verify(struct http_req *);
int	 route_authentication_options(struct http_req *);
int	 route_authentication_verify(struct http_req *);
int	 route_token(struct http_req *);
int	 route_logout(struct http_req *);
int	 route_introspect(struct http_req *);
int	 route_jwks(struct http_req *);
int	 route_me(struct http_req *);
int	 route_admin_users(struct http_req *);
int	 route_admin_user_credentials(struct http_req *);
int	 route_admin_revoke(struct http_req *);
int	 route_admin_audit(struct http_req *);
int	 route_delivery_create(struct http_req *);
int	 route_confirmation_get(struct http_req *);
int	 route_confirmation_step(struct http_req *);
int	 route_revocations(struct http_req *);
int	 route_page(struct http_req *);
int	 route_healthz(struct http_req *);
int	 route_metrics(struct http_req *);

#endif /* AUTHD_ROUTES_H */
