/*
 * webauthn_cose.c: COSE_Key decoding (wa_cose_decode, wa_cose_parse):
 * the exact key shape of each supported algorithm, EC points on their
 * curve, RSA sizes, and a clean WA_ERR_UNSUPPORTED_ALG for algorithms
 * the library does not implement (Ed448, RS1, ML-DSA, ES256K).  Keys
 * start from a softauth credential's and change one member.
 */
#include <pthread.h>

#include "regress.h"
#include "webauthn/extern.h"

#define DEL	((cbor_item_t *)NULL)

/* Decodes and frees b. */
static int
decode(struct sa_bytes b)
{
	struct wa_cose	k;
	int		r;

	r = wa_cose_decode(b.ptr, b.len, &k);
	if (r == WA_OK)
		assert_non_null(k.pkey);
	else
		assert_null(k.pkey);
	wa_cose_reset(&k);
	free(b.ptr);

	return (r);
}

static struct sa_bytes
copy_of(const unsigned char *p, size_t n)
{
	struct sa_bytes b = { NULL, 0 };

	assert_int_equal(sa_bytes_set(&b, p, n), 0);

	return (b);
}

static struct sa_bytes
cose_of(size_t alg)
{
	return (copy_of(sa_cred_cose_ptr(cred(alg)),
	    sa_cred_cose_len(cred(alg))));
}

static struct sa_bytes
serialize(cbor_item_t *m)
{
	struct sa_bytes b = { NULL, 0 };

	assert_int_equal(sa_cbor_serialize(m, &b.ptr, &b.len), 0);
	cbor_decref(&m);

	return (b);
}

/*
 * The key of credential alg with member key set to val (stolen), or
 * removed if val is DEL; a new member goes last.
 */
static struct sa_bytes
cose_with(size_t alg, int64_t key, cbor_item_t *val)
{
	struct cbor_load_result	 res;
	struct cbor_pair	*pairs;
	cbor_item_t		*old, *m;
	size_t			 n;
	bool			 found = false;
	int64_t			 k;

	assert_non_null(old = cbor_load(sa_cred_cose_ptr(cred(alg)),
	    sa_cred_cose_len(cred(alg)), &res));
	pairs = cbor_map_handle(old);
	n = cbor_map_size(old);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(wa_cbor_get_int(pairs[i].key, &k), 0);
		found |= k == key;
	}
	assert_non_null(m = cbor_new_definite_map(n + (found ? 0 : 1) -
	    (found && val == DEL ? 1 : 0)));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(wa_cbor_get_int(pairs[i].key, &k), 0);
		if (k != key)
			assert_true(cbor_map_add(m, pairs[i]));
		else if (val != DEL)
			assert_true(cbor_map_add(m, (struct cbor_pair){
			    .key = pairs[i].key, .value = val }));
	}
	if (!found && val != DEL)
		assert_true(cbor_map_add(m, (struct cbor_pair){
		    .key = cbor_move(sa_cbor_int(key)), .value = val }));
	if (val != DEL)
		cbor_decref(&val);
	cbor_decref(&old);

	return (serialize(m));
}

static cbor_item_t *
bytes(size_t n, unsigned char fill)
{
	unsigned char	*p;
	cbor_item_t	*it;

	assert_non_null(p = malloc(n + 1));
	memset(p, fill, n);
	it = cbor_build_bytestring(p, n);
	free(p);

	return (it);
}

/* A map of integer keys to integers (v_bytes == 0) or byte strings. */
struct member {
	int64_t	 key;
	int64_t	 v_int;
	size_t	 v_bytes;
};

static struct sa_bytes
build(const struct member *mb, size_t n)
{
	cbor_item_t *m;

	assert_non_null(m = cbor_new_definite_map(n));
	for (size_t i = 0; i < n; i++)
		assert_true(cbor_map_add(m, (struct cbor_pair){
		    .key = cbor_move(sa_cbor_int(mb[i].key)),
		    .value = cbor_move(mb[i].v_bytes > 0 ?
		    bytes(mb[i].v_bytes, 0x42) : sa_cbor_int(mb[i].v_int)) }));

	return (serialize(m));
}

static void
each_alg_decodes(void **state)
{
	struct wa_cose k;

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		assert_int_equal(wa_cose_decode(sa_cred_cose_ptr(cred(i)),
		    sa_cred_cose_len(cred(i)), &k), WA_OK);
		assert_int_equal(k.alg, regress_cose_alg(i));
		assert_non_null(k.pkey);
		wa_cose_reset(&k);
		assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(cred(i)),
		    sa_cred_cose_len(cred(i)), &k), WA_OK);
		assert_int_equal(k.alg, regress_cose_alg(i));
		assert_null(k.pkey);
		wa_cose_reset(&k);
	}
}

static void
off_curve_point(void **state)
{
	(void)state;
	/* y is the last member: change its last byte. */
	for (size_t i = ALG_ES256; i <= ALG_ES512; i++) {
		struct sa_bytes b = cose_of(i);

		b.ptr[b.len - 1] ^= 0x01;
		assert_int_equal(decode(b), WA_ERR_COSE);
	}
}

static void
coordinate_beyond_field(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, -2, bytes(32, 0xff))),
	    WA_ERR_COSE);
}

static void
zero_point(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, -2, bytes(32, 0))),
	    WA_ERR_COSE);
}

static void
coordinate_short(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, -2, bytes(31, 1))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_ES384, -3, bytes(49, 1))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_EDDSA, -2, bytes(31, 1))),
	    WA_ERR_COSE);
}

static void
coordinate_missing(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, -3, DEL)), WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_EDDSA, -2, DEL)), WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_RS256, -1, DEL)), WA_ERR_COSE);
}

static void
coordinate_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, -2, sa_cbor_int(1))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_ES256, -3,
	    cbor_build_bool(true))), WA_ERR_COSE);
}

static void
extra_member(void **state)
{
	(void)state;
	/* A private key member, or an unknown label. */
	assert_int_equal(decode(cose_with(ALG_ES256, -4, bytes(32, 1))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_EDDSA, 2, bytes(4, 1))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_RS256, -3, bytes(4, 1))),
	    WA_ERR_COSE);
}

static void
text_label(void **state)
{
	struct sa_bytes	 b = cose_of(ALG_ES256);
	cbor_item_t	*m, *old;
	struct cbor_load_result res;

	(void)state;
	assert_non_null(old = cbor_load(b.ptr, b.len, &res));
	free(b.ptr);
	assert_non_null(m = cbor_new_definite_map(6));
	for (size_t i = 0; i < 5; i++)
		assert_true(cbor_map_add(m, cbor_map_handle(old)[i]));
	assert_true(cbor_map_add(m, (struct cbor_pair){
	    .key = cbor_move(cbor_build_string("x")),
	    .value = cbor_move(sa_cbor_int(1)) }));
	cbor_decref(&old);
	assert_int_equal(decode(serialize(m)), WA_ERR_COSE);
}

static void
kty_missing(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, 1, DEL)), WA_ERR_COSE);
}

static void
kty_mismatch(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, 1, sa_cbor_int(3))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_EDDSA, 1, sa_cbor_int(2))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_RS256, 1, sa_cbor_int(2))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_ES256, 1,
	    cbor_build_string("EC2"))), WA_ERR_COSE);
}

static void
curve_mismatch(void **state)
{
	(void)state;
	/* ES256 names P-256; a P-384 label is a malformed key. */
	assert_int_equal(decode(cose_with(ALG_ES256, -1, sa_cbor_int(2))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_ES384, -1, sa_cbor_int(1))),
	    WA_ERR_COSE);
	assert_int_equal(decode(cose_with(ALG_ES256, -1, DEL)), WA_ERR_COSE);
}

static void
alg_missing(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, 3, DEL)), WA_ERR_COSE);
}

static void
alg_not_int(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, 3,
	    cbor_build_string("ES256"))), WA_ERR_COSE);
}

static void
alg_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, 3,
	    sa_cbor_int(-((int64_t)1 << 40)))), WA_ERR_UNSUPPORTED_ALG);
}

static void
ed448_okp(void **state)
{
	static const struct member m[] = {
		{ 1, 1, 0 }, { 3, -8, 0 }, { -1, 7, 0 }, { -2, 0, 57 },
	};

	(void)state;
	assert_int_equal(decode(build(m, 4)), WA_ERR_UNSUPPORTED_ALG);
}

static void
ed448_fully_specified(void **state)
{
	static const struct member m[] = {
		{ 1, 1, 0 }, { 3, -53, 0 }, { -1, 7, 0 }, { -2, 0, 57 },
	};

	(void)state;
	assert_int_equal(decode(build(m, 4)), WA_ERR_UNSUPPORTED_ALG);
}

static void
x25519_curve(void **state)
{
	(void)state;
	/* An EdDSA key on the X25519 (ECDH) curve. */
	assert_int_equal(decode(cose_with(ALG_EDDSA, -1, sa_cbor_int(4))),
	    WA_ERR_UNSUPPORTED_ALG);
}

static void
rs1(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_RS256, 3,
	    sa_cbor_int(WA_COSE_RS1))), WA_ERR_UNSUPPORTED_ALG);
}

static void
ml_dsa(void **state)
{
	/* AKP (7) keys: ML-DSA-44, -65 and -87 (-48, -49, -50). */
	static const struct member m44[] = {
		{ 1, 7, 0 }, { 3, -48, 0 }, { -1, 0, 1312 },
	};
	static const struct member m65[] = {
		{ 1, 7, 0 }, { 3, -49, 0 }, { -1, 0, 1952 },
	};
	static const struct member m87[] = {
		{ 1, 7, 0 }, { 3, -50, 0 }, { -1, 0, 2592 },
	};

	(void)state;
	assert_int_equal(decode(build(m44, 3)), WA_ERR_UNSUPPORTED_ALG);
	assert_int_equal(decode(build(m65, 3)), WA_ERR_UNSUPPORTED_ALG);
	assert_int_equal(decode(build(m87, 3)), WA_ERR_UNSUPPORTED_ALG);
}

static void
es256k(void **state)
{
	static const struct member m[] = {
		{ 1, 2, 0 }, { 3, -47, 0 }, { -1, 8, 0 }, { -2, 0, 32 },
		{ -3, 0, 32 },
	};

	(void)state;
	assert_int_equal(decode(build(m, 5)), WA_ERR_UNSUPPORTED_ALG);
}

static void
ecdh_alg(void **state)
{
	(void)state;
	/* ECDH-ES + HKDF-256 is a key agreement algorithm. */
	assert_int_equal(decode(cose_with(ALG_ES256, 3, sa_cbor_int(-25))),
	    WA_ERR_UNSUPPORTED_ALG);
}

static void
rsa_1024_bits(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_RS256, -1, bytes(128, 0xc5))),
	    WA_ERR_COSE);
}

/*
 * A 256-byte modulus whose top bits are clear is shorter than the
 * 2048 bits the library requires (RSA_MIN_BYTES, and wa_sig_verify()
 * refuses such a key), so the key is malformed at registration already.
 */
static void
rsa_modulus_under_2048_bits(void **state)
{
	struct sa_bytes b = cose_of(ALG_RS256);

	(void)state;
	/* a4 01 03 03 39 0100 20 59 0100 <n> ...: n starts at 11. */
	assert_int_equal(b.ptr[8], 0x59);
	b.ptr[11] = 0x01;
	assert_int_equal(decode(b), WA_ERR_COSE);
}

static void
rsa_modulus_too_long(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_RS256, -1, bytes(513, 0xc5))),
	    WA_ERR_COSE);
}

static void
rsa_modulus_leading_zero(void **state)
{
	struct cbor_load_result	 res;
	cbor_item_t		*n;
	unsigned char		 buf[257];

	(void)state;
	/* The credential's modulus with a zero byte in front. */
	assert_non_null(n = cbor_load(sa_cred_cose_ptr(cred(ALG_RS256)) + 8,
	    3 + 256, &res));
	buf[0] = 0;
	memcpy(buf + 1, cbor_bytestring_handle(n), 256);
	cbor_decref(&n);
	assert_int_equal(decode(cose_with(ALG_RS256, -1,
	    cbor_build_bytestring(buf, sizeof(buf)))), WA_ERR_COSE);
}

static void
rsa_exponent_even(void **state)
{
	static const unsigned char e[] = { 0x01, 0x00, 0x00 };

	(void)state;
	assert_int_equal(decode(cose_with(ALG_RS256, -2,
	    cbor_build_bytestring(e, sizeof(e)))), WA_ERR_COSE);
}

static void
rsa_exponent_empty(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_RS256, -2,
	    cbor_build_bytestring((const unsigned char *)"", 0))),
	    WA_ERR_COSE);
}

static void
rsa_exponent_too_long(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_RS256, -2, bytes(9, 0x01))),
	    WA_ERR_COSE);
}

static void
trailing_bytes(void **state)
{
	struct sa_bytes b = cose_of(ALG_ES256);

	(void)state;
	assert_int_equal(sa_bytes_append(&b, "", 1), 0);
	assert_int_equal(decode(b), WA_ERR_COSE);
}

static void
truncated(void **state)
{
	struct sa_bytes b = cose_of(ALG_ES256);

	(void)state;
	b.len--;
	assert_int_equal(decode(b), WA_ERR_COSE);
}

static void
duplicate_label(void **state)
{
	struct sa_bytes b = cose_of(ALG_ES256);

	(void)state;
	/* a5 01 02 03 26 20 01 ...: make the alg label (3) a second 1. */
	assert_int_equal(b.ptr[3], 0x03);
	b.ptr[3] = 0x01;
	assert_int_equal(decode(b), WA_ERR_COSE);
}

static void
indefinite_map(void **state)
{
	struct sa_bytes b = cose_of(ALG_ES256);

	(void)state;
	b.ptr[0] = 0xbf;
	assert_int_equal(sa_bytes_append(&b, "\xff", 1), 0);
	assert_int_equal(decode(b), WA_ERR_COSE);
}

static void
not_a_map(void **state)
{
	(void)state;
	assert_int_equal(decode(copy_of((const unsigned char *)"\x80", 1)),
	    WA_ERR_COSE);
	assert_int_equal(decode(copy_of((const unsigned char *)"\x43\x01\x02"
	    "\x03", 4)), WA_ERR_COSE);
}

static void
over_cap(void **state)
{
	(void)state;
	assert_int_equal(decode(cose_with(ALG_ES256, -4,
	    bytes(WA_MAX_COSE_KEY, 1))), WA_ERR_COSE);
}

/*
 * wa_cose_verify(): an EC2 key from wa_cose_parse() is verified with a
 * key the thread keeps, its point replaced each time.  The point of one
 * key must never verify for another, whatever order they come in; a
 * point off the curve is refused and spoils nothing; every curve, a key
 * already built, and a second thread all verify.
 */
static const unsigned char vmsg[] = "authenticatorData || clientDataHash";

static void
sign_with(const struct sa_cred *c, unsigned char **sig, size_t *len)
{
	assert_int_equal(sa_cred_sign(c, vmsg, sizeof(vmsg), sig, len), 0);
}

static int
verify_parsed(const struct sa_cred *c, const unsigned char *sig,
    size_t len)
{
	struct wa_cose	k;
	int		r;

	assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(c),
	    sa_cred_cose_len(c), &k), WA_OK);
	r = wa_cose_verify(&k, vmsg, sizeof(vmsg), sig, len);
	/* The thread's key is lent for the call, never kept in k. */
	assert_null(k.pkey);
	wa_cose_reset(&k);

	return (r);
}

static void
verify_key_per_call(void **state)
{
	struct sa_cred	*other;
	unsigned char	*sig, *osig;
	size_t		 len, olen;

	(void)state;
	for (size_t i = ALG_ES256; i <= ALG_ES512; i++) {
		assert_non_null(other = sa_cred_new(regress_cose_alg(i)));
		sign_with(cred(i), &sig, &len);
		sign_with(other, &osig, &olen);
		assert_int_equal(verify_parsed(cred(i), sig, len), WA_OK);
		assert_int_equal(verify_parsed(other, sig, len), WA_ERR_SIG);
		assert_int_equal(verify_parsed(cred(i), osig, olen),
		    WA_ERR_SIG);
		assert_int_equal(verify_parsed(other, osig, olen), WA_OK);
		assert_int_equal(verify_parsed(cred(i), sig, len), WA_OK);
		/* A changed message fails with the right key too. */
		{
			struct wa_cose k;

			assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(
			    cred(i)), sa_cred_cose_len(cred(i)), &k), WA_OK);
			assert_int_equal(wa_cose_verify(&k, vmsg,
			    sizeof(vmsg) - 1, sig, len), WA_ERR_SIG);
			wa_cose_reset(&k);
		}
		free(sig);
		free(osig);
		sa_cred_free(&other);
	}
}

static void
verify_off_curve(void **state)
{
	struct wa_cose	 k;
	unsigned char	*sig;
	size_t		 len;

	(void)state;
	for (size_t i = ALG_ES256; i <= ALG_ES512; i++) {
		sign_with(cred(i), &sig, &len);
		assert_int_equal(verify_parsed(cred(i), sig, len), WA_OK);
		/* wa_cose_parse() leaves the curve check to the build. */
		assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(cred(i)),
		    sa_cred_cose_len(cred(i)), &k), WA_OK);
		k.raw[k.raw_len - 1] ^= 0x01;
		assert_int_equal(wa_cose_verify(&k, vmsg, sizeof(vmsg), sig,
		    len), WA_ERR_COSE);
		wa_cose_reset(&k);
		assert_int_equal(verify_parsed(cred(i), sig, len), WA_OK);
		free(sig);
	}
}

static void
verify_built_and_other_algs(void **state)
{
	struct wa_cose	 k;
	unsigned char	*sig;
	size_t		 len;

	(void)state;
	for (size_t i = 0; i < NALGS; i++) {
		sign_with(cred(i), &sig, &len);
		assert_int_equal(wa_cose_decode(sa_cred_cose_ptr(cred(i)),
		    sa_cred_cose_len(cred(i)), &k), WA_OK);
		assert_non_null(k.pkey);
		assert_int_equal(wa_cose_verify(&k, vmsg, sizeof(vmsg), sig,
		    len), WA_OK);
		wa_cose_reset(&k);
		/* Not EC2: built for the call, and kept. */
		assert_int_equal(wa_cose_parse(sa_cred_cose_ptr(cred(i)),
		    sa_cred_cose_len(cred(i)), &k), WA_OK);
		assert_int_equal(wa_cose_verify(&k, vmsg, sizeof(vmsg), sig,
		    len), WA_OK);
		if (i > ALG_ES512)
			assert_non_null(k.pkey);
		else
			assert_null(k.pkey);
		wa_cose_reset(&k);
		free(sig);
	}
}

struct thr_arg {
	unsigned char	*sig[ALG_ES512 + 1];
	size_t		 len[ALG_ES512 + 1];
	int		 r[2 * (ALG_ES512 + 1)];
};

static void *
verify_thread(void *p)
{
	struct thr_arg *t = p;

	for (size_t i = ALG_ES256; i <= ALG_ES512; i++) {
		t->r[2 * i] = verify_parsed(cred(i), t->sig[i], t->len[i]);
		/* Another curve's signature, as DER, must not pass. */
		t->r[2 * i + 1] = verify_parsed(cred(i),
		    t->sig[(i + 1) % (ALG_ES512 + 1)],
		    t->len[(i + 1) % (ALG_ES512 + 1)]);
	}

	return (NULL);
}

static void
verify_in_threads(void **state)
{
	struct thr_arg	 t[4];
	pthread_t	 th[4];

	(void)state;
	for (size_t n = 0; n < 4; n++) {
		memset(&t[n], 0, sizeof(t[n]));
		for (size_t i = ALG_ES256; i <= ALG_ES512; i++)
			sign_with(cred(i), &t[n].sig[i], &t[n].len[i]);
	}
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(pthread_create(&th[n], NULL, verify_thread,
		    &t[n]), 0);
	for (size_t n = 0; n < 4; n++) {
		assert_int_equal(pthread_join(th[n], NULL), 0);
		for (size_t i = ALG_ES256; i <= ALG_ES512; i++) {
			assert_int_equal(t[n].r[2 * i], WA_OK);
			assert_int_not_equal(t[n].r[2 * i + 1], WA_OK);
			free(t[n].sig[i]);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_alg_decodes),
		cmocka_unit_test(verify_key_per_call),
		cmocka_unit_test(verify_off_curve),
		cmocka_unit_test(verify_built_and_other_algs),
		cmocka_unit_test(verify_in_threads),
		cmocka_unit_test(off_curve_point),
		cmocka_unit_test(coordinate_beyond_field),
		cmocka_unit_test(zero_point),
		cmocka_unit_test(coordinate_short),
		cmocka_unit_test(coordinate_missing),
		cmocka_unit_test(coordinate_not_bytes),
		cmocka_unit_test(extra_member),
		cmocka_unit_test(text_label),
		cmocka_unit_test(kty_missing),
		cmocka_unit_test(kty_mismatch),
		cmocka_unit_test(curve_mismatch),
		cmocka_unit_test(alg_missing),
		cmocka_unit_test(alg_not_int),
		cmocka_unit_test(alg_out_of_range),
		cmocka_unit_test(ed448_okp),
		cmocka_unit_test(ed448_fully_specified),
		cmocka_unit_test(x25519_curve),
		cmocka_unit_test(rs1),
		cmocka_unit_test(ml_dsa),
		cmocka_unit_test(es256k),
		cmocka_unit_test(ecdh_alg),
		cmocka_unit_test(rsa_1024_bits),
		cmocka_unit_test(rsa_modulus_under_2048_bits),
		cmocka_unit_test(rsa_modulus_too_long),
		cmocka_unit_test(rsa_modulus_leading_zero),
		cmocka_unit_test(rsa_exponent_even),
		cmocka_unit_test(rsa_exponent_empty),
		cmocka_unit_test(rsa_exponent_too_long),
		cmocka_unit_test(trailing_bytes),
		cmocka_unit_test(truncated),
		cmocka_unit_test(duplicate_label),
		cmocka_unit_test(indefinite_map),
		cmocka_unit_test(not_a_map),
		cmocka_unit_test(over_cap),
	};

	return (GROUP(tests));
}
