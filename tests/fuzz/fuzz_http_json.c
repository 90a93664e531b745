/*
 * fuzz_http_json.c: the JSON request bodies authd's public routes read,
 * as far as they are parsed outside Civetweb (authd/http.c and the
 * route_*.c handlers, whose helpers are static, call these same steps):
 *
 *  - the small bodies (sign-in and registration options, enrollment):
 *    jansson with JSON_REJECT_DUPLICATES, an object, at most
 *    FZ_MAX_DEPTH deep (http_body_json()), then the string members the
 *    routes read;
 *  - POST /v1/registration/verify: wa_response_challenge() on the raw
 *    body, the first thing the route does with it;
 *  - POST /v1/authentication/verify: wa_assert_parse() then
 *    wa_assert_challenge().
 *
 * Challenges are written to heap buffers of exactly the size offered,
 * the route's and a small one, so that ASan sees any overrun.  The two
 * ways of reading a challenge must agree on every body both accept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "webauthn/webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#define FZ_MAX_DEPTH	16	/* MAX_JSON_DEPTH in authd/http.c */
#define FZ_SMALL_CHAL	16	/* smaller than most challenges */

/* The members the options and enrollment routes read. */
static const char *const members[] = {
	"username", "role", "display_name", "code", "label",
};

/* As too_deep() in authd/http.c. */
static int
too_deep(const json_t *j, int depth)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (depth > FZ_MAX_DEPTH)
		return (1);
	if (json_is_object(j)) {
		json_object_foreach((json_t *)(uintptr_t)j, k, v)
			if (too_deep(v, depth + 1))
				return (1);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (too_deep(v, depth + 1))
				return (1);
	}

	return (0);
}

/* The deepest bracket nesting of a JSON text, outside strings. */
static size_t
bracket_depth(const uint8_t *s, size_t n)
{
	size_t	depth = 0, max = 0;
	int	in_str = 0;

	for (size_t i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"')
			in_str = 1;
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > max)
				max = depth;
		} else if ((s[i] == '}' || s[i] == ']') && depth > 0)
			depth--;
	}

	return (max);
}

static void
small_body(const uint8_t *data, size_t size)
{
	json_error_t	 jerr;
	json_t		*j;
	const json_t	*v;
	const char	*s;

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (j == NULL || !json_is_object(j))
		goto out;
	if (too_deep(j, 0)) {
		/* A tree node at depth d sits inside d brackets. */
		FZ_ASSERT(bracket_depth(data, size) > FZ_MAX_DEPTH);
		goto out;
	}
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		if (!json_is_string(v = json_object_get(j, members[i])))
			continue;
		/* Jansson refuses \u0000 without JSON_ALLOW_NUL: the C
		 * string the route sees is the whole member. */
		FZ_ASSERT((s = json_string_value(v)) != NULL);
		FZ_ASSERT(strlen(s) == json_string_length(v));
	}
out:
	json_decref(j);
}

/* A challenge read into a heap buffer of exactly max bytes. */
static int
peek(const uint8_t *data, size_t size, struct wa_assert *a,
    size_t max, unsigned char **out, size_t *len)
{
	int r;

	FZ_ASSERT((*out = malloc(max)) != NULL);
	*len = SIZE_MAX;
	if (a == NULL)
		r = wa_response_challenge((const char *)data, size, *out, max,
		    len);
	else
		r = wa_assert_challenge(a, *out, max, len);
	FZ_ASSERT(r >= 0 && r < WA_ERR_MAX);
	if (r == WA_OK)
		FZ_ASSERT(*len <= max);

	return (r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_assert	*a;
	unsigned char		*c1 = NULL, *c2 = NULL;
	unsigned char		*s1 = NULL, *s2 = NULL;
	size_t			 l1, l2, sl1, sl2;
	int			 r1, r2, rs1, rs2, r;

	small_body(data, size);

	r1 = peek(data, size, NULL, WA_MAX_CHALLENGE, &c1, &l1);
	rs1 = peek(data, size, NULL, FZ_SMALL_CHAL, &s1, &sl1);
	/* A smaller buffer only adds refusals. */
	FZ_ASSERT(rs1 != WA_OK || (r1 == WA_OK && sl1 == l1 &&
	    memcmp(s1, c1, l1) == 0));

	FZ_ASSERT((a = wa_assert_new()) != NULL);
	if ((r = wa_assert_parse(a, (const char *)data, size)) != WA_OK) {
		FZ_ASSERT(r > 0 && r < WA_ERR_MAX);
		FZ_ASSERT(wa_assert_challenge(a, c1, WA_MAX_CHALLENGE,
		    &l2) == WA_ERR_ARG);
		goto out;
	}
	FZ_ASSERT(wa_assert_cred_id_len(a) > 0 &&
	    wa_assert_cred_id_len(a) <= WA_MAX_CRED_ID);
	FZ_ASSERT(wa_assert_user_handle_ptr(a) == NULL ||
	    wa_assert_user_handle_len(a) <= WA_MAX_USER_HANDLE);
	r2 = peek(data, size, a, WA_MAX_CHALLENGE, &c2, &l2);
	rs2 = peek(data, size, a, FZ_SMALL_CHAL, &s2, &sl2);
	/*
	 * Both read response.clientDataJSON of the same body: the route
	 * that peeks and the one that parses see the same challenge.
	 */
	FZ_ASSERT(r1 == r2 && rs1 == rs2);
	if (r1 == WA_OK)
		FZ_ASSERT(l1 == l2 && memcmp(c1, c2, l1) == 0);
out:
	wa_assert_free(&a);
	FZ_ASSERT(a == NULL);
	free(c1);
	free(c2);
	free(s1);
	free(s2);

	return (0);
}
