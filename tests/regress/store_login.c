/*
 * store_login.c: the login transaction (counter, BS, last use, session,
 * ceremony), every way it refuses with nothing written, concurrent
 * logins on one ceremony and one counter (each thread with its own
 * connection), sessions and their end, and ceremony pruning.
 *
 * Group commit (store/writer.c): many threads through one writer, a
 * refused login inside a batch that commits the others, a COMMIT that
 * fails (a VFS shim makes WAL writes fail with SQLITE_FULL) reaching
 * every waiter with nothing written, stop and restart, one writer per
 * database.  A batch is formed on purpose by holding the process's
 * write mutex (store_tx_begin on the fixture's store) while the writes
 * queue up behind a first one.
 */
#include <pthread.h>
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/extern.h"
#include "tests/lib/storefix.h"

#define NTHREADS		8

/* A courier's credential as stored: counter 0, BS off. */
static struct store_cred
courier(struct store *st)
{
	struct store_user u;
	struct store_cred c, got;

	u = mkuser(st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(st, NULL, &c), STORE_OK);
	assert_int_equal(store_cred_get(st, c.id, c.id_len, &got), STORE_OK);

	return (got);
}

/* The credential and the session tables exactly as they were. */
static void
assert_unchanged(struct store *st, const struct store_cred *before,
    int64_t sessions, int64_t ceremonies)
{
	struct store_cred now;

	assert_int_equal(store_cred_get(st, before->id, before->id_len, &now),
	    STORE_OK);
	assert_memory_equal(&now, before, sizeof(now));
	assert_int_equal(COUNT(st, "sessions"), sessions);
	assert_int_equal(COUNT(st, "ceremonies"), ceremonies);
}

static void
login_updates_credential_and_session(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s, got;
	struct store_cred c, after;

	c = courier(fx->st);
	s = mksess(0x51, NOW + 3600);
	cer(id);
	assert_int_equal(store_login(fx->st, id, NOW + 60, c.id, c.id_len, 17,
	    true, NOW + 5, &s), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &after),
	    STORE_OK);
	assert_int_equal(after.sign_count, 17);
	assert_true(after.bs);
	assert_int_equal(after.last_used, NOW + 5);
	assert_int_equal(store_session_get(fx->st, s.id, &got), STORE_OK);
	assert_memory_equal(got.id, s.id, STORE_SID_LEN);
	assert_memory_equal(got.secret_hash, s.secret_hash,
	    STORE_HASH_LEN);
	/* Only sessions from before schema 5 are found by their hash. */
	assert_int_equal(store_session_by_old_secret(fx->st, s.secret_hash,
	    &got), STORE_ERR_NOT_FOUND);
	assert_int_equal(got.user_id, c.user_id);
	assert_int_equal(got.cred_id_len, c.id_len);
	assert_memory_equal(got.cred_id, c.id, c.id_len);
	assert_int_equal(got.created, NOW);
	assert_int_equal(got.expires, NOW + 3600);
	assert_int_equal(got.auth_time, NOW);
	assert_string_equal(got.amr, "hwk user");
	assert_int_equal(got.ended_at, 0);
	assert_true(store_session_live(&got, NOW + 3599));
	assert_false(store_session_live(&got, NOW + 3600));
	assert_int_equal(COUNT(fx->st, "ceremonies"), 2);	/* + reg */
	/* BS may go back off. */
	assert_int_equal(login(fx->st, &c, 18, 0x52), STORE_OK);
	s = mksess(0x53, NOW + 3600);
	cer(id);
	assert_int_equal(store_login(fx->st, id, NOW + 60, c.id, c.id_len, 19,
	    false, NOW, &s), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &after),
	    STORE_OK);
	assert_false(after.bs);
}

static void
login_ceremony_replayed(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s1, s2;
	struct store_cred c, before;

	c = courier(fx->st);
	s1 = mksess(0x61, NOW + 3600);
	s2 = mksess(0x62, NOW + 3600);
	cer(id);
	assert_int_equal(store_login(fx->st, id, NOW + 60, c.id, c.id_len, 1,
	    false, NOW, &s1), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &before),
	    STORE_OK);
	assert_int_equal(store_login(fx->st, id, NOW + 60, c.id, c.id_len, 2,
	    false, NOW, &s2), STORE_ERR_CONSUMED);
	assert_unchanged(fx->st, &before, 1, 2);
}

static void
login_ceremony_expired(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s;
	struct store_cred c;

	c = courier(fx->st);
	s = mksess(0x61, NOW + 3600);
	cer(id);
	assert_int_equal(store_login(fx->st, id, NOW, c.id, c.id_len, 1,
	    false, NOW, &s), STORE_ERR_EXPIRED);
	assert_unchanged(fx->st, &c, 0, 1);
}

/* A lower count: COUNTER, and the ceremony, session and row untouched. */
static void
counter_regress(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, before;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 10, 0x71), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &before),
	    STORE_OK);
	assert_int_equal(login(fx->st, &c, 9, 0x72), STORE_ERR_COUNTER);
	assert_unchanged(fx->st, &before, 1, 2);
}

static void
counter_equal(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, before;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 10, 0x71), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &before),
	    STORE_OK);
	assert_int_equal(login(fx->st, &c, 10, 0x72), STORE_ERR_COUNTER);
	assert_unchanged(fx->st, &before, 1, 2);
}

/* Authenticators without a counter send 0 every time. */
static void
counter_zero_both(void **state)
{
	struct fx *fx = *state;
	struct store_cred c;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 0, 0x71), STORE_OK);
	assert_int_equal(login(fx->st, &c, 0, 0x72), STORE_OK);
	assert_int_equal(COUNT(fx->st, "sessions"), 2);
}

static void
counter_zero_after_nonzero(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, before;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 1, 0x71), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &before),
	    STORE_OK);
	assert_int_equal(login(fx->st, &c, 0, 0x72), STORE_ERR_COUNTER);
	assert_unchanged(fx->st, &before, 1, 2);
}

static void
counter_max(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, after;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, UINT32_MAX, 0x71), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &after),
	    STORE_OK);
	assert_int_equal(after.sign_count, UINT32_MAX);
	assert_int_equal(login(fx->st, &c, 1, 0x72), STORE_ERR_COUNTER);
}

static void
revoked_credential(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, before;

	c = courier(fx->st);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW, "root",
	    "lost"), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &before),
	    STORE_OK);
	assert_int_equal(login(fx->st, &c, 5, 0x71), STORE_ERR_REVOKED);
	assert_unchanged(fx->st, &before, 0, 1);
}

static void
unknown_credential(void **state)
{
	struct fx *fx = *state;
	struct store_cred c;

	c = mkcred(1, 9);
	assert_int_equal(login(fx->st, &c, 5, 0x71), STORE_ERR_NOT_FOUND);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 0);
	assert_int_equal(COUNT(fx->st, "sessions"), 0);
}

/* The session names another user than the credential's. */
static void
session_user_mismatch(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s;
	struct store_cred c;

	c = courier(fx->st);
	s = mksess(0x71, NOW + 3600);
	s.user_id = c.user_id + 1;
	cer(id);
	assert_int_equal(store_login(fx->st, id, NOW + 60, c.id, c.id_len, 1,
	    true, NOW, &s), STORE_ERR_ARG);
	assert_unchanged(fx->st, &c, 0, 1);
}

/* A duplicate session id fails last; everything before rolls back. */
static void
duplicate_session_id(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, before;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 1, 0x71), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &before),
	    STORE_OK);
	assert_int_equal(login(fx->st, &c, 2, 0x71), STORE_ERR_EXISTS);
	assert_unchanged(fx->st, &before, 1, 2);
}

struct racer {
	const char		*path;
	pthread_barrier_t	*barrier;
	const unsigned char	*cer_id;	/* NULL: a fresh one */
	const struct store_cred	*cred;
	uint32_t		 count;
	unsigned char		 tag;
	int			 r;
};

static void *
race(void *arg)
{
	struct racer *rc = arg;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s = mksess(rc->tag, NOW + 3600);
	struct store *st = NULL;

	memset(id, rc->tag, sizeof(id));
	rc->r = store_open(rc->path, &st);
	(void)pthread_barrier_wait(rc->barrier);
	if (rc->r == STORE_OK)
		rc->r = store_login(st, rc->cer_id != NULL ? rc->cer_id : id,
		    NOW + 60, rc->cred->id, rc->cred->id_len, rc->count, true,
		    NOW, &s);
	store_close(&st);

	return (NULL);
}

/* Runs NTHREADS logins at once; returns how many got STORE_OK. */
static int
run_race(struct fx *fx, const unsigned char *cer_id,
    const struct store_cred *c, bool same_count, int other)
{
	pthread_t th[NTHREADS];
	struct racer rc[NTHREADS];
	pthread_barrier_t barrier;
	int ok = 0;

	assert_int_equal(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
	for (int i = 0; i < NTHREADS; i++) {
		rc[i] = (struct racer){ .path = fx->path, .barrier = &barrier,
		    .cer_id = cer_id, .cred = c,
		    .count = same_count ? 5 : (uint32_t)(i + 1),
		    .tag = (unsigned char)(0x80 + i) };
		assert_int_equal(pthread_create(&th[i], NULL, race, &rc[i]),
		    0);
	}
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	(void)pthread_barrier_destroy(&barrier);
	for (int i = 0; i < NTHREADS; i++) {
		if (rc[i].r == STORE_OK)
			ok++;
		else
			assert_int_equal(rc[i].r, other);
	}

	return (ok);
}

/* The same assertion from many threads: exactly one session. */
static void
concurrent_same_ceremony(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_cred c;

	c = courier(fx->st);
	cer(id);
	assert_int_equal(run_race(fx, id, &c, false, STORE_ERR_CONSUMED), 1);
	assert_int_equal(COUNT(fx->st, "sessions"), 1);
}

/* Distinct ceremonies, one counter value: the counter admits one. */
static void
concurrent_same_counter(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, after;

	c = courier(fx->st);
	assert_int_equal(run_race(fx, NULL, &c, true, STORE_ERR_COUNTER), 1);
	assert_int_equal(COUNT(fx->st, "sessions"), 1);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &after),
	    STORE_OK);
	assert_int_equal(after.sign_count, 5);
}

struct sids {
	unsigned char	first[STORE_SID_LEN];
	size_t		n;
};

static int
collect_session(const struct store_session *s, void *arg)
{
	struct sids *l = arg;

	if (l->n++ == 0)
		memcpy(l->first, s->id, STORE_SID_LEN);

	return (0);
}

static void
session_end_logout(void **state)
{
	struct fx *fx = *state;
	unsigned char sid[STORE_SID_LEN];
	struct store_session s;
	struct store_cred c;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 1, 0x91), STORE_OK);
	memset(sid, 0x91, sizeof(sid));
	assert_int_equal(store_session_end(fx->st, sid, NOW + 10, "logout"),
	    STORE_OK);
	assert_int_equal(store_session_get(fx->st, sid, &s), STORE_OK);
	assert_int_equal(s.ended_at, NOW + 10);
	assert_string_equal(s.end_reason, "logout");
	/* Still found, but not live. */
	assert_false(store_session_live(&s, NOW + 10));
	assert_int_equal(store_session_end(fx->st, sid, NOW + 20, "logout"),
	    STORE_ERR_REVOKED);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM revocations"
	    " WHERE kind = 2"), 1);
}

static void
session_end_expired(void **state)
{
	struct fx *fx = *state;
	unsigned char sid[STORE_SID_LEN];
	struct store_cred c;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 1, 0x91), STORE_OK);
	memset(sid, 0x91, sizeof(sid));
	assert_int_equal(store_session_end(fx->st, sid, NOW + 3600, "logout"),
	    STORE_ERR_EXPIRED);
	memset(sid, 0x92, sizeof(sid));
	assert_int_equal(store_session_end(fx->st, sid, NOW, "logout"),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(store_session_end(fx->st, sid, NOW, ""),
	    STORE_ERR_ARG);
	assert_int_equal(store_session_end(fx->st, sid, NOW,
	    "a reason longer than thirty-one bytes"), STORE_ERR_ARG);
	assert_int_equal(COUNT(fx->st, "revocations"), 0);
}

/*
 * Migration 5 on a schema 4 database holding a session: the session
 * keeps its old secret (found by hash, as legacy) and its id; a session
 * started after is found by id only; no new row can claim to be legacy;
 * the indexes sign-ins inserted into at random are gone; and a user's
 * sessions are still listed, newest first, through the credentials.
 */
static void
migrate_v4_sessions(void **state)
{
	struct fx		*fx = *state;
	struct store_session	 got, fresh;
	struct store_cred	 c;
	struct sids		 l;
	unsigned char		 old_hash[STORE_HASH_LEN], old_id[STORE_SID_LEN];
	sqlite3			*db;

	store_close(&fx->st);
	fx_rm(fx);
	assert_int_equal(mkdir(fx->dir, 0700), 0);
	db = fx_schema_at(fx->path, 4);
	assert_int_equal(sqlite3_exec(db,
	    "INSERT INTO users (id, handle, username, display_name,"
	    " display_sealed, role, created) VALUES (1, zeroblob(32), 'vera',"
	    " '', x'00', 1, 1700000000);"
	    "INSERT INTO credentials (id, cred_id, user_id, cose_key, alg,"
	    " sign_count, aaguid, fmt, att_type, trusted, transports, be, bs,"
	    " uv, label, created) VALUES (1, x'c1c1', 1, x'a0', -7, 0,"
	    " zeroblob(16), 'none', 'none', 0, 0, 0, 0, 1, 'old',"
	    " 1700000000);"
	    "INSERT INTO sessions (id, secret_hash, user_id, cred, created,"
	    " expires, auth_time, amr) VALUES (x'0101010101010101"
	    "0101010101010101', x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
	    "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a', 1, 1, 1700000000, 4102444800,"
	    " 1700000000, 'user');", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	store_lock();
	assert_int_equal(store_open(fx->path, &fx->st), STORE_OK);
	assert_int_equal(fx_unlock(fx->st), STORE_OK);
	assert_int_equal(q_int(fx->st, "PRAGMA user_version"), 5);

	memset(old_hash, 0x5a, sizeof(old_hash));
	memset(old_id, 0x01, sizeof(old_id));
	assert_int_equal(store_session_by_old_secret(fx->st, old_hash, &got),
	    STORE_OK);
	assert_memory_equal(got.id, old_id, sizeof(old_id));
	assert_int_equal(got.expires, 4102444800);
	assert_string_equal(got.amr, "user");
	assert_int_equal(store_session_get(fx->st, old_id, &got), STORE_OK);
	assert_memory_equal(got.secret_hash, old_hash, sizeof(old_hash));

	/* A new session, for a new credential of a new user. */
	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 1, 0x77), STORE_OK);
	fresh = mksess(0x77, NOW + 3600);
	assert_int_equal(store_session_get(fx->st, fresh.id, &got),
	    STORE_OK);
	assert_int_equal(store_session_by_old_secret(fx->st,
	    fresh.secret_hash, &got), STORE_ERR_NOT_FOUND);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM sessions"
	    " WHERE legacy = 1"), 1);
	assert_int_not_equal(q_exec(fx->st, "INSERT INTO sessions (id,"
	    " secret_hash, user_id, cred, created, expires, auth_time, amr,"
	    " legacy) VALUES (zeroblob(16), zeroblob(32), 1, 1, 1, 2, 1, '',"
	    " 1)"), SQLITE_OK);

	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'index' AND tbl_name = 'sessions'"), 2);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'sessions_user'"), 0);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'sessions' AND sql LIKE '%WITHOUT ROWID'"), 1);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'sessions_unend'"), 1);

	memset(&l, 0, sizeof(l));
	assert_int_equal(store_session_list(fx->st, 1, collect_session, &l),
	    STORE_OK);
	assert_int_equal(l.n, 1);
	assert_memory_equal(l.first, old_id, sizeof(old_id));
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_session_list(fx->st, 0, collect_session, &l),
	    STORE_OK);
	assert_int_equal(l.n, 2);
	assert_memory_equal(l.first, fresh.id, sizeof(fresh.id));
	assert_int_equal(q_int(fx->st,
	    "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

static void
session_unknown_secret(void **state)
{
	struct fx *fx = *state;
	unsigned char h[STORE_HASH_LEN];
	struct store_session s;

	memset(h, 1, sizeof(h));
	assert_int_equal(store_session_by_old_secret(fx->st, h, &s),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(store_session_get(fx->st, h, &s),
	    STORE_ERR_NOT_FOUND);
}

static void
session_list_newest_first(void **state)
{
	struct fx *fx = *state;
	unsigned char want[STORE_SID_LEN];
	struct store_cred c;
	struct sids l;

	c = courier(fx->st);
	assert_int_equal(login(fx->st, &c, 1, 0xa1), STORE_OK);
	assert_int_equal(login(fx->st, &c, 2, 0xa2), STORE_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_session_list(fx->st, c.user_id,
	    collect_session, &l), STORE_OK);
	assert_int_equal(l.n, 2);
	memset(want, 0xa2, sizeof(want));
	assert_memory_equal(l.first, want, STORE_SID_LEN);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_session_list(fx->st, c.user_id + 1,
	    collect_session, &l), STORE_OK);
	assert_int_equal(l.n, 0);
}

/*
 * store_prune drops ids long expired; such an id stays refused, as
 * expired, so pruning never reopens a replay.
 */
static void
ceremony_prune(void **state)
{
	struct fx *fx = *state;
	unsigned char a[STORE_CEREMONY_LEN], b[STORE_CEREMONY_LEN];
	int64_t later = NOW + 120 + STORE_CEREMONY_GRACE + 1, n = -1;

	cer(a);
	cer(b);
	assert_int_equal(store_ceremony_consume(fx->st, a, NOW + 120, NOW),
	    STORE_OK);
	assert_int_equal(store_ceremony_consume(fx->st, b, NOW + 600, NOW),
	    STORE_OK);
	assert_int_equal(store_ceremony_consume(fx->st, a, NOW + 120, NOW),
	    STORE_ERR_CONSUMED);
	assert_int_equal(store_prune(fx->st, NOW + 200, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_prune(fx->st, later, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 1);
	assert_int_equal(store_ceremony_consume(fx->st, a, NOW + 120, later),
	    STORE_ERR_EXPIRED);
}

/* Every consume also deletes a few long-expired ids. */
static void
ceremony_prune_opportunistic(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	int64_t later = NOW + 60 + STORE_CEREMONY_GRACE + 1;

	for (int i = 0; i < 10; i++) {
		cer(id);
		assert_int_equal(store_ceremony_consume(fx->st, id, NOW + 60,
		    NOW), STORE_OK);
	}
	cer(id);
	assert_int_equal(store_ceremony_consume(fx->st, id, later + 60, later),
	    STORE_OK);
	assert_int_equal(COUNT(fx->st, "ceremonies"),
	    10 + 1 - STORE_PRUNE_BATCH);
	cer(id);
	assert_int_equal(store_ceremony_consume(fx->st, id, later + 60, later),
	    STORE_OK);
	assert_int_equal(COUNT(fx->st, "ceremonies"),
	    10 + 2 - 2 * STORE_PRUNE_BATCH);
}

/* ---- group commit ------------------------------------------------- */

#define GC_THREADS	16
#define GC_LOGINS	40
#define GC_SHARED	24	/* ceremonies every thread tries */

/* A session whose id and secret hash begin with a, b. */
static struct store_session
mksess2(unsigned char a, unsigned char b)
{
	struct store_session s = mksess(0, NOW + 3600);

	s.id[0] = s.secret_hash[0] = a;
	s.id[1] = s.secret_hash[1] = b;
	s.id[2] = s.secret_hash[2] = 0xee;

	return (s);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Waits up to 10 s for the writer of st's database to reach a state. */
static void
wait_writer(struct store *st, size_t pending, uint64_t batches)
{
	size_t p;
	uint64_t b;
	bool run;

	for (int i = 0; i < 10000; i++) {
		store_writer_stats(st, &p, &b, &run);
		if (p >= pending && b >= batches)
			return;
		sleep_ms(1);
	}
	fail_msg("writer: %zu pending, %llu batches; want %zu, %llu", p,
	    (unsigned long long)b, pending, (unsigned long long)batches);
}

struct gc_thread {
	const char		*path;
	pthread_barrier_t	*barrier;
	unsigned char		 tag;
	struct store_cred	 cred;
	uint32_t		 last_ok;	/* highest count committed */
	int			 bad;		/* own logins not STORE_OK */
	bool			 shared_ok[GC_SHARED];
};

/*
 * Each thread logs in GC_LOGINS times with its own credential and fresh
 * ceremonies, and after each of the first GC_SHARED tries a ceremony
 * id that every thread tries too.
 */
static void *
gc_run(void *arg)
{
	struct gc_thread *t = arg;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s;
	struct store *st = NULL;
	uint32_t count = 0;
	int r;

	if (store_open(t->path, &st) != STORE_OK) {
		t->bad = -1;
		(void)pthread_barrier_wait(t->barrier);
		return (NULL);
	}
	(void)pthread_barrier_wait(t->barrier);
	for (int i = 0; i < GC_LOGINS; i++) {
		memset(id, 0, sizeof(id));
		id[0] = 'g';
		id[1] = t->tag;
		id[2] = (unsigned char)i;
		s = mksess2(t->tag, (unsigned char)i);
		if (store_login(st, id, NOW + 60, t->cred.id, t->cred.id_len,
		    ++count, true, NOW, &s) == STORE_OK)
			t->last_ok = count;
		else
			t->bad++;
		if (i >= GC_SHARED)
			continue;
		memset(id, 0, sizeof(id));
		id[0] = 's';
		id[1] = (unsigned char)i;
		s = mksess2(t->tag, (unsigned char)(0x80 + i));
		r = store_login(st, id, NOW + 60, t->cred.id, t->cred.id_len,
		    ++count, true, NOW, &s);
		if (r == STORE_OK) {
			t->last_ok = count;
			t->shared_ok[i] = true;
		} else if (r != STORE_ERR_CONSUMED)
			t->bad++;
	}
	store_close(&st);

	return (NULL);
}

/*
 * Many threads through one writer: every own login commits once, each
 * shared ceremony admits exactly one thread, counters and sessions add
 * up, and the writer did batch.
 */
static void
writer_many_threads(void **state)
{
	struct fx *fx = *state;
	pthread_t th[GC_THREADS];
	static struct gc_thread t[GC_THREADS];
	pthread_barrier_t barrier;
	struct store_user u;
	struct store_cred got;
	size_t pending;
	uint64_t batches;
	bool running;
	int winners;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, GC_THREADS + 1),
	    0);
	for (int i = 0; i < GC_THREADS; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].path = fx->path;
		t[i].barrier = &barrier;
		t[i].tag = (unsigned char)(0x10 + i);
		t[i].cred = mkcred(u.id, t[i].tag);
		assert_int_equal(reg(fx->st, NULL, &t[i].cred), STORE_OK);
		assert_int_equal(pthread_create(&th[i], NULL, gc_run, &t[i]),
		    0);
	}
	/* The fixture's store is attached too: stats stay readable. */
	assert_int_equal(login(fx->st, &t[0].cred, 0, 0x01), STORE_OK);
	(void)pthread_barrier_wait(&barrier);
	for (int i = 0; i < GC_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	(void)pthread_barrier_destroy(&barrier);

	for (int i = 0; i < GC_THREADS; i++) {
		assert_int_equal(t[i].bad, 0);
		assert_int_equal(store_cred_get(fx->st, t[i].cred.id,
		    t[i].cred.id_len, &got), STORE_OK);
		assert_int_equal(got.sign_count, t[i].last_ok);
	}
	for (int k = 0; k < GC_SHARED; k++) {
		winners = 0;
		for (int i = 0; i < GC_THREADS; i++)
			winners += t[i].shared_ok[k];
		assert_int_equal(winners, 1);
	}
	assert_int_equal(COUNT(fx->st, "sessions"),
	    1 + GC_THREADS * GC_LOGINS + GC_SHARED);
	assert_int_equal(COUNT(fx->st, "ceremonies"),
	    GC_THREADS + 1 + GC_THREADS * GC_LOGINS + GC_SHARED);
	store_writer_stats(fx->st, &pending, &batches, &running);
	assert_int_equal(pending, 0);
	assert_true(running);
	assert_true(batches < 1 + GC_THREADS * (GC_LOGINS + GC_SHARED));
}

/* One login from its own thread and connection. */
struct one {
	pthread_t		 th;
	const char		*path;
	unsigned char		 cer_id[STORE_CEREMONY_LEN];
	const struct store_cred	*cred;
	uint32_t		 count;
	struct store_session	 sess;
	int			 r;
};

static void *
one_run(void *arg)
{
	struct one *o = arg;
	struct store *st = NULL;

	if ((o->r = store_open(o->path, &st)) == STORE_OK)
		o->r = store_login(st, o->cer_id, NOW + 60, o->cred->id,
		    o->cred->id_len, o->count, true, NOW, &o->sess);
	store_close(&st);

	return (NULL);
}

/* Sets o up; one_go starts its thread. */
static void
one_init(struct one *o, const char *path, const unsigned char *cer_id,
    const struct store_cred *c, uint32_t count, unsigned char tag)
{
	o->path = path;
	if (cer_id != NULL)
		memcpy(o->cer_id, cer_id, STORE_CEREMONY_LEN);
	else
		cer(o->cer_id);
	o->cred = c;
	o->count = count;
	o->sess = mksess(tag, NOW + 3600);
	o->r = -1;
}

static void
one_go(struct one *o)
{
	o->r = -1;
	assert_int_equal(pthread_create(&o->th, NULL, one_run, o), 0);
}

static void
one_start(struct one *o, const char *path, const unsigned char *cer_id,
    const struct store_cred *c, uint32_t count, unsigned char tag)
{
	one_init(o, path, cer_id, c, count, tag);
	one_go(o);
}

enum {
	B_OK1, B_OK2, B_OK3, B_REPLAY, B_COUNTER, B_REVOKED, B_UNKNOWN,
	B_MISMATCH, B_DUP_SESSION, B_SAME_CER_A, B_SAME_CER_B, B_N
};

/*
 * A batch of good and refused logins: each refused one rolls back
 * alone, with its own error, and the good ones around it commit in the
 * same transaction.
 */
static void
writer_batch_failure_alone(void **state)
{
	struct fx *fx = *state;
	unsigned char used[STORE_CEREMONY_LEN], same[STORE_CEREMONY_LEN];
	struct store_cred c[8], got;
	struct store_user u, v;
	struct one plug, o[B_N];
	size_t pending;
	uint64_t batches, b0;
	bool running;
	int64_t cer0;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	v = mkuser(fx->st, "bea", STORE_ROLE_COURIER);
	for (int i = 0; i < 8; i++) {
		c[i] = mkcred(i == 6 ? v.id : u.id, (unsigned char)(0x40 + i));
		assert_int_equal(reg(fx->st, NULL, &c[i]), STORE_OK);
	}
	/* c[3]: counter at 10; c[4]: revoked; c[5]: never registered. */
	assert_int_equal(login(fx->st, &c[3], 10, 0x30), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c[4].id, c[4].id_len, NOW,
	    "root", "lost"), STORE_OK);
	c[5] = mkcred(u.id, 0x55);
	cer(used);
	{
		struct store_session s = mksess(0x31, NOW + 3600);

		assert_int_equal(store_login(fx->st, used, NOW + 60, c[7].id,
		    c[7].id_len, 1, true, NOW, &s), STORE_OK);
	}
	cer0 = COUNT(fx->st, "ceremonies");
	cer(same);
	/* The fixture's store, attached by its logins, keeps the writer. */
	store_writer_stats(fx->st, &pending, &batches, &running);
	b0 = batches;

	/* The writer takes the plug, then waits for the write mutex. */
	assert_int_equal(store_tx_begin(fx->st), STORE_OK);
	one_start(&plug, fx->path, NULL, &c[0], 1, 0x20);
	wait_writer(fx->st, 1, b0 + 1);
	one_start(&o[B_OK1], fx->path, NULL, &c[0], 2, 0x21);
	one_start(&o[B_REPLAY], fx->path, used, &c[1], 5, 0x22);
	one_start(&o[B_OK2], fx->path, NULL, &c[1], 6, 0x23);
	one_start(&o[B_COUNTER], fx->path, NULL, &c[3], 10, 0x24);
	one_start(&o[B_REVOKED], fx->path, NULL, &c[4], 1, 0x25);
	one_start(&o[B_UNKNOWN], fx->path, NULL, &c[5], 1, 0x26);
	one_init(&o[B_MISMATCH], fx->path, NULL, &c[2], 1, 0x27);
	o[B_MISMATCH].sess.user_id = v.id;	/* c[2] is ana's */
	one_go(&o[B_MISMATCH]);
	one_start(&o[B_OK3], fx->path, NULL, &c[6], 3, 0x28);
	one_start(&o[B_DUP_SESSION], fx->path, NULL, &c[2], 4, 0x30);
	one_start(&o[B_SAME_CER_A], fx->path, same, &c[7], 2, 0x29);
	one_start(&o[B_SAME_CER_B], fx->path, same, &c[7], 3, 0x2a);
	wait_writer(fx->st, 1 + B_N, b0 + 1);
	store_tx_rollback(fx->st);
	assert_int_equal(pthread_join(plug.th, NULL), 0);
	for (int i = 0; i < B_N; i++)
		assert_int_equal(pthread_join(o[i].th, NULL), 0);
	store_writer_stats(fx->st, &pending, &batches, &running);
	assert_int_equal(batches, b0 + 2);	/* the plug, then all */
	assert_int_equal(pending, 0);

	assert_int_equal(plug.r, STORE_OK);
	assert_int_equal(o[B_OK1].r, STORE_OK);
	assert_int_equal(o[B_OK2].r, STORE_OK);
	assert_int_equal(o[B_OK3].r, STORE_OK);
	assert_int_equal(o[B_REPLAY].r, STORE_ERR_CONSUMED);
	assert_int_equal(o[B_COUNTER].r, STORE_ERR_COUNTER);
	assert_int_equal(o[B_REVOKED].r, STORE_ERR_REVOKED);
	assert_int_equal(o[B_UNKNOWN].r, STORE_ERR_NOT_FOUND);
	assert_int_equal(o[B_MISMATCH].r, STORE_ERR_ARG);
	assert_int_equal(o[B_DUP_SESSION].r, STORE_ERR_EXISTS);
	/* One ceremony twice in one batch: the first queued wins. */
	assert_true((o[B_SAME_CER_A].r == STORE_OK &&
	    o[B_SAME_CER_B].r == STORE_ERR_CONSUMED) ||
	    (o[B_SAME_CER_A].r == STORE_ERR_CONSUMED &&
	    o[B_SAME_CER_B].r == STORE_OK));

	/* plug, OK1..3, one of SAME_CER; before: c[3] and c[7]. */
	assert_int_equal(COUNT(fx->st, "sessions"), 2 + 5);
	assert_int_equal(COUNT(fx->st, "ceremonies"), cer0 + 5);
	assert_int_equal(store_cred_get(fx->st, c[0].id, c[0].id_len, &got),
	    STORE_OK);
	assert_int_equal(got.sign_count, 2);
	assert_int_equal(store_cred_get(fx->st, c[1].id, c[1].id_len, &got),
	    STORE_OK);
	assert_int_equal(got.sign_count, 6);
	assert_int_equal(store_cred_get(fx->st, c[2].id, c[2].id_len, &got),
	    STORE_OK);
	assert_int_equal(got.sign_count, 0);	/* both of its rolled back */
	assert_int_equal(got.last_used, 0);
	assert_int_equal(store_cred_get(fx->st, c[3].id, c[3].id_len, &got),
	    STORE_OK);
	assert_int_equal(got.sign_count, 10);
	assert_int_equal(store_cred_get(fx->st, c[6].id, c[6].id_len, &got),
	    STORE_OK);
	assert_int_equal(got.sign_count, 3);
	assert_int_equal(store_cred_get(fx->st, c[7].id, c[7].id_len, &got),
	    STORE_OK);
	assert_true(got.sign_count == 2 || got.sign_count == 3);
	assert_int_equal(store_session_get(fx->st, o[B_MISMATCH].sess.id,
	    &(struct store_session){ 0 }), STORE_ERR_NOT_FOUND);
}

/*
 * A VFS that is the default one except that, while wal_full is set,
 * writes to a WAL fail with SQLITE_FULL: a COMMIT that cannot be made.
 * Only the method tables of WAL files are swapped for copies.
 */
static sqlite3_vfs		 full_vfs;
static sqlite3_vfs		*base_vfs;
static sqlite3_io_methods	 full_io[4];
static const sqlite3_io_methods	*full_orig[4];
static size_t			 full_n;
static _Atomic bool		 wal_full;

static int
full_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	for (size_t i = 0; i < full_n; i++)
		if (f->pMethods == &full_io[i]) {
			if (wal_full)
				return (SQLITE_FULL);
			return (full_orig[i]->xWrite(f, p, n, off));
		}

	return (SQLITE_IOERR_WRITE);
}

static int
full_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f,
    int flags, int *out_flags)
{
	int rc;

	(void)vfs;
	rc = base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
	if (rc != SQLITE_OK || f->pMethods == NULL ||
	    (flags & SQLITE_OPEN_WAL) == 0)
		return (rc);
	for (size_t i = 0; i < full_n; i++)
		if (full_orig[i] == f->pMethods) {
			f->pMethods = &full_io[i];
			return (rc);
		}
	if (full_n == sizeof(full_io) / sizeof(full_io[0]))
		return (rc);
	full_orig[full_n] = f->pMethods;
	full_io[full_n] = *f->pMethods;
	full_io[full_n].xWrite = full_write;
	f->pMethods = &full_io[full_n++];

	return (rc);
}

/* Puts the default VFS back even if writer_commit_fails failed. */
static int
vfs_teardown(void **state)
{
	wal_full = false;
	store_writer_stop();
	if (base_vfs != NULL && sqlite3_vfs_find(NULL) == &full_vfs) {
		(void)sqlite3_vfs_register(base_vfs, 1);
		(void)sqlite3_vfs_unregister(&full_vfs);
	}

	return (fx_teardown(state));
}

/*
 * COMMIT fails: every waiter of the batch hears it, whatever its own
 * result would have been, nothing of the batch is written, and the same
 * logins then succeed.
 */
static void
writer_commit_fails(void **state)
{
	struct fx *fx = *state;
	struct store_cred c[3], got;
	struct store_user u;
	struct one o[5];
	size_t pending;
	uint64_t b0;
	bool running;
	int64_t cer0;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	for (int i = 0; i < 3; i++) {
		c[i] = mkcred(u.id, (unsigned char)(0x60 + i));
		assert_int_equal(reg(fx->st, NULL, &c[i]), STORE_OK);
	}
	assert_int_equal(login(fx->st, &c[2], 10, 0x30), STORE_OK);
	cer0 = COUNT(fx->st, "ceremonies");
	/* The writer of this database opens its connection on this VFS. */
	store_writer_stop();
	assert_non_null(base_vfs = sqlite3_vfs_find(NULL));
	full_vfs = *base_vfs;
	full_vfs.pNext = NULL;
	full_vfs.zName = "regress-walfull";
	full_vfs.xOpen = full_open;
	assert_int_equal(sqlite3_vfs_register(&full_vfs, 1), SQLITE_OK);

	store_writer_stats(fx->st, &pending, &b0, &running);
	assert_false(running);

	wal_full = true;
	assert_int_equal(store_tx_begin(fx->st), STORE_OK);
	one_start(&o[0], fx->path, NULL, &c[0], 1, 0x40);
	wait_writer(fx->st, 1, b0 + 1);
	one_start(&o[1], fx->path, NULL, &c[1], 1, 0x41);
	one_start(&o[2], fx->path, NULL, &c[0], 2, 0x42);
	one_start(&o[3], fx->path, NULL, &c[2], 5, 0x43);  /* COUNTER */
	one_start(&o[4], fx->path, NULL, &c[1], 2, 0x44);
	wait_writer(fx->st, 5, b0 + 1);
	store_tx_rollback(fx->st);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(pthread_join(o[i].th, NULL), 0);
		assert_int_equal(o[i].r, STORE_ERR_FULL);
	}
	wal_full = false;
	assert_int_equal(COUNT(fx->st, "sessions"), 1);
	assert_int_equal(COUNT(fx->st, "ceremonies"), cer0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_cred_get(fx->st, c[i].id, c[i].id_len,
		    &got), STORE_OK);
		assert_int_equal(got.sign_count, i == 2 ? 10 : 0);
	}
	/* Nothing was left half-open: the same logins now commit. */
	for (int i = 0; i < 5; i++) {
		o[i].r = -1;
		assert_int_equal(pthread_create(&o[i].th, NULL, one_run,
		    &o[i]), 0);
		assert_int_equal(pthread_join(o[i].th, NULL), 0);
		assert_int_equal(o[i].r, i == 3 ? STORE_ERR_COUNTER : STORE_OK);
	}
	assert_int_equal(COUNT(fx->st, "sessions"), 5);

	store_writer_stop();
	assert_int_equal(sqlite3_vfs_register(base_vfs, 1), SQLITE_OK);
	assert_int_equal(sqlite3_vfs_unregister(&full_vfs), SQLITE_OK);
	assert_ptr_equal(sqlite3_vfs_find(NULL), base_vfs);
}

struct churn {
	const char		*path;
	const struct store_cred	*cred;
	unsigned char		 tag;
	int			 bad;
};

static void *
churn_run(void *arg)
{
	struct churn *ch = arg;
	struct store *st = NULL;

	if (store_open(ch->path, &st) != STORE_OK) {
		ch->bad = -1;
		return (NULL);
	}
	for (uint32_t i = 1; i <= 100; i++) {
		unsigned char id[STORE_CEREMONY_LEN];
		struct store_session s = mksess2(ch->tag, (unsigned char)i);

		memset(id, 0, sizeof(id));
		id[0] = 'h';
		id[1] = ch->tag;
		id[2] = (unsigned char)i;
		/* Above the counts of c[0]'s two logins. */
		if (store_login(st, id, NOW + 60, ch->cred->id,
		    ch->cred->id_len, i + 2, false, NOW, &s) != STORE_OK)
			ch->bad++;
	}
	store_close(&st);

	return (NULL);
}

/*
 * store_writer_stop: finishes what is queued, stops the thread, is
 * idempotent, and the next login starts the writer again, even while
 * other threads keep logging in.  The last store closed frees it.
 */
static void
writer_stop_restart(void **state)
{
	struct fx *fx = *state;
	pthread_t th[4];
	struct churn ch[4];
	struct store_cred c[4];
	struct store_user u;
	struct store *st = NULL;
	size_t pending;
	uint64_t batches;
	bool running;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	for (int i = 0; i < 4; i++) {
		c[i] = mkcred(u.id, (unsigned char)(0x70 + i));
		assert_int_equal(reg(fx->st, NULL, &c[i]), STORE_OK);
	}
	store_writer_stats(fx->st, &pending, &batches, &running);
	assert_false(running);
	assert_int_equal(batches, 0);
	store_writer_stop();			/* none yet */
	assert_int_equal(login(fx->st, &c[0], 1, 0x01), STORE_OK);
	store_writer_stats(fx->st, &pending, &batches, &running);
	assert_true(running);
	store_writer_stop();
	store_writer_stop();
	store_writer_stats(fx->st, &pending, &batches, &running);
	assert_false(running);
	assert_int_equal(batches, 1);
	assert_int_equal(login(fx->st, &c[0], 2, 0x02), STORE_OK);
	store_writer_stats(fx->st, &pending, &batches, &running);
	assert_true(running);
	assert_int_equal(batches, 2);

	/* Stops while four threads log in: none of them notices. */
	for (int i = 0; i < 4; i++) {
		ch[i] = (struct churn){ .path = fx->path, .cred = &c[i],
		    .tag = (unsigned char)(0x90 + i) };
		assert_int_equal(pthread_create(&th[i], NULL, churn_run,
		    &ch[i]), 0);
	}
	for (int i = 0; i < 50; i++) {
		store_writer_stop();
		sleep_ms(1);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(ch[i].bad, 0);
	}
	assert_int_equal(COUNT(fx->st, "sessions"), 2 + 4 * 100);

	/* The last store attached closes: the writer is gone. */
	store_close(&fx->st);
	assert_int_equal(store_open(fx->path, &st), STORE_OK);
	store_writer_stats(st, &pending, &batches, &running);
	assert_false(running);
	assert_int_equal(batches, 0);
	fx->st = st;
}

/*
 * The checkpointer: once the WAL passes the threshold the writer wakes
 * it, it copies the WAL back on its own connection while the logins go
 * on, the writer copies the rest, the WAL starts again from the top
 * instead of growing, and nothing is lost.
 */
static void
writer_checkpoints_aside(void **state)
{
	struct fx *fx = *state;
	pthread_t th[4];
	struct churn ch[4];
	struct store_cred c[4];
	struct store_user u;
	struct stat sb;
	char wal[1100];

	store_writer_set_wal(8);
	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	for (int i = 0; i < 4; i++) {
		c[i] = mkcred(u.id, (unsigned char)(0x70 + i));
		assert_int_equal(reg(fx->st, NULL, &c[i]), STORE_OK);
	}
	assert_int_equal(store_writer_checkpoints(fx->st), 0);
	/* fx->st keeps the writer once the threads' stores are closed. */
	assert_int_equal(login(fx->st, &c[0], 1, 0x01), STORE_OK);
	for (int i = 0; i < 4; i++) {
		ch[i] = (struct churn){ .path = fx->path, .cred = &c[i],
		    .tag = (unsigned char)(0x90 + i) };
		assert_int_equal(pthread_create(&th[i], NULL, churn_run,
		    &ch[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(ch[i].bad, 0);
	}
	for (int i = 0; i < 2000 && store_writer_checkpoints(fx->st) == 0;
	    i++)
		sleep_ms(1);
	store_writer_set_wal(0);
	assert_true(store_writer_checkpoints(fx->st) > 0);
	assert_int_equal(COUNT(fx->st, "sessions"), 1 + 4 * 100);

	/*
	 * The WAL was started again from the top: never started again,
	 * it would hold every frame the 401 logins wrote, about 8 MB.
	 */
	assert_int_equal(snprintf(wal, sizeof(wal), "%s-wal", fx->path) <
	    (int)sizeof(wal), 1);
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size < 2 * 1024 * 1024);
}

/* One writer per database: each login lands in its own file. */
static void
writer_two_databases(void **state)
{
	struct fx *fx = *state, *fx2 = NULL;
	struct store_cred c1, c2;
	struct store_user u;
	size_t pending;
	uint64_t b1, b2;
	bool running;

	assert_int_equal(fx_setup((void **)&fx2), 0);
	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c1 = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c1), STORE_OK);
	u = mkuser(fx2->st, "bea", STORE_ROLE_COURIER);
	c2 = mkcred(u.id, 2);
	assert_int_equal(reg(fx2->st, NULL, &c2), STORE_OK);
	assert_int_equal(login(fx->st, &c1, 1, 0x01), STORE_OK);
	assert_int_equal(login(fx2->st, &c2, 1, 0x02), STORE_OK);
	assert_int_equal(login(fx2->st, &c2, 2, 0x03), STORE_OK);
	/* Each credential is known to one database only. */
	assert_int_equal(login(fx->st, &c2, 3, 0x04), STORE_ERR_NOT_FOUND);
	assert_int_equal(COUNT(fx->st, "sessions"), 1);
	assert_int_equal(COUNT(fx2->st, "sessions"), 2);
	store_writer_stats(fx->st, &pending, &b1, &running);
	assert_true(running);
	store_writer_stats(fx2->st, &pending, &b2, &running);
	assert_true(running);
	assert_int_equal(b1, 2);
	assert_int_equal(b2, 2);
	assert_int_equal(fx_teardown((void **)&fx2), 0);
	store_writer_stats(fx->st, &pending, &b1, &running);
	assert_true(running);
	assert_int_equal(login(fx->st, &c1, 2, 0x05), STORE_OK);
}

/* A login inside a transaction would wait for itself: refused. */
static void
writer_inside_transaction(void **state)
{
	struct fx *fx = *state;
	struct store_cred c;

	c = courier(fx->st);
	assert_int_equal(store_tx_begin(fx->st), STORE_OK);
	assert_int_equal(login(fx->st, &c, 1, 0x01), STORE_ERR_ARG);
	store_tx_rollback(fx->st);
	assert_int_equal(login(fx->st, &c, 1, 0x01), STORE_OK);
	assert_int_equal(COUNT(fx->st, "sessions"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(login_updates_credential_and_session),
		T(login_ceremony_replayed),
		T(login_ceremony_expired),
		T(counter_regress),
		T(counter_equal),
		T(counter_zero_both),
		T(counter_zero_after_nonzero),
		T(counter_max),
		T(revoked_credential),
		T(unknown_credential),
		T(session_user_mismatch),
		T(duplicate_session_id),
		T(concurrent_same_ceremony),
		T(concurrent_same_counter),
		T(session_end_logout),
		T(session_end_expired),
		T(session_unknown_secret),
		T(migrate_v4_sessions),
		T(session_list_newest_first),
		T(ceremony_prune),
		T(ceremony_prune_opportunistic),
		T(writer_many_threads),
		T(writer_batch_failure_alone),
		cmocka_unit_test_setup_teardown(writer_commit_fails, fx_setup,
		    vfs_teardown),
		T(writer_stop_restart),
		T(writer_checkpoints_aside),
		T(writer_two_databases),
		T(writer_inside_transaction),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
