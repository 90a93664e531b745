/*
 * metrics.c: Prometheus text metrics: ceremonies by type and outcome
 * (failures by reason), requests by status class, and request latency.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authd/authd.h"

#define MAX_SERIES	128

struct series {
	char		type[24];
	char		outcome[48];
	uint64_t	count;
};

static pthread_mutex_t	mtx = PTHREAD_MUTEX_INITIALIZER;
static struct series	series[MAX_SERIES];
static size_t		nseries;

/* Latency buckets, microseconds. */
static const int64_t	bounds[] = { 1000, 2000, 5000, 10000, 20000, 50000,
			    100000, 250000, 1000000 };
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))
static atomic_uint_fast64_t	buckets[NBOUNDS + 1];
static atomic_uint_fast64_t	lat_sum_us;
static atomic_uint_fast64_t	by_class[6];

void
metrics_ceremony(const char *type, const char *outcome)
{
	size_t i;

	pthread_mutex_lock(&mtx);
	for (i = 0; i < nseries; i++)
		if (strcmp(series[i].type, type) == 0 &&
		    strcmp(series[i].outcome, outcome) == 0)
			break;
	if (i == nseries && nseries < MAX_SERIES) {
		snprintf(series[i].type, sizeof(series[i].type), "%s", type);
		snprintf(series[i].outcome, sizeof(series[i].outcome), "%s",
		    outcome);
		nseries++;
	}
	if (i < nseries)
		series[i].count++;
	pthread_mutex_unlock(&mtx);
}

void
metrics_request(int status, int64_t us)
{
	size_t b;

	for (b = 0; b < NBOUNDS && us > bounds[b]; b++)
		;
	atomic_fetch_add(&buckets[b], 1);
	atomic_fetch_add(&lat_sum_us, (uint_fast64_t)(us > 0 ? us : 0));
	if (status >= 100 && status < 600)
		atomic_fetch_add(&by_class[status / 100], 1);
}

char *
metrics_render(void)
{
	char		*buf;
	size_t		 cap = 16384, n = 0;
	uint64_t	 cum = 0;

	if ((buf = malloc(cap)) == NULL)
		return (NULL);
#define OUT(...) do {							\
	int w = snprintf(buf + n, cap - n, __VA_ARGS__);		\
	if (w > 0 && (size_t)w < cap - n)				\
		n += (size_t)w;						\
} while (0)
	OUT("# HELP authd_ceremonies_total WebAuthn ceremonies and token "
	    "operations by type and outcome.\n"
	    "# TYPE authd_ceremonies_total counter\n");
	pthread_mutex_lock(&mtx);
	for (size_t i = 0; i < nseries; i++)
		OUT("authd_ceremonies_total{type=\"%s\",outcome=\"%s\"} %llu\n",
		    series[i].type, series[i].outcome,
		    (unsigned long long)series[i].count);
	pthread_mutex_unlock(&mtx);
	OUT("# HELP authd_requests_total HTTP requests by status class.\n"
	    "# TYPE authd_requests_total counter\n");
	for (int c = 1; c < 6; c++)
		OUT("authd_requests_total{class=\"%dxx\"} %llu\n", c,
		    (unsigned long long)atomic_load(&by_class[c]));
	OUT("# HELP authd_request_seconds Request latency.\n"
	    "# TYPE authd_request_seconds histogram\n");
	for (size_t b = 0; b <= NBOUNDS; b++) {
		cum += atomic_load(&buckets[b]);
		if (b < NBOUNDS)
			OUT("authd_request_seconds_bucket{le=\"%g\"} %llu\n",
			    (double)bounds[b] / 1e6, (unsigned long long)cum);
		else
			OUT("authd_request_seconds_bucket{le=\"+Inf\"} %llu\n",
			    (unsigned long long)cum);
	}
	OUT("authd_request_seconds_sum %.6f\n",
	    (double)atomic_load(&lat_sum_us) / 1e6);
	OUT("authd_request_seconds_count %llu\n", (unsigned long long)cum);
#undef OUT

	return (buf);
}
