/*
 * assert.c: authentication ceremony verification, WebAuthn §7.2 steps
 * 3-22, for an AuthenticationResponseJSON.
 *
 * The signature goes through libfido2's fido_assert_verify() for ES384
 * and EdDSA keys and through OpenSSL otherwise (see fido_is_fast()).  This is the hot path of every login: it decodes the
 * stored key once and allocates little.
 */
#include <string.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es384.h>
#include <openssl/sha.h>

#include "extern.h"

struct wa_assert *
wa_assert_new(void)
{
	return (calloc(1, sizeof(struct wa_assert)));
}

static void
reset_response(struct wa_assert *a)
{
	wa_buf_reset(&a->cred_id);
	wa_buf_reset(&a->user_handle);
	wa_buf_reset(&a->cdj);
	json_decref(a->cd);
	a->cd = NULL;
	wa_buf_reset(&a->authdata);
	wa_buf_reset(&a->sig);
	a->has_user_handle = false;
	a->parsed = false;
	a->alg = 0;
	a->sign_count = 0;
	a->flags = 0;
}

void
wa_assert_free(struct wa_assert **ap)
{
	struct wa_assert *a;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	reset_response(a);
	wa_buf_reset(&a->stored_key);
	wa_buf_reset(&a->stored_uh);
	for (size_t i = 0; i < a->nallowed; i++)
		wa_buf_reset(&a->allowed[i]);
	free(a->allowed);
	free(a);
	*ap = NULL;
}

int
wa_assert_clientdata(struct wa_assert *a)
{
	if (a->cd != NULL)
		return (WA_OK);

	return (wa_clientdata_load(a->cdj.ptr, a->cdj.len, &a->cd));
}

int
wa_assert_parse(struct wa_assert *a, const char *json, size_t len)
{
	json_t		*root = NULL;
	const json_t	*resp, *uh;
	int		 r;

	if (a == NULL || json == NULL)
		return (WA_ERR_ARG);
	reset_response(a);
	if ((r = wa_json_load(json, len, WA_MAX_RESPONSE_JSON, WA_ERR_JSON,
	    &root)) != WA_OK ||
	    (r = wa_resp_common(root, &a->cred_id, &resp)) != WA_OK ||
	    (r = wa_json_b64(resp, "clientDataJSON", true, WA_MAX_CLIENTDATA,
	    &a->cdj)) != WA_OK ||
	    (r = wa_json_b64(resp, "authenticatorData", true,
	    WA_MAX_AUTHDATA, &a->authdata)) != WA_OK ||
	    (r = wa_json_b64(resp, "signature", true, WA_MAX_SIG,
	    &a->sig)) != WA_OK)
		goto fail;
	uh = json_object_get(resp, "userHandle");
	if (uh != NULL && !json_is_null(uh)) {
		if ((r = wa_json_b64(resp, "userHandle", true,
		    WA_MAX_USER_HANDLE, &a->user_handle)) != WA_OK)
			goto fail;
		if (a->user_handle.len == 0) {
			r = WA_ERR_USER_HANDLE;
			goto fail;
		}
		a->has_user_handle = true;
	}
	a->parsed = true;

	r = WA_OK;
fail:
	if (r != WA_OK)
		reset_response(a);
	json_decref(root);

	return (r);
}

const unsigned char *
wa_assert_cred_id_ptr(const struct wa_assert *a)
{
	return (a->cred_id.ptr);
}

size_t
wa_assert_cred_id_len(const struct wa_assert *a)
{
	return (a->cred_id.len);
}

const unsigned char *
wa_assert_user_handle_ptr(const struct wa_assert *a)
{
	return (a->has_user_handle ? a->user_handle.ptr : NULL);
}

size_t
wa_assert_user_handle_len(const struct wa_assert *a)
{
	return (a->has_user_handle ? a->user_handle.len : 0);
}

int
wa_assert_set_stored(struct wa_assert *a, const unsigned char *key,
    size_t key_len, uint32_t sign_count, bool backup_eligible,
    const unsigned char *uh, size_t uh_len)
{
	int r;

	if (a == NULL || key == NULL || key_len == 0 ||
	    key_len > WA_MAX_COSE_KEY || uh_len > WA_MAX_USER_HANDLE ||
	    (uh == NULL && uh_len > 0))
		return (WA_ERR_ARG);
	if ((r = wa_buf_set(&a->stored_key, key, key_len)) != WA_OK)
		return (r);
	wa_buf_reset(&a->stored_uh);
	if (uh != NULL && (r = wa_buf_set(&a->stored_uh, uh,
	    uh_len)) != WA_OK)
		return (r);
	a->stored_count = sign_count;
	a->stored_be = backup_eligible;
	a->has_stored = true;

	return (WA_OK);
}

int
wa_assert_add_allowed(struct wa_assert *a, const unsigned char *id,
    size_t len)
{
	struct wa_buf *v;

	if (a == NULL || id == NULL || len == 0 || len > WA_MAX_CRED_ID ||
	    a->nallowed >= 64)
		return (WA_ERR_ARG);
	if ((v = realloc(a->allowed, (a->nallowed + 1) * sizeof(*v))) == NULL)
		return (WA_ERR_NOMEM);
	a->allowed = v;
	memset(&v[a->nallowed], 0, sizeof(*v));
	if (wa_buf_set(&v[a->nallowed], id, len) != WA_OK)
		return (WA_ERR_NOMEM);
	a->nallowed++;

	return (WA_OK);
}

int
wa_assert_set_insecure_any_backup_eligibility(struct wa_assert *a, bool v)
{
	if (a == NULL)
		return (WA_ERR_ARG);
	a->any_be = v;

	return (WA_OK);
}

int
wa_assert_set_discoverable(struct wa_assert *a, bool v)
{
	if (a == NULL)
		return (WA_ERR_ARG);
	a->discoverable = v;

	return (WA_OK);
}

/*
 * libfido2's verifier, for the key types where it is as fast as OpenSSL
 * alone.  For ES256 and RS256, libfido2 1.12 turns the key into its own
 * type, then into a legacy EC_KEY or RSA object that OpenSSL 3 exports
 * again to its provider on every verification: a third more work than
 * building the provider key once (make bench), so those go to
 * verify_openssl().
 */
static bool
fido_is_fast(int alg)
{
	return (alg == WA_COSE_ES384 || alg == WA_COSE_EDDSA);
}

static int
verify_fido(const struct wa_assert *a, const struct wa_rp *rp,
    const struct wa_cose *key, const unsigned char *cdh)
{
	fido_assert_t	*fa = NULL;
	es384_pk_t	*es384 = NULL;
	eddsa_pk_t	*eddsa = NULL;
	const void	*pk;
	int		 r;

	switch (key->alg) {
	case WA_COSE_ES384:
		if ((es384 = es384_pk_new()) == NULL)
			return (WA_ERR_NOMEM);
		if (es384_pk_from_ptr(es384, key->raw, key->raw_len) !=
		    FIDO_OK) {
			r = WA_ERR_COSE;
			goto fail;
		}
		pk = es384;
		break;
	case WA_COSE_EDDSA:
		if ((eddsa = eddsa_pk_new()) == NULL)
			return (WA_ERR_NOMEM);
		if (eddsa_pk_from_ptr(eddsa, key->raw, key->raw_len) !=
		    FIDO_OK) {
			r = WA_ERR_COSE;
			goto fail;
		}
		pk = eddsa;
		break;
	default:
		return (WA_ERR_ARG);
	}
	if ((fa = fido_assert_new()) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	if (fido_assert_set_count(fa, 1) != FIDO_OK ||
	    fido_assert_set_clientdata_hash(fa, cdh, 32) != FIDO_OK ||
	    fido_assert_set_rp(fa, rp->id) != FIDO_OK ||
	    fido_assert_set_authdata_raw(fa, 0, a->authdata.ptr,
	    a->authdata.len) != FIDO_OK ||
	    fido_assert_set_sig(fa, 0, a->sig.ptr, a->sig.len) != FIDO_OK ||
	    fido_assert_set_up(fa, FIDO_OPT_TRUE) != FIDO_OK ||
	    fido_assert_set_uv(fa, rp->require_uv ? FIDO_OPT_TRUE :
	    FIDO_OPT_OMIT) != FIDO_OK) {
		r = WA_ERR_AUTHDATA;
		goto fail;
	}
	if (fido_assert_verify(fa, 0, key->alg, pk) != FIDO_OK) {
		r = WA_ERR_SIG;
		goto fail;
	}

	r = WA_OK;
fail:
	fido_assert_free(&fa);
	es384_pk_free(&es384);
	eddsa_pk_free(&eddsa);

	return (r);
}

static int
verify_openssl(const struct wa_assert *a, struct wa_cose *key,
    const unsigned char *cdh)
{
	unsigned char	*msg = NULL;
	size_t		 len = a->authdata.len + 32;
	int		 r;

	if ((msg = malloc(len)) == NULL)
		return (WA_ERR_NOMEM);
	memcpy(msg, a->authdata.ptr, a->authdata.len);
	memcpy(msg + a->authdata.len, cdh, 32);
	r = wa_cose_verify(key, msg, len, a->sig.ptr, a->sig.len);
	free(msg);

	return (r);
}

static bool
allowed(const struct wa_assert *a)
{
	if (a->nallowed == 0)
		return (true);
	for (size_t i = 0; i < a->nallowed; i++)
		if (a->allowed[i].len == a->cred_id.len &&
		    memcmp(a->allowed[i].ptr, a->cred_id.ptr,
		    a->cred_id.len) == 0)
			return (true);

	return (false);
}

int
wa_assert_verify(struct wa_assert *a, const struct wa_rp *rp,
    const unsigned char *chal, size_t chal_len)
{
	struct wa_authdata	ad;
	struct wa_cose		key;
	unsigned char		cdh[SHA256_DIGEST_LENGTH];
	int			alg, r;

	if (a == NULL || rp == NULL || chal == NULL || chal_len == 0 ||
	    !a->parsed || !a->has_stored || rp->id == NULL)
		return (WA_ERR_ARG);
	a->alg = 0;
	a->sign_count = 0;
	a->flags = 0;
	/* Step 5. */
	if (!allowed(a))
		return (WA_ERR_NOT_ALLOWED);
	/* Step 6: the user handle names the credential's owner. */
	if (a->has_user_handle) {
		if (a->stored_uh.ptr != NULL &&
		    (a->user_handle.len != a->stored_uh.len ||
		    !wa_ct_eq(a->user_handle.ptr, a->stored_uh.ptr,
		    a->stored_uh.len)))
			return (WA_ERR_USER_HANDLE);
	} else if (a->discoverable)
		return (WA_ERR_USER_HANDLE);
	/* Steps 8-14, on the client data wa_assert_challenge() parsed. */
	if ((r = wa_assert_clientdata(a)) != WA_OK ||
	    (r = wa_clientdata_check(rp, a->cd, WA_CD_GET, chal,
	    chal_len)) != WA_OK)
		return (r);
	/* Steps 15-18: an assertion carries no attested credential. */
	if ((r = wa_authdata_parse(a->authdata.ptr, a->authdata.len,
	    &ad)) != WA_OK)
		return (r);
	if ((ad.flags & WA_FLAG_AT) != 0)
		return (WA_ERR_AUTHDATA);
	if ((r = wa_authdata_check(rp, &ad)) != WA_OK)
		return (r);
	if ((ad.flags & WA_FLAG_UP) == 0)
		return (WA_ERR_UP);
	/* Step 19: backup eligibility never changes. */
	if (!a->any_be && ((ad.flags & WA_FLAG_BE) != 0) != a->stored_be)
		return (WA_ERR_BACKUP);
	/* Steps 20-21. */
	if (a->sig.len == 0)
		return (WA_ERR_SIG);
	if (SHA256(a->cdj.ptr, a->cdj.len, cdh) == NULL)
		return (WA_ERR_NOMEM);
	if ((r = wa_cose_parse(a->stored_key.ptr, a->stored_key.len,
	    &key)) != WA_OK)
		return (r);
	/* libfido2 refuses authData with extensions. */
	if ((ad.flags & WA_FLAG_ED) == 0 && fido_is_fast(key.alg))
		r = verify_fido(a, rp, &key, cdh);
	else
		r = verify_openssl(a, &key, cdh);
	alg = key.alg;
	wa_cose_reset(&key);
	if (r != WA_OK)
		return (r);
	a->alg = alg;
	a->sign_count = ad.sign_count;
	a->flags = ad.flags;
	/* Step 22: a counter that does not increase signals a clone. */
	if ((ad.sign_count != 0 || a->stored_count != 0) &&
	    ad.sign_count <= a->stored_count)
		return (WA_ERR_SIGN_COUNT);

	return (WA_OK);
}

int
wa_assert_alg(const struct wa_assert *a)
{
	return (a->alg);
}

uint32_t
wa_assert_sign_count(const struct wa_assert *a)
{
	return (a->sign_count);
}

uint8_t
wa_assert_flags(const struct wa_assert *a)
{
	return (a->flags);
}
