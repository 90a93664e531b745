/*
 * store_login.c: the login transaction (counter, BS, last use, session,
 * ceremony), every way it refuses with nothing written, concurrent
 * logins on one ceremony and one counter (each thread with its own
 * connection), sessions and their end, and ceremony pruning.
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
	assert_int_equal(store_session_by_secret(fx->st, s.secret_hash, &got),
	    STORE_OK);
	assert_memory_equal(got.id, s.id, STORE_SID_LEN);
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
	/* Still found by its secret, but not live. */
	assert_int_equal(store_session_by_secret(fx->st, s.secret_hash, &s),
	    STORE_OK);
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

static void
session_unknown_secret(void **state)
{
	struct fx *fx = *state;
	unsigned char h[STORE_HASH_LEN];
	struct store_session s;

	memset(h, 1, sizeof(h));
	assert_int_equal(store_session_by_secret(fx->st, h, &s),
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
		T(session_list_newest_first),
		T(ceremony_prune),
		T(ceremony_prune_opportunistic),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
