/*
 * cfg.c: configuration keys, their defaults and their validation, from
 * one table.  The file format is "key = value" lines; '#' starts a
 * comment.  List values are comma-separated.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authd/cfg.h"
#include "store/store.h"

enum kind { K_STR, K_LIST, K_INT, K_BOOL, K_UV, K_ATT };

struct key {
	const char	*name;
	enum kind	 kind;
	const char	*def;
	const char	*help;
	size_t		 off;		/* into struct cfg */
	size_t		 size;		/* K_STR/K_LIST: element size */
	size_t		 count_off;	/* K_LIST: offset of the count */
	size_t		 max;		/* K_LIST: elements; K_INT: maximum */
	int64_t		 min;		/* K_INT */
};

#define STR(n, f, d, h) { n, K_STR, d, h, offsetof(struct cfg, f), \
	sizeof(((struct cfg *)0)->f), 0, 0, 0 }
#define LIST(n, f, c, d, h) { n, K_LIST, d, h, offsetof(struct cfg, f), \
	sizeof(((struct cfg *)0)->f[0]), offsetof(struct cfg, c), \
	sizeof(((struct cfg *)0)->f) / sizeof(((struct cfg *)0)->f[0]), 0 }
#define INT(n, f, d, lo, hi, h) { n, K_INT, d, h, offsetof(struct cfg, f), \
	0, 0, hi, lo }
#define BOOL(n, f, d, h) { n, K_BOOL, d, h, offsetof(struct cfg, f), 0, 0, \
	0, 0 }
#define ROLE(n, k, r, fld, d, lo, hi, h) { n, k, d, h, \
	offsetof(struct cfg, roles) + (r) * sizeof(struct cfg_role) + \
	offsetof(struct cfg_role, fld), 0, 0, hi, lo }

static const struct key keys[] = {
	STR("rp_id", rp_id, "localhost",
	    "WebAuthn relying party ID: the registrable domain of the origins"),
	STR("rp_name", rp_name, "authd", "relying party name shown by "
	    "authenticators"),
	LIST("origins", origins, norigins, "http://localhost:8080",
	    "allowed origins, exact: https://host[:port] or "
	    "android:apk-key-hash:<hash>"),
	LIST("listen", listen, nlisten, "127.0.0.1:8080",
	    "listen addresses, host:port; a non-loopback address needs TLS "
	    "or behind_tls_proxy"),
	STR("tls_cert", tls_cert, "", "PEM certificate chain: serve HTTPS"),
	STR("tls_key", tls_key, "", "PEM private key for tls_cert"),
	BOOL("behind_tls_proxy", behind_tls_proxy, "false",
	    "a proxy terminates TLS in front of authd (allows plain HTTP on "
	    "a non-loopback address)"),
	STR("database", database, "var/authd.db", "SQLite database path"),
	STR("kek_file", kek_file, "", "key-encryption key file (base64url "
	    "of 32 bytes, mode 0600), made on the database's first start; "
	    "none: the database path with .kek appended"),
	STR("issuer", issuer, "http://localhost:8080", "token issuer (iss)"),
	STR("audience", audience, "authd-services",
	    "access token audience (aud) that services verify"),
	STR("token_alg", token_alg, "EdDSA", "token signing algorithm: EdDSA "
	    "or ES256"),
	INT("token_lifetime", token_lifetime, "300", 30, 3600,
	    "access token lifetime, seconds"),
	INT("challenge_lifetime", challenge_lifetime, "120", 10, 600,
	    "WebAuthn ceremony lifetime, seconds"),
	INT("enrollment_lifetime", enrollment_lifetime, "86400", 60, 2592000,
	    "enrollment code lifetime, seconds"),
	INT("confirmation_lifetime", confirmation_lifetime, "3600", 5,
	    604800, "delivery confirmation link lifetime, seconds"),
	ROLE("session_lifetime_courier", K_INT, STORE_ROLE_COURIER,
	    session_lifetime, "36000", 60, 86400, "courier session (shift) "
	    "lifetime, seconds"),
	ROLE("session_lifetime_customer", K_INT, STORE_ROLE_CUSTOMER,
	    session_lifetime, "900", 60, 86400, "customer session lifetime, "
	    "seconds"),
	ROLE("session_lifetime_admin", K_INT, STORE_ROLE_ADMIN,
	    session_lifetime, "3600", 60, 86400, "admin session lifetime, "
	    "seconds"),
	ROLE("user_verification_courier", K_UV, STORE_ROLE_COURIER, uv,
	    "required", 0, 0, "required, preferred or discouraged"),
	ROLE("user_verification_customer", K_UV, STORE_ROLE_CUSTOMER, uv,
	    "required", 0, 0, "required, preferred or discouraged"),
	ROLE("user_verification_admin", K_UV, STORE_ROLE_ADMIN, uv,
	    "required", 0, 0, "required, preferred or discouraged"),
	ROLE("attestation_courier", K_ATT, STORE_ROLE_COURIER, attestation,
	    "any", 0, 0, "any (record what is proven) or trusted (must chain "
	    "to trust_anchors)"),
	ROLE("attestation_customer", K_ATT, STORE_ROLE_CUSTOMER, attestation,
	    "any", 0, 0, "any or trusted"),
	ROLE("attestation_admin", K_ATT, STORE_ROLE_ADMIN, attestation,
	    "any", 0, 0, "any or trusted"),
	LIST("trust_anchors", trust_anchors, nanchors, "",
	    "attestation root certificates, PEM or DER files"),
	STR("web_root", web_root, "web", "folder of the static pages"),
	INT("threads", threads, "96", 4, 1024, "HTTP worker threads: one "
	    "per keep-alive connection"),
	INT("max_body", max_body, "65536", 1024, 1048576,
	    "largest request body, bytes"),
	INT("request_timeout_ms", request_timeout_ms, "10000", 500, 600000,
	    "time a client has to send a request's headers (and each part "
	    "of its body), milliseconds"),
	INT("keep_alive_timeout_ms", keep_alive_timeout_ms, "5000", 500,
	    600000, "idle time before a keep-alive connection is closed, "
	    "milliseconds"),
	INT("rate_limit_ip", rate_limit_ip, "6000", 0, 1000000,
	    "requests per rate_limit_window from one client address (IPv6: "
	    "its /64) to the unauthenticated API; 0: no limit"),
	INT("rate_limit_account", rate_limit_account, "60", 0, 1000000,
	    "sign-in options for, and failed sign-ins of, one username per "
	    "rate_limit_window; 0: no limit"),
	INT("rate_limit_window", rate_limit_window, "60", 1, 3600,
	    "rate limit window, seconds: a full budget refills over it"),
	STR("log_level", log_level, "info", "debug, info, warn or error"),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int
set_one(struct cfg *c, const struct key *k, const char *v, char *err,
    size_t errlen)
{
	char		*base = (char *)c + k->off;
	char		*end, *dup, *tok, *save;
	long long	 n;
	size_t		*count;

	switch (k->kind) {
	case K_STR:
		if (strlen(v) >= k->size) {
			snprintf(err, errlen, "%s: value longer than %zu "
			    "characters", k->name, k->size - 1);
			return (-1);
		}
		memcpy(base, v, strlen(v) + 1);
		return (0);
	case K_LIST:
		count = (size_t *)(void *)((char *)c + k->count_off);
		*count = 0;
		if ((dup = strdup(v)) == NULL) {
			snprintf(err, errlen, "%s: out of memory", k->name);
			return (-1);
		}
		for (tok = strtok_r(dup, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			while (isspace((unsigned char)*tok))
				tok++;
			end = tok + strlen(tok);
			while (end > tok && isspace((unsigned char)end[-1]))
				*--end = '\0';
			if (*tok == '\0')
				continue;
			if (*count == k->max || strlen(tok) >= k->size) {
				snprintf(err, errlen, "%s: more than %zu "
				    "values, or a value too long", k->name,
				    k->max);
				free(dup);
				return (-1);
			}
			memcpy(base + *count * k->size, tok, strlen(tok) + 1);
			(*count)++;
		}
		free(dup);
		return (0);
	case K_INT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < k->min ||
		    n > (long long)k->max) {
			snprintf(err, errlen, "%s: '%s' is not a whole number "
			    "from %lld to %zu", k->name, v, (long long)k->min,
			    k->max);
			return (-1);
		}
		if (k->off == offsetof(struct cfg, threads) ||
		    k->off == offsetof(struct cfg, max_body))
			*(int *)(void *)base = (int)n;
		else
			*(int64_t *)(void *)base = n;
		return (0);
	case K_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
		    strcmp(v, "1") == 0)
			*(bool *)(void *)base = true;
		else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
		    strcmp(v, "0") == 0)
			*(bool *)(void *)base = false;
		else {
			snprintf(err, errlen, "%s: '%s' is not true or false",
			    k->name, v);
			return (-1);
		}
		return (0);
	case K_UV:
		if (strcmp(v, "required") == 0)
			*(int *)(void *)base = CFG_UV_REQUIRED;
		else if (strcmp(v, "preferred") == 0)
			*(int *)(void *)base = CFG_UV_PREFERRED;
		else if (strcmp(v, "discouraged") == 0)
			*(int *)(void *)base = CFG_UV_DISCOURAGED;
		else {
			snprintf(err, errlen, "%s: '%s' is not required, "
			    "preferred or discouraged", k->name, v);
			return (-1);
		}
		return (0);
	case K_ATT:
		if (strcmp(v, "any") == 0)
			*(int *)(void *)base = CFG_ATT_ANY;
		else if (strcmp(v, "trusted") == 0)
			*(int *)(void *)base = CFG_ATT_TRUSTED;
		else {
			snprintf(err, errlen, "%s: '%s' is not any or trusted",
			    k->name, v);
			return (-1);
		}
		return (0);
	}

	return (-1);
}

static const struct key *
find_key(const char *name, size_t len)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len &&
		    strncmp(keys[i].name, name, len) == 0)
			return (&keys[i]);

	return (NULL);
}

static int
load_file(struct cfg *c, const char *path, char *err, size_t errlen)
{
	FILE		*f;
	char		 line[4096], *p, *eq, *v, *e;
	const struct key *k;
	int		 lineno = 0, r = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "config %s: %s", path, strerror(errno));
		return (-1);
	}
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path,
			    lineno);
			r = -1;
			break;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value",
			    path, lineno);
			r = -1;
			break;
		}
		for (e = eq; e > p && isspace((unsigned char)e[-1]); e--)
			;
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		for (char *t = v + strlen(v); t > v &&
		    isspace((unsigned char)t[-1]); )
			*--t = '\0';
		if ((k = find_key(p, (size_t)(e - p))) == NULL) {
			*e = '\0';
			snprintf(err, errlen, "%s:%d: unknown key '%s'", path,
			    lineno, p);
			r = -1;
			break;
		}
		if (set_one(c, k, v, err, errlen) < 0) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "%s:%d: %s", path, lineno, tmp);
			r = -1;
		}
	}
	fclose(f);

	return (r);
}

static int
check(struct cfg *c, char *err, size_t errlen)
{
	bool tls = c->tls_cert[0] != '\0';

	if (c->rp_id[0] == '\0') {
		snprintf(err, errlen, "rp_id: must not be empty");
		return (-1);
	}
	if (c->norigins == 0) {
		snprintf(err, errlen, "origins: at least one origin is needed");
		return (-1);
	}
	for (size_t i = 0; i < c->norigins; i++)
		if (strncmp(c->origins[i], "https://", 8) != 0 &&
		    strncmp(c->origins[i], "http://localhost", 16) != 0 &&
		    strncmp(c->origins[i], "http://127.0.0.1", 16) != 0 &&
		    strncmp(c->origins[i], "android:apk-key-hash:", 21) != 0) {
			snprintf(err, errlen, "origins: '%s' is not https://, "
			    "a localhost http:// origin or "
			    "android:apk-key-hash:", c->origins[i]);
			return (-1);
		}
	if (c->nlisten == 0) {
		snprintf(err, errlen, "listen: at least one address is needed");
		return (-1);
	}
	if (tls != (c->tls_key[0] != '\0')) {
		snprintf(err, errlen, "tls_cert, tls_key: set both or neither");
		return (-1);
	}
	for (size_t i = 0; i < c->nlisten; i++)
		if (!tls && !c->behind_tls_proxy &&
		    !cfg_is_loopback(c->listen[i])) {
			snprintf(err, errlen, "listen: '%s' is not a loopback "
			    "address; set tls_cert and tls_key, or "
			    "behind_tls_proxy = true", c->listen[i]);
			return (-1);
		}
	if (strcmp(c->token_alg, "EdDSA") != 0 &&
	    strcmp(c->token_alg, "ES256") != 0) {
		snprintf(err, errlen, "token_alg: '%s' is not EdDSA or ES256",
		    c->token_alg);
		return (-1);
	}
	if (strcmp(c->log_level, "debug") != 0 &&
	    strcmp(c->log_level, "info") != 0 &&
	    strcmp(c->log_level, "warn") != 0 &&
	    strcmp(c->log_level, "error") != 0) {
		snprintf(err, errlen, "log_level: '%s' is not debug, info, "
		    "warn or error", c->log_level);
		return (-1);
	}
	if (c->database[0] == '\0') {
		snprintf(err, errlen, "database: must not be empty");
		return (-1);
	}

	return (0);
}

bool
cfg_is_loopback(const char *addr)
{
	return (strncmp(addr, "127.", 4) == 0 ||
	    strncmp(addr, "[::1]:", 6) == 0 ||
	    strncmp(addr, "localhost:", 10) == 0);
}

int
cfg_load(struct cfg *c, const char *path, int argc, char **argv, char *err,
    size_t errlen)
{
	char		 env[128];
	const char	*v;
	const struct key *k;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++)
		if (set_one(c, &keys[i], keys[i].def, err, errlen) < 0)
			return (-1);
	if (path != NULL && load_file(c, path, err, errlen) < 0)
		return (-1);
	for (size_t i = 0; i < NKEYS; i++) {
		size_t n = 0;

		n = (size_t)snprintf(env, sizeof(env), "AUTHD_");
		for (const char *p = keys[i].name; *p != '\0' &&
		    n < sizeof(env) - 1; p++)
			env[n++] = (char)toupper((unsigned char)*p);
		env[n] = '\0';
		if ((v = getenv(env)) != NULL &&
		    set_one(c, &keys[i], v, err, errlen) < 0) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "environment %s: %s", env, tmp);
			return (-1);
		}
	}
	for (int i = 0; i < argc; i++) {
		const char	*a = argv[i], *eq;
		size_t		 len;

		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument '%s'", a);
			return (-1);
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq != NULL ? (size_t)(eq - a) : strlen(a);
		if (len == 6 && strncmp(a, "config", 6) == 0) {
			if (eq == NULL)
				i++;
			continue;
		}
		{
			char	name[64];
			size_t	j;

			for (j = 0; j < len && j < sizeof(name) - 1; j++)
				name[j] = a[j] == '-' ? '_' : a[j];
			name[j] = '\0';
			if ((k = find_key(name, j)) == NULL) {
				snprintf(err, errlen, "unknown flag '--%.*s'",
				    (int)len, a);
				return (-1);
			}
		}
		if (eq != NULL)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else {
			snprintf(err, errlen, "flag '--%s' needs a value", a);
			return (-1);
		}
		if (set_one(c, k, v, err, errlen) < 0)
			return (-1);
	}

	return (check(c, err, errlen));
}

void
cfg_usage(FILE *f)
{
	fprintf(f, "usage: authd [--config FILE] [--KEY=VALUE ...]\n\n"
	    "Every key can be set in the config file (key = value), in the\n"
	    "environment as AUTHD_<KEY>, or as a flag --key=value; later\n"
	    "sources override earlier ones.  Keys, with their defaults:\n\n");
	for (size_t i = 0; i < NKEYS; i++)
		fprintf(f, "  %-28s %s\n  %-28s (default: %s)\n",
		    keys[i].name, keys[i].help, "",
		    keys[i].def[0] != '\0' ? keys[i].def : "none");
	fprintf(f, "\nAUTHD_KEK in the environment, if set, is the "
	    "key-encryption key\nitself (base64url of 32 bytes) and wins over "
	    "kek_file; authd\nremoves it from its environment once read.\n");
}
