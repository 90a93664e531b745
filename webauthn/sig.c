/*
 * sig.c: signature verification for COSE algorithms on OpenSSL 3.
 * ECDSA signatures must be canonical DER with nothing after them.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "extern.h"

const EVP_MD *
wa_alg_md(int alg)
{
	switch (alg) {
	case WA_COSE_ES256:
	case WA_COSE_RS256:
	case WA_COSE_PS256:
		return (EVP_sha256());
	case WA_COSE_ES384:
		return (EVP_sha384());
	case WA_COSE_ES512:
		return (EVP_sha512());
	case WA_COSE_RS1:
		return (EVP_sha1());
	default:
		return (NULL);
	}
}

static const char *
ec_group_for(int alg)
{
	switch (alg) {
	case WA_COSE_ES256:
		return ("prime256v1");
	case WA_COSE_ES384:
		return ("secp384r1");
	case WA_COSE_ES512:
		return ("secp521r1");
	default:
		return (NULL);
	}
}

/* Canonical DER: decoding and re-encoding gives the same bytes. */
static bool
ecdsa_der_ok(const unsigned char *sig, size_t len)
{
	const unsigned char	*p = sig;
	unsigned char		*der = NULL;
	ECDSA_SIG		*s;
	int			 n;
	bool			 ok = false;

	if (len > WA_MAX_SIG || len > INT32_MAX)
		return (false);
	if ((s = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return (false);
	if ((size_t)(p - sig) == len && (n = i2d_ECDSA_SIG(s, &der)) > 0 &&
	    (size_t)n == len && memcmp(der, sig, len) == 0)
		ok = true;
	OPENSSL_free(der);
	ECDSA_SIG_free(s);

	return (ok);
}

bool
wa_sig_key_fits(EVP_PKEY *pkey, int alg)
{
	char	group[32];
	size_t	glen;

	switch (alg) {
	case WA_COSE_ES256:
	case WA_COSE_ES384:
	case WA_COSE_ES512:
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
		    EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    &glen) != 1)
			return (false);
		return (strcmp(group, ec_group_for(alg)) == 0);
	case WA_COSE_EDDSA:
		return (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519);
	case WA_COSE_RS256:
	case WA_COSE_PS256:
	case WA_COSE_RS1:
		return (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA &&
		    EVP_PKEY_get_bits(pkey) >= 2048);
	default:
		return (false);
	}
}

int
wa_sig_verify(EVP_PKEY *pkey, int alg, const unsigned char *msg,
    size_t msg_len, const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX	*ctx = NULL;
	EVP_PKEY_CTX	*pctx = NULL;
	int		 r;

	if (pkey == NULL || msg == NULL || sig == NULL)
		return (WA_ERR_ARG);
	if (alg != WA_COSE_RS1 && !wa_alg_supported(alg))
		return (WA_ERR_UNSUPPORTED_ALG);
	if (!wa_sig_key_fits(pkey, alg) || sig_len == 0 ||
	    sig_len > WA_MAX_SIG) {
		r = WA_ERR_SIG;
		goto fail;
	}
	if (ec_group_for(alg) != NULL && !ecdsa_der_ok(sig, sig_len)) {
		r = WA_ERR_SIG;
		goto fail;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	if (EVP_DigestVerifyInit(ctx, &pctx, wa_alg_md(alg), NULL,
	    pkey) != 1) {
		r = WA_ERR_SIG;
		goto fail;
	}
	if (alg == WA_COSE_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) != 1)) {
		r = WA_ERR_SIG;
		goto fail;
	}
	if (EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) != 1) {
		r = WA_ERR_SIG;
		goto fail;
	}

	r = WA_OK;
fail:
	EVP_MD_CTX_free(ctx);

	return (r);
}
