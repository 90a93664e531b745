/*
 * bench_verify.c: single-threaded verification throughput of the
 * library against raw OpenSSL doing the same cryptography.
 *
 * For each case the software authenticator (tests/lib/softauth.h) makes
 * one response.  "library" runs the public API on it exactly as authd
 * does for every request: for an assertion wa_assert_new(),
 * wa_assert_parse(), wa_assert_set_stored(), wa_assert_verify() and
 * wa_assert_free(); for a registration wa_reg_new(), wa_reg_verify() and
 * wa_reg_free().  "verify" is wa_assert_verify() alone on a parsed
 * response.  "raw" is the least a hand-written verifier must do per
 * call with OpenSSL 3: find the coordinates in the COSE key, build the
 * EVP_PKEY (EVP_PKEY_fromdata for EC and RSA,
 * EVP_PKEY_new_raw_public_key for Ed25519), SHA-256 the clientDataJSON
 * and EVP_DigestVerify() over authData || hash.  A "none" registration
 * has no signature: its raw figure is the key build and the hash.
 *
 * Rates are per second of the thread's CPU time, and each measurement
 * is taken in ROUNDS slices interleaved with the others of its case, so
 * that the ratios hold on a machine that other work shares.
 *
 * Usage: bench_verify [SECONDS [CASE [lib|verify|raw]]]
 *
 * SECONDS of CPU time per measurement (default 1.5).  For profiling, CASE limits the
 * run to the cases whose name contains it, and the last argument to one
 * measurement: perf record bench_verify 5 "assertion ES256" lib.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cbor.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "webauthn/webauthn.h"
#include "tests/lib/softauth.h"

#define RP_ID		"example.com"
#define ORIGIN		"https://example.com"
#define MSG_MAX		(WA_MAX_AUTHDATA + SHA256_DIGEST_LENGTH)
#define ROUNDS		10	/* slices per measurement */

/* One response and what raw OpenSSL needs to verify it. */
struct bcase {
	const char		*name;
	bool			 reg;
	int			 alg;
	char			*json;
	const unsigned char	*cose;		/* borrowed from cred */
	size_t			 cose_len;
	unsigned char		*cdj;
	size_t			 cdj_len;
	unsigned char		*authdata;
	size_t			 authdata_len;
	unsigned char		*sig;		/* NULL: no signature */
	size_t			 sig_len;
};

static const unsigned char challenge[32] = "bench_verify challenge 32 bytes";
static struct wa_rp	*rp;
static double		 seconds = 1.5;
static const char	*only_case;
static const char	*only_kind;	/* "lib", "verify", "raw" or NULL */
static volatile int	 sink;

static void
die(const char *what)
{
	fprintf(stderr, "bench_verify: %s\n", what);
	exit(1);
}

/*
 * The thread's CPU time: time the scheduler gives to other processes on
 * a shared machine is not counted.
 */
static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		die("clock_gettime");

	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* A measurement, accumulated over interleaved slices. */
struct meter {
	int		(*fn)(const struct bcase *);
	unsigned long	  n;
	double		  t;
};

/* Runs m->fn on c in batches for about secs of CPU time. */
static void
slice(struct meter *m, const struct bcase *c, double secs)
{
	double		start, elapsed;
	unsigned long	n = 0, batch = 8;

	start = now();
	do {
		for (unsigned long i = 0; i < batch; i++)
			if (m->fn(c) != 0)
				die(c->name);
		n += batch;
		elapsed = now() - start;
	} while (elapsed < secs);
	m->n += n;
	m->t += elapsed;
	sink += (int)n;
}

static double
per_second(const struct meter *m)
{
	return (m->t > 0 ? (double)m->n / m->t : 0);
}

/* ---- library ---------------------------------------------------- */

static int
lib_assert(const struct bcase *c)
{
	struct wa_assert	*a;
	int			 r;

	if ((a = wa_assert_new()) == NULL)
		return (-1);
	if ((r = wa_assert_parse(a, c->json, strlen(c->json))) == WA_OK &&
	    (r = wa_assert_set_stored(a, c->cose, c->cose_len, 0, false,
	    NULL, 0)) == WA_OK)
		r = wa_assert_verify(a, rp, challenge, sizeof(challenge));
	wa_assert_free(&a);

	return (r == WA_OK ? 0 : -1);
}

static struct wa_assert *parsed;	/* for lib_assert_verify_only */

static int
lib_assert_verify_only(const struct bcase *c)
{
	(void)c;

	return (wa_assert_verify(parsed, rp, challenge,
	    sizeof(challenge)) == WA_OK ? 0 : -1);
}

static int
lib_reg(const struct bcase *c)
{
	struct wa_reg	*reg;
	int		 r;

	if ((reg = wa_reg_new()) == NULL)
		return (-1);
	r = wa_reg_verify(reg, rp, challenge, sizeof(challenge), c->json,
	    strlen(c->json));
	wa_reg_free(&reg);

	return (r == WA_OK ? 0 : -1);
}

/* ---- raw OpenSSL ------------------------------------------------ */

/*
 * The byte strings of a COSE_Key at labels -1, -2 and -3: a minimal
 * walk of a map with small integer keys, as a hand-written verifier
 * would do.  kty is the value of label 1.
 */
struct cose_raw {
	int64_t			 kty;
	const unsigned char	*b[3];
	size_t			 n[3];
};

static int
cbor_uint(const unsigned char *p, size_t len, size_t *o, uint64_t *v)
{
	unsigned int	info;
	size_t		need;

	if (*o >= len)
		return (-1);
	info = p[*o] & 0x1fU;
	(*o)++;
	if (info < 24) {
		*v = info;
		return (0);
	}
	if (info > 27)
		return (-1);
	need = (size_t)1 << (info - 24);
	if (len - *o < need)
		return (-1);
	*v = 0;
	for (size_t i = 0; i < need; i++)
		*v = *v << 8 | p[(*o)++];

	return (0);
}

static int
cose_raw_parse(const unsigned char *p, size_t len, struct cose_raw *k)
{
	uint64_t	npairs, v;
	size_t		o = 0;
	unsigned int	major;
	int64_t		label;

	memset(k, 0, sizeof(*k));
	if (len == 0 || p[0] >> 5 != 5 || cbor_uint(p, len, &o, &npairs) < 0)
		return (-1);
	for (uint64_t i = 0; i < npairs; i++) {
		if (o >= len)
			return (-1);
		major = p[o] >> 5;
		if ((major != 0 && major != 1) || cbor_uint(p, len, &o,
		    &v) < 0 || v > INT32_MAX)
			return (-1);
		label = major == 0 ? (int64_t)v : -1 - (int64_t)v;
		if (o >= len)
			return (-1);
		major = p[o] >> 5;
		if (cbor_uint(p, len, &o, &v) < 0)
			return (-1);
		if (major == 2) {
			if (v > len - o)
				return (-1);
			if (label <= -1 && label >= -3) {
				k->b[-label - 1] = p + o;
				k->n[-label - 1] = (size_t)v;
			}
			o += (size_t)v;
		} else if (major == 0 && label == 1)
			k->kty = (int64_t)v;
		else if (major != 0 && major != 1)
			return (-1);
	}

	return (o == len ? 0 : -1);
}

static EVP_PKEY *
raw_fromdata(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pkey = NULL;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);

	return (pkey);
}

static EVP_PKEY *
raw_key(const struct bcase *c)
{
	struct cose_raw		 k;
	unsigned char		 pt[1 + 2 * 32];
	char			 group[] = "P-256";
	OSSL_PARAM_BLD		*bld = NULL;
	OSSL_PARAM		*params = NULL;
	OSSL_PARAM		 ec[3];
	BIGNUM			*n = NULL, *e = NULL;
	EVP_PKEY		*pkey = NULL;

	if (cose_raw_parse(c->cose, c->cose_len, &k) < 0)
		return (NULL);
	switch (k.kty) {
	case 1:		/* OKP: x */
		if (k.n[1] != 32)
			return (NULL);
		return (EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    k.b[1], k.n[1]));
	case 2:		/* EC2: x, y */
		if (k.n[1] != 32 || k.n[2] != 32)
			return (NULL);
		pt[0] = 0x04;
		memcpy(pt + 1, k.b[1], 32);
		memcpy(pt + 33, k.b[2], 32);
		ec[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
		ec[1] = OSSL_PARAM_construct_octet_string(
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt));
		ec[2] = OSSL_PARAM_construct_end();
		return (raw_fromdata("EC", ec));
	case 3:		/* RSA: n (-1), e (-2) */
		if (k.n[0] == 0 || k.n[1] == 0 || k.n[0] > 512 ||
		    k.n[1] > 8)
			return (NULL);
		if ((n = BN_bin2bn(k.b[0], (int)k.n[0], NULL)) != NULL &&
		    (e = BN_bin2bn(k.b[1], (int)k.n[1], NULL)) != NULL &&
		    (bld = OSSL_PARAM_BLD_new()) != NULL &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N,
		    n) == 1 &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E,
		    e) == 1 &&
		    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL)
			pkey = raw_fromdata("RSA", params);
		OSSL_PARAM_free(params);
		OSSL_PARAM_BLD_free(bld);
		BN_free(n);
		BN_free(e);
		return (pkey);
	default:
		return (NULL);
	}
}

static int
raw_verify(const struct bcase *c)
{
	unsigned char	 msg[MSG_MAX];
	EVP_PKEY	*pkey;
	EVP_MD_CTX	*ctx = NULL;
	int		 r = -1;

	if ((pkey = raw_key(c)) == NULL)
		return (-1);
	memcpy(msg, c->authdata, c->authdata_len);
	SHA256(c->cdj, c->cdj_len, msg + c->authdata_len);
	if (c->sig == NULL) {
		r = 0;
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, c->alg == WA_COSE_EDDSA ? NULL :
	    EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestVerify(ctx, c->sig, c->sig_len, msg,
	    c->authdata_len + SHA256_DIGEST_LENGTH) != 1)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);

	return (r);
}

/* ---- set-up ----------------------------------------------------- */

/* A base64url member of the response: OUT *p (free(3)), *len. */
static void
get_b64(const char *json, const char *path, unsigned char **p, size_t *len)
{
	if (sa_json_get_b64(json, path, p, len) != 0)
		die(path);
}

/* authData and attStmt.sig of a registration's attestationObject. */
static void
split_attobj(struct bcase *c)
{
	unsigned char		*ao;
	size_t			 ao_len;
	cbor_item_t		*item;
	struct cbor_load_result	 res;
	struct cbor_pair	*pairs;

	get_b64(c->json, "response.attestationObject", &ao, &ao_len);
	if ((item = cbor_load(ao, ao_len, &res)) == NULL ||
	    !cbor_isa_map(item))
		die("attestationObject");
	pairs = cbor_map_handle(item);
	for (size_t i = 0; i < cbor_map_size(item); i++) {
		const char	*key = (const char *)cbor_string_handle(
		    pairs[i].key);
		size_t		 klen = cbor_string_length(pairs[i].key);
		cbor_item_t	*v = pairs[i].value;

		if (klen == 8 && memcmp(key, "authData", 8) == 0) {
			c->authdata_len = cbor_bytestring_length(v);
			if ((c->authdata = malloc(c->authdata_len)) == NULL)
				die("malloc");
			memcpy(c->authdata, cbor_bytestring_handle(v),
			    c->authdata_len);
		} else if (klen == 7 && memcmp(key, "attStmt", 7) == 0) {
			struct cbor_pair *sp = cbor_map_handle(v);

			for (size_t j = 0; j < cbor_map_size(v); j++) {
				cbor_item_t *sv = sp[j].value;

				if (cbor_string_length(sp[j].key) != 3 ||
				    memcmp(cbor_string_handle(sp[j].key),
				    "sig", 3) != 0)
					continue;
				c->sig_len = cbor_bytestring_length(sv);
				if ((c->sig = malloc(c->sig_len)) == NULL)
					die("malloc");
				memcpy(c->sig, cbor_bytestring_handle(sv),
				    c->sig_len);
			}
		}
	}
	cbor_decref(&item);
	free(ao);
	if (c->authdata == NULL || c->authdata_len > WA_MAX_AUTHDATA)
		die("authData");
}

static void
setup_case(struct bcase *c, struct sa_cred *cred, const char *fmt)
{
	struct sa_params p;

	memset(&p, 0, sizeof(p));
	p.rp_id = RP_ID;
	p.origin = ORIGIN;
	p.challenge = challenge;
	p.challenge_len = sizeof(challenge);
	p.flags = WA_FLAG_UP | WA_FLAG_UV;
	p.sign_count = 1;
	p.fmt = fmt;
	c->cose = sa_cred_cose_ptr(cred);
	c->cose_len = sa_cred_cose_len(cred);
	c->json = c->reg ? sa_make_registration(cred, &p) :
	    sa_make_assertion(cred, &p);
	if (c->json == NULL)
		die("softauth");
	get_b64(c->json, "response.clientDataJSON", &c->cdj, &c->cdj_len);
	if (c->reg) {
		split_attobj(c);
		if (strcmp(fmt, "none") == 0) {
			free(c->sig);
			c->sig = NULL;
		}
	} else {
		get_b64(c->json, "response.authenticatorData", &c->authdata,
		    &c->authdata_len);
		get_b64(c->json, "response.signature", &c->sig, &c->sig_len);
		if (c->authdata_len > WA_MAX_AUTHDATA)
			die("authData");
	}
}

static void
free_case(struct bcase *c)
{
	free(c->json);
	free(c->cdj);
	free(c->authdata);
	free(c->sig);
}

static bool
wanted(const char *kind)
{
	return (only_kind == NULL || strcmp(only_kind, kind) == 0);
}

static const char *
rate(double v, char *buf)
{
	if (v <= 0)
		return ("-");
	snprintf(buf, 32, "%.0f", v);

	return (buf);
}

static const char *
pct(double a, double b, char *buf)
{
	if (a <= 0 || b <= 0)
		return ("-");
	snprintf(buf, 32, "%.1f%%", 100.0 * a / b);

	return (buf);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		bool		 reg;
		int		 alg;
		const char	*fmt;
	} specs[] = {
		{ "assertion ES256", false, WA_COSE_ES256, NULL },
		{ "assertion EdDSA", false, WA_COSE_EDDSA, NULL },
		{ "assertion RS256", false, WA_COSE_RS256, NULL },
		{ "registration none ES256", true, WA_COSE_ES256, "none" },
		{ "registration packed self ES256", true, WA_COSE_ES256,
		  "packed" },
	};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))
	struct bcase	 cases[NSPECS];
	struct sa_cred	*creds[NSPECS];
	double		 lib, raw, ver;
	char		 b[5][32];

	if (argc > 4 || (argc > 1 && (seconds = strtod(argv[1], NULL)) <= 0))
		die("usage: bench_verify [SECONDS [CASE [lib|verify|raw]]]");
	only_case = argc > 2 ? argv[2] : NULL;
	only_kind = argc > 3 ? argv[3] : NULL;
	if ((rp = wa_rp_new()) == NULL ||
	    wa_rp_set_id(rp, RP_ID) != WA_OK ||
	    wa_rp_add_origin(rp, ORIGIN) != WA_OK)
		die("wa_rp");
	memset(cases, 0, sizeof(cases));
	for (size_t i = 0; i < NSPECS; i++) {
		cases[i].name = specs[i].name;
		cases[i].reg = specs[i].reg;
		cases[i].alg = specs[i].alg;
		if ((creds[i] = sa_cred_new(specs[i].alg)) == NULL)
			die("sa_cred_new");
		setup_case(&cases[i], creds[i], specs[i].fmt);
		/* Both verifiers must accept before anything is timed. */
		if ((specs[i].reg ? lib_reg(&cases[i]) :
		    lib_assert(&cases[i])) != 0)
			die("library rejects the softauth response");
		if (raw_verify(&cases[i]) != 0)
			die("raw OpenSSL rejects the softauth response");
	}

	printf("bench_verify: one thread, %.1f CPU seconds per measurement "
	    "in %d interleaved slices, %s\n", seconds, ROUNDS,
	    OpenSSL_version(OPENSSL_VERSION));
	printf("  library: parse + verify of the response JSON, as authd "
	    "calls it\n");
	printf("  verify:  wa_assert_verify() alone on a parsed response\n");
	printf("  raw:     COSE key -> EVP_PKEY, SHA-256(clientDataJSON), "
	    "EVP_DigestVerify\n\n");
	printf("%-32s %11s %11s %11s %9s %9s\n", "case", "library/s",
	    "verify/s", "raw/s", "lib/raw", "ver/raw");
	for (size_t i = 0; i < NSPECS; i++) {
		struct bcase	*c = &cases[i];
		struct meter	 ml = { c->reg ? lib_reg : lib_assert, 0, 0 };
		struct meter	 mv = { lib_assert_verify_only, 0, 0 };
		struct meter	 mr = { raw_verify, 0, 0 };

		if (only_case != NULL && strstr(c->name, only_case) == NULL)
			continue;
		if (!c->reg && ((parsed = wa_assert_new()) == NULL ||
		    wa_assert_parse(parsed, c->json, strlen(c->json)) !=
		    WA_OK || wa_assert_set_stored(parsed, c->cose,
		    c->cose_len, 0, false, NULL, 0) != WA_OK))
			die("wa_assert_parse");
		/* Warm caches and OpenSSL's provider lookups first. */
		slice(&ml, c, 0.05);
		slice(&mr, c, 0.05);
		ml.n = mr.n = 0;
		ml.t = mr.t = 0;
		/*
		 * Slices of each measurement in turn, so that all of them
		 * see the same conditions on a busy machine.
		 */
		for (int round = 0; round < ROUNDS; round++) {
			if (wanted("lib"))
				slice(&ml, c, seconds / ROUNDS);
			if (!c->reg && wanted("verify"))
				slice(&mv, c, seconds / ROUNDS);
			if (wanted("raw"))
				slice(&mr, c, seconds / ROUNDS);
		}
		wa_assert_free(&parsed);
		lib = per_second(&ml);
		ver = per_second(&mv);
		raw = per_second(&mr);
		printf("%-32s %11s %11s %11s %9s %9s\n", c->name,
		    rate(lib, b[0]), c->reg ? "-" : rate(ver, b[1]),
		    rate(raw, b[2]), pct(lib, raw, b[3]),
		    c->reg ? "-" : pct(ver, raw, b[4]));
		fflush(stdout);
	}
	printf("\nraw for \"registration none\" is the key build and the "
	    "hash only: it has no signature.\n");

	for (size_t i = 0; i < NSPECS; i++) {
		free_case(&cases[i]);
		sa_cred_free(&creds[i]);
	}
	wa_rp_free(&rp);

	return (0);
}
