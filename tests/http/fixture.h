/*
 * fixture.h: what the HTTP integration programs share.  run.sh starts
 * authd and passes its coordinates in the environment (HTTPT_*); these
 * helpers talk to it over httpc, run authctl and node, start extra authd
 * instances, and play both sides of the WebAuthn client with softauth.
 *
 * Helpers that hand out memory say so; everything is freed with free(3)
 * or json_decref() unless noted.  Failures of the fixture itself (not
 * of authd) abort the test with fail_msg().
 */
#ifndef HTTPT_FIXTURE_H
#define HTTPT_FIXTURE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tests/lib/httpc.h"
#include "tests/lib/softauth.h"

#define FX_UP_UV	0x05	/* WA_FLAG_UP | WA_FLAG_UV */
#define FX_UP		0x01
#define FX_MAX_OUT	65536	/* captured command output */

/* The environment run.sh sets up. */
struct fx_env {
	const char	*authd;		/* HTTPT_AUTHD: the binary */
	const char	*authctl;	/* HTTPT_AUTHCTL */
	const char	*tmp;		/* HTTPT_TMP: a scratch folder */
	const char	*db;		/* HTTPT_DB: the main instance's */
	const char	*port;		/* HTTPT_PORT */
	const char	*log;		/* HTTPT_LOG: its stderr */
	const char	*jose;		/* HTTPT_JOSE: tests/http/jose */
	const char	*first_admin;	/* HTTPT_FIRST_ADMIN_CODE or NULL */
	char		 origin[64];	/* http://localhost:PORT */
	char		 issuer[64];	/* as configured: the origin */
	char		 jwks[96];	/* its /.well-known/jwks.json URL */
};

extern struct fx_env	fx;

/* Reads the environment; -1 (with a message) if something is missing. */
int		 fx_env_load(void);

/* A keep-alive connection to 127.0.0.1:port (NULL: the main one). */
struct hc_conn	*fx_connect(const char *);

/*
 * One request.  ctype NULL sends no Content-Type; bearer adds
 * "Authorization: Bearer ..."; extra is one more header line or NULL.
 * Returns the status (0 on a transport error).
 */
int		 fx_req(struct hc_conn *, const char *, const char *,
		    const char *, const char *, const char *, const void *,
		    size_t, struct hc_resp *);
/* POST a JSON text (application/json). */
int		 fx_post(struct hc_conn *, const char *, const char *,
		    const char *, struct hc_resp *);
/* The body parsed as a JSON object, or NULL. */
json_t		*fx_json(const struct hc_resp *);
/* Asserts an error response: status, JSON {"error": code, "message"}. */
void		 fx_expect_error(const struct hc_resp *, int, int,
		    const char *);

/*
 * Runs argv[0] with argv (NULL-terminated), standard input from in (or
 * /dev/null), capturing standard output into out and standard error into
 * err (each NUL-terminated, at most FX_MAX_OUT; either may be NULL).
 * Returns the exit status, or -1 if it did not exit normally.
 */
int		 fx_run(char *const *, const char *, char *, char *);
/* authctl --db DB ARGS...: the exit status; output as fx_run(). */
int		 fx_authctl(const char *, char *, char *, ...)
		    __attribute__((sentinel));

/* A one-time enrollment code (authctl enroll) for user and role; free(3).
 * db NULL: the main instance's. */
char		*fx_enroll(const char *, const char *, const char *);
/* A service's API key (authctl service add); free(3). */
char		*fx_service_add(const char *, const char *);

/* A username unique to this run: prefix + counter + pid. */
void		 fx_username(const char *, char *, size_t);
/* The n bytes at p in base64url, without padding; free(3). */
char		*fx_b64url(const unsigned char *, size_t);

/* What a passkey ceremony produced. */
struct fx_user {
	char		 name[64];
	unsigned char	 handle[64];	/* WebAuthn user.id */
	size_t		 handle_len;
	struct sa_cred	*cred;
	uint32_t	 count;		/* the next sign count to present */
};

/* Ceremony knobs for negative tests; a zeroed struct is a valid one. */
struct fx_ceremony {
	const char		*origin;	/* NULL: fx.origin */
	const char		*rp_id;		/* NULL: "localhost" */
	uint8_t			 flags;		/* 0: FX_UP_UV */
	const char		*fmt;		/* NULL: "none" */
	bool			 sign_count_set;
	uint32_t		 sign_count;	/* with sign_count_set */
	bool			 no_user_handle;
	const struct sa_hooks	*hooks;
};

/*
 * Registration options for code (or, with code NULL, for the bearer
 * token's user) with label: the decoded challenge and user.id go to
 * u->handle.  OUT: *options (JSON).  Returns the HTTP status.
 */
int		 fx_reg_options(struct hc_conn *, const char *, const char *,
		    const char *, json_t **, unsigned char **, size_t *,
		    struct fx_user *);
/*
 * A full registration of u->cred (created for alg if NULL) with code.
 * Returns the status of /v1/registration/verify (or of the options call
 * if that failed); resp holds the last response.
 */
int		 fx_register(struct hc_conn *, const char *,
		    struct fx_user *, int, const struct fx_ceremony *,
		    struct hc_resp *);
/* The same for another device of the bearer token's user. */
int		 fx_register_device(struct hc_conn *, const char *,
		    struct fx_user *, int, struct hc_resp *);
/* Enrolls (authctl), registers and returns a user with a credential. */
void		 fx_new_user(struct hc_conn *, const char *, const char *,
		    int, struct fx_user *);
void		 fx_user_free(struct fx_user *);

/*
 * Authentication options: username NULL sends {} (discoverable).
 * OUT: the decoded challenge, and *options if not NULL.  The status.
 */
int		 fx_login_options(struct hc_conn *, const char *,
		    unsigned char **, size_t *, json_t **);
/* An AuthenticationResponseJSON by u->cred over chal; free(3). */
char		*fx_assertion(const struct fx_user *, const unsigned char *,
		    size_t, const struct fx_ceremony *);
/*
 * A full login (options by username, or discoverable when
 * discoverable); presents u->count and increments it on success.
 * Returns the status of /v1/authentication/verify; resp holds it.
 */
int		 fx_login(struct hc_conn *, struct fx_user *, bool,
		    const struct fx_ceremony *, struct hc_resp *);
/* fx_login() that must succeed: the response's access and refresh
 * tokens (free(3)). */
void		 fx_login_ok(struct hc_conn *, struct fx_user *, char **,
		    char **);

/*
 * node HTTPT_JOSE/verify.mjs JWKS AUD ISS - with the token on standard
 * input: an independent JOSE library's verdict, 0 valid or 1 invalid;
 * its JSON line in out (FX_MAX_OUT).  Other statuses fail the test.
 */
int		 fx_jose(const char *, const char *, const char *,
		    const char *, char *);

/* A JWT's decoded header or payload (part 0 or 1), or NULL. */
json_t		*fx_jwt_part(const char *, int);

/* POST /v1/introspect with a service key: the parsed answer, status
 * in *status. */
json_t		*fx_introspect(struct hc_conn *, const char *, const char *,
		    int *);

/* An extra authd instance. */
struct fx_authd {
	pid_t	 pid;
	char	 port[8];
	char	 log[512];	/* its stderr */
	char	 out[512];	/* its stdout */
	char	 db[512];
	int	 status;	/* exit status once it has exited */
};

/* A free loopback TCP port, as text. */
void		 fx_free_port(char *, size_t);
/*
 * Starts build/authd with args (NULL-terminated; --database is added
 * unless args name one) and waits until it logs "started" or exits.
 * Returns 0 if it runs, 1 if it exited (status in a->status), -1 on a
 * fixture error.  name names its files in HTTPT_TMP.
 */
int		 fx_authd_start(struct fx_authd *, const char *,
		    const char *const *);
/* Sends sig and waits for the exit: the exit status, or -1. */
int		 fx_authd_stop(struct fx_authd *, int);
/* Whether path holds needle. */
bool		 fx_file_has(const char *, const char *);

/* snprintf into buf, for building command-line arguments. */
void		 fx_arg(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Milliseconds on a monotonic clock. */
int64_t		 fx_now_ms(void);
void		 fx_sleep_ms(int64_t);

#endif /* HTTPT_FIXTURE_H */
