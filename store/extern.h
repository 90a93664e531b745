/*
 * extern.h: what the files of store/ share and nobody else sees: the
 * connection struct, the statement cache, transactions and the helpers
 * that move checked values between C records and SQLite rows.  Unit
 * tests include it to reach the connection (store_db).
 */
#ifndef STORE_EXTERN_H
#define STORE_EXTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

#define STORE_SCHEMA_VERSION	2	/* the newest migration we know */
#define STORE_BUSY_MS		5000	/* sqlite3_busy_timeout */
#define STORE_PRUNE_BATCH	4	/* expired ceremonies deleted per use */

/*
 * Hot statements, prepared once per connection on first use and kept
 * until store_close().  Lists and rare statements are prepared per call.
 */
enum store_stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_CER_INSERT,
	STMT_CER_PRUNE,
	STMT_USER_INSERT,
	STMT_USER_BY_ID,
	STMT_USER_BY_NAME,
	STMT_USER_BY_HANDLE,
	STMT_ENROLL_GET,
	STMT_ENROLL_USE,
	STMT_ADMIN_EXISTS,
	STMT_CRED_GET,
	STMT_CRED_INSERT,
	STMT_CRED_STATE,
	STMT_LOGIN_UPDATE,
	STMT_SESSION_INSERT,
	STMT_SESSION_BY_SECRET,
	STMT_SESSION_GET,
	STMT_SESSION_END,
	STMT_SESSION_STATE,
	STMT_REVOKE_ADD,
	STMT_SERVICE_BY_KEY,
	STMT_AUDIT_INSERT,
	STMT_CONFIRM_GET,
	STMT_MAX
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT_MAX];
	int		 version;
	bool		 writing;	/* holds the process's write mutex */
};

/*
 * Migrations: store_migration[v], a NULL-terminated list of statements,
 * takes user_version v-1 to v.
 */
extern const char *const *const store_migration[STORE_SCHEMA_VERSION + 1];

/* Errors: map an extended SQLite result code to STORE_ERR_*. */
int	 store_sqlerr(int);
/* Maps the connection's last error; never STORE_OK. */
int	 store_dberr(struct store *);

/* The cached statement id, preparing sql on first use.  OUT: *stp. */
int	 store_stmt(struct store *, enum store_stmt, const char *,
	    sqlite3_stmt **);
/* Resets a cached statement and clears its bindings; accepts NULL. */
void	 store_stmt_done(sqlite3_stmt *);
/* An uncached statement, freed by the caller with sqlite3_finalize. */
int	 store_prepare(struct store *, const char *, sqlite3_stmt **);
/* Steps a statement that returns no row; STORE_OK on SQLITE_DONE. */
int	 store_step_done(sqlite3_stmt *);
/*
 * Steps a statement that returns at most one row: STORE_OK with the row
 * ready to read, STORE_ERR_NOT_FOUND if there is none.
 */
int	 store_step_row(sqlite3_stmt *);
/*
 * The cached statement id with ?1 bound to the len bytes at key (which
 * must outlive the read), stepped as by store_step_row().  Whatever it
 * returns, the caller reads the row if any and then passes *stp to
 * store_stmt_done().  OUT: *stp.
 */
int	 store_stmt_row(struct store *, enum store_stmt, const char *,
	    const void *, size_t, sqlite3_stmt **);
/*
 * Steps a statement that returns any number of rows: STORE_OK with
 * *row true and the row ready to read, or with *row false after the
 * last; otherwise the error (*row false).  OUT: *row.
 */
int	 store_step_next(sqlite3_stmt *, bool *);
/*
 * Prepares, binds ?1 and ?2 to int64s and steps an uncached statement
 * that returns no row.
 */
int	 store_exec2(struct store *, const char *, int64_t, int64_t);

/* BEGIN IMMEDIATE, COMMIT and ROLLBACK (which is a no-op outside one). */
int	 store_tx_begin(struct store *);
int	 store_tx_commit(struct store *);
void	 store_tx_rollback(struct store *);

/* Inside a transaction: the ceremony consume of store_ceremony_consume. */
int	 store_ceremony_use(struct store *, const unsigned char *, int64_t,
	    int64_t);
/*
 * Inside a transaction: uses an enrollment code (STORE_ERR_CONSUMED,
 * STORE_ERR_EXPIRED, STORE_ERR_NOT_FOUND).  OUT: *user_id, its user.
 */
int	 store_enroll_use(struct store *, const unsigned char *, int64_t,
	    int64_t *);
/*
 * Inside a transaction: a use of the credential.  The sign count must
 * increase unless both are 0 (STORE_ERR_COUNTER), the credential must be
 * live (STORE_ERR_REVOKED); sets BS and last use.  OUT: its row id and
 * user id.
 */
int	 store_cred_advance(struct store *, const unsigned char *, size_t,
	    uint32_t, bool, int64_t, int64_t *, int64_t *);
/* True if a session record's fixed fields are well formed. */
bool	 store_session_ok(const struct store_session *);
/* Inside a transaction: inserts a session of that user and credential. */
int	 store_session_put(struct store *, const struct store_session *,
	    int64_t, int64_t);
/* Inside a transaction: appends one entry to the revocation feed. */
int	 store_revocation_add(struct store *, int, const unsigned char *,
	    size_t, int64_t, int64_t);

/*
 * Binding: blobs and texts are bound SQLITE_STATIC, so they must outlive
 * the step.  Return SQLite codes.
 */
int	 store_bind_blob(sqlite3_stmt *, int, const void *, size_t);
int	 store_bind_text(sqlite3_stmt *, int, const char *);

/*
 * Column readers treat the database as untrusted: a value of the wrong
 * type or size is STORE_ERR_IO (corrupt), never a truncation.
 */
int	 store_col_text(sqlite3_stmt *, int, char *, size_t);
int	 store_col_blob(sqlite3_stmt *, int, unsigned char *, size_t,
	    size_t *);
int	 store_col_fixed(sqlite3_stmt *, int, unsigned char *, size_t);
int	 store_col_bool(sqlite3_stmt *, int, bool *);
int	 store_col_int64(sqlite3_stmt *, int, int64_t *);

/* True if s is not NULL and 1..max bytes long (0..max if empty_ok). */
bool	 store_str_ok(const char *, size_t, bool);
/* True if a fixed char field holds a NUL-terminated string. */
bool	 store_field_ok(const char *, size_t);
bool	 store_role_ok(int);

/* Test hook: the connection, for pragmas such as max_page_count. */
sqlite3	*store_db(struct store *);

#endif /* STORE_EXTERN_H */
