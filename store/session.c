/*
 * session.c: sessions.  A session is found by its id; the SHA-256 of its
 * refresh secret is stored (never the secret) for the caller to compare.
 * Sessions from before schema 5 are also found by that hash
 * (schema.c, migration 5).  It is live
 * while ended_at is 0 and expires is in the future; ending one also
 * appends it to the revocation feed, in the same transaction, so that
 * services verifying tokens offline learn of it.
 */
#include <string.h>

#include "extern.h"

#define SESSION_COLS							\
    "s.id, s.secret_hash, s.user_id, c.cred_id, s.created, s.expires,"	\
    " s.auth_time, s.amr, s.ended_at, s.end_reason"

static const char sql_insert[] =
    "INSERT INTO sessions (id, secret_hash, user_id, cred, created,"
    " expires, auth_time, amr) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_by_secret[] =
    "SELECT " SESSION_COLS " FROM sessions s"
    " JOIN credentials c ON c.id = s.cred"
    " WHERE s.secret_hash = ?1 AND s.legacy = 1";
static const char sql_get[] =
    "SELECT " SESSION_COLS " FROM sessions s"
    " JOIN credentials c ON c.id = s.cred WHERE s.id = ?1";
/* Through the user's credentials: sessions have no index by user. */
static const char sql_list[] =
    "SELECT " SESSION_COLS " FROM credentials c"
    " JOIN sessions s ON s.cred = c.id AND s.user_id = c.user_id"
    " WHERE c.user_id BETWEEN ?1 AND ?2 ORDER BY s.created DESC, s.id DESC";
static const char sql_end[] =
    "UPDATE sessions SET ended_at = ?2, end_reason = ?3"
    " WHERE id = ?1 AND ended_at = 0 AND expires > ?2 RETURNING user_id";
static const char sql_state[] =
    "SELECT ended_at FROM sessions WHERE id = ?1";

#define END_REASON_MAX	(sizeof(((struct store_session *)0)->end_reason) - 1)

bool
store_session_ok(const struct store_session *s)
{
	return (store_field_ok(s->amr, sizeof(s->amr)) && s->expires > 0);
}

bool
store_session_live(const struct store_session *s, int64_t now)
{
	return (s != NULL && s->ended_at == 0 && s->expires > now);
}

int
store_session_put(struct store *st, const struct store_session *sess,
    int64_t user_id, int64_t cred_row)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_stmt(st, STMT_SESSION_INSERT, sql_insert, &s)) !=
	    STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, sess->id, sizeof(sess->id)) != SQLITE_OK ||
	    store_bind_blob(s, 2, sess->secret_hash,
	    sizeof(sess->secret_hash)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, user_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, cred_row) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, sess->created) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, sess->expires) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, sess->auth_time) != SQLITE_OK ||
	    store_bind_text(s, 8, sess->amr) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	store_stmt_done(s);

	return (r);
}

static int
read_session(sqlite3_stmt *s, struct store_session *sess)
{
	int r;

	memset(sess, 0, sizeof(*sess));
	if ((r = store_col_fixed(s, 0, sess->id, sizeof(sess->id))) !=
	    STORE_OK ||
	    (r = store_col_fixed(s, 1, sess->secret_hash,
	    sizeof(sess->secret_hash))) != STORE_OK ||
	    (r = store_col_int64(s, 2, &sess->user_id)) != STORE_OK ||
	    (r = store_col_blob(s, 3, sess->cred_id, sizeof(sess->cred_id),
	    &sess->cred_id_len)) != STORE_OK ||
	    (r = store_col_int64(s, 4, &sess->created)) != STORE_OK ||
	    (r = store_col_int64(s, 5, &sess->expires)) != STORE_OK ||
	    (r = store_col_int64(s, 6, &sess->auth_time)) != STORE_OK ||
	    (r = store_col_text(s, 7, sess->amr, sizeof(sess->amr))) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 8, &sess->ended_at)) != STORE_OK ||
	    (r = store_col_text(s, 9, sess->end_reason,
	    sizeof(sess->end_reason))) != STORE_OK)
		return (r);

	return (STORE_OK);
}

/* Looks one session up by a 16- or 32-byte key bound to ?1. */
static int
lookup(struct store *st, enum store_stmt id, const char *sql,
    const unsigned char *key, size_t len, struct store_session *sess)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_stmt_row(st, id, sql, key, len, &s)) != STORE_OK)
		goto fail;
	r = read_session(s, sess);
fail:
	store_stmt_done(s);

	return (r);
}

int
store_session_by_old_secret(struct store *st, const unsigned char *hash,
    struct store_session *sess)
{
	if (st == NULL || hash == NULL || sess == NULL)
		return (STORE_ERR_ARG);

	return (lookup(st, STMT_SESSION_BY_SECRET, sql_by_secret, hash,
	    STORE_HASH_LEN, sess));
}

int
store_session_get(struct store *st, const unsigned char *sid,
    struct store_session *sess)
{
	if (st == NULL || sid == NULL || sess == NULL)
		return (STORE_ERR_ARG);

	return (lookup(st, STMT_SESSION_GET, sql_get, sid, STORE_SID_LEN,
	    sess));
}

static int
why_not(struct store *st, const unsigned char *sid)
{
	sqlite3_stmt *s = NULL;
	int64_t ended_at;
	int r;

	if ((r = store_stmt_row(st, STMT_SESSION_STATE, sql_state, sid,
	    STORE_SID_LEN, &s)) != STORE_OK)
		goto fail;
	if ((r = store_col_int64(s, 0, &ended_at)) != STORE_OK)
		goto fail;
	r = ended_at != 0 ? STORE_ERR_REVOKED : STORE_ERR_EXPIRED;
fail:
	store_stmt_done(s);

	return (r);
}

static int
end_one(struct store *st, const unsigned char *sid, int64_t now,
    const char *reason, int64_t *user_id)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	if ((r = store_stmt(st, STMT_SESSION_END, sql_end, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, sid, STORE_SID_LEN) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    store_bind_text(s, 3, reason) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		store_stmt_done(s);
		s = NULL;
		r = why_not(st, sid);
		goto fail;
	}
	if (rc != SQLITE_ROW) {
		r = store_sqlerr(rc);
		goto fail;
	}
	r = store_col_int64(s, 0, user_id);
fail:
	store_stmt_done(s);

	return (r);
}

int
store_session_end(struct store *st, const unsigned char *sid, int64_t now,
    const char *reason)
{
	int64_t user_id;
	int r;

	if (st == NULL || sid == NULL || now <= 0 ||
	    !store_str_ok(reason, END_REASON_MAX, false))
		return (STORE_ERR_ARG);
	if ((r = store_tx_begin(st)) != STORE_OK ||
	    (r = end_one(st, sid, now, reason, &user_id)) != STORE_OK ||
	    (r = store_revocation_add(st, STORE_REVOKED_SESSION, sid,
	    STORE_SID_LEN, user_id, now)) != STORE_OK ||
	    (r = store_tx_commit(st)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		store_tx_rollback(st);

	return (r);
}

int
store_session_list(struct store *st, int64_t user_id,
    int (*fn)(const struct store_session *, void *), void *arg)
{
	struct store_session sess;
	sqlite3_stmt *s = NULL;
	bool row;
	int r;

	if (st == NULL || fn == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_prepare(st, sql_list, &s)) != STORE_OK)
		goto fail;
	/* A range, not "?1 = 0 OR ...", so that the index serves it. */
	if (sqlite3_bind_int64(s, 1, user_id == 0 ? INT64_MIN : user_id) !=
	    SQLITE_OK || sqlite3_bind_int64(s, 2, user_id == 0 ? INT64_MAX :
	    user_id) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = read_session(s, &sess)) != STORE_OK)
			goto fail;
		if (fn(&sess, arg) != 0)
			break;
	}
	/* STORE_OK after the last row or a stop, else the step's error. */
fail:
	sqlite3_finalize(s);

	return (r);
}
