/*
 * login.c: the login write (issue 3: "a login should cost at most one
 * durable write transaction").  It consumes the ceremony, advances the
 * credential and inserts the session, atomically, in one savepoint of a
 * transaction that the group-commit writer (writer.c) shares with other
 * logins: one durable commit per batch rather than per login.
 *
 * The sign-count rule (WebAuthn §7.2 step 22: the new count must exceed
 * the stored one unless both are 0) sits in the UPDATE's WHERE clause,
 * so it is evaluated under the write lock and concurrent logins with one
 * credential cannot both pass with the same count.  Only when the UPDATE
 * matches nothing do we read the row to say why, and then roll back.
 *
 * The sign-in's audit entry ("login") is appended in the same savepoint,
 * so it costs no transaction of its own and exists exactly when the
 * sign-in does.
 */
#include <stdio.h>

#include <openssl/evp.h>

#include "extern.h"

static const char sql_update[] =
    "UPDATE credentials SET sign_count = ?2, bs = ?3, last_used = ?4"
    " WHERE cred_id = ?1 AND revoked_at = 0"
    " AND (?2 > sign_count OR (?2 = 0 AND sign_count = 0))"
    " RETURNING id, user_id,"
    " (SELECT username FROM users WHERE users.id = credentials.user_id)";
static const char sql_state[] =
    "SELECT revoked_at FROM credentials WHERE cred_id = ?1";

/* Why the UPDATE matched nothing. */
static int
why_not(struct store *st, const unsigned char *id, size_t len)
{
	sqlite3_stmt *s = NULL;
	int64_t revoked_at;
	int r;

	if ((r = store_stmt_row(st, STMT_CRED_STATE, sql_state, id, len,
	    &s)) != STORE_OK)
		goto fail;
	if ((r = store_col_int64(s, 0, &revoked_at)) != STORE_OK)
		goto fail;
	r = revoked_at != 0 ? STORE_ERR_REVOKED : STORE_ERR_COUNTER;
fail:
	store_stmt_done(s);

	return (r);
}

int
store_cred_advance(struct store *st, const unsigned char *id, size_t len,
    uint32_t count, bool bs, int64_t now, int64_t *row, int64_t *user_id,
    char *username)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	if ((r = store_stmt(st, STMT_LOGIN_UPDATE, sql_update, &s)) !=
	    STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, id, len) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, count) != SQLITE_OK ||
	    sqlite3_bind_int(s, 3, bs) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		store_stmt_done(s);
		s = NULL;
		r = why_not(st, id, len);
		goto fail;
	}
	if (rc != SQLITE_ROW) {
		r = store_sqlerr(rc);
		goto fail;
	}
	if ((r = store_col_int64(s, 0, row)) != STORE_OK ||
	    (r = store_col_int64(s, 1, user_id)) != STORE_OK)
		goto fail;
	if (username != NULL && (r = store_col_text(s, 2, username,
	    STORE_MAX_USERNAME + 1)) != STORE_OK)
		goto fail;
	/* cred_id is UNIQUE: exactly one row. */
	if ((rc = sqlite3_step(s)) != SQLITE_DONE) {
		r = rc == SQLITE_ROW ? STORE_ERR_IO : store_sqlerr(rc);
		goto fail;
	}

	r = STORE_OK;
fail:
	store_stmt_done(s);

	return (r);
}

/* A login's arguments, on the caller's stack while the writer runs it. */
struct login {
	const unsigned char		*cer_id;
	int64_t				 cer_expires;
	const unsigned char		*cred_id;
	size_t				 cred_id_len;
	uint32_t			 count;
	bool				 bs;
	int64_t				 now;
	const struct store_session	*sess;
};

/*
 * The audit entry of a sign-in, in the same savepoint (issue 5): the
 * credential is named by SHA-256 of its id, in hex.
 */
static int
login_audit(struct store *st, const struct login *l, const char *username)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 h[STORE_HASH_LEN];
	char			 detail[sizeof("{\"credential\":\"\"}") +
				    2 * STORE_HASH_LEN];
	size_t			 n;

	if (EVP_Digest(l->cred_id, l->cred_id_len, h, NULL, EVP_sha256(),
	    NULL) != 1)
		return (STORE_ERR_NOMEM);
	n = (size_t)snprintf(detail, sizeof(detail), "{\"credential\":\"");
	for (size_t i = 0; i < sizeof(h); i++) {
		detail[n++] = hex[h[i] >> 4];
		detail[n++] = hex[h[i] & 0x0f];
	}
	snprintf(detail + n, sizeof(detail) - n, "\"}");

	return (store_audit_append(st, l->now, "login", username, username,
	    detail));
}

/* On the writer's connection, inside the login's savepoint. */
static int
login_write(struct store *st, void *arg)
{
	const struct login *l = arg;
	int64_t row = 0, user_id = 0;
	char username[STORE_MAX_USERNAME + 1];
	int r;

	if ((r = store_ceremony_put(st, l->cer_id, l->cer_expires,
	    l->now)) != STORE_OK ||
	    (r = store_cred_advance(st, l->cred_id, l->cred_id_len, l->count,
	    l->bs, l->now, &row, &user_id, username)) != STORE_OK)
		return (r);
	if (l->sess->user_id != 0 && l->sess->user_id != user_id)
		return (STORE_ERR_ARG);
	if ((r = store_session_put(st, l->sess, user_id, row)) != STORE_OK)
		return (r);

	return (login_audit(st, l, username));
}

int
store_login(struct store *st, const unsigned char *cer_id,
    int64_t cer_expires, const unsigned char *cred_id, size_t cred_id_len,
    uint32_t count, bool bs, int64_t now, const struct store_session *sess)
{
	struct login l;

	if (st == NULL || cer_id == NULL || cred_id == NULL ||
	    cred_id_len == 0 || cred_id_len > STORE_MAX_CRED_ID ||
	    sess == NULL || now <= 0 || !store_session_ok(sess))
		return (STORE_ERR_ARG);
	if (cer_expires <= now)
		return (STORE_ERR_EXPIRED);
	l = (struct login){ .cer_id = cer_id, .cer_expires = cer_expires,
	    .cred_id = cred_id, .cred_id_len = cred_id_len, .count = count,
	    .bs = bs, .now = now, .sess = sess };

	return (store_writer_run(st, login_write, &l, now));
}
