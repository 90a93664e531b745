/*
 * store_open.c: opening the store: migration from an empty file and
 * idempotent re-opening, file modes, pragmas, a schema newer than the
 * code, files that are not databases, symlinks and a locked database.
 */
#include <sys/stat.h>

#include <fcntl.h>
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
#include "tests/lib/storefix.h"

static mode_t
file_mode(const char *path, const char *suffix)
{
	char p[340];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	assert_int_equal(lstat(p, &sb), 0);

	return (sb.st_mode & 07777);
}

static int64_t
count_tables(struct store *st)
{
	return (q_int(st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'table' AND name IN ('users', 'enrollments',"
	    " 'credentials', 'sessions', 'ceremonies', 'signing_keys',"
	    " 'services', 'revocations', 'audit')"));
}

static void
migrate_empty(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(store_schema_version(fx->st), STORE_SCHEMA_VERSION);
	assert_int_equal(q_int(fx->st, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(count_tables(fx->st), 9);
	assert_int_equal(q_int(fx->st, "SELECT count(*)"
	    " FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
}

static void
reopen_idempotent(void **state)
{
	struct fx *fx = *state;
	struct store_user u, got;
	int64_t objects;

	assert_int_equal(store_user_ensure(fx->st, "ana", STORE_ROLE_COURIER,
	    "Ana", NOW, &u), STORE_OK);
	objects = q_int(fx->st, "SELECT count(*) FROM sqlite_schema");
	for (int i = 0; i < 2; i++) {
		store_close(&fx->st);
		assert_null(fx->st);
		assert_int_equal(store_open(fx->path, &fx->st), STORE_OK);
		assert_int_equal(store_schema_version(fx->st),
		    STORE_SCHEMA_VERSION);
		assert_int_equal(q_int(fx->st,
		    "SELECT count(*) FROM sqlite_schema"), objects);
	}
	assert_int_equal(store_user_by_name(fx->st, "ana", &got), STORE_OK);
	assert_int_equal(got.id, u.id);
	assert_memory_equal(got.handle, u.handle, STORE_HANDLE_LEN);
}

/* Even with umask 0, the database, -wal and -shm are 0600. */
static void
file_mode_0600(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char p[320], q[330];
	mode_t old;
	int r;

	snprintf(p, sizeof(p), "%s/fresh.db", fx->dir);
	old = umask(0);
	r = store_open(p, &st);
	(void)umask(old);
	assert_int_equal(r, STORE_OK);
	assert_int_equal(store_audit(st, NOW, "test", NULL, NULL, NULL),
	    STORE_OK);
	assert_int_equal(file_mode(p, ""), 0600);
	assert_int_equal(file_mode(p, "-wal"), 0600);
	assert_int_equal(file_mode(p, "-shm"), 0600);
	store_close(&st);
	(void)unlink(p);
	snprintf(q, sizeof(q), "%s-wal", p);
	(void)unlink(q);
	snprintf(q, sizeof(q), "%s-shm", p);
	(void)unlink(q);
}

/* Files that exist with group or other access lose it on open. */
static void
loose_mode_tightened(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char wal[320];

	snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	assert_int_equal(chmod(fx->path, 0644), 0);
	assert_int_equal(chmod(wal, 0666), 0);
	assert_int_equal(store_open(fx->path, &st), STORE_OK);
	assert_int_equal(file_mode(fx->path, ""), 0600);
	assert_int_equal(file_mode(fx->path, "-wal"), 0600);
	store_close(&st);
}

static void
pragmas_set(void **state)
{
	struct fx *fx = *state;
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(fx->st),
	    "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_int_equal(q_int(fx->st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q_int(fx->st, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(q_int(fx->st, "PRAGMA busy_timeout"), STORE_BUSY_MS);
}

static void
future_version(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db = NULL;

	store_close(&fx->st);
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(fx->path, &fx->st), STORE_ERR_VERSION);
	assert_null(fx->st);
}

static void
not_a_database(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char junk[320];
	FILE *f;

	snprintf(junk, sizeof(junk), "%s/junk.db", fx->dir);
	assert_non_null(f = fopen(junk, "w"));
	for (int i = 0; i < 512; i++)
		fputs("this is not an SQLite database\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(store_open(junk, &st), STORE_ERR_IO);
	assert_null(st);
	(void)unlink(junk);
}

static void
symlink_refused(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char link[320];

	snprintf(link, sizeof(link), "%s/link.db", fx->dir);
	assert_int_equal(symlink(fx->path, link), 0);
	assert_int_equal(store_open(link, &st), STORE_ERR_IO);
	assert_null(st);
	(void)unlink(link);
}

static void
missing_directory(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char p[320];

	snprintf(p, sizeof(p), "%s/no/such/dir.db", fx->dir);
	assert_int_equal(store_open(p, &st), STORE_ERR_IO);
	assert_int_equal(store_open(NULL, &st), STORE_ERR_ARG);
	assert_int_equal(store_open("", &st), STORE_ERR_ARG);
	assert_int_equal(store_open(fx->path, NULL), STORE_ERR_ARG);
	assert_null(st);
}

/* Another process holds the write lock for longer than the timeout. */
static void
locked_is_busy(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(store_db(fx->st), 50);
	assert_int_equal(store_audit(fx->st, NOW, "test", NULL, NULL, NULL),
	    STORE_ERR_BUSY);
	assert_int_equal(store_ceremony_consume(fx->st,
	    (const unsigned char *)"0123456789abcdef", NOW + 60, NOW),
	    STORE_ERR_BUSY);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	/* Nothing was left half-open: the same calls now succeed. */
	assert_int_equal(store_ceremony_consume(fx->st,
	    (const unsigned char *)"0123456789abcdef", NOW + 60, NOW),
	    STORE_OK);
}

static void
error_and_role_names(void **state)
{
	(void)state;
	for (int e = STORE_OK; e <= STORE_ERR_LOCKED; e++)
		assert_string_not_equal(store_strerr(e),
		    "unknown store error");
	assert_string_equal(store_strerr(-1), "unknown store error");
	assert_string_equal(store_strerr(99), "unknown store error");
	for (int r = STORE_ROLE_COURIER; r <= STORE_ROLE_ADMIN; r++)
		assert_int_equal(store_role_parse(store_role_name(
		    (enum store_role)r)), r);
	assert_int_equal(store_role_parse("root"), 0);
	assert_int_equal(store_role_parse(NULL), 0);
	assert_null(store_role_name((enum store_role)0));
}

/*
 * store_settle(): a statement left stepping on a connection pins its
 * read snapshot, so a user added since stays invisible to it.  Settling
 * resets it, says how many it reset, and the connection sees the user.
 */
static void
settle_ends_snapshot(void **state)
{
	struct fx		*fx = *state;
	struct store		*other = NULL;
	struct store_user	 u;
	sqlite3_stmt		*s = NULL;

	assert_int_equal(store_open(fx->path, &other), STORE_OK);
	assert_int_equal(fx_unlock(other), STORE_OK);
	assert_int_equal(store_settle(fx->st), 0);
	/* A read left mid-result on fx->st. */
	assert_int_equal(sqlite3_prepare_v2(fx->st->db,
	    "SELECT count(*) FROM users UNION ALL SELECT 0", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(store_user_ensure(other, "late", STORE_ROLE_COURIER,
	    "Late", NOW, &u), STORE_OK);
	assert_int_equal(store_user_by_name(fx->st, "late", &u),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(store_settle(fx->st), 1);
	assert_int_equal(store_user_by_name(fx->st, "late", &u), STORE_OK);
	assert_string_equal(u.username, "late");
	assert_int_equal(store_settle(fx->st), 0);
	assert_int_equal(store_settle(NULL), 0);
	sqlite3_finalize(s);
	store_close(&other);
}

/*
 * SQLite's memory statistics are off: each allocation would otherwise
 * take one process-wide mutex.  With them off SQLite counts nothing.
 * (store_open() ran first in this process, in the fixture.)
 */
static void
memory_statistics_off(void **state)
{
	struct fx	*fx = *state;
	struct store_user u;

	assert_int_equal(store_user_ensure(fx->st, "mem", STORE_ROLE_COURIER,
	    "Mem", NOW, &u), STORE_OK);
	assert_int_equal(sqlite3_memory_used(), 0);
	assert_int_equal(sqlite3_memory_highwater(0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(migrate_empty),
		T(reopen_idempotent),
		T(file_mode_0600),
		T(loose_mode_tightened),
		T(pragmas_set),
		T(future_version),
		T(not_a_database),
		T(symlink_refused),
		T(missing_directory),
		T(locked_is_busy),
		T(error_and_role_names),
		T(settle_ends_snapshot),
		T(memory_statistics_off),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
