/*
 * seal.c: encryption at rest.  Envelope encryption: one random 32-byte
 * data-encryption key (DEK) per database seals the secret and personal
 * fields with AES-256-GCM; the DEK itself is stored in the one-row
 * table keyring, wrapped with AES-256-GCM under the key-encryption key
 * (KEK) that the operator keeps outside the database.  Changing the KEK
 * (store_rewrap) rewrites that one row only: the DEK and every sealed
 * field stay as they are, so processes that hold the DEK keep working.
 *
 * A sealed value is version (1 byte) || nonce (12) || ciphertext ||
 * tag (16).  Its additional data binds it to one place: the version, the
 * table and column ("users.display_name") and the row's stable key (a
 * user handle, a kid, a confirmation id), so a value copied to another
 * row or column does not open.  The nonce is random; with at most a few
 * million seals per DEK, well below the 2^32 that NIST SP 800-38D
 * allows for random 96-bit nonces.
 *
 * The DEK is held per process, not per connection: store_unlock puts it
 * in a small table keyed by the keyring's random id, and every
 * connection to that database (authd's workers, the group-commit
 * writer) finds it there by the id in its keyring row.  So store_open
 * keeps its signature and connections opened before or after the
 * unlock all work.
 */
#include <sys/random.h>

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "extern.h"

#define SEAL_VERSION	1
#define SEAL_NONCE	12
#define SEAL_TAG	16
#define KEK_ID_LEN	8
#define WRAPPED_LEN	(STORE_SEAL_OVERHEAD + STORE_KEY_LEN)
/* The longest plaintext column that store_seal_column seals. */
#define PLAIN_MAX	STORE_MAX_RECEIPT

/* Unlocked keyrings of this process. */
struct ring {
	unsigned char	 id[STORE_RING_ID_LEN];
	unsigned char	 dek[STORE_KEY_LEN];
	struct ring	*next;
};

static pthread_mutex_t	 rings_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct ring	*rings;

static const char sql_ring[] =
    "SELECT ring_id, kek_id, wrapped FROM keyring WHERE id = 1";
static const char sql_ring_id[] = "SELECT ring_id FROM keyring WHERE id = 1";
static const char sql_ring_insert[] =
    "INSERT INTO keyring (id, ring_id, kek_id, wrapped, created, rewrapped)"
    " VALUES (1, ?1, ?2, ?3, ?4, 0)";
static const char sql_ring_update[] =
    "UPDATE keyring SET kek_id = ?1, wrapped = ?2, rewrapped = ?3"
    " WHERE id = 1";

int
store_random_bytes(unsigned char *p, size_t n)
{
	ssize_t got;

	while (n > 0) {
		if ((got = getrandom(p, n, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return (STORE_ERR_IO);
		}
		p += got;
		n -= (size_t)got;
	}

	return (STORE_OK);
}

/*
 * The additional data: version, the place ("table.column") with its
 * NUL, then the row key.  Fed to GCM in pieces, so nothing is copied.
 */
static int
aad(EVP_CIPHER_CTX *ctx, const char *what, const void *key, size_t keylen)
{
	static const unsigned char v = SEAL_VERSION;
	int n;

	if (keylen > INT_MAX ||
	    EVP_CipherUpdate(ctx, NULL, &n, &v, 1) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)what,
	    (int)strlen(what) + 1) != 1 ||
	    (keylen > 0 && EVP_CipherUpdate(ctx, NULL, &n, key,
	    (int)keylen) != 1))
		return (-1);

	return (0);
}

/* AES-256-GCM under k.  OUT: out (ptlen + STORE_SEAL_OVERHEAD bytes). */
static int
gcm_seal(const unsigned char *k, const char *what, const void *key,
    size_t keylen, const void *pt, size_t ptlen, unsigned char *out)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*nonce = out + 1, *ct = out + 1 + SEAL_NONCE;
	int		 n, fin, r;

	if (ptlen > INT_MAX - STORE_SEAL_OVERHEAD) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	out[0] = SEAL_VERSION;
	if ((r = store_random_bytes(nonce, SEAL_NONCE)) != STORE_OK)
		goto fail;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k, nonce) != 1 ||
	    aad(ctx, what, key, keylen) < 0 ||
	    EVP_EncryptUpdate(ctx, ct, &n, pt, (int)ptlen) != 1 ||
	    EVP_EncryptFinal_ex(ctx, ct + n, &fin) != 1 ||
	    (size_t)n + (size_t)fin != ptlen ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
	    ct + ptlen) != 1) {
		r = STORE_ERR_IO;
		goto fail;
	}

	r = STORE_OK;
fail:
	EVP_CIPHER_CTX_free(ctx);

	return (r);
}

/*
 * Opens a sealed value into out (room for ctlen - STORE_SEAL_OVERHEAD
 * bytes).  STORE_ERR_IO for a wrong version, length or tag: a value
 * that was changed, moved, or sealed under another key.
 */
static int
gcm_open(const unsigned char *k, const char *what, const void *key,
    size_t keylen, const unsigned char *in, size_t inlen, unsigned char *out,
    size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	size_t		 ptlen;
	int		 n, fin, r;

	*outlen = 0;
	if (inlen < STORE_SEAL_OVERHEAD || inlen > INT_MAX ||
	    in[0] != SEAL_VERSION) {
		r = STORE_ERR_IO;
		goto fail;
	}
	ptlen = inlen - STORE_SEAL_OVERHEAD;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, k, in + 1) != 1 ||
	    aad(ctx, what, key, keylen) < 0 ||
	    EVP_DecryptUpdate(ctx, out, &n, in + 1 + SEAL_NONCE,
	    (int)ptlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG,
	    (void *)(uintptr_t)(in + inlen - SEAL_TAG)) != 1 ||
	    EVP_DecryptFinal_ex(ctx, out + n, &fin) != 1) {
		OPENSSL_cleanse(out, ptlen);
		r = STORE_ERR_IO;
		goto fail;
	}
	*outlen = ptlen;

	r = STORE_OK;
fail:
	EVP_CIPHER_CTX_free(ctx);

	return (r);
}

/* The KEK's fingerprint: HMAC-SHA256(kek, "authd kek id"), cut. */
static int
kek_id(const unsigned char *kek, unsigned char *id)
{
	static const char label[] = "authd kek id";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), kek, STORE_KEY_LEN,
	    (const unsigned char *)label, sizeof(label) - 1, mac, &len) ==
	    NULL || len < KEK_ID_LEN)
		return (STORE_ERR_IO);
	memcpy(id, mac, KEK_ID_LEN);

	return (STORE_OK);
}

static void
ring_put(const unsigned char *id, const unsigned char *dek)
{
	struct ring *r;

	pthread_mutex_lock(&rings_mtx);
	for (r = rings; r != NULL; r = r->next)
		if (memcmp(r->id, id, STORE_RING_ID_LEN) == 0)
			break;
	if (r == NULL && (r = calloc(1, sizeof(*r))) != NULL) {
		memcpy(r->id, id, STORE_RING_ID_LEN);
		r->next = rings;
		rings = r;
	}
	if (r != NULL)
		memcpy(r->dek, dek, STORE_KEY_LEN);
	pthread_mutex_unlock(&rings_mtx);
}

static bool
ring_get(const unsigned char *id, unsigned char *dek)
{
	struct ring	*r;
	bool		 found = false;

	pthread_mutex_lock(&rings_mtx);
	for (r = rings; r != NULL; r = r->next)
		if (memcmp(r->id, id, STORE_RING_ID_LEN) == 0) {
			memcpy(dek, r->dek, STORE_KEY_LEN);
			found = true;
			break;
		}
	pthread_mutex_unlock(&rings_mtx);

	return (found);
}

void
store_lock(void)
{
	struct ring *r, *next;

	pthread_mutex_lock(&rings_mtx);
	for (r = rings; r != NULL; r = next) {
		next = r->next;
		OPENSSL_cleanse(r, sizeof(*r));
		free(r);
	}
	rings = NULL;
	pthread_mutex_unlock(&rings_mtx);
}

/*
 * The DEK of st's database: STORE_ERR_LOCKED if it has no keyring yet or
 * this process has not unlocked it.  The keyring's id is read once per
 * connection.  OUT: dek, wiped by the caller.
 */
static int
dek_get(struct store *st, unsigned char *dek)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (!st->ring_known) {
		if ((r = store_prepare(st, sql_ring_id, &s)) != STORE_OK)
			goto fail;
		if ((r = store_step_row(s)) != STORE_OK) {
			if (r == STORE_ERR_NOT_FOUND)
				r = STORE_ERR_LOCKED;
			goto fail;
		}
		if ((r = store_col_fixed(s, 0, st->ring_id,
		    sizeof(st->ring_id))) != STORE_OK)
			goto fail;
		st->ring_known = true;
	}
	r = ring_get(st->ring_id, dek) ? STORE_OK : STORE_ERR_LOCKED;
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_seal(struct store *st, const char *what, const void *key,
    size_t keylen, const void *pt, size_t ptlen, unsigned char *out,
    size_t outmax, size_t *outlen)
{
	unsigned char	dek[STORE_KEY_LEN];
	int		r;

	*outlen = 0;
	if (ptlen > SIZE_MAX - STORE_SEAL_OVERHEAD ||
	    ptlen + STORE_SEAL_OVERHEAD > outmax) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = dek_get(st, dek)) != STORE_OK ||
	    (r = gcm_seal(dek, what, key, keylen, pt, ptlen, out)) !=
	    STORE_OK)
		goto fail;
	*outlen = ptlen + STORE_SEAL_OVERHEAD;

	r = STORE_OK;
fail:
	OPENSSL_cleanse(dek, sizeof(dek));

	return (r);
}

int
store_unseal(struct store *st, const char *what, const void *key,
    size_t keylen, const unsigned char *in, size_t inlen, unsigned char *out,
    size_t outmax, size_t *outlen)
{
	unsigned char	dek[STORE_KEY_LEN];
	int		r;

	*outlen = 0;
	/* Checked before the key: a corrupt value is not a locked one. */
	if (inlen < STORE_SEAL_OVERHEAD ||
	    inlen - STORE_SEAL_OVERHEAD > outmax) {
		r = STORE_ERR_IO;
		goto fail;
	}
	if ((r = dek_get(st, dek)) != STORE_OK)
		goto fail;
	r = gcm_open(dek, what, key, keylen, in, inlen, out, outlen);
fail:
	OPENSSL_cleanse(dek, sizeof(dek));

	return (r);
}

int
store_col_sealed(struct store *st, sqlite3_stmt *s, int col,
    const char *what, const void *key, size_t keylen, unsigned char *out,
    size_t outmax, size_t *outlen)
{
	const unsigned char	*p;
	int			 n;

	*outlen = 0;
	if (sqlite3_column_type(s, col) != SQLITE_BLOB)
		return (STORE_ERR_IO);
	p = sqlite3_column_blob(s, col);
	n = sqlite3_column_bytes(s, col);
	if (p == NULL || n <= 0)
		return (STORE_ERR_IO);

	return (store_unseal(st, what, key, keylen, p, (size_t)n, out, outmax,
	    outlen));
}

int
store_col_sealed_text(struct store *st, sqlite3_stmt *s, int col,
    const char *what, const void *key, size_t keylen, char *out,
    size_t outsize)
{
	size_t	len;
	int	r;

	if (outsize == 0)
		return (STORE_ERR_ARG);
	if ((r = store_col_sealed(st, s, col, what, key, keylen,
	    (unsigned char *)out, outsize - 1, &len)) != STORE_OK)
		goto fail;
	/* A string in C: no NUL inside. */
	if (memchr(out, '\0', len) != NULL) {
		r = STORE_ERR_IO;
		goto fail;
	}
	out[len] = '\0';

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		OPENSSL_cleanse(out, outsize);

	return (r);
}

/* Wraps dek under kek for the keyring ring_id.  OUT: out, WRAPPED_LEN. */
static int
wrap(const unsigned char *kek, const unsigned char *ring_id,
    const unsigned char *dek, unsigned char *out)
{
	return (gcm_seal(kek, "keyring.dek", ring_id, STORE_RING_ID_LEN, dek,
	    STORE_KEY_LEN, out));
}

/*
 * Reads the keyring row in the caller's transaction and unwraps its DEK
 * with kek: STORE_ERR_NOT_FOUND if there is none, STORE_ERR_KEY if kek
 * is not the KEK it was wrapped with.  OUT: ring_id, dek.
 */
static int
unwrap_row(struct store *st, const unsigned char *kek,
    unsigned char *ring_id, unsigned char *dek)
{
	sqlite3_stmt	*s = NULL;
	unsigned char	 want[KEK_ID_LEN], have[KEK_ID_LEN];
	unsigned char	 wrapped[WRAPPED_LEN];
	size_t		 len;
	int		 r;

	if ((r = store_prepare(st, sql_ring, &s)) != STORE_OK ||
	    (r = store_step_row(s)) != STORE_OK ||
	    (r = store_col_fixed(s, 0, ring_id, STORE_RING_ID_LEN)) !=
	    STORE_OK ||
	    (r = store_col_fixed(s, 1, have, sizeof(have))) != STORE_OK ||
	    (r = store_col_fixed(s, 2, wrapped, sizeof(wrapped))) != STORE_OK ||
	    (r = kek_id(kek, want)) != STORE_OK)
		goto fail;
	/* The fingerprint tells a wrong KEK from a damaged keyring. */
	if (CRYPTO_memcmp(want, have, sizeof(want)) != 0) {
		r = STORE_ERR_KEY;
		goto fail;
	}
	if ((r = gcm_open(kek, "keyring.dek", ring_id, STORE_RING_ID_LEN,
	    wrapped, sizeof(wrapped), dek, &len)) != STORE_OK)
		goto fail;
	if (len != STORE_KEY_LEN) {
		r = STORE_ERR_IO;
		goto fail;
	}

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

/* A new keyring with a fresh DEK.  OUT: ring_id, dek. */
static int
ring_create(struct store *st, const unsigned char *kek, int64_t now,
    unsigned char *ring_id, unsigned char *dek)
{
	sqlite3_stmt	*s = NULL;
	unsigned char	 id[KEK_ID_LEN], wrapped[WRAPPED_LEN];
	int		 r;

	if ((r = store_random_bytes(ring_id, STORE_RING_ID_LEN)) != STORE_OK ||
	    (r = store_random_bytes(dek, STORE_KEY_LEN)) != STORE_OK ||
	    (r = kek_id(kek, id)) != STORE_OK ||
	    (r = wrap(kek, ring_id, dek, wrapped)) != STORE_OK ||
	    (r = store_prepare(st, sql_ring_insert, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, ring_id, STORE_RING_ID_LEN) != SQLITE_OK ||
	    store_bind_blob(s, 2, id, sizeof(id)) != SQLITE_OK ||
	    store_bind_blob(s, 3, wrapped, sizeof(wrapped)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_keyring_exists(struct store *st, bool *exists)
{
	sqlite3_stmt	*s = NULL;
	int		 r;

	if (st == NULL || exists == NULL)
		return (STORE_ERR_ARG);
	*exists = false;
	if ((r = store_prepare(st, sql_ring_id, &s)) != STORE_OK)
		goto fail;
	if ((r = store_step_row(s)) == STORE_OK)
		*exists = true;
	else if (r == STORE_ERR_NOT_FOUND)
		r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

/*
 * Column i of a row, a blob or a text with no NUL inside, into dst: at
 * most max bytes (dst has room for max + 1).  OUT: dst, *len.
 */
static int
col_plain(sqlite3_stmt *s, int i, unsigned char *dst, size_t max,
    size_t *len)
{
	int r;

	*len = 0;
	if (sqlite3_column_type(s, i) == SQLITE_BLOB)
		return (store_col_blob(s, i, dst, max, len));
	if ((r = store_col_text(s, i, (char *)dst, max + 1)) != STORE_OK)
		return (r);
	*len = strlen((char *)dst);

	return (STORE_OK);
}

int
store_seal_column(struct store *st, const char *select, const char *update,
    const char *what, size_t max)
{
	unsigned char	 key[STORE_MAX_KID + 1], pt[PLAIN_MAX + 1];
	unsigned char	 sealed[PLAIN_MAX + STORE_SEAL_OVERHEAD];
	sqlite3_stmt	*s = NULL, *u = NULL;
	size_t		 klen, plen, len;
	bool		 row;
	int		 r;

	assert(max <= PLAIN_MAX);
	if ((r = store_prepare(st, select, &s)) != STORE_OK ||
	    (r = store_prepare(st, update, &u)) != STORE_OK)
		goto fail;
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = col_plain(s, 0, key, STORE_MAX_KID, &klen)) !=
		    STORE_OK ||
		    (r = col_plain(s, 1, pt, max, &plen)) != STORE_OK ||
		    (r = store_seal(st, what, key, klen, pt, plen, sealed,
		    sizeof(sealed), &len)) != STORE_OK)
			goto fail;
		/* The key as it was read, text or blob, so WHERE matches. */
		if (sqlite3_bind_value(u, 1, sqlite3_column_value(s, 0)) !=
		    SQLITE_OK ||
		    store_bind_blob(u, 2, sealed, len) != SQLITE_OK) {
			r = store_dberr(st);
			goto fail;
		}
		if ((r = store_step_done(u)) != STORE_OK)
			goto fail;
		sqlite3_reset(u);
	}
fail:
	OPENSSL_cleanse(pt, sizeof(pt));
	sqlite3_finalize(s);
	sqlite3_finalize(u);

	return (r);
}

/*
 * One transaction: read or create the keyring, and on creation seal the
 * plaintext that a database from before schema 4 may hold, so that no
 * row is half migrated.
 */
int
store_unlock(struct store *st, const unsigned char *kek, int64_t now)
{
	unsigned char	ring_id[STORE_RING_ID_LEN], dek[STORE_KEY_LEN];
	bool		created = false;
	int		r;

	if (st == NULL || kek == NULL || now <= 0)
		return (STORE_ERR_ARG);
	if ((r = store_tx_begin(st)) != STORE_OK)
		goto fail;
	if ((r = unwrap_row(st, kek, ring_id, dek)) == STORE_ERR_NOT_FOUND) {
		if ((r = ring_create(st, kek, now, ring_id, dek)) != STORE_OK)
			goto fail;
		created = true;
	} else if (r != STORE_OK)
		goto fail;
	/* Published before the commit: the sealing below needs it. */
	ring_put(ring_id, dek);
	memcpy(st->ring_id, ring_id, sizeof(st->ring_id));
	st->ring_known = true;
	if (created && ((r = store_user_seal_plain(st)) != STORE_OK ||
	    (r = store_key_seal_plain(st)) != STORE_OK ||
	    (r = store_confirm_seal_plain(st)) != STORE_OK))
		goto fail;
	if ((r = store_tx_commit(st)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	if (r != STORE_OK) {
		store_tx_rollback(st);
		st->ring_known = false;
	}
	OPENSSL_cleanse(dek, sizeof(dek));

	return (r);
}

int
store_rewrap(struct store *st, const unsigned char *old_kek,
    const unsigned char *new_kek, int64_t now)
{
	sqlite3_stmt	*s = NULL;
	unsigned char	 ring_id[STORE_RING_ID_LEN], dek[STORE_KEY_LEN];
	unsigned char	 id[KEK_ID_LEN], wrapped[WRAPPED_LEN];
	int		 r;

	if (st == NULL || old_kek == NULL || new_kek == NULL || now <= 0)
		return (STORE_ERR_ARG);
	if ((r = store_tx_begin(st)) != STORE_OK ||
	    (r = unwrap_row(st, old_kek, ring_id, dek)) != STORE_OK ||
	    (r = kek_id(new_kek, id)) != STORE_OK ||
	    (r = wrap(new_kek, ring_id, dek, wrapped)) != STORE_OK ||
	    (r = store_prepare(st, sql_ring_update, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, id, sizeof(id)) != SQLITE_OK ||
	    store_bind_blob(s, 2, wrapped, sizeof(wrapped)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK ||
	    (r = store_tx_commit(st)) != STORE_OK)
		goto fail;
	/* This process may go on using the same DEK. */
	ring_put(ring_id, dek);

	r = STORE_OK;
fail:
	sqlite3_finalize(s);
	if (r != STORE_OK)
		store_tx_rollback(st);
	OPENSSL_cleanse(dek, sizeof(dek));

	return (r);
}
