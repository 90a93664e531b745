/*
 * webauthn_cbor.c: the strict CBOR layer (wa_cbor_check, wa_cbor_decode,
 * wa_cbor_decode_prefix) and the map helpers.  The decoder table gives
 * each encoding and whether it must be accepted; the subset is definite
 * lengths, shortest-form heads, no tags, floats or simple values other
 * than false, true and null, and at most WA_MAX_CBOR_DEPTH levels.
 */
#include "regress.h"
#include "webauthn/extern.h"

struct cbor_case {
	const char	*name;
	const char	*hex;
	int		 want_r;	/* of wa_cbor_decode */
};

static const struct cbor_case cases[] = {
	{ "empty_map", "a0", WA_OK },
	{ "text_map", "a1 61 61 01", WA_OK },
	{ "int_keys", "a2 01 02 20 03", WA_OK },
	{ "bytes", "43 010203", WA_OK },
	{ "empty_bytes", "40", WA_OK },
	{ "false_true_null", "83 f4 f5 f6", WA_OK },
	{ "uint64", "1b 0000000100000000", WA_OK },
	{ "negint", "38 ff", WA_OK },
	{ "nested_16", "81818181 81818181 81818181 81818181 00", WA_OK },
	{ "nested_17", "81818181 81818181 81818181 81818181 81 00",
	    WA_ERR_CBOR },
	{ "indefinite_map", "bf 61 61 01 ff", WA_ERR_CBOR },
	{ "indefinite_array", "9f 01 ff", WA_ERR_CBOR },
	{ "indefinite_bytes", "5f 41 00 ff", WA_ERR_CBOR },
	{ "indefinite_text", "7f 61 61 ff", WA_ERR_CBOR },
	{ "break_alone", "ff", WA_ERR_CBOR },
	{ "tag_datetime", "c0 61 61", WA_ERR_CBOR },
	{ "tag_embedded_cbor", "d8 18 41 00", WA_ERR_CBOR },
	{ "tag_bignum", "c2 41 01", WA_ERR_CBOR },
	{ "float16", "f9 3c00", WA_ERR_CBOR },
	{ "float32", "fa 3f800000", WA_ERR_CBOR },
	{ "float64", "fb 3ff0000000000000", WA_ERR_CBOR },
	{ "undefined", "f7", WA_ERR_CBOR },
	{ "simple_16", "f0", WA_ERR_CBOR },
	{ "simple_two_byte", "f8 20", WA_ERR_CBOR },
	{ "reserved_info_28", "1c", WA_ERR_CBOR },
	{ "reserved_info_30", "5e", WA_ERR_CBOR },
	{ "long_uint8", "18 17", WA_ERR_CBOR },
	{ "long_uint16", "19 00ff", WA_ERR_CBOR },
	{ "long_uint32", "1a 0000ffff", WA_ERR_CBOR },
	{ "long_uint64", "1b 00000000ffffffff", WA_ERR_CBOR },
	{ "long_length", "58 01 00", WA_ERR_CBOR },
	{ "long_map_key", "a1 18 01 00", WA_ERR_CBOR },
	{ "truncated_bytes", "42 00", WA_ERR_CBOR },
	{ "truncated_map", "a1 01", WA_ERR_CBOR },
	{ "truncated_head", "19 00", WA_ERR_CBOR },
	{ "huge_bytes", "5b 0000000100000000", WA_ERR_CBOR },
	{ "huge_array", "9a 7fffffff", WA_ERR_CBOR },
	{ "huge_map", "ba 7fffffff", WA_ERR_CBOR },
	{ "map_half_pairs", "a2 01 02 03", WA_ERR_CBOR },
	{ "trailing_byte", "a0 00", WA_ERR_CBOR },
	{ "two_items", "01 02", WA_ERR_CBOR },
};

static void
decode_table(void **state)
{
	unsigned char	 buf[64];
	cbor_item_t	*item;
	size_t		 n;
	int		 r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_not_equal(n = unhex(cases[i].hex, buf,
		    sizeof(buf)), SIZE_MAX);
		r = wa_cbor_decode(buf, n, &item);
		if (r != cases[i].want_r)
			fail_msg("%s: got %s, want %s", cases[i].name,
			    wa_errname(r), wa_errname(cases[i].want_r));
		if (r == WA_OK) {
			assert_non_null(item);
			cbor_decref(&item);
		} else
			assert_null(item);
	}
}

static void
empty_input(void **state)
{
	cbor_item_t	*item;
	size_t		 used;

	(void)state;
	assert_int_equal(wa_cbor_check((const unsigned char *)"", 0, &used),
	    WA_ERR_CBOR);
	assert_int_equal(wa_cbor_check(NULL, 4, &used), WA_ERR_CBOR);
	assert_int_equal(wa_cbor_decode((const unsigned char *)"", 0, &item),
	    WA_ERR_CBOR);
}

static void
prefix_allows_trailing_bytes(void **state)
{
	unsigned char	 buf[] = { 0xa1, 0x01, 0x02, 0xff, 0xff };
	cbor_item_t	*item;
	size_t		 used;

	(void)state;
	assert_int_equal(wa_cbor_check(buf, sizeof(buf), &used), WA_OK);
	assert_int_equal(used, 3);
	assert_int_equal(wa_cbor_decode_prefix(buf, sizeof(buf), &item,
	    &used), WA_OK);
	assert_int_equal(used, 3);
	cbor_decref(&item);
	assert_int_equal(wa_cbor_decode(buf, sizeof(buf), &item), WA_ERR_CBOR);
}

static cbor_item_t *
load(const char *hex)
{
	unsigned char	 buf[64];
	cbor_item_t	*item;
	size_t		 n;

	n = unhex(hex, buf, sizeof(buf));
	assert_int_equal(wa_cbor_decode(buf, n, &item), WA_OK);

	return (item);
}

static void
map_bad_case(const char *hex, bool want)
{
	cbor_item_t *item = load(hex);

	if (wa_cbor_map_bad(item) != want)
		fail_msg("%s: map_bad %d, want %d", hex, !want, want);
	cbor_decref(&item);
}

static void
duplicate_text_key(void **state)
{
	(void)state;
	map_bad_case("a2 61 61 01 61 61 02", true);
}

static void
duplicate_int_key(void **state)
{
	(void)state;
	map_bad_case("a2 20 01 20 02", true);
	map_bad_case("a3 01 00 03 00 01 00", true);
}

static void
bytes_key(void **state)
{
	(void)state;
	map_bad_case("a1 41 61 01", true);
}

static void
array_key(void **state)
{
	(void)state;
	map_bad_case("a1 80 01", true);
}

static void
not_a_map(void **state)
{
	(void)state;
	map_bad_case("80", true);
	assert_true(wa_cbor_map_bad(NULL));
}

static void
distinct_keys(void **state)
{
	(void)state;
	/* "a" and 1 and -1 and "b" are four keys. */
	map_bad_case("a4 61 61 00 01 00 20 00 61 62 00", false);
}

static void
map_only_rejects_unknown_key(void **state)
{
	static const char *const keys[] = { "alg", "sig" };
	cbor_item_t *ok, *extra, *intkey;

	(void)state;
	ok = load("a2 63 616c67 26 63 736967 41 00");
	extra = load("a2 63 616c67 26 63 783563 80");
	intkey = load("a1 01 00");
	assert_true(wa_cbor_map_only(ok, keys, 2));
	assert_false(wa_cbor_map_only(extra, keys, 2));
	assert_false(wa_cbor_map_only(intkey, keys, 2));
	assert_non_null(wa_cbor_map_str(ok, "sig"));
	assert_null(wa_cbor_map_str(ok, "si"));
	assert_null(wa_cbor_map_int(ok, 3));
	cbor_decref(&ok);
	cbor_decref(&extra);
	cbor_decref(&intkey);
}

static void
int_limits(void **state)
{
	cbor_item_t	*item;
	int64_t		 v;

	(void)state;
	item = load("3b 7fffffffffffffff");
	assert_int_equal(wa_cbor_get_int(item, &v), 0);
	assert_true(v == INT64_MIN);
	cbor_decref(&item);
	item = load("3b 8000000000000000");
	assert_int_equal(wa_cbor_get_int(item, &v), -1);
	cbor_decref(&item);
	item = load("1b 8000000000000000");
	assert_int_equal(wa_cbor_get_int(item, &v), -1);
	cbor_decref(&item);
	item = load("61 61");
	assert_int_equal(wa_cbor_get_int(item, &v), -1);
	cbor_decref(&item);
}

static void
empty_bytes_borrow(void **state)
{
	cbor_item_t		*item;
	const unsigned char	*p = NULL;
	size_t			 n = 1;

	(void)state;
	item = load("40");
	assert_int_equal(wa_cbor_bytes(item, &p, &n), 0);
	assert_non_null(p);
	assert_int_equal(n, 0);
	cbor_decref(&item);
	item = load("60");
	assert_int_equal(wa_cbor_bytes(item, &p, &n), -1);
	cbor_decref(&item);
}

static void
text_compare_exact(void **state)
{
	cbor_item_t *item;

	(void)state;
	item = load("64 6e6f6e65");
	assert_true(wa_cbor_is_str(item, "none"));
	assert_false(wa_cbor_is_str(item, "non"));
	assert_false(wa_cbor_is_str(item, "nonee"));
	cbor_decref(&item);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_table),
		cmocka_unit_test(empty_input),
		cmocka_unit_test(prefix_allows_trailing_bytes),
		cmocka_unit_test(duplicate_text_key),
		cmocka_unit_test(duplicate_int_key),
		cmocka_unit_test(bytes_key),
		cmocka_unit_test(array_key),
		cmocka_unit_test(not_a_map),
		cmocka_unit_test(distinct_keys),
		cmocka_unit_test(map_only_rejects_unknown_key),
		cmocka_unit_test(int_limits),
		cmocka_unit_test(empty_bytes_borrow),
		cmocka_unit_test(text_compare_exact),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
