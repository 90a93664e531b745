/*
 * authd_log.c: the log lines of authd/log.c.  Every event and request
 * gives exactly one JSON line, also when memory runs out while the line
 * is built: then the line keeps the event (and its level) and says
 * "incomplete": true, so that no security event, and not the "started"
 * that supervisors wait for, is lost.  Levels silence what they should.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "authd/authd.h"

/* jansson's allocations: the first `allow' succeed, the rest fail. */
static long	allow = -1;

static void *
limited_malloc(size_t n)
{
	if (allow == 0)
		return (NULL);
	if (allow > 0)
		allow--;

	return (malloc(n));
}

static char	 path[256];
static int	 saved_err = -1;

/* stderr into a fresh file until collect(). */
static void
capture(void)
{
	const char	*tmp = getenv("TMPDIR");
	int		 fd;

	snprintf(path, sizeof(path), "%s/authd_log_XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 200 ? tmp : "/tmp");
	assert_true((fd = mkstemp(path)) >= 0);
	fflush(stderr);
	assert_true((saved_err = dup(2)) >= 0);
	assert_true(dup2(fd, 2) == 2);
	close(fd);
}

/* What was written since capture(), as a NUL-terminated string. */
static char *
collect(void)
{
	FILE	*f;
	char	*buf;
	long	 n;

	fflush(stderr);
	assert_true(dup2(saved_err, 2) == 2);
	close(saved_err);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	assert_non_null(buf = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	unlink(path);

	return (buf);
}

static size_t
lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';

	return (n);
}

/* The one line of s as JSON. */
static json_t *
one_line(const char *s)
{
	json_t *j;

	assert_int_equal(lines(s), 1);
	assert_non_null(j = json_loads(s, 0, NULL));
	assert_non_null(json_object_get(j, "ts"));

	return (j);
}

static const char *
str(json_t *j, const char *k)
{
	return (json_string_value(json_object_get(j, k)));
}

static void
full_lines(void **state)
{
	struct http_req	 r;
	char		*out;
	json_t		*j;

	(void)state;
	log_set_level("info");
	capture();
	log_event("started", "listen", "127.0.0.1:1", NULL);
	out = collect();
	j = one_line(out);
	assert_string_equal(str(j, "event"), "started");
	assert_string_equal(str(j, "listen"), "127.0.0.1:1");
	assert_null(json_object_get(j, "incomplete"));
	assert_null(json_object_get(j, "level"));
	json_decref(j);
	free(out);

	capture();
	log_warning("kek_beside_database", "file", "x", NULL);
	out = collect();
	j = one_line(out);
	assert_string_equal(str(j, "level"), "warn");
	assert_string_equal(str(j, "file"), "x");
	json_decref(j);
	free(out);

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "0123456789abcdef");
	r.method = "POST";
	r.path = "/v1/token";
	r.status = 401;
	r.error = "invalid_session";
	r.start_us = now_us();
	capture();
	log_request(&r);
	out = collect();
	j = one_line(out);
	assert_string_equal(str(j, "event"), "request");
	assert_string_equal(str(j, "error"), "invalid_session");
	assert_int_equal(json_integer_value(json_object_get(j, "status")),
	    401);
	json_decref(j);
	free(out);
}

/* Memory running out at every step of building a line. */
static void
out_of_memory(void **state)
{
	struct http_req	 r;
	char		*out;
	json_t		*j;
	int		 full = 0, bare = 0, i;

	(void)state;
	log_set_level("info");
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "0123456789abcdef");
	r.method = "GET";
	r.path = "/healthz";
	r.status = 200;
	for (long n = 0; n < 40; n++) {
		json_set_alloc_funcs(limited_malloc, free);
		allow = n;
		capture();
		log_event("started", "listen", "127.0.0.1:1", NULL);
		allow = n;
		log_warning("kek_beside_database", "file", "x", NULL);
		allow = n;
		log_request(&r);
		allow = -1;
		out = collect();
		json_set_alloc_funcs(malloc, free);
		assert_int_equal(lines(out), 3);
		i = 0;
		for (char *l = strtok(out, "\n"); l != NULL;
		    l = strtok(NULL, "\n"), i++) {
			assert_non_null(j = json_loads(l, 0, NULL));
			assert_string_equal(str(j, "event"), i == 0 ?
			    "started" : i == 1 ? "kek_beside_database" :
			    "request");
			assert_non_null(json_object_get(j, "ts"));
			if (i == 1)
				assert_string_equal(str(j, "level"), "warn");
			if (json_object_get(j, "incomplete") != NULL) {
				assert_true(json_is_true(json_object_get(j,
				    "incomplete")));
				bare++;
			} else {
				if (i == 0)
					assert_string_equal(str(j, "listen"),
					    "127.0.0.1:1");
				full++;
			}
			json_decref(j);
		}
		free(out);
	}
	/* Both kinds happened: the limit reached every step. */
	assert_true(bare > 0);
	assert_true(full > 0);
}

static void
levels(void **state)
{
	struct http_req	 r;
	char		*out;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = "/";
	log_set_level("warn");
	capture();
	log_event("login", NULL);
	log_request(&r);
	log_warning("kek_beside_database", NULL);
	out = collect();
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "\"kek_beside_database\""));
	free(out);
	log_set_level("error");
	capture();
	log_warning("kek_beside_database", NULL);
	out = collect();
	assert_string_equal(out, "");
	free(out);
	log_set_level("info");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_lines),
		cmocka_unit_test(out_of_memory),
		cmocka_unit_test(levels),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
