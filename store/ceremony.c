/*
 * ceremony.c: one-time ceremonies.  Consuming a ceremony id is an INSERT
 * into a table keyed by the id, so of two concurrent consumers exactly
 * one commits and the other gets a unique-constraint error, whatever
 * the interleaving; no read-then-write window exists.
 *
 * Pruning: an id is refused once it has expired, so its row is needed
 * only until then.  Rows are deleted once they are STORE_CEREMONY_GRACE
 * seconds past expiry (the margin covers clocks that differ between
 * processes); every consume deletes up to STORE_PRUNE_BATCH such rows in
 * its own transaction, which keeps the table at about the ceremonies of
 * the last few minutes at the cost of one index probe.  Logins go
 * through the group-commit writer, which prunes as many rows once per
 * batch instead (writer.c).  store_prune() deletes them all.
 */
#include "extern.h"

static const char sql_insert[] =
    "INSERT INTO ceremonies (id, expires) VALUES (?1, ?2)";
static const char sql_prune[] =
    "DELETE FROM ceremonies WHERE id IN (SELECT id FROM ceremonies"
    " WHERE expires < ?1 ORDER BY expires LIMIT ?2)";

int
store_ceremony_prune(struct store *st, int64_t now, int64_t limit,
    int64_t *n)
{
	sqlite3_stmt *s = NULL;
	int64_t before = now - STORE_CEREMONY_GRACE;
	int r;

	if ((r = store_stmt(st, STMT_CER_PRUNE, sql_prune, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, before) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, limit) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK)
		goto fail;
	if (n != NULL)
		*n = sqlite3_changes64(st->db);

	r = STORE_OK;
fail:
	store_stmt_done(s);

	return (r);
}

int
store_ceremony_put(struct store *st, const unsigned char *id,
    int64_t expires, int64_t now)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (id == NULL) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if (expires <= now) {
		r = STORE_ERR_EXPIRED;
		goto fail;
	}
	if ((r = store_stmt(st, STMT_CER_INSERT, sql_insert, &s)) !=
	    STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, id, STORE_CEREMONY_LEN) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, expires) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK) {
		if (r == STORE_ERR_EXISTS)
			r = STORE_ERR_CONSUMED;
		goto fail;
	}

	r = STORE_OK;
fail:
	store_stmt_done(s);

	return (r);
}

int
store_ceremony_use(struct store *st, const unsigned char *id,
    int64_t expires, int64_t now)
{
	int r;

	if ((r = store_ceremony_put(st, id, expires, now)) != STORE_OK)
		return (r);

	return (store_ceremony_prune(st, now, STORE_PRUNE_BATCH, NULL));
}

int
store_ceremony_consume(struct store *st, const unsigned char *id,
    int64_t expires, int64_t now)
{
	int r;

	if (st == NULL || id == NULL)
		return (STORE_ERR_ARG);
	if (expires <= now)
		return (STORE_ERR_EXPIRED);
	if ((r = store_tx_begin(st)) != STORE_OK ||
	    (r = store_ceremony_use(st, id, expires, now)) != STORE_OK ||
	    (r = store_tx_commit(st)) != STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		store_tx_rollback(st);

	return (r);
}

int
store_prune(struct store *st, int64_t now, int64_t *n)
{
	if (n != NULL)
		*n = 0;
	if (st == NULL)
		return (STORE_ERR_ARG);

	/* One statement: atomic on its own. */
	return (store_ceremony_prune(st, now, -1, n));
}
