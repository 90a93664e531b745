/*
 * audit.c: the append-only, hash-chained audit log.  Each entry has a
 * seq (never reused), a time, an event name, an actor, a subject and an
 * optional JSON detail (plain text is stored as a JSON string, so an
 * event is never lost to its detail's format).  Triggers refuse UPDATE
 * and DELETE, and from schema 3 on an INSERT without hashes.
 *
 * The chain (store.h) is extended under the write lock: the next seq,
 * the previous hash and the stored form of the detail are read inside
 * the inserting transaction (BEGIN IMMEDIATE, or the caller's, such as
 * the group-commit batch of a sign-in), so two writers, in one process
 * or several, can never both chain onto the same entry.  The seq is
 * chosen here rather than by AUTOINCREMENT because the hash covers it;
 * it follows both the largest seq and sqlite_sequence, so a seq is
 * never reused even after an attacker deleted the tail.
 *
 * Entries written before migration 3 keep NULL hashes; audit_chain says
 * where the chain starts and how many such rows precede it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "extern.h"

#define AUDIT_TAG	"authd-audit-v1"

/* The next seq, the previous hash, and detail as it will be stored. */
static const char sql_next[] =
    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
    " WHERE name = 'audit'), 0), coalesce((SELECT max(seq) FROM audit),"
    " 0)) + 1, (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1),"
    " CASE WHEN ?1 IS NULL OR ?1 = '' THEN NULL"
    " WHEN json_valid(?1) THEN ?1 ELSE json_quote(?1) END";
static const char sql_insert[] =
    "INSERT INTO audit (seq, time, event, actor, subject, detail,"
    " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_list[] =
    "SELECT seq, time, event, actor, subject, coalesce(detail, ''), hash"
    " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2";
static const char sql_walk[] =
    "SELECT seq, time, event, actor, subject, coalesce(detail, ''),"
    " detail IS NULL, prev_hash, hash FROM audit ORDER BY seq";
static const char sql_chain[] =
    "SELECT first_seq, legacy_rows,"
    " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)"
    " FROM audit_chain WHERE id = 1";
static const char sql_head[] =
    "SELECT seq, hash FROM audit WHERE hash IS NOT NULL"
    " ORDER BY seq DESC LIMIT 1";
static const char sql_entry_hash[] =
    "SELECT hash FROM audit WHERE seq = ?1 AND hash IS NOT NULL";
static const char sql_cp_insert[] =
    "INSERT INTO audit_checkpoints (seq, hash, time, jws)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char sql_cp_last[] =
    "SELECT seq, hash, time, jws FROM audit_checkpoints"
    " ORDER BY id DESC LIMIT 1";

static const unsigned char zero_hash[STORE_HASH_LEN];

static int
put_u64(EVP_MD_CTX *ctx, uint64_t v)
{
	unsigned char b[8];

	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));

	return (EVP_DigestUpdate(ctx, b, sizeof(b)));
}

static int
put_str(EVP_MD_CTX *ctx, const char *s)
{
	unsigned char	b[4];
	size_t		n = s != NULL ? strlen(s) : 0;

	if (n > UINT32_MAX)
		return (0);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(n >> (24 - 8 * i));

	return (EVP_DigestUpdate(ctx, b, sizeof(b)) == 1 &&
	    (n == 0 || EVP_DigestUpdate(ctx, s, n) == 1));
}

/* A detail may be absent (NULL), which must not hash as "". */
static int
put_opt(EVP_MD_CTX *ctx, const char *s)
{
	unsigned char present = s != NULL;

	return (EVP_DigestUpdate(ctx, &present, 1) == 1 &&
	    (s == NULL || put_str(ctx, s)));
}

int
store_audit_hash(const unsigned char *prev, int64_t seq, int64_t time,
    const char *event, const char *actor, const char *subject,
    const char *detail, unsigned char *out)
{
	EVP_MD_CTX	*ctx = NULL;
	unsigned int	 len = 0;
	int		 r;

	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prev, STORE_HASH_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, AUDIT_TAG, strlen(AUDIT_TAG)) != 1 ||
	    put_u64(ctx, (uint64_t)seq) != 1 ||
	    put_u64(ctx, (uint64_t)time) != 1 || !put_str(ctx, event) ||
	    !put_str(ctx, actor) || !put_str(ctx, subject) ||
	    !put_opt(ctx, detail) || EVP_DigestFinal_ex(ctx, out, &len) != 1 ||
	    len != STORE_HASH_LEN) {
		r = STORE_ERR_NOMEM;
		goto fail;
	}

	r = STORE_OK;
fail:
	EVP_MD_CTX_free(ctx);

	return (r);
}

static bool
audit_args_ok(const char *event, const char *actor, const char *subject,
    const char *detail)
{
	return (store_str_ok(event, STORE_MAX_EVENT, false) &&
	    store_str_ok(actor, STORE_MAX_ACTOR, true) &&
	    store_str_ok(subject, STORE_MAX_SUBJECT, true) &&
	    (detail == NULL || store_str_ok(detail, STORE_MAX_DETAIL, true)));
}

int
store_audit_append(struct store *st, int64_t now, const char *event,
    const char *actor, const char *subject, const char *detail)
{
	sqlite3_stmt		*n = NULL, *s = NULL;
	unsigned char		 prev[STORE_HASH_LEN], hash[STORE_HASH_LEN];
	const char		*stored;
	size_t			 prev_len;
	int64_t			 seq;
	int			 r;

	if (actor == NULL)
		actor = "";
	if (subject == NULL)
		subject = "";
	if (!audit_args_ok(event, actor, subject, detail)) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_stmt(st, STMT_AUDIT_NEXT, sql_next, &n)) != STORE_OK)
		goto fail;
	if (store_bind_text(n, 1, detail) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_row(n)) != STORE_OK ||
	    (r = store_col_int64(n, 0, &seq)) != STORE_OK)
		goto fail;
	if (sqlite3_column_type(n, 1) == SQLITE_NULL)
		memcpy(prev, zero_hash, sizeof(prev));
	else if ((r = store_col_blob(n, 1, prev, sizeof(prev),
	    &prev_len)) != STORE_OK || prev_len != sizeof(prev)) {
		r = STORE_ERR_IO;
		goto fail;
	}
	/* Valid until n is reset, after the INSERT. */
	if (sqlite3_column_type(n, 2) == SQLITE_NULL)
		stored = NULL;
	else if ((stored = (const char *)sqlite3_column_text(n, 2)) ==
	    NULL) {
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	if ((r = store_audit_hash(prev, seq, now, event, actor, subject,
	    stored, hash)) != STORE_OK)
		goto fail;
	if ((r = store_stmt(st, STMT_AUDIT_INSERT, sql_insert, &s)) !=
	    STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, seq) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    store_bind_text(s, 3, event) != SQLITE_OK ||
	    store_bind_text(s, 4, actor) != SQLITE_OK ||
	    store_bind_text(s, 5, subject) != SQLITE_OK ||
	    store_bind_text(s, 6, stored) != SQLITE_OK ||
	    store_bind_blob(s, 7, prev, sizeof(prev)) != SQLITE_OK ||
	    store_bind_blob(s, 8, hash, sizeof(hash)) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	store_stmt_done(s);
	store_stmt_done(n);

	return (r);
}

int
store_audit(struct store *st, int64_t now, const char *event,
    const char *actor, const char *subject, const char *detail)
{
	int r;

	if (st == NULL || !audit_args_ok(event, actor != NULL ? actor : "",
	    subject != NULL ? subject : "", detail))
		return (STORE_ERR_ARG);
	/* Inside the caller's write transaction: chain there. */
	if (st->writing)
		return (store_audit_append(st, now, event, actor, subject,
		    detail));
	/* Another store of this thread holds the write mutex. */
	if (store_tx_held())
		return (STORE_ERR_ARG);
	if ((r = store_tx_begin(st)) != STORE_OK)
		return (r);
	if ((r = store_audit_append(st, now, event, actor, subject,
	    detail)) != STORE_OK || (r = store_tx_commit(st)) != STORE_OK) {
		store_tx_rollback(st);
		return (r);
	}

	return (STORE_OK);
}

static int
read_audit(sqlite3_stmt *s, struct store_audit_rec *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = store_col_int64(s, 0, &a->seq)) != STORE_OK ||
	    (r = store_col_int64(s, 1, &a->time)) != STORE_OK ||
	    (r = store_col_text(s, 2, a->event, sizeof(a->event))) !=
	    STORE_OK ||
	    (r = store_col_text(s, 3, a->actor, sizeof(a->actor))) !=
	    STORE_OK ||
	    (r = store_col_text(s, 4, a->subject, sizeof(a->subject))) !=
	    STORE_OK ||
	    (r = store_col_text(s, 5, a->detail, sizeof(a->detail))) !=
	    STORE_OK)
		return (r);
	if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
		if ((r = store_col_fixed(s, 6, a->hash, sizeof(a->hash))) !=
		    STORE_OK)
			return (r);
		a->chained = true;
	}

	return (STORE_OK);
}

int
store_audit_list(struct store *st, int64_t since, size_t limit,
    int (*fn)(const struct store_audit_rec *, void *), void *arg)
{
	struct store_audit_rec *a = NULL;
	sqlite3_stmt *s = NULL;
	bool row;
	int r;

	if (st == NULL || fn == NULL || limit > INT64_MAX) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	/* About 13 KiB: off the stack. */
	if ((a = malloc(sizeof(*a))) == NULL) {
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	if ((r = store_prepare(st, sql_list, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, since) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, limit == 0 ? -1 : (int64_t)limit) !=
	    SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = read_audit(s, a)) != STORE_OK)
			goto fail;
		if (fn(a, arg) != 0)
			break;
	}
	/* STORE_OK after the last row or a stop, else the step's error. */
fail:
	sqlite3_finalize(s);
	free(a);

	return (r);
}

/* A row of the walk: seq and the hashes, or the problem it shows. */
static const char *
check_row(sqlite3_stmt *s, int64_t seq, const unsigned char *prev,
    unsigned char *hash, int *r)
{
	struct store_audit_rec	*a = NULL;
	unsigned char		 got_prev[STORE_HASH_LEN], want[STORE_HASH_LEN];
	const char		*problem = NULL;

	*r = STORE_OK;
	if (sqlite3_column_type(s, 7) == SQLITE_NULL ||
	    sqlite3_column_type(s, 8) == SQLITE_NULL)
		return ("unchained");
	/* The row reader without the hash column (8 here, not 6). */
	if ((a = malloc(sizeof(*a))) == NULL) {
		*r = STORE_ERR_NOMEM;
		return (NULL);
	}
	memset(a, 0, sizeof(*a));
	if ((*r = store_col_int64(s, 1, &a->time)) != STORE_OK ||
	    (*r = store_col_text(s, 2, a->event, sizeof(a->event))) !=
	    STORE_OK ||
	    (*r = store_col_text(s, 3, a->actor, sizeof(a->actor))) !=
	    STORE_OK ||
	    (*r = store_col_text(s, 4, a->subject, sizeof(a->subject))) !=
	    STORE_OK ||
	    (*r = store_col_text(s, 5, a->detail, sizeof(a->detail))) !=
	    STORE_OK)
		goto out;
	/* A wrong-sized hash is tampering, not a read error. */
	if (store_col_fixed(s, 7, got_prev, sizeof(got_prev)) != STORE_OK ||
	    store_col_fixed(s, 8, hash, STORE_HASH_LEN) != STORE_OK) {
		problem = "hash_mismatch";
		goto out;
	}
	if ((*r = store_audit_hash(got_prev, seq, a->time, a->event,
	    a->actor, a->subject, sqlite3_column_int(s, 6) ? NULL : a->detail,
	    want)) != STORE_OK)
		goto out;
	if (CRYPTO_memcmp(want, hash, STORE_HASH_LEN) != 0)
		problem = "hash_mismatch";
	else if (CRYPTO_memcmp(got_prev, prev, STORE_HASH_LEN) != 0)
		problem = "prev_mismatch";
out:
	free(a);

	return (problem);
}

/* A constant statement that returns no row. */
static int
exec0(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_prepare(st, sql, &s)) == STORE_OK)
		r = store_step_done(s);
	sqlite3_finalize(s);

	return (r);
}

int
store_audit_verify(struct store *st, struct store_audit_check *c)
{
	sqlite3_stmt	*s = NULL, *m = NULL;
	unsigned char	 prev[STORE_HASH_LEN], hash[STORE_HASH_LEN];
	int64_t		 seq, legacy_rows, last_seq = 0, counter;
	bool		 row, own_tx = false;
	int		 r;

	if (st == NULL || c == NULL)
		return (STORE_ERR_ARG);
	memset(c, 0, sizeof(*c));
	memcpy(prev, zero_hash, sizeof(prev));
	/* One read snapshot for the metadata and the walk. */
	if (sqlite3_get_autocommit(st->db)) {
		if ((r = exec0(st, "BEGIN DEFERRED")) != STORE_OK)
			goto fail;
		own_tx = true;
	}
	if ((r = store_prepare(st, sql_chain, &m)) != STORE_OK ||
	    (r = store_step_row(m)) != STORE_OK ||
	    (r = store_col_int64(m, 0, &c->first_seq)) != STORE_OK ||
	    (r = store_col_int64(m, 1, &legacy_rows)) != STORE_OK ||
	    (r = store_col_int64(m, 2, &counter)) != STORE_OK)
		goto fail;
	if ((r = store_prepare(st, sql_walk, &s)) != STORE_OK)
		goto fail;
	while ((r = store_step_next(s, &row)) == STORE_OK && row) {
		if ((r = store_col_int64(s, 0, &seq)) != STORE_OK)
			goto fail;
		c->entries++;
		if (seq < c->first_seq) {
			c->unchained++;
			last_seq = seq;
			continue;
		}
		if (c->unchained != legacy_rows) {
			c->bad_seq = last_seq > 0 ? last_seq : seq;
			c->problem = "legacy_changed";
			goto done;
		}
		/* The chain starts at first_seq and has no gap. */
		if (seq != (c->head_seq == 0 ? c->first_seq :
		    c->head_seq + 1)) {
			c->bad_seq = c->head_seq == 0 ? c->first_seq :
			    c->head_seq + 1;
			c->problem = "missing";
			goto done;
		}
		if ((c->problem = check_row(s, seq, prev, hash, &r)) != NULL) {
			c->bad_seq = seq;
			goto done;
		}
		if (r != STORE_OK)
			goto fail;
		c->head_seq = seq;
		memcpy(prev, hash, sizeof(prev));
		memcpy(c->head_hash, hash, sizeof(hash));
	}
	if (r != STORE_OK)
		goto fail;
	if (c->unchained != legacy_rows) {
		c->bad_seq = last_seq > 0 ? last_seq : c->first_seq;
		c->problem = "legacy_changed";
		goto done;
	}
	/* AUTOINCREMENT's counter remembers entries cut from the tail. */
	if (counter >= c->first_seq && counter > c->head_seq) {
		c->bad_seq = c->head_seq == 0 ? c->first_seq : c->head_seq + 1;
		c->problem = "missing";
	}
done:
	r = STORE_OK;
fail:
	sqlite3_finalize(s);
	sqlite3_finalize(m);
	if (own_tx)
		(void)exec0(st, "COMMIT");

	return (r);
}

int
store_audit_head(struct store *st, int64_t *seq, unsigned char *hash)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || seq == NULL || hash == NULL)
		return (STORE_ERR_ARG);
	if ((r = store_prepare(st, sql_head, &s)) != STORE_OK ||
	    (r = store_step_row(s)) != STORE_OK ||
	    (r = store_col_int64(s, 0, seq)) != STORE_OK ||
	    (r = store_col_fixed(s, 1, hash, STORE_HASH_LEN)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_audit_checkpoint_put(struct store *st,
    const struct store_audit_checkpoint *cp)
{
	sqlite3_stmt	*s = NULL;
	unsigned char	 hash[STORE_HASH_LEN];
	bool		 own_tx = false;
	int		 r;

	if (st == NULL || cp == NULL || cp->seq <= 0 ||
	    !store_str_ok(cp->jws, STORE_MAX_JWS, false) ||
	    !store_field_ok(cp->jws, sizeof(cp->jws)))
		return (STORE_ERR_ARG);
	if (!st->writing) {
		if (store_tx_held())
			return (STORE_ERR_ARG);
		if ((r = store_tx_begin(st)) != STORE_OK)
			return (r);
		own_tx = true;
	}
	if ((r = store_prepare(st, sql_entry_hash, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, cp->seq) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_row(s)) != STORE_OK ||
	    (r = store_col_fixed(s, 0, hash, sizeof(hash))) != STORE_OK)
		goto fail;
	if (CRYPTO_memcmp(hash, cp->hash, sizeof(hash)) != 0) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	sqlite3_finalize(s);
	if ((r = store_prepare(st, sql_cp_insert, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, cp->seq) != SQLITE_OK ||
	    store_bind_blob(s, 2, cp->hash, sizeof(cp->hash)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, cp->time) != SQLITE_OK ||
	    store_bind_text(s, 4, cp->jws) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK)
		goto fail;
	if (own_tx && (r = store_tx_commit(st)) != STORE_OK)
		goto fail;
	own_tx = false;

	r = STORE_OK;
fail:
	sqlite3_finalize(s);
	if (own_tx)
		store_tx_rollback(st);

	return (r);
}

int
store_audit_checkpoint_last(struct store *st,
    struct store_audit_checkpoint *cp)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || cp == NULL)
		return (STORE_ERR_ARG);
	memset(cp, 0, sizeof(*cp));
	if ((r = store_prepare(st, sql_cp_last, &s)) != STORE_OK ||
	    (r = store_step_row(s)) != STORE_OK ||
	    (r = store_col_int64(s, 0, &cp->seq)) != STORE_OK ||
	    (r = store_col_fixed(s, 1, cp->hash, sizeof(cp->hash))) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 2, &cp->time)) != STORE_OK ||
	    (r = store_col_text(s, 3, cp->jws, sizeof(cp->jws))) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}
