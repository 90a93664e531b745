/*
 * webauthn_clientdata.c: wa_clientdata_verify(), the client data steps
 * of WebAuthn §7.1 (5-11) and §7.2 (8-14): UTF-8 and JSON, type,
 * challenge, origin, crossOrigin, topOrigin and the Level 2 tokenBinding
 * status.  Each case is one clientDataJSON text with one member wrong;
 * "%C" in a template stands for the issued challenge.
 */
#include <stdio.h>

#include "regress.h"
#include "webauthn/extern.h"

#define APK_ORIGIN \
    "android:apk-key-hash:lX1HvlgB5nDmpk8R0s3lYOxRn1wrQq6xWZVk63r7eHs"
#define TOP_ORIGIN	"https://top.example.net"

/* rp options for a case. */
#define CROSS		0x01	/* allow cross-origin */
#define TOP		0x02	/* add TOP_ORIGIN */
#define APK		0x04	/* add APK_ORIGIN */

static int
verify(const char *tmpl, const char *type, unsigned int opts)
{
	struct wa_rp	*rp = rp_new();
	char		*chal, buf[4096];
	const char	*p;
	size_t		 o = 0;
	int		 r;

	assert_non_null(chal = sa_b64url(CHAL, CHAL_LEN));
	for (p = tmpl; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'C') {
			assert_true(o + strlen(chal) < sizeof(buf));
			memcpy(buf + o, chal, strlen(chal));
			o += strlen(chal);
			p++;
			continue;
		}
		assert_true(o + 1 < sizeof(buf));
		buf[o++] = *p;
	}
	if (opts & CROSS)
		assert_int_equal(wa_rp_set_allow_cross_origin(rp, true), WA_OK);
	if (opts & TOP)
		assert_int_equal(wa_rp_add_top_origin(rp, TOP_ORIGIN), WA_OK);
	if (opts & APK)
		assert_int_equal(wa_rp_add_origin(rp, APK_ORIGIN), WA_OK);
	r = wa_clientdata_verify(rp, (const unsigned char *)buf, o,
	    type != NULL ? type : WA_CD_CREATE, CHAL, CHAL_LEN);
	wa_rp_free(&rp);
	free(chal);

	return (r);
}

#define CD(rest) \
    "{\"type\":\"webauthn.create\",\"challenge\":\"%C\"," rest "}"
/* The same, as a printf format. */
#define CDF(rest) \
    "{\"type\":\"webauthn.create\",\"challenge\":\"%%C\"," rest "}"
#define OK_ORIGIN "\"origin\":\"https://example.com\""
#define CD_OK CD(OK_ORIGIN ",\"crossOrigin\":false")

static void
accepted(void **state)
{
	(void)state;
	assert_int_equal(verify(CD_OK, NULL, 0), WA_OK);
	/* crossOrigin is optional. */
	assert_int_equal(verify(CD(OK_ORIGIN), NULL, 0), WA_OK);
	/* Members are in any order, and unknown ones are ignored. */
	assert_int_equal(verify("{\"origin\":\"https://example.com\","
	    "\"challenge\":\"%C\",\"type\":\"webauthn.create\","
	    "\"other_keys_can_be_added_here\":\"do not compare\"}", NULL, 0),
	    WA_OK);
}

static void
get_type_accepted(void **state)
{
	(void)state;
	assert_int_equal(verify("{\"type\":\"webauthn.get\",\"challenge\":"
	    "\"%C\"," OK_ORIGIN "}", WA_CD_GET, 0), WA_OK);
}

static void
bom_stripped(void **state)
{
	(void)state;
	assert_int_equal(verify("\xef\xbb\xbf" CD_OK, NULL, 0), WA_OK);
}

static void
double_bom(void **state)
{
	(void)state;
	assert_int_equal(verify("\xef\xbb\xbf\xef\xbb\xbf" CD_OK, NULL, 0),
	    WA_ERR_CLIENTDATA);
}

static void
not_json(void **state)
{
	(void)state;
	assert_int_equal(verify("type=webauthn.create", NULL, 0),
	    WA_ERR_CLIENTDATA);
	assert_int_equal(verify("", NULL, 0), WA_ERR_CLIENTDATA);
	assert_int_equal(verify(CD_OK " ", NULL, 0), WA_OK);
	assert_int_equal(verify(CD_OK "x", NULL, 0), WA_ERR_CLIENTDATA);
}

static void
not_an_object(void **state)
{
	(void)state;
	assert_int_equal(verify("[\"webauthn.create\"]", NULL, 0),
	    WA_ERR_CLIENTDATA);
	assert_int_equal(verify("\"webauthn.create\"", NULL, 0),
	    WA_ERR_CLIENTDATA);
}

static void
invalid_utf8(void **state)
{
	(void)state;
	assert_int_equal(verify(CD(OK_ORIGIN ",\"x\":\"\xc3\x28\""), NULL, 0),
	    WA_ERR_CLIENTDATA);
	/* An overlong encoding of '/'. */
	assert_int_equal(verify(CD(OK_ORIGIN ",\"x\":\"\xc0\xaf\""), NULL, 0),
	    WA_ERR_CLIENTDATA);
}

static void
duplicate_member(void **state)
{
	(void)state;
	assert_int_equal(verify(CD(OK_ORIGIN ",\"type\":\"webauthn.create\""),
	    NULL, 0), WA_ERR_CLIENTDATA);
	assert_int_equal(verify(CD(OK_ORIGIN ",\"origin\":\"https://e.com\""),
	    NULL, 0), WA_ERR_CLIENTDATA);
}

static void
deep_nesting(void **state)
{
	char	buf[512];
	char	deep[64];
	size_t	d;

	(void)state;
	/* The object itself is one level; 15 more fit, 16 do not. */
	for (d = 0; d < 15; d++)
		deep[d] = '[';
	deep[d] = '\0';
	(void)snprintf(buf, sizeof(buf), CDF(OK_ORIGIN ",\"x\":%s%s"), deep,
	    "]]]]]]]]]]]]]]]");
	assert_int_equal(verify(buf, NULL, 0), WA_OK);
	(void)snprintf(buf, sizeof(buf), CDF(OK_ORIGIN ",\"x\":[%s%s"), deep,
	    "]]]]]]]]]]]]]]]]");
	assert_int_equal(verify(buf, NULL, 0), WA_ERR_CLIENTDATA);
}

static void
embedded_nul(void **state)
{
	(void)state;
	assert_int_equal(verify("{\"type\":\"webauthn.create\\u0000\","
	    "\"challenge\":\"%C\"," OK_ORIGIN "}", NULL, 0),
	    WA_ERR_CLIENTDATA);
}

static void
too_large(void **state)
{
	struct wa_rp	*rp = rp_new();
	unsigned char	*p;

	(void)state;
	assert_non_null(p = malloc(WA_MAX_CLIENTDATA + 1));
	memset(p, ' ', WA_MAX_CLIENTDATA + 1);
	assert_int_equal(wa_clientdata_verify(rp, p, WA_MAX_CLIENTDATA + 1,
	    WA_CD_CREATE, CHAL, CHAL_LEN), WA_ERR_TOO_LARGE);
	free(p);
	wa_rp_free(&rp);
}

static void
bad_arguments(void **state)
{
	struct wa_rp	*rp = wa_rp_new();
	const char	*cd = "{}";

	(void)state;
	assert_int_equal(wa_clientdata_verify(rp, (const unsigned char *)cd,
	    2, WA_CD_CREATE, CHAL, CHAL_LEN), WA_ERR_ARG);
	assert_int_equal(wa_rp_set_id(rp, RP_ID), WA_OK);
	/* Still no origin. */
	assert_int_equal(wa_clientdata_verify(rp, (const unsigned char *)cd,
	    2, WA_CD_CREATE, CHAL, CHAL_LEN), WA_ERR_ARG);
	assert_int_equal(wa_rp_add_origin(rp, ORIGIN), WA_OK);
	assert_int_equal(wa_clientdata_verify(rp, NULL, 2, WA_CD_CREATE, CHAL,
	    CHAL_LEN), WA_ERR_ARG);
	assert_int_equal(wa_clientdata_verify(rp, (const unsigned char *)cd,
	    2, WA_CD_CREATE, CHAL, 0), WA_ERR_ARG);
	assert_int_equal(wa_clientdata_verify(NULL, (const unsigned char *)cd,
	    2, WA_CD_CREATE, CHAL, CHAL_LEN), WA_ERR_ARG);
	wa_rp_free(&rp);
}

/* type (§7.1 step 7, §7.2 step 10). */

static void
type_missing(void **state)
{
	(void)state;
	assert_int_equal(verify("{\"challenge\":\"%C\"," OK_ORIGIN "}", NULL,
	    0), WA_ERR_CLIENTDATA);
}

static void
type_not_string(void **state)
{
	(void)state;
	assert_int_equal(verify("{\"type\":1,\"challenge\":\"%C\","
	    OK_ORIGIN "}", NULL, 0), WA_ERR_CLIENTDATA);
}

static void
type_get_for_create(void **state)
{
	(void)state;
	assert_int_equal(verify(CD_OK, WA_CD_GET, 0), WA_ERR_TYPE);
}

static void
type_variants(void **state)
{
	static const char *const types[] = {
		"webauthn.create ", "WebAuthn.create", "webauthn.creat",
		"webauthn.create.", "", "payment.get",
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "{\"type\":\"%s\","
		    "\"challenge\":\"%%C\"," OK_ORIGIN "}", types[i]);
		assert_int_equal(verify(buf, NULL, 0), WA_ERR_TYPE);
	}
}

/* challenge (§7.1 step 8, §7.2 step 11). */

static int
with_challenge(const char *chal)
{
	char buf[512];

	(void)snprintf(buf, sizeof(buf), "{\"type\":\"webauthn.create\","
	    "\"challenge\":\"%s\"," OK_ORIGIN "}", chal);

	return (verify(buf, NULL, 0));
}

static void
challenge_missing(void **state)
{
	(void)state;
	assert_int_equal(verify("{\"type\":\"webauthn.create\"," OK_ORIGIN "}",
	    NULL, 0), WA_ERR_CLIENTDATA);
}

static void
challenge_not_string(void **state)
{
	(void)state;
	assert_int_equal(verify("{\"type\":\"webauthn.create\","
	    "\"challenge\":[1]," OK_ORIGIN "}", NULL, 0), WA_ERR_CLIENTDATA);
}

static void
challenge_other(void **state)
{
	(void)state;
	assert_int_equal(with_challenge(
	    "MDEyMzQ1Njc4OWFiY2RlZi1jaGFsbGVuZ2UtYnl0ZXQ"), WA_ERR_CHALLENGE);
}

static void
challenge_padded(void **state)
{
	(void)state;
	/* The issued challenge, base64url with padding. */
	assert_int_equal(with_challenge(
	    "MDEyMzQ1Njc4OWFiY2RlZi1jaGFsbGVuZ2UtYnl0ZXM="), WA_ERR_CHALLENGE);
}

static void
challenge_truncated(void **state)
{
	(void)state;
	assert_int_equal(with_challenge(
	    "MDEyMzQ1Njc4OWFiY2RlZi1jaGFsbGVuZ2UtYnl0ZQ"), WA_ERR_CHALLENGE);
	assert_int_equal(with_challenge(""), WA_ERR_CHALLENGE);
}

static void
challenge_extended(void **state)
{
	(void)state;
	assert_int_equal(with_challenge(
	    "MDEyMzQ1Njc4OWFiY2RlZi1jaGFsbGVuZ2UtYnl0ZXMA"), WA_ERR_CHALLENGE);
}

static void
challenge_raw_bytes(void **state)
{
	(void)state;
	/* The challenge itself rather than its encoding. */
	assert_int_equal(with_challenge("0123456789abcdef-challenge-bytes"),
	    WA_ERR_CHALLENGE);
}

static void
challenge_huge(void **state)
{
	char	*buf, *chal;

	(void)state;
	assert_non_null(chal = malloc(4001));
	memset(chal, 'A', 4000);
	chal[4000] = '\0';
	assert_non_null(buf = malloc(4200));
	(void)snprintf(buf, 4200, "{\"type\":\"webauthn.create\","
	    "\"challenge\":\"%s\"," OK_ORIGIN "}", chal);
	assert_int_equal(verify(buf, NULL, 0), WA_ERR_CHALLENGE);
	free(buf);
	free(chal);
}

/* origin (§7.1 step 9, §7.2 step 12). */

static int
with_origin(const char *origin, unsigned int opts)
{
	char buf[512];

	(void)snprintf(buf, sizeof(buf), CDF("\"origin\":\"%s\""), origin);

	return (verify(buf, NULL, opts));
}

static void
origin_missing(void **state)
{
	(void)state;
	assert_int_equal(verify(CD("\"crossOrigin\":false"), NULL, 0),
	    WA_ERR_CLIENTDATA);
}

static void
origin_not_string(void **state)
{
	(void)state;
	assert_int_equal(verify(CD("\"origin\":null"), NULL, 0),
	    WA_ERR_CLIENTDATA);
}

static void
origin_mismatch(void **state)
{
	static const char *const origins[] = {
		"https://example.org", "https://example.com/",
		"http://example.com", "https://example.com:443",
		"https://example.com:8443", "https://EXAMPLE.com",
		"https://www.example.com", "https://example.com.evil.net",
		"https://evilexample.com", "example.com", "", "null",
		"https://example.com\\u0000",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		int r = with_origin(origins[i], 0);

		/* An escaped NUL is refused by the JSON parser itself. */
		if (r != WA_ERR_ORIGIN && !(r == WA_ERR_CLIENTDATA &&
		    strstr(origins[i], "\\u0000") != NULL))
			fail_msg("%s: got %s", origins[i], wa_errname(r));
	}
}

static void
origin_apk_key_hash(void **state)
{
	(void)state;
	assert_int_equal(with_origin(APK_ORIGIN, APK), WA_OK);
	/* Not allowed unless configured. */
	assert_int_equal(with_origin(APK_ORIGIN, 0), WA_ERR_ORIGIN);
}

static void
origin_apk_key_hash_other(void **state)
{
	(void)state;
	assert_int_equal(with_origin("android:apk-key-hash:"
	    "lX1HvlgB5nDmpk8R0s3lYOxRn1wrQq6xWZVk63r7eHt", APK),
	    WA_ERR_ORIGIN);
	assert_int_equal(with_origin("android:apk-key-hash-sha256:"
	    "lX1HvlgB5nDmpk8R0s3lYOxRn1wrQq6xWZVk63r7eHs", APK),
	    WA_ERR_ORIGIN);
	assert_int_equal(with_origin("android:apk-key-hash:", APK),
	    WA_ERR_ORIGIN);
}

/* crossOrigin (§7.1 step 10, §7.2 step 13). */

static void
cross_origin_refused(void **state)
{
	(void)state;
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":true"), NULL,
	    0), WA_ERR_CROSS_ORIGIN);
}

static void
cross_origin_allowed(void **state)
{
	(void)state;
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":true"), NULL,
	    CROSS), WA_OK);
}

static void
cross_origin_not_boolean(void **state)
{
	(void)state;
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":\"true\""),
	    NULL, CROSS), WA_ERR_CLIENTDATA);
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":1"), NULL,
	    CROSS), WA_ERR_CLIENTDATA);
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":null"), NULL,
	    CROSS), WA_ERR_CLIENTDATA);
}

/* topOrigin (§7.1 step 11, §7.2 step 14). */

#define CROSS_TOP(top) \
    CD(OK_ORIGIN ",\"crossOrigin\":true,\"topOrigin\":\"" top "\"")

static void
top_origin_allowed(void **state)
{
	(void)state;
	assert_int_equal(verify(CROSS_TOP(TOP_ORIGIN), NULL, CROSS | TOP),
	    WA_OK);
}

static void
top_origin_not_expected(void **state)
{
	(void)state;
	/* The RP does not expect to be framed at all. */
	assert_int_equal(verify(CROSS_TOP(TOP_ORIGIN), NULL, TOP),
	    WA_ERR_CROSS_ORIGIN);
	assert_int_equal(verify(CD(OK_ORIGIN ",\"topOrigin\":\"" TOP_ORIGIN
	    "\""), NULL, 0), WA_ERR_CROSS_ORIGIN);
}

static void
top_origin_mismatch(void **state)
{
	(void)state;
	assert_int_equal(verify(CROSS_TOP("https://evil.example.net"), NULL,
	    CROSS | TOP), WA_ERR_TOP_ORIGIN);
	/* Framing allowed, but no top origin configured. */
	assert_int_equal(verify(CROSS_TOP(TOP_ORIGIN), NULL, CROSS),
	    WA_ERR_TOP_ORIGIN);
}

static void
top_origin_without_cross_origin(void **state)
{
	(void)state;
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":false,"
	    "\"topOrigin\":\"" TOP_ORIGIN "\""), NULL, CROSS | TOP),
	    WA_ERR_TOP_ORIGIN);
}

static void
top_origin_missing(void **state)
{
	(void)state;
	/* Framed, and top origins are configured: the client must say. */
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":true"), NULL,
	    CROSS | TOP), WA_ERR_TOP_ORIGIN);
}

static void
top_origin_not_string(void **state)
{
	(void)state;
	assert_int_equal(verify(CD(OK_ORIGIN ",\"crossOrigin\":true,"
	    "\"topOrigin\":1"), NULL, CROSS | TOP), WA_ERR_CLIENTDATA);
}

/* tokenBinding (Level 2 §5.8.1). */

#define TB(v) CD(OK_ORIGIN ",\"tokenBinding\":" v)

static void
token_binding_valid(void **state)
{
	(void)state;
	assert_int_equal(verify(TB("{\"status\":\"present\",\"id\":\"AAAA\"}"),
	    NULL, 0), WA_OK);
	assert_int_equal(verify(TB("{\"status\":\"supported\"}"), NULL, 0),
	    WA_OK);
	/* Level 1 sent a string; it is ignored. */
	assert_int_equal(verify(TB("\"present\""), NULL, 0), WA_OK);
}

static void
token_binding_bad_status(void **state)
{
	(void)state;
	assert_int_equal(verify(TB("{\"status\":\"not-supported\"}"), NULL, 0),
	    WA_ERR_TOKEN_BINDING);
	assert_int_equal(verify(TB("{\"status\":\"Present\"}"), NULL, 0),
	    WA_ERR_TOKEN_BINDING);
	assert_int_equal(verify(TB("{\"status\":\"\"}"), NULL, 0),
	    WA_ERR_TOKEN_BINDING);
}

static void
token_binding_status_missing(void **state)
{
	(void)state;
	assert_int_equal(verify(TB("{}"), NULL, 0), WA_ERR_TOKEN_BINDING);
	assert_int_equal(verify(TB("{\"id\":\"AAAA\"}"), NULL, 0),
	    WA_ERR_TOKEN_BINDING);
}

static void
token_binding_status_not_string(void **state)
{
	(void)state;
	assert_int_equal(verify(TB("{\"status\":true}"), NULL, 0),
	    WA_ERR_TOKEN_BINDING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted),
		cmocka_unit_test(get_type_accepted),
		cmocka_unit_test(bom_stripped),
		cmocka_unit_test(double_bom),
		cmocka_unit_test(not_json),
		cmocka_unit_test(not_an_object),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(duplicate_member),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(embedded_nul),
		cmocka_unit_test(too_large),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(type_missing),
		cmocka_unit_test(type_not_string),
		cmocka_unit_test(type_get_for_create),
		cmocka_unit_test(type_variants),
		cmocka_unit_test(challenge_missing),
		cmocka_unit_test(challenge_not_string),
		cmocka_unit_test(challenge_other),
		cmocka_unit_test(challenge_padded),
		cmocka_unit_test(challenge_truncated),
		cmocka_unit_test(challenge_extended),
		cmocka_unit_test(challenge_raw_bytes),
		cmocka_unit_test(challenge_huge),
		cmocka_unit_test(origin_missing),
		cmocka_unit_test(origin_not_string),
		cmocka_unit_test(origin_mismatch),
		cmocka_unit_test(origin_apk_key_hash),
		cmocka_unit_test(origin_apk_key_hash_other),
		cmocka_unit_test(cross_origin_refused),
		cmocka_unit_test(cross_origin_allowed),
		cmocka_unit_test(cross_origin_not_boolean),
		cmocka_unit_test(top_origin_allowed),
		cmocka_unit_test(top_origin_not_expected),
		cmocka_unit_test(top_origin_mismatch),
		cmocka_unit_test(top_origin_without_cross_origin),
		cmocka_unit_test(top_origin_missing),
		cmocka_unit_test(top_origin_not_string),
		cmocka_unit_test(token_binding_valid),
		cmocka_unit_test(token_binding_bad_status),
		cmocka_unit_test(token_binding_status_missing),
		cmocka_unit_test(token_binding_status_not_string),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
