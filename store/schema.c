/*
 * schema.c: the schema, as a list of migrations.  Migration N takes a
 * database from PRAGMA user_version N-1 to N and ends by setting it; all
 * of them run in the one transaction store_open() holds.  Each is a
 * NULL-terminated list of single statements.  Never edit a released
 * migration: add the next one.
 *
 * Tables are STRICT, so a value of the wrong type is refused on write.
 * Lengths of text columns are checked in C, where the bound is in bytes;
 * blob lengths are checked here too.  Times are seconds since the epoch
 * and 0 means "never" (last_used, revoked_at, ended_at, used_at).
 *
 * Room for later issues:
 * - issue 4 (delivery confirmations) adds its table by a migration; it
 *   consumes its ceremonies in `ceremonies` and reports revocations
 *   through `revocations`, whose AUTOINCREMENT seq is the feed's cursor.
 * - issue 5 (hash-chained audit) fills audit.prev_hash and audit.hash
 *   from migration 3 on; older rows stay unchained (see migration3).
 * - issue 5 (encryption at rest) keeps signing_keys.priv as a BLOB and
 *   stores an AES-256-GCM envelope in it; personal data moves to BLOB
 *   columns added by migration 4 (STRICT forbids a blob in a TEXT one).
 */
#include "extern.h"

/* Migration 1: everything store.h of issue 3 needs. */
static const char *const migration1[] = {
	"CREATE TABLE users ("
	" id INTEGER PRIMARY KEY,"
	" handle BLOB NOT NULL UNIQUE CHECK (length(handle) = 32),"
	" username TEXT NOT NULL UNIQUE,"
	" display_name TEXT NOT NULL,"
	" role INTEGER NOT NULL CHECK (role IN (1, 2, 3)),"
	" created INTEGER NOT NULL"
	") STRICT",
	"CREATE INDEX users_role ON users (role, username)",

	"CREATE TABLE enrollments ("
	" code_hash BLOB NOT NULL PRIMARY KEY"
	"  CHECK (length(code_hash) = 32),"
	" user_id INTEGER NOT NULL REFERENCES users (id),"
	" role INTEGER NOT NULL CHECK (role IN (1, 2, 3)),"
	" created INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" used_at INTEGER NOT NULL DEFAULT 0"
	") STRICT, WITHOUT ROWID",
	"CREATE INDEX enrollments_user ON enrollments (user_id)",

	/* id is internal (sessions refer to it); cred_id is WebAuthn's. */
	"CREATE TABLE credentials ("
	" id INTEGER PRIMARY KEY,"
	" cred_id BLOB NOT NULL UNIQUE"
	"  CHECK (length(cred_id) BETWEEN 1 AND 1023),"
	" user_id INTEGER NOT NULL REFERENCES users (id),"
	" cose_key BLOB NOT NULL CHECK (length(cose_key) BETWEEN 1 AND 4096),"
	" alg INTEGER NOT NULL,"
	" sign_count INTEGER NOT NULL"
	"  CHECK (sign_count BETWEEN 0 AND 4294967295),"
	" aaguid BLOB NOT NULL CHECK (length(aaguid) = 16),"
	" fmt TEXT NOT NULL,"
	" att_type TEXT NOT NULL,"
	" trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),"
	" transports INTEGER NOT NULL CHECK (transports >= 0),"
	" be INTEGER NOT NULL CHECK (be IN (0, 1)),"
	" bs INTEGER NOT NULL CHECK (bs IN (0, 1)),"
	" uv INTEGER NOT NULL CHECK (uv IN (0, 1)),"
	" label TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" last_used INTEGER NOT NULL DEFAULT 0,"
	" revoked_at INTEGER NOT NULL DEFAULT 0,"
	" revoked_by TEXT NOT NULL DEFAULT '',"
	" revoke_reason TEXT NOT NULL DEFAULT ''"
	") STRICT",
	"CREATE INDEX credentials_user ON credentials (user_id)",
	/* Defence in depth behind the checks in login.c and cred.c. */
	"CREATE TRIGGER credentials_counter BEFORE UPDATE OF sign_count"
	" ON credentials WHEN NEW.sign_count < OLD.sign_count BEGIN"
	" SELECT RAISE(ABORT, 'sign count went backwards'); END",
	"CREATE TRIGGER credentials_unrevoke BEFORE UPDATE OF revoked_at"
	" ON credentials WHEN OLD.revoked_at <> 0 BEGIN"
	" SELECT RAISE(ABORT, 'credential is revoked'); END",

	"CREATE TABLE sessions ("
	" id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),"
	" secret_hash BLOB NOT NULL UNIQUE CHECK (length(secret_hash) = 32),"
	" user_id INTEGER NOT NULL REFERENCES users (id),"
	" cred INTEGER NOT NULL REFERENCES credentials (id),"
	" created INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" auth_time INTEGER NOT NULL,"
	" amr TEXT NOT NULL,"
	" ended_at INTEGER NOT NULL DEFAULT 0,"
	" end_reason TEXT NOT NULL DEFAULT ''"
	") STRICT",
	"CREATE INDEX sessions_cred ON sessions (cred, ended_at)",
	"CREATE INDEX sessions_user ON sessions (user_id, created)",
	"CREATE TRIGGER sessions_unend BEFORE UPDATE OF ended_at"
	" ON sessions WHEN OLD.ended_at <> 0 BEGIN"
	" SELECT RAISE(ABORT, 'session has ended'); END",

	/* Consumed one-time ceremony ids; ceremony.c prunes them. */
	"CREATE TABLE ceremonies ("
	" id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),"
	" expires INTEGER NOT NULL"
	") STRICT, WITHOUT ROWID",
	"CREATE INDEX ceremonies_expires ON ceremonies (expires)",

	"CREATE TABLE signing_keys ("
	" kid TEXT NOT NULL PRIMARY KEY,"
	" alg TEXT NOT NULL,"
	" priv BLOB NOT NULL,"
	" created INTEGER NOT NULL,"
	" retired_at INTEGER NOT NULL DEFAULT 0,"
	" expires_at INTEGER NOT NULL DEFAULT 0"
	") STRICT",

	"CREATE TABLE services ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" audience TEXT NOT NULL,"
	" key_hash BLOB NOT NULL UNIQUE CHECK (length(key_hash) = 32),"
	" created INTEGER NOT NULL,"
	" revoked_at INTEGER NOT NULL DEFAULT 0"
	") STRICT",

	/*
	 * The revocation feed: kind 1 a credential (ref: its credential
	 * id), kind 2 a session (ref: its session id).  Writers are
	 * serialized, so rows commit in seq order; AUTOINCREMENT never
	 * reuses a seq.
	 */
	"CREATE TABLE revocations ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
	" ref BLOB NOT NULL CHECK (length(ref) BETWEEN 1 AND 1023),"
	" user_id INTEGER NOT NULL REFERENCES users (id),"
	" time INTEGER NOT NULL"
	") STRICT",
	"CREATE TRIGGER revocations_no_update BEFORE UPDATE ON revocations"
	" BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END",
	"CREATE TRIGGER revocations_no_delete BEFORE DELETE ON revocations"
	" BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END",

	/*
	 * detail holds JSON: audit.c's INSERT quotes plain text.  No CHECK
	 * with json_valid(), which SQLite 3.40 does not let a schema use
	 * under trusted_schema=OFF.
	 */
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time INTEGER NOT NULL,"
	" event TEXT NOT NULL,"
	" actor TEXT NOT NULL DEFAULT '',"
	" subject TEXT NOT NULL DEFAULT '',"
	" detail TEXT,"
	" prev_hash BLOB,"
	" hash BLOB"
	") STRICT",
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",

	"PRAGMA user_version = 1",
	NULL
};

/* Migration 2: delivery confirmations (issue 4). */
static const char *const migration2[] = {
	"CREATE TABLE confirmations ("
	" id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),"
	" service_id INTEGER NOT NULL REFERENCES services (id),"
	" customer_id INTEGER NOT NULL REFERENCES users (id),"
	" shipment_id TEXT NOT NULL,"
	" statement TEXT NOT NULL,"
	" nonce BLOB NOT NULL CHECK (length(nonce) = 32),"
	" created INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" confirmed_at INTEGER NOT NULL DEFAULT 0,"
	" receipt TEXT NOT NULL DEFAULT ''"
	") STRICT",
	"CREATE INDEX confirmations_service ON confirmations (service_id)",
	"CREATE TRIGGER confirmations_once BEFORE UPDATE OF confirmed_at"
	" ON confirmations WHEN OLD.confirmed_at != 0"
	" BEGIN SELECT RAISE(ABORT, 'confirmed already'); END",
	"PRAGMA user_version = 2",
	NULL
};

/*
 * Migration 3: the audit hash chain (issue 5).  Rows written before it
 * keep NULL hashes and are not backfilled (SQL has no SHA-256, and a
 * backfill would have to lift audit_no_update): audit_chain records
 * where the chain starts (the next seq at migration time) and how many
 * unchained rows precede it, and every later row must carry its hashes.
 * audit_checkpoints holds signed heads: a JWS by a token signing key
 * over (seq, hash).  Both tables are append-only like audit.
 */
static const char *const migration3[] = {
	"CREATE TABLE audit_chain ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" first_seq INTEGER NOT NULL CHECK (first_seq >= 1),"
	" legacy_rows INTEGER NOT NULL CHECK (legacy_rows >= 0)"
	") STRICT",
	"INSERT INTO audit_chain (id, first_seq, legacy_rows) VALUES (1,"
	" max(coalesce((SELECT seq FROM sqlite_sequence"
	" WHERE name = 'audit'), 0), coalesce((SELECT max(seq) FROM audit),"
	" 0)) + 1, (SELECT count(*) FROM audit))",
	"CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain"
	" BEGIN SELECT RAISE(ABORT, 'audit chain is fixed'); END",
	"CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain"
	" BEGIN SELECT RAISE(ABORT, 'audit chain is fixed'); END",
	"CREATE TRIGGER audit_chained BEFORE INSERT ON audit"
	" WHEN NEW.hash IS NULL OR length(NEW.hash) != 32"
	" OR NEW.prev_hash IS NULL OR length(NEW.prev_hash) != 32"
	" BEGIN SELECT RAISE(ABORT, 'audit entry is not chained'); END",

	"CREATE TABLE audit_checkpoints ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" seq INTEGER NOT NULL,"
	" hash BLOB NOT NULL CHECK (length(hash) = 32),"
	" time INTEGER NOT NULL,"
	" jws TEXT NOT NULL"
	") STRICT",
	"CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE"
	" ON audit_checkpoints"
	" BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
	"CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE"
	" ON audit_checkpoints"
	" BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
	"PRAGMA user_version = 3",
	NULL
};

/*
 * Migration 4: encryption at rest (issue 5; see seal.c).  keyring holds
 * the data-encryption key wrapped under the key-encryption key, with the
 * KEK's fingerprint; it is made by the first store_unlock, which also
 * seals the plaintext of older rows in the same transaction.  Sealed
 * values go to new BLOB columns: ALTER TABLE cannot change a column's
 * type, and rebuilding users would mean rebuilding every table that
 * refers to it.  The old TEXT columns stay, always empty from now on,
 * and the triggers refuse plaintext in them.  signing_keys.priv keeps
 * its column; sealed says whether the value in it is sealed yet.
 */
static const char *const migration4[] = {
	"CREATE TABLE keyring ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" ring_id BLOB NOT NULL CHECK (length(ring_id) = 16),"
	" kek_id BLOB NOT NULL CHECK (length(kek_id) = 8),"
	" wrapped BLOB NOT NULL CHECK (length(wrapped) = 61),"
	" created INTEGER NOT NULL,"
	" rewrapped INTEGER NOT NULL DEFAULT 0"
	") STRICT",
	"CREATE TRIGGER keyring_no_delete BEFORE DELETE ON keyring"
	" BEGIN SELECT RAISE(ABORT, 'the keyring cannot be deleted'); END",
	"CREATE TRIGGER keyring_same_ring BEFORE UPDATE OF ring_id ON keyring"
	" BEGIN SELECT RAISE(ABORT, 'the keyring id is fixed'); END",

	"ALTER TABLE users ADD COLUMN display_sealed BLOB",
	"ALTER TABLE users ADD COLUMN contact BLOB",
	"CREATE TRIGGER users_sealed BEFORE INSERT ON users"
	" WHEN NEW.display_name != '' OR NEW.display_sealed IS NULL"
	" BEGIN SELECT RAISE(ABORT, 'display name not sealed'); END",
	"CREATE TRIGGER users_sealed_update BEFORE UPDATE OF display_name"
	" ON users WHEN NEW.display_name != ''"
	" BEGIN SELECT RAISE(ABORT, 'display name not sealed'); END",

	"ALTER TABLE signing_keys ADD COLUMN sealed INTEGER NOT NULL"
	" DEFAULT 0 CHECK (sealed IN (0, 1))",
	"CREATE TRIGGER signing_keys_sealed BEFORE INSERT ON signing_keys"
	" WHEN NEW.sealed != 1"
	" BEGIN SELECT RAISE(ABORT, 'private key not sealed'); END",

	"ALTER TABLE confirmations ADD COLUMN statement_sealed BLOB",
	"ALTER TABLE confirmations ADD COLUMN receipt_sealed BLOB",
	"CREATE TRIGGER confirmations_sealed BEFORE INSERT ON confirmations"
	" WHEN NEW.statement != '' OR NEW.receipt != ''"
	" OR NEW.statement_sealed IS NULL"
	" BEGIN SELECT RAISE(ABORT, 'statement not sealed'); END",
	"CREATE TRIGGER confirmations_sealed_update BEFORE UPDATE OF"
	" statement, receipt ON confirmations"
	" WHEN NEW.statement != '' OR NEW.receipt != ''"
	" BEGIN SELECT RAISE(ABORT, 'receipt not sealed'); END",
	"PRAGMA user_version = 4",
	NULL
};

/*
 * Migration 5: sessions keyed for the sign-in's single write.  A refresh
 * secret now carries its session's id (session.c), so the session is
 * found by id, and secret_hash needs no index.  Two indexes that every
 * sign-in inserted into at a random place are gone: the UNIQUE one on
 * secret_hash, and sessions_user, whose queries now go through the
 * credentials (a session's user is its credential's).  The table is
 * keyed by its id, which starts with the time, so a new session appends
 * to it.  Sessions from before keep their old secrets, found through a
 * partial index of the rows marked legacy; no new row enters it.
 */
static const char *const migration5[] = {
	"CREATE TABLE sessions_v5 ("
	" id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 16),"
	" secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),"
	" user_id INTEGER NOT NULL REFERENCES users (id),"
	" cred INTEGER NOT NULL REFERENCES credentials (id),"
	" created INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" auth_time INTEGER NOT NULL,"
	" amr TEXT NOT NULL,"
	" ended_at INTEGER NOT NULL DEFAULT 0,"
	" end_reason TEXT NOT NULL DEFAULT '',"
	" legacy INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1))"
	") STRICT, WITHOUT ROWID",
	"INSERT INTO sessions_v5 (id, secret_hash, user_id, cred, created,"
	" expires, auth_time, amr, ended_at, end_reason, legacy)"
	" SELECT id, secret_hash, user_id, cred, created, expires, auth_time,"
	" amr, ended_at, end_reason, 1 FROM sessions",
	"DROP TABLE sessions",
	"ALTER TABLE sessions_v5 RENAME TO sessions",
	"CREATE INDEX sessions_cred ON sessions (cred, ended_at)",
	"CREATE INDEX sessions_legacy ON sessions (secret_hash)"
	" WHERE legacy = 1",
	"CREATE TRIGGER sessions_unend BEFORE UPDATE OF ended_at"
	" ON sessions WHEN OLD.ended_at <> 0 BEGIN"
	" SELECT RAISE(ABORT, 'session has ended'); END",
	"CREATE TRIGGER sessions_new_not_legacy BEFORE INSERT ON sessions"
	" WHEN NEW.legacy <> 0 BEGIN"
	" SELECT RAISE(ABORT, 'a new session is never legacy'); END",
	"PRAGMA user_version = 5",
	NULL
};

const char *const *const store_migration[STORE_SCHEMA_VERSION + 1] = {
	[1] = migration1,
	[2] = migration2,
	[3] = migration3,
	[4] = migration4,
	[5] = migration5,
};
