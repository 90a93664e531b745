/*
 * authd_rand.c: rand_bytes() in authd/log.c, which hands out CSPRNG
 * bytes from a per-thread buffer.  The bugs a buffer invites: serving
 * the same bytes twice, serving bytes already wiped (zeros), losing
 * bytes at a refill, and mishandling a request larger than its quarter.
 * Draws of every size up to the bypass, and past it, must look like
 * random bytes: no repeats between consecutive draws, no long runs of
 * zeros, and byte counts within a loose chi-square bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "authd/authd.h"

#define TOTAL	(256 * 1024)

/* Chi-square of byte counts over 255 degrees of freedom. */
static double
chi2(const unsigned char *p, size_t n)
{
	double	 e = (double)n / 256, x = 0;
	size_t	 c[256] = { 0 };

	for (size_t i = 0; i < n; i++)
		c[p[i]]++;
	for (int i = 0; i < 256; i++)
		x += ((double)c[i] - e) * ((double)c[i] - e) / e;

	return (x);
}

static size_t
longest_zero_run(const unsigned char *p, size_t n)
{
	size_t run = 0, best = 0;

	for (size_t i = 0; i < n; i++) {
		run = p[i] == 0 ? run + 1 : 0;
		if (run > best)
			best = run;
	}

	return (best);
}

/* Fill out[] with draws of sizes cycling from 1 to max. */
static void
draw_all(unsigned char *out, size_t total, size_t max)
{
	size_t off = 0, n = 1, prev = 0;

	while (off < total) {
		if (n > total - off)
			n = total - off;
		rand_bytes(out + off, n);
		/* Two consecutive draws of 8 or more never match. */
		if (n >= 8 && prev == n)
			assert_memory_not_equal(out + off, out + off - n, n);
		prev = n;
		off += n;
		n = n % max + 1;
	}
}

static void
check(const unsigned char *p, size_t n)
{
	/* 255 d.f.: mean 255, sd about 22.6; 400 is over 6 sd. */
	assert_true(chi2(p, n) < 400.0);
	/* P(8 zero bytes in a row somewhere in 256 KiB) is about 2^-46. */
	assert_true(longest_zero_run(p, n) < 8);
}

static void
small_draws(void **state)
{
	unsigned char *buf;

	(void)state;
	assert_non_null(buf = malloc(TOTAL));
	draw_all(buf, TOTAL, 128);
	check(buf, TOTAL);
	free(buf);
}

static void
odd_draws_cross_refills(void **state)
{
	unsigned char *buf;

	(void)state;
	assert_non_null(buf = malloc(TOTAL));
	/* 7, 13 and 127 never divide the buffer: draws straddle refills. */
	for (size_t off = 0; off + 147 <= TOTAL; off += 147) {
		rand_bytes(buf + off, 7);
		rand_bytes(buf + off + 7, 13);
		rand_bytes(buf + off + 20, 127);
	}
	check(buf, TOTAL - TOTAL % 147);
	free(buf);
}

static void
large_draws(void **state)
{
	unsigned char *buf;

	(void)state;
	assert_non_null(buf = malloc(TOTAL));
	for (size_t off = 0; off < TOTAL; off += 4096) {
		rand_bytes(buf + off, 129);
		rand_bytes(buf + off + 129, 4096 - 129);
	}
	check(buf, TOTAL);
	free(buf);
}

static void *
thread_draw(void *arg)
{
	draw_all(arg, TOTAL / 4, 64);

	return (NULL);
}

/* Each thread has its own buffer: no two threads get the same bytes. */
static void
threads_differ(void **state)
{
	unsigned char	*buf;
	pthread_t	 t[4];

	(void)state;
	assert_non_null(buf = malloc(TOTAL));
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_draw,
		    buf + (size_t)i * (TOTAL / 4)), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	check(buf, TOTAL);
	for (int i = 1; i < 4; i++)
		assert_memory_not_equal(buf, buf + (size_t)i * (TOTAL / 4),
		    64);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_draws),
		cmocka_unit_test(odd_draws_cross_refills),
		cmocka_unit_test(large_draws),
		cmocka_unit_test(threads_differ),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
