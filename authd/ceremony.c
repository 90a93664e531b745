/*
 * ceremony.c: sealing ceremony state into challenges (see ceremony.h).
 * Layout of a challenge: version(1) iv(12) ciphertext tag(16), where the
 * plaintext is type(1) role(1) expires(8) user(8) code_hash(32) ref(32)
 * label_len(1) label nonce(16).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "authd/authd.h"
#include "authd/ceremony.h"

#define CER_VERSION	1
#define IV_LEN		12
#define TAG_LEN		16
#define NONCE_LEN	16
#define PT_MAX		(1 + 1 + 8 + 8 + 32 + 32 + 1 + CER_MAX_LABEL + \
			    NONCE_LEN)

_Static_assert(1 + IV_LEN + PT_MAX + TAG_LEN <= CER_MAX_SEALED,
    "sealed ceremony fits");

static unsigned char	key[32];
static pthread_key_t	ctx_key;

/*
 * Each thread keeps one AES-256-GCM context per direction with the key
 * already set, so that a seal or an open only sets its IV: setting up a
 * context from scratch (cipher lookup, key schedule) cost more than the
 * encryption.  They are freed when the thread ends.
 */
struct gcm_ctxs {
	EVP_CIPHER_CTX	*c[2];	/* [0] decrypt, [1] encrypt */
};

static void
ctxs_free(void *p)
{
	struct gcm_ctxs *g = p;

	EVP_CIPHER_CTX_free(g->c[0]);
	EVP_CIPHER_CTX_free(g->c[1]);
	free(g);
}

void
ceremony_init(void)
{
	rand_bytes(key, sizeof(key));
	if (pthread_key_create(&ctx_key, ctxs_free) != 0) {
		fprintf(stderr, "authd: no thread key\n");
		abort();
	}
}

static EVP_CIPHER_CTX *
gcm_ctx(bool enc)
{
	struct gcm_ctxs *g;

	if ((g = pthread_getspecific(ctx_key)) == NULL) {
		if ((g = calloc(1, sizeof(*g))) == NULL)
			return (NULL);
		if (pthread_setspecific(ctx_key, g) != 0) {
			free(g);
			return (NULL);
		}
	}
	if (g->c[enc] == NULL) {
		if ((g->c[enc] = EVP_CIPHER_CTX_new()) == NULL)
			return (NULL);
		if (EVP_CipherInit_ex(g->c[enc], EVP_aes_256_gcm(), NULL, key,
		    NULL, enc ? 1 : 0) != 1) {
			EVP_CIPHER_CTX_free(g->c[enc]);
			g->c[enc] = NULL;
			return (NULL);
		}
	}

	return (g->c[enc]);
}

static void
put64(unsigned char *p, int64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)((uint64_t)v & 0xff);
		v = (int64_t)((uint64_t)v >> 8);
	}
}

static int64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];

	return ((int64_t)v);
}

static int
gcm(bool enc, const unsigned char *iv, const unsigned char *in, size_t n,
    unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX	*ctx;
	int		 len;
	unsigned char	 ad = CER_VERSION;

	/* The IV alone: the key stays from gcm_ctx(). */
	if ((ctx = gcm_ctx(enc)) == NULL ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &len, &ad, 1) != 1 ||
	    EVP_CipherUpdate(ctx, out, &len, in, (int)n) != 1)
		return (-1);
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    tag) != 1)
		return (-1);
	if (EVP_CipherFinal_ex(ctx, out + len, &len) != 1)
		return (-1);
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    tag) != 1)
		return (-1);

	return (0);
}

int
ceremony_seal(const struct ceremony *c, unsigned char *out, size_t *len)
{
	unsigned char	pt[PT_MAX];
	size_t		n = 0, ll = strlen(c->label);

	if (ll > CER_MAX_LABEL)
		return (-1);
	pt[n++] = c->type;
	pt[n++] = c->role;
	put64(pt + n, c->expires);
	n += 8;
	put64(pt + n, c->user_id);
	n += 8;
	memcpy(pt + n, c->code_hash, 32);
	n += 32;
	memcpy(pt + n, c->ref, 32);
	n += 32;
	pt[n++] = (unsigned char)ll;
	memcpy(pt + n, c->label, ll);
	n += ll;
	rand_bytes(pt + n, NONCE_LEN);
	n += NONCE_LEN;
	out[0] = CER_VERSION;
	rand_bytes(out + 1, IV_LEN);
	if (gcm(true, out + 1, pt, n, out + 1 + IV_LEN,
	    out + 1 + IV_LEN + n) < 0) {
		OPENSSL_cleanse(pt, sizeof(pt));
		return (-1);
	}
	OPENSSL_cleanse(pt, sizeof(pt));
	*len = 1 + IV_LEN + n + TAG_LEN;

	return (0);
}

int
ceremony_open(const unsigned char *in, size_t len, int64_t now,
    struct ceremony *c)
{
	unsigned char	pt[PT_MAX], tag[TAG_LEN], digest[SHA256_DIGEST_LENGTH];
	size_t		n, ll;
	int		r = -1;

	memset(c, 0, sizeof(*c));
	if (len < 1 + IV_LEN + TAG_LEN || len > CER_MAX_SEALED ||
	    in[0] != CER_VERSION)
		return (-1);
	n = len - 1 - IV_LEN - TAG_LEN;
	if (n < 83 + NONCE_LEN || n > PT_MAX)
		return (-1);
	memcpy(tag, in + len - TAG_LEN, TAG_LEN);
	if (gcm(false, in + 1, in + 1 + IV_LEN, n, pt, tag) < 0)
		goto fail;
	c->type = pt[0];
	c->role = pt[1];
	c->expires = get64(pt + 2);
	c->user_id = get64(pt + 10);
	memcpy(c->code_hash, pt + 18, 32);
	memcpy(c->ref, pt + 50, 32);
	ll = pt[82];
	if (83 + ll + NONCE_LEN != n)
		goto fail;
	memcpy(c->label, pt + 83, ll);
	c->label[ll] = '\0';
	/*
	 * The id under which the store marks it consumed: its expiry, then
	 * half the hash of the sealed ceremony.  Unique all the same, and
	 * ordered by time, so that consuming one appends to the store's
	 * index instead of dirtying a random page of it.  Without its id,
	 * the ceremony could not be used only once.
	 */
	if (SHA256(in, len, digest) == NULL)
		goto fail;
	put64(c->id, c->expires);
	memcpy(c->id + 8, digest, CER_ID_LEN - 8);
	r = c->expires > now ? 0 : -2;
fail:
	OPENSSL_cleanse(pt, sizeof(pt));

	return (r);
}
