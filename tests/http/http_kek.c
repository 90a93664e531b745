/*
 * http_kek.c: authd and the key-encryption key, as processes.  The first
 * start makes the key file with mode 0600; authd refuses a key file
 * that others may read, a wrong key (file or AUTHD_KEK) and a sealed
 * database whose key file is missing; it starts with AUTHD_KEK alone.
 * After `authctl keys rewrap` a restart with the new key serves tokens
 * that verify against its JWKS, and the old key is refused.  The
 * database file holds neither the signing key nor a display name or
 * contact in the clear: the test opens the stored signing key with the
 * KEK itself, by the format store/seal.c documents, and searches the
 * file for its bytes.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include "webauthn/webauthn.h"
#include "tests/http/fixture.h"

#define DISPLAY		"Zebulon Quaxworth"
#define CONTACT		"zebulon.quaxworth@example.net"
/* A well-formed key that is not the database's. */
#define OTHER_KEK	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* An instance of its own: port, origin and the flags to start it. */
struct inst {
	struct fx_authd	 a;
	char		 origin[64];
	char		 listen[64], origins[96], issuer[96], db[600];
	char		 extra[700];
	const char	*args[8];
};

static void
inst_args(struct inst *in, const char *name, const char *extra)
{
	fx_free_port(in->a.port, sizeof(in->a.port));
	snprintf(in->origin, sizeof(in->origin), "http://localhost:%s",
	    in->a.port);
	snprintf(in->listen, sizeof(in->listen), "--listen=127.0.0.1:%s",
	    in->a.port);
	snprintf(in->origins, sizeof(in->origins), "--origins=%s",
	    in->origin);
	snprintf(in->issuer, sizeof(in->issuer), "--issuer=%s", in->origin);
	snprintf(in->db, sizeof(in->db), "--database=%s/%s.db", fx.tmp, name);
	in->args[0] = in->listen;
	in->args[1] = in->origins;
	in->args[2] = in->issuer;
	in->args[3] = in->db;
	in->args[4] = NULL;
	if (extra != NULL) {
		snprintf(in->extra, sizeof(in->extra), "%s", extra);
		in->args[4] = in->extra;
		in->args[5] = NULL;
	}
}

/* Starts name.db (made on first use) and asserts it runs. */
static void
start_ok(struct inst *in, const char *name, const char *extra)
{
	inst_args(in, name, extra);
	if (fx_authd_start(&in->a, name, in->args) != 0)
		fail_msg("%s: authd did not start: see %s", name, in->a.log);
}

static void
stop_ok(struct inst *in)
{
	assert_int_equal(fx_authd_stop(&in->a, SIGTERM), 0);
}

/* authd on name.db must not start; its standard error names needle. */
static void
refuses(const char *name, const char *extra, const char *needle)
{
	struct inst in;

	memset(&in, 0, sizeof(in));
	inst_args(&in, name, extra);
	if (fx_authd_start(&in.a, name, in.args) != 1) {
		(void)fx_authd_stop(&in.a, SIGKILL);
		fail_msg("%s: authd started", name);
	}
	assert_int_not_equal(in.a.status, 0);
	if (!fx_file_has(in.a.log, needle))
		fail_msg("%s: stderr does not name '%s'", name, needle);
}

static void
path_of(char *buf, size_t len, const char *name, const char *suffix)
{
	snprintf(buf, len, "%s/%s%s", fx.tmp, name, suffix);
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);

	return (sb.st_mode & 07777);
}

/* The text of a KEK file, without its newline. */
static void
read_kek_text(const char *path, char *buf, size_t len)
{
	FILE *f;

	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(buf, (int)len, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	assert_int_equal(strlen(buf), 43);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	(void)unlink(path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Does any of the database's files contain needle? */
static bool
db_has(const char *db, const void *needle, size_t n)
{
	static const char *const sfx[] = { "", "-wal" };
	char		 p[700];
	FILE		*f;
	unsigned char	*buf;
	long		 len;
	bool		 found = false;

	for (size_t i = 0; i < 2 && !found; i++) {
		snprintf(p, sizeof(p), "%s%s", db, sfx[i]);
		if ((f = fopen(p, "rb")) == NULL)
			continue;
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		len = ftell(f);
		rewind(f);
		assert_non_null(buf = malloc((size_t)len + 1));
		assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		for (long j = 0; j + (long)n <= len && !found; j++)
			found = memcmp(buf + j, needle, n) == 0;
		free(buf);
	}

	return (found);
}

/* AES-256-GCM open of version || nonce || ct || tag, AAD as seal.c. */
static bool
gcm_open(const unsigned char *k, const char *what, const void *key,
    size_t keylen, const unsigned char *in, size_t inlen, unsigned char *out)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	 v = 1;
	int		 n, ok;

	if (inlen < 29 || in[0] != 1)
		return (false);
	assert_non_null(ctx = EVP_CIPHER_CTX_new());
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k, in + 1) ==
	    1 && EVP_DecryptUpdate(ctx, NULL, &n, &v, 1) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)what,
	    (int)strlen(what) + 1) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, key, (int)keylen) == 1 &&
	    EVP_DecryptUpdate(ctx, out, &n, in + 13, (int)inlen - 29) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
	    (void *)(uintptr_t)(in + inlen - 16)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, out + n, &n) == 1;
	EVP_CIPHER_CTX_free(ctx);

	return (ok);
}

/* One blob column of a constant query, by the sqlite3 API. */
static size_t
blob(sqlite3 *db, const char *sql, int col, unsigned char *out, size_t max)
{
	sqlite3_stmt	*s = NULL;
	size_t		 n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(s, col), SQLITE_BLOB);
	n = (size_t)sqlite3_column_bytes(s, col);
	assert_true(n <= max);
	memcpy(out, sqlite3_column_blob(s, col), n);
	sqlite3_finalize(s);

	return (n);
}

/*
 * Opens the current signing key with kek, as an outside reader would:
 * the key is a real private key, and its bytes are nowhere in the file.
 */
static void
signing_key_sealed(const char *dbpath, const unsigned char *kek)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	unsigned char	 ring[16], wrapped[61], dek[32], sealed[600];
	unsigned char	 der[600];
	const unsigned char *p = der;
	char		 kid[80];
	size_t		 n;
	EVP_PKEY	*pk;

	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(blob(db, "SELECT ring_id FROM keyring", 0, ring,
	    sizeof(ring)), 16);
	assert_int_equal(blob(db, "SELECT wrapped FROM keyring", 0, wrapped,
	    sizeof(wrapped)), 61);
	assert_true(gcm_open(kek, "keyring.dek", ring, sizeof(ring), wrapped,
	    sizeof(wrapped), dek));
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT kid FROM signing_keys"
	    " WHERE retired_at = 0", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(kid, sizeof(kid), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	n = blob(db, "SELECT priv FROM signing_keys WHERE retired_at = 0", 0,
	    sealed, sizeof(sealed));
	sqlite3_close(db);
	/* Stored sealed: not DER, and it opens only for its own kid. */
	assert_int_equal(sealed[0], 1);
	assert_false(gcm_open(dek, "signing_keys.priv", "x", 1, sealed, n,
	    der));
	assert_true(gcm_open(dek, "signing_keys.priv", kid, strlen(kid),
	    sealed, n, der));
	assert_non_null(pk = d2i_AutoPrivateKey(NULL, &p, (long)(n - 29)));
	EVP_PKEY_free(pk);
	assert_false(db_has(dbpath, der, n - 29));
	/* A run of 16 bytes of the key is not there either. */
	assert_false(db_has(dbpath, der + n - 29 - 16, 16));
}

static void
first_start_creates_kek(void **state)
{
	struct inst	in;
	char		kek[600];

	(void)state;
	memset(&in, 0, sizeof(in));
	start_ok(&in, "kek_first", NULL);
	path_of(kek, sizeof(kek), "kek_first", ".db.kek");
	assert_int_equal(mode_of(kek), 0600);
	assert_true(fx_file_has(in.a.log, "\"event\":\"kek_created\""));
	/* The default file sits beside the database: a warning says so. */
	assert_true(fx_file_has(in.a.log, "\"event\":\"kek_beside_database\""));
	stop_ok(&in);
	/* The second start uses it and says nothing of creating one. */
	start_ok(&in, "kek_first", NULL);
	assert_false(fx_file_has(in.a.log, "kek_created"));
	stop_ok(&in);
}

/* A key file in another directory, or in the environment: no warning. */
static void
kek_apart_no_warning(void **state)
{
	struct inst	in;
	char		dir[600], kek[700], flag[800], text[64];

	(void)state;
	memset(&in, 0, sizeof(in));
	path_of(dir, sizeof(dir), "kek_apart", ".keys");
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(kek, sizeof(kek), "%s/authd.kek", dir);
	snprintf(flag, sizeof(flag), "--kek_file=%s", kek);
	start_ok(&in, "kek_apart", flag);
	assert_true(fx_file_has(in.a.log, "\"event\":\"kek_created\""));
	assert_false(fx_file_has(in.a.log, "kek_beside_database"));
	stop_ok(&in);
	read_kek_text(kek, text, sizeof(text));
	setenv("AUTHD_KEK", text, 1);
	start_ok(&in, "kek_apart", NULL);
	unsetenv("AUTHD_KEK");
	assert_false(fx_file_has(in.a.log, "kek_beside_database"));
	stop_ok(&in);
}

static void
loose_mode_refused(void **state)
{
	struct inst	in;
	char		kek[600];

	(void)state;
	memset(&in, 0, sizeof(in));
	start_ok(&in, "kek_mode", NULL);
	stop_ok(&in);
	path_of(kek, sizeof(kek), "kek_mode", ".db.kek");
	assert_int_equal(chmod(kek, 0644), 0);
	refuses("kek_mode", NULL, kek);
	refuses("kek_mode", NULL, "mode 0644");
	refuses("kek_mode", NULL, "chmod 600");
	assert_int_equal(chmod(kek, 0640), 0);
	refuses("kek_mode", NULL, "mode 0640");
	/* Fixed by the operator, not by authd. */
	assert_int_equal(mode_of(kek), 0640);
	assert_int_equal(chmod(kek, 0600), 0);
	start_ok(&in, "kek_mode", NULL);
	stop_ok(&in);
}

static void
wrong_or_missing_kek_refused(void **state)
{
	struct inst	in;
	char		kek[600], other[600], flag[700], moved[600];

	(void)state;
	memset(&in, 0, sizeof(in));
	start_ok(&in, "kek_wrong", NULL);
	stop_ok(&in);
	path_of(kek, sizeof(kek), "kek_wrong", ".db.kek");
	path_of(other, sizeof(other), "kek_wrong", ".other");
	write_file(other, OTHER_KEK "\n", 0600);
	snprintf(flag, sizeof(flag), "--kek_file=%s", other);
	refuses("kek_wrong", flag, "not the key-encryption key");
	/* Malformed content. */
	write_file(other, "not a key\n", 0600);
	refuses("kek_wrong", flag, "base64url");
	/* Wrong in the environment, which wins over a good file. */
	setenv("AUTHD_KEK", OTHER_KEK, 1);
	refuses("kek_wrong", NULL, "AUTHD_KEK: not the key-encryption key");
	unsetenv("AUTHD_KEK");
	/* Missing, for a sealed database: no new key is made. */
	path_of(moved, sizeof(moved), "kek_wrong", ".moved");
	assert_int_equal(rename(kek, moved), 0);
	refuses("kek_wrong", NULL, "missing");
	assert_int_equal(access(kek, F_OK), -1);
	assert_int_equal(rename(moved, kek), 0);
	start_ok(&in, "kek_wrong", NULL);
	stop_ok(&in);
}

static void
env_kek_starts(void **state)
{
	struct inst	in;
	char		kek[600], moved[600], text[64];

	(void)state;
	memset(&in, 0, sizeof(in));
	start_ok(&in, "kek_env", NULL);
	stop_ok(&in);
	path_of(kek, sizeof(kek), "kek_env", ".db.kek");
	path_of(moved, sizeof(moved), "kek_env", ".moved");
	read_kek_text(kek, text, sizeof(text));
	assert_int_equal(rename(kek, moved), 0);
	setenv("AUTHD_KEK", text, 1);
	start_ok(&in, "kek_env", NULL);
	unsetenv("AUTHD_KEK");
	/* Not written anywhere, nor logged. */
	assert_int_equal(access(kek, F_OK), -1);
	assert_false(fx_file_has(in.a.log, text));
	stop_ok(&in);
	/* A fresh database with AUTHD_KEK: no key file is made. */
	setenv("AUTHD_KEK", text, 1);
	start_ok(&in, "kek_env_new", NULL);
	unsetenv("AUTHD_KEK");
	path_of(kek, sizeof(kek), "kek_env_new", ".db.kek");
	assert_int_equal(access(kek, F_OK), -1);
	stop_ok(&in);
}

/* A login on in: the access token (free(3)). */
static char *
login_token(struct inst *in, struct fx_user *u)
{
	struct fx_ceremony	 ce;
	struct hc_resp		 resp;
	struct hc_conn		*c = fx_connect(in->a.port);
	json_t			*j;
	char			*at;

	memset(&ce, 0, sizeof(ce));
	memset(&resp, 0, sizeof(resp));
	ce.origin = in->origin;
	assert_int_equal(fx_login(c, u, false, &ce, &resp), 200);
	assert_non_null(j = fx_json(&resp));
	assert_non_null(at = strdup(json_string_value(json_object_get(j,
	    "access_token"))));
	json_decref(j);
	hc_resp_free(&resp);
	hc_close(&c);

	return (at);
}

static void
rewrap_and_restart(void **state)
{
	struct inst		 in;
	struct fx_ceremony	 ce;
	struct fx_user		 u;
	struct hc_resp		 resp;
	struct hc_conn		*c;
	unsigned char		 raw[64];
	char			 db[600], kek[600], newkek[600], flag[700];
	char			 jwks[128], text[64], *code, *at;
	char			*out, *err;
	size_t			 len;

	(void)state;
	assert_non_null(out = malloc(FX_MAX_OUT));
	assert_non_null(err = malloc(FX_MAX_OUT));
	memset(&in, 0, sizeof(in));
	memset(&u, 0, sizeof(u));
	memset(&resp, 0, sizeof(resp));
	start_ok(&in, "kek_rewrap", NULL);
	path_of(db, sizeof(db), "kek_rewrap", ".db");
	path_of(kek, sizeof(kek), "kek_rewrap", ".db.kek");
	path_of(newkek, sizeof(newkek), "kek_rewrap", ".new.kek");

	/* A courier with personal data, enrolled by authctl. */
	fx_username("zeb", u.name, sizeof(u.name));
	assert_int_equal(fx_authctl(db, out, err, "enroll", u.name, "courier",
	    "--display-name", DISPLAY, "--contact", CONTACT, NULL), 0);
	assert_non_null(strstr(out, "\"code\":\""));
	code = strndup(strstr(out, "\"code\":\"") + 8, 43);
	c = fx_connect(in.a.port);
	memset(&ce, 0, sizeof(ce));
	ce.origin = in.origin;
	assert_int_equal(fx_register(c, code, &u, WA_COSE_ES256, &ce, &resp),
	    201);
	free(code);
	hc_close(&c);
	assert_int_equal(fx_authctl(db, out, err, "users", NULL), 0);
	assert_non_null(strstr(out, CONTACT));
	assert_non_null(strstr(out, DISPLAY));
	at = login_token(&in, &u);
	free(at);

	/* A mode the new file must not have. */
	write_file(newkek, OTHER_KEK "\n", 0604);
	assert_int_not_equal(fx_authctl(db, out, err, "keys", "rewrap",
	    "--new-kek-file", newkek, NULL), 0);
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(unlink(newkek), 0);
	/* Rewrap while authd runs: it goes on serving. */
	assert_int_equal(fx_authctl(db, out, err, "keys", "rewrap",
	    "--new-kek-file", newkek, NULL), 0);
	assert_int_equal(mode_of(newkek), 0600);
	assert_non_null(strstr(out, "kek_file"));
	at = login_token(&in, &u);
	free(at);
	stop_ok(&in);
	assert_int_equal(fx_authctl(db, out, err, "audit", "export", NULL),
	    0);
	assert_non_null(strstr(out, "\"kek_rewrap\""));

	/* The old key no longer opens it; the new one does. */
	refuses("kek_rewrap", NULL, "not the key-encryption key");
	snprintf(flag, sizeof(flag), "--kek_file=%s", newkek);
	start_ok(&in, "kek_rewrap", flag);
	at = login_token(&in, &u);
	snprintf(jwks, sizeof(jwks), "%s/.well-known/jwks.json", in.origin);
	assert_int_equal(fx_jose(jwks, "authd-services", in.origin, at, out),
	    0);
	free(at);
	stop_ok(&in);

	/* What the file holds: nothing of it in the clear. */
	assert_false(db_has(db, DISPLAY, strlen(DISPLAY)));
	assert_false(db_has(db, CONTACT, strlen(CONTACT)));
	assert_true(db_has(db, u.name, strlen(u.name)));
	read_kek_text(newkek, text, sizeof(text));
	assert_int_equal(wa_b64url_decode(text, strlen(text), raw,
	    sizeof(raw), &len), WA_OK);
	assert_int_equal(len, 32);
	signing_key_sealed(db, raw);
	fx_user_free(&u);
	hc_resp_free(&resp);
	free(out);
	free(err);
}

static int
group_setup(void **state)
{
	(void)state;

	return (fx_env_load());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_start_creates_kek),
		cmocka_unit_test(kek_apart_no_warning),
		cmocka_unit_test(loose_mode_refused),
		cmocka_unit_test(wrong_or_missing_kek_refused),
		cmocka_unit_test(env_kek_starts),
		cmocka_unit_test(rewrap_and_restart),
	};

	return (cmocka_run_group_tests(tests, group_setup, NULL));
}
