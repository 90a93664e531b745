/*
 * key.c: token signing keys.  The current keys have retired_at 0; a
 * retired key stays listed (for the JWKS) until its expires_at, chosen
 * by the caller to outlive the last token it signed.  The private key, a
 * DER PKCS#8 blob, is sealed (seal.c) and bound to its kid; the public
 * half is published in the JWKS anyway.
 */
#include <string.h>

#include "extern.h"

#define SEAL_PRIV	"signing_keys.priv"
#define SEALED_MAX	(sizeof(((struct store_key *)0)->priv) + \
			 STORE_SEAL_OVERHEAD)

static const char sql_insert[] =
    "INSERT INTO signing_keys (kid, alg, priv, created, retired_at,"
    " expires_at, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)";
static const char sql_list[] =
    "SELECT kid, alg, priv, created, retired_at, expires_at, sealed"
    " FROM signing_keys WHERE expires_at = 0 OR expires_at > ?1"
    " ORDER BY created DESC, rowid DESC";
static const char sql_plain[] =
    "SELECT kid, priv FROM signing_keys WHERE sealed = 0";
static const char sql_plain_update[] =
    "UPDATE signing_keys SET priv = ?2, sealed = 1 WHERE kid = ?1";
static const char sql_retire[] =
    "UPDATE signing_keys SET retired_at = ?1, expires_at = ?2"
    " WHERE retired_at = 0";

static bool
key_ok(const struct store_key *k)
{
	return (store_str_ok(k->kid, STORE_MAX_KID, false) &&
	    store_field_ok(k->kid, sizeof(k->kid)) &&
	    store_field_ok(k->alg, sizeof(k->alg)) && k->alg[0] != '\0' &&
	    k->priv_len > 0 && k->priv_len <= sizeof(k->priv));
}

static int
put(struct store *st, const struct store_key *k)
{
	unsigned char	 sealed[SEALED_MAX];
	sqlite3_stmt	*s = NULL;
	size_t		 len;
	int		 r;

	if ((r = store_seal(st, SEAL_PRIV, k->kid, strlen(k->kid), k->priv,
	    k->priv_len, sealed, sizeof(sealed), &len)) != STORE_OK ||
	    (r = store_prepare(st, sql_insert, &s)) != STORE_OK)
		goto fail;
	if (store_bind_text(s, 1, k->kid) != SQLITE_OK ||
	    store_bind_text(s, 2, k->alg) != SQLITE_OK ||
	    store_bind_blob(s, 3, sealed, len) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, k->created) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, k->retired_at) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, k->expires_at) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_key_put(struct store *st, const struct store_key *k)
{
	if (st == NULL || k == NULL || !key_ok(k))
		return (STORE_ERR_ARG);

	return (put(st, k));
}

int
store_key_retire_all(struct store *st, int64_t now, int64_t until)
{
	if (st == NULL || now <= 0 || until <= now)
		return (STORE_ERR_ARG);

	/* One UPDATE: atomic on its own. */
	return (store_exec2(st, sql_retire, now, until));
}

int
store_key_rotate(struct store *st, const struct store_key *k, int64_t now,
    int64_t until)
{
	int r;

	if (st == NULL || k == NULL || !key_ok(k) || now <= 0 ||
	    until <= now || k->retired_at != 0)
		return (STORE_ERR_ARG);
	if ((r = store_tx_begin(st)) != STORE_OK ||
	    (r = store_exec2(st, sql_retire, now, until)) != STORE_OK ||
	    (r = put(st, k)) != STORE_OK ||
	    (r = store_tx_commit(st)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		store_tx_rollback(st);

	return (r);
}

static int
read_key(struct store *st, sqlite3_stmt *s, struct store_key *k)
{
	bool sealed;
	int r;

	memset(k, 0, sizeof(*k));
	if ((r = store_col_text(s, 0, k->kid, sizeof(k->kid))) != STORE_OK ||
	    (r = store_col_text(s, 1, k->alg, sizeof(k->alg))) != STORE_OK ||
	    (r = store_col_int64(s, 3, &k->created)) != STORE_OK ||
	    (r = store_col_int64(s, 4, &k->retired_at)) != STORE_OK ||
	    (r = store_col_int64(s, 5, &k->expires_at)) != STORE_OK ||
	    (r = store_col_bool(s, 6, &sealed)) != STORE_OK)
		return (r);
	/* A key from before schema 4 is sealed by the first unlock. */
	if (!sealed)
		return (STORE_ERR_LOCKED);

	return (store_col_sealed(st, s, 2, SEAL_PRIV, k->kid, strlen(k->kid),
	    k->priv, sizeof(k->priv), &k->priv_len));
}

int
store_key_list(struct store *st, int64_t now,
    int (*fn)(const struct store_key *, void *), void *arg)
{
	struct store_key k;
	sqlite3_stmt *s = NULL;
	bool row, stop;
	int r;

	if (st == NULL || fn == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_prepare(st, sql_list, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = read_key(st, s, &k)) != STORE_OK)
			goto fail;
		stop = fn(&k, arg) != 0;
		explicit_bzero(&k, sizeof(k));
		if (stop)
			break;
	}
	/* STORE_OK after the last row or a stop, else the step's error. */
fail:
	explicit_bzero(&k, sizeof(k));	/* the private key */
	sqlite3_finalize(s);

	return (r);
}

int
store_key_seal_plain(struct store *st)
{
	return (store_seal_column(st, sql_plain, sql_plain_update, SEAL_PRIV,
	    sizeof(((struct store_key *)0)->priv)));
}
