/*
 * cfg.h: authd's configuration.  Defaults are built in; a file, then
 * environment variables (AUTHD_<KEY>), then command-line flags
 * (--key=value) override them, in that order.  Every key is listed, with
 * its default and meaning, by `authd --help`.
 */
#ifndef AUTHD_CFG_H
#define AUTHD_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CFG_MAX_ORIGINS		16
#define CFG_MAX_LISTEN		4
#define CFG_MAX_ANCHORS		16
#define CFG_MAX_STR		1024

/* Per-role policy; index by enum store_role (1..3). */
struct cfg_role {
	int64_t		session_lifetime;	/* seconds */
	int		uv;			/* CFG_UV_* */
	int		attestation;		/* CFG_ATT_* */
};

#define CFG_UV_REQUIRED		0
#define CFG_UV_PREFERRED	1
#define CFG_UV_DISCOURAGED	2

#define CFG_ATT_ANY		0	/* none or any verified statement */
#define CFG_ATT_TRUSTED		1	/* must chain to a trust anchor */

struct cfg {
	char		 rp_id[256];
	char		 rp_name[128];
	char		 origins[CFG_MAX_ORIGINS][CFG_MAX_STR];
	size_t		 norigins;
	char		 listen[CFG_MAX_LISTEN][128];
	size_t		 nlisten;
	char		 tls_cert[CFG_MAX_STR];
	char		 tls_key[CFG_MAX_STR];
	bool		 behind_tls_proxy;
	char		 database[CFG_MAX_STR];
	char		 kek_file[CFG_MAX_STR];	/* "": db + ".kek" */
	char		 issuer[CFG_MAX_STR];
	char		 audience[CFG_MAX_STR];
	char		 token_alg[16];
	int64_t		 token_lifetime;
	int64_t		 challenge_lifetime;
	int64_t		 enrollment_lifetime;
	int64_t		 confirmation_lifetime;
	struct cfg_role	 roles[4];
	char		 trust_anchors[CFG_MAX_ANCHORS][CFG_MAX_STR];
	size_t		 nanchors;
	char		 web_root[CFG_MAX_STR];
	int		 threads;
	int		 max_body;
	int64_t		 request_timeout_ms;
	int64_t		 keep_alive_timeout_ms;
	int64_t		 rate_limit_ip;		/* per window; 0: off */
	int64_t		 rate_limit_account;	/* per window; 0: off */
	int64_t		 rate_limit_window;	/* seconds */
	char		 log_level[16];
};

/*
 * Loads defaults, then the file (if path is not NULL), the environment
 * and argv (flags of the form --key=value or --key value; --config FILE
 * is handled by the caller).  On error returns -1 and writes a message
 * naming the key and the problem into err.
 */
int	 cfg_load(struct cfg *, const char *, int, char **, char *, size_t);
/* Prints every key with its default and meaning. */
void	 cfg_usage(FILE *);
/* True if the address is on the loopback interface. */
bool	 cfg_is_loopback(const char *);

#endif /* AUTHD_CFG_H */
