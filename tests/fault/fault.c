/*
 * fault.c: the decision behind every wrapped call of the fault build
 * (see fault.h).  It runs inside malloc's wrapper among others, so it
 * allocates nothing, takes no lock and calls nothing that gen.sh wraps:
 * the settings are read once before main(), the rest is atomics, a
 * coarse clock and access(2).
 *
 * With AUTHD_FAULT_LIBS=1 it also installs allocators into SQLite
 * (SQLITE_CONFIG_MALLOC), OpenSSL (CRYPTO_set_mem_functions) and jansson
 * (json_set_alloc_funcs), before main() and so before their first
 * allocation, so that the libraries' own allocations fail too; they
 * count as the functions "lib_sqlite3", "lib_openssl" and "lib_jansson"
 * for AUTHD_FAULT_ONLY.  libcbor, as Debian builds it, takes no
 * allocator, and libfido2 none at all.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "tests/fault/fault.h"

#define ARM_CHECK_NS	2000000		/* looks at the arm file this often */
#define MAX_SYMS	1024

static uint64_t		 rate;
static uint64_t		 seed = 1;
static uint64_t		 after;
static const char	*arm_path;
static bool		 log_hits;
static bool		 enabled[MAX_SYMS];

enum { LIB_SQLITE3, LIB_OPENSSL, LIB_JANSSON, NLIBS };
static const char *const lib_names[NLIBS] = {
	"lib_sqlite3", "lib_openssl", "lib_jansson",
};
static bool			lib_enabled[NLIBS];
static sqlite3_mem_methods	sqlite_mem;

static atomic_uint_fast64_t	calls;
static atomic_uint_fast64_t	hits;
static atomic_bool		armed;
static atomic_int_fast64_t	next_check;

static uint64_t
env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return (s != NULL && *s != '\0' ? strtoull(s, NULL, 10) : def);
}

static bool
selected(const char *name, const char *only)
{
	const char	*p = only, *e;
	size_t		 n;

	if (only == NULL || *only == '\0')
		return (true);
	while (*p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n > 0 && strncmp(name, p, n) == 0)
			return (true);
		if (e == NULL)
			break;
		p = e + 1;
	}

	return (false);
}

static bool	lib_hit(int);

static void *
sqlite_malloc(int n)
{
	return (lib_hit(LIB_SQLITE3) ? NULL : sqlite_mem.xMalloc(n));
}

static void *
sqlite_realloc(void *p, int n)
{
	return (lib_hit(LIB_SQLITE3) ? NULL : sqlite_mem.xRealloc(p, n));
}

static void *
ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;

	return (lib_hit(LIB_OPENSSL) ? NULL : malloc(n));
}

static void *
ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;

	return (lib_hit(LIB_OPENSSL) ? NULL : realloc(p, n));
}

static void
ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void *
jansson_malloc(size_t n)
{
	return (lib_hit(LIB_JANSSON) ? NULL : malloc(n));
}

/* The libraries' own allocators; each must come before its first use. */
static void
libs_init(const char *only)
{
	sqlite3_mem_methods m;

	for (int i = 0; i < NLIBS; i++)
		lib_enabled[i] = selected(lib_names[i], only);
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) !=
	    SQLITE_OK)
		lib_enabled[LIB_SQLITE3] = false;
	else {
		m = sqlite_mem;
		m.xMalloc = sqlite_malloc;
		m.xRealloc = sqlite_realloc;
		if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
			lib_enabled[LIB_SQLITE3] = false;
	}
	if (CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc,
	    ossl_free) != 1)
		lib_enabled[LIB_OPENSSL] = false;
	json_set_alloc_funcs(jansson_malloc, free);
	for (int i = 0; i < NLIBS; i++)
		if (!lib_enabled[i] && selected(lib_names[i], only))
			fprintf(stderr, "fault: %s: cannot install an "
			    "allocator\n", lib_names[i]);
}

static void fault_init(void) __attribute__((constructor));

static void
fault_init(void)
{
	const char *only = getenv("AUTHD_FAULT_ONLY");

	rate = env_u64("AUTHD_FAULT_RATE", 0);
	seed = env_u64("AUTHD_FAULT_SEED", 1);
	after = env_u64("AUTHD_FAULT_AFTER", 0);
	arm_path = getenv("AUTHD_FAULT_ARM");
	if (arm_path != NULL && *arm_path == '\0')
		arm_path = NULL;
	log_hits = getenv("AUTHD_FAULT_LOG") != NULL;
	for (unsigned int i = 0; i < fault_nsyms && i < MAX_SYMS; i++)
		enabled[i] = selected(fault_syms[i].name, only);
	if (rate > 0 && getenv("AUTHD_FAULT_LIBS") != NULL)
		libs_init(only);
	atomic_store(&armed, arm_path == NULL);
	if (rate > 0)
		fprintf(stderr, "fault: 1 call in %llu of %u functions fails, "
		    "seed %llu%s%s\n", (unsigned long long)rate, fault_nsyms,
		    (unsigned long long)seed, arm_path != NULL ?
		    ", while this file exists: " : "", arm_path != NULL ?
		    arm_path : "");
}

static void fault_fini(void) __attribute__((destructor));

/* The tally, for the test to see that failures did happen. */
static void
fault_fini(void)
{
	if (rate > 0)
		fprintf(stderr, "fault: %llu failures in %llu calls\n",
		    (unsigned long long)atomic_load(&hits),
		    (unsigned long long)atomic_load(&calls));
}

static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;

	return (x ^ (x >> 31));
}

static bool
is_armed(void)
{
	struct timespec	ts;
	int_fast64_t	now, next;

	if (arm_path == NULL)
		return (true);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (int_fast64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	next = atomic_load_explicit(&next_check, memory_order_relaxed);
	if (now >= next && atomic_compare_exchange_strong(&next_check, &next,
	    now + ARM_CHECK_NS))
		atomic_store(&armed, access(arm_path, F_OK) == 0);

	return (atomic_load_explicit(&armed, memory_order_relaxed));
}

static void
log_hit(const char *name, uint64_t k)
{
	char	buf[160];
	int	n;

	n = snprintf(buf, sizeof(buf), "fault: %s fails (call %llu)\n", name,
	    (unsigned long long)k);
	if (n > 0)
		(void)!write(STDERR_FILENO, buf, (size_t)n < sizeof(buf) ?
		    (size_t)n : sizeof(buf) - 1);
}

/* Whether this call fails; OUT: *x, the draw that decided it. */
static bool
decide(const char *name, uint64_t *x)
{
	uint64_t k;

	if (!is_armed())
		return (false);
	k = atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
	if (k < after)
		return (false);
	*x = splitmix64(seed ^ splitmix64(k));
	if (*x % rate != 0)
		return (false);
	atomic_fetch_add_explicit(&hits, 1, memory_order_relaxed);
	if (log_hits)
		log_hit(name, k);

	return (true);
}

static bool
lib_hit(int lib)
{
	uint64_t x;

	return (rate > 0 && lib_enabled[lib] && decide(lib_names[lib], &x));
}

const long *
fault_hit(unsigned int i)
{
	const struct fault_sym	*s;
	uint64_t		 x;

	if (rate == 0 || i >= fault_nsyms || i >= MAX_SYMS || !enabled[i])
		return (NULL);
	s = &fault_syms[i];
	if (!decide(s->name, &x))
		return (NULL);

	return (&s->vals[(x / rate) % s->nvals]);
}
