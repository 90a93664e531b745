/*
 * store.c: opening a store (file mode, pragmas, schema migration),
 * closing it, and the error and role names.
 *
 * Each connection runs in WAL mode with foreign keys on, a busy timeout,
 * a small page cache and synchronous=FULL, so that a commit that
 * returned is on disk.  secure_delete is on: the first unlock of a
 * database from before schema 4 replaces plaintext by sealed values
 * (seal.c), and the old bytes must not stay behind in free space.  The schema migrates by PRAGMA user_version
 * inside one BEGIN IMMEDIATE transaction, so concurrent openers migrate
 * once and a crash leaves the old version intact.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

static const char *const errs[] = {
	[STORE_OK] = "success",
	[STORE_ERR_ARG] = "invalid argument",
	[STORE_ERR_NOMEM] = "out of memory",
	[STORE_ERR_IO] = "database I/O error or corrupt database",
	[STORE_ERR_FULL] = "database or disk is full",
	[STORE_ERR_BUSY] = "database is locked",
	[STORE_ERR_NOT_FOUND] = "not found",
	[STORE_ERR_EXISTS] = "already exists",
	[STORE_ERR_CONSUMED] = "already used",
	[STORE_ERR_EXPIRED] = "expired",
	[STORE_ERR_REVOKED] = "revoked or ended",
	[STORE_ERR_COUNTER] = "signature counter did not increase",
	[STORE_ERR_VERSION] = "database schema is newer than this program",
	[STORE_ERR_LAST_ADMIN] = "would leave no admin with a live credential",
	[STORE_ERR_KEY] = "not the key-encryption key of this database",
	[STORE_ERR_LOCKED] = "sealed data, and no key-encryption key given",
};

const char *
store_strerr(int r)
{
	if (r < 0 || (size_t)r >= sizeof(errs) / sizeof(errs[0]) ||
	    errs[r] == NULL)
		return ("unknown store error");

	return (errs[r]);
}

const char *
store_role_name(enum store_role role)
{
	switch (role) {
	case STORE_ROLE_COURIER:
		return ("courier");
	case STORE_ROLE_CUSTOMER:
		return ("customer");
	case STORE_ROLE_ADMIN:
		return ("admin");
	default:
		return (NULL);
	}
}

enum store_role
store_role_parse(const char *name)
{
	if (name == NULL)
		return (0);
	if (strcmp(name, "courier") == 0)
		return (STORE_ROLE_COURIER);
	if (strcmp(name, "customer") == 0)
		return (STORE_ROLE_CUSTOMER);
	if (strcmp(name, "admin") == 0)
		return (STORE_ROLE_ADMIN);

	return (0);
}

int
store_sqlerr(int rc)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return (STORE_OK);
	case SQLITE_IOERR_NOMEM:
		return (STORE_ERR_NOMEM);
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_ROWID:
		return (STORE_ERR_EXISTS);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return (STORE_ERR_NOT_FOUND);	/* the referenced row */
	default:
		break;
	}

	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return (STORE_ERR_NOMEM);
	case SQLITE_FULL:
		return (STORE_ERR_FULL);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return (STORE_ERR_BUSY);
	case SQLITE_CONSTRAINT:		/* CHECK, NOT NULL, type, trigger */
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return (STORE_ERR_ARG);
	default:	/* IOERR, CORRUPT, NOTADB, CANTOPEN, READONLY, ... */
		return (STORE_ERR_IO);
	}
}

int
store_dberr(struct store *st)
{
	int r;

	/* Never success: a bind refused before SQLite saw it is ours. */
	if ((r = store_sqlerr(sqlite3_extended_errcode(st->db))) == STORE_OK)
		r = STORE_ERR_ARG;

	return (r);
}

sqlite3 *
store_db(struct store *st)
{
	return (st->db);
}

/*
 * Creates the database file with mode 0600 before SQLite sees it (SQLite
 * gives -wal and -shm the mode of the database), and takes group and
 * other access away from files that already exist.  No umask: it is
 * process-wide and other threads may be creating files.
 *
 * Existing files are never opened here: close(2) of any descriptor of a
 * file drops every POSIX lock this process holds on it, including the
 * locks of SQLite connections that other threads have open, and then
 * another process may checkpoint and delete the WAL under them.
 */
static int
secure_files(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char buf[PATH_MAX];
	struct stat sb;
	int fd, n;

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		n = snprintf(buf, sizeof(buf), "%s%s", path, suffix[i]);
		if (n < 0 || (size_t)n >= sizeof(buf))
			return (STORE_ERR_ARG);
		if (lstat(buf, &sb) == -1) {
			if (errno != ENOENT)
				return (STORE_ERR_IO);
			if (i > 0)
				continue;
			/* A file made here holds nobody's locks. */
			fd = open(buf, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
			if (fd != -1) {
				close(fd);
				continue;
			}
			if (errno != EEXIST)
				return (errno == ENOMEM ? STORE_ERR_NOMEM :
				    STORE_ERR_IO);
			if (lstat(buf, &sb) == -1)
				return (STORE_ERR_IO);
		}
		if (!S_ISREG(sb.st_mode))
			return (STORE_ERR_IO);
		if ((sb.st_mode & 077) != 0 && chmod(buf, sb.st_mode & 0700) ==
		    -1)
			return (STORE_ERR_IO);
	}

	return (STORE_OK);
}

/* Runs a constant statement, returning its first integer column if any. */
static int
exec_int(struct store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	if ((r = store_prepare(st, sql, &s)) != STORE_OK)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (v != NULL && sqlite3_column_type(s, 0) == SQLITE_INTEGER)
			*v = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(rc);
		goto fail;
	}

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

/* Runs a migration, one prepared statement at a time. */
static int
exec_script(struct store *st, const char *const *sql)
{
	int r;

	for (size_t i = 0; sql[i] != NULL; i++)
		if ((r = exec_int(st, sql[i], NULL)) != STORE_OK)
			return (r);

	return (STORE_OK);
}

static int
journal_wal(struct store *st)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *mode;
	int r, rc;

	if ((r = store_prepare(st, "PRAGMA journal_mode = WAL", &s)) !=
	    STORE_OK)
		goto fail;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		r = store_sqlerr(rc);
		goto fail;
	}
	if ((mode = sqlite3_column_text(s, 0)) == NULL ||
	    strcmp((const char *)mode, "wal") != 0) {
		r = STORE_ERR_IO;
		goto fail;
	}

	r = STORE_OK;
fail:
	sqlite3_finalize(s);

	return (r);
}

/*
 * A small page cache per connection: authd keeps one connection per
 * worker thread, so the default 2 MiB each would add up, and a reader's
 * cache is dropped anyway whenever another connection has committed.
 * The group-commit writer, whose cache stays valid, sets a larger one.
 */
int
store_cache_kib(struct store *st, int kib)
{
	char sql[64];
	int n;

	n = snprintf(sql, sizeof(sql), "PRAGMA cache_size = %d", -kib);
	if (kib <= 0 || n < 0 || (size_t)n >= sizeof(sql))
		return (STORE_ERR_ARG);

	return (exec_int(st, sql, NULL));
}

static int
configure(struct store *st)
{
	int64_t on = 0;
	int r;

	sqlite3_extended_result_codes(st->db, 1);
	/* Defensive: no writable_schema and no untrusted schema functions. */
	if (sqlite3_busy_timeout(st->db, STORE_BUSY_MS) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL) != SQLITE_OK)
		return (STORE_ERR_IO);
	if ((r = journal_wal(st)) != STORE_OK ||
	    (r = exec_int(st, "PRAGMA synchronous = FULL", NULL)) !=
	    STORE_OK ||
	    (r = store_cache_kib(st, STORE_CACHE_KIB)) != STORE_OK ||
	    (r = exec_int(st, "PRAGMA foreign_keys = ON", NULL)) != STORE_OK ||
	    (r = exec_int(st, "PRAGMA secure_delete = ON", NULL)) !=
	    STORE_OK ||
	    (r = exec_int(st, "PRAGMA foreign_keys", &on)) != STORE_OK)
		return (r);
	if (on != 1)
		return (STORE_ERR_IO);	/* built without foreign keys */

	return (STORE_OK);
}

static int
migrate(struct store *st)
{
	int64_t v = -1;
	int r;

	if ((r = exec_int(st, "PRAGMA user_version", &v)) != STORE_OK)
		goto fail;
	if (v == STORE_SCHEMA_VERSION)
		goto done;
	if (v < 0 || v > STORE_SCHEMA_VERSION) {
		r = STORE_ERR_VERSION;
		goto fail;
	}
	/* Another process may have migrated while we waited for the lock. */
	if ((r = store_tx_begin(st)) != STORE_OK ||
	    (r = exec_int(st, "PRAGMA user_version", &v)) != STORE_OK)
		goto fail;
	if (v < 0 || v > STORE_SCHEMA_VERSION) {
		r = STORE_ERR_VERSION;
		goto fail;
	}
	/* Each script ends by setting user_version to its own number. */
	for (int64_t i = v + 1; i <= STORE_SCHEMA_VERSION; i++)
		if ((r = exec_script(st, store_migration[i])) != STORE_OK)
			goto fail;
	if ((r = store_tx_commit(st)) != STORE_OK)
		goto fail;
done:
	st->version = STORE_SCHEMA_VERSION;

	r = STORE_OK;
fail:
	if (r != STORE_OK)
		store_tx_rollback(st);

	return (r);
}

/*
 * SQLite keeps statistics of its memory use by default, under one mutex
 * that every allocation of every connection takes: under load, threads
 * queued on it.  Nothing here reads those statistics.  This must happen
 * before SQLite initializes; if something else initialized it first,
 * the statistics stay on and nothing else changes.
 */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void
sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
store_open(const char *path, struct store **out)
{
	struct store *st = NULL;
	int r, rc;

	(void)pthread_once(&sqlite_once, sqlite_setup);
	if (out != NULL)
		*out = NULL;
	if (path == NULL || out == NULL || *path == '\0') {
		r = STORE_ERR_ARG;
		goto fail;
	}
	if ((r = secure_files(path)) != STORE_OK)
		goto fail;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	/*
	 * A connection is used by one thread at a time (the caller's, or
	 * one holding authd's lock on a shared reader), so SQLite's own
	 * mutexes are not needed.
	 */
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		r = st->db == NULL ? STORE_ERR_NOMEM : store_sqlerr(rc);
		goto fail;
	}
	if ((r = configure(st)) != STORE_OK || (r = migrate(st)) != STORE_OK)
		goto fail;
	*out = st;
	st = NULL;

	r = STORE_OK;
fail:
	store_close(&st);

	return (r);
}

void
store_close(struct store **stp)
{
	struct store *st;

	if (stp == NULL || (st = *stp) == NULL)
		return;
	store_writer_detach(st);
	for (size_t i = 0; i < STMT_MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close_v2(st->db);
	free(st);
	*stp = NULL;
}

int
store_settle(struct store *st)
{
	sqlite3_stmt	*s = NULL;
	int		 n = 0;

	if (st == NULL)
		return (0);
	while ((s = sqlite3_next_stmt(st->db, s)) != NULL)
		if (sqlite3_stmt_busy(s)) {
			(void)sqlite3_reset(s);
			n++;
		}

	return (n);
}

int
store_schema_version(struct store *st)
{
	return (st->version);
}
