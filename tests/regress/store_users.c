/*
 * store_users.c: users (ensure, lookups, role conflicts, bounds, lists,
 * corrupt rows) and enrollment codes (put, get, expiry, single use).
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
static const unsigned char code_b[STORE_HASH_LEN] =
    "code-hash-b.....................";

static void
ensure_creates(void **state)
{
	struct fx *fx = *state;
	static const unsigned char zero[STORE_HASH_LEN];
	struct store_user u, got;

	assert_int_equal(store_user_ensure(fx->st, "ana", STORE_ROLE_COURIER,
	    "Ana Silva", NOW, &u), STORE_OK);
	assert_true(u.id > 0);
	assert_memory_not_equal(u.handle, zero, STORE_HANDLE_LEN);
	assert_string_equal(u.username, "ana");
	assert_string_equal(u.display_name, "Ana Silva");
	assert_int_equal(u.role, STORE_ROLE_COURIER);
	assert_int_equal(u.created, NOW);
	assert_int_equal(store_user_by_id(fx->st, u.id, &got), STORE_OK);
	assert_memory_equal(&got, &u, sizeof(u));
	assert_int_equal(store_user_by_name(fx->st, "ana", &got), STORE_OK);
	assert_memory_equal(&got, &u, sizeof(u));
	assert_int_equal(store_user_by_handle(fx->st, u.handle, &got),
	    STORE_OK);
	assert_memory_equal(&got, &u, sizeof(u));
}

/* The lookup for a sign-in's options leaves the personal data sealed. */
static void
by_name_nopii(void **state)
{
	struct fx *fx = *state;
	struct store_user u, got;

	assert_int_equal(store_user_ensure(fx->st, "ana", STORE_ROLE_CUSTOMER,
	    "Ana Silva", NOW, &u), STORE_OK);
	assert_int_equal(store_user_set_contact(fx->st, u.id,
	    "ana@example.org"), STORE_OK);
	memset(&got, 0x55, sizeof(got));
	assert_int_equal(store_user_by_name_nopii(fx->st, "ana", &got),
	    STORE_OK);
	assert_int_equal(got.id, u.id);
	assert_memory_equal(got.handle, u.handle, STORE_HANDLE_LEN);
	assert_string_equal(got.username, "ana");
	assert_string_equal(got.display_name, "");
	assert_string_equal(got.contact, "");
	assert_int_equal(got.role, STORE_ROLE_CUSTOMER);
	assert_int_equal(got.created, NOW);
	/* The full lookup still has both. */
	assert_int_equal(store_user_by_name(fx->st, "ana", &got), STORE_OK);
	assert_string_equal(got.display_name, "Ana Silva");
	assert_string_equal(got.contact, "ana@example.org");
	assert_int_equal(store_user_by_name_nopii(fx->st, "nobody", &got),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(store_user_by_name_nopii(fx->st, "", &got),
	    STORE_ERR_ARG);
	assert_int_equal(store_user_by_name_nopii(NULL, "ana", &got),
	    STORE_ERR_ARG);
}

static void
ensure_same_role_returns_existing(void **state)
{
	struct fx *fx = *state;
	struct store_user u, again, other;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	assert_int_equal(store_user_ensure(fx->st, "ana", STORE_ROLE_COURIER,
	    "Another Name", NOW + 5, &again), STORE_OK);
	assert_memory_equal(&again, &u, sizeof(u));
	other = mkuser(fx->st, "bea", STORE_ROLE_COURIER);
	assert_int_not_equal(other.id, u.id);
	assert_memory_not_equal(other.handle, u.handle, STORE_HANDLE_LEN);
}

static void
ensure_role_conflict(void **state)
{
	struct fx *fx = *state;
	struct store_user u;

	(void)mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	assert_int_equal(store_user_ensure(fx->st, "ana", STORE_ROLE_ADMIN,
	    "Ana", NOW, &u), STORE_ERR_EXISTS);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM users"), 1);
	assert_int_equal(q_int(fx->st, "SELECT role FROM users"),
	    STORE_ROLE_COURIER);
}

static void
unknown_user(void **state)
{
	struct fx *fx = *state;
	unsigned char h[STORE_HANDLE_LEN];
	struct store_user u;

	memset(h, 7, sizeof(h));
	assert_int_equal(store_user_by_id(fx->st, 42, &u),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(store_user_by_name(fx->st, "nobody", &u),
	    STORE_ERR_NOT_FOUND);
	assert_int_equal(store_user_by_handle(fx->st, h, &u),
	    STORE_ERR_NOT_FOUND);
}

static void
bad_user_arguments(void **state)
{
	struct fx *fx = *state;
	char long_name[STORE_MAX_USERNAME + 2];
	char long_display[STORE_MAX_DISPLAY + 2];
	struct store_user u;

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	memset(long_display, 'd', sizeof(long_display) - 1);
	long_display[sizeof(long_display) - 1] = '\0';
	assert_int_equal(store_user_ensure(fx->st, long_name,
	    STORE_ROLE_COURIER, "x", NOW, &u), STORE_ERR_ARG);
	assert_int_equal(store_user_ensure(fx->st, "", STORE_ROLE_COURIER,
	    "x", NOW, &u), STORE_ERR_ARG);
	assert_int_equal(store_user_ensure(fx->st, NULL, STORE_ROLE_COURIER,
	    "x", NOW, &u), STORE_ERR_ARG);
	assert_int_equal(store_user_ensure(fx->st, "ana", STORE_ROLE_COURIER,
	    long_display, NOW, &u), STORE_ERR_ARG);
	assert_int_equal(store_user_ensure(fx->st, "ana", (enum store_role)7,
	    "x", NOW, &u), STORE_ERR_ARG);
	assert_int_equal(store_user_by_name(fx->st, long_name, &u),
	    STORE_ERR_ARG);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM users"), 0);
	/* The longest name that fits is fine. */
	long_name[STORE_MAX_USERNAME] = '\0';
	assert_int_equal(store_user_ensure(fx->st, long_name,
	    STORE_ROLE_COURIER, NULL, NOW, &u), STORE_OK);
	assert_string_equal(u.display_name, "");
}

struct names {
	char	buf[8][STORE_MAX_USERNAME + 1];
	size_t	n;
	size_t	stop_after;	/* 0: never */
};

static int
collect_user(const struct store_user *u, void *arg)
{
	struct names *nm = arg;

	assert_true(nm->n < 8);
	snprintf(nm->buf[nm->n++], sizeof(nm->buf[0]), "%s", u->username);

	return (nm->stop_after != 0 && nm->n == nm->stop_after);
}

static void
list_by_role_ordered(void **state)
{
	struct fx *fx = *state;
	struct names nm;

	(void)mkuser(fx->st, "zoe", STORE_ROLE_COURIER);
	(void)mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	(void)mkuser(fx->st, "max", STORE_ROLE_ADMIN);
	(void)mkuser(fx->st, "bob", STORE_ROLE_CUSTOMER);
	memset(&nm, 0, sizeof(nm));
	assert_int_equal(store_user_list(fx->st, STORE_ROLE_COURIER,
	    collect_user, &nm), STORE_OK);
	assert_int_equal(nm.n, 2);
	assert_string_equal(nm.buf[0], "ana");
	assert_string_equal(nm.buf[1], "zoe");
	memset(&nm, 0, sizeof(nm));
	assert_int_equal(store_user_list(fx->st, 0, collect_user, &nm),
	    STORE_OK);
	assert_int_equal(nm.n, 4);
	assert_string_equal(nm.buf[0], "ana");
	assert_string_equal(nm.buf[3], "zoe");
	memset(&nm, 0, sizeof(nm));
	nm.stop_after = 1;
	assert_int_equal(store_user_list(fx->st, 0, collect_user, &nm),
	    STORE_OK);
	assert_int_equal(nm.n, 1);
}

/* A row written behind the store's back is reported, not truncated. */
static void
oversized_column_is_io(void **state)
{
	struct fx *fx = *state;
	struct store_user u;

	assert_int_equal(q_exec(fx->st, "INSERT INTO users (id, handle,"
	    " username, display_name, display_sealed, role, created) VALUES"
	    " (9, randomblob(32), printf('%.100c', 'x'), '', x'01', 1, 0)"),
	    SQLITE_OK);
	assert_int_equal(store_user_by_id(fx->st, 9, &u), STORE_ERR_IO);
	/* A sealed display name that does not open. */
	assert_int_equal(q_exec(fx->st, "INSERT INTO users (id, handle,"
	    " username, display_name, display_sealed, role, created) VALUES"
	    " (10, randomblob(32), 'forged', '', randomblob(41), 1, 0)"),
	    SQLITE_OK);
	assert_int_equal(store_user_by_id(fx->st, 10, &u), STORE_ERR_IO);
	/* Plaintext is refused from schema 4 on. */
	assert_int_not_equal(q_exec(fx->st, "INSERT INTO users (id, handle,"
	    " username, display_name, display_sealed, role, created) VALUES"
	    " (11, randomblob(32), 'plain', 'Plain Name', x'01', 1, 0)"),
	    SQLITE_OK);
}

static void
enroll_put_get(void **state)
{
	struct fx *fx = *state;
	struct store_enrollment e;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	assert_int_equal(store_enroll_put(fx->st, code_a, u.id,
	    STORE_ROLE_COURIER, NOW, NOW + 3600), STORE_OK);
	assert_int_equal(store_enroll_get(fx->st, code_a, NOW + 10, &e),
	    STORE_OK);
	assert_int_equal(e.user_id, u.id);
	assert_int_equal(e.role, STORE_ROLE_COURIER);
	assert_int_equal(e.created, NOW);
	assert_int_equal(e.expires, NOW + 3600);
	assert_int_equal(e.used_at, 0);
	/* Looking a code up does not use it. */
	assert_int_equal(store_enroll_get(fx->st, code_a, NOW + 10, &e),
	    STORE_OK);
}

static void
enroll_expired(void **state)
{
	struct fx *fx = *state;
	struct store_enrollment e;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	assert_int_equal(store_enroll_put(fx->st, code_a, u.id,
	    STORE_ROLE_COURIER, NOW, NOW + 60), STORE_OK);
	assert_int_equal(store_enroll_get(fx->st, code_a, NOW + 60, &e),
	    STORE_ERR_EXPIRED);
	assert_int_equal(e.user_id, u.id);
}

static void
enroll_unknown(void **state)
{
	struct fx *fx = *state;
	struct store_enrollment e;

	assert_int_equal(store_enroll_get(fx->st, code_a, NOW, &e),
	    STORE_ERR_NOT_FOUND);
}

static void
enroll_duplicate_hash(void **state)
{
	struct fx *fx = *state;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	assert_int_equal(store_enroll_put(fx->st, code_a, u.id,
	    STORE_ROLE_COURIER, NOW, NOW + 60), STORE_OK);
	assert_int_equal(store_enroll_put(fx->st, code_a, u.id,
	    STORE_ROLE_COURIER, NOW, NOW + 60), STORE_ERR_EXISTS);
}

static void
enroll_unknown_user(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(store_enroll_put(fx->st, code_a, 77,
	    STORE_ROLE_COURIER, NOW, NOW + 60), STORE_ERR_NOT_FOUND);
	assert_int_equal(store_enroll_put(fx->st, code_a, 77,
	    STORE_ROLE_COURIER, NOW, NOW), STORE_ERR_ARG);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM enrollments"), 0);
}

/* A code registers one credential; the second use is refused. */
static void
enroll_used_twice(void **state)
{
	struct fx *fx = *state;
	struct store_enrollment e;
	struct store_cred c1, c2;
	struct store_user u;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c1 = mkcred(u.id, 1);
	c2 = mkcred(u.id, 2);
	assert_int_equal(store_enroll_put(fx->st, code_a, u.id,
	    STORE_ROLE_COURIER, NOW - 10, NOW + 60), STORE_OK);
	assert_int_equal(reg(fx->st, code_a, &c1), STORE_OK);
	assert_int_equal(reg(fx->st, code_a, &c2), STORE_ERR_CONSUMED);
	assert_int_equal(store_enroll_get(fx->st, code_a, NOW, &e),
	    STORE_ERR_CONSUMED);
	assert_int_equal(e.used_at, NOW);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM credentials"), 1);
	/* A second code for the same user still works. */
	assert_int_equal(store_enroll_put(fx->st, code_b, u.id,
	    STORE_ROLE_COURIER, NOW - 10, NOW + 60), STORE_OK);
	assert_int_equal(reg(fx->st, code_b, &c2), STORE_OK);
}

static void
admin_exists_needs_live_credential(void **state)
{
	struct fx *fx = *state;
	struct store_user admin, courier;
	struct store_cred c;
	bool yes = true;

	assert_int_equal(store_admin_exists(fx->st, &yes), STORE_OK);
	assert_false(yes);
	admin = mkuser(fx->st, "root", STORE_ROLE_ADMIN);
	courier = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(courier.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(store_admin_exists(fx->st, &yes), STORE_OK);
	assert_false(yes);
	c = mkcred(admin.id, 2);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(store_admin_exists(fx->st, &yes), STORE_OK);
	assert_true(yes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(ensure_creates),
		T(by_name_nopii),
		T(ensure_same_role_returns_existing),
		T(ensure_role_conflict),
		T(unknown_user),
		T(bad_user_arguments),
		T(list_by_role_ordered),
		T(oversized_column_is_io),
		T(enroll_put_get),
		T(enroll_expired),
		T(enroll_unknown),
		T(enroll_duplicate_hash),
		T(enroll_unknown_user),
		T(enroll_used_twice),
		T(admin_exists_needs_live_credential),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
