/*
 * regress.h: what the webauthn regress programs share: one credential
 * per algorithm made once per program, a default relying party
 * (example.com), and one-call ceremonies that build a response with
 * softauth and run it through the library, returning the library's code.
 * Everything here is static inline so that each program takes only what
 * it uses.
 */
#ifndef REGRESS_H
#define REGRESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "webauthn/webauthn.h"
#include "tests/lib/softauth.h"

#define RP_ID		"example.com"
#define ORIGIN		"https://example.com"
#define CHAL \
    ((const unsigned char *)"0123456789abcdef-challenge-bytes")
#define CHAL_LEN	32
#define UH		((const unsigned char *)"user-handle-0001")
#define UH_LEN		16

#define ALG_ES256	0
#define ALG_ES384	1
#define ALG_ES512	2
#define ALG_EDDSA	3
#define ALG_RS256	4
#define ALG_PS256	5
#define NALGS		6

/* The credentials of this program, one per algorithm, by ALG_*. */
static struct sa_cred *regress_creds[NALGS];

static inline int
regress_cose_alg(size_t i)
{
	static const int algs[NALGS] = {
		WA_COSE_ES256, WA_COSE_ES384, WA_COSE_ES512, WA_COSE_EDDSA,
		WA_COSE_RS256, WA_COSE_PS256,
	};

	return (algs[i]);
}

/* cmocka group setup and teardown. */
static inline int
regress_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		if ((regress_creds[i] = sa_cred_new(regress_cose_alg(i))) ==
		    NULL)
			return (-1);

	return (0);
}

static inline int
regress_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < NALGS; i++)
		sa_cred_free(&regress_creds[i]);

	return (0);
}

static inline struct sa_cred *
cred(size_t i)
{
	assert_non_null(regress_creds[i]);

	return (regress_creds[i]);
}

/* Registration: UP and UV, "none"; assertion: UP and UV, counter 1. */
static inline struct sa_params
params(const char *fmt)
{
	struct sa_params p;

	memset(&p, 0, sizeof(p));
	p.rp_id = RP_ID;
	p.origin = ORIGIN;
	p.challenge = CHAL;
	p.challenge_len = CHAL_LEN;
	p.flags = WA_FLAG_UP | WA_FLAG_UV;
	p.fmt = fmt;

	return (p);
}

static inline struct sa_params
aparams(void)
{
	struct sa_params p = params(NULL);

	p.sign_count = 1;
	p.user_handle = UH;
	p.user_handle_len = UH_LEN;

	return (p);
}

static inline struct wa_rp *
rp_new(void)
{
	struct wa_rp *rp;

	assert_non_null(rp = wa_rp_new());
	assert_int_equal(wa_rp_set_id(rp, RP_ID), WA_OK);
	assert_int_equal(wa_rp_add_origin(rp, ORIGIN), WA_OK);

	return (rp);
}

/* Verifies json (and frees it) as a registration against rp. */
static inline int
reg_json(const struct wa_rp *rp, char *json)
{
	struct wa_reg	*reg;
	int		 r;

	assert_non_null(json);
	assert_non_null(reg = wa_reg_new());
	r = wa_reg_verify(reg, rp, CHAL, CHAL_LEN, json, strlen(json));
	wa_reg_free(&reg);
	free(json);

	return (r);
}

/* A registration of c with p and h, verified against rp (NULL: default). */
static inline int
reg_rp(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h, const struct wa_rp *rp)
{
	struct wa_rp	*own = NULL;
	int		 r;

	if (rp == NULL)
		rp = own = rp_new();
	r = reg_json(rp, sa_make_registration_ex(c, p, h));
	wa_rp_free(&own);

	return (r);
}

static inline int
reg(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h)
{
	return (reg_rp(c, p, h, NULL));
}

/* What the relying party stored about the credential, and its request. */
struct stored {
	const unsigned char	*cose;		/* NULL: the credential's */
	size_t			 cose_len;
	uint32_t		 count;
	bool			 be;
	const unsigned char	*uh;		/* NULL: no stored handle */
	size_t			 uh_len;
	bool			 discoverable;
	const unsigned char	*allow;		/* allowCredentials[0] */
	size_t			 allow_len;
};

static inline struct stored
stored(void)
{
	struct stored s;

	memset(&s, 0, sizeof(s));
	s.uh = UH;
	s.uh_len = UH_LEN;

	return (s);
}

/*
 * Parses and verifies json (and frees it) as an assertion for c.  If a
 * is not NULL the parsed object is left there for getters.
 */
static inline int
assert_json_keep(const struct sa_cred *c, const struct stored *s,
    const struct wa_rp *rp, char *json, struct wa_assert **ap)
{
	struct wa_assert	*a;
	int			 r;

	assert_non_null(json);
	assert_non_null(a = wa_assert_new());
	if ((r = wa_assert_parse(a, json, strlen(json))) != WA_OK)
		goto out;
	assert_int_equal(wa_assert_set_stored(a,
	    s->cose != NULL ? s->cose : sa_cred_cose_ptr(c),
	    s->cose != NULL ? s->cose_len : sa_cred_cose_len(c), s->count,
	    s->be, s->uh, s->uh_len), WA_OK);
	assert_int_equal(wa_assert_set_discoverable(a, s->discoverable),
	    WA_OK);
	if (s->allow != NULL)
		assert_int_equal(wa_assert_add_allowed(a, s->allow,
		    s->allow_len), WA_OK);
	r = wa_assert_verify(a, rp, CHAL, CHAL_LEN);
out:
	free(json);
	if (ap != NULL)
		*ap = a;
	else
		wa_assert_free(&a);

	return (r);
}

static inline int
assert_json(const struct sa_cred *c, const struct stored *s,
    const struct wa_rp *rp, char *json)
{
	return (assert_json_keep(c, s, rp, json, NULL));
}

/* An assertion by c with p and h; s NULL: stored(); rp NULL: default. */
static inline int
as_rp(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h, const struct stored *s, const struct wa_rp *rp)
{
	struct wa_rp	*own = NULL;
	struct stored	 def = stored();
	int		 r;

	if (rp == NULL)
		rp = own = rp_new();
	r = assert_json(c, s != NULL ? s : &def, rp,
	    sa_make_assertion_ex(c, p, h));
	wa_rp_free(&own);

	return (r);
}

static inline int
as(const struct sa_cred *c, const struct sa_params *p,
    const struct sa_hooks *h, const struct stored *s)
{
	return (as_rp(c, p, h, s, NULL));
}

/* Hooks that many programs use. */

/* Flips the last bit of a signature or buffer. */
static inline int
hook_flip_last(struct sa_bytes *b, void *arg)
{
	(void)arg;
	if (b->len == 0)
		return (-1);
	b->ptr[b->len - 1] ^= 0x01;

	return (0);
}

/* Appends one zero byte. */
static inline int
hook_append_zero(struct sa_bytes *b, void *arg)
{
	(void)arg;

	return (sa_bytes_append(b, "", 1));
}

/* Runs a JSON edit on a freshly made response and verifies it. */
static inline char *
edit(char *json, const char *path, json_t *val)
{
	char *out;

	assert_non_null(json);
	out = sa_json_edit(json, path, val);
	free(json);
	assert_non_null(out);

	return (out);
}

/* Hex digits (spaces ignored) into out; the byte count, or SIZE_MAX. */
static inline size_t
unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t		 n = 0;
	unsigned int	 v = 0, half = 0;

	for (; *hex != '\0'; hex++) {
		char c = *hex;

		if (c == ' ')
			continue;
		if (c >= '0' && c <= '9')
			v = v << 4 | (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (unsigned int)(c - 'a' + 10);
		else
			return (SIZE_MAX);
		if (++half == 2) {
			if (n == max)
				return (SIZE_MAX);
			out[n++] = (unsigned char)v;
			v = half = 0;
		}
	}

	return (half == 0 ? n : SIZE_MAX);
}

#define GROUP(tests) \
	cmocka_run_group_tests(tests, regress_setup, regress_teardown)

#endif /* REGRESS_H */
