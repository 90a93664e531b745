/*
 * rp.c: the relying party's policy: RP ID, origins, algorithms, user
 * verification, cross-origin use, trust anchors and the clock.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/sha.h>

#include "extern.h"

static const int supported_algs[] = {
	WA_COSE_ES256, WA_COSE_EDDSA, WA_COSE_ES384, WA_COSE_ES512,
	WA_COSE_PS256, WA_COSE_RS256,
};
#define NSUPPORTED (sizeof(supported_algs) / sizeof(supported_algs[0]))

const char *
wa_alg_name(int alg)
{
	switch (alg) {
	case WA_COSE_ES256:
		return ("ES256");
	case WA_COSE_EDDSA:
		return ("EdDSA");
	case WA_COSE_ES384:
		return ("ES384");
	case WA_COSE_ES512:
		return ("ES512");
	case WA_COSE_PS256:
		return ("PS256");
	case WA_COSE_RS256:
		return ("RS256");
	case WA_COSE_RS1:
		return ("RS1");
	default:
		return (NULL);
	}
}

bool
wa_alg_supported(int alg)
{
	for (size_t i = 0; i < NSUPPORTED; i++)
		if (supported_algs[i] == alg)
			return (true);

	return (false);
}

struct wa_rp *
wa_rp_new(void)
{
	struct wa_rp *rp;

	if ((rp = calloc(1, sizeof(*rp))) == NULL)
		return (NULL);
	memcpy(rp->algs, supported_algs, sizeof(supported_algs));
	rp->nalgs = NSUPPORTED;
	rp->safetynet_cts = true;
	rp->att_policy = WA_ATT_POLICY_ANY;

	return (rp);
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
wa_rp_free(struct wa_rp **rpp)
{
	struct wa_rp *rp;

	if (rpp == NULL || (rp = *rpp) == NULL)
		return;
	free(rp->id);
	free_strv(rp->origins, rp->norigins);
	free_strv(rp->top_origins, rp->ntop_origins);
	X509_STORE_free(rp->store);
	free(rp);
	*rpp = NULL;
}

int
wa_rp_set_id(struct wa_rp *rp, const char *id)
{
	char *p;

	if (rp == NULL || id == NULL || *id == '\0' ||
	    strlen(id) > WA_MAX_ORIGIN)
		return (WA_ERR_ARG);
	if ((p = strdup(id)) == NULL)
		return (WA_ERR_NOMEM);
	if (SHA256((const unsigned char *)id, strlen(id), rp->id_hash) ==
	    NULL) {
		free(p);
		return (WA_ERR_NOMEM);
	}
	free(rp->id);
	rp->id = p;

	return (WA_OK);
}

const char *
wa_rp_id(const struct wa_rp *rp)
{
	return (rp == NULL ? NULL : rp->id);
}

static int
strv_add(char ***v, size_t *n, const char *s)
{
	char **nv, *p;

	if (s == NULL || *s == '\0' || strlen(s) > WA_MAX_ORIGIN)
		return (WA_ERR_ARG);
	if ((p = strdup(s)) == NULL)
		return (WA_ERR_NOMEM);
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
		free(p);
		return (WA_ERR_NOMEM);
	}
	nv[(*n)++] = p;
	*v = nv;

	return (WA_OK);
}

int
wa_rp_add_origin(struct wa_rp *rp, const char *origin)
{
	if (rp == NULL)
		return (WA_ERR_ARG);

	return (strv_add(&rp->origins, &rp->norigins, origin));
}

int
wa_rp_add_top_origin(struct wa_rp *rp, const char *origin)
{
	if (rp == NULL)
		return (WA_ERR_ARG);

	return (strv_add(&rp->top_origins, &rp->ntop_origins, origin));
}

int
wa_rp_set_allow_cross_origin(struct wa_rp *rp, bool v)
{
	if (rp == NULL)
		return (WA_ERR_ARG);
	rp->cross_origin = v;

	return (WA_OK);
}

int
wa_rp_set_require_uv(struct wa_rp *rp, bool v)
{
	if (rp == NULL)
		return (WA_ERR_ARG);
	rp->require_uv = v;

	return (WA_OK);
}

int
wa_rp_set_insecure_no_user_presence(struct wa_rp *rp, bool v)
{
	if (rp == NULL)
		return (WA_ERR_ARG);
	rp->no_up = v;

	return (WA_OK);
}

int
wa_rp_set_algs(struct wa_rp *rp, const int *algs, size_t n)
{
	if (rp == NULL || algs == NULL || n == 0 || n > WA_MAX_ALGS)
		return (WA_ERR_ARG);
	for (size_t i = 0; i < n; i++)
		if (!wa_alg_supported(algs[i]))
			return (WA_ERR_UNSUPPORTED_ALG);
	memcpy(rp->algs, algs, n * sizeof(*algs));
	rp->nalgs = n;

	return (WA_OK);
}

bool
wa_rp_alg_allowed(const struct wa_rp *rp, int alg)
{
	for (size_t i = 0; i < rp->nalgs; i++)
		if (rp->algs[i] == alg)
			return (true);

	return (false);
}

static int
store_add(struct wa_rp *rp, X509 *x)
{
	if (rp->store == NULL && (rp->store = X509_STORE_new()) == NULL)
		return (WA_ERR_NOMEM);
	if (X509_STORE_add_cert(rp->store, x) != 1)
		return (WA_ERR_ARG);
	rp->nanchors++;

	return (WA_OK);
}

int
wa_rp_add_trust_anchor(struct wa_rp *rp, const unsigned char *p, size_t n)
{
	X509	*x = NULL;
	BIO	*bio = NULL;
	int	 r, count = 0;

	if (rp == NULL || p == NULL || n == 0 || n > 64 * WA_MAX_CERT)
		return (WA_ERR_ARG);
	if (n <= 10 || memcmp(p, "-----BEGIN", 10) != 0) {
		if ((r = wa_x509_der(p, n, &x)) != WA_OK) {
			r = WA_ERR_ARG;
			goto fail;
		}
		r = store_add(rp, x);
		goto fail;
	}
	/* PEM: every certificate in the bundle. */
	if ((bio = BIO_new_mem_buf(p, (int)n)) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if ((r = store_add(rp, x)) != WA_OK)
			goto fail;
		X509_free(x);
		x = NULL;
		count++;
	}
	r = count > 0 ? WA_OK : WA_ERR_ARG;
fail:
	X509_free(x);
	BIO_free(bio);

	return (r);
}

int
wa_rp_set_attestation_policy(struct wa_rp *rp, int policy)
{
	if (rp == NULL || (policy != WA_ATT_POLICY_ANY &&
	    policy != WA_ATT_POLICY_TRUSTED))
		return (WA_ERR_ARG);
	rp->att_policy = policy;

	return (WA_OK);
}

int
wa_rp_set_time(struct wa_rp *rp, int64_t t)
{
	if (rp == NULL || t < 0)
		return (WA_ERR_ARG);
	rp->time = t;

	return (WA_OK);
}

int64_t
wa_rp_now(const struct wa_rp *rp)
{
	return (rp->time != 0 ? rp->time : (int64_t)time(NULL));
}

int
wa_rp_set_safetynet_cts(struct wa_rp *rp, bool v)
{
	if (rp == NULL)
		return (WA_ERR_ARG);
	rp->safetynet_cts = v;

	return (WA_OK);
}
