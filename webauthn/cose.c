/*
 * cose.c: COSE_Key decoding (RFC 9052 §7, RFC 9053, RFC 8230).
 *
 * Only the key shapes of the supported algorithms are accepted, with
 * exactly their members: EC2 {1,3,-1,-2,-3}, OKP {1,3,-1,-2} and RSA
 * {1,3,-1,-2}.  EC points are checked to lie on their curve when the
 * EVP_PKEY is built.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "extern.h"

#define COSE_KTY	1
#define COSE_ALG	3
#define COSE_KTY_OKP	1
#define COSE_KTY_EC2	2
#define COSE_KTY_RSA	3
#define COSE_CRV_P256	1
#define COSE_CRV_P384	2
#define COSE_CRV_P521	3
#define COSE_CRV_ED25519 6

struct cose_shape {
	int		 alg;
	int		 kty;
	int		 crv;
	size_t		 coord;		/* EC coordinate or OKP key size */
	const char	*group;
};

static const struct cose_shape shapes[] = {
	{ WA_COSE_ES256, COSE_KTY_EC2, COSE_CRV_P256, 32, "P-256" },
	{ WA_COSE_ES384, COSE_KTY_EC2, COSE_CRV_P384, 48, "P-384" },
	{ WA_COSE_ES512, COSE_KTY_EC2, COSE_CRV_P521, 66, "P-521" },
	{ WA_COSE_EDDSA, COSE_KTY_OKP, COSE_CRV_ED25519, 32, NULL },
	{ WA_COSE_RS256, COSE_KTY_RSA, 0, 0, NULL },
	{ WA_COSE_PS256, COSE_KTY_RSA, 0, 0, NULL },
};
#define NSHAPES	(sizeof(shapes) / sizeof(shapes[0]))

#define RSA_MIN_BYTES	256	/* 2048 bits */
#define RSA_MAX_BYTES	512	/* 4096 bits */
#define EC_PT_MAX	(1 + 2 * 66)	/* an uncompressed P-521 point */

void
wa_cose_reset(struct wa_cose *k)
{
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

static const struct cose_shape *
shape_for(int alg)
{
	for (size_t i = 0; i < NSHAPES; i++)
		if (shapes[i].alg == alg)
			return (&shapes[i]);

	return (NULL);
}

/* Every key of the map is one of the integers in keys[]. */
static bool
keys_only(const cbor_item_t *map, const int64_t *keys, size_t n)
{
	struct cbor_pair	*pairs = cbor_map_handle(map);
	int64_t			 v;

	for (size_t i = 0; i < cbor_map_size(map); i++) {
		bool found = false;

		if (wa_cbor_get_int(pairs[i].key, &v) < 0)
			return (false);
		for (size_t k = 0; k < n && !found; k++)
			found = keys[k] == v;
		if (!found)
			return (false);
	}

	return (true);
}

static int
bytes_exact(const cbor_item_t *map, int64_t key, size_t len,
    const unsigned char **p)
{
	size_t n;

	if (wa_cbor_bytes(wa_cbor_map_int(map, key), p, &n) < 0 || n != len)
		return (-1);

	return (0);
}

static int
parse_item(const cbor_item_t *map, struct wa_cose *k,
    const unsigned char **n_ptr, size_t *n_len, const unsigned char **e_ptr,
    size_t *e_len)
{
	static const int64_t ec2_keys[] = { 1, 3, -1, -2, -3 };
	static const int64_t okp_keys[] = { 1, 3, -1, -2 };
	static const int64_t rsa_keys[] = { 1, 3, -1, -2 };
	const struct cose_shape	*s;
	const unsigned char	*x, *y;
	int64_t			 alg, kty, crv;

	if (!cbor_isa_map(map) || wa_cbor_map_bad(map))
		return (WA_ERR_COSE);
	if (wa_cbor_get_int(wa_cbor_map_int(map, COSE_ALG), &alg) < 0)
		return (WA_ERR_COSE);
	if (alg < INT32_MIN || alg > INT32_MAX ||
	    (s = shape_for((int)alg)) == NULL)
		return (WA_ERR_UNSUPPORTED_ALG);
	if (wa_cbor_get_int(wa_cbor_map_int(map, COSE_KTY), &kty) < 0 ||
	    kty != s->kty)
		return (WA_ERR_COSE);
	k->alg = s->alg;
	k->kty = s->kty;
	switch (s->kty) {
	case COSE_KTY_EC2:
	case COSE_KTY_OKP:
		if (wa_cbor_get_int(wa_cbor_map_int(map, -1), &crv) < 0)
			return (WA_ERR_COSE);
		if (crv != s->crv)
			return (s->kty == COSE_KTY_OKP ?
			    WA_ERR_UNSUPPORTED_ALG : WA_ERR_COSE);
		k->crv = s->crv;
		if (s->kty == COSE_KTY_OKP) {
			if (!keys_only(map, okp_keys, 4) ||
			    bytes_exact(map, -2, s->coord, &x) < 0)
				return (WA_ERR_COSE);
			memcpy(k->raw, x, s->coord);
			k->raw_len = s->coord;
			break;
		}
		if (!keys_only(map, ec2_keys, 5) ||
		    bytes_exact(map, -2, s->coord, &x) < 0 ||
		    bytes_exact(map, -3, s->coord, &y) < 0)
			return (WA_ERR_COSE);
		memcpy(k->raw, x, s->coord);
		memcpy(k->raw + s->coord, y, s->coord);
		k->raw_len = 2 * s->coord;
		break;
	case COSE_KTY_RSA:
		if (!keys_only(map, rsa_keys, 4) ||
		    wa_cbor_bytes(wa_cbor_map_int(map, -1), n_ptr, n_len) < 0 ||
		    wa_cbor_bytes(wa_cbor_map_int(map, -2), e_ptr, e_len) < 0)
			return (WA_ERR_COSE);
		/* At least 2048 bits: a full first byte at the minimum. */
		if (*n_len < RSA_MIN_BYTES || *n_len > RSA_MAX_BYTES ||
		    (*n_ptr)[0] == 0 ||
		    (*n_len == RSA_MIN_BYTES && ((*n_ptr)[0] & 0x80) == 0) ||
		    *e_len == 0 || *e_len > 8 ||
		    (*e_ptr)[0] == 0 || ((*e_ptr)[*e_len - 1] & 1) == 0)
			return (WA_ERR_COSE);
		memcpy(k->raw, *n_ptr, *n_len);
		memcpy(k->raw + *n_len, *e_ptr, *e_len);
		k->raw_len = *n_len + *e_len;
		k->n_len = *n_len;
		break;
	}

	return (WA_OK);
}

static int
decode(const unsigned char *p, size_t len, struct wa_cose *k,
    const unsigned char **n_ptr, size_t *n_len, const unsigned char **e_ptr,
    size_t *e_len, cbor_item_t **item)
{
	int r;

	memset(k, 0, sizeof(*k));
	if (len > WA_MAX_COSE_KEY)
		return (WA_ERR_COSE);
	if ((r = wa_cbor_decode(p, len, item)) != WA_OK)
		return (r == WA_ERR_NOMEM ? r : WA_ERR_COSE);

	return (parse_item(*item, k, n_ptr, n_len, e_ptr, e_len));
}

int
wa_cose_parse(const unsigned char *p, size_t len, struct wa_cose *k)
{
	cbor_item_t		*item = NULL;
	const unsigned char	*n = NULL, *e = NULL;
	size_t			 nl = 0, el = 0;
	int			 r;

	r = decode(p, len, k, &n, &nl, &e, &el, &item);
	if (item != NULL)
		cbor_decref(&item);
	if (r != WA_OK)
		memset(k, 0, sizeof(*k));

	return (r);
}

static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX	*ctx = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);

	return (pkey);
}

/*
 * One public P-256, P-384 and P-521 key each, made once.  Building a
 * key from its group's name costs OpenSSL a new EC_GROUP every time, a
 * quarter of an ES256 verification; a copy of a key of the same curve
 * with its point replaced costs a fraction of that, and decoding the
 * point checks that it lies on the curve all the same.
 */
static pthread_once_t	 ec_once = PTHREAD_ONCE_INIT;
static EVP_PKEY		*ec_tmpl[NSHAPES];

static EVP_PKEY *
ec_fromdata(const char *group, const unsigned char *pt, size_t len)
{
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, len) != 1)
		goto fail;
	pkey = pkey_fromdata("EC", bld);
fail:
	OSSL_PARAM_BLD_free(bld);

	return (pkey);
}

/* A template left NULL (no memory) makes ec_pkey() take the long way. */
static void
ec_tmpl_init(void)
{
	EVP_PKEY	*pair;
	unsigned char	 pt[EC_PT_MAX];
	size_t		 len;

	for (size_t i = 0; i < NSHAPES; i++) {
		if (shapes[i].kty != COSE_KTY_EC2)
			continue;
		/* Public only: a copy must not carry a private key. */
		if ((pair = EVP_EC_gen(shapes[i].group)) != NULL &&
		    EVP_PKEY_get_octet_string_param(pair,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len) == 1)
			ec_tmpl[i] = ec_fromdata(shapes[i].group, pt, len);
		EVP_PKEY_free(pair);
	}
}

/*
 * k's point, uncompressed, in pt: its length, or 0 if it cannot be one.
 * (wa_cose_parse() gave it its curve's exact length.)
 */
static size_t
ec_point(const struct wa_cose *k, unsigned char pt[EC_PT_MAX])
{
	if (k->raw_len >= EC_PT_MAX)
		return (0);
	pt[0] = 0x04;
	memcpy(pt + 1, k->raw, k->raw_len);

	return (1 + k->raw_len);
}

/* Replaces pkey's point with k's; decoding it checks it is on the curve. */
static bool
ec_set_point(EVP_PKEY *pkey, const struct wa_cose *k)
{
	unsigned char	pt[EC_PT_MAX];
	size_t		len;

	return ((len = ec_point(k, pt)) != 0 &&
	    EVP_PKEY_set1_encoded_public_key(pkey, pt, len) == 1);
}

static EVP_PKEY *
ec_pkey(const struct cose_shape *s, const struct wa_cose *k)
{
	EVP_PKEY	*pkey, *tmpl;
	unsigned char	 pt[EC_PT_MAX];
	size_t		 len;

	(void)pthread_once(&ec_once, ec_tmpl_init);
	if ((tmpl = ec_tmpl[s - shapes]) == NULL)
		return ((len = ec_point(k, pt)) != 0 ?
		    ec_fromdata(s->group, pt, len) : NULL);
	if ((pkey = EVP_PKEY_dup(tmpl)) != NULL && !ec_set_point(pkey, k)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}

	return (pkey);
}

/*
 * Each thread's own copy of the templates, for wa_cose_verify(): a key
 * of the curve whose point is replaced for one verification and used by
 * nothing else, so that a verification builds no key at all.  A copy of
 * a fresh key costs as much again on its first use as the copy itself.
 */
static pthread_once_t	 thr_once = PTHREAD_ONCE_INIT;
static pthread_key_t	 thr_key;
static bool		 thr_ok;

static void
thr_free(void *p)
{
	EVP_PKEY **k = p;

	for (size_t i = 0; i < NSHAPES; i++)
		EVP_PKEY_free(k[i]);
	free(k);
}

static void
thr_init(void)
{
	thr_ok = pthread_key_create(&thr_key, thr_free) == 0;
}

/* NULL (no memory, no template) makes the caller build a key. */
static EVP_PKEY *
thr_ec(const struct cose_shape *s)
{
	EVP_PKEY	**k;
	size_t		  i = (size_t)(s - shapes);

	(void)pthread_once(&ec_once, ec_tmpl_init);
	(void)pthread_once(&thr_once, thr_init);
	if (!thr_ok || ec_tmpl[i] == NULL)
		return (NULL);
	if ((k = pthread_getspecific(thr_key)) == NULL) {
		if ((k = calloc(NSHAPES, sizeof(*k))) == NULL)
			return (NULL);
		if (pthread_setspecific(thr_key, k) != 0) {
			free(k);
			return (NULL);
		}
	}
	if (k[i] == NULL)
		k[i] = EVP_PKEY_dup(ec_tmpl[i]);

	return (k[i]);
}

static EVP_PKEY *
rsa_pkey(const unsigned char *n, size_t nl, const unsigned char *e,
    size_t el)
{
	OSSL_PARAM_BLD	*bld = NULL;
	BIGNUM		*bn = NULL, *be = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((bn = BN_bin2bn(n, (int)nl, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)el, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1)
		goto fail;
	pkey = pkey_fromdata("RSA", bld);
fail:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);

	return (pkey);
}

int
wa_cose_build(struct wa_cose *k)
{
	const struct cose_shape	*s;

	if (k->pkey != NULL)
		return (WA_OK);
	if ((s = shape_for(k->alg)) == NULL)
		return (WA_ERR_COSE);
	switch (k->kty) {
	case COSE_KTY_EC2:
		k->pkey = ec_pkey(s, k);
		break;
	case COSE_KTY_OKP:
		k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    k->raw, k->raw_len);
		break;
	case COSE_KTY_RSA:
		k->pkey = rsa_pkey(k->raw, k->n_len, k->raw + k->n_len,
		    k->raw_len - k->n_len);
		break;
	}

	return (k->pkey != NULL ? WA_OK : WA_ERR_COSE);
}

int
wa_cose_verify(struct wa_cose *k, const unsigned char *msg, size_t len,
    const unsigned char *sig, size_t sig_len)
{
	const struct cose_shape	*s;
	EVP_PKEY		*pkey;
	int			 r;

	if (k->pkey == NULL && k->kty == COSE_KTY_EC2 &&
	    (s = shape_for(k->alg)) != NULL && (pkey = thr_ec(s)) != NULL) {
		if (!ec_set_point(pkey, k))
			return (WA_ERR_COSE);
		return (wa_sig_verify(pkey, k->alg, msg, len, sig, sig_len));
	}
	if ((r = wa_cose_build(k)) != WA_OK)
		return (r);

	return (wa_sig_verify(k->pkey, k->alg, msg, len, sig, sig_len));
}

int
wa_cose_decode(const unsigned char *p, size_t len, struct wa_cose *k)
{
	int r;

	if ((r = wa_cose_parse(p, len, k)) != WA_OK)
		return (r);
	if ((r = wa_cose_build(k)) != WA_OK)
		wa_cose_reset(k);

	return (r);
}
