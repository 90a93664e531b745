/*
 * store_audit.c: the append-only audit log (append, list, JSON details,
 * bounds, UPDATE and DELETE refused) and the revocation feed (cursor,
 * limit, append-only).
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/extern.h"

#define NOW		1700000000LL

/* A throwaway database in a mkdtemp directory, removed afterwards. */
struct fx {
	char		 dir[256];
	char		 path[300];
	struct store	*st;
};

static inline void
fx_rm(const struct fx *fx)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[320];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, sfx[i]);
		(void)unlink(p);
	}
	(void)rmdir(fx->dir);
}

static inline int
fx_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fx *fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return (-1);
	snprintf(fx->dir, sizeof(fx->dir), "%s/store_XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 200 ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return (-1);
	}
	snprintf(fx->path, sizeof(fx->path), "%s/authd.db", fx->dir);
	if (store_open(fx->path, &fx->st) != STORE_OK) {
		fx_rm(fx);
		free(fx);
		return (-1);
	}
	*state = fx;

	return (0);
}

static inline int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	store_close(&fx->st);
	fx_rm(fx);
	free(fx);

	return (0);
}

/* The first column of a constant query, as an integer. */
static inline int64_t
q_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);

	return (v);
}

/* A constant statement through the store's connection: its result code. */
static inline int
q_exec(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL)) !=
	    SQLITE_OK)
		return (rc);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		continue;
	sqlite3_finalize(s);

	return (rc == SQLITE_DONE ? SQLITE_OK : rc);
}

/* A fresh ceremony id each call. */
static inline void
cer(unsigned char id[STORE_CEREMONY_LEN])
{
	static uint32_t n;

	n++;
	memset(id, 0, STORE_CEREMONY_LEN);
	id[0] = 'c';
	memcpy(id + STORE_CEREMONY_LEN - sizeof(n), &n, sizeof(n));
}

static inline struct store_user
mkuser(struct store *st, const char *name, enum store_role role)
{
	struct store_user u;

	assert_int_equal(store_user_ensure(st, name, role, name, NOW, &u),
	    STORE_OK);

	return (u);
}

/* A credential of user uid whose id is 20 bytes of tag. */
static inline struct store_cred
mkcred(int64_t uid, unsigned char tag)
{
	struct store_cred c;

	memset(&c, 0, sizeof(c));
	memset(c.id, tag, 20);
	c.id_len = 20;
	c.user_id = uid;
	memset(c.cose_key, 0xa5, 77);
	c.cose_key_len = 77;
	c.alg = -7;
	memset(c.aaguid, tag, sizeof(c.aaguid));
	snprintf(c.fmt, sizeof(c.fmt), "packed");
	snprintf(c.att_type, sizeof(c.att_type), "basic");
	c.trusted = true;
	c.transports = 0x08;
	c.be = true;
	c.uv = true;
	snprintf(c.label, sizeof(c.label), "handheld %u", tag);

	return (c);
}

/* Registers c with a fresh ceremony and an optional enrollment code. */
static inline int
reg(struct store *st, const unsigned char *code, const struct store_cred *c)
{
	unsigned char id[STORE_CEREMONY_LEN];

	cer(id);

	return (store_cred_register(st, id, NOW + 120, code, NOW, c));
}

/* A session whose id and secret hash are bytes of tag. */
static inline struct store_session
mksess(unsigned char tag, int64_t expires)
{
	struct store_session s;

	memset(&s, 0, sizeof(s));
	memset(s.id, tag, sizeof(s.id));
	memset(s.secret_hash, tag, sizeof(s.secret_hash));
	s.created = NOW;
	s.auth_time = NOW;
	s.expires = expires;
	snprintf(s.amr, sizeof(s.amr), "hwk user");

	return (s);
}

/* A login with c at count, starting session tag, with a fresh ceremony. */
static inline int
login(struct store *st, const struct store_cred *c, uint32_t count,
    unsigned char tag)
{
	unsigned char id[STORE_CEREMONY_LEN];
	struct store_session s = mksess(tag, NOW + 3600);

	cer(id);

	return (store_login(st, id, NOW + 120, c->id, c->id_len, count, true,
	    NOW, &s));
}

#define COUNT(st, table)	q_int((st), "SELECT count(*) FROM " table)

struct entries {
	struct store_audit_rec	a[4];
	size_t			n;
};

static int
collect_audit(const struct store_audit_rec *a, void *arg)
{
	struct entries *l = arg;

	assert_true(l->n < 4);
	l->a[l->n++] = *a;

	return (0);
}

static void
audit_append_list(void **state)
{
	struct fx *fx = *state;
	struct entries *l;

	assert_non_null(l = calloc(1, sizeof(*l)));
	assert_int_equal(store_audit(fx->st, NOW, "login", "ana", "ana",
	    "{\"cred\":\"AAEC\"}"), STORE_OK);
	assert_int_equal(store_audit(fx->st, NOW + 1, "revocation", "root",
	    "ana", NULL), STORE_OK);
	assert_int_equal(store_audit(fx->st, NOW + 2, "key_rotation", NULL,
	    NULL, ""), STORE_OK);
	assert_int_equal(store_audit_list(fx->st, 0, 0, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 3);
	assert_int_equal(l->a[0].seq, 1);
	assert_int_equal(l->a[0].time, NOW);
	assert_string_equal(l->a[0].event, "login");
	assert_string_equal(l->a[0].actor, "ana");
	assert_string_equal(l->a[0].subject, "ana");
	assert_string_equal(l->a[0].detail, "{\"cred\":\"AAEC\"}");
	assert_string_equal(l->a[1].detail, "");
	assert_string_equal(l->a[2].actor, "");
	/* A cursor and a limit. */
	memset(l, 0, sizeof(*l));
	assert_int_equal(store_audit_list(fx->st, 1, 1, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->a[0].seq, 2);
	free(l);
}

/* Plain text is kept as a JSON string: no event is lost to its format. */
static void
audit_plain_detail_quoted(void **state)
{
	struct fx *fx = *state;
	struct entries *l;

	assert_non_null(l = calloc(1, sizeof(*l)));
	assert_int_equal(store_audit(fx->st, NOW, "enrollment_issued", "root",
	    "ana", "admin"), STORE_OK);
	assert_int_equal(store_audit(fx->st, NOW, "registration", "ana",
	    "ana", "Ana's \"phone\"\n"), STORE_OK);
	assert_int_equal(store_audit_list(fx->st, 0, 0, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->a[0].detail, "\"admin\"");
	assert_string_equal(l->a[1].detail, "\"Ana's \\\"phone\\\"\\n\"");
	free(l);
}

/* The longest detail, all control characters, still reads back. */
static void
audit_longest_detail(void **state)
{
	struct fx *fx = *state;
	char detail[STORE_MAX_DETAIL + 2];
	struct entries *l;

	assert_non_null(l = calloc(1, sizeof(*l)));
	memset(detail, '\x01', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	assert_int_equal(store_audit(fx->st, NOW, "x", NULL, NULL, detail),
	    STORE_ERR_ARG);
	detail[STORE_MAX_DETAIL] = '\0';
	assert_int_equal(store_audit(fx->st, NOW, "x", NULL, NULL, detail),
	    STORE_OK);
	assert_int_equal(store_audit_list(fx->st, 0, 0, collect_audit, l),
	    STORE_OK);
	assert_int_equal(l->n, 1);
	assert_int_equal(strlen(l->a[0].detail), STORE_MAX_DETAIL * 6 + 2);
	free(l);
}

static void
audit_bad_arguments(void **state)
{
	struct fx *fx = *state;
	char actor[STORE_MAX_ACTOR + 2];

	memset(actor, 'a', sizeof(actor) - 1);
	actor[sizeof(actor) - 1] = '\0';
	assert_int_equal(store_audit(fx->st, NOW, NULL, "a", "b", NULL),
	    STORE_ERR_ARG);
	assert_int_equal(store_audit(fx->st, NOW, "", "a", "b", NULL),
	    STORE_ERR_ARG);
	assert_int_equal(store_audit(fx->st, NOW, "x", actor, "b", NULL),
	    STORE_ERR_ARG);
	assert_int_equal(COUNT(fx->st, "audit"), 0);
}

static void
audit_update_refused(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(store_audit(fx->st, NOW, "login", "ana", "ana", NULL),
	    STORE_OK);
	assert_int_equal(q_exec(fx->st, "UPDATE audit SET actor = 'eve'"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(q_exec(fx->st, "DELETE FROM audit"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(q_int(fx->st, "SELECT count(*) FROM audit"
	    " WHERE actor = 'ana'"), 1);
}

struct feed {
	struct store_revocation	v[8];
	size_t			n;
};

static int
collect_feed(const struct store_revocation *v, void *arg)
{
	struct feed *f = arg;

	assert_true(f->n < 8);
	f->v[f->n++] = *v;

	return (0);
}

/* Credentials and sessions in one feed, read by cursor and limit. */
static void
revocation_feed_cursor(void **state)
{
	struct fx *fx = *state;
	unsigned char sid[STORE_SID_LEN];
	struct store_user u;
	struct store_cred c;
	struct feed *f;

	assert_non_null(f = calloc(1, sizeof(*f)));
	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(login(fx->st, &c, 1, 0xa1), STORE_OK);
	assert_int_equal(login(fx->st, &c, 2, 0xa2), STORE_OK);
	memset(sid, 0xa1, sizeof(sid));
	assert_int_equal(store_session_end(fx->st, sid, NOW + 1, "logout"),
	    STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW + 2,
	    "root", "lost"), STORE_OK);

	assert_int_equal(store_revocation_list(fx->st, 0, 0, collect_feed, f),
	    STORE_OK);
	assert_int_equal(f->n, 3);
	assert_int_equal(f->v[0].kind, STORE_REVOKED_SESSION);
	assert_int_equal(f->v[0].id_len, STORE_SID_LEN);
	assert_memory_equal(f->v[0].id, sid, STORE_SID_LEN);
	assert_int_equal(f->v[0].time, NOW + 1);
	assert_int_equal(f->v[0].user_id, u.id);
	assert_int_equal(f->v[1].kind, STORE_REVOKED_CRED);
	assert_int_equal(f->v[1].id_len, c.id_len);
	assert_memory_equal(f->v[1].id, c.id, c.id_len);
	assert_int_equal(f->v[2].kind, STORE_REVOKED_SESSION);
	memset(sid, 0xa2, sizeof(sid));
	assert_memory_equal(f->v[2].id, sid, STORE_SID_LEN);
	assert_true(f->v[0].seq < f->v[1].seq && f->v[1].seq < f->v[2].seq);

	memset(f, 0, sizeof(*f));
	assert_int_equal(store_revocation_list(fx->st, 1, 1, collect_feed, f),
	    STORE_OK);
	assert_int_equal(f->n, 1);
	assert_int_equal(f->v[0].seq, 2);
	memset(f, 0, sizeof(*f));
	assert_int_equal(store_revocation_list(fx->st, 3, 0, collect_feed, f),
	    STORE_OK);
	assert_int_equal(f->n, 0);
	free(f);
}

static void
revocation_feed_append_only(void **state)
{
	struct fx *fx = *state;
	struct store_user u;
	struct store_cred c;

	u = mkuser(fx->st, "ana", STORE_ROLE_COURIER);
	c = mkcred(u.id, 1);
	assert_int_equal(reg(fx->st, NULL, &c), STORE_OK);
	assert_int_equal(store_cred_revoke(fx->st, c.id, c.id_len, NOW,
	    "root", "lost"), STORE_OK);
	assert_int_equal(q_exec(fx->st, "DELETE FROM revocations"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(q_exec(fx->st, "UPDATE revocations SET time = 0"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(COUNT(fx->st, "revocations"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(audit_append_list),
		T(audit_plain_detail_quoted),
		T(audit_longest_detail),
		T(audit_bad_arguments),
		T(audit_update_refused),
		T(revocation_feed_cursor),
		T(revocation_feed_append_only),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
