/*
 * store_audit.c: the append-only audit log (append, list, JSON details,
 * bounds, UPDATE and DELETE refused) and the revocation feed (cursor,
 * limit, append-only).
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
		T(revocation_feed_cursor),
		T(revocation_feed_append_only),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
