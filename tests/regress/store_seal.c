/*
 * store_seal.c: encryption at rest.  Sealed fields round-trip; the
 * database file holds no plaintext of them; a wrong key-encryption key
 * is refused and changes nothing; a sealed value that was changed, or
 * moved to another row or column, is an error and never other data;
 * rewrapping changes the KEK and nothing else; a store that was not
 * unlocked refuses sealed fields; and the first unlock of a schema 3
 * database seals its plaintext.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/extern.h"
#include "tests/lib/storefix.h"

#define DISPLAY		"Quirinus Zabransky"
#define CONTACT		"quirinus.zabransky@example.org"
#define STATEMENT	"{\"address\":\"17 Vrbova Ulice\"}"
#define RECEIPT		"eyJhbGciOiJFZERTQSJ9.receipt-of-vrbova.sig"

static const unsigned char other_kek[STORE_KEY_LEN] =
    "another key-encryption key, 32 b";

/* Does the file at path (if it exists) contain needle? */
static bool
file_has(const char *path, const void *needle, size_t n)
{
	FILE		*f;
	unsigned char	*buf = NULL;
	long		 len;
	bool		 found = false;

	if ((f = fopen(path, "rb")) == NULL)
		return (false);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((len = ftell(f)) >= 0);
	rewind(f);
	if (len > 0) {
		assert_non_null(buf = malloc((size_t)len));
		assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
		for (size_t i = 0; i + n <= (size_t)len && !found; i++)
			found = memcmp(buf + i, needle, n) == 0;
	}
	free(buf);
	fclose(f);

	return (found);
}

/* In the database, its WAL or its journal. */
static bool
db_has(const struct fx *fx, const void *needle, size_t n)
{
	static const char *const sfx[] = { "", "-wal", "-journal" };
	char p[320];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, sfx[i]);
		if (file_has(p, needle, n))
			return (true);
	}

	return (false);
}

static struct store_key
mkkey(const char *kid)
{
	struct store_key k;

	memset(&k, 0, sizeof(k));
	snprintf(k.kid, sizeof(k.kid), "%s", kid);
	snprintf(k.alg, sizeof(k.alg), "EdDSA");
	for (size_t i = 0; i < 48; i++)
		k.priv[i] = (unsigned char)(0x80 + i);
	k.priv_len = 48;
	k.created = NOW;

	return (k);
}

static int
first_key(const struct store_key *k, void *arg)
{
	*(struct store_key *)arg = *k;

	return (1);
}

/* A customer with a pending confirmation; OUT: *c. */
static void
mkconfirm(struct store *st, struct store_confirmation *c)
{
	struct store_user	u = mkuser(st, "cust", STORE_ROLE_CUSTOMER);
	unsigned char		h[STORE_HASH_LEN];
	int64_t			 sid;

	memset(h, 's', sizeof(h));
	assert_int_equal(store_service_add(st, "track", "track", h, NOW, &sid),
	    STORE_OK);
	memset(c, 0, sizeof(*c));
	memset(c->id, 'c', sizeof(c->id));
	memset(c->nonce, 'n', sizeof(c->nonce));
	c->service_id = sid;
	c->customer_id = u.id;
	snprintf(c->shipment_id, sizeof(c->shipment_id), "SHIP-1");
	snprintf(c->statement, sizeof(c->statement), "%s", STATEMENT);
	c->created = NOW;
	c->expires = NOW + 600;
	assert_int_equal(store_confirm_put(st, c), STORE_OK);
}

/* A blob column of one row, read raw.  OUT: buf, *len. */
static void
raw_get(struct store *st, const char *sql, unsigned char *buf, size_t max,
    size_t *len)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(s, 0), SQLITE_BLOB);
	*len = (size_t)sqlite3_column_bytes(s, 0);
	assert_true(*len <= max);
	memcpy(buf, sqlite3_column_blob(s, 0), *len);
	sqlite3_finalize(s);
}

/* Runs sql with ?1 bound to a blob. */
static void
raw_put(struct store *st, const char *sql, const unsigned char *buf,
    size_t len)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(s, 1, buf, (int)len,
	    SQLITE_TRANSIENT), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void
round_trip(void **state)
{
	struct fx			*fx = *state;
	struct store_user		 u, got;
	struct store_key		 k = mkkey("k1"), kg;
	struct store_confirmation	 c, cg;

	assert_int_equal(store_user_ensure(fx->st, "quin", STORE_ROLE_COURIER,
	    DISPLAY, NOW, &u), STORE_OK);
	assert_string_equal(u.display_name, DISPLAY);
	assert_string_equal(u.contact, "");
	assert_int_equal(store_user_set_contact(fx->st, u.id, CONTACT),
	    STORE_OK);
	assert_int_equal(store_user_by_name(fx->st, "quin", &got), STORE_OK);
	assert_string_equal(got.display_name, DISPLAY);
	assert_string_equal(got.contact, CONTACT);
	assert_int_equal(store_user_set_contact(fx->st, u.id, ""), STORE_OK);
	assert_int_equal(store_user_by_id(fx->st, u.id, &got), STORE_OK);
	assert_string_equal(got.contact, "");
	assert_int_equal(store_user_set_contact(fx->st, 999, CONTACT),
	    STORE_ERR_NOT_FOUND);

	assert_int_equal(store_key_put(fx->st, &k), STORE_OK);
	assert_int_equal(store_key_list(fx->st, NOW, first_key, &kg),
	    STORE_OK);
	assert_memory_equal(&kg, &k, sizeof(k));

	mkconfirm(fx->st, &c);
	assert_int_equal(store_confirm_get(fx->st, c.id, &cg), STORE_OK);
	assert_string_equal(cg.statement, STATEMENT);
	assert_string_equal(cg.receipt, "");
}

/* Another connection of the process finds the DEK by itself. */
static void
other_connection_unlocked(void **state)
{
	struct fx		*fx = *state;
	struct store		*st = NULL;
	struct store_user	 got;

	assert_int_equal(store_open(fx->path, &st), STORE_OK);
	(void)mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	assert_int_equal(store_user_by_name(st, "ana", &got), STORE_OK);
	assert_string_equal(got.display_name, "ana");
	store_close(&st);
}

static void
file_has_no_plaintext(void **state)
{
	struct fx			*fx = *state;
	struct store_user		 u;
	struct store_key		 k = mkkey("k1");
	struct store_confirmation	 c;

	assert_int_equal(store_user_ensure(fx->st, "quin", STORE_ROLE_COURIER,
	    DISPLAY, NOW, &u), STORE_OK);
	assert_int_equal(store_user_set_contact(fx->st, u.id, CONTACT),
	    STORE_OK);
	assert_int_equal(store_key_put(fx->st, &k), STORE_OK);
	mkconfirm(fx->st, &c);
	/* What is not sealed is found: the search works. */
	assert_true(db_has(fx, "SHIP-1", 6));
	assert_false(db_has(fx, DISPLAY, strlen(DISPLAY)));
	assert_false(db_has(fx, CONTACT, strlen(CONTACT)));
	assert_false(db_has(fx, k.priv, k.priv_len));
	assert_false(db_has(fx, "Vrbova", 6));
	assert_false(db_has(fx, fx_kek, sizeof(fx_kek)));
}

static void
wrong_kek_changes_nothing(void **state)
{
	struct fx		*fx = *state;
	struct store_user	 got;
	unsigned char		 before[128], after[128];
	size_t			 blen, alen;

	(void)mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	raw_get(fx->st, "SELECT wrapped FROM keyring", before,
	    sizeof(before), &blen);
	store_lock();
	assert_int_equal(store_unlock(fx->st, other_kek, NOW), STORE_ERR_KEY);
	assert_int_equal(store_user_by_name(fx->st, "ana", &got),
	    STORE_ERR_LOCKED);
	raw_get(fx->st, "SELECT wrapped FROM keyring", after,
	    sizeof(after), &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	assert_int_equal(COUNT(fx->st, "keyring"), 1);
	assert_int_equal(fx_unlock(fx->st), STORE_OK);
	assert_int_equal(store_user_by_name(fx->st, "ana", &got), STORE_OK);
}

/* A keyring whose fingerprint matches but whose DEK does not open. */
static void
damaged_keyring_is_io(void **state)
{
	struct fx	*fx = *state;
	unsigned char	 w[128];
	size_t		 len;

	raw_get(fx->st, "SELECT wrapped FROM keyring", w, sizeof(w), &len);
	w[20] ^= 1;
	raw_put(fx->st, "UPDATE keyring SET wrapped = ?1", w, len);
	store_lock();
	assert_int_equal(store_unlock(fx->st, fx_kek, NOW), STORE_ERR_IO);
}

static void
tampered_ciphertext(void **state)
{
	struct fx		*fx = *state;
	struct store_user	 u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	struct store_key	 k = mkkey("k1"), kg;
	unsigned char		 b[1024];
	size_t			 len;

	raw_get(fx->st, "SELECT display_sealed FROM users", b, sizeof(b),
	    &len);
	b[len - 1] ^= 0x40;		/* the tag */
	raw_put(fx->st, "UPDATE users SET display_sealed = ?1", b, len);
	assert_int_equal(store_user_by_id(fx->st, u.id, &u), STORE_ERR_IO);
	b[len - 1] ^= 0x40;
	b[14] ^= 0x01;			/* the ciphertext */
	raw_put(fx->st, "UPDATE users SET display_sealed = ?1", b, len);
	assert_int_equal(store_user_by_name(fx->st, "ana", &u), STORE_ERR_IO);
	b[14] ^= 0x01;
	b[0] = 2;			/* an unknown version */
	raw_put(fx->st, "UPDATE users SET display_sealed = ?1", b, len);
	assert_int_equal(store_user_by_name(fx->st, "ana", &u), STORE_ERR_IO);
	b[0] = 1;
	raw_put(fx->st, "UPDATE users SET display_sealed = ?1", b, 20);
	assert_int_equal(store_user_by_name(fx->st, "ana", &u), STORE_ERR_IO);
	raw_put(fx->st, "UPDATE users SET display_sealed = ?1", b, len);
	assert_int_equal(store_user_by_name(fx->st, "ana", &u), STORE_OK);

	assert_int_equal(store_key_put(fx->st, &k), STORE_OK);
	raw_get(fx->st, "SELECT priv FROM signing_keys", b, sizeof(b), &len);
	b[30] ^= 0x80;
	raw_put(fx->st, "UPDATE signing_keys SET priv = ?1", b, len);
	assert_int_equal(store_key_list(fx->st, NOW, first_key, &kg),
	    STORE_ERR_IO);
}

/* Values moved to another row or column do not open. */
static void
swapped_between_rows(void **state)
{
	struct fx		*fx = *state;
	struct store_user	 a, b;
	struct store_key	 ka = mkkey("ka"), kb = mkkey("kb"), kg;
	struct store_confirmation c, cg;

	assert_int_equal(store_user_ensure(fx->st, "ana", STORE_ROLE_COURIER,
	    "Ana", NOW, &a), STORE_OK);
	assert_int_equal(store_user_ensure(fx->st, "bea", STORE_ROLE_COURIER,
	    "Bea", NOW, &b), STORE_OK);
	assert_int_equal(store_user_set_contact(fx->st, a.id, CONTACT),
	    STORE_OK);
	assert_int_equal(q_exec(fx->st, "UPDATE users SET display_sealed ="
	    " (SELECT display_sealed FROM users WHERE username = 'ana')"
	    " WHERE username = 'bea'"), SQLITE_OK);
	assert_int_equal(store_user_by_id(fx->st, b.id, &b), STORE_ERR_IO);
	assert_int_equal(store_user_by_id(fx->st, a.id, &a), STORE_OK);
	/* The same row, another column. */
	assert_int_equal(q_exec(fx->st, "UPDATE users SET display_sealed ="
	    " contact WHERE username = 'ana'"), SQLITE_OK);
	assert_int_equal(store_user_by_id(fx->st, a.id, &a), STORE_ERR_IO);

	assert_int_equal(store_key_put(fx->st, &ka), STORE_OK);
	assert_int_equal(store_key_put(fx->st, &kb), STORE_OK);
	assert_int_equal(q_exec(fx->st, "UPDATE signing_keys SET priv ="
	    " (SELECT priv FROM signing_keys WHERE kid = 'ka')"
	    " WHERE kid = 'kb'"), SQLITE_OK);
	assert_int_equal(store_key_list(fx->st, NOW, first_key, &kg),
	    STORE_ERR_IO);

	mkconfirm(fx->st, &c);
	assert_int_equal(q_exec(fx->st, "UPDATE confirmations SET"
	    " receipt_sealed = statement_sealed"), SQLITE_OK);
	assert_int_equal(store_confirm_get(fx->st, c.id, &cg), STORE_ERR_IO);
}

static void
rewrap_changes_kek(void **state)
{
	struct fx		*fx = *state;
	struct store		*st = NULL;
	struct store_user	 got;
	struct store_key	 k = mkkey("k1"), kg;
	unsigned char		 before[256], after[256];
	size_t			 blen, alen;

	assert_int_equal(store_user_ensure(fx->st, "quin", STORE_ROLE_COURIER,
	    DISPLAY, NOW, &got), STORE_OK);
	assert_int_equal(store_key_put(fx->st, &k), STORE_OK);
	raw_get(fx->st, "SELECT display_sealed FROM users", before,
	    sizeof(before), &blen);
	/* A wrong old KEK: refused, nothing written. */
	assert_int_equal(store_rewrap(fx->st, other_kek, other_kek, NOW),
	    STORE_ERR_KEY);
	assert_int_equal(store_rewrap(fx->st, fx_kek, other_kek, NOW + 1),
	    STORE_OK);
	assert_int_equal(q_int(fx->st, "SELECT rewrapped FROM keyring"),
	    NOW + 1);
	/* Sealed fields are untouched, and this process goes on. */
	raw_get(fx->st, "SELECT display_sealed FROM users", after,
	    sizeof(after), &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	assert_int_equal(store_user_by_name(fx->st, "quin", &got), STORE_OK);

	/* A new process: the old KEK fails, the new one works. */
	store_lock();
	assert_int_equal(store_open(fx->path, &st), STORE_OK);
	assert_int_equal(store_unlock(st, fx_kek, NOW), STORE_ERR_KEY);
	assert_int_equal(store_user_by_name(st, "quin", &got),
	    STORE_ERR_LOCKED);
	assert_int_equal(store_unlock(st, other_kek, NOW), STORE_OK);
	assert_int_equal(store_user_by_name(st, "quin", &got), STORE_OK);
	assert_string_equal(got.display_name, DISPLAY);
	assert_int_equal(store_key_list(st, NOW, first_key, &kg), STORE_OK);
	assert_memory_equal(&kg, &k, sizeof(k));
	store_close(&st);
}

static void
locked_refuses_sealed(void **state)
{
	struct fx			*fx = *state;
	struct store			*st = NULL;
	struct store_user		 u = mkuser(fx->st, "ana",
					    STORE_ROLE_COURIER), got;
	struct store_key		 k = mkkey("k1"), kg;
	struct store_confirmation	 c;
	char				 p[320];
	bool				 exists = false;

	store_lock();
	assert_int_equal(store_user_by_id(fx->st, u.id, &got),
	    STORE_ERR_LOCKED);
	assert_int_equal(store_user_ensure(fx->st, "bea", STORE_ROLE_COURIER,
	    "Bea", NOW, &got), STORE_ERR_LOCKED);
	assert_int_equal(store_user_set_contact(fx->st, u.id, CONTACT),
	    STORE_ERR_LOCKED);
	assert_int_equal(store_key_put(fx->st, &k), STORE_ERR_LOCKED);
	assert_int_equal(store_key_list(fx->st, NOW, first_key, &kg),
	    STORE_OK);		/* no key: nothing to open */
	assert_int_equal(COUNT(fx->st, "users"), 1);
	assert_int_equal(store_keyring_exists(fx->st, &exists), STORE_OK);
	assert_true(exists);

	/* A database never unlocked has no keyring, and is locked too. */
	snprintf(p, sizeof(p), "%s/fresh.db", fx->dir);
	assert_int_equal(store_open(p, &st), STORE_OK);
	assert_int_equal(store_keyring_exists(st, &exists), STORE_OK);
	assert_false(exists);
	assert_int_equal(store_user_ensure(st, "bea", STORE_ROLE_COURIER,
	    "Bea", NOW, &got), STORE_ERR_LOCKED);
	memset(&c, 0, sizeof(c));
	snprintf(c.shipment_id, sizeof(c.shipment_id), "S");
	snprintf(c.statement, sizeof(c.statement), "{}");
	c.created = NOW;
	c.expires = NOW + 1;
	assert_int_equal(store_confirm_put(st, &c), STORE_ERR_LOCKED);
	assert_int_equal(store_rewrap(st, fx_kek, other_kek, NOW),
	    STORE_ERR_NOT_FOUND);
	store_close(&st);
	snprintf(p, sizeof(p), "%s/fresh.db-wal", fx->dir);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s/fresh.db-shm", fx->dir);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s/fresh.db", fx->dir);
	(void)unlink(p);
}

/* Builds a schema 3 database at path with plaintext personal data. */
static void
make_v3(const char *path)
{
	sqlite3 *db = fx_schema_at(path, 3);

	assert_int_equal(sqlite3_exec(db,
	    "INSERT INTO users (id, handle, username, display_name, role,"
	    " created) VALUES (1, randomblob(32), 'quin', '" DISPLAY "', 2,"
	    " 1700000000);"
	    "INSERT INTO signing_keys (kid, alg, priv, created) VALUES"
	    " ('old', 'EdDSA', x'302e020100300506032b657004220420"
	    "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0',"
	    " 1700000000);"
	    "INSERT INTO services (id, name, audience, key_hash, created)"
	    " VALUES (1, 't', 't', randomblob(32), 1700000000);"
	    "INSERT INTO confirmations (id, service_id, customer_id,"
	    " shipment_id, statement, nonce, created, expires, confirmed_at,"
	    " receipt) VALUES (x'63636363636363636363636363636363', 1, 1,"
	    " 'SHIP-1', '" STATEMENT "', randomblob(32), 1700000000,"
	    " 1700000600, 1700000100, '" RECEIPT "');"
	    "INSERT INTO confirmations (id, service_id, customer_id,"
	    " shipment_id, statement, nonce, created, expires) VALUES"
	    " (x'64646464646464646464646464646464', 1, 1, 'SHIP-2',"
	    " '" STATEMENT "', randomblob(32), 1700000000, 1700000600);",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void
migrate_v3_plaintext(void **state)
{
	static const unsigned char priv_tail[] = { 0xa1, 0xa2, 0xa3, 0xa4,
	    0xa5, 0xa6, 0xa7, 0xa8 };
	struct fx			*fx = *state;
	struct store_user		 got;
	struct store_key		 kg;
	struct store_confirmation	 cg;
	unsigned char			 cid[STORE_CONFIRM_ID_LEN];

	store_close(&fx->st);
	fx_rm(fx);
	assert_int_equal(mkdir(fx->dir, 0700), 0);
	make_v3(fx->path);
	assert_true(db_has(fx, DISPLAY, strlen(DISPLAY)));
	store_lock();
	assert_int_equal(store_open(fx->path, &fx->st), STORE_OK);
	assert_int_equal(q_int(fx->st, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	/* Migrated, not yet sealed: locked, never the plaintext. */
	assert_int_equal(store_user_by_name(fx->st, "quin", &got),
	    STORE_ERR_LOCKED);
	assert_int_equal(store_key_list(fx->st, NOW, first_key, &kg),
	    STORE_ERR_LOCKED);
	assert_int_equal(fx_unlock(fx->st), STORE_OK);
	assert_int_equal(store_user_by_name(fx->st, "quin", &got), STORE_OK);
	assert_string_equal(got.display_name, DISPLAY);
	assert_int_equal(store_key_list(fx->st, NOW, first_key, &kg),
	    STORE_OK);
	assert_string_equal(kg.kid, "old");
	assert_int_equal(kg.priv_len, 48);
	assert_memory_equal(kg.priv + 16, priv_tail, sizeof(priv_tail));
	memset(cid, 'c', sizeof(cid));
	assert_int_equal(store_confirm_get(fx->st, cid, &cg), STORE_OK);
	assert_string_equal(cg.statement, STATEMENT);
	assert_string_equal(cg.receipt, RECEIPT);
	/* A pending one has no receipt to seal. */
	memset(cid, 'd', sizeof(cid));
	assert_int_equal(store_confirm_get(fx->st, cid, &cg), STORE_OK);
	assert_string_equal(cg.statement, STATEMENT);
	assert_string_equal(cg.receipt, "");
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM confirmations"
	    " WHERE receipt_sealed IS NULL"), 1);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM users WHERE"
	    " display_name != '' OR display_sealed IS NULL"), 0);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM confirmations"
	    " WHERE statement != '' OR receipt != ''"), 0);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM signing_keys"
	    " WHERE sealed = 0"), 0);
	/* secure_delete: the old plaintext is gone from the file too. */
	store_close(&fx->st);
	assert_false(db_has(fx, DISPLAY, strlen(DISPLAY)));
	assert_false(db_has(fx, "Vrbova", 6));
	assert_false(db_has(fx, priv_tail, sizeof(priv_tail)));
	assert_int_equal(store_open(fx->path, &fx->st), STORE_OK);
	/* A second unlock seals nothing twice. */
	assert_int_equal(fx_unlock(fx->st), STORE_OK);
	assert_int_equal(store_user_by_name(fx->st, "quin", &got), STORE_OK);
}

static void
bad_arguments(void **state)
{
	struct fx *fx = *state;
	bool b;

	assert_int_equal(store_unlock(NULL, fx_kek, NOW), STORE_ERR_ARG);
	assert_int_equal(store_unlock(fx->st, NULL, NOW), STORE_ERR_ARG);
	assert_int_equal(store_rewrap(fx->st, fx_kek, NULL, NOW),
	    STORE_ERR_ARG);
	assert_int_equal(store_keyring_exists(fx->st, NULL), STORE_ERR_ARG);
	assert_int_equal(store_keyring_exists(NULL, &b), STORE_ERR_ARG);
	assert_string_equal(store_strerr(STORE_ERR_KEY),
	    "not the key-encryption key of this database");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(round_trip),
		T(other_connection_unlocked),
		T(file_has_no_plaintext),
		T(wrong_kek_changes_nothing),
		T(damaged_keyring_is_io),
		T(tampered_ciphertext),
		T(swapped_between_rows),
		T(rewrap_changes_kek),
		T(locked_refuses_sealed),
		T(migrate_v3_plaintext),
		T(bad_arguments),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
