/*
 * cred.c: credentials: registration, lookup, listing and revocation.
 *
 * Registration and revocation each run in one BEGIN IMMEDIATE
 * transaction and roll back entirely on any error.  The last-admin rule
 * is checked inside the revoking transaction: writers are serialized, so
 * two admins revoking each other's last credentials at once cannot both
 * succeed.
 */
#include <limits.h>
#include <string.h>

#include "extern.h"

#define CRED_COLS							\
    "c.cred_id, c.user_id, c.cose_key, c.alg, c.sign_count, c.aaguid,"	\
    " c.fmt, c.att_type, c.trusted, c.transports, c.be, c.bs, c.uv,"	\
    " c.label, c.created, c.last_used, c.revoked_at, c.revoked_by,"	\
    " c.revoke_reason"

static const char sql_get[] =
    "SELECT " CRED_COLS " FROM credentials c WHERE c.cred_id = ?1";
static const char sql_list[] =
    "SELECT " CRED_COLS " FROM credentials c"
    " WHERE c.user_id BETWEEN ?1 AND ?2 ORDER BY c.created, c.id";
static const char sql_insert[] =
    "INSERT INTO credentials (cred_id, user_id, cose_key, alg, sign_count,"
    " aaguid, fmt, att_type, trusted, transports, be, bs, uv, label,"
    " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " ?13, ?14, ?15)";
static const char sql_admin_exists[] =
    "SELECT EXISTS (SELECT 1 FROM credentials c"
    " JOIN users u ON u.id = c.user_id"
    " WHERE u.role = 3 AND c.revoked_at = 0)";
static const char sql_target[] =
    "SELECT c.id, c.user_id, c.revoked_at, u.role FROM credentials c"
    " JOIN users u ON u.id = c.user_id WHERE c.cred_id = ?1";
static const char sql_other_admin[] =
    "SELECT EXISTS (SELECT 1 FROM credentials c"
    " JOIN users u ON u.id = c.user_id"
    " WHERE u.role = 3 AND c.revoked_at = 0 AND c.id <> ?1)";
static const char sql_revoke[] =
    "UPDATE credentials SET revoked_at = ?2, revoked_by = ?3,"
    " revoke_reason = ?4 WHERE id = ?1 AND revoked_at = 0";
/* Live sessions: not ended and not expired. */
static const char sql_feed_sessions[] =
    "INSERT INTO revocations (kind, ref, user_id, time)"
    " SELECT 2, id, user_id, ?2 FROM sessions"
    " WHERE cred = ?1 AND ended_at = 0 AND expires > ?2 ORDER BY created";
static const char sql_end_sessions[] =
    "UPDATE sessions SET ended_at = ?2, end_reason = 'revoked'"
    " WHERE cred = ?1 AND ended_at = 0 AND expires > ?2";

static int
read_cred(sqlite3_stmt *s, struct store_cred *c)
{
	int64_t alg, count, transports;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = store_col_blob(s, 0, c->id, sizeof(c->id), &c->id_len)) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 1, &c->user_id)) != STORE_OK ||
	    (r = store_col_blob(s, 2, c->cose_key, sizeof(c->cose_key),
	    &c->cose_key_len)) != STORE_OK ||
	    (r = store_col_int64(s, 3, &alg)) != STORE_OK ||
	    (r = store_col_int64(s, 4, &count)) != STORE_OK ||
	    (r = store_col_fixed(s, 5, c->aaguid, sizeof(c->aaguid))) !=
	    STORE_OK ||
	    (r = store_col_text(s, 6, c->fmt, sizeof(c->fmt))) != STORE_OK ||
	    (r = store_col_text(s, 7, c->att_type, sizeof(c->att_type))) !=
	    STORE_OK ||
	    (r = store_col_bool(s, 8, &c->trusted)) != STORE_OK ||
	    (r = store_col_int64(s, 9, &transports)) != STORE_OK ||
	    (r = store_col_bool(s, 10, &c->be)) != STORE_OK ||
	    (r = store_col_bool(s, 11, &c->bs)) != STORE_OK ||
	    (r = store_col_bool(s, 12, &c->uv)) != STORE_OK ||
	    (r = store_col_text(s, 13, c->label, sizeof(c->label))) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 14, &c->created)) != STORE_OK ||
	    (r = store_col_int64(s, 15, &c->last_used)) != STORE_OK ||
	    (r = store_col_int64(s, 16, &c->revoked_at)) != STORE_OK ||
	    (r = store_col_text(s, 17, c->revoked_by,
	    sizeof(c->revoked_by))) != STORE_OK ||
	    (r = store_col_text(s, 18, c->revoke_reason,
	    sizeof(c->revoke_reason))) != STORE_OK)
		return (r);
	if (c->id_len == 0 || c->cose_key_len == 0 || alg != (int)alg ||
	    count < 0 || count > UINT32_MAX || transports < 0 ||
	    transports > UINT_MAX)
		return (STORE_ERR_IO);
	c->alg = (int)alg;
	c->sign_count = (uint32_t)count;
	c->transports = (unsigned int)transports;

	return (STORE_OK);
}

static bool
cred_ok(const struct store_cred *c)
{
	return (c->id_len > 0 && c->id_len <= sizeof(c->id) &&
	    c->cose_key_len > 0 && c->cose_key_len <= sizeof(c->cose_key) &&
	    c->user_id > 0 &&
	    store_field_ok(c->fmt, sizeof(c->fmt)) &&
	    store_field_ok(c->att_type, sizeof(c->att_type)) &&
	    store_field_ok(c->label, sizeof(c->label)));
}

static int
insert_cred(struct store *st, const struct store_cred *c, int64_t now)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_stmt(st, STMT_CRED_INSERT, sql_insert, &s)) !=
	    STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, c->id, c->id_len) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, c->user_id) != SQLITE_OK ||
	    store_bind_blob(s, 3, c->cose_key, c->cose_key_len) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(s, 4, c->alg) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, c->sign_count) != SQLITE_OK ||
	    store_bind_blob(s, 6, c->aaguid, sizeof(c->aaguid)) !=
	    SQLITE_OK ||
	    store_bind_text(s, 7, c->fmt) != SQLITE_OK ||
	    store_bind_text(s, 8, c->att_type) != SQLITE_OK ||
	    sqlite3_bind_int(s, 9, c->trusted) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 10, c->transports) != SQLITE_OK ||
	    sqlite3_bind_int(s, 11, c->be) != SQLITE_OK ||
	    sqlite3_bind_int(s, 12, c->bs) != SQLITE_OK ||
	    sqlite3_bind_int(s, 13, c->uv) != SQLITE_OK ||
	    store_bind_text(s, 14, c->label) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 15, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	store_stmt_done(s);

	return (r);
}

int
store_cred_register(struct store *st, const unsigned char *cer_id,
    int64_t cer_expires, const unsigned char *code_hash, int64_t now,
    const struct store_cred *c)
{
	int64_t code_user;
	int r;

	if (st == NULL || cer_id == NULL || c == NULL || now <= 0 ||
	    !cred_ok(c))
		return (STORE_ERR_ARG);
	if (cer_expires <= now)
		return (STORE_ERR_EXPIRED);
	if ((r = store_tx_begin(st)) != STORE_OK)
		goto fail;
	if ((r = store_ceremony_use(st, cer_id, cer_expires, now)) !=
	    STORE_OK)
		goto fail;
	if (code_hash != NULL) {
		if ((r = store_enroll_use(st, code_hash, now, &code_user)) !=
		    STORE_OK)
			goto fail;
		if (code_user != c->user_id) {
			r = STORE_ERR_ARG;
			goto fail;
		}
	}
	if ((r = insert_cred(st, c, now)) != STORE_OK ||
	    (r = store_tx_commit(st)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		store_tx_rollback(st);

	return (r);
}

int
store_cred_get(struct store *st, const unsigned char *id, size_t len,
    struct store_cred *c)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || id == NULL || len == 0 || len > STORE_MAX_CRED_ID ||
	    c == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_stmt_row(st, STMT_CRED_GET, sql_get, id, len, &s)) !=
	    STORE_OK)
		goto fail;
	r = read_cred(s, c);
fail:
	store_stmt_done(s);

	return (r);
}

int
store_cred_list(struct store *st, int64_t user_id,
    int (*fn)(const struct store_cred *, void *), void *arg)
{
	struct store_cred c;
	sqlite3_stmt *s = NULL, *own = NULL;
	bool row;
	int r;

	if (st == NULL || fn == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	/*
	 * Every sign-in lists its user's credentials, so the statement is
	 * kept; a call from inside fn gets a statement of its own.
	 */
	if ((r = store_stmt(st, STMT_CRED_LIST, sql_list, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_stmt_busy(s)) {
		s = NULL;
		if ((r = store_prepare(st, sql_list, &own)) != STORE_OK)
			goto fail;
		s = own;
	}
	/* A range, not "?1 = 0 OR ...", so that the index serves it. */
	if (sqlite3_bind_int64(s, 1, user_id == 0 ? INT64_MIN : user_id) !=
	    SQLITE_OK || sqlite3_bind_int64(s, 2, user_id == 0 ? INT64_MAX :
	    user_id) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = read_cred(s, &c)) != STORE_OK)
			goto fail;
		if (fn(&c, arg) != 0)
			break;
	}
	/* STORE_OK after the last row or a stop, else the step's error. */
fail:
	if (own != NULL)
		sqlite3_finalize(own);
	else
		store_stmt_done(s);

	return (r);
}

int
store_admin_exists(struct store *st, bool *yes)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	if (st == NULL || yes == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	*yes = false;
	if ((r = store_stmt(st, STMT_ADMIN_EXISTS, sql_admin_exists, &s)) !=
	    STORE_OK)
		goto fail;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		r = store_sqlerr(rc);
		goto fail;
	}
	if ((r = store_col_bool(s, 0, yes)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	store_stmt_done(s);

	return (r);
}

/* The credential's internal id, user and role; refuses a revoked one. */
static int
revoke_target(struct store *st, const unsigned char *id, size_t len,
    int64_t *row, int64_t *user_id, int64_t *role)
{
	sqlite3_stmt *s = NULL;
	int64_t revoked_at;
	int r;

	if ((r = store_prepare(st, sql_target, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, id, len) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_row(s)) != STORE_OK)
		goto fail;
	if ((r = store_col_int64(s, 0, row)) != STORE_OK ||
	    (r = store_col_int64(s, 1, user_id)) != STORE_OK ||
	    (r = store_col_int64(s, 2, &revoked_at)) != STORE_OK ||
	    (r = store_col_int64(s, 3, role)) != STORE_OK)
		goto fail;
	if (revoked_at != 0) {
		r = STORE_ERR_REVOKED;
		goto fail;
	}

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

static int
other_admin(struct store *st, int64_t row, bool *yes)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	if ((r = store_prepare(st, sql_other_admin, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, row) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		r = store_sqlerr(rc);
		goto fail;
	}
	r = store_col_bool(s, 0, yes);
fail:
	sqlite3_finalize(s);

	return (r);
}

static int
mark_revoked(struct store *st, int64_t row, int64_t now, const char *by,
    const char *reason)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_prepare(st, sql_revoke, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, row) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    store_bind_text(s, 3, by) != SQLITE_OK ||
	    store_bind_text(s, 4, reason) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK)
		goto fail;
	if (sqlite3_changes(st->db) != 1) {
		r = STORE_ERR_IO;	/* it was live a statement ago */
		goto fail;
	}

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_cred_revoke(struct store *st, const unsigned char *id, size_t len,
    int64_t now, const char *by, const char *reason)
{
	int64_t row, user_id, role;
	bool others;
	int r;

	if (by == NULL)
		by = "";
	if (reason == NULL)
		reason = "";
	if (st == NULL || id == NULL || len == 0 || len > STORE_MAX_CRED_ID ||
	    now <= 0 || !store_str_ok(by, STORE_MAX_USERNAME, true) ||
	    !store_str_ok(reason, STORE_MAX_REASON, true))
		return (STORE_ERR_ARG);
	if ((r = store_tx_begin(st)) != STORE_OK ||
	    (r = revoke_target(st, id, len, &row, &user_id, &role)) !=
	    STORE_OK)
		goto fail;
	if (role == STORE_ROLE_ADMIN) {
		if ((r = other_admin(st, row, &others)) != STORE_OK)
			goto fail;
		if (!others) {
			r = STORE_ERR_LAST_ADMIN;
			goto fail;
		}
	}
	if ((r = mark_revoked(st, row, now, by, reason)) != STORE_OK ||
	    (r = store_revocation_add(st, STORE_REVOKED_CRED, id, len,
	    user_id, now)) != STORE_OK ||
	    (r = store_exec2(st, sql_feed_sessions, row, now)) != STORE_OK ||
	    (r = store_exec2(st, sql_end_sessions, row, now)) != STORE_OK ||
	    (r = store_tx_commit(st)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		store_tx_rollback(st);

	return (r);
}
