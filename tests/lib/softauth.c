/*
 * softauth.c: a software authenticator and client for tests (see
 * softauth.h).  It builds, in order, what a browser and a CTAP2
 * authenticator build: clientDataJSON, its hash, authenticator data, the
 * signature or attestation statement over both, the attestation object
 * in CTAP2 canonical CBOR, and the toJSON() text.  Each step runs its
 * hook, if any, before the next step covers it.
 *
 * Nothing here is shared between calls except sa_ca_default(), which is
 * created under pthread_once(), so calls on different objects may run
 * concurrently.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "webauthn/webauthn.h"
#include "softauth.h"

#define SA_ID_LEN	32
#define SA_HASH_LEN	32

struct sa_cred {
	int		 alg;
	EVP_PKEY	*pkey;
	unsigned char	*id;
	size_t		 id_len;
	unsigned char	*cose;
	size_t		 cose_len;
};

struct sa_ca {
	EVP_PKEY	*pkey;
	X509		*cert;
	unsigned char	*der;
	size_t		 der_len;
};

/* Byte buffers. */

int
sa_bytes_set(struct sa_bytes *b, const void *p, size_t n)
{
	unsigned char *q;

	if ((q = malloc(n == 0 ? 1 : n)) == NULL)
		return (-1);
	if (n > 0)
		memcpy(q, p, n);
	free(b->ptr);
	b->ptr = q;
	b->len = n;

	return (0);
}

int
sa_bytes_append(struct sa_bytes *b, const void *p, size_t n)
{
	unsigned char *q;

	if ((q = realloc(b->ptr, b->len + n + 1)) == NULL)
		return (-1);
	if (n > 0)
		memcpy(q + b->len, p, n);
	b->ptr = q;
	b->len += n;

	return (0);
}

static void
bytes_reset(struct sa_bytes *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
}

/* Base64url. */

static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
sa_b64url(const unsigned char *p, size_t n)
{
	char		*s;
	size_t		 o = 0;
	uint32_t	 acc = 0;
	unsigned int	 bits = 0;

	if ((s = malloc(n / 3 * 4 + 5)) == NULL)
		return (NULL);
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			s[o++] = b64url_chars[(acc >> bits) & 0x3f];
		}
		acc &= (1U << bits) - 1;
	}
	if (bits > 0)
		s[o++] = b64url_chars[(acc << (6 - bits)) & 0x3f];
	s[o] = '\0';

	return (s);
}

/* Lenient on purpose: tests read back what softauth wrote. */
static int
b64url_decode(const char *s, size_t n, unsigned char **out, size_t *out_len)
{
	unsigned char	*p;
	uint32_t	 acc = 0;
	unsigned int	 bits = 0;
	size_t		 o = 0;

	if ((p = malloc(n / 4 * 3 + 3)) == NULL)
		return (-1);
	for (size_t i = 0; i < n; i++) {
		const char *c = strchr(b64url_chars, s[i]);

		if (s[i] == '\0' || c == NULL) {
			free(p);
			return (-1);
		}
		acc = (acc << 6) | (uint32_t)(c - b64url_chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[o++] = (unsigned char)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	*out = p;
	*out_len = o;

	return (0);
}

/* CBOR. */

cbor_item_t *
sa_cbor_int(int64_t v)
{
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);
	cbor_item_t *it;

	if (u <= UINT8_MAX)
		it = v >= 0 ? cbor_build_uint8((uint8_t)u) :
		    cbor_build_negint8((uint8_t)u);
	else if (u <= UINT16_MAX)
		it = v >= 0 ? cbor_build_uint16((uint16_t)u) :
		    cbor_build_negint16((uint16_t)u);
	else if (u <= UINT32_MAX)
		it = v >= 0 ? cbor_build_uint32((uint32_t)u) :
		    cbor_build_negint32((uint32_t)u);
	else
		it = v >= 0 ? cbor_build_uint64(u) : cbor_build_negint64(u);

	return (it);
}

/* CTAP2 canonical order of text keys: shorter first, then bytewise. */
static int
text_key_cmp(const cbor_item_t *a, const cbor_item_t *b)
{
	size_t al, bl;

	if (!cbor_isa_string(a) || !cbor_isa_string(b))
		return (-1);
	al = cbor_string_length(a);
	bl = cbor_string_length(b);
	if (al != bl)
		return (al < bl ? -1 : 1);

	return (memcmp(cbor_string_handle(a), cbor_string_handle(b), al));
}

static bool
text_key_is(const cbor_item_t *k, const char *s)
{
	return (cbor_isa_string(k) && cbor_string_length(k) == strlen(s) &&
	    memcmp(cbor_string_handle(k), s, strlen(s)) == 0);
}

static bool
map_add(cbor_item_t *m, cbor_item_t *k, cbor_item_t *v)
{
	return (cbor_map_add(m, (struct cbor_pair){ .key = k, .value = v }));
}

/* A copy of *map without key and, if val != NULL, with key: val. */
static int
map_rebuild(cbor_item_t **map, const char *key, cbor_item_t *val)
{
	struct cbor_pair	*pairs;
	cbor_item_t		*m = NULL, *k = NULL;
	size_t			 n, keep = 0;
	bool			 placed = val == NULL;
	int			 r = -1;

	if (*map == NULL || !cbor_isa_map(*map))
		goto fail;
	pairs = cbor_map_handle(*map);
	n = cbor_map_size(*map);
	for (size_t i = 0; i < n; i++)
		if (!text_key_is(pairs[i].key, key))
			keep++;
	if ((k = cbor_build_string(key)) == NULL ||
	    (m = cbor_new_definite_map(keep + (val != NULL))) == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (text_key_is(pairs[i].key, key))
			continue;
		if (!placed && text_key_cmp(k, pairs[i].key) < 0) {
			if (!map_add(m, k, val))
				goto fail;
			placed = true;
		}
		if (!map_add(m, pairs[i].key, pairs[i].value))
			goto fail;
	}
	if (!placed && !map_add(m, k, val))
		goto fail;
	cbor_decref(map);
	*map = m;
	m = NULL;

	r = 0;
fail:
	if (m != NULL)
		cbor_decref(&m);
	if (k != NULL)
		cbor_decref(&k);

	return (r);
}

int
sa_cbor_map_put(cbor_item_t **map, const char *key, cbor_item_t *val)
{
	int r;

	if (val == NULL)
		return (-1);
	r = map_rebuild(map, key, val);
	cbor_decref(&val);

	return (r);
}

int
sa_cbor_map_del(cbor_item_t **map, const char *key)
{
	return (map_rebuild(map, key, NULL));
}

int
sa_cbor_serialize(const cbor_item_t *item, unsigned char **out,
    size_t *out_len)
{
	size_t cap;

	*out = NULL;
	*out_len = cbor_serialize_alloc(item, out, &cap);
	if (*out_len == 0) {
		free(*out);
		*out = NULL;
		return (-1);
	}

	return (0);
}

/* Keys and signatures. */

static const EVP_MD *
alg_md(int alg)
{
	switch (alg) {
	case WA_COSE_ES256:
	case WA_COSE_RS256:
	case WA_COSE_PS256:
		return (EVP_sha256());
	case WA_COSE_ES384:
		return (EVP_sha384());
	case WA_COSE_ES512:
		return (EVP_sha512());
	default:
		return (NULL);
	}
}

static EVP_PKEY *
keygen(int alg)
{
	switch (alg) {
	case WA_COSE_ES256:
		return (EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
	case WA_COSE_ES384:
		return (EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
	case WA_COSE_ES512:
		return (EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521"));
	case WA_COSE_EDDSA:
		return (EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	case WA_COSE_RS256:
	case WA_COSE_PS256:
		return (EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
	default:
		return (NULL);
	}
}

static int
pkey_sign(EVP_PKEY *pkey, int alg, const unsigned char *msg, size_t len,
    unsigned char **sig, size_t *sig_len)
{
	EVP_MD_CTX	*ctx = NULL;
	EVP_PKEY_CTX	*pctx = NULL;
	int		 r = -1, max;

	*sig = NULL;
	*sig_len = 0;
	if (alg != WA_COSE_EDDSA && alg_md(alg) == NULL)
		goto fail;
	/*
	 * One signature per context: FINALISE spares OpenSSL a copy of
	 * the context kept for reuse, and the buffer has the key's
	 * maximum size rather than asking for it with a first call.
	 */
	if ((max = EVP_PKEY_get_size(pkey)) <= 0 ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
	if (EVP_DigestSignInit(ctx, &pctx, alg_md(alg), NULL, pkey) != 1)
		goto fail;
	if (alg == WA_COSE_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) != 1))
		goto fail;
	*sig_len = (size_t)max;
	if ((*sig = malloc(*sig_len)) == NULL ||
	    EVP_DigestSign(ctx, *sig, sig_len, msg, len) != 1)
		goto fail;

	r = 0;
fail:
	if (r != 0) {
		free(*sig);
		*sig = NULL;
		*sig_len = 0;
	}
	EVP_MD_CTX_free(ctx);

	return (r);
}

int
sa_cred_sign(const struct sa_cred *c, const unsigned char *msg, size_t len,
    unsigned char **sig, size_t *sig_len)
{
	return (pkey_sign(c->pkey, c->alg, msg, len, sig, sig_len));
}

static int
get_bn(EVP_PKEY *pkey, const char *name, unsigned char *buf, size_t pad,
    size_t *len)
{
	BIGNUM	*bn = NULL;
	int	 n, r = -1;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
		goto fail;
	if (pad > 0)
		n = BN_bn2binpad(bn, buf, (int)pad);
	else
		n = BN_bn2bin(bn, buf);
	if (n <= 0)
		goto fail;
	*len = (size_t)n;

	r = 0;
fail:
	BN_free(bn);

	return (r);
}

/* The COSE_Key of pkey, CTAP2 canonical: 1, 3, -1, -2, -3. */
static int
cose_encode(EVP_PKEY *pkey, int alg, unsigned char **out, size_t *out_len)
{
	cbor_item_t	*m = NULL;
	unsigned char	 a[512], b[512];
	size_t		 al = 0, bl = 0, coord;
	int		 kty, crv = 0, r = -1;

	switch (alg) {
	case WA_COSE_ES256:
		kty = 2, crv = 1, coord = 32;
		break;
	case WA_COSE_ES384:
		kty = 2, crv = 2, coord = 48;
		break;
	case WA_COSE_ES512:
		kty = 2, crv = 3, coord = 66;
		break;
	case WA_COSE_EDDSA:
		kty = 1, crv = 6, coord = 32;
		break;
	default:
		kty = 3, coord = 0;
		break;
	}
	if (kty == 2) {
		if (get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_X, a, coord, &al) < 0 ||
		    get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, b, coord, &bl) < 0)
			goto fail;
	} else if (kty == 1) {
		al = sizeof(a);
		if (EVP_PKEY_get_raw_public_key(pkey, a, &al) != 1)
			goto fail;
	} else if (get_bn(pkey, OSSL_PKEY_PARAM_RSA_N, a, 0, &al) < 0 ||
	    get_bn(pkey, OSSL_PKEY_PARAM_RSA_E, b, 0, &bl) < 0)
		goto fail;
	if ((m = cbor_new_definite_map(kty == 2 ? 5 : 4)) == NULL ||
	    !map_add(m, cbor_move(sa_cbor_int(1)),
	    cbor_move(sa_cbor_int(kty))) ||
	    !map_add(m, cbor_move(sa_cbor_int(3)), cbor_move(sa_cbor_int(alg))))
		goto fail;
	if (kty == 3) {
		if (!map_add(m, cbor_move(sa_cbor_int(-1)),
		    cbor_move(cbor_build_bytestring(a, al))) ||
		    !map_add(m, cbor_move(sa_cbor_int(-2)),
		    cbor_move(cbor_build_bytestring(b, bl))))
			goto fail;
	} else {
		if (!map_add(m, cbor_move(sa_cbor_int(-1)),
		    cbor_move(sa_cbor_int(crv))) ||
		    !map_add(m, cbor_move(sa_cbor_int(-2)),
		    cbor_move(cbor_build_bytestring(a, al))))
			goto fail;
		if (kty == 2 && !map_add(m, cbor_move(sa_cbor_int(-3)),
		    cbor_move(cbor_build_bytestring(b, bl))))
			goto fail;
	}
	r = sa_cbor_serialize(m, out, out_len);
fail:
	if (m != NULL)
		cbor_decref(&m);

	return (r);
}

struct sa_cred *
sa_cred_new(int alg)
{
	struct sa_cred	*c;
	unsigned char	 id[SA_ID_LEN];

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->alg = alg;
	if ((c->pkey = keygen(alg)) == NULL ||
	    cose_encode(c->pkey, alg, &c->cose, &c->cose_len) < 0 ||
	    RAND_bytes(id, sizeof(id)) != 1 ||
	    sa_cred_set_id(c, id, sizeof(id)) < 0)
		sa_cred_free(&c);

	return (c);
}

struct sa_cred *
sa_cred_from_pkey(int alg, EVP_PKEY *pkey)
{
	struct sa_cred	*c;
	unsigned char	 id[SA_ID_LEN];

	if (pkey == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->alg = alg;
	if (EVP_PKEY_up_ref(pkey) != 1) {
		free(c);
		return (NULL);
	}
	c->pkey = pkey;
	if (cose_encode(c->pkey, alg, &c->cose, &c->cose_len) < 0 ||
	    RAND_bytes(id, sizeof(id)) != 1 ||
	    sa_cred_set_id(c, id, sizeof(id)) < 0)
		sa_cred_free(&c);

	return (c);
}

void
sa_cred_free(struct sa_cred **cp)
{
	struct sa_cred *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	EVP_PKEY_free(c->pkey);
	free(c->id);
	free(c->cose);
	free(c);
	*cp = NULL;
}

int
sa_cred_alg(const struct sa_cred *c)
{
	return (c->alg);
}

int
sa_cred_set_id(struct sa_cred *c, const unsigned char *id, size_t len)
{
	unsigned char *p;

	if (id == NULL || len == 0 || len > SA_MAX_CRED_ID ||
	    (p = malloc(len)) == NULL)
		return (-1);
	memcpy(p, id, len);
	free(c->id);
	c->id = p;
	c->id_len = len;

	return (0);
}

const unsigned char *
sa_cred_id_ptr(const struct sa_cred *c)
{
	return (c->id);
}

size_t
sa_cred_id_len(const struct sa_cred *c)
{
	return (c->id_len);
}

const unsigned char *
sa_cred_cose_ptr(const struct sa_cred *c)
{
	return (c->cose);
}

size_t
sa_cred_cose_len(const struct sa_cred *c)
{
	return (c->cose_len);
}

EVP_PKEY *
sa_cred_pkey(const struct sa_cred *c)
{
	return (c->pkey);
}

/* Certificates. */

/* "/C=US/O=x/CN=y" into name. */
static int
parse_name(X509_NAME *name, const char *s)
{
	char	*copy, *field, *save = NULL, *eq;
	int	 r = -1;

	if ((copy = strdup(s)) == NULL)
		return (-1);
	for (field = strtok_r(copy, "/", &save); field != NULL;
	    field = strtok_r(NULL, "/", &save)) {
		if ((eq = strchr(field, '=')) == NULL)
			goto fail;
		*eq++ = '\0';
		if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
		    (const unsigned char *)eq, -1, -1, 0) != 1)
			goto fail;
	}

	r = 0;
fail:
	free(copy);

	return (r);
}

static int
add_ext_nid(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 r;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return (-1);
	r = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);

	return (r);
}

static int
add_ext_der(X509 *x, const char *oid, bool critical, const unsigned char *der,
    size_t len)
{
	ASN1_OBJECT		*obj = NULL;
	ASN1_OCTET_STRING	*os = NULL;
	X509_EXTENSION		*ext = NULL;
	int			 r = -1;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(os, der, (int)len) != 1 ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, critical,
	    os)) == NULL ||
	    X509_add_ext(x, ext, -1) != 1)
		goto fail;

	r = 0;
fail:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);

	return (r);
}

static int
set_serial(X509 *x)
{
	BIGNUM	*bn;
	int	 r = -1;

	if ((bn = BN_new()) == NULL)
		return (-1);
	if (BN_rand(bn, 120, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL)
		r = 0;
	BN_free(bn);

	return (r);
}

static unsigned char *
cert_der(X509 *x, size_t *len)
{
	unsigned char	*der = NULL, *p;
	int		 n;

	if ((n = i2d_X509(x, NULL)) <= 0 ||
	    (der = malloc((size_t)n)) == NULL)
		return (NULL);
	p = der;
	if (i2d_X509(x, &p) != n) {
		free(der);
		return (NULL);
	}
	*len = (size_t)n;

	return (der);
}

struct sa_ca *
sa_ca_new(void)
{
	struct sa_ca	*ca;
	X509		*x = NULL;
	unsigned char	 rnd[4];
	char		 subject[96];
	int		 ok = 0;

	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return (NULL);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto fail;
	(void)snprintf(subject, sizeof(subject),
	    "/C=US/O=softauth/CN=softauth test CA %02x%02x%02x%02x",
	    rnd[0], rnd[1], rnd[2], rnd[3]);
	if ((ca->pkey = keygen(WA_COSE_ES256)) == NULL ||
	    (x = X509_new()) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 || set_serial(x) < 0 ||
	    parse_name(X509_get_subject_name(x), subject) < 0 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400L) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 20L * 365 * 86400) == NULL ||
	    X509_set_pubkey(x, ca->pkey) != 1 ||
	    add_ext_nid(x, x, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext_nid(x, x, NID_key_usage,
	    "critical,keyCertSign,cRLSign") < 0 ||
	    add_ext_nid(x, x, NID_subject_key_identifier, "hash") < 0 ||
	    X509_sign(x, ca->pkey, EVP_sha256()) <= 0 ||
	    (ca->der = cert_der(x, &ca->der_len)) == NULL)
		goto fail;
	ca->cert = x;
	x = NULL;
	ok = 1;
fail:
	X509_free(x);
	if (!ok)
		sa_ca_free(&ca);

	return (ca);
}

void
sa_ca_free(struct sa_ca **cap)
{
	struct sa_ca *ca;

	if (cap == NULL || (ca = *cap) == NULL)
		return;
	EVP_PKEY_free(ca->pkey);
	X509_free(ca->cert);
	free(ca->der);
	free(ca);
	*cap = NULL;
}

static pthread_once_t	 default_ca_once = PTHREAD_ONCE_INIT;
static struct sa_ca	*default_ca;

static void
default_ca_init(void)
{
	default_ca = sa_ca_new();
}

const struct sa_ca *
sa_ca_default(void)
{
	if (pthread_once(&default_ca_once, default_ca_init) != 0)
		return (NULL);

	return (default_ca);
}

const unsigned char *
sa_ca_der_ptr(const struct sa_ca *ca)
{
	return (ca->der);
}

size_t
sa_ca_der_len(const struct sa_ca *ca)
{
	return (ca->der_len);
}

#define SA_LEAF_SUBJECT \
    "/C=US/O=softauth/OU=Authenticator Attestation/CN=softauth"
#define OID_FIDO_AAGUID	"1.3.6.1.4.1.45724.1.1.4"

unsigned char *
sa_ca_issue(const struct sa_ca *ca, const struct sa_cred *key,
    const struct sa_cert_opts *o, size_t *len)
{
	static const struct sa_cert_opts defaults;
	X509		*x = NULL;
	unsigned char	*der = NULL, aag[2 + SA_AAGUID_LEN];
	char		 san[300];
	long		 nb, na;

	if (ca == NULL || key == NULL)
		return (NULL);
	if (o == NULL)
		o = &defaults;
	nb = o->not_before;
	na = o->not_after;
	if (nb == 0 && na == 0) {
		nb = -86400L;
		na = 10L * 365 * 86400;
	}
	if ((x = X509_new()) == NULL ||
	    X509_set_version(x, o->version == 1 ? X509_VERSION_1 :
	    X509_VERSION_3) != 1 ||
	    set_serial(x) < 0 ||
	    parse_name(X509_get_subject_name(x), o->subject != NULL ?
	    o->subject : SA_LEAF_SUBJECT) < 0 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), nb) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), na) == NULL ||
	    X509_set_pubkey(x, key->pkey) != 1)
		goto fail;
	if (o->version != 1) {
		if (o->bc == SA_BC_LEAF && add_ext_nid(x, ca->cert,
		    NID_basic_constraints, "CA:FALSE") < 0)
			goto fail;
		if (o->bc == SA_BC_CA && add_ext_nid(x, ca->cert,
		    NID_basic_constraints, "critical,CA:TRUE") < 0)
			goto fail;
		if (o->aaguid != NULL) {
			aag[0] = 0x04;	/* OCTET STRING */
			aag[1] = SA_AAGUID_LEN;
			memcpy(aag + 2, o->aaguid, SA_AAGUID_LEN);
			if (add_ext_der(x, OID_FIDO_AAGUID, o->aaguid_critical,
			    aag, sizeof(aag)) < 0)
				goto fail;
		}
		if (o->san_dns != NULL) {
			(void)snprintf(san, sizeof(san), "DNS:%s", o->san_dns);
			if (add_ext_nid(x, ca->cert, NID_subject_alt_name,
			    san) < 0)
				goto fail;
		}
		for (size_t i = 0; i < o->nexts; i++)
			if (add_ext_der(x, o->exts[i].oid, o->exts[i].critical,
			    o->exts[i].der, o->exts[i].der_len) < 0)
				goto fail;
	}
	if (X509_sign(x, ca->pkey, EVP_sha256()) <= 0)
		goto fail;
	der = cert_der(x, len);
fail:
	X509_free(x);

	return (der);
}

/* clientDataJSON. */

static int
make_cdj(const struct sa_params *p, const struct sa_hooks *h,
    const char *type, struct sa_bytes *out)
{
	json_t	*o = NULL;
	char	*s = NULL, *chal = NULL;
	size_t	 n;
	int	 r = -1;

	if (h->cd_bom && sa_bytes_set(out, "\xef\xbb\xbf", 3) < 0)
		goto fail;
	if (h->cdj != NULL) {
		r = sa_bytes_append(out, h->cdj, strlen(h->cdj));
		goto fail;
	}
	if (h->cd_challenge == NULL && (chal = sa_b64url(p->challenge,
	    p->challenge_len)) == NULL)
		goto fail;
	if ((o = json_object()) == NULL ||
	    json_object_set_new(o, "type", json_string(h->cd_type != NULL ?
	    h->cd_type : type)) < 0 ||
	    json_object_set_new(o, "challenge", json_string(chal != NULL ?
	    chal : h->cd_challenge)) < 0)
		goto fail;
	if (p->origin != NULL &&
	    json_object_set_new(o, "origin", json_string(p->origin)) < 0)
		goto fail;
	if (h->cross_origin != SA_CROSS_ABSENT &&
	    json_object_set_new(o, "crossOrigin",
	    json_boolean(h->cross_origin == SA_CROSS_TRUE)) < 0)
		goto fail;
	if (h->top_origin != NULL &&
	    json_object_set_new(o, "topOrigin", json_string(h->top_origin)) < 0)
		goto fail;
	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		goto fail;
	n = strlen(s);
	/* Extra members go in before the closing brace. */
	if (h->cd_extra != NULL) {
		if (sa_bytes_append(out, s, n - 1) < 0 ||
		    sa_bytes_append(out, ",", 1) < 0 ||
		    sa_bytes_append(out, h->cd_extra,
		    strlen(h->cd_extra)) < 0 ||
		    sa_bytes_append(out, "}", 1) < 0)
			goto fail;
	} else if (sa_bytes_append(out, s, n) < 0)
		goto fail;

	r = 0;
fail:
	free(s);
	free(chal);
	json_decref(o);

	return (r);
}

/* Authenticator data (WebAuthn §6.1). */

static int
make_authdata(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h, bool reg, bool u2f, struct sa_bytes *out)
{
	static const unsigned char zero[SA_AAGUID_LEN];
	unsigned char	 hdr[SA_HASH_LEN + 1 + 4], idlen[2];
	const unsigned char *id = c->id, *cose = c->cose, *aaguid;
	size_t		 id_len = c->id_len, cose_len = c->cose_len;
	uint8_t		 flags = p->flags;

	if (p->rp_id == NULL)
		return (-1);
	if (reg)
		flags |= WA_FLAG_AT;
	if (reg && h->no_at)
		flags &= (uint8_t)~WA_FLAG_AT;
	if (h->ext != NULL)
		flags |= WA_FLAG_ED;
	SHA256((const unsigned char *)p->rp_id, strlen(p->rp_id), hdr);
	hdr[SA_HASH_LEN] = flags;
	hdr[SA_HASH_LEN + 1] = (unsigned char)(p->sign_count >> 24);
	hdr[SA_HASH_LEN + 2] = (unsigned char)(p->sign_count >> 16);
	hdr[SA_HASH_LEN + 3] = (unsigned char)(p->sign_count >> 8);
	hdr[SA_HASH_LEN + 4] = (unsigned char)p->sign_count;
	if (sa_bytes_set(out, hdr, sizeof(hdr)) < 0)
		return (-1);
	if (flags & WA_FLAG_AT) {
		aaguid = h->aaguid != NULL ? h->aaguid :
		    u2f ? zero : (const unsigned char *)SA_AAGUID;
		if (h->ad_cred_id != NULL) {
			id = h->ad_cred_id;
			id_len = h->ad_cred_id_len;
		}
		if (h->cose != NULL) {
			cose = h->cose;
			cose_len = h->cose_len;
		}
		idlen[0] = (unsigned char)(id_len >> 8);
		idlen[1] = (unsigned char)id_len;
		if (sa_bytes_append(out, aaguid, SA_AAGUID_LEN) < 0 ||
		    sa_bytes_append(out, idlen, 2) < 0 ||
		    sa_bytes_append(out, id, id_len) < 0 ||
		    sa_bytes_append(out, cose, cose_len) < 0)
			return (-1);
	}
	if (h->ext != NULL && sa_bytes_append(out, h->ext, h->ext_len) < 0)
		return (-1);
	if (h->authdata != NULL && h->authdata(out, h->arg) < 0)
		return (-1);

	return (0);
}

/* Attestation statements (WebAuthn §8). */

static int
sign_tbs(const struct sa_cred *signer, const struct sa_bytes *ad,
    const unsigned char *cdh, const struct sa_hooks *h, struct sa_bytes *sig)
{
	struct sa_bytes	 tbs = { NULL, 0 };
	int		 r = -1;

	if (sa_bytes_set(&tbs, ad->ptr, ad->len) < 0 ||
	    sa_bytes_append(&tbs, cdh, SA_HASH_LEN) < 0 ||
	    sa_cred_sign(signer, tbs.ptr, tbs.len, &sig->ptr, &sig->len) < 0)
		goto fail;
	if (h->sig != NULL && h->sig(sig, h->arg) < 0)
		goto fail;

	r = 0;
fail:
	bytes_reset(&tbs);

	return (r);
}

/* The x5c array: a fresh leaf from the CA, then the CA if asked. */
static int
make_x5c(const struct sa_hooks *h, const struct sa_cred *leaf,
    const unsigned char *aaguid, bool u2f, cbor_item_t **x5c)
{
	struct sa_cert_opts	 o;
	const struct sa_ca	*ca;
	unsigned char		*der = NULL;
	size_t			 len;
	int			 r = -1;

	*x5c = NULL;
	if ((ca = h->ca != NULL ? h->ca : sa_ca_default()) == NULL)
		return (-1);
	if (h->leaf != NULL)
		o = *h->leaf;
	else {
		memset(&o, 0, sizeof(o));
		if (!u2f)
			o.aaguid = aaguid;
		else
			o.subject = "/C=US/O=softauth/CN=softauth U2F";
	}
	if ((der = sa_ca_issue(ca, leaf, &o, &len)) == NULL ||
	    (*x5c = cbor_new_definite_array(h->x5c_with_ca ? 2 : 1)) == NULL ||
	    !cbor_array_push(*x5c, cbor_move(cbor_build_bytestring(der,
	    len))))
		goto fail;
	if (h->x5c_with_ca && !cbor_array_push(*x5c,
	    cbor_move(cbor_build_bytestring(ca->der, ca->der_len))))
		goto fail;

	r = 0;
fail:
	free(der);
	if (r != 0 && *x5c != NULL)
		cbor_decref(x5c);

	return (r);
}

/* fido-u2f signs 0x00 || rpIdHash || cdh || credentialId || 04 x y. */
static int
u2f_message(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h, const unsigned char *cdh, struct sa_bytes *m)
{
	unsigned char	 hash[SA_HASH_LEN], pt[65];
	size_t		 len;

	memset(pt, 0, sizeof(pt));
	pt[0] = 0x04;
	if (c->alg == WA_COSE_ES256 && (get_bn(c->pkey,
	    OSSL_PKEY_PARAM_EC_PUB_X, pt + 1, 32, &len) < 0 ||
	    get_bn(c->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, pt + 33, 32, &len) < 0))
		return (-1);
	SHA256((const unsigned char *)p->rp_id, strlen(p->rp_id), hash);
	if (sa_bytes_set(m, "", 1) < 0 ||
	    sa_bytes_append(m, hash, sizeof(hash)) < 0 ||
	    sa_bytes_append(m, cdh, SA_HASH_LEN) < 0 ||
	    sa_bytes_append(m, h->ad_cred_id != NULL ? h->ad_cred_id : c->id,
	    h->ad_cred_id != NULL ? h->ad_cred_id_len : c->id_len) < 0 ||
	    sa_bytes_append(m, pt, sizeof(pt)) < 0)
		return (-1);

	return (0);
}

static int
make_stmt(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h, const struct sa_bytes *ad,
    const unsigned char *cdh, cbor_item_t **stmt, const char **fmt)
{
	struct sa_cred		*leaf = NULL;
	struct sa_bytes		 sig = { NULL, 0 }, msg = { NULL, 0 };
	cbor_item_t		*x5c = NULL;
	const unsigned char	*aaguid;
	bool			 x5c_fmt, u2f;
	int			 r = -1;

	*fmt = p->fmt != NULL ? p->fmt : "none";
	if ((*stmt = cbor_new_definite_map(0)) == NULL)
		return (-1);
	x5c_fmt = strcmp(*fmt, "packed-x5c") == 0;
	u2f = strcmp(*fmt, "fido-u2f") == 0;
	if (strcmp(*fmt, "packed") == 0) {
		if (sign_tbs(h->signer != NULL ? h->signer : c, ad, cdh, h,
		    &sig) < 0 ||
		    sa_cbor_map_put(stmt, "alg", sa_cbor_int(c->alg)) < 0 ||
		    sa_cbor_map_put(stmt, "sig", cbor_build_bytestring(sig.ptr,
		    sig.len)) < 0)
			goto fail;
	} else if (x5c_fmt || u2f) {
		*fmt = x5c_fmt ? "packed" : "fido-u2f";
		if ((leaf = sa_cred_new(h->leaf_alg != 0 ? h->leaf_alg :
		    WA_COSE_ES256)) == NULL)
			goto fail;
		/* The AAGUID is at a fixed offset when AT is set. */
		aaguid = ad->len >= SA_HASH_LEN + 5 + SA_AAGUID_LEN ?
		    ad->ptr + SA_HASH_LEN + 5 : NULL;
		if (make_x5c(h, leaf, aaguid, u2f, &x5c) < 0)
			goto fail;
		if (u2f) {
			if (u2f_message(c, p, h, cdh, &msg) < 0 ||
			    sa_cred_sign(leaf, msg.ptr, msg.len, &sig.ptr,
			    &sig.len) < 0 ||
			    (h->sig != NULL && h->sig(&sig, h->arg) < 0))
				goto fail;
		} else {
			if (sign_tbs(leaf, ad, cdh, h, &sig) < 0 ||
			    sa_cbor_map_put(stmt, "alg",
			    sa_cbor_int(leaf->alg)) < 0)
				goto fail;
		}
		if (sa_cbor_map_put(stmt, "sig", cbor_build_bytestring(sig.ptr,
		    sig.len)) < 0 ||
		    sa_cbor_map_put(stmt, "x5c", cbor_incref(x5c)) < 0)
			goto fail;
	}

	r = 0;
fail:
	if (x5c != NULL)
		cbor_decref(&x5c);
	sa_cred_free(&leaf);
	bytes_reset(&sig);
	bytes_reset(&msg);
	if (r != 0)
		cbor_decref(stmt);

	return (r);
}

/* {fmt, attStmt, authData}: CTAP2 canonical key order. */
static int
make_attobj(const char *fmt, cbor_item_t *stmt, const struct sa_bytes *ad,
    const struct sa_hooks *h, struct sa_bytes *out)
{
	cbor_item_t	*m;
	int		 r = -1;

	if ((m = cbor_new_definite_map(3)) == NULL)
		return (-1);
	if (!map_add(m, cbor_move(cbor_build_string("fmt")),
	    cbor_move(cbor_build_string(fmt))) ||
	    !map_add(m, cbor_move(cbor_build_string("attStmt")), stmt) ||
	    !map_add(m, cbor_move(cbor_build_string("authData")),
	    cbor_move(cbor_build_bytestring(ad->ptr, ad->len))))
		goto fail;
	if (sa_cbor_serialize(m, &out->ptr, &out->len) < 0)
		goto fail;
	if (h->attobj != NULL && h->attobj(out, h->arg) < 0)
		goto fail;

	r = 0;
fail:
	cbor_decref(&m);

	return (r);
}

/* JSON. */

static int
set_b64(json_t *o, const char *key, const unsigned char *p, size_t n)
{
	char	*s;
	int	 r;

	if ((s = sa_b64url(p, n)) == NULL)
		return (-1);
	r = json_object_set_new(o, key, json_string(s));
	free(s);

	return (r);
}

/* The members every PublicKeyCredential JSON has, response last. */
static json_t *
json_credential(const struct sa_cred *c, json_t *resp)
{
	json_t *root;

	if ((root = json_object()) == NULL)
		goto fail;
	if (set_b64(root, "id", c->id, c->id_len) < 0 ||
	    set_b64(root, "rawId", c->id, c->id_len) < 0 ||
	    json_object_set(root, "response", resp) < 0 ||
	    json_object_set_new(root, "authenticatorAttachment",
	    json_string("platform")) < 0 ||
	    json_object_set_new(root, "clientExtensionResults",
	    json_object()) < 0 ||
	    json_object_set_new(root, "type", json_string("public-key")) < 0) {
		json_decref(root);
		root = NULL;
	}
fail:
	json_decref(resp);

	return (root);
}

static char *
json_finish(json_t *root, const struct sa_hooks *h)
{
	char *s = NULL;

	if (root == NULL)
		return (NULL);
	if (h->json == NULL || h->json(root, h->arg) == 0)
		s = json_dumps(root, JSON_COMPACT);
	json_decref(root);

	return (s);
}

/* The alg of a COSE key, if it has one. */
static bool
cose_alg(const unsigned char *p, size_t n, int64_t *alg)
{
	struct cbor_load_result	 res;
	struct cbor_pair	*pairs;
	cbor_item_t		*m;
	bool			 found = false;

	if ((m = cbor_load(p, n, &res)) == NULL)
		return (false);
	if (cbor_isa_map(m)) {
		pairs = cbor_map_handle(m);
		for (size_t i = 0; i < cbor_map_size(m) && !found; i++)
			if (cbor_isa_uint(pairs[i].key) &&
			    cbor_get_int(pairs[i].key) == 3 &&
			    cbor_isa_negint(pairs[i].value)) {
				*alg = -1 -
				    (int64_t)cbor_get_int(pairs[i].value);
				found = true;
			}
	}
	cbor_decref(&m);

	return (found);
}

static int
reg_members(const struct sa_cred *c, const struct sa_hooks *h, json_t *resp)
{
	unsigned char	*spki = NULL;
	json_t		*tr;
	int64_t		 alg = c->alg;
	int		 n, r = -1;

	if ((tr = json_array()) == NULL ||
	    json_array_append_new(tr, json_string("hybrid")) < 0 ||
	    json_array_append_new(tr, json_string("internal")) < 0 ||
	    json_object_set_new(resp, "transports", tr) < 0)
		goto fail;
	/* toJSON() reports a key it cannot parse without publicKey. */
	if (h->cose != NULL) {
		if (cose_alg(h->cose, h->cose_len, &alg) &&
		    json_object_set_new(resp, "publicKeyAlgorithm",
		    json_integer(alg)) < 0)
			goto fail;
		return (0);
	}
	if ((n = i2d_PUBKEY(c->pkey, &spki)) <= 0 ||
	    set_b64(resp, "publicKey", spki, (size_t)n) < 0 ||
	    json_object_set_new(resp, "publicKeyAlgorithm",
	    json_integer(alg)) < 0)
		goto fail;

	r = 0;
fail:
	OPENSSL_free(spki);

	return (r);
}

char *
sa_make_registration_ex(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *hooks)
{
	static const struct sa_hooks	 none;
	const struct sa_hooks		*h = hooks != NULL ? hooks : &none;
	struct sa_bytes			 cdj = { NULL, 0 }, ad = { NULL, 0 };
	struct sa_bytes			 ao = { NULL, 0 };
	struct sa_ctx			 ctx;
	cbor_item_t			*stmt = NULL;
	json_t				*resp = NULL, *root = NULL;
	const char			*fmt;
	unsigned char			 cdh[SA_HASH_LEN];
	char				*out = NULL;

	if (c == NULL || p == NULL)
		return (NULL);
	if (make_cdj(p, h, "webauthn.create", &cdj) < 0)
		goto fail;
	SHA256(cdj.ptr, cdj.len, cdh);
	if (make_authdata(c, p, h, true, p->fmt != NULL &&
	    strcmp(p->fmt, "fido-u2f") == 0, &ad) < 0 ||
	    make_stmt(c, p, h, &ad, cdh, &stmt, &fmt) < 0)
		goto fail;
	ctx.cred = c;
	ctx.authdata = ad.ptr;
	ctx.authdata_len = ad.len;
	ctx.cdh = cdh;
	ctx.cdj = cdj.ptr;
	ctx.cdj_len = cdj.len;
	if (h->attstmt != NULL && h->attstmt(&stmt, &ctx, h->arg) < 0)
		goto fail;
	if (make_attobj(fmt, stmt, &ad, h, &ao) < 0)
		goto fail;
	if ((resp = json_object()) == NULL ||
	    set_b64(resp, "clientDataJSON", cdj.ptr, cdj.len) < 0 ||
	    set_b64(resp, "attestationObject", ao.ptr, ao.len) < 0 ||
	    set_b64(resp, "authenticatorData", ad.ptr, ad.len) < 0 ||
	    reg_members(c, h, resp) < 0)
		goto fail;
	root = json_credential(c, resp);
	resp = NULL;
	out = json_finish(root, h);
fail:
	json_decref(resp);
	if (stmt != NULL)
		cbor_decref(&stmt);
	bytes_reset(&cdj);
	bytes_reset(&ad);
	bytes_reset(&ao);

	return (out);
}

char *
sa_make_assertion_ex(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *hooks)
{
	static const struct sa_hooks	 none;
	const struct sa_hooks		*h = hooks != NULL ? hooks : &none;
	struct sa_bytes			 cdj = { NULL, 0 }, ad = { NULL, 0 };
	struct sa_bytes			 sig = { NULL, 0 };
	json_t				*resp = NULL, *root;
	unsigned char			 cdh[SA_HASH_LEN];
	char				*out = NULL;

	if (c == NULL || p == NULL)
		return (NULL);
	if (make_cdj(p, h, "webauthn.get", &cdj) < 0)
		goto fail;
	SHA256(cdj.ptr, cdj.len, cdh);
	if (make_authdata(c, p, h, false, false, &ad) < 0 ||
	    sign_tbs(h->signer != NULL ? h->signer : c, &ad, cdh, h, &sig) < 0)
		goto fail;
	if ((resp = json_object()) == NULL ||
	    set_b64(resp, "clientDataJSON", cdj.ptr, cdj.len) < 0 ||
	    set_b64(resp, "authenticatorData", ad.ptr, ad.len) < 0 ||
	    set_b64(resp, "signature", sig.ptr, sig.len) < 0)
		goto fail;
	if (p->user_handle != NULL && set_b64(resp, "userHandle",
	    p->user_handle, p->user_handle_len) < 0)
		goto fail;
	root = json_credential(c, resp);
	resp = NULL;
	out = json_finish(root, h);
fail:
	json_decref(resp);
	bytes_reset(&cdj);
	bytes_reset(&ad);
	bytes_reset(&sig);

	return (out);
}

char *
sa_make_registration(const struct sa_cred *c, const struct sa_params *p)
{
	return (sa_make_registration_ex(c, p, NULL));
}

char *
sa_make_assertion(const struct sa_cred *c, const struct sa_params *p)
{
	return (sa_make_assertion_ex(c, p, NULL));
}

/* JSON editing. */

/* The object that holds the last member of path; *last names it. */
static json_t *
json_walk(json_t *root, const char *path, char *buf, size_t bufsz,
    const char **last)
{
	char	*seg, *dot;
	json_t	*o = root;

	if (strlen(path) >= bufsz)
		return (NULL);
	memcpy(buf, path, strlen(path) + 1);
	seg = buf;
	while ((dot = strchr(seg, '.')) != NULL) {
		*dot = '\0';
		if ((o = json_object_get(o, seg)) == NULL ||
		    !json_is_object(o))
			return (NULL);
		seg = dot + 1;
	}
	*last = seg;

	return (json_is_object(o) ? o : NULL);
}

int
sa_json_set(json_t *root, const char *path, json_t *val)
{
	char		 buf[256];
	const char	*last;
	json_t		*o;

	if ((o = json_walk(root, path, buf, sizeof(buf), &last)) == NULL) {
		json_decref(val);
		return (-1);
	}
	if (val == NULL) {
		(void)json_object_del(o, last);
		return (0);
	}

	return (json_object_set_new(o, last, val));
}

int
sa_json_set_b64(json_t *root, const char *path, const unsigned char *p,
    size_t n)
{
	char	*s;
	int	 r;

	if ((s = sa_b64url(p, n)) == NULL)
		return (-1);
	r = sa_json_set(root, path, json_string(s));
	free(s);

	return (r);
}

char *
sa_json_edit(const char *json, const char *path, json_t *val)
{
	json_t	*root;
	char	*s = NULL;

	if ((root = json_loads(json, 0, NULL)) == NULL) {
		json_decref(val);
		return (NULL);
	}
	if (sa_json_set(root, path, val) == 0)
		s = json_dumps(root, JSON_COMPACT);
	json_decref(root);

	return (s);
}

char *
sa_json_edit_b64(const char *json, const char *path, const unsigned char *p,
    size_t n)
{
	char	*s, *out;

	if ((s = sa_b64url(p, n)) == NULL)
		return (NULL);
	out = sa_json_edit(json, path, json_string(s));
	free(s);

	return (out);
}

int
sa_json_get_b64(const char *json, const char *path, unsigned char **p,
    size_t *n)
{
	char		 buf[256];
	const char	*last;
	json_t		*root, *o, *v;
	int		 r = -1;

	*p = NULL;
	*n = 0;
	if ((root = json_loads(json, 0, NULL)) == NULL)
		return (-1);
	if ((o = json_walk(root, path, buf, sizeof(buf), &last)) != NULL &&
	    (v = json_object_get(o, last)) != NULL && json_is_string(v))
		r = b64url_decode(json_string_value(v), json_string_length(v),
		    p, n);
	json_decref(root);

	return (r);
}
