/*
 * confirm.c: delivery confirmations.  Completing one is atomic: the row
 * goes from pending to confirmed exactly once (guarded in the UPDATE's
 * WHERE clause and by a trigger), the customer's credential advances as
 * in a login, and the receipt is kept for the service to fetch.  Like a
 * login it runs in a savepoint of the group-commit writer (writer.c).
 *
 * The statement names the recipient, the address and the courier, and
 * the receipt repeats it: both are sealed (seal.c), bound to the
 * confirmation id.  The shipment id, the tracking service's reference,
 * is not.
 */
#include <string.h>

#include "extern.h"

#define SEAL_STATEMENT	"confirmations.statement"
#define SEAL_RECEIPT	"confirmations.receipt"

static const char sql_insert[] =
    "INSERT INTO confirmations (id, service_id, customer_id, shipment_id,"
    " statement, statement_sealed, nonce, created, expires) VALUES (?1,"
    " ?2, ?3, ?4, '', ?5, ?6, ?7, ?8)";
static const char sql_get[] =
    "SELECT service_id, customer_id, shipment_id, statement_sealed, nonce,"
    " created, expires, confirmed_at, receipt_sealed FROM confirmations"
    " WHERE id = ?1";
static const char sql_complete[] =
    "UPDATE confirmations SET confirmed_at = ?2, receipt_sealed = ?3"
    " WHERE id = ?1 AND confirmed_at = 0 AND expires > ?2";
static const char sql_plain[] =
    "SELECT id, statement FROM confirmations WHERE statement_sealed IS NULL";
static const char sql_plain_update[] =
    "UPDATE confirmations SET statement = '', receipt = '',"
    " statement_sealed = ?2 WHERE id = ?1";
static const char sql_plain_receipt[] =
    "SELECT id, receipt FROM confirmations"
    " WHERE statement_sealed IS NULL AND receipt != ''";
static const char sql_plain_receipt_update[] =
    "UPDATE confirmations SET receipt_sealed = ?2 WHERE id = ?1";

int
store_confirm_put(struct store *st, const struct store_confirmation *c)
{
	unsigned char	 sealed[STORE_MAX_STATEMENT + STORE_SEAL_OVERHEAD];
	sqlite3_stmt	*s = NULL;
	size_t		 len;
	int		 r;

	if (st == NULL || c == NULL ||
	    !store_field_ok(c->shipment_id, sizeof(c->shipment_id)) ||
	    !store_field_ok(c->statement, sizeof(c->statement)) ||
	    c->shipment_id[0] == '\0' || c->statement[0] == '\0' ||
	    c->expires <= c->created)
		return (STORE_ERR_ARG);
	if ((r = store_seal(st, SEAL_STATEMENT, c->id, sizeof(c->id),
	    c->statement, strlen(c->statement), sealed, sizeof(sealed),
	    &len)) != STORE_OK ||
	    (r = store_prepare(st, sql_insert, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, c->id, sizeof(c->id)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, c->service_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, c->customer_id) != SQLITE_OK ||
	    store_bind_text(s, 4, c->shipment_id) != SQLITE_OK ||
	    store_bind_blob(s, 5, sealed, len) != SQLITE_OK ||
	    store_bind_blob(s, 6, c->nonce, sizeof(c->nonce)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, c->created) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 8, c->expires) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_confirm_get(struct store *st, const unsigned char *id,
    struct store_confirmation *c)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || id == NULL || c == NULL)
		return (STORE_ERR_ARG);
	memset(c, 0, sizeof(*c));
	if ((r = store_stmt_row(st, STMT_CONFIRM_GET, sql_get, id,
	    STORE_CONFIRM_ID_LEN, &s)) != STORE_OK)
		goto fail;
	memcpy(c->id, id, STORE_CONFIRM_ID_LEN);
	if ((r = store_col_int64(s, 0, &c->service_id)) != STORE_OK ||
	    (r = store_col_int64(s, 1, &c->customer_id)) != STORE_OK ||
	    (r = store_col_text(s, 2, c->shipment_id,
	    sizeof(c->shipment_id))) != STORE_OK ||
	    (r = store_col_fixed(s, 4, c->nonce, sizeof(c->nonce))) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 5, &c->created)) != STORE_OK ||
	    (r = store_col_int64(s, 6, &c->expires)) != STORE_OK ||
	    (r = store_col_int64(s, 7, &c->confirmed_at)) != STORE_OK)
		goto fail;
	/* NULL: plaintext from before schema 4, until the first unlock. */
	if (sqlite3_column_type(s, 3) == SQLITE_NULL) {
		r = STORE_ERR_LOCKED;
		goto fail;
	}
	if ((r = store_col_sealed_text(st, s, 3, SEAL_STATEMENT, id,
	    STORE_CONFIRM_ID_LEN, c->statement, sizeof(c->statement))) !=
	    STORE_OK)
		goto fail;
	if (sqlite3_column_type(s, 8) != SQLITE_NULL &&
	    (r = store_col_sealed_text(st, s, 8, SEAL_RECEIPT, id,
	    STORE_CONFIRM_ID_LEN, c->receipt, sizeof(c->receipt))) !=
	    STORE_OK)
		goto fail;

	r = STORE_OK;
fail:
	store_stmt_done(s);

	return (r);
}

/* Why the UPDATE matched nothing: done already, or expired. */
static int
why_not(struct store *st, const unsigned char *id, int64_t now)
{
	struct store_confirmation	c;
	int				r;

	if ((r = store_confirm_get(st, id, &c)) != STORE_OK)
		return (r);
	if (c.confirmed_at != 0)
		return (STORE_ERR_CONSUMED);

	return (c.expires <= now ? STORE_ERR_EXPIRED : STORE_ERR_IO);
}

struct completion {
	const unsigned char	*id;
	int64_t			 now;
	const unsigned char	*cred_id;
	size_t			 cred_id_len;
	uint32_t		 count;
	bool			 bs;
	const char		*receipt;
};

/* On the writer's connection, inside the completion's savepoint. */
static int
complete_write(struct store *st, void *arg)
{
	const struct completion *c = arg;
	unsigned char	 sealed[STORE_MAX_RECEIPT + STORE_SEAL_OVERHEAD];
	sqlite3_stmt	*s = NULL;
	int64_t		 row, user_id;
	size_t		 len;
	int		 r;

	if ((r = store_seal(st, SEAL_RECEIPT, c->id, STORE_CONFIRM_ID_LEN,
	    c->receipt, strlen(c->receipt), sealed, sizeof(sealed), &len)) !=
	    STORE_OK || (r = store_prepare(st, sql_complete, &s)) != STORE_OK)
		goto fail;
	if (store_bind_blob(s, 1, c->id, STORE_CONFIRM_ID_LEN) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, c->now) != SQLITE_OK ||
	    store_bind_blob(s, 3, sealed, len) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK)
		goto fail;
	if (sqlite3_changes(st->db) != 1) {
		r = why_not(st, c->id, c->now);
		goto fail;
	}
	r = store_cred_advance(st, c->cred_id, c->cred_id_len, c->count,
	    c->bs, c->now, &row, &user_id, NULL);
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_confirm_complete(struct store *st, const unsigned char *id,
    int64_t now, const unsigned char *cred_id, size_t cred_id_len,
    uint32_t count, bool bs, const char *receipt)
{
	struct completion c;

	if (st == NULL || id == NULL || cred_id == NULL || cred_id_len == 0 ||
	    cred_id_len > STORE_MAX_CRED_ID || now <= 0 ||
	    !store_str_ok(receipt, STORE_MAX_RECEIPT, false))
		return (STORE_ERR_ARG);
	c = (struct completion){ .id = id, .now = now, .cred_id = cred_id,
	    .cred_id_len = cred_id_len, .count = count, .bs = bs,
	    .receipt = receipt };

	return (store_writer_run(st, complete_write, &c, 0));
}

/*
 * The receipts first, into receipt_sealed only: the trigger refuses an
 * update of statement or receipt that leaves either one non-empty, so
 * the statements' pass clears both.
 */
int
store_confirm_seal_plain(struct store *st)
{
	int r;

	if ((r = store_seal_column(st, sql_plain_receipt,
	    sql_plain_receipt_update, SEAL_RECEIPT, STORE_MAX_RECEIPT)) !=
	    STORE_OK)
		return (r);

	return (store_seal_column(st, sql_plain, sql_plain_update,
	    SEAL_STATEMENT, STORE_MAX_STATEMENT));
}
