/*
 * store_keys.c: token signing keys (put, list newest first, retire,
 * rotate in one transaction, expiry) and service clients (add, lookup
 * by API key hash, duplicates, revoked services).
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

static const unsigned char key_a[STORE_HASH_LEN] =
    "api-key-hash-a..................";
static const unsigned char key_b[STORE_HASH_LEN] =
    "api-key-hash-b..................";

static struct store_key
mkkey(const char *kid, int64_t created)
{
	struct store_key k;

	memset(&k, 0, sizeof(k));
	snprintf(k.kid, sizeof(k.kid), "%s", kid);
	snprintf(k.alg, sizeof(k.alg), "EdDSA");
	memset(k.priv, kid[0], 48);
	k.priv_len = 48;
	k.created = created;

	return (k);
}

struct keys {
	struct store_key	k[4];
	size_t			n;
};

static int
collect_key(const struct store_key *k, void *arg)
{
	struct keys *l = arg;

	assert_true(l->n < 4);
	l->k[l->n++] = *k;

	return (0);
}

static void
key_put_list_newest_first(void **state)
{
	struct fx *fx = *state;
	struct store_key a = mkkey("a", NOW), b = mkkey("b", NOW + 10);
	struct keys l;

	assert_int_equal(store_key_put(fx->st, &a), STORE_OK);
	assert_int_equal(store_key_put(fx->st, &b), STORE_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_key_list(fx->st, NOW + 20, collect_key, &l),
	    STORE_OK);
	assert_int_equal(l.n, 2);
	assert_memory_equal(&l.k[0], &b, sizeof(b));
	assert_memory_equal(&l.k[1], &a, sizeof(a));
}

static void
key_duplicate_kid(void **state)
{
	struct fx *fx = *state;
	struct store_key a = mkkey("a", NOW);

	assert_int_equal(store_key_put(fx->st, &a), STORE_OK);
	a.created++;
	assert_int_equal(store_key_put(fx->st, &a), STORE_ERR_EXISTS);
	assert_int_equal(COUNT(fx->st, "signing_keys"), 1);
}

static void
key_bad_arguments(void **state)
{
	struct fx *fx = *state;
	struct store_key k = mkkey("a", NOW);

	k.priv_len = 0;
	assert_int_equal(store_key_put(fx->st, &k), STORE_ERR_ARG);
	k = mkkey("a", NOW);
	k.priv_len = sizeof(k.priv) + 1;
	assert_int_equal(store_key_put(fx->st, &k), STORE_ERR_ARG);
	k = mkkey("", NOW);
	assert_int_equal(store_key_put(fx->st, &k), STORE_ERR_ARG);
	k = mkkey("a", NOW);
	memset(k.alg, 'x', sizeof(k.alg));	/* not terminated */
	assert_int_equal(store_key_put(fx->st, &k), STORE_ERR_ARG);
	assert_int_equal(store_key_retire_all(fx->st, NOW, NOW), STORE_ERR_ARG);
	assert_int_equal(COUNT(fx->st, "signing_keys"), 0);
}

/* A retired key is listed until its expiry, then dropped. */
static void
key_retire_until_expiry(void **state)
{
	struct fx *fx = *state;
	struct store_key a = mkkey("a", NOW), b;
	struct keys l;

	assert_int_equal(store_key_put(fx->st, &a), STORE_OK);
	assert_int_equal(store_key_retire_all(fx->st, NOW + 100, NOW + 400),
	    STORE_OK);
	b = mkkey("b", NOW + 100);
	assert_int_equal(store_key_put(fx->st, &b), STORE_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_key_list(fx->st, NOW + 399, collect_key, &l),
	    STORE_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.k[0].kid, "b");
	assert_int_equal(l.k[0].retired_at, 0);
	assert_string_equal(l.k[1].kid, "a");
	assert_int_equal(l.k[1].retired_at, NOW + 100);
	assert_int_equal(l.k[1].expires_at, NOW + 400);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_key_list(fx->st, NOW + 400, collect_key, &l),
	    STORE_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.k[0].kid, "b");
}

/* Rotation leaves exactly one current key; a failed one changes nothing. */
static void
key_rotate_atomic(void **state)
{
	struct fx *fx = *state;
	struct store_key a = mkkey("a", NOW), b = mkkey("b", NOW + 50);

	assert_int_equal(store_key_put(fx->st, &a), STORE_OK);
	assert_int_equal(store_key_rotate(fx->st, &b, NOW + 50, NOW + 400),
	    STORE_OK);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM signing_keys"
	    " WHERE retired_at = 0"), 1);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM signing_keys"
	    " WHERE retired_at = 0 AND kid = 'b'"), 1);
	/* A duplicate kid: the retirement rolls back with it. */
	b.created = NOW + 60;
	assert_int_equal(store_key_rotate(fx->st, &b, NOW + 60, NOW + 500),
	    STORE_ERR_EXISTS);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM signing_keys"
	    " WHERE retired_at = 0 AND kid = 'b'"), 1);
	assert_int_equal(q_int(fx->st, "SELECT expires_at FROM signing_keys"
	    " WHERE kid = 'a'"), NOW + 400);
}

static void
service_add_by_key(void **state)
{
	struct fx *fx = *state;
	struct store_service sv;
	int64_t id = 0;

	assert_int_equal(store_service_add(fx->st, "tracking",
	    "https://tracking.example", key_a, NOW, &id), STORE_OK);
	assert_true(id > 0);
	assert_int_equal(store_service_by_key(fx->st, key_a, &sv), STORE_OK);
	assert_int_equal(sv.id, id);
	assert_string_equal(sv.name, "tracking");
	assert_string_equal(sv.audience, "https://tracking.example");
	assert_int_equal(sv.created, NOW);
	assert_int_equal(sv.revoked_at, 0);
}

static void
service_duplicates(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(store_service_add(fx->st, "tracking", "aud", key_a,
	    NOW, NULL), STORE_OK);
	assert_int_equal(store_service_add(fx->st, "tracking", "aud", key_b,
	    NOW, NULL), STORE_ERR_EXISTS);
	assert_int_equal(store_service_add(fx->st, "billing", "aud", key_a,
	    NOW, NULL), STORE_ERR_EXISTS);
	assert_int_equal(store_service_add(fx->st, "", "aud", key_b,
	    NOW, NULL), STORE_ERR_ARG);
	assert_int_equal(COUNT(fx->st, "services"), 1);
}

static void
service_unknown_key(void **state)
{
	struct fx *fx = *state;
	struct store_service sv;

	assert_int_equal(store_service_add(fx->st, "tracking", "aud", key_a,
	    NOW, NULL), STORE_OK);
	assert_int_equal(store_service_by_key(fx->st, key_b, &sv),
	    STORE_ERR_NOT_FOUND);
}

/* A revoked service is still found, with revoked_at for the caller. */
static void
service_revoked_reported(void **state)
{
	struct fx *fx = *state;
	struct store_service sv;

	assert_int_equal(store_service_add(fx->st, "tracking", "aud", key_a,
	    NOW, NULL), STORE_OK);
	assert_int_equal(q_exec(fx->st, "UPDATE services SET revoked_at = 5"),
	    SQLITE_OK);
	assert_int_equal(store_service_by_key(fx->st, key_a, &sv), STORE_OK);
	assert_int_equal(sv.revoked_at, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(key_put_list_newest_first),
		T(key_duplicate_kid),
		T(key_bad_arguments),
		T(key_retire_until_expiry),
		T(key_rotate_atomic),
		T(service_add_by_key),
		T(service_duplicates),
		T(service_unknown_key),
		T(service_revoked_reported),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
