/*
 * enroll.c: one-time enrollment codes.  Only SHA-256 of a code is
 * stored.  A code is used by a single conditional UPDATE (used_at = 0
 * and not expired), so two registrations racing on one code cannot both
 * use it.
 */
#include <string.h>

#include "extern.h"

static const char sql_insert[] =
    "INSERT INTO enrollments (code_hash, user_id, role, created, expires)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_get[] =
    "SELECT user_id, role, created, expires, used_at FROM enrollments"
    " WHERE code_hash = ?1";
static const char sql_use[] =
    "UPDATE enrollments SET used_at = ?2"
    " WHERE code_hash = ?1 AND used_at = 0 AND expires > ?2"
    " RETURNING user_id";

int
store_enroll_put(struct store *st, const unsigned char *hash,
    int64_t user_id, enum store_role role, int64_t created, int64_t expires)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || hash == NULL || !store_role_ok((int)role) ||
	    expires <= created) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	/* Rare: not worth a cached statement. */
	if ((r = store_prepare(st, sql_insert, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, hash, STORE_HASH_LEN) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, user_id) != SQLITE_OK ||
	    sqlite3_bind_int(s, 3, (int)role) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, created) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, expires) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	sqlite3_finalize(s);

	return (r);
}

static int
read_enrollment(sqlite3_stmt *s, struct store_enrollment *e)
{
	int64_t role;
	int r;

	memset(e, 0, sizeof(*e));
	if ((r = store_col_int64(s, 0, &e->user_id)) != STORE_OK ||
	    (r = store_col_int64(s, 1, &role)) != STORE_OK ||
	    (r = store_col_int64(s, 2, &e->created)) != STORE_OK ||
	    (r = store_col_int64(s, 3, &e->expires)) != STORE_OK ||
	    (r = store_col_int64(s, 4, &e->used_at)) != STORE_OK)
		return (r);
	if (role != (int)role || !store_role_ok((int)role))
		return (STORE_ERR_IO);
	e->role = (enum store_role)role;

	return (STORE_OK);
}

int
store_enroll_get(struct store *st, const unsigned char *hash, int64_t now,
    struct store_enrollment *e)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || hash == NULL || e == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_stmt_row(st, STMT_ENROLL_GET, sql_get, hash,
	    STORE_HASH_LEN, &s)) != STORE_OK)
		goto fail;
	if ((r = read_enrollment(s, e)) != STORE_OK)
		goto fail;
	if (e->used_at != 0) {
		r = STORE_ERR_CONSUMED;
		goto fail;
	}
	if (e->expires <= now) {
		r = STORE_ERR_EXPIRED;
		goto fail;
	}

	r = STORE_OK;
fail:
	store_stmt_done(s);

	return (r);
}

int
store_enroll_use(struct store *st, const unsigned char *hash, int64_t now,
    int64_t *user_id)
{
	struct store_enrollment e;
	sqlite3_stmt *s = NULL;
	int r, rc;

	if ((r = store_stmt(st, STMT_ENROLL_USE, sql_use, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, hash, STORE_HASH_LEN) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = store_col_int64(s, 0, user_id);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(rc);
		goto fail;
	}
	store_stmt_done(s);
	s = NULL;
	/* Nothing matched: say why. */
	if ((r = store_enroll_get(st, hash, now, &e)) == STORE_OK)
		r = STORE_ERR_IO;	/* usable now, yet not updated */
fail:
	store_stmt_done(s);

	return (r);
}
