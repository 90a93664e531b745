/*
 * service.c: service clients (tracking services).  A service holds an
 * API key, of which only SHA-256 is stored (UNIQUE, so a key names one
 * service), and the token audience it is issued.  Names are unique.
 */
#include <string.h>

#include "extern.h"

static const char sql_insert[] =
    "INSERT INTO services (name, audience, key_hash, created)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char sql_by_key[] =
    "SELECT id, name, audience, created, revoked_at FROM services"
    " WHERE key_hash = ?1";
static const char sql_by_id[] =
    "SELECT id, name, audience, created, revoked_at FROM services"
    " WHERE id = ?1";

static int
read_service(sqlite3_stmt *s, struct store_service *sv)
{
	int r;

	if ((r = store_col_int64(s, 0, &sv->id)) != STORE_OK ||
	    (r = store_col_text(s, 1, sv->name, sizeof(sv->name))) !=
	    STORE_OK ||
	    (r = store_col_text(s, 2, sv->audience, sizeof(sv->audience))) !=
	    STORE_OK ||
	    (r = store_col_int64(s, 3, &sv->created)) != STORE_OK ||
	    (r = store_col_int64(s, 4, &sv->revoked_at)) != STORE_OK)
		return (r);

	return (STORE_OK);
}

int
store_service_add(struct store *st, const char *name, const char *aud,
    const unsigned char *key_hash, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (id != NULL)
		*id = 0;
	if (st == NULL || key_hash == NULL ||
	    !store_str_ok(name, STORE_MAX_NAME, false) ||
	    !store_str_ok(aud, STORE_MAX_AUDIENCE, false)) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_prepare(st, sql_insert, &s)) != STORE_OK)
		goto fail;
	if (store_bind_text(s, 1, name) != SQLITE_OK ||
	    store_bind_text(s, 2, aud) != SQLITE_OK ||
	    store_bind_blob(s, 3, key_hash, STORE_HASH_LEN) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, now) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_done(s)) != STORE_OK)
		goto fail;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_service_by_key(struct store *st, const unsigned char *key_hash,
    struct store_service *sv)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || key_hash == NULL || sv == NULL)
		return (STORE_ERR_ARG);
	memset(sv, 0, sizeof(*sv));
	if ((r = store_stmt_row(st, STMT_SERVICE_BY_KEY, sql_by_key, key_hash,
	    STORE_HASH_LEN, &s)) != STORE_OK)
		goto fail;
	r = read_service(s, sv);
fail:
	store_stmt_done(s);

	return (r);
}

int
store_service_get(struct store *st, int64_t id, struct store_service *sv)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || sv == NULL)
		return (STORE_ERR_ARG);
	memset(sv, 0, sizeof(*sv));
	if ((r = store_prepare(st, sql_by_id, &s)) != STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	if ((r = store_step_row(s)) != STORE_OK)
		goto fail;
	r = read_service(s, sv);
fail:
	sqlite3_finalize(s);

	return (r);
}
