/*
 * revocation.c: the revocation feed behind GET /v1/revocations (issue
 * 4).  Every revoked credential and every ended session gets a row, in
 * the transaction that revokes or ends it.  seq is AUTOINCREMENT and
 * SQLite serializes writers, so rows become visible in seq order: a
 * reader that saw seq N will never later see a new row below N, and N is
 * a safe cursor.  The table is append-only (triggers refuse UPDATE and
 * DELETE).
 */
#include <string.h>

#include "extern.h"

static const char sql_add[] =
    "INSERT INTO revocations (kind, ref, user_id, time)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char sql_list[] =
    "SELECT seq, kind, ref, user_id, time FROM revocations"
    " WHERE seq > ?1 ORDER BY seq LIMIT ?2";

int
store_revocation_add(struct store *st, int kind, const unsigned char *ref,
    size_t len, int64_t user_id, int64_t now)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_stmt(st, STMT_REVOKE_ADD, sql_add, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int(s, 1, kind) != SQLITE_OK ||
	    store_bind_blob(s, 2, ref, len) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, user_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	store_stmt_done(s);

	return (r);
}

static int
read_revocation(sqlite3_stmt *s, struct store_revocation *v)
{
	int64_t kind;
	int r;

	memset(v, 0, sizeof(*v));
	if ((r = store_col_int64(s, 0, &v->seq)) != STORE_OK ||
	    (r = store_col_int64(s, 1, &kind)) != STORE_OK ||
	    (r = store_col_blob(s, 2, v->id, sizeof(v->id), &v->id_len)) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 3, &v->user_id)) != STORE_OK ||
	    (r = store_col_int64(s, 4, &v->time)) != STORE_OK)
		return (r);
	if ((kind != STORE_REVOKED_CRED && kind != STORE_REVOKED_SESSION) ||
	    (kind == STORE_REVOKED_SESSION && v->id_len != STORE_SID_LEN) ||
	    v->id_len == 0)
		return (STORE_ERR_IO);
	v->kind = (int)kind;

	return (STORE_OK);
}

int
store_revocation_list(struct store *st, int64_t since, size_t limit,
    int (*fn)(const struct store_revocation *, void *), void *arg)
{
	struct store_revocation v;
	sqlite3_stmt *s = NULL;
	bool row;
	int r;

	if (st == NULL || fn == NULL || limit > INT64_MAX) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_prepare(st, sql_list, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, since) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, limit == 0 ? -1 : (int64_t)limit) !=
	    SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = read_revocation(s, &v)) != STORE_OK)
			goto fail;
		if (fn(&v, arg) != 0)
			break;
	}
	/* STORE_OK after the last row or a stop, else the step's error. */
fail:
	sqlite3_finalize(s);

	return (r);
}
