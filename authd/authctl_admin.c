/*
 * authctl_admin.c: the administration commands of authctl.  They work on
 * the database directly, and are safe while authd runs: every change is
 * one SQLite transaction, and authd picks up rotated keys by itself.
 * Output is JSON: one object, or one object per line for lists.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "authd/aaguid.h"
#include "authd/authctl.h"
#include "authd/cfg.h"
#include "authd/kek.h"
#include "authd/token.h"
#include "store/store.h"
#include "webauthn/webauthn.h"

static struct cfg	cfg;

static const char admin_usage[] =
"Global options, before the command:\n"
"  --config FILE   authd's configuration file (database, origins, ...)\n"
"  --db PATH       the database, overriding the configuration\n"
"\n"
"  enroll USERNAME ROLE [--display-name NAME] [--contact TEXT]\n"
"        a one-time enrollment code and link (ROLE: courier, customer,\n"
"        admin); the user is created if new; --contact (an e-mail\n"
"        address or phone, stored encrypted) sets or replaces theirs\n"
"  users [--role ROLE]          list users\n"
"  devices USERNAME             a user's credentials\n"
"  revoke --reason TEXT [--by NAME] [--] CREDENTIAL_ID\n"
"        revoke a credential (base64url id; put -- before an id that\n"
"        starts with '-') and end its sessions\n"
"  sessions USERNAME            a user's sessions\n"
"  keys rotate                  a new token signing key; the old one stays\n"
"        in the JWKS until its last token has expired\n"
"  keys rewrap --new-kek-file FILE\n"
"        change the key-encryption key: FILE is created with a new key\n"
"        (mode 0600) unless it exists; running authd keeps working;\n"
"        then point kek_file at FILE and remove the old key file\n"
"  service add NAME AUDIENCE    a service client; prints its API key once\n"
"  audit verify                 check the audit hash chain and the newest\n"
"        signed checkpoint: exit 0 intact, 1 tampered (the JSON names the\n"
"        first bad seq), 3 unreadable\n"
"  audit export [--since SEQ]   the audit log as JSON lines\n"
"  audit checkpoint             sign the chain's head with the token key\n"
"  backup FILE                  a consistent copy of the live database\n"
"        into a new file (mode 0600; see docs/operations.md to restore)\n";

int
authctl_admin_usage(FILE *f)
{
	return (fputs(admin_usage, f));
}

static void
iso(int64_t t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (t == 0) {
		snprintf(buf, len, "%s", "");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
print_json(json_t *o)
{
	char *s;

	if (o != NULL && (s = json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) != NULL) {
		puts(s);
		free(s);
	}
	json_decref(o);
}

static int
fail(const char *what, int e)
{
	fprintf(stderr, "authctl: %s: %s\n", what, store_strerr(e));

	return (1);
}

int
authctl_open(const struct cfg *c, bool unlock, struct store **st)
{
	char	src[CFG_MAX_STR + 8], err[2048];
	bool	created;
	int	e;

	if ((e = store_open(c->database, st)) != STORE_OK) {
		fprintf(stderr, "authctl: database %s: %s\n", c->database,
		    store_strerr(e));
		return (-1);
	}
	if (!unlock)
		return (0);
	if (kek_unlock(c, *st, &created, src, sizeof(src), err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "authctl: %s\n", err);
		store_close(st);
		return (-1);
	}
	if (created)
		fprintf(stderr, "authctl: created the key-encryption key file "
		    "%s (mode 0600); keep a copy apart from the database's "
		    "backups\n", src);

	return (0);
}

/* Commands that read or write sealed fields unlock the store. */
static int
open_store(struct store **st, bool unlock)
{
	return (authctl_open(&cfg, unlock, st));
}

static char *
b64(const void *p, size_t n)
{
	return (wa_b64url_encode(p, n));
}

static int
cmd_enroll(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "display-name", required_argument, NULL, 'd' },
		{ "contact", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct store		*st = NULL;
	struct store_user	 u;
	enum store_role		 role;
	const char		*display = NULL, *contact = NULL;
	unsigned char		 code[32], hash[32];
	char			*c = NULL, link[2048], exp[32];
	int64_t			 now = (int64_t)time(NULL);
	int			 ch, e, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (ch == 'd')
			display = optarg;
		else if (ch == 'c')
			contact = optarg;
		else
			return (2);
	if (argc - optind != 2 || (role = store_role_parse(argv[optind +
	    1])) == 0 || (contact != NULL && strlen(contact) >
	    STORE_MAX_CONTACT)) {
		fprintf(stderr, "usage: authctl enroll USERNAME "
		    "courier|customer|admin [--display-name NAME] "
		    "[--contact TEXT]\n(--contact: at most %d bytes)\n",
		    STORE_MAX_CONTACT);
		return (2);
	}
	if (open_store(&st, true) < 0)
		return (1);
	if ((e = store_user_ensure(st, argv[optind], role, display != NULL ?
	    display : argv[optind], now, &u)) != STORE_OK ||
	    (contact != NULL && (e = store_user_set_contact(st, u.id,
	    contact)) != STORE_OK)) {
		rc = fail("enroll", e);
		goto done;
	}
	if (RAND_bytes(code, sizeof(code)) != 1)
		goto done;
	SHA256(code, sizeof(code), hash);
	if ((e = store_enroll_put(st, hash, u.id, role, now,
	    now + cfg.enrollment_lifetime)) != STORE_OK) {
		rc = fail("enroll", e);
		goto done;
	}
	if ((c = b64(code, sizeof(code))) == NULL)
		goto done;
	snprintf(link, sizeof(link), "%s/enroll?code=%s", cfg.origins[0], c);
	iso(now + cfg.enrollment_lifetime, exp, sizeof(exp));
	(void)store_audit(st, now, "enrollment_issued", "authctl",
	    u.username, store_role_name(role));
	print_json(json_pack("{s:s, s:s, s:s, s:s, s:s}", "username",
	    u.username, "role", store_role_name(role), "code", c, "link",
	    link, "expires_at", exp));
	rc = 0;
done:
	OPENSSL_cleanse(code, sizeof(code));
	free(c);
	store_close(&st);

	return (rc);
}

static int
print_user(const struct store_user *u, void *arg)
{
	char	 created[32], *h = b64(u->handle, STORE_HANDLE_LEN);

	(void)arg;
	iso(u->created, created, sizeof(created));
	print_json(json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s}", "username",
	    u->username, "role", store_role_name(u->role), "display_name",
	    u->display_name, "contact", u->contact, "user_handle", h,
	    "created", created));
	free(h);

	return (0);
}

static int
cmd_users(int argc, char **argv)
{
	struct store	*st = NULL;
	enum store_role	 role = 0;
	int		 e;

	if (argc == 3 && strcmp(argv[1], "--role") == 0) {
		if ((role = store_role_parse(argv[2])) == 0) {
			fprintf(stderr, "authctl: --role %s: not courier, "
			    "customer or admin\n", argv[2]);
			return (2);
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: authctl users [--role ROLE]\n");
		return (2);
	}
	if (open_store(&st, true) < 0)
		return (1);
	e = store_user_list(st, role, print_user, NULL);
	store_close(&st);

	return (e == STORE_OK ? 0 : fail("users", e));
}

static int
print_cred(const struct store_cred *c, void *arg)
{
	char			 created[32], used[32], revoked[32];
	char			 aaguid[37], *id = b64(c->id, c->id_len);

	(void)arg;
	iso(c->created, created, sizeof(created));
	iso(c->last_used, used, sizeof(used));
	iso(c->revoked_at, revoked, sizeof(revoked));
	aaguid_format(c->aaguid, aaguid);
	print_json(json_pack("{s:s?, s:s, s:s, s:s, s:i, s:s, s:b, s:b, s:s, "
	    "s:s, s:s, s:s, s:s, s:s}", "credential_id", id, "label", c->label,
	    "state", c->revoked_at != 0 ? "revoked" : "active", "aaguid",
	    aaguid, "alg", c->alg, "fmt", c->fmt, "trusted", c->trusted,
	    "backup_eligible", c->be, "created", created, "last_used", used,
	    "revoked_at", revoked, "revoked_by", c->revoked_by,
	    "revoke_reason", c->revoke_reason, "attestation_type",
	    c->att_type));
	free(id);

	return (0);
}

static int
cmd_devices(int argc, char **argv)
{
	struct store		*st = NULL;
	struct store_user	 u;
	int			 e;

	if (argc != 2) {
		fprintf(stderr, "usage: authctl devices USERNAME\n");
		return (2);
	}
	if (open_store(&st, true) < 0)
		return (1);
	if ((e = store_user_by_name(st, argv[1], &u)) == STORE_OK)
		e = store_cred_list(st, u.id, print_cred, NULL);
	store_close(&st);

	return (e == STORE_OK ? 0 : fail(argv[1], e));
}

static int
cmd_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct store	*st = NULL;
	const char	*reason = NULL, *by = "authctl";
	unsigned char	 id[WA_MAX_CRED_ID];
	size_t		 len;
	int		 ch, e;
	int64_t		 now = (int64_t)time(NULL);

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (ch == 'r')
			reason = optarg;
		else if (ch == 'b')
			by = optarg;
		else
			return (2);
	if (argc - optind != 1 || reason == NULL || *reason == '\0' ||
	    strlen(reason) > STORE_MAX_REASON ||
	    wa_b64url_decode(argv[optind], strlen(argv[optind]), id,
	    sizeof(id), &len) != WA_OK || len == 0) {
		fprintf(stderr, "usage: authctl revoke --reason TEXT "
		    "[--by NAME] [--] CREDENTIAL_ID\n(the id in base64url, as "
		    "'authctl devices' shows it; -- before an id that starts "
		    "with '-')\n");
		return (2);
	}
	if (open_store(&st, false) < 0)
		return (1);
	e = store_cred_revoke(st, id, len, now, by, reason);
	if (e == STORE_OK)
		(void)store_audit(st, now, "revocation", by, argv[optind],
		    reason);
	store_close(&st);
	if (e == STORE_ERR_LAST_ADMIN) {
		fprintf(stderr, "authctl: revoke: this is the last live "
		    "passkey of the last admin; enroll another admin first\n");
		return (1);
	}
	if (e != STORE_OK)
		return (fail("revoke", e));
	print_json(json_pack("{s:s, s:s}", "revoked", argv[optind], "reason",
	    reason));

	return (0);
}

static int
print_session(const struct store_session *s, void *arg)
{
	char	 created[32], expires[32], ended[32];
	char	*sid = b64(s->id, STORE_SID_LEN);
	char	*cid = b64(s->cred_id, s->cred_id_len);
	int64_t	 now = *(const int64_t *)arg;

	iso(s->created, created, sizeof(created));
	iso(s->expires, expires, sizeof(expires));
	iso(s->ended_at, ended, sizeof(ended));
	print_json(json_pack("{s:s?, s:s?, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "session_id", sid, "credential_id", cid, "state",
	    s->ended_at != 0 ? "ended" : s->expires <= now ? "expired" :
	    "live", "created", created, "expires", expires, "ended_at", ended,
	    "end_reason", s->end_reason, "amr", s->amr));
	free(sid);
	free(cid);

	return (0);
}

static int
cmd_sessions(int argc, char **argv)
{
	struct store		*st = NULL;
	struct store_user	 u;
	int64_t			 now = (int64_t)time(NULL);
	int			 e;

	if (argc != 2) {
		fprintf(stderr, "usage: authctl sessions USERNAME\n");
		return (2);
	}
	if (open_store(&st, true) < 0)
		return (1);
	if ((e = store_user_by_name(st, argv[1], &u)) == STORE_OK)
		e = store_session_list(st, u.id, print_session, &now);
	store_close(&st);

	return (e == STORE_OK ? 0 : fail(argv[1], e));
}

static int
cmd_rotate(void)
{
	struct store		*st = NULL;
	struct token_key	*key = NULL;
	struct store_key	 sk;
	int64_t			 now = (int64_t)time(NULL);
	int			 alg, e, rc = 1;

	alg = strcmp(cfg.token_alg, "ES256") == 0 ? TOKEN_ALG_ES256 :
	    TOKEN_ALG_EDDSA;
	memset(&sk, 0, sizeof(sk));
	if (token_key_generate(alg, &key) != TOKEN_OK ||
	    token_key_to_der(key, sk.priv, sizeof(sk.priv),
	    &sk.priv_len) != TOKEN_OK) {
		fprintf(stderr, "authctl: keys rotate: cannot make a key\n");
		goto done;
	}
	snprintf(sk.kid, sizeof(sk.kid), "%s", token_key_kid(key));
	snprintf(sk.alg, sizeof(sk.alg), "%s", token_alg_name(alg));
	sk.created = now;
	if (open_store(&st, true) < 0)
		goto done;
	/*
	 * The old keys stay published until the last token they signed
	 * has expired, with a minute for clock skew.
	 */
	if ((e = store_key_rotate(st, &sk, now,
	    now + cfg.token_lifetime + 60)) != STORE_OK) {
		rc = fail("keys rotate", e);
		goto done;
	}
	(void)store_audit(st, now, "key_rotation", "authctl", sk.kid, sk.alg);
	print_json(json_pack("{s:s, s:s}", "kid", sk.kid, "alg", sk.alg));
	rc = 0;
done:
	OPENSSL_cleanse(&sk, sizeof(sk));
	token_key_free(&key);
	store_close(&st);

	return (rc);
}

/*
 * A new KEK for the keyring.  FILE is made with a new key unless it
 * exists, in which case it must pass the same checks as kek_file.  Only
 * the keyring row changes, so authd processes that hold the data key go
 * on; at their next start they need the new KEK.
 */
static int
cmd_rewrap(const char *path)
{
	struct store	*st = NULL;
	unsigned char	 old[KEK_LEN], new[KEK_LEN];
	char		 src[CFG_MAX_STR + 8], err[2048];
	int64_t		 now = (int64_t)time(NULL);
	bool		 made = false;
	int		 e, r, rc = 1;

	if (open_store(&st, false) < 0)
		goto done;
	if ((r = kek_load(&cfg, old, src, sizeof(src), err,
	    sizeof(err))) != 0) {
		if (r == 1)
			fprintf(stderr, "authctl: keys rewrap: no current "
			    "key: %s does not exist and %s is not set\n", src,
			    KEK_ENV);
		else
			fprintf(stderr, "authctl: keys rewrap: %s\n", err);
		goto done;
	}
	if ((r = kek_read(path, new, err, sizeof(err))) == 1) {
		if (kek_create(path, new, err, sizeof(err)) < 0) {
			fprintf(stderr, "authctl: keys rewrap: %s\n", err);
			goto done;
		}
		made = true;
	} else if (r < 0) {
		fprintf(stderr, "authctl: keys rewrap: %s\n", err);
		goto done;
	}
	if (CRYPTO_memcmp(old, new, KEK_LEN) == 0) {
		fprintf(stderr, "authctl: keys rewrap: %s holds the current "
		    "key already\n", path);
		goto done;
	}
	if ((e = store_rewrap(st, old, new, now)) != STORE_OK) {
		if (e == STORE_ERR_KEY)
			fprintf(stderr, "authctl: keys rewrap: %s: not the "
			    "key-encryption key of database %s\n", src,
			    cfg.database);
		else if (e == STORE_ERR_NOT_FOUND)
			fprintf(stderr, "authctl: keys rewrap: database %s "
			    "has no keyring yet; start authd once first\n",
			    cfg.database);
		else
			(void)fail("keys rewrap", e);
		goto done;
	}
	(void)store_audit(st, now, "kek_rewrap", "authctl", "keyring", NULL);
	print_json(json_pack("{s:s, s:s, s:s}", "rewrapped", cfg.database,
	    "new_kek_file", path, "next", "point kek_file at the new file (or "
	    "move it over the old one, or put it in AUTHD_KEK), restart authd "
	    "when convenient, then destroy the old key and its copies"));
	rc = 0;
done:
	/* A new key that wraps nothing is useless: do not leave it about. */
	if (rc != 0 && made)
		(void)unlink(path);
	OPENSSL_cleanse(old, sizeof(old));
	OPENSSL_cleanse(new, sizeof(new));
	store_close(&st);

	return (rc);
}

static int
cmd_keys(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "rotate") == 0)
		return (cmd_rotate());
	if (argc == 4 && strcmp(argv[1], "rewrap") == 0 &&
	    strcmp(argv[2], "--new-kek-file") == 0 && *argv[3] != '\0')
		return (cmd_rewrap(argv[3]));
	if (argc == 3 && strcmp(argv[1], "rewrap") == 0 &&
	    strncmp(argv[2], "--new-kek-file=", 15) == 0 &&
	    argv[2][15] != '\0')
		return (cmd_rewrap(argv[2] + 15));
	fprintf(stderr, "usage: authctl keys rotate\n"
	    "       authctl keys rewrap --new-kek-file FILE\n");

	return (2);
}

static int
cmd_service(int argc, char **argv)
{
	struct store	*st = NULL;
	unsigned char	 raw[32];
	unsigned char	 hash[32];
	char		*k = NULL, key[64];
	int64_t		 id, now = (int64_t)time(NULL);
	int		 e, rc = 1;

	if (argc != 4 || strcmp(argv[1], "add") != 0 || *argv[2] == '\0' ||
	    strlen(argv[2]) > STORE_MAX_NAME || *argv[3] == '\0' ||
	    strlen(argv[3]) > STORE_MAX_AUDIENCE) {
		fprintf(stderr, "usage: authctl service add NAME AUDIENCE\n");
		return (2);
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1 ||
	    (k = b64(raw, sizeof(raw))) == NULL)
		goto done;
	snprintf(key, sizeof(key), "sk_%s", k);
	SHA256((const unsigned char *)key, strlen(key), hash);
	if (open_store(&st, false) < 0)
		goto done;
	if ((e = store_service_add(st, argv[2], argv[3], hash, now,
	    &id)) != STORE_OK) {
		rc = fail("service add", e);
		goto done;
	}
	(void)store_audit(st, now, "service_added", "authctl", argv[2],
	    argv[3]);
	print_json(json_pack("{s:s, s:s, s:s, s:s}", "name", argv[2],
	    "audience", argv[3], "api_key", key, "note", "shown once: store "
	    "it in the service's secret store"));
	rc = 0;
done:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(key, sizeof(key));
	if (k != NULL)
		OPENSSL_cleanse(k, strlen(k));
	free(k);
	store_close(&st);

	return (rc);
}

static int
cmd_audit(int argc, char **argv)
{
	return (authctl_audit(&cfg, argc, argv));
}

static int
cmd_backup(int argc, char **argv)
{
	return (authctl_backup(&cfg, argc, argv));
}

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} cmds[] = {
	{ "enroll", cmd_enroll },
	{ "users", cmd_users },
	{ "devices", cmd_devices },
	{ "revoke", cmd_revoke },
	{ "sessions", cmd_sessions },
	{ "keys", cmd_keys },
	{ "service", cmd_service },
	{ "audit", cmd_audit },
	{ "backup", cmd_backup },
};

/*
 * Runs an admin command; argv[0] is its name.  config and db are the
 * global options (NULL if not given).  -1 if name is not an admin
 * command.
 */
int
authctl_admin(const char *config, const char *db, int argc, char **argv)
{
	char err[1024];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[0], cmds[i].name) != 0)
			continue;
		if (argc > 1 && strcmp(argv[1], "--help") == 0) {
			authctl_admin_usage(stdout);
			return (0);
		}
		if (cfg_load(&cfg, config, 0, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "authctl: invalid configuration: %s\n",
			    err);
			return (2);
		}
		if (db != NULL)
			snprintf(cfg.database, sizeof(cfg.database), "%s", db);
		return (cmds[i].fn(argc, argv));
	}

	return (-1);
}
