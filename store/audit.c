/*
 * audit.c: the append-only audit log.  Each entry has a seq (never
 * reused), a time, an event name, an actor, a subject and an optional
 * JSON detail (the INSERT stores plain text as a JSON string, so an
 * event is never lost to its detail's format).  Triggers
 * refuse UPDATE and DELETE.  The prev_hash and hash columns stay NULL
 * until issue 5 chains the entries; an unchained prefix is then simply
 * the entries before the first hash.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

/* Plain text details are quoted, so that every stored detail is JSON. */
static const char sql_insert[] =
    "INSERT INTO audit (time, event, actor, subject, detail)"
    " VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 IS NULL OR ?5 = '' THEN NULL"
    " WHEN json_valid(?5) THEN ?5 ELSE json_quote(?5) END)";
static const char sql_list[] =
    "SELECT seq, time, event, actor, subject, coalesce(detail, '')"
    " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2";

int
store_audit(struct store *st, int64_t now, const char *event,
    const char *actor, const char *subject, const char *detail)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (actor == NULL)
		actor = "";
	if (subject == NULL)
		subject = "";
	if (st == NULL || !store_str_ok(event, STORE_MAX_EVENT, false) ||
	    !store_str_ok(actor, STORE_MAX_ACTOR, true) ||
	    !store_str_ok(subject, STORE_MAX_SUBJECT, true) ||
	    (detail != NULL &&
	    !store_str_ok(detail, STORE_MAX_DETAIL, true))) {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = store_stmt(st, STMT_AUDIT_INSERT, sql_insert, &s)) !=
	    STORE_OK)
		goto fail;
	if (sqlite3_bind_int64(s, 1, now) != SQLITE_OK ||
	    store_bind_text(s, 2, event) != SQLITE_OK ||
	    store_bind_text(s, 3, actor) != SQLITE_OK ||
	    store_bind_text(s, 4, subject) != SQLITE_OK ||
	    store_bind_text(s, 5, detail) != SQLITE_OK) {
		r = store_dberr(st);
		goto fail;
	}
	r = store_step_done(s);
fail:
	store_stmt_done(s);

	return (r);
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
