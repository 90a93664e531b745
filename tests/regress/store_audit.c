/*
 * store_audit.c: the append-only audit log (append, list, JSON details,
 * bounds, UPDATE and DELETE refused), its hash chain (intact after
 * appends from several threads; an edit, a deletion and an insertion
 * made through a raw connection that drops the triggers, as an attacker
 * with the file would, found at the right seq; rows from before the
 * chain; checkpoints; the sign-in's entry), the online backup under
 * concurrent writes, and the revocation feed (cursor, limit,
 * append-only).
 */
#include <pthread.h>
#include <sys/stat.h>

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
#include <openssl/evp.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/extern.h"
#include "tests/lib/storefix.h"

struct entries {
	struct store_audit_rec	a[4];
	size_t			n;
};

static int
collect_audit(const struct store_audit_rec *a, void *arg)
{
	struct entries *l = arg;

	assert_true(l->n < 4);
	l->a[l->n++] = *a;

	return (0);
}

static void
audit_append_list(void **state)
{
	struct fx *fx = *state;
	struct entries *l;

	assert_non_null(l = calloc(1, sizeof(*l)));
	assert_int_equal(store_audit(fx->st, NOW, "login", "ana", "ana",
	    "{\"cred\":\"AAEC\"}"), STORE_OK);
	assert_int_equal(store_audit(fx->st, NOW + 1, "revocation", "root",
	    "ana", NULL), STORE_OK);
	assert_int_equal(store_audit(fx->st, NOW + 2, "key_rotation", NULL,
	    NULL, ""), STORE_OK);
	assert_int_equal(store_audit_list(fx->st, 0, 0, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 3);
	assert_int_equal(l->a[0].seq, 1);
	assert_int_equal(l->a[0].time, NOW);
	assert_string_equal(l->a[0].event, "login");
	assert_string_equal(l->a[0].actor, "ana");
	assert_string_equal(l->a[0].subject, "ana");
	assert_string_equal(l->a[0].detail, "{\"cred\":\"AAEC\"}");
	assert_string_equal(l->a[1].detail, "");
	assert_string_equal(l->a[2].actor, "");
	/* A cursor and a limit. */
	memset(l, 0, sizeof(*l));
	assert_int_equal(store_audit_list(fx->st, 1, 1, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->a[0].seq, 2);
	free(l);
}

/* Plain text is kept as a JSON string: no event is lost to its format. */
static void
audit_plain_detail_quoted(void **state)
{
	struct fx *fx = *state;
	struct entries *l;

	assert_non_null(l = calloc(1, sizeof(*l)));
	assert_int_equal(store_audit(fx->st, NOW, "enrollment_issued", "root",
	    "ana", "admin"), STORE_OK);
	assert_int_equal(store_audit(fx->st, NOW, "registration", "ana",
	    "ana", "Ana's \"phone\"\n"), STORE_OK);
	assert_int_equal(store_audit_list(fx->st, 0, 0, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->a[0].detail, "\"admin\"");
	assert_string_equal(l->a[1].detail, "\"Ana's \\\"phone\\\"\\n\"");
	free(l);
}

/* The longest detail, all control characters, still reads back. */
static void
audit_longest_detail(void **state)
{
	struct fx *fx = *state;
	char detail[STORE_MAX_DETAIL + 2];
	struct entries *l;

	assert_non_null(l = calloc(1, sizeof(*l)));
	memset(detail, '\x01', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	assert_int_equal(store_audit(fx->st, NOW, "x", NULL, NULL, detail),
	    STORE_ERR_ARG);
	detail[STORE_MAX_DETAIL] = '\0';
	assert_int_equal(store_audit(fx->st, NOW, "x", NULL, NULL, detail),
	    STORE_OK);
	assert_int_equal(store_audit_list(fx->st, 0, 0, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 1);
	assert_int_equal(strlen(l->a[0].detail), STORE_MAX_DETAIL * 6 + 2);
	free(l);
}

static void
audit_bad_arguments(void **state)
{
	struct fx *fx = *state;
	char actor[STORE_MAX_ACTOR + 2];

	memset(actor, 'a', sizeof(actor) - 1);
	actor[sizeof(actor) - 1] = '\0';
	assert_int_equal(store_audit(fx->st, NOW, NULL, "a", "b", NULL),
	    STORE_ERR_ARG);
	assert_int_equal(store_audit(fx->st, NOW, "", "a", "b", NULL),
	    STORE_ERR_ARG);
	assert_int_equal(store_audit(fx->st, NOW, "x", actor, "b", NULL),
	    STORE_ERR_ARG);
	assert_int_equal(COUNT(fx->st, "audit"), 0);
}

static void
audit_update_refused(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(store_audit(fx->st, NOW, "login", "ana", "ana", NULL),
	    STORE_OK);
	assert_int_equal(q_exec(fx->st, "UPDATE audit SET actor = 'eve'"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(q_exec(fx->st, "DELETE FROM audit"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM audit"
	    " WHERE actor = 'ana'"), 1);
}

/* n entries "e<i>" with actor "a", from time NOW. */
static void
append_n(struct store *st, int n)
{
	char subject[32];

	for (int i = 0; i < n; i++) {
		snprintf(subject, sizeof(subject), "s%d", i);
		assert_int_equal(store_audit(st, NOW + i, "event", "a",
		    subject, i % 2 ? "{\"k\":1}" : NULL), STORE_OK);
	}
}

static void
assert_intact(struct store *st, int64_t entries)
{
	struct store_audit_check c;

	assert_int_equal(store_audit_verify(st, &c), STORE_OK);
	assert_null(c.problem);
	assert_int_equal(c.bad_seq, 0);
	assert_int_equal(c.entries, entries);
	assert_int_equal(c.head_seq, entries);
}

static void
assert_tampered(struct store *st, int64_t seq, const char *problem)
{
	struct store_audit_check c;

	assert_int_equal(store_audit_verify(st, &c), STORE_OK);
	assert_non_null(c.problem);
	assert_string_equal(c.problem, problem);
	assert_int_equal(c.bad_seq, seq);
}

/* An attacker's connection: the file, without authd's triggers. */
static sqlite3 *
raw_open(const struct fx *fx)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_update;"
	    "DROP TRIGGER audit_no_delete", NULL, NULL, NULL), SQLITE_OK);

	return (db);
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* The stored hash of entry seq. */
static void
hash_of(struct store *st, int64_t seq, unsigned char *out)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(st),
	    "SELECT hash FROM audit WHERE seq = ?1", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(s, 1, seq), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(s, 0), STORE_HASH_LEN);
	memcpy(out, sqlite3_column_blob(s, 0), STORE_HASH_LEN);
	sqlite3_finalize(s);
}

static void
chain_links(void **state)
{
	struct fx *fx = *state;
	unsigned char h1[STORE_HASH_LEN], want[STORE_HASH_LEN];
	unsigned char zero[STORE_HASH_LEN] = { 0 };

	append_n(fx->st, 2);
	hash_of(fx->st, 1, h1);
	assert_int_equal(store_audit_hash(zero, 1, NOW, "event", "a", "s0",
	    NULL, want), STORE_OK);
	assert_memory_equal(h1, want, STORE_HASH_LEN);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM audit a, audit b"
	    " WHERE b.seq = a.seq + 1 AND b.prev_hash = a.hash"), 1);
	/* An absent detail and "" do not hash alike. */
	assert_int_equal(store_audit_hash(zero, 1, NOW, "event", "a", "s0",
	    "", want), STORE_OK);
	assert_memory_not_equal(h1, want, STORE_HASH_LEN);
	assert_intact(fx->st, 2);
	/* An unchained INSERT is refused by the schema. */
	assert_int_equal(q_exec(fx->st, "INSERT INTO audit (time, event)"
	    " VALUES (1, 'x')"), SQLITE_CONSTRAINT_TRIGGER);
}

#define NTHREADS	6
#define PER_THREAD	40

static void *
appender(void *arg)
{
	const struct fx *fx = arg;
	struct store *st = NULL;
	int bad = 0;

	if (store_open(fx->path, &st) != STORE_OK)
		return ((void *)1);
	for (int i = 0; i < PER_THREAD; i++)
		if (store_audit(st, NOW + i, "event", "thread", "x", NULL) !=
		    STORE_OK)
			bad = 1;
	store_close(&st);

	return (bad ? (void *)1 : NULL);
}

/* Writers on their own connections never fork the chain. */
static void
chain_threads(void **state)
{
	struct fx *fx = *state;
	pthread_t th[NTHREADS];
	void *ret;

	append_n(fx->st, 3);
	for (size_t i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, appender, fx),
		    0);
	append_n(fx->st, 5);
	for (size_t i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	assert_intact(fx->st, 8 + NTHREADS * PER_THREAD);
	assert_int_equal(q_int(fx->st, "SELECT count(DISTINCT prev_hash)"
	    " FROM audit"), 8 + NTHREADS * PER_THREAD);
}

static void
tamper_update(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db;

	append_n(fx->st, 10);
	db = raw_open(fx);
	raw_exec(db, "UPDATE audit SET actor = 'eve' WHERE seq = 5");
	sqlite3_close(db);
	assert_tampered(fx->st, 5, "hash_mismatch");
}

/* An attacker who also rehashes the entry breaks the next link. */
static void
tamper_update_rehashed(void **state)
{
	struct fx *fx = *state;
	unsigned char prev[STORE_HASH_LEN], h[STORE_HASH_LEN];
	sqlite3_stmt *s = NULL;
	sqlite3 *db;

	append_n(fx->st, 10);
	hash_of(fx->st, 4, prev);
	assert_int_equal(store_audit_hash(prev, 5, NOW + 4, "event", "eve",
	    "s4", NULL, h), STORE_OK);
	db = raw_open(fx);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET actor ="
	    " 'eve', hash = ?1 WHERE seq = 5", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(s, 1, h, sizeof(h), SQLITE_STATIC),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_tampered(fx->st, 6, "prev_mismatch");
}

static void
tamper_delete(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db;

	append_n(fx->st, 10);
	db = raw_open(fx);
	raw_exec(db, "DELETE FROM audit WHERE seq = 5");
	sqlite3_close(db);
	assert_tampered(fx->st, 5, "missing");
}

/* Cutting the tail shows in AUTOINCREMENT's counter. */
static void
tamper_delete_tail(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db;

	append_n(fx->st, 10);
	db = raw_open(fx);
	raw_exec(db, "DELETE FROM audit WHERE seq >= 9");
	sqlite3_close(db);
	assert_tampered(fx->st, 9, "missing");
	/* And a later append does not reuse the seq. */
	append_n(fx->st, 1);
	assert_int_equal(q_int(fx->st, "SELECT max(seq) FROM audit"), 11);
	assert_tampered(fx->st, 9, "missing");
}

/*
 * An entry slipped in at seq 5, perfectly chained to entry 4: the old
 * entry 5, renumbered 6, no longer matches its hash.
 */
static void
tamper_insert(void **state)
{
	struct fx *fx = *state;
	unsigned char prev[STORE_HASH_LEN], h[STORE_HASH_LEN];
	sqlite3_stmt *s = NULL;
	sqlite3 *db;

	append_n(fx->st, 10);
	hash_of(fx->st, 4, prev);
	assert_int_equal(store_audit_hash(prev, 5, NOW + 4, "login", "eve",
	    "eve", NULL, h), STORE_OK);
	db = raw_open(fx);
	raw_exec(db, "UPDATE audit SET seq = -seq WHERE seq >= 5;"
	    "UPDATE audit SET seq = 1 - seq WHERE seq < 0");
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO audit (seq,"
	    " time, event, actor, subject, prev_hash, hash) VALUES (5, ?1,"
	    " 'login', 'eve', 'eve', ?2, ?3)", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(s, 1, NOW + 4), SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(s, 2, prev, sizeof(prev),
	    SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(s, 3, h, sizeof(h),
	    SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_int_equal(COUNT(fx->st, "audit"), 11);
	assert_tampered(fx->st, 6, "hash_mismatch");
}

/*
 * A database from before the chain (schema 2) with audit rows: they
 * stay unchained and counted, the chain starts after them.
 */
static void
chain_after_legacy(void **state)
{
	struct fx *fx = *state;
	struct store_audit_check c;
	sqlite3 *db;

	store_close(&fx->st);
	fx_rm(fx);
	assert_int_equal(mkdir(fx->dir, 0700), 0);
	db = fx_schema_at(fx->path, 2);
	raw_exec(db, "INSERT INTO audit (time, event) VALUES (1, 'old');"
	    "INSERT INTO audit (time, event) VALUES (2, 'old')");
	sqlite3_close(db);

	assert_int_equal(store_open(fx->path, &fx->st), STORE_OK);
	append_n(fx->st, 3);
	assert_int_equal(store_audit_verify(fx->st, &c), STORE_OK);
	assert_null(c.problem);
	assert_int_equal(c.entries, 5);
	assert_int_equal(c.unchained, 2);
	assert_int_equal(c.first_seq, 3);
	assert_int_equal(c.head_seq, 5);
	/* Removing an old row is still seen. */
	db = raw_open(fx);
	raw_exec(db, "DELETE FROM audit WHERE seq = 1");
	sqlite3_close(db);
	assert_tampered(fx->st, 2, "legacy_changed");
}

static void
checkpoint_put_last(void **state)
{
	struct fx *fx = *state;
	struct store_audit_checkpoint *cp, *got;
	int64_t seq;

	assert_non_null(cp = calloc(1, sizeof(*cp)));
	assert_non_null(got = calloc(1, sizeof(*got)));
	assert_int_equal(store_audit_head(fx->st, &seq, cp->hash),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(store_audit_checkpoint_last(fx->st, got),
	    STORE_ERR_NOT_FOUND);
	append_n(fx->st, 4);
	assert_int_equal(store_audit_head(fx->st, &cp->seq, cp->hash),
	    STORE_OK);
	assert_int_equal(cp->seq, 4);
	cp->time = NOW;
	snprintf(cp->jws, sizeof(cp->jws), "a.b.c");
	cp->hash[0] ^= 1;
	assert_int_equal(store_audit_checkpoint_put(fx->st, cp),
	    STORE_ERR_ARG);
	cp->hash[0] ^= 1;
	cp->seq = 9;
	assert_int_equal(store_audit_checkpoint_put(fx->st, cp),
	    STORE_ERR_NOT_FOUND);
	cp->seq = 4;
	assert_int_equal(store_audit_checkpoint_put(fx->st, cp), STORE_OK);
	assert_int_equal(store_audit_checkpoint_last(fx->st, got), STORE_OK);
	assert_int_equal(got->seq, 4);
	assert_int_equal(got->time, NOW);
	assert_memory_equal(got->hash, cp->hash, STORE_HASH_LEN);
	assert_string_equal(got->jws, "a.b.c");
	assert_int_equal(q_exec(fx->st, "DELETE FROM audit_checkpoints"),
	    SQLITE_CONSTRAINT_TRIGGER);
	free(cp);
	free(got);
}

/* A sign-in writes its entry in its own transaction; a refused one not. */
static void
login_audited(void **state)
{
	struct fx *fx = *state;
	unsigned char h[STORE_HASH_LEN];
	char want[128];
	struct store_user u;
	struct store_cred c;
	struct entries *l;
	size_t n;

	assert_non_null(l = calloc(1, sizeof(*l)));
	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(login(fx->st, &c, 5, 0xa1), STORE_OK);
	assert_int_equal(login(fx->st, &c, 5, 0xa2), STORE_ERR_COUNTER);
	assert_int_equal(store_audit_list(fx->st, 0, 0, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->a[0].event, "login");
	assert_string_equal(l->a[0].actor, "ana");
	assert_string_equal(l->a[0].subject, "ana");
	assert_int_equal(l->a[0].time, NOW);
	assert_true(l->a[0].chained);
	assert_int_equal(EVP_Digest(c.id, c.id_len, h, NULL, EVP_sha256(),
	    NULL), 1);
	n = (size_t)snprintf(want, sizeof(want), "{\"credential\":\"");
	for (size_t i = 0; i < sizeof(h); i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%02x", h[i]);
	snprintf(want + n, sizeof(want) - n, "\"}");
	assert_string_equal(l->a[0].detail, want);
	/* Interleaved with store_audit, the chain holds. */
	append_n(fx->st, 2);
	assert_int_equal(login(fx->st, &c, 6, 0xa3), STORE_OK);
	assert_intact(fx->st, 4);
	free(l);
}

static void *
busy_writer(void *arg)
{
	struct fx *fx = arg;
	struct store *st = NULL;
	int bad = 0;

	if (store_open(fx->path, &st) != STORE_OK)
		return ((void *)1);
	for (int i = 0; i < 300; i++)
		if (store_audit(st, NOW + i, "busy", "w", "x", NULL) !=
		    STORE_OK)
			bad = 1;
	store_close(&st);

	return (bad ? (void *)1 : NULL);
}

/* A copy taken while another connection writes is whole and consistent. */
static void
backup_live(void **state)
{
	struct fx *fx = *state;
	struct store_audit_check c;
	struct store *copy = NULL;
	struct stat sb;
	char path[320];
	int64_t pages = 0, before;
	pthread_t th;
	void *ret;

	(void)mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	append_n(fx->st, 20);
	before = COUNT(fx->st, "audit");
	snprintf(path, sizeof(path), "%s/backup.db", fx->dir);
	assert_int_equal(pthread_create(&th, NULL, busy_writer, fx), 0);
	assert_int_equal(store_backup(fx->st, path, &pages), STORE_OK);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_null(ret);
	assert_true(pages > 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* Never over an existing file. */
	assert_int_equal(store_backup(fx->st, path, NULL), STORE_ERR_EXISTS);

	assert_int_equal(store_open(path, &copy), STORE_OK);
	assert_int_equal(q_exec(copy, "PRAGMA integrity_check"), SQLITE_OK);
	assert_true(COUNT(copy, "audit") >= before);
	assert_true(COUNT(copy, "audit") <= before + 300);
	assert_int_equal(COUNT(copy, "users"), 1);
	assert_int_equal(store_audit_verify(copy, &c), STORE_OK);
	assert_null(c.problem);
	assert_int_equal(c.head_seq, COUNT(copy, "audit"));
	store_close(&copy);
	assert_int_equal(COUNT(fx->st, "audit"), before + 300);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/backup.db-wal", fx->dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/backup.db-shm", fx->dir);
	(void)unlink(path);
}

struct feed {
	struct store_revocation	v[8];
	size_t			n;
};

static int
collect_feed(const struct store_revocation *v, void *arg)
{
	struct feed *f = arg;

	assert_true(f->n < 8);
	f->v[f->n++] = *v;

	return (0);
}

/* Credentials and sessions in one feed, read by cursor and limit. */
static void
revocation_feed_cursor(void **state)
{
	struct fx *fx = *state;
	unsigned char sid[STORE_SID_LEN];
	struct store_user u;
	struct store_cred c;
	struct feed *f;

	assert_non_null(f = calloc(1, sizeof(*f)));
	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(login(fx->st, &c, 1, 0xa1), STORE_OK);
	assert_int_equal(login(fx->st, &c, 2, 0xa2), STORE_OK);
	memset(sid, 0xa1, sizeof(sid));
	assert_int_equal(store_session_end(fx->st, sid, NOW + 1, "logout"),
	    STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW + 2,
	    "root", "lost"), STORE_OK);

	assert_int_equal(store_revocation_list(fx->st, 0, 0, collect_feed, f),
	    STORE_OK);
	assert_int_equal(f->n, 3);
	assert_int_equal(f->v[0].kind, STORE_REVOKED_SESSION);
	assert_int_equal(f->v[0].id_len, STORE_SID_LEN);
	assert_memory_equal(f->v[0].id, sid, STORE_SID_LEN);
	assert_int_equal(f->v[0].time, NOW + 1);
	assert_int_equal(f->v[0].user_id, u.id);
	assert_int_equal(f->v[1].kind, STORE_REVOKED_CRED);
	assert_int_equal(f->v[1].id_len, c.id_len);
	assert_memory_equal(f->v[1].id, c.id, c.id_len);
	assert_int_equal(f->v[2].kind, STORE_REVOKED_SESSION);
	memset(sid, 0xa2, sizeof(sid));
	assert_memory_equal(f->v[2].id, sid, STORE_SID_LEN);
	assert_true(f->v[0].seq < f->v[1].seq && f->v[1].seq < f->v[2].seq);

	memset(f, 0, sizeof(*f));
	assert_int_equal(store_revocation_list(fx->st, 1, 1, collect_feed, f),
	    STORE_OK);
	assert_int_equal(f->n, 1);
	assert_int_equal(f->v[0].seq, 2);
	memset(f, 0, sizeof(*f));
	assert_int_equal(store_revocation_list(fx->st, 3, 0, collect_feed, f),
	    STORE_OK);
	assert_int_equal(f->n, 0);
	free(f);
}

static void
revocation_feed_append_only(void **state)
{
	struct fx *fx = *state;
	struct store_user u;
	struct store_cred c;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW,
	    "root", "lost"), STORE_OK);
	assert_int_equal(q_exec(fx->st, "DELETE FROM revocations"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(q_exec(fx->st, "UPDATE revocations SET time = 0"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(COUNT(fx->st, "revocations"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(audit_append_list),
		T(audit_plain_detail_quoted),
		T(audit_longest_detail),
		T(audit_bad_arguments),
		T(audit_update_refused),
		T(chain_links),
		T(chain_threads),
		T(tamper_update),
		T(tamper_update_rehashed),
		T(tamper_delete),
		T(tamper_delete_tail),
		T(tamper_insert),
		T(chain_after_legacy),
		T(checkpoint_put_last),
		T(login_audited),
		T(backup_live),
		T(revocation_feed_cursor),
		T(revocation_feed_append_only),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
