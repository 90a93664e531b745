/*
 * webauthn_authdata.c: authenticator data (WebAuthn §6.1) as
 * wa_authdata_parse() reads it, and the checks of wa_authdata_check()
 * (§7.1 steps 14-17, §7.2 steps 15-18).  Each case builds the bytes
 * with one field wrong.
 */
#include <openssl/sha.h>

#include "regress.h"
#include "webauthn/extern.h"

/* rpIdHash flags signCount [aaguid idLen id key] [ext] [tail]. */
struct ad_spec {
	uint8_t			 flags;
	uint32_t		 count;
	size_t			 id_len;	/* with AT */
	const unsigned char	*key;		/* NULL: ES256 credential */
	size_t			 key_len;
	const unsigned char	*ext;
	size_t			 ext_len;
	size_t			 tail;		/* zero bytes appended */
};

static struct sa_bytes
build(const struct ad_spec *s)
{
	struct sa_bytes	 b = { NULL, 0 };
	unsigned char	 hdr[37], idl[2], *id;

	SHA256((const unsigned char *)RP_ID, strlen(RP_ID), hdr);
	hdr[32] = s->flags;
	hdr[33] = (unsigned char)(s->count >> 24);
	hdr[34] = (unsigned char)(s->count >> 16);
	hdr[35] = (unsigned char)(s->count >> 8);
	hdr[36] = (unsigned char)s->count;
	assert_int_equal(sa_bytes_set(&b, hdr, sizeof(hdr)), 0);
	if (s->flags & WA_FLAG_AT) {
		idl[0] = (unsigned char)(s->id_len >> 8);
		idl[1] = (unsigned char)s->id_len;
		assert_non_null(id = calloc(1, s->id_len + 1));
		assert_int_equal(sa_bytes_append(&b, SA_AAGUID, 16), 0);
		assert_int_equal(sa_bytes_append(&b, idl, 2), 0);
		assert_int_equal(sa_bytes_append(&b, id, s->id_len), 0);
		free(id);
		if (s->key != NULL)
			assert_int_equal(sa_bytes_append(&b, s->key,
			    s->key_len), 0);
		else
			assert_int_equal(sa_bytes_append(&b,
			    sa_cred_cose_ptr(cred(ALG_ES256)),
			    sa_cred_cose_len(cred(ALG_ES256))), 0);
	}
	if (s->ext != NULL)
		assert_int_equal(sa_bytes_append(&b, s->ext, s->ext_len), 0);
	for (size_t i = 0; i < s->tail; i++)
		assert_int_equal(sa_bytes_append(&b, "", 1), 0);

	return (b);
}

static int
parse(const struct ad_spec *s, struct wa_authdata *ad)
{
	struct sa_bytes	b = build(s);
	int		r;

	r = wa_authdata_parse(b.ptr, b.len, ad);
	free(b.ptr);

	return (r);
}

/* credProtect: 1, as a CTAP2 authenticator reports it. */
static const unsigned char ext_map[] = {
	0xa1, 0x6b, 'c', 'r', 'e', 'd', 'P', 'r', 'o', 't', 'e', 'c', 't',
	0x01,
};

static void
minimal_assertion_data(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP,
				    .count = 0x01020304 };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_OK);
	assert_int_equal(ad.flags, WA_FLAG_UP);
	assert_int_equal(ad.sign_count, 0x01020304);
	assert_null(ad.cred_id);
	assert_null(ad.ext);
}

static void
attested_data(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT,
				    .id_len = 32 };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_OK);
	assert_int_equal(ad.cred_id_len, 32);
	assert_int_equal(ad.pubkey_len, sa_cred_cose_len(cred(ALG_ES256)));
	assert_memory_equal(ad.pubkey, sa_cred_cose_ptr(cred(ALG_ES256)),
	    ad.pubkey_len);
	assert_memory_equal(ad.aaguid, SA_AAGUID, 16);
}

static void
truncated_header(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP };
	struct sa_bytes		b = build(&s);
	struct wa_authdata	ad;

	(void)state;
	for (size_t n = 0; n < b.len; n++)
		assert_int_equal(wa_authdata_parse(b.ptr, n, &ad),
		    WA_ERR_AUTHDATA);
	free(b.ptr);
}

static void
trailing_bytes(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP, .tail = 1 };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
trailing_bytes_after_key(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT,
				    .id_len = 16, .tail = 1 };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
cred_id_empty(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_CRED_ID);
}

static void
cred_id_1023(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT,
				    .id_len = 1023 };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_OK);
	assert_int_equal(ad.cred_id_len, 1023);
}

static void
cred_id_1024(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT,
				    .id_len = 1024 };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_CRED_ID);
}

static void
cred_id_past_end(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT,
				    .id_len = 16 };
	struct sa_bytes		b = build(&s);
	struct wa_authdata	ad;

	(void)state;
	/* Cut inside the credential id. */
	assert_int_equal(wa_authdata_parse(b.ptr, 37 + 16 + 2 + 8, &ad),
	    WA_ERR_AUTHDATA);
	/* Cut right after it: no key. */
	assert_int_equal(wa_authdata_parse(b.ptr, 37 + 16 + 2 + 16, &ad),
	    WA_ERR_AUTHDATA);
	/* Cut inside the key. */
	assert_int_equal(wa_authdata_parse(b.ptr, b.len - 1, &ad),
	    WA_ERR_AUTHDATA);
	free(b.ptr);
}

static void
key_indefinite_map(void **state)
{
	static const unsigned char key[] = { 0xbf, 0x01, 0x02, 0xff };
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT,
				    .id_len = 16, .key = key,
				    .key_len = sizeof(key) };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
key_over_cap(void **state)
{
	unsigned char		*key;
	size_t			 n = WA_MAX_COSE_KEY + 8;
	struct ad_spec		 s = { .flags = WA_FLAG_UP | WA_FLAG_AT,
				    .id_len = 16 };
	struct wa_authdata	 ad;

	(void)state;
	/* {1: h'00...'} one byte longer than the cap allows. */
	assert_non_null(key = calloc(1, n));
	key[0] = 0xa1;
	key[1] = 0x01;
	key[2] = 0x59;
	key[3] = (unsigned char)((n - 5) >> 8);
	key[4] = (unsigned char)(n - 5);
	s.key = key;
	s.key_len = n;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
	free(key);
}

static void
extensions(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_ED,
				    .ext = ext_map,
				    .ext_len = sizeof(ext_map) };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_OK);
	assert_int_equal(ad.ext_len, sizeof(ext_map));
}

static void
extensions_after_key(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_AT |
				    WA_FLAG_ED, .id_len = 16, .ext = ext_map,
				    .ext_len = sizeof(ext_map) };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_OK);
	assert_int_equal(ad.ext_len, sizeof(ext_map));
	assert_int_equal(ad.pubkey_len, sa_cred_cose_len(cred(ALG_ES256)));
}

static void
ed_without_extensions(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_ED };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
extensions_without_ed(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP, .ext = ext_map,
				    .ext_len = sizeof(ext_map) };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
extensions_not_a_map(void **state)
{
	static const unsigned char arr[] = { 0x81, 0x01 };
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_ED,
				    .ext = arr, .ext_len = sizeof(arr) };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
extensions_indefinite(void **state)
{
	static const unsigned char m[] = { 0xbf, 0x61, 'a', 0x01, 0xff };
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_ED,
				    .ext = m, .ext_len = sizeof(m) };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
extensions_trailing_bytes(void **state)
{
	struct ad_spec		s = { .flags = WA_FLAG_UP | WA_FLAG_ED,
				    .ext = ext_map, .ext_len = sizeof(ext_map),
				    .tail = 1 };
	struct wa_authdata	ad;

	(void)state;
	assert_int_equal(parse(&s, &ad), WA_ERR_AUTHDATA);
}

static void
over_cap(void **state)
{
	unsigned char		*p;
	struct wa_authdata	 ad;

	(void)state;
	assert_non_null(p = calloc(1, WA_MAX_AUTHDATA + 1));
	assert_int_equal(wa_authdata_parse(p, WA_MAX_AUTHDATA + 1, &ad),
	    WA_ERR_AUTHDATA);
	assert_int_equal(wa_authdata_parse(NULL, 37, &ad), WA_ERR_AUTHDATA);
	free(p);
}

/* wa_authdata_check(). */

static int
check(uint8_t flags, const char *rp_id, bool uv, bool no_up)
{
	struct ad_spec		 s = { .flags = flags };
	struct wa_authdata	 ad;
	struct sa_bytes		 b = build(&s);
	struct wa_rp		*rp = rp_new();
	int			 r;

	if (rp_id != NULL)
		assert_int_equal(wa_rp_set_id(rp, rp_id), WA_OK);
	assert_int_equal(wa_rp_set_require_uv(rp, uv), WA_OK);
	assert_int_equal(wa_rp_set_insecure_no_user_presence(rp, no_up),
	    WA_OK);
	assert_int_equal(wa_authdata_parse(b.ptr, b.len, &ad), WA_OK);
	r = wa_authdata_check(rp, &ad);
	wa_rp_free(&rp);
	free(b.ptr);

	return (r);
}

static void
check_ok(void **state)
{
	(void)state;
	assert_int_equal(check(WA_FLAG_UP, NULL, false, false), WA_OK);
	assert_int_equal(check(WA_FLAG_UP | WA_FLAG_UV, NULL, true, false),
	    WA_OK);
	assert_int_equal(check(WA_FLAG_UP | WA_FLAG_BE, NULL, false, false),
	    WA_OK);
	assert_int_equal(check(WA_FLAG_UP | WA_FLAG_BE | WA_FLAG_BS, NULL,
	    false, false), WA_OK);
}

static void
check_rpid_mismatch(void **state)
{
	(void)state;
	assert_int_equal(check(WA_FLAG_UP, "example.org", false, false),
	    WA_ERR_RPID);
	assert_int_equal(check(WA_FLAG_UP, "www.example.com", false, false),
	    WA_ERR_RPID);
}

static void
check_up_clear(void **state)
{
	(void)state;
	assert_int_equal(check(WA_FLAG_UV, NULL, false, false), WA_ERR_UP);
	assert_int_equal(check(0, NULL, false, true), WA_OK);
}

static void
check_uv_required(void **state)
{
	(void)state;
	assert_int_equal(check(WA_FLAG_UP, NULL, true, false), WA_ERR_UV);
}

static void
check_bs_without_be(void **state)
{
	(void)state;
	assert_int_equal(check(WA_FLAG_UP | WA_FLAG_BS, NULL, false, false),
	    WA_ERR_BACKUP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_assertion_data),
		cmocka_unit_test(attested_data),
		cmocka_unit_test(truncated_header),
		cmocka_unit_test(trailing_bytes),
		cmocka_unit_test(trailing_bytes_after_key),
		cmocka_unit_test(cred_id_empty),
		cmocka_unit_test(cred_id_1023),
		cmocka_unit_test(cred_id_1024),
		cmocka_unit_test(cred_id_past_end),
		cmocka_unit_test(key_indefinite_map),
		cmocka_unit_test(key_over_cap),
		cmocka_unit_test(extensions),
		cmocka_unit_test(extensions_after_key),
		cmocka_unit_test(ed_without_extensions),
		cmocka_unit_test(extensions_without_ed),
		cmocka_unit_test(extensions_not_a_map),
		cmocka_unit_test(extensions_indefinite),
		cmocka_unit_test(extensions_trailing_bytes),
		cmocka_unit_test(over_cap),
		cmocka_unit_test(check_ok),
		cmocka_unit_test(check_rpid_mismatch),
		cmocka_unit_test(check_up_clear),
		cmocka_unit_test(check_uv_required),
		cmocka_unit_test(check_bs_without_be),
	};

	return (GROUP(tests));
}
