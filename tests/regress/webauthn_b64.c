/*
 * webauthn_b64.c: strict base64url (wa_b64url_decode, wa_b64url_encode)
 * and the padded standard base64 of JWS x5c (wa_b64std_decode_buf).
 * Decoders are table driven: every input has the code and bytes it must
 * give.
 */
#include "regress.h"
#include "webauthn/extern.h"

struct b64_case {
	const char	*name;
	const char	*in;
	size_t		 in_len;	/* 0: strlen(in) */
	int		 want_r;
	const char	*want_hex;	/* on WA_OK */
};

static const struct b64_case url_cases[] = {
	{ "empty", "", 0, WA_OK, "" },
	{ "one_byte", "Zg", 0, WA_OK, "66" },
	{ "two_bytes", "Zm8", 0, WA_OK, "666f" },
	{ "three_bytes", "Zm9v", 0, WA_OK, "666f6f" },
	{ "four_bytes", "Zm9vYg", 0, WA_OK, "666f6f62" },
	{ "six_bytes", "Zm9vYmFy", 0, WA_OK, "666f6f626172" },
	{ "url_alphabet", "-_-_", 0, WA_OK, "fbffbf" },
	{ "url_alphabet_tail", "-_8", 0, WA_OK, "fbff" },
	{ "padding_two", "Zg==", 0, WA_ERR_B64, NULL },
	{ "padding_one", "Zm8=", 0, WA_ERR_B64, NULL },
	{ "padding_alone", "=", 0, WA_ERR_B64, NULL },
	{ "padding_inside", "Zg=v", 0, WA_ERR_B64, NULL },
	{ "len_1_mod_4", "Zm9vY", 0, WA_ERR_B64, NULL },
	{ "single_char", "Z", 0, WA_ERR_B64, NULL },
	{ "trailing_bits_4", "Zh", 0, WA_ERR_B64, NULL },
	{ "trailing_bits_2", "Zm9", 0, WA_ERR_B64, NULL },
	{ "std_plus", "+_-_", 0, WA_ERR_B64, NULL },
	{ "std_slash", "-/-_", 0, WA_ERR_B64, NULL },
	{ "space", "Zm9v Yg", 0, WA_ERR_B64, NULL },
	{ "newline", "Zm9v\nYg", 0, WA_ERR_B64, NULL },
	{ "dot", "Zm9v.g", 0, WA_ERR_B64, NULL },
	{ "nul_inside", "Zm\0v", 4, WA_ERR_B64, NULL },
	{ "high_byte", "Zm\xc3\xa9", 0, WA_ERR_B64, NULL },
	{ "bad_in_tail_2", "Zm9v*g", 0, WA_ERR_B64, NULL },
	{ "bad_in_tail_3", "Zm9vYm*", 0, WA_ERR_B64, NULL },
	{ "trailing_bits_after_group", "Zm9vZh", 0, WA_ERR_B64, NULL },
};

/*
 * Every byte outside the alphabet, at every position of a text with a
 * whole group and a tail, is refused; every byte inside decodes.
 */
static void
url_every_byte_everywhere(void **state)
{
	static const char	 alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char			 in[8];
	unsigned char		 out[8];
	size_t			 len;
	int			 r;

	(void)state;
	for (size_t pos = 0; pos < 7; pos++)
		for (int c = 0; c < 256; c++) {
			memcpy(in, "AAAAAAA", 7);
			in[pos] = (char)c;
			r = wa_b64url_decode(in, 7, out, sizeof(out), &len);
			/* The last character holds two zero bits. */
			if (c != 0 && strchr(alpha, c) != NULL &&
			    (pos != 6 || (strchr(alpha, c) - alpha) % 4 == 0))
				assert_int_equal(r, WA_OK);
			else
				assert_int_equal(r, WA_ERR_B64);
		}
}

static void
run_url(const struct b64_case *c)
{
	unsigned char	 out[64], want[64];
	size_t		 n = c->in_len != 0 ? c->in_len : strlen(c->in);
	size_t		 out_len = 0, want_len;
	int		 r;

	r = wa_b64url_decode(c->in, n, out, sizeof(out), &out_len);
	if (r != c->want_r)
		fail_msg("%s: got %s, want %s", c->name, wa_errname(r),
		    wa_errname(c->want_r));
	if (r != WA_OK)
		return;
	want_len = unhex(c->want_hex, want, sizeof(want));
	assert_int_equal(out_len, want_len);
	assert_memory_equal(out, want, want_len);
}

static void
url_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++)
		run_url(&url_cases[i]);
}

static void
url_output_too_small(void **state)
{
	unsigned char	out[2];
	size_t		len;

	(void)state;
	assert_int_equal(wa_b64url_decode("Zm9v", 4, out, sizeof(out), &len),
	    WA_ERR_TOO_LARGE);
}

static void
url_null_arguments(void **state)
{
	unsigned char	out[4];
	size_t		len;

	(void)state;
	assert_int_equal(wa_b64url_decode(NULL, 0, out, sizeof(out), &len),
	    WA_ERR_ARG);
	assert_int_equal(wa_b64url_decode("Zg", 2, NULL, 4, &len),
	    WA_ERR_ARG);
	assert_int_equal(wa_b64url_decode("Zg", 2, out, sizeof(out), NULL),
	    WA_ERR_ARG);
}

static void
url_decode_buf_over_max(void **state)
{
	struct wa_buf b = { NULL, 0 };

	(void)state;
	assert_int_equal(wa_b64url_decode_buf("Zm9vYmFy", 8, 5, &b),
	    WA_ERR_TOO_LARGE);
	assert_null(b.ptr);
	assert_int_equal(wa_b64url_decode_buf("Zm9vYmFy", 8, 6, &b), WA_OK);
	assert_int_equal(b.len, 6);
	wa_buf_reset(&b);
}

static void
url_encode_vectors(void **state)
{
	static const struct {
		const char	*hex;
		const char	*want;
	} v[] = {
		{ "", "" }, { "66", "Zg" }, { "666f", "Zm8" },
		{ "666f6f", "Zm9v" }, { "666f6f62", "Zm9vYg" },
		{ "fbff", "-_8" }, { "fbffbf", "-_-_" },
	};
	unsigned char	in[8];
	size_t		n;
	char		*s;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = unhex(v[i].hex, in, sizeof(in));
		assert_non_null(s = wa_b64url_encode(in, n));
		assert_string_equal(s, v[i].want);
		free(s);
	}
	assert_null(wa_b64url_encode(NULL, 1));
}

/* Every length and byte value survives encode then decode. */
static void
url_roundtrip(void **state)
{
	unsigned char	in[67], out[67];
	size_t		len;
	char		*s;

	(void)state;
	for (size_t n = 0; n <= sizeof(in); n++) {
		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)(i * 37 + n);
		assert_non_null(s = wa_b64url_encode(in, n));
		assert_int_equal(wa_b64url_decode(s, strlen(s), out,
		    sizeof(out), &len), WA_OK);
		assert_int_equal(len, n);
		assert_memory_equal(in, out, n);
		free(s);
	}
}

static const struct b64_case std_cases[] = {
	{ "std_one_byte", "Zg==", 0, WA_OK, "66" },
	{ "std_two_bytes", "Zm8=", 0, WA_OK, "666f" },
	{ "std_three_bytes", "Zm9v", 0, WA_OK, "666f6f" },
	{ "std_alphabet", "+/+/", 0, WA_OK, "fbffbf" },
	{ "std_empty", "", 0, WA_OK, "" },
	{ "std_missing_padding", "Zg", 0, WA_ERR_B64, NULL },
	{ "std_short_padding", "Zg=", 0, WA_ERR_B64, NULL },
	{ "std_extra_padding", "Zm9v====", 0, WA_ERR_B64, NULL },
	{ "std_three_pad", "Z===", 0, WA_ERR_B64, NULL },
	{ "std_trailing_bits", "Zh==", 0, WA_ERR_B64, NULL },
	{ "std_url_alphabet", "-_-_", 0, WA_ERR_B64, NULL },
	{ "std_padding_inside", "Zg==Zg==", 0, WA_ERR_B64, NULL },
};

static void
std_table(void **state)
{
	struct wa_buf	 b = { NULL, 0 };
	unsigned char	 want[16];
	size_t		 want_len;
	int		 r;

	(void)state;
	for (size_t i = 0; i < sizeof(std_cases) / sizeof(std_cases[0]);
	    i++) {
		const struct b64_case *c = &std_cases[i];

		r = wa_b64std_decode_buf(c->in, strlen(c->in), 64, &b);
		if (r != c->want_r)
			fail_msg("%s: got %s, want %s", c->name,
			    wa_errname(r), wa_errname(c->want_r));
		if (r == WA_OK) {
			want_len = unhex(c->want_hex, want, sizeof(want));
			assert_int_equal(b.len, want_len);
			if (want_len > 0)
				assert_memory_equal(b.ptr, want, want_len);
		}
		wa_buf_reset(&b);
	}
}

static void
std_over_max(void **state)
{
	struct wa_buf b = { NULL, 0 };

	(void)state;
	assert_int_equal(wa_b64std_decode_buf("Zm9vYmFy", 8, 5, &b),
	    WA_ERR_TOO_LARGE);
	assert_null(b.ptr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(url_table),
		cmocka_unit_test(url_every_byte_everywhere),
		cmocka_unit_test(url_output_too_small),
		cmocka_unit_test(url_null_arguments),
		cmocka_unit_test(url_decode_buf_over_max),
		cmocka_unit_test(url_encode_vectors),
		cmocka_unit_test(url_roundtrip),
		cmocka_unit_test(std_table),
		cmocka_unit_test(std_over_max),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
