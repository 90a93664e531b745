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

#define STORE_SCHEMA_VERSION	5	/* the newest migration we know */
#define STORE_BUSY_MS		5000	/* sqlite3_busy_timeout */
#define STORE_PRUNE_BATCH	4	/* expired ceremonies deleted per use */
#define STORE_CACHE_KIB		256	/* page cache of each connection */
#define STORE_WRITER_CACHE_KIB	4096	/* page cache of a writer's */
#define STORE_WRITER_BATCH	64	/* writes per group commit, at most */
#define STORE_WRITER_WAL	4000	/* WAL pages before a checkpoint */

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
	STMT_CRED_LIST,
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
	STMT_AUDIT_NEXT,
	STMT_CONFIRM_GET,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_MAX
};

struct store_writer;

#define STORE_RING_ID_LEN	16	/* the keyring's random id */
/* A sealed value: version, nonce, ciphertext, GCM tag. */
#define STORE_SEAL_OVERHEAD	(1 + 12 + 16)

struct store {
	sqlite3			*db;
	sqlite3_stmt		*stmt[STMT_MAX];
	int			 version;
	bool			 writing;	/* holds the write mutex */
	struct store_writer	*writer;	/* NULL: none used yet */
	bool			 ring_known;	/* ring_id read */
	unsigned char		 ring_id[STORE_RING_ID_LEN];
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

/* Runs the cached statement id, which returns no row. */
int	 store_stmt_exec(struct store *, enum store_stmt, const char *);

/*
 * BEGIN IMMEDIATE, COMMIT and ROLLBACK (which is a no-op outside one).
 * Begin takes the process's write mutex; a commit that succeeds or a
 * rollback gives it back.
 */
int	 store_tx_begin(struct store *);
int	 store_tx_commit(struct store *);
void	 store_tx_rollback(struct store *);
/* True if the calling thread holds the write mutex (is inside a begin). */
bool	 store_tx_held(void);

/*
 * Group commit (writer.c).  Runs fn(writer's store, arg) on the writer
 * thread of st's database, inside a SAVEPOINT of a transaction shared
 * with up to STORE_WRITER_BATCH other writes, and returns once the
 * COMMIT that holds it has returned: fn's result if that COMMIT
 * succeeded, else the COMMIT's error (nothing of the batch written).
 * fn returning an error rolls back its own changes only.  fn must not
 * begin, commit or roll back.  arg stays the caller's, alive because
 * the caller waits.  If prune_now is not 0, expired ceremonies are
 * pruned as by store_ceremony_use at that time, once per batch.
 * STORE_ERR_ARG if the calling thread holds the write mutex (it would
 * wait for itself).
 */
int	 store_writer_run(struct store *, int (*)(struct store *, void *),
	    void *, int64_t);
/* Detaches st from its writer; the last store detached stops it. */
void	 store_writer_detach(struct store *);
/*
 * Test hook: of the writer of st's database (zeros if none), the writes
 * queued or in a batch, the batches begun and whether its thread runs.
 */
void	 store_writer_stats(struct store *, size_t *, uint64_t *, bool *);
/*
 * Test hooks: the checkpoints the checkpointer of st's database has run
 * (0 if none), and the WAL pages that wake it, for every writer of the
 * process (STORE_WRITER_WAL until set).
 */
uint64_t store_writer_checkpoints(struct store *);
void	 store_writer_set_wal(int);

/* Inside a transaction: the ceremony consume of store_ceremony_consume. */
int	 store_ceremony_use(struct store *, const unsigned char *, int64_t,
	    int64_t);
/* The same without its pruning (the writer prunes once per batch). */
int	 store_ceremony_put(struct store *, const unsigned char *, int64_t,
	    int64_t);
/*
 * Deletes up to limit (-1: all) consumed ceremonies that expired more
 * than STORE_CEREMONY_GRACE seconds before now.  OUT: *n, if not NULL.
 */
int	 store_ceremony_prune(struct store *, int64_t, int64_t, int64_t *);
/*
 * Inside a transaction: uses an enrollment code (STORE_ERR_CONSUMED,
 * STORE_ERR_EXPIRED, STORE_ERR_NOT_FOUND).  OUT: *user_id, its user.
 */
int	 store_enroll_use(struct store *, const unsigned char *, int64_t,
	    int64_t *);
/*
 * Inside a transaction: a use of the credential.  The sign count must
 * increase unless both are 0 (STORE_ERR_COUNTER), the credential must be
 * live (STORE_ERR_REVOKED); sets BS and last use.  OUT: its row id, its
 * user's id and, unless NULL, that user's name (STORE_MAX_USERNAME + 1
 * bytes).
 */
int	 store_cred_advance(struct store *, const unsigned char *, size_t,
	    uint32_t, bool, int64_t, int64_t *, int64_t *, char *);
/* True if a session record's fixed fields are well formed. */
bool	 store_session_ok(const struct store_session *);
/* Inside a transaction: inserts a session of that user and credential. */
int	 store_session_put(struct store *, const struct store_session *,
	    int64_t, int64_t);
/* Inside a transaction: appends one entry to the revocation feed. */
int	 store_revocation_add(struct store *, int, const unsigned char *,
	    size_t, int64_t, int64_t);

/*
 * The audit log (audit.c).  store_audit_append appends one entry inside
 * the caller's transaction (arguments as store_audit, checked there).
 * store_audit_hash computes an entry's chain hash as store.h describes;
 * detail is the stored JSON or NULL.  OUT: out, STORE_HASH_LEN bytes.
 */
int	 store_audit_append(struct store *, int64_t, const char *,
	    const char *, const char *, const char *);
int	 store_audit_hash(const unsigned char *, int64_t, int64_t,
	    const char *, const char *, const char *, const char *,
	    unsigned char *);

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

/* n random bytes from getrandom(2); STORE_ERR_IO if it fails. */
int	 store_random_bytes(unsigned char *, size_t);

/*
 * Sealing (seal.c).  what names the place ("users.display_name"), and
 * key and keylen the row (a handle, a kid, an id): both are bound into
 * the GCM tag.  store_seal writes ptlen + STORE_SEAL_OVERHEAD bytes to
 * out (at most outmax); store_unseal the plaintext (at most outmax).
 * Errors: STORE_ERR_LOCKED (no DEK in this process), STORE_ERR_IO (the
 * value does not open), STORE_ERR_ARG (too long).  OUT: *outlen.
 */
int	 store_seal(struct store *, const char *, const void *, size_t,
	    const void *, size_t, unsigned char *, size_t, size_t *);
int	 store_unseal(struct store *, const char *, const void *, size_t,
	    const unsigned char *, size_t, unsigned char *, size_t, size_t *);
/* Opens a sealed BLOB column, as store_unseal. */
int	 store_col_sealed(struct store *, sqlite3_stmt *, int, const char *,
	    const void *, size_t, unsigned char *, size_t, size_t *);
/* The same for a string: no NUL inside; out NUL-terminated. */
int	 store_col_sealed_text(struct store *, sqlite3_stmt *, int,
	    const char *, const void *, size_t, char *, size_t);
/*
 * Seals one column of plaintext: for each row (key, plaintext) of the
 * SELECT, runs the UPDATE with ?1 the key and ?2 the plaintext sealed
 * under what and that key.  The key, a kid (text) or a handle or an id
 * (a blob) of at most STORE_MAX_KID bytes, is bound as it was read; the
 * plaintext, text or blob, is at most max bytes (else STORE_ERR_IO).
 */
int	 store_seal_column(struct store *, const char *, const char *,
	    const char *, size_t);
/*
 * Inside store_unlock's transaction, once the DEK is known: seal the
 * plaintext columns of rows written before schema 4 and clear them.
 */
int	 store_user_seal_plain(struct store *);
int	 store_key_seal_plain(struct store *);
int	 store_confirm_seal_plain(struct store *);

/* Sets the connection's page cache to kib KiB. */
int	 store_cache_kib(struct store *, int);

/* Test hook: the connection, for pragmas such as max_page_count. */
sqlite3	*store_db(struct store *);

#endif /* STORE_EXTERN_H */
