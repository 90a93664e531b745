/*
 * backup.c: an online copy of the database (issue 5, "Backup").
 *
 * SQLite's backup API copies from the store's own connection.  One
 * sqlite3_backup_step(-1) copies every page inside a single read
 * transaction: in WAL mode that is one consistent snapshot, and writers
 * (authd) are never blocked, nor does the copy restart when they
 * commit.  The file is created here with O_EXCL and mode 0600 before
 * SQLite sees it, so a backup never overwrites anything and is never
 * readable by others; it is switched to rollback-journal mode so that it
 * is one self-contained file, and checked with integrity_check.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

/* Runs a constant statement on db; *ok true if it returned "ok". */
static int
exec_ok(sqlite3 *db, const char *sql, bool *ok)
{
	sqlite3_stmt		*s = NULL;
	const unsigned char	*v;
	int			 rc, r;

	if (ok != NULL)
		*ok = false;
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK) {
		r = store_sqlerr(rc);
		goto fail;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		/* integrity_check: one row "ok", or one row per problem. */
		if (ok != NULL && (v = sqlite3_column_text(s, 0)) != NULL)
			*ok = strcmp((const char *)v, "ok") == 0 &&
			    sqlite3_column_type(s, 0) == SQLITE_TEXT;
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(rc);
		goto fail;
	}

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

int
store_backup(struct store *st, const char *path, int64_t *pages)
{
	static const char *const sfx[] = { "-journal", "-wal", "-shm" };
	sqlite3		*dst = NULL;
	sqlite3_backup	*b = NULL;
	char		 side[4096];
	bool		 created = false, ok;
	int		 fd, rc, r;

	if (pages != NULL)
		*pages = 0;
	if (st == NULL || path == NULL || *path == '\0' || st->writing ||
	    !sqlite3_get_autocommit(st->db))
		return (STORE_ERR_ARG);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return (errno == EEXIST ? STORE_ERR_EXISTS : STORE_ERR_IO);
	created = true;
	/* A new, empty file: no SQLite connection has locks on it. */
	(void)close(fd);
	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		r = dst == NULL ? STORE_ERR_NOMEM : store_sqlerr(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(dst, 1);
	(void)sqlite3_busy_timeout(dst, STORE_BUSY_MS);
	if ((b = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL) {
		r = store_sqlerr(sqlite3_extended_errcode(dst));
		goto fail;
	}
	/* All pages in one step: one snapshot of the source. */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		sqlite3_sleep(10);
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(rc);
		goto fail;
	}
	if (pages != NULL)
		*pages = sqlite3_backup_pagecount(b);
	rc = sqlite3_backup_finish(b);
	b = NULL;
	if (rc != SQLITE_OK) {
		r = store_sqlerr(rc);
		goto fail;
	}
	if ((r = exec_ok(dst, "PRAGMA journal_mode = DELETE", NULL)) !=
	    STORE_OK ||
	    (r = exec_ok(dst, "PRAGMA integrity_check", &ok)) != STORE_OK)
		goto fail;
	if (!ok) {
		r = STORE_ERR_IO;
		goto fail;
	}
	if ((rc = sqlite3_close(dst)) != SQLITE_OK) {
		r = store_sqlerr(rc);
		goto fail;
	}
	dst = NULL;

	r = STORE_OK;
fail:
	if (b != NULL)
		(void)sqlite3_backup_finish(b);
	if (dst != NULL)
		(void)sqlite3_close_v2(dst);
	if (r != STORE_OK && created) {
		(void)unlink(path);
		/* SQLite may have left these beside it. */
		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			int n = snprintf(side, sizeof(side), "%s%s", path,
			    sfx[i]);

			if (n > 0 && (size_t)n < sizeof(side))
				(void)unlink(side);
		}
	}

	return (r);
}
