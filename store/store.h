/*
 * store.h: authd's persistence, behind one interface.
 *
 * The store is SQLite in WAL mode with foreign keys on; the schema
 * migrates by PRAGMA user_version when the store is opened.  Only this
 * module knows SQL, so that another engine can sit behind it later.  Every
 * statement is prepared, and every change of more than one row runs in
 * one transaction.
 *
 * A struct store is one connection and belongs to one thread at a time;
 * open one per thread.  Several processes (authd and authctl) may use
 * the same database at once.
 *
 * Records are plain value structs with fixed-size fields; strings are
 * NUL-terminated and bounded by the STORE_MAX_* constants.  Times are
 * seconds since the epoch.  Functions return STORE_OK or an error code.
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_OK		 0
#define STORE_ERR_ARG		 1	/* caller error */
#define STORE_ERR_NOMEM		 2
#define STORE_ERR_IO		 3	/* SQLite I/O error, corrupt file */
#define STORE_ERR_FULL		 4	/* disk full */
#define STORE_ERR_BUSY		 5	/* locked for too long */
#define STORE_ERR_NOT_FOUND	 6
#define STORE_ERR_EXISTS	 7	/* unique constraint: duplicate */
#define STORE_ERR_CONSUMED	 8	/* one-time item already used */
#define STORE_ERR_EXPIRED	 9
#define STORE_ERR_REVOKED	10	/* credential or session ended */
#define STORE_ERR_COUNTER	11	/* sign count did not increase */
#define STORE_ERR_VERSION	12	/* schema newer than this build */
#define STORE_ERR_LAST_ADMIN	13	/* would lock every admin out */
#define STORE_ERR_KEY		14	/* not the key-encryption key */
#define STORE_ERR_LOCKED	15	/* sealed data, and no store_unlock */

#define STORE_MAX_USERNAME	64
#define STORE_MAX_DISPLAY	128
#define STORE_MAX_CONTACT	254	/* an e-mail address or a phone */
#define STORE_KEY_LEN		32	/* a KEK or DEK: AES-256 */
#define STORE_MAX_LABEL		64
#define STORE_MAX_REASON	256
#define STORE_MAX_CRED_ID	1023
#define STORE_MAX_COSE		4096
#define STORE_HANDLE_LEN	32	/* WebAuthn user.id */
#define STORE_HASH_LEN		32	/* SHA-256 */
#define STORE_SID_LEN		16
#define STORE_MAX_KID		64
#define STORE_MAX_AMR		64
#define STORE_MAX_NAME		64
#define STORE_MAX_AUDIENCE	256
#define STORE_CEREMONY_LEN	16	/* one-time ceremony id */
#define STORE_CEREMONY_GRACE	300	/* kept this long past expiry */
#define STORE_MAX_EVENT		64
#define STORE_MAX_ACTOR		256
#define STORE_MAX_SUBJECT	256
#define STORE_MAX_DETAIL	2048	/* audit detail, as given */

/* Kinds of entry in the revocation feed. */
#define STORE_REVOKED_CRED	1	/* id: the credential id */
#define STORE_REVOKED_SESSION	2	/* id: the session id */

enum store_role {
	STORE_ROLE_COURIER = 1,
	STORE_ROLE_CUSTOMER = 2,
	STORE_ROLE_ADMIN = 3,
};

struct store;

struct store_user {
	int64_t		id;
	unsigned char	handle[STORE_HANDLE_LEN];
	char		username[STORE_MAX_USERNAME + 1];
	/* Sealed in the database, as the contact ("": none). */
	char		display_name[STORE_MAX_DISPLAY + 1];
	char		contact[STORE_MAX_CONTACT + 1];
	enum store_role	role;
	int64_t		created;
};

struct store_cred {
	unsigned char	id[STORE_MAX_CRED_ID];
	size_t		id_len;
	int64_t		user_id;
	unsigned char	cose_key[STORE_MAX_COSE];
	size_t		cose_key_len;
	int		alg;
	uint32_t	sign_count;
	unsigned char	aaguid[16];
	char		fmt[32];
	char		att_type[16];
	bool		trusted;
	unsigned int	transports;	/* WA_TRANSPORT_* bits */
	bool		be;
	bool		bs;
	bool		uv;		/* UV seen at registration */
	char		label[STORE_MAX_LABEL + 1];
	int64_t		created;
	int64_t		last_used;	/* 0: never */
	int64_t		revoked_at;	/* 0: live */
	char		revoked_by[STORE_MAX_USERNAME + 1];
	char		revoke_reason[STORE_MAX_REASON + 1];
};

struct store_session {
	unsigned char	id[STORE_SID_LEN];
	unsigned char	secret_hash[STORE_HASH_LEN];	/* refresh secret */
	int64_t		user_id;
	unsigned char	cred_id[STORE_MAX_CRED_ID];
	size_t		cred_id_len;
	int64_t		created;
	int64_t		expires;
	int64_t		auth_time;
	char		amr[STORE_MAX_AMR + 1];	/* space-separated */
	int64_t		ended_at;		/* 0: live */
	char		end_reason[32];
};

struct store_key {
	char		kid[STORE_MAX_KID + 1];
	char		alg[16];		/* "EdDSA", "ES256" */
	unsigned char	priv[512];		/* DER PKCS#8, sealed */
	size_t		priv_len;
	int64_t		created;
	int64_t		retired_at;		/* 0: current */
	int64_t		expires_at;		/* drop from JWKS after */
};

struct store_service {
	int64_t		id;
	char		name[STORE_MAX_NAME + 1];
	char		audience[STORE_MAX_AUDIENCE + 1];
	int64_t		created;
	int64_t		revoked_at;
};

/* One entry of the revocation feed (GET /v1/revocations). */
struct store_revocation {
	int64_t		seq;			/* cursor, increasing */
	int		kind;			/* STORE_REVOKED_* */
	unsigned char	id[STORE_MAX_CRED_ID];
	size_t		id_len;
	int64_t		user_id;
	int64_t		time;
};

struct store_audit_rec {
	int64_t		seq;
	int64_t		time;
	char		event[STORE_MAX_EVENT + 1];
	char		actor[STORE_MAX_ACTOR + 1];
	char		subject[STORE_MAX_SUBJECT + 1];
	/* JSON, "" if none; room for a quoted STORE_MAX_DETAIL string. */
	char		detail[STORE_MAX_DETAIL * 6 + 3];
	bool		chained;	/* false: written before the chain */
	unsigned char	hash[STORE_HASH_LEN];	/* if chained */
};

#define STORE_MAX_JWS		2047	/* a checkpoint's signature */

/* A signed head of the audit chain. */
struct store_audit_checkpoint {
	int64_t		seq;
	unsigned char	hash[STORE_HASH_LEN];	/* of entry seq */
	int64_t		time;
	char		jws[STORE_MAX_JWS + 1];	/* compact JWS over them */
};

/* What store_audit_verify found. */
struct store_audit_check {
	int64_t		entries;	/* rows read */
	int64_t		unchained;	/* rows from before the chain */
	int64_t		first_seq;	/* the chain's first seq */
	int64_t		head_seq;	/* 0: no chained entry */
	unsigned char	head_hash[STORE_HASH_LEN];
	int64_t		bad_seq;	/* the first bad entry; 0: intact */
	/*
	 * NULL if intact, else a static name: "missing" (bad_seq was
	 * deleted, or the log was cut after it), "hash_mismatch" (edited
	 * or inserted), "prev_mismatch" (the link to the entry before is
	 * broken), "unchained" (no hashes after the chain began),
	 * "legacy_changed" (rows from before the chain added or removed).
	 */
	const char	*problem;
};

struct store_enrollment {
	int64_t		user_id;
	enum store_role	role;
	int64_t		created;
	int64_t		expires;
	int64_t		used_at;
};

/* Opening, migrating, closing. */
const char	*store_strerr(int);
const char	*store_role_name(enum store_role);
/* 0 for an unknown name. */
enum store_role	 store_role_parse(const char *);
/*
 * Opens (creating if needed) and migrates the database at path.  The file
 * is created with mode 0600.  OUT: *st, freed with store_close().
 */
int	 store_open(const char *, struct store **);
void	 store_close(struct store **);
/*
 * Resets any statement still stepping, so that no read snapshot stays
 * open on st: for a connection that passes from one caller to another.
 * Returns how many it reset (0 when every caller tidied up).
 */
int	 store_settle(struct store *);
/* The schema version after migration. */
int	 store_schema_version(struct store *);

/*
 * Encryption at rest (seal.c).  Signing keys, display names, contacts
 * and delivery statements and receipts are sealed with AES-256-GCM under
 * the database's data-encryption key (DEK), which the keyring table
 * keeps wrapped under a key-encryption key (KEK, STORE_KEY_LEN bytes)
 * that is never stored.  Until the process has unlocked the database,
 * reading or writing a sealed field gives STORE_ERR_LOCKED; a value
 * that was changed or moved to another row or column gives
 * STORE_ERR_IO, never other data.
 *
 * store_unlock unwraps the DEK with kek (STORE_ERR_KEY if it is not the
 * KEK of the keyring; nothing changes), or, if the database has no
 * keyring yet, makes one with a fresh DEK and seals in the same
 * transaction any plaintext left by a schema before 4.  The DEK is then
 * known to every connection of this process to that database, now and
 * later.  Arguments: the KEK, now.
 */
int	 store_unlock(struct store *, const unsigned char *, int64_t);
/* True if the database has a keyring: a KEK was chosen for it. */
int	 store_keyring_exists(struct store *, bool *);
/*
 * Changes the KEK: unwraps the DEK with old (STORE_ERR_KEY if wrong) and
 * wraps it with new, in one transaction; sealed fields are unchanged and
 * processes that unlocked the database go on working.  STORE_ERR_NOT_FOUND
 * if there is no keyring.  Arguments: old KEK, new KEK, now.
 */
int	 store_rewrap(struct store *, const unsigned char *,
	    const unsigned char *, int64_t);
/* Wipes every DEK this process holds; later sealed access is locked. */
void	 store_lock(void);
/*
 * Group-commit writers (store_login, store_confirm_complete): one
 * thread and connection per database, started by the first such write
 * and stopped when the last store that used it is closed.  This stops
 * every writer of the process now, after the writes queued have been
 * committed; a later write starts its writer again.  For a clean exit,
 * call it after the last request; never inside a transaction.
 */
void	 store_writer_stop(void);
/*
 * Marks a one-time ceremony id (STORE_CEREMONY_LEN bytes) consumed, in
 * its own transaction: STORE_ERR_EXPIRED if expires <= now (nothing
 * written), STORE_ERR_CONSUMED if it was consumed before.  store_login
 * and store_cred_register do this themselves.  Arguments: id, expiry,
 * now.
 */
int	 store_ceremony_consume(struct store *, const unsigned char *, int64_t,
	    int64_t);
/*
 * Deletes consumed ceremony ids that expired more than
 * STORE_CEREMONY_GRACE seconds before now.  Safe because consuming
 * refuses an expired id; every consume also prunes a few rows, so calling
 * this is optional (authctl, a periodic job).  OUT: *n rows deleted, if
 * n is not NULL.
 */
int	 store_prune(struct store *, int64_t, int64_t *);

/* Users. */
/*
 * Creates a user with a random handle, or returns the existing user of
 * that username if it has the same role (*u filled either way).
 * STORE_ERR_EXISTS if the username exists with another role.
 */
int	 store_user_ensure(struct store *, const char *, enum store_role,
	    const char *, int64_t, struct store_user *);
int	 store_user_by_id(struct store *, int64_t, struct store_user *);
int	 store_user_by_name(struct store *, const char *, struct store_user *);
/*
 * The same without the personal data: display_name and contact are ""
 * and nothing is unsealed.  For a lookup that only needs the id, the
 * handle and the role (a sign-in's options).
 */
int	 store_user_by_name_nopii(struct store *, const char *,
	    struct store_user *);
int	 store_user_by_handle(struct store *, const unsigned char *,
	    struct store_user *);
/*
 * Calls fn for each user (with role 0: all roles), ordered by username;
 * fn returning non-zero stops the walk.  In every *_list function, the
 * record passed to fn is valid only during the call, and fn must not
 * write to the same store.
 */
int	 store_user_list(struct store *, enum store_role,
	    int (*)(const struct store_user *, void *), void *);
/*
 * Sets a user's contact (at most STORE_MAX_CONTACT bytes; "" clears
 * it), sealed.  STORE_ERR_NOT_FOUND for an unknown user id.
 */
int	 store_user_set_contact(struct store *, int64_t, const char *);

/*
 * Enrollment codes: stored as SHA-256 of the code, usable once.
 * Arguments: code hash, user id, role, created (now), expires.
 * STORE_ERR_NOT_FOUND for an unknown user, STORE_ERR_EXISTS for a
 * duplicate hash.
 */
int	 store_enroll_put(struct store *, const unsigned char *, int64_t,
	    enum store_role, int64_t, int64_t);
/*
 * Looks a live code up without using it (expired: STORE_ERR_EXPIRED,
 * used: STORE_ERR_CONSUMED; *e is filled in both cases).  Arguments:
 * code hash, now.
 */
int	 store_enroll_get(struct store *, const unsigned char *, int64_t,
	    struct store_enrollment *);
/* True if at least one admin has a live credential. */
int	 store_admin_exists(struct store *, bool *);

/* Credentials. */
/*
 * Registration, in one transaction: marks the ceremony id consumed
 * (STORE_ERR_CONSUMED if it was), uses the enrollment code if code_hash
 * is not NULL (STORE_ERR_CONSUMED if used, STORE_ERR_EXPIRED if expired),
 * and inserts the credential (STORE_ERR_EXISTS for a duplicate id).
 * Arguments: ceremony id, its expiry, code hash or NULL, now, credential.
 * On any error nothing is written, the ceremony stays unconsumed.  The
 * code must have been issued for cred->user_id (STORE_ERR_ARG).  The
 * stored created is now; last_used and revoked_* start empty.
 */
int	 store_cred_register(struct store *, const unsigned char *, int64_t,
	    const unsigned char *, int64_t, const struct store_cred *);
/* Any credential, revoked or not: the caller checks revoked_at. */
int	 store_cred_get(struct store *, const unsigned char *, size_t,
	    struct store_cred *);
/* A user's credentials (user id 0: everyone's), oldest first. */
int	 store_cred_list(struct store *, int64_t,
	    int (*)(const struct store_cred *, void *), void *);
/*
 * Login, atomically: marks the ceremony consumed, updates the
 * credential's sign count (which must increase unless both are 0:
 * STORE_ERR_COUNTER), last use and BS (STORE_ERR_REVOKED if revoked),
 * and inserts the session.  Arguments: ceremony id, its expiry, the
 * credential id and length, new sign count, BS, now, session.
 * The session's user is the credential's (s->user_id must be 0 or
 * equal, else STORE_ERR_ARG) and s->cred_id is ignored.  On any error
 * nothing is written, and the ceremony stays unconsumed.
 *
 * The write is made by the database's group-commit writer, which
 * commits the logins of all threads in batches (one fsync each); the
 * call returns once the commit holding this login has returned, and the
 * store's own connection then reads it.  Must not be called inside a
 * transaction (STORE_ERR_ARG).  See store_writer_stop.
 */
int	 store_login(struct store *, const unsigned char *, int64_t,
	    const unsigned char *, size_t, uint32_t, bool, int64_t,
	    const struct store_session *);
/*
 * Revokes a credential and ends its sessions, in one transaction.
 * STORE_ERR_LAST_ADMIN if it is the last live credential of the last
 * admin who has one.  Arguments: id, length, now, revoked by, reason.
 * A revoked credential gives STORE_ERR_REVOKED.  The credential and
 * each session ended enter the revocation feed.
 */
int	 store_cred_revoke(struct store *, const unsigned char *, size_t,
	    int64_t, const char *, const char *);

/* Sessions. */
/*
 * A session started before schema 5, by SHA-256 of its refresh secret,
 * in any state: the caller checks ended_at and expires
 * (store_session_live).  Later refresh secrets carry their session's id;
 * look those up with store_session_get() and compare secret_hash.
 */
int	 store_session_by_old_secret(struct store *, const unsigned char *,
	    struct store_session *);
/* By session id (STORE_SID_LEN bytes), in any state. */
int	 store_session_get(struct store *, const unsigned char *,
	    struct store_session *);
/*
 * Ends a live session: ended_at = now, with a reason (at most 31 bytes,
 * e.g. "logout"), and adds it to the revocation feed, in one
 * transaction.  STORE_ERR_REVOKED if it had ended, STORE_ERR_EXPIRED if
 * it had expired (nothing written).
 */
int	 store_session_end(struct store *, const unsigned char *, int64_t,
	    const char *);
/* A user's sessions (user id 0: everyone's), in any state, newest first. */
int	 store_session_list(struct store *, int64_t,
	    int (*)(const struct store_session *, void *), void *);
/* True if the session has not ended and has not expired at now. */
bool	 store_session_live(const struct store_session *, int64_t);

/* Signing keys. */
int	 store_key_put(struct store *, const struct store_key *);
/* Every key not yet past expires_at (0: none), newest first. */
int	 store_key_list(struct store *, int64_t,
	    int (*)(const struct store_key *, void *), void *);
/* Retires the current keys: retired_at = now, expires_at = until. */
int	 store_key_retire_all(struct store *, int64_t, int64_t);
/*
 * Rotation in one transaction: store_key_retire_all(now, until), then
 * store_key_put(k), so that readers never see no current key.
 * Arguments: the new key (retired_at 0), now, until.
 */
int	 store_key_rotate(struct store *, const struct store_key *, int64_t,
	    int64_t);

/*
 * Service clients: API keys stored as SHA-256.  Arguments of add: name
 * (unique: STORE_ERR_EXISTS), audience, key hash, now; OUT: *id if not
 * NULL.  Lookup by key finds revoked services too: check revoked_at.
 */
int	 store_service_add(struct store *, const char *, const char *,
	    const unsigned char *, int64_t, int64_t *);
int	 store_service_by_key(struct store *, const unsigned char *,
	    struct store_service *);
int	 store_service_get(struct store *, int64_t, struct store_service *);

/*
 * Delivery confirmations.  A tracking service asks a customer to confirm
 * a delivery: the statement is the canonical JSON of what was delivered,
 * the nonce makes the WebAuthn challenge SHA-256(nonce || statement).
 */
#define STORE_CONFIRM_ID_LEN	16
#define STORE_MAX_STATEMENT	2047
#define STORE_MAX_RECEIPT	4095

struct store_confirmation {
	unsigned char	id[STORE_CONFIRM_ID_LEN];
	int64_t		service_id;
	int64_t		customer_id;
	char		shipment_id[65];
	char		statement[STORE_MAX_STATEMENT + 1];
	unsigned char	nonce[32];
	int64_t		created;
	int64_t		expires;
	int64_t		confirmed_at;		/* 0: pending */
	char		receipt[STORE_MAX_RECEIPT + 1];	/* JWT, once done */
};

int	 store_confirm_put(struct store *, const struct store_confirmation *);
int	 store_confirm_get(struct store *, const unsigned char *,
	    struct store_confirmation *);
/*
 * Completes a confirmation, once, atomically: STORE_ERR_CONSUMED if it
 * was completed already, STORE_ERR_EXPIRED if it expired, and the
 * credential's use as in store_login (STORE_ERR_COUNTER,
 * STORE_ERR_REVOKED).  Arguments: id, now, credential id and length, new
 * sign count, BS, the receipt.  Written by the group-commit writer, as
 * store_login.
 */
int	 store_confirm_complete(struct store *, const unsigned char *,
	    int64_t, const unsigned char *, size_t, uint32_t, bool,
	    const char *);

/*
 * Audit log: append-only (the schema refuses UPDATE and DELETE).
 * Arguments: time, event (required), actor, subject (NULL: ""), detail,
 * each within its STORE_MAX_* bound.  detail is stored as JSON: a valid
 * JSON text as it is, any other string as a JSON string ("admin" becomes
 * "\"admin\""), NULL or "" as none.
 */
int	 store_audit(struct store *, int64_t, const char *, const char *,
	    const char *, const char *);
/* Entries with seq > since, oldest first, at most limit (0: all). */
int	 store_audit_list(struct store *, int64_t, size_t,
	    int (*)(const struct store_audit_rec *, void *), void *);
/*
 * The hash chain (issue 5).  Each entry from schema 3 on stores
 * hash = SHA-256(prev_hash || "authd-audit-v1" || seq || time || event
 * || actor || subject || detail), where seq and time are 8-byte
 * big-endian, each string a 4-byte big-endian length and its bytes,
 * detail (as stored) a byte 0 if absent, else a byte 1 and the string,
 * and prev_hash the hash of the entry
 * before (32 zero bytes for the first chained entry).  store_audit and
 * the login entry compute it under the write lock, so concurrent
 * writers never fork the chain.  Entries written before schema 3 stay
 * unchained and are only counted.
 *
 * store_audit_verify recomputes the whole chain in one read snapshot.
 * STORE_OK with c->bad_seq 0 if intact, or the first bad entry in
 * c->bad_seq and c->problem; an error only if it could not read.
 * Deleting entries at the tail is seen only up to the latest signed
 * checkpoint (check it with store_audit_checkpoint_last) and the
 * AUTOINCREMENT counter.  OUT: *c.
 */
int	 store_audit_verify(struct store *, struct store_audit_check *);
/*
 * The last chained entry: OUT *seq and hash (STORE_HASH_LEN bytes).
 * STORE_ERR_NOT_FOUND if the chain is empty.
 */
int	 store_audit_head(struct store *, int64_t *, unsigned char *);
/*
 * Records a signed head: cp->seq must be a chained entry whose hash is
 * cp->hash (STORE_ERR_NOT_FOUND, STORE_ERR_ARG), cp->jws a signature
 * made by the caller (authd signs it with the token key; see
 * authctl_audit.c for the claims).
 */
int	 store_audit_checkpoint_put(struct store *,
	    const struct store_audit_checkpoint *);
/* The newest checkpoint, or STORE_ERR_NOT_FOUND.  OUT: *cp. */
int	 store_audit_checkpoint_last(struct store *,
	    struct store_audit_checkpoint *);

/*
 * Online backup: copies the database, as one consistent snapshot, into
 * a new file at path (mode 0600; STORE_ERR_EXISTS if path exists) with
 * SQLite's backup API, while other connections go on writing.  The
 * copy is a single file in rollback-journal mode (store_open puts it
 * back in WAL mode) and must pass PRAGMA integrity_check (else
 * STORE_ERR_IO); on any error the new file is removed.  Not inside a
 * transaction.  OUT: *pages, the pages copied, if not NULL.
 */
int	 store_backup(struct store *, const char *, int64_t *);

/*
 * Revocation feed: entries with seq > since, in seq order, at most limit
 * (0: all).  Entries are committed in seq order, so the last seq seen is
 * a safe cursor for the next call.
 */
int	 store_revocation_list(struct store *, int64_t, size_t,
	    int (*)(const struct store_revocation *, void *), void *);

#endif /* STORE_H */
