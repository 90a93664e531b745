/*
 * store_cred.c: registration (ceremony and enrollment code consumed
 * once, duplicates across users, nothing half-written on any failure,
 * including a full disk) and revocation (sessions ended, the feed, the
 * last-admin rule).
 */
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

static const unsigned char code_a[STORE_HASH_LEN] =
    "code-hash-a.....................";

static void
register_stores_every_field(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, got;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	c.sign_count = 7;
	c.bs = true;
	c.id_len = STORE_MAX_CRED_ID;
	memset(c.id, 0xee, c.id_len);
	c.cose_key_len = STORE_MAX_COSE;
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &got),
	    STORE_OK);
	c.created = NOW;
	assert_memory_equal(&got, &c, sizeof(c));
	assert_int_equal(store_cred_get(fx->st, c.id, 20, &got),
	    STORE_ERR_NOT_FOUND);
}

static void
register_ceremony_replayed(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_cred c1, c2;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c1 = mkcred(u.id, 1);
	c2 = mkcred(u.id, 2);
	cer(id);
	assert_int_equal(store_cred_register(fx->st, id, NOW + 60, NULL, NOW,
	    &c1), STORE_OK);
	assert_int_equal(store_cred_register(fx->st, id, NOW + 60, NULL, NOW,
	    &c2), STORE_ERR_CONSUMED);
	assert_int_equal(COUNT(fx->st, "credentials"), 1);
}

static void
register_ceremony_expired(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_cred c;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	cer(id);
	assert_int_equal(store_cred_register(fx->st, id, NOW, NULL, NOW, &c),
	    STORE_ERR_EXPIRED);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 0);
	assert_int_equal(COUNT(fx->st, "credentials"), 0);
}

/* An expired code rolls the ceremony back: it can be used again. */
static void
register_code_expired(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_cred c;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(store_enroll_put(fx->st, code_a, u.id,
	    STORE_ROLE_COURIER, NOW - 100, NOW), STORE_OK);
	cer(id);
	assert_int_equal(store_cred_register(fx->st, id, NOW + 60, code_a, NOW,
	    &c), STORE_ERR_EXPIRED);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 0);
	assert_int_equal(COUNT(fx->st, "credentials"), 0);
	assert_int_equal(store_cred_register(fx->st, id, NOW + 60, NULL, NOW,
	    &c), STORE_OK);
}

static void
register_code_unknown(void **state)
{
	struct fx *fx = *state;
	struct store_cred c;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, code_a, &c), STORE_ERR_NOT_FOUND);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 0);
	assert_int_equal(COUNT(fx->st, "credentials"), 0);
}

/* A code issued to ana cannot register a credential for bea. */
static void
register_code_other_user(void **state)
{
	struct fx *fx = *state;
	struct store_enrollment e;
	struct store_user ana, bea;
	struct store_cred c;

	ana = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	bea = mkuser(fx->st, "bea", STORE_ROLE_COURIER);
	c = mkcred(bea.id, 1);
	assert_int_equal(store_enroll_put(fx->st, code_a, ana.id,
	    STORE_ROLE_COURIER, NOW, NOW + 60), STORE_OK);
	assert_int_equal(reg(fx->st, code_a, &c), STORE_ERR_ARG);
	assert_int_equal(store_enroll_get(fx->st, code_a, NOW, &e), STORE_OK);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 0);
	assert_int_equal(COUNT(fx->st, "credentials"), 0);
}

/*
 * The same credential id for another user: EXISTS, and the transaction
 * rolls back whole, so the ceremony id stays unconsumed and the code
 * unused.
 */
static void
register_duplicate_id_across_users(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_enrollment e;
	struct store_user ana, bea;
	struct store_cred c, got;

	ana = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	bea = mkuser(fx->st, "bea", STORE_ROLE_COURIER);
	c = mkcred(ana.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	c.user_id = bea.id;
	assert_int_equal(store_enroll_put(fx->st, code_a, bea.id,
	    STORE_ROLE_COURIER, NOW, NOW + 60), STORE_OK);
	cer(id);
	assert_int_equal(store_cred_register(fx->st, id, NOW + 60, code_a, NOW,
	    &c), STORE_ERR_EXISTS);
	assert_int_equal(store_enroll_get(fx->st, code_a, NOW, &e), STORE_OK);
	assert_int_equal(store_ceremony_consume(fx->st, id, NOW + 60, NOW),
	    STORE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &got),
	    STORE_OK);
	assert_int_equal(got.user_id, ana.id);
	assert_int_equal(COUNT(fx->st, "credentials"), 1);
}

static void
register_unknown_user(void **state)
{
	struct fx *fx = *state;
	struct store_cred c;

	c = mkcred(99, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_ERR_NOT_FOUND);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 0);
}

static void
register_bad_arguments(void **state)
{
	struct fx *fx = *state;
	struct store_cred c;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	c.id_len = 0;
	assert_int_equal(reg(fx->st, NULL, &c), STORE_ERR_ARG);
	c.id_len = STORE_MAX_CRED_ID + 1;
	assert_int_equal(reg(fx->st, NULL, &c), STORE_ERR_ARG);
	c = mkcred(u.id, 1);
	c.cose_key_len = 0;
	assert_int_equal(reg(fx->st, NULL, &c), STORE_ERR_ARG);
	c = mkcred(u.id, 1);
	memset(c.label, 'x', sizeof(c.label));	/* not terminated */
	assert_int_equal(reg(fx->st, NULL, &c), STORE_ERR_ARG);
	assert_int_equal(COUNT(fx->st, "credentials"), 0);
}

struct creds {
	unsigned char	tags[4];
	size_t		n;
};

static int
collect_cred(const struct store_cred *c, void *arg)
{
	struct creds *cr = arg;

	assert_true(cr->n < 4);
	cr->tags[cr->n++] = c->id[0];

	return (0);
}

static void
cred_list_by_user(void **state)
{
	struct fx *fx = *state;
	struct store_user ana, bea;
	struct store_cred c;
	struct creds cr;

	ana = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	bea = mkuser(fx->st, "bea", STORE_ROLE_COURIER);
	c = mkcred(ana.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	c = mkcred(bea.id, 2);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	c = mkcred(ana.id, 3);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	memset(&cr, 0, sizeof(cr));
	assert_int_equal(store_cred_list(fx->st, ana.id, collect_cred, &cr),
	    STORE_OK);
	assert_int_equal(cr.n, 2);
	assert_int_equal(cr.tags[0], 1);
	assert_int_equal(cr.tags[1], 3);
	memset(&cr, 0, sizeof(cr));
	assert_int_equal(store_cred_list(fx->st, 0, collect_cred, &cr),
	    STORE_OK);
	assert_int_equal(cr.n, 3);
}

/*
 * A full disk (max_page_count at the current size): the credential's
 * COSE key needs a new page, the INSERT fails with SQLITE_FULL, and the
 * whole registration rolls back.
 */
static void
disk_full_nothing_written(void **state)
{
	struct fx *fx = *state;
	unsigned char id[STORE_CEREMONY_LEN];
	char big[STORE_MAX_DETAIL + 1];
	struct store_cred c, got;
	struct store_user u;
	int64_t n;
	int r = STORE_OK;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	c.cose_key_len = STORE_MAX_COSE;
	/* No free pages (migrations drop tables), then no new ones. */
	assert_int_equal(q_exec(fx->st, "VACUUM"), SQLITE_OK);
	assert_int_equal(q_int(fx->st, "PRAGMA freelist_count"), 0);
	assert_int_equal(q_exec(fx->st, "PRAGMA max_page_count = 1"),
	    SQLITE_OK);
	cer(id);
	assert_int_equal(store_cred_register(fx->st, id, NOW + 60, NULL, NOW,
	    &c), STORE_ERR_FULL);
	/* Audit entries fit until the last free page is used. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (n = 0; n < 10; n++)
		if ((r = store_audit(fx->st, NOW, "x", NULL, NULL, big)) !=
		    STORE_OK)
			break;
	assert_int_equal(r, STORE_ERR_FULL);
	assert_int_equal(q_exec(fx->st, "PRAGMA max_page_count = 1073741823"),
	    SQLITE_OK);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &got),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(COUNT(fx->st, "ceremonies"), 0);
	assert_int_equal(COUNT(fx->st, "audit"), n);
	assert_int_equal(store_cred_register(fx->st, id, NOW + 60, NULL, NOW,
	    &c), STORE_OK);
	assert_int_equal(store_audit(fx->st, NOW, "x", NULL, NULL, big),
	    STORE_OK);
}

/* Revoking ends the live sessions only, and feeds all of it. */
static void
revoke_ends_live_sessions(void **state)
{
	struct fx *fx = *state;
	unsigned char sid[STORE_SID_LEN];
	struct store_session s;
	struct store_cred c, other, got;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	other = mkcred(u.id, 2);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(reg(fx->st, NULL, &other), STORE_OK);
	assert_int_equal(login(fx->st, &c, 1, 0xa1), STORE_OK);
	assert_int_equal(login(fx->st, &c, 2, 0xa2), STORE_OK);
	assert_int_equal(login(fx->st, &c, 3, 0xa3), STORE_OK);
	assert_int_equal(login(fx->st, &other, 1, 0xb1), STORE_OK);
	memset(sid, 0xa3, sizeof(sid));
	assert_int_equal(store_session_end(fx->st, sid, NOW + 1, "logout"),
	    STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW + 2,
	    "root", "lost on route 7"), STORE_OK);

	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &got),
	    STORE_OK);
	assert_int_equal(got.revoked_at, NOW + 2);
	assert_string_equal(got.revoked_by, "root");
	assert_string_equal(got.revoke_reason, "lost on route 7");
	memset(sid, 0xa1, sizeof(sid));
	assert_int_equal(store_session_get(fx->st, sid, &s), STORE_OK);
	assert_int_equal(s.ended_at, NOW + 2);
	assert_string_equal(s.end_reason, "revoked");
	assert_false(store_session_live(&s, NOW + 2));
	memset(sid, 0xa3, sizeof(sid));
	assert_int_equal(store_session_get(fx->st, sid, &s), STORE_OK);
	assert_string_equal(s.end_reason, "logout");
	memset(sid, 0xb1, sizeof(sid));
	assert_int_equal(store_session_get(fx->st, sid, &s), STORE_OK);
	assert_true(store_session_live(&s, NOW + 2));
	/* Feed: the logout, then the credential, then its two sessions. */
	assert_int_equal(COUNT(fx->st, "revocations"), 4);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM revocations"
	    " WHERE kind = 2 AND time = 1700000002"), 2);
	assert_int_equal(q_int(fx->st, "SELECT kind FROM revocations"
	    " WHERE seq = 2"), STORE_REVOKED_CRED);
	/* The revoked credential no longer logs in. */
	assert_int_equal(login(fx->st, &c, 9, 0xa4), STORE_ERR_REVOKED);
}

static void
revoke_twice(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, got;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW,
	    "root", "lost"), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW + 5,
	    "eve", "again"), STORE_ERR_REVOKED);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &got),
	    STORE_OK);
	assert_int_equal(got.revoked_at, NOW);
	assert_string_equal(got.revoked_by, "root");
	assert_int_equal(COUNT(fx->st, "revocations"), 1);
}

static void
revoke_unknown(void **state)
{
	struct fx *fx = *state;
	unsigned char id[20];

	memset(id, 0x42, sizeof(id));
	assert_int_equal(store_cred_revoke(fx->st, id, sizeof(id), NOW, "root",
	    "x"), STORE_ERR_NOT_FOUND);
	assert_int_equal(store_cred_revoke(fx->st, id, 0, NOW, "root", "x"),
	    STORE_ERR_ARG);
	assert_int_equal(store_cred_revoke(fx->st, id, sizeof(id), 0, "root",
	    "x"), STORE_ERR_ARG);
}

/* The only admin credential cannot be revoked; nothing changes. */
static void
last_admin_refused(void **state)
{
	struct fx *fx = *state;
	struct store_cred c, got;
	struct store_user admin;
	bool yes;

	admin = mkuser(fx->st, "root", STORE_ROLE_ADMIN);
	c = mkcred(admin.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(login(fx->st, &c, 1, 0xa1), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW,
	    "root", "oops"), STORE_ERR_LAST_ADMIN);
	assert_int_equal(store_cred_get(fx->st, c.id, c.id_len, &got),
	    STORE_OK);
	assert_int_equal(got.revoked_at, 0);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM sessions"
	    " WHERE ended_at = 0"), 1);
	assert_int_equal(COUNT(fx->st, "revocations"), 0);
	assert_int_equal(store_admin_exists(fx->st, &yes), STORE_OK);
	assert_true(yes);
}

/* With two admins, one may go; the other is then the last. */
static void
last_admin_other_admin(void **state)
{
	struct fx *fx = *state;
	struct store_user a, b;
	struct store_cred ca, cb;

	a = mkuser(fx->st, "root", STORE_ROLE_ADMIN);
	b = mkuser(fx->st, "ops", STORE_ROLE_ADMIN);
	ca = mkcred(a.id, 1);
	cb = mkcred(b.id, 2);
	assert_int_equal(reg(fx->st, NULL, &ca), STORE_OK);
	assert_int_equal(reg(fx->st, NULL, &cb), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, ca.id, ca.id_len, NOW,
	    "ops", "left"), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, cb.id, cb.id_len, NOW,
	    "ops", "oops"), STORE_ERR_LAST_ADMIN);
}

/* An admin with two devices may lose one of them. */
static void
last_admin_own_second_device(void **state)
{
	struct fx *fx = *state;
	struct store_cred c1, c2, courier_c;
	struct store_user admin, courier;

	admin = mkuser(fx->st, "root", STORE_ROLE_ADMIN);
	courier = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c1 = mkcred(admin.id, 1);
	c2 = mkcred(admin.id, 2);
	courier_c = mkcred(courier.id, 3);
	assert_int_equal(reg(fx->st, NULL, &c1), STORE_OK);
	assert_int_equal(reg(fx->st, NULL, &c2), STORE_OK);
	assert_int_equal(reg(fx->st, NULL, &courier_c), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c1.id, c1.id_len, NOW,
	    "root", "old phone"), STORE_OK);
	/* A courier's live credential does not count as an admin's. */
	assert_int_equal(store_cred_revoke(fx->st, c2.id, c2.id_len, NOW,
	    "root", "oops"), STORE_ERR_LAST_ADMIN);
	assert_int_equal(store_cred_revoke(fx->st, courier_c.id,
	    courier_c.id_len, NOW, "root", "lost"), STORE_OK);
}

/* The schema itself refuses to un-revoke or to lower a counter. */
static void
schema_refuses_unrevoke(void **state)
{
	struct fx *fx = *state;
	struct store_cred c;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	c.sign_count = 5;
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(q_exec(fx->st,
	    "UPDATE credentials SET sign_count = 4"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW, "root",
	    "lost"), STORE_OK);
	assert_int_equal(q_exec(fx->st,
	    "UPDATE credentials SET revoked_at = 0"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(q_int(fx->st, "SELECT revoked_at FROM credentials"),
	    NOW);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(register_stores_every_field),
		T(register_ceremony_replayed),
		T(register_ceremony_expired),
		T(register_code_expired),
		T(register_code_unknown),
		T(register_code_other_user),
		T(register_duplicate_id_across_users),
		T(register_unknown_user),
		T(register_bad_arguments),
		T(cred_list_by_user),
		T(disk_full_nothing_written),
		T(revoke_ends_live_sessions),
		T(revoke_twice),
		T(revoke_unknown),
		T(last_admin_refused),
		T(last_admin_other_admin),
		T(last_admin_own_second_device),
		T(schema_refuses_unrevoke),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
