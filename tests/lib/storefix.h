/*
 * storefix.h: what the store regress programs share: a throwaway
 * database per case (cmocka setup and teardown), constant queries through
 * the store's connection, and builders for users, credentials, sessions,
 * registrations and logins.  Everything here is static inline, as in
 * tests/regress/regress.h: the .c files of tests/lib are also linked into
 * the HTTP tests and the benchmarks, which link neither libstore nor (the
 * benchmarks) cmocka, so this fixture cannot live in one of them.
 */
#ifndef STOREFIX_H
#define STOREFIX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/extern.h"

#define NOW		1700000000LL

/* The key-encryption key of every fixture database. */
static const unsigned char fx_kek[STORE_KEY_LEN] =
    "fixture key-encryption key 32 b";

/*
 * Unlocks st with fx_kek: sealed fields (display names, signing keys,
 * confirmations) need it.  The DEK is then known to every connection of
 * the process to that database.
 */
static inline int
fx_unlock(struct store *st)
{
	return (store_unlock(st, fx_kek, NOW));
}

/*
 * A database at path as schema version v left it, built by running
 * migrations 1 to v, for a test of the migrations after it.  The caller
 * adds rows with db and closes it.
 */
static inline sqlite3 *
fx_schema_at(const char *path, int v)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL",
	    NULL, NULL, NULL), SQLITE_OK);
	for (int m = 1; m <= v; m++)
		for (size_t i = 0; store_migration[m][i] != NULL; i++)
			assert_int_equal(sqlite3_exec(db,
			    store_migration[m][i], NULL, NULL, NULL),
			    SQLITE_OK);

	return (db);
}

/* A throwaway database in a mkdtemp directory, removed afterwards. */
struct fx {
	char		 dir[256];
	char		 path[300];
	struct store	*st;
};

static inline void
fx_rm(const struct fx *fx)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[320];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(fx->dir);
}

static inline int
fx_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fx *fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return (-1);
	snprintf(fx->dir, sizeof(fx->dir), "%s/store_XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 200 ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return (-1);
	}
	snprintf(fx->path, sizeof(fx->path), "%s/authd.db", fx->dir);
	if (store_open(fx->path, &fx->st) != STORE_OK ||
	    fx_unlock(fx->st) != STORE_OK) {
		store_close(&fx->st);
		fx_rm(fx);
		free(fx);
		return (-1);
	}
	*state = fx;

	return (0);
}

static inline int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	store_close(&fx->st);
	fx_rm(fx);
	free(fx);

	return (0);
}

/* The first column of a constant query, as an integer. */
static inline int64_t
q_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);

	return (v);
}

/* A constant statement through the store's connection: its result code. */
static inline int
q_exec(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL)) !=
	    SQLITE_OK)
		return (rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		continue;
	sqlite3_finalize(s);

	return (rc == SQLITE_DONE ? SQLITE_OK : rc);
}

/* A fresh ceremony id each call. */
static inline void
cer(unsigned char id[STORE_CEREMONY_LEN])
{
	static uint32_t n;

	n++;
	memset(id, 0, STORE_CEREMONY_LEN);
	id[0] = 'c';
	memcpy(id + STORE_CEREMONY_LEN - sizeof(n), &n, sizeof(n));
}

static inline struct store_user
mkuser(struct store *st, const char *name, enum store_role role)
{
	struct store_user u;

	assert_int_equal(store_user_ensure(st, name, role, name, NOW, &u),
	    STORE_OK);

	return (u);
}

/* A credential of user uid whose id is 20 bytes of tag. */
static inline struct store_cred
mkcred(int64_t uid, unsigned char tag)
{
	struct store_cred c;

	memset(&c, 0, sizeof(c));
	memset(c.id, tag, 20);
	c.id_len = 20;
	c.user_id = uid;
	memset(c.cose_key, 0xa5, 77);
	c.cose_key_len = 77;
	c.alg = -7;
	memset(c.aaguid, tag, sizeof(c.aaguid));
	snprintf(c.fmt, sizeof(c.fmt), "packed");
	snprintf(c.att_type, sizeof(c.att_type), "basic");
	c.trusted = true;
	c.transports = 0x08;
	c.be = true;
	c.uv = true;
	snprintf(c.label, sizeof(c.label), "handheld %u", tag);

	return (c);
}

/* Registers c with a fresh ceremony and an optional enrollment code. */
static inline int
reg(struct store *st, const unsigned char *code, const struct store_cred *c)
{
	unsigned char id[STORE_CEREMONY_LEN];

	cer(id);

	return (store_cred_register(st, id, NOW + 120, code, NOW, c));
}

/* A session whose id and secret hash are bytes of tag. */
static inline struct store_session
mksess(unsigned char tag, int64_t expires)
{
	struct store_session s;

	memset(&s, 0, sizeof(s));
	memset(s.id, tag, sizeof(s.id));
	memset(s.secret_hash, tag, sizeof(s.secret_hash));
	s.created = NOW;
	s.auth_time = NOW;
	s.expires = expires;
	snprintf(s.amr, sizeof(s.amr), "hwk user");

	return (s);
}

/* A login with c at count, starting session tag, with a fresh ceremony. */
static inline int
login(struct store *st, const struct store_cred *c, uint32_t count,
    unsigned char tag)
{
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s = mksess(tag, NOW + 3600);

	cer(id);

	return (store_login(st, id, NOW + 120, c->id, c->id_len, count, true,
	    NOW, &s));
}

#define COUNT(st, table)	q_int((st), "SELECT count(*) FROM " table)

#endif /* STOREFIX_H */
