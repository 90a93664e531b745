/*
 * user.c: users.  A user has an internal id, a random 32-byte handle
 * (the WebAuthn user.id, which must carry no personal data), a unique
 * username, a display name, an optional contact (an e-mail address or
 * a phone number) and one role.  Usernames are compared byte for byte;
 * normalising them is the caller's job.
 *
 * The display name and the contact are personal data and are sealed
 * (seal.c), bound to the user's handle; the username is not, because
 * logins look it up.  The TEXT column display_name from schema 1 stays
 * empty (see migration 4).
 */
#include <string.h>

#include "extern.h"

#define USER_COLS \
    "id, handle, username, display_sealed, role, created, contact"
#define SEAL_DISPLAY	"users.display_name"
#define SEAL_CONTACT	"users.contact"

static const char sql_insert[] =
    "INSERT INTO users (handle, username, display_name, display_sealed,"
    " role, created) VALUES (?1, ?2, '', ?3, ?4, ?5)"
    " ON CONFLICT (username) DO NOTHING";
static const char sql_contact[] =
    "UPDATE users SET contact = ?2 WHERE id = ?1";
static const char sql_plain[] =
    "SELECT handle, display_name FROM users WHERE display_sealed IS NULL";
static const char sql_plain_update[] =
    "UPDATE users SET display_name = '', display_sealed = ?2"
    " WHERE handle = ?1";
static const char sql_by_id[] =
    "SELECT " USER_COLS " FROM users WHERE id = ?1";
static const char sql_by_name[] =
    "SELECT " USER_COLS " FROM users WHERE username = ?1";
static const char sql_by_handle[] =
    "SELECT " USER_COLS " FROM users WHERE handle = ?1";
static const char sql_list[] =
    "SELECT " USER_COLS " FROM users WHERE role BETWEEN ?1 AND ?2"
    " ORDER BY username";

/* pii: unseal the display name and the contact, else leave them "". */
static int
read_user(struct store *st, sqlite3_stmt *s, struct store_user *u, bool pii)
{
	int64_t role;
	int r;

	memset(u, 0, sizeof(*u));
	if ((r = store_col_int64(s, 0, &u->id)) != STORE_OK ||
	    (r = store_col_fixed(s, 1, u->handle, sizeof(u->handle))) !=
	    STORE_OK ||
	    (r = store_col_text(s, 2, u->username, sizeof(u->username))) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 4, &role)) != STORE_OK ||
	    (r = store_col_int64(s, 5, &u->created)) != STORE_OK)
		goto fail;
	/* Plaintext from before schema 4 waits for the first unlock. */
	if (sqlite3_column_type(s, 3) == SQLITE_NULL) {
		r = STORE_ERR_LOCKED;
		goto fail;
	}
	if (pii && (r = store_col_sealed_text(st, s, 3, SEAL_DISPLAY,
	    u->handle, sizeof(u->handle), u->display_name,
	    sizeof(u->display_name))) != STORE_OK)
		goto fail;
	if (pii && sqlite3_column_type(s, 6) != SQLITE_NULL &&
	    (r = store_col_sealed_text(st, s, 6, SEAL_CONTACT, u->handle,
	    sizeof(u->handle), u->contact, sizeof(u->contact))) != STORE_OK)
		goto fail;
	if (!store_role_ok((int)role) || role != (int)role) {
		r = STORE_ERR_IO;
		goto fail;
	}
	u->role = (enum store_role)role;

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		explicit_bzero(u, sizeof(*u));

	return (r);
}

/* Steps a statement that selects at most one user. */
static int
one_user(struct store *st, sqlite3_stmt *s, struct store_user *u, bool pii)
{
	int r;

	if ((r = store_step_row(s)) != STORE_OK)
		return (r);

	return (read_user(st, s, u, pii));
}

int
store_user_by_id(struct store *st, int64_t id, struct store_user *u)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || u == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_stmt(st, STMT_USER_BY_ID, sql_by_id, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = one_user(st, s, u, true);
fail:
	store_stmt_done(s);

	return (r);
}

static int
by_name(struct store *st, const char *name, struct store_user *u, bool pii)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || u == NULL ||
	    !store_str_ok(name, STORE_MAX_USERNAME, false)) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_stmt(st, STMT_USER_BY_NAME, sql_by_name, &s)) !=
	    STORE_OK)
		goto fail;
	if (store_bind_text(s, 1, name) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = one_user(st, s, u, pii);
fail:
	store_stmt_done(s);

	return (r);
}

int
store_user_by_name(struct store *st, const char *name, struct store_user *u)
{
	return (by_name(st, name, u, true));
}

int
store_user_by_name_nopii(struct store *st, const char *name,
    struct store_user *u)
{
	return (by_name(st, name, u, false));
}

int
store_user_by_handle(struct store *st, const unsigned char *handle,
    struct store_user *u)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || handle == NULL || u == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_stmt_row(st, STMT_USER_BY_HANDLE, sql_by_handle, handle,
	    STORE_HANDLE_LEN, &s)) != STORE_OK)
		goto fail;
	r = read_user(st, s, u, true);
fail:
	store_stmt_done(s);

	return (r);
}

/*
 * INSERT ... ON CONFLICT DO NOTHING and then a lookup: of two concurrent
 * callers one inserts, and both read the same row.
 */
int
store_user_ensure(struct store *st, const char *name, enum store_role role,
    const char *display, int64_t now, struct store_user *u)
{
	unsigned char	handle[STORE_HANDLE_LEN];
	unsigned char	sealed[STORE_MAX_DISPLAY + STORE_SEAL_OVERHEAD];
	sqlite3_stmt	*s = NULL;
	size_t		len;
	int		r;

	if (display == NULL)
		display = "";
	if (st == NULL || u == NULL || !store_role_ok((int)role) ||
	    !store_str_ok(name, STORE_MAX_USERNAME, false) ||
	    !store_str_ok(display, STORE_MAX_DISPLAY, true)) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_random_bytes(handle, sizeof(handle))) != STORE_OK ||
	    (r = store_seal(st, SEAL_DISPLAY, handle, sizeof(handle), display,
	    strlen(display), sealed, sizeof(sealed), &len)) != STORE_OK)
		goto fail;
	if ((r = store_stmt(st, STMT_USER_INSERT, sql_insert, &s)) !=
	    STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, handle, sizeof(handle)) != SQLITE_OK ||
	    store_bind_text(s, 2, name) != SQLITE_OK ||
	    store_bind_blob(s, 3, sealed, len) != SQLITE_OK ||
	    sqlite3_bind_int(s, 4, (int)role) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK)
		goto fail;
	store_stmt_done(s);
	s = NULL;
	if ((r = store_user_by_name(st, name, u)) != STORE_OK)
		goto fail;
	if (u->role != role) {
		r = STORE_ERR_EXISTS;
		goto fail;
	}

	r = STORE_OK;
fail:
	store_stmt_done(s);

	return (r);
}

int
store_user_list(struct store *st, enum store_role role,
    int (*fn)(const struct store_user *, void *), void *arg)
{
	struct store_user u;
	sqlite3_stmt *s = NULL;
	bool row;
	int r;

	if (st == NULL || fn == NULL ||
	    (role != 0 && !store_role_ok((int)role))) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_prepare(st, sql_list, &s)) != STORE_OK)
		goto fail;
	/* A range, not "?1 = 0 OR ...", so that the index serves it. */
	if (sqlite3_bind_int(s, 1, role == 0 ? STORE_ROLE_COURIER :
	    (int)role) != SQLITE_OK || sqlite3_bind_int(s, 2, role == 0 ?
	    STORE_ROLE_ADMIN : (int)role) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = read_user(st, s, &u, true)) != STORE_OK)
			goto fail;
		if (fn(&u, arg) != 0)
			break;
	}
	/* STORE_OK after the last row or a stop, else the step's error. */
fail:
	explicit_bzero(&u, sizeof(u));
	sqlite3_finalize(s);

	return (r);
}

int
store_user_set_contact(struct store *st, int64_t id, const char *contact)
{
	struct store_user	 u;
	unsigned char		 sealed[STORE_MAX_CONTACT +
				    STORE_SEAL_OVERHEAD];
	sqlite3_stmt		*s = NULL;
	size_t			 len = 0;
	int			 r;

	if (st == NULL || !store_str_ok(contact, STORE_MAX_CONTACT, true)) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	/* The handle, which the seal is bound to. */
	if ((r = store_user_by_id(st, id, &u)) != STORE_OK)
		goto fail;
	if (*contact != '\0' && (r = store_seal(st, SEAL_CONTACT, u.handle,
	    sizeof(u.handle), contact, strlen(contact), sealed,
	    sizeof(sealed), &len)) != STORE_OK)
		goto fail;
	if ((r = store_prepare(st, sql_contact, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    (len > 0 ? store_bind_blob(s, 2, sealed, len) :
	    sqlite3_bind_null(s, 2)) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	explicit_bzero(&u, sizeof(u));
	sqlite3_finalize(s);

	return (r);
}

int
store_user_seal_plain(struct store *st)
{
	return (store_seal_column(st, sql_plain, sql_plain_update,
	    SEAL_DISPLAY, STORE_MAX_DISPLAY));
}
