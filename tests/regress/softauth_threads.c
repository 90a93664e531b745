/*
 * softauth_threads.c: softauth is called from many threads at once (the
 * benchmark does): each thread has its own credentials and makes and
 * verifies registrations and assertions against one shared, immutable
 * struct wa_rp.  The threads start together on a barrier so that they
 * also race for the lazily created default CA.  Run under the sanitizer
 * build this also checks that nothing leaks.
 */
#include <pthread.h>

#include "regress.h"

#define NTHREADS	8
#define ROUNDS		6

struct worker {
	pthread_t		 tid;
	const struct wa_rp	*rp;
	pthread_barrier_t	*start;
	int			 alg;
	const struct sa_ca	*ca;		/* OUT */
	int			 failures;	/* OUT */
	int			 ok;		/* OUT */
};

static int
one_registration(const struct wa_rp *rp, const struct sa_cred *c,
    const char *fmt)
{
	struct wa_reg		*reg;
	struct sa_params	 p = params(fmt);
	char			*json;
	int			 r;

	if ((json = sa_make_registration(c, &p)) == NULL ||
	    (reg = wa_reg_new()) == NULL) {
		free(json);
		return (-1);
	}
	r = wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json, strlen(json));
	wa_reg_free(&reg);
	free(json);

	return (r);
}

static int
one_assertion(const struct wa_rp *rp, const struct sa_cred *c,
    uint32_t count)
{
	struct wa_assert	*a;
	struct sa_params	 p = aparams();
	char			*json;
	int			 r;

	p.sign_count = count;
	if ((json = sa_make_assertion(c, &p)) == NULL ||
	    (a = wa_assert_new()) == NULL) {
		free(json);
		return (-1);
	}
	if ((r = wa_assert_parse(a, json, strlen(json))) == WA_OK &&
	    (r = wa_assert_set_stored(a, sa_cred_cose_ptr(c),
	    sa_cred_cose_len(c), count - 1, false, UH, UH_LEN)) == WA_OK)
		r = wa_assert_verify(a, rp, CHAL, CHAL_LEN);
	wa_assert_free(&a);
	free(json);

	return (r);
}

static void *
work(void *arg)
{
	static const char *const fmts[] = {
		"packed-x5c", "packed", "none", "fido-u2f",
	};
	struct worker	*w = arg;
	struct sa_cred	*c;

	(void)pthread_barrier_wait(w->start);
	w->ca = sa_ca_default();
	if ((c = sa_cred_new(w->alg)) == NULL) {
		w->failures++;
		return (NULL);
	}
	for (uint32_t i = 1; i <= ROUNDS; i++) {
		const char *fmt = fmts[i % 4];

		/* fido-u2f is for ES256 credentials only. */
		if (w->alg != WA_COSE_ES256 && strcmp(fmt, "fido-u2f") == 0)
			fmt = "packed-x5c";
		if (one_registration(w->rp, c, fmt) == WA_OK)
			w->ok++;
		else
			w->failures++;
		if (one_assertion(w->rp, c, i) == WA_OK)
			w->ok++;
		else
			w->failures++;
	}
	sa_cred_free(&c);

	return (NULL);
}

static void
concurrent_ceremonies(void **state)
{
	static const int	 algs[] = {
		WA_COSE_ES256, WA_COSE_EDDSA, WA_COSE_ES384, WA_COSE_ES512,
	};
	struct worker		 w[NTHREADS];
	struct wa_rp		*rp = rp_new();
	pthread_barrier_t	 start;

	(void)state;
	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (size_t i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].rp = rp;
		w[i].start = &start;
		w[i].alg = algs[i % 4];
		assert_int_equal(pthread_create(&w[i].tid, NULL, work, &w[i]),
		    0);
	}
	for (size_t i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(w[i].ok, 2 * ROUNDS);
		/* One default CA, created once. */
		assert_non_null(w[i].ca);
		assert_ptr_equal(w[i].ca, w[0].ca);
	}
	assert_int_equal(pthread_barrier_destroy(&start), 0);
	wa_rp_free(&rp);
}

static void
distinct_credentials(void **state)
{
	struct sa_cred *a, *b;

	(void)state;
	assert_non_null(a = sa_cred_new(WA_COSE_ES256));
	assert_non_null(b = sa_cred_new(WA_COSE_ES256));
	assert_int_equal(sa_cred_id_len(a), 32);
	assert_memory_not_equal(sa_cred_id_ptr(a), sa_cred_id_ptr(b), 32);
	assert_memory_not_equal(sa_cred_cose_ptr(a), sa_cred_cose_ptr(b),
	    sa_cred_cose_len(a));
	assert_null(sa_cred_new(WA_COSE_RS1));
	assert_null(sa_cred_new(0));
	sa_cred_free(&a);
	sa_cred_free(&b);
	sa_cred_free(&b);
	sa_cred_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_ceremonies),
		cmocka_unit_test(distinct_credentials),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
