/*
 * sql.c: the plumbing under every store function: the per-connection
 * statement cache, transactions, binding and checked column reads.  The
 * database file is treated as untrusted input: a column of the wrong type
 * or size is reported as corruption, never truncated into a record.
 */
#include <pthread.h>
#include <string.h>

#include "extern.h"

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

int
store_stmt(struct store *st, enum store_stmt id, const char *sql,
    sqlite3_stmt **stp)
{
	int rc;

	*stp = NULL;
	if (st->stmt[id] == NULL) {
		rc = sqlite3_prepare_v3(st->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL);
		if (rc != SQLITE_OK) {
			st->stmt[id] = NULL;
			return (store_sqlerr(rc));
		}
	}
	*stp = st->stmt[id];

	return (STORE_OK);
}

void
store_stmt_done(sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	/* A statement left mid-result would pin a read snapshot. */
	(void)sqlite3_reset(s);
	(void)sqlite3_clear_bindings(s);
}

int
store_prepare(struct store *st, const char *sql, sqlite3_stmt **stp)
{
	int rc;

	*stp = NULL;
	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, stp, NULL)) !=
	    SQLITE_OK) {
		sqlite3_finalize(*stp);
		*stp = NULL;
		return (store_sqlerr(rc));
	}

	return (STORE_OK);
}

int
store_step_done(sqlite3_stmt *s)
{
	int rc;

	if ((rc = sqlite3_step(s)) == SQLITE_DONE)
		return (STORE_OK);
	if (rc == SQLITE_ROW)
		return (STORE_ERR_IO);	/* a row where none was expected */

	return (store_sqlerr(rc));
}

int
store_step_row(sqlite3_stmt *s)
{
	int rc;

	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		return (STORE_OK);
	if (rc == SQLITE_DONE)
		return (STORE_ERR_NOT_FOUND);

	return (store_sqlerr(rc));
}

int
store_stmt_row(struct store *st, enum store_stmt id, const char *sql,
    const void *key, size_t len, sqlite3_stmt **stp)
{
	int r;

	if ((r = store_stmt(st, id, sql, stp)) != STORE_OK)
		return (r);
	if (store_bind_blob(*stp, 1, key, len) != SQLITE_OK)
		return (store_dberr(st));

	return (store_step_row(*stp));
}

int
store_step_next(sqlite3_stmt *s, bool *row)
{
	int rc;

	*row = false;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*row = true;
		return (STORE_OK);
	}
	if (rc == SQLITE_DONE)
		return (STORE_OK);

	return (store_sqlerr(rc));
}

int
store_exec2(struct store *st, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_prepare(st, sql, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, a) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, b) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_stmt_exec(struct store *st, enum store_stmt id, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_stmt(st, id, sql, &s)) != STORE_OK)
		goto fail;
	r = store_step_done(s);
fail:
	store_stmt_done(s);

	return (r);
}

/*
 * Writers of this process queue on a mutex before BEGIN IMMEDIATE.
 * Without it they would meet inside SQLite, where the busy handler puts
 * the losers to sleep for 1 to 100 ms while the lock sits idle.  Other
 * processes (authctl) still meet the busy handler.  The group-commit
 * writers (writer.c) take it once per batch like any other writer.
 */
static pthread_mutex_t	write_mtx = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local bool tx_held;

static void
write_unlock(struct store *st)
{
	st->writing = false;
	tx_held = false;
	pthread_mutex_unlock(&write_mtx);
}

bool
store_tx_held(void)
{
	return (tx_held);
}

int
store_tx_begin(struct store *st)
{
	int r;

	pthread_mutex_lock(&write_mtx);
	st->writing = true;
	tx_held = true;
	if ((r = store_stmt_exec(st, STMT_BEGIN, sql_begin)) != STORE_OK)
		write_unlock(st);

	return (r);
}

int
store_tx_commit(struct store *st)
{
	int r;

	/* On failure the caller rolls back, which lets go of the mutex. */
	if ((r = store_stmt_exec(st, STMT_COMMIT, sql_commit)) == STORE_OK &&
	    st->writing)
		write_unlock(st);

	return (r);
}

void
store_tx_rollback(struct store *st)
{
	/*
	 * SQLite rolls back by itself after some errors (FULL, IOERR).  A
	 * ROLLBACK that fails (an allocation, an I/O error) is tried again:
	 * a transaction left open on this connection would hold the write
	 * lock, and every later writer would wait for it in vain.
	 */
	for (int i = 0; i < 3 && !sqlite3_get_autocommit(st->db); i++)
		(void)store_stmt_exec(st, STMT_ROLLBACK, sql_rollback);
	if (st->writing)
		write_unlock(st);
}

int
store_bind_blob(sqlite3_stmt *s, int i, const void *p, size_t len)
{
	if (len > INT32_MAX)
		return (SQLITE_TOOBIG);
	/* A zero-length blob, not NULL. */
	if (len == 0)
		return (sqlite3_bind_zeroblob(s, i, 0));

	return (sqlite3_bind_blob(s, i, p, (int)len, SQLITE_STATIC));
}

int
store_bind_text(sqlite3_stmt *s, int i, const char *p)
{
	if (p == NULL)
		return (sqlite3_bind_null(s, i));

	return (sqlite3_bind_text(s, i, p, -1, SQLITE_STATIC));
}

int
store_col_text(sqlite3_stmt *s, int i, char *dst, size_t max)
{
	const unsigned char *p;
	int n;

	if (sqlite3_column_type(s, i) != SQLITE_TEXT)
		return (STORE_ERR_IO);
	if ((p = sqlite3_column_text(s, i)) == NULL)
		return (STORE_ERR_NOMEM);
	if ((n = sqlite3_column_bytes(s, i)) < 0 || (size_t)n >= max ||
	    memchr(p, '\0', (size_t)n) != NULL)
		return (STORE_ERR_IO);
	memcpy(dst, p, (size_t)n);
	dst[n] = '\0';

	return (STORE_OK);
}

int
store_col_blob(sqlite3_stmt *s, int i, unsigned char *dst, size_t max,
    size_t *len)
{
	const void *p;
	int n;

	if (sqlite3_column_type(s, i) != SQLITE_BLOB)
		return (STORE_ERR_IO);
	p = sqlite3_column_blob(s, i);
	if ((n = sqlite3_column_bytes(s, i)) < 0 || (size_t)n > max)
		return (STORE_ERR_IO);
	if (n > 0 && p == NULL)
		return (STORE_ERR_NOMEM);
	if (n > 0)
		memcpy(dst, p, (size_t)n);
	*len = (size_t)n;

	return (STORE_OK);
}

int
store_col_fixed(sqlite3_stmt *s, int i, unsigned char *dst, size_t len)
{
	size_t got;
	int r;

	if ((r = store_col_blob(s, i, dst, len, &got)) != STORE_OK)
		return (r);
	if (got != len)
		return (STORE_ERR_IO);

	return (STORE_OK);
}

int
store_col_int64(sqlite3_stmt *s, int i, int64_t *v)
{
	if (sqlite3_column_type(s, i) != SQLITE_INTEGER)
		return (STORE_ERR_IO);
	*v = sqlite3_column_int64(s, i);

	return (STORE_OK);
}

int
store_col_bool(sqlite3_stmt *s, int i, bool *v)
{
	int64_t x;

	if (store_col_int64(s, i, &x) != STORE_OK || (x != 0 && x != 1))
		return (STORE_ERR_IO);
	*v = x == 1;

	return (STORE_OK);
}

bool
store_str_ok(const char *s, size_t max, bool empty_ok)
{
	size_t n;

	if (s == NULL)
		return (false);
	n = strnlen(s, max + 1);

	return (n <= max && (empty_ok || n > 0));
}

bool
store_field_ok(const char *s, size_t size)
{
	return (memchr(s, '\0', size) != NULL);
}

bool
store_role_ok(int role)
{
	return (role == STORE_ROLE_COURIER || role == STORE_ROLE_CUSTOMER ||
	    role == STORE_ROLE_ADMIN);
}
