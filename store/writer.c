/*
 * writer.c: group commit.  A login costs one durable write (issue 3);
 * done one transaction per login, the fsync and the time spent under
 * SQLite's single write lock cap the process at a few hundred logins a
 * second.  So the writes of store_login and store_confirm_complete go
 * to one writer thread per database, which runs up to
 * STORE_WRITER_BATCH of them in one BEGIN IMMEDIATE transaction and
 * pays one COMMIT, one fsync, for all of them.
 *
 * Each write runs in its own SAVEPOINT: one that fails rolls back to it
 * and alone gets its error, the others go on.  Nothing changes for
 * durability (synchronous=FULL): a caller hears STORE_OK only after the
 * COMMIT holding its write has returned.  If the transaction is lost
 * (BEGIN or COMMIT fails, or SQLite rolls it all back after FULL,
 * IOERR, NOMEM), every write of the batch gets that error and none of
 * them is on disk.
 *
 * A writer is found by the database's full path and created on the
 * first write through a struct store; it holds its own connection.
 * Each store that used it holds a reference, dropped by store_close();
 * the last one stops the writer, so a program that opens many
 * databases (the tests) keeps no idle threads, and store_writer_stop()
 * stops them all at exit.  Callers only wait for their own write; the
 * writer takes the process's write mutex (sql.c) once per batch like
 * any writer, and never while it holds its own lock, so the two cannot
 * deadlock.
 *
 * The writer's connection calls no automatic checkpoint inside COMMIT
 * (that would hold the write lock and every waiter of the batch): its
 * WAL hook only counts pages.  Once the WAL holds STORE_WRITER_WAL
 * pages, the writer wakes its checkpointer, a second thread with its
 * own connection, which runs a PASSIVE checkpoint.  In WAL mode a
 * checkpoint and a write transaction run side by side, so the batches
 * go on committing while the pages are copied back and the database
 * file is synced.  When it is done, the writer copies the few frames
 * added meanwhile itself, between two batches, so that the WAL can be
 * started again from the top.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

static const char sql_savepoint[] = "SAVEPOINT store_write";
static const char sql_release[] = "RELEASE store_write";
static const char sql_rollback_to[] = "ROLLBACK TO store_write";

enum writer_state {
	W_IDLE,		/* no thread */
	W_STARTING,	/* a caller is opening the connection */
	W_RUNNING,
	W_STOPPING,	/* the thread finishes the queue, then exits */
};

/* One write, on its caller's stack until done. */
struct job {
	int		 (*fn)(struct store *, void *);
	void		*arg;
	int64_t		 prune_now;
	int		 result;
	bool		 done;
	pthread_cond_t	 cv;		/* done became true */
	struct job	*next;
};

struct store_writer {
	/* Under reg_mtx. */
	char			*path;
	int			 refs;		/* stores attached */
	struct store_writer	*next;

	/* Under mtx. */
	pthread_mutex_t		 mtx;
	pthread_cond_t		 work;		/* queue or state changed */
	pthread_cond_t		 state_cv;	/* a start or stop ended */
	enum writer_state	 state;
	struct job		*head, *tail;
	pthread_t		 thread;
	size_t			 pending;	/* queued or in a batch */
	uint64_t		 batches;	/* begun, ever */

	/* The writer thread's own, while it runs. */
	struct store		*st;
	int			 wal_pages;

	/* The checkpointer: its flags under mtx. */
	struct store		*ckpt_st;	/* its connection */
	pthread_t		 ckpt_thread;
	pthread_cond_t		 ckpt_cv;	/* ckpt_want or stop */
	bool			 ckpt_want;
	bool			 ckpt_stop;
	uint64_t		 ckpts;		/* run, ever */
	uint64_t		 ckpts_seen;	/* by the writer */
};

static pthread_mutex_t		 reg_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct store_writer	*writers;
static atomic_int		 wal_wake = STORE_WRITER_WAL;

/* Counts the WAL instead of checkpointing inside COMMIT. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_writer *w = arg;

	(void)db;
	(void)name;
	w->wal_pages = pages;

	return (SQLITE_OK);
}

static void
batch_fail(struct job *batch, int r)
{
	for (struct job *j = batch; j != NULL; j = j->next)
		j->result = r;
}

/*
 * One transaction for the batch.  A write's error that leaves the
 * transaction open is its own; anything else loses the batch.
 */
static void
batch_run(struct store *st, struct job *batch)
{
	struct job *j;
	int64_t prune_now = 0, nprune = 0;
	int r;

	if ((r = store_tx_begin(st)) != STORE_OK) {
		batch_fail(batch, r);
		return;
	}
	for (j = batch; j != NULL; j = j->next) {
		if ((r = store_stmt_exec(st, STMT_SAVEPOINT, sql_savepoint)) !=
		    STORE_OK)
			goto lost;
		if ((j->result = j->fn(st, j->arg)) != STORE_OK) {
			/* SQLite rolled the whole transaction back. */
			if (sqlite3_get_autocommit(st->db)) {
				r = j->result;
				goto lost;
			}
			if ((r = store_stmt_exec(st, STMT_ROLLBACK_TO,
			    sql_rollback_to)) != STORE_OK)
				goto lost;
		} else if (j->prune_now != 0) {
			if (j->prune_now > prune_now)
				prune_now = j->prune_now;
			nprune += STORE_PRUNE_BATCH;
		}
		if ((r = store_stmt_exec(st, STMT_RELEASE, sql_release)) !=
		    STORE_OK)
			goto lost;
	}
	/* Optional work: its failure costs the batch nothing. */
	if (nprune > 0) {
		if ((r = store_stmt_exec(st, STMT_SAVEPOINT, sql_savepoint)) !=
		    STORE_OK)
			goto lost;
		if ((r = store_ceremony_prune(st, prune_now, nprune, NULL)) !=
		    STORE_OK) {
			if (sqlite3_get_autocommit(st->db))
				goto lost;
			if ((r = store_stmt_exec(st, STMT_ROLLBACK_TO,
			    sql_rollback_to)) != STORE_OK)
				goto lost;
		}
		if ((r = store_stmt_exec(st, STMT_RELEASE, sql_release)) !=
		    STORE_OK)
			goto lost;
	}
	if ((r = store_tx_commit(st)) != STORE_OK)
		goto lost;

	return;
lost:
	store_tx_rollback(st);
	batch_fail(batch, r);
}

static void *
writer_main(void *arg)
{
	struct store_writer *w = arg;
	struct job *batch, *last, *j, *next;
	size_t n;
	bool catch_up;

	for (;;) {
		pthread_mutex_lock(&w->mtx);
		while (w->head == NULL && w->state != W_STOPPING)
			pthread_cond_wait(&w->work, &w->mtx);
		if (w->head == NULL) {
			pthread_mutex_unlock(&w->mtx);
			break;
		}
		batch = last = w->head;
		for (n = 1; n < STORE_WRITER_BATCH && last->next != NULL; n++)
			last = last->next;
		if ((w->head = last->next) == NULL)
			w->tail = NULL;
		last->next = NULL;
		w->batches++;
		pthread_mutex_unlock(&w->mtx);

		batch_run(w->st, batch);

		/* A job is freed by its caller as soon as it sees done. */
		pthread_mutex_lock(&w->mtx);
		for (j = batch; j != NULL; j = next) {
			next = j->next;
			j->done = true;
			pthread_cond_signal(&j->cv);
			w->pending--;
		}
		catch_up = false;
		if (w->ckpts != w->ckpts_seen) {
			w->ckpts_seen = w->ckpts;
			catch_up = true;
		} else if (w->wal_pages >= atomic_load(&wal_wake) &&
		    !w->ckpt_want) {
			w->ckpt_want = true;
			pthread_cond_signal(&w->ckpt_cv);
		}
		pthread_mutex_unlock(&w->mtx);

		/*
		 * The checkpointer has copied the WAL as it was when it
		 * began; the frames the batches added meanwhile are few,
		 * and copying them here, between batches, leaves the WAL
		 * wholly copied when the next batch begins, so that SQLite
		 * can start it again from the top instead of growing it.
		 */
		if (catch_up)
			(void)sqlite3_wal_checkpoint_v2(w->st->db, NULL,
			    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}

	return (NULL);
}

static void *
ckpt_main(void *arg)
{
	struct store_writer *w = arg;

	pthread_mutex_lock(&w->mtx);
	for (;;) {
		while (!w->ckpt_want && !w->ckpt_stop)
			pthread_cond_wait(&w->ckpt_cv, &w->mtx);
		if (w->ckpt_stop)
			break;
		pthread_mutex_unlock(&w->mtx);
		/* BUSY: another checkpointer; a later one retries. */
		(void)sqlite3_wal_checkpoint_v2(w->ckpt_st->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&w->mtx);
		w->ckpt_want = false;
		w->ckpts++;
	}
	pthread_mutex_unlock(&w->mtx);

	return (NULL);
}

/* Stops the checkpointer thread and closes its connection. */
static void
ckpt_stop(struct store_writer *w)
{
	pthread_mutex_lock(&w->mtx);
	w->ckpt_stop = true;
	pthread_cond_signal(&w->ckpt_cv);
	pthread_mutex_unlock(&w->mtx);
	pthread_join(w->ckpt_thread, NULL);
	store_close(&w->ckpt_st);
}

/*
 * Opens the writer's and the checkpointer's connections and starts
 * their threads; w->mtx not held.
 */
static int
writer_start(struct store_writer *w)
{
	sigset_t all, old;
	int r;

	if ((r = store_open(w->path, &w->st)) != STORE_OK)
		return (r);
	if ((r = store_cache_kib(w->st, STORE_WRITER_CACHE_KIB)) != STORE_OK)
		goto fail;
	if ((r = store_open(w->path, &w->ckpt_st)) != STORE_OK)
		goto fail;
	w->wal_pages = 0;
	w->ckpt_want = w->ckpt_stop = false;
	w->ckpts_seen = w->ckpts;
	(void)sqlite3_wal_hook(w->st->db, wal_hook, w);
	/* Signals are for the program's threads, not the library's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if ((r = pthread_create(&w->ckpt_thread, NULL, ckpt_main, w)) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	if ((r = pthread_create(&w->thread, NULL, writer_main, w)) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		ckpt_stop(w);
		r = STORE_ERR_NOMEM;
		goto fail;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	return (STORE_OK);
fail:
	store_close(&w->ckpt_st);
	store_close(&w->st);

	return (r);
}

/* Stops w's thread once its queue is empty; the writer stays usable. */
static void
writer_stop(struct store_writer *w)
{
	pthread_mutex_lock(&w->mtx);
	while (w->state == W_STARTING || w->state == W_STOPPING)
		pthread_cond_wait(&w->state_cv, &w->mtx);
	if (w->state != W_RUNNING) {
		pthread_mutex_unlock(&w->mtx);
		return;
	}
	w->state = W_STOPPING;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mtx);

	pthread_join(w->thread, NULL);
	/* The writer's connection is the last to close: it checkpoints. */
	ckpt_stop(w);
	store_close(&w->st);

	pthread_mutex_lock(&w->mtx);
	w->state = W_IDLE;
	pthread_cond_broadcast(&w->state_cv);
	pthread_mutex_unlock(&w->mtx);
}

static void
writer_free(struct store_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_destroy(&w->mtx);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->state_cv);
	pthread_cond_destroy(&w->ckpt_cv);
	free(w->path);
	free(w);
}

static struct store_writer *
writer_new(const char *path)
{
	struct store_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	if ((w->path = strdup(path)) == NULL) {
		free(w);
		return (NULL);
	}
	if (pthread_mutex_init(&w->mtx, NULL) != 0) {
		free(w->path);
		free(w);
		return (NULL);
	}
	if (pthread_cond_init(&w->work, NULL) != 0) {
		pthread_mutex_destroy(&w->mtx);
		free(w->path);
		free(w);
		return (NULL);
	}
	if (pthread_cond_init(&w->state_cv, NULL) != 0) {
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mtx);
		free(w->path);
		free(w);
		return (NULL);
	}
	if (pthread_cond_init(&w->ckpt_cv, NULL) != 0) {
		pthread_cond_destroy(&w->state_cv);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mtx);
		free(w->path);
		free(w);
		return (NULL);
	}
	w->state = W_IDLE;

	return (w);
}

/* The writer of the database at path, or NULL; reg_mtx held. */
static struct store_writer *
writer_find(const char *path)
{
	struct store_writer *w;

	for (w = writers; w != NULL; w = w->next)
		if (strcmp(w->path, path) == 0)
			break;

	return (w);
}

/* Takes a reference to the writer of st's database, creating it. */
static int
writer_attach(struct store *st)
{
	struct store_writer *w;
	const char *path;

	if (st->writer != NULL)
		return (STORE_OK);
	/* The full path, as SQLite resolved it at open. */
	if ((path = sqlite3_db_filename(st->db, "main")) == NULL ||
	    *path == '\0')
		return (STORE_ERR_ARG);
	pthread_mutex_lock(&reg_mtx);
	if ((w = writer_find(path)) == NULL) {
		if ((w = writer_new(path)) == NULL) {
			pthread_mutex_unlock(&reg_mtx);
			return (STORE_ERR_NOMEM);
		}
		w->next = writers;
		writers = w;
	}
	w->refs++;
	st->writer = w;
	pthread_mutex_unlock(&reg_mtx);

	return (STORE_OK);
}

void
store_writer_detach(struct store *st)
{
	struct store_writer *w, **wp;
	bool last;

	if (st == NULL || (w = st->writer) == NULL)
		return;
	st->writer = NULL;
	pthread_mutex_lock(&reg_mtx);
	if ((last = --w->refs == 0))
		for (wp = &writers; *wp != NULL; wp = &(*wp)->next)
			if (*wp == w) {
				*wp = w->next;
				break;
			}
	pthread_mutex_unlock(&reg_mtx);
	/* Nobody waits on it: each waiter's store holds a reference. */
	if (last) {
		writer_stop(w);
		writer_free(w);
	}
}

void
store_writer_stop(void)
{
	struct store_writer *w;

	assert(!store_tx_held());
	pthread_mutex_lock(&reg_mtx);
	for (w = writers; w != NULL; w = w->next)
		writer_stop(w);
	pthread_mutex_unlock(&reg_mtx);
}

int
store_writer_run(struct store *st, int (*fn)(struct store *, void *),
    void *arg, int64_t prune_now)
{
	struct store_writer *w;
	struct job j;
	int r, cancel;

	if (store_tx_held())
		return (STORE_ERR_ARG);
	if ((r = writer_attach(st)) != STORE_OK)
		return (r);
	w = st->writer;
	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.arg = arg;
	j.prune_now = prune_now;
	if (pthread_cond_init(&j.cv, NULL) != 0)
		return (STORE_ERR_NOMEM);
	/* j is queued on this stack: no cancellation until it is done. */
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);

	pthread_mutex_lock(&w->mtx);
	while (w->state != W_RUNNING) {
		if (w->state != W_IDLE) {
			pthread_cond_wait(&w->state_cv, &w->mtx);
			continue;
		}
		w->state = W_STARTING;
		pthread_mutex_unlock(&w->mtx);
		r = writer_start(w);
		pthread_mutex_lock(&w->mtx);
		w->state = r == STORE_OK ? W_RUNNING : W_IDLE;
		pthread_cond_broadcast(&w->state_cv);
		if (r != STORE_OK)
			goto done;
	}
	if (w->tail != NULL)
		w->tail->next = &j;
	else {
		w->head = &j;
		pthread_cond_signal(&w->work);
	}
	w->tail = &j;
	w->pending++;
	while (!j.done)
		pthread_cond_wait(&j.cv, &w->mtx);
	r = j.result;
done:
	pthread_mutex_unlock(&w->mtx);
	pthread_cond_destroy(&j.cv);
	(void)pthread_setcancelstate(cancel, NULL);

	return (r);
}

void
store_writer_set_wal(int pages)
{
	atomic_store(&wal_wake, pages > 0 ? pages : STORE_WRITER_WAL);
}

/*
 * The writer of st's database with its mutex held, and reg_mtx so that
 * it cannot be freed meanwhile; NULL (nothing held) if it has none.
 * Release with stats_unlock().
 */
static struct store_writer *
stats_lock(struct store *st)
{
	struct store_writer *w;
	const char *path;

	if ((path = sqlite3_db_filename(st->db, "main")) == NULL)
		return (NULL);
	pthread_mutex_lock(&reg_mtx);
	if ((w = writer_find(path)) == NULL) {
		pthread_mutex_unlock(&reg_mtx);
		return (NULL);
	}
	pthread_mutex_lock(&w->mtx);

	return (w);
}

static void
stats_unlock(struct store_writer *w)
{
	pthread_mutex_unlock(&w->mtx);
	pthread_mutex_unlock(&reg_mtx);
}

uint64_t
store_writer_checkpoints(struct store *st)
{
	struct store_writer *w;
	uint64_t n;

	if ((w = stats_lock(st)) == NULL)
		return (0);
	n = w->ckpts;
	stats_unlock(w);

	return (n);
}

void
store_writer_stats(struct store *st, size_t *pending, uint64_t *batches,
    bool *running)
{
	struct store_writer *w;

	*pending = 0;
	*batches = 0;
	*running = false;
	if ((w = stats_lock(st)) == NULL)
		return;
	*pending = w->pending;
	*batches = w->batches;
	*running = w->state == W_RUNNING;
	stats_unlock(w);
}
