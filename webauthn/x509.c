/*
 * x509.c: attestation certificates: strict DER parsing, x5c arrays,
 * extensions, and chain verification against the RP's trust anchors at
 * the RP's time.  libfido2 validates no chains; this file does.
 */
#include <string.h>

#include <openssl/x509v3.h>

#include "extern.h"

#define OID_FIDO_AAGUID	"1.3.6.1.4.1.45724.1.1.4"

/*
 * RFC 5280 §4.2: a certificate must not include more than one instance of
 * a particular extension.  An attacker could otherwise show one value to
 * a lookup and another to a verifier.
 */
static bool
dup_extensions(const X509 *x)
{
	int n = X509_get_ext_count(x);

	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (OBJ_cmp(X509_EXTENSION_get_object(
			    X509_get_ext(x, i)), X509_EXTENSION_get_object(
			    X509_get_ext(x, j))) == 0)
				return (true);

	return (false);
}

int
wa_x509_der(const unsigned char *der, size_t len, X509 **out)
{
	const unsigned char *p = der;

	*out = NULL;
	if (der == NULL || len == 0 || len > WA_MAX_CERT)
		return (WA_ERR_ATT_CERT);
	if ((*out = d2i_X509(NULL, &p, (long)len)) == NULL)
		return (WA_ERR_ATT_CERT);
	if ((size_t)(p - der) != len || dup_extensions(*out)) {
		X509_free(*out);
		*out = NULL;
		return (WA_ERR_ATT_CERT);
	}

	return (WA_OK);
}

int
wa_x5c_parse(const cbor_item_t *arr, STACK_OF(X509) **out)
{
	STACK_OF(X509)		*sk = NULL;
	X509			*x = NULL;
	cbor_item_t		**items;
	const unsigned char	*p;
	size_t			 n, len;
	int			 r;

	*out = NULL;
	if (arr == NULL || !cbor_isa_array(arr) ||
	    !cbor_array_is_definite(arr) || (n = cbor_array_size(arr)) == 0 ||
	    n > WA_MAX_X5C)
		return (WA_ERR_ATTSTMT);
	if ((sk = sk_X509_new_null()) == NULL)
		return (WA_ERR_NOMEM);
	items = cbor_array_handle(arr);
	for (size_t i = 0; i < n; i++) {
		if (wa_cbor_bytes(items[i], &p, &len) < 0) {
			r = WA_ERR_ATTSTMT;
			goto fail;
		}
		if ((r = wa_x509_der(p, len, &x)) != WA_OK)
			goto fail;
		if (sk_X509_push(sk, x) == 0) {
			X509_free(x);
			r = WA_ERR_NOMEM;
			goto fail;
		}
	}
	*out = sk;
	sk = NULL;

	r = WA_OK;
fail:
	sk_X509_pop_free(sk, X509_free);

	return (r);
}

const ASN1_OCTET_STRING *
wa_x509_ext(X509 *x, const char *oid, int *critical)
{
	ASN1_OBJECT	*obj;
	X509_EXTENSION	*ext;
	int		 i;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL)
		return (NULL);
	i = X509_get_ext_by_OBJ(x, obj, -1);
	ASN1_OBJECT_free(obj);
	if (i < 0 || (ext = X509_get_ext(x, i)) == NULL)
		return (NULL);
	if (critical != NULL)
		*critical = X509_EXTENSION_get_critical(ext);

	return (X509_EXTENSION_get_data(ext));
}

int
wa_x509_check_aaguid(X509 *x, const unsigned char *aaguid)
{
	const ASN1_OCTET_STRING	*v;
	const unsigned char	*p;
	int			 crit = 0, len;

	if ((v = wa_x509_ext(x, OID_FIDO_AAGUID, &crit)) == NULL)
		return (WA_OK);
	if (crit)
		return (WA_ERR_ATT_CERT);
	/* The value is a DER OCTET STRING of 16 bytes. */
	p = ASN1_STRING_get0_data(v);
	len = ASN1_STRING_length(v);
	if (len != 2 + WA_AAGUID_LEN || p[0] != 0x04 ||
	    p[1] != WA_AAGUID_LEN)
		return (WA_ERR_AAGUID);
	if (aaguid == NULL || !wa_ct_eq(p + 2, aaguid, WA_AAGUID_LEN))
		return (WA_ERR_AAGUID);

	return (WA_OK);
}

int
wa_x509_check_v3_leaf(X509 *x)
{
	BASIC_CONSTRAINTS	*bc;
	int			 crit;
	bool			 ca;

	if (X509_get_version(x) != X509_VERSION_3)
		return (WA_ERR_ATT_CERT);
	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	if (bc == NULL)
		return (crit == -1 ? WA_ERR_ATT_CERT : WA_ERR_ATT_CERT);
	ca = bc->ca != 0;
	BASIC_CONSTRAINTS_free(bc);

	return (ca ? WA_ERR_ATT_CERT : WA_OK);
}

int
wa_chain_verify(const struct wa_rp *rp, STACK_OF(X509) *chain, bool *trusted)
{
	X509_STORE_CTX		*ctx = NULL;
	STACK_OF(X509)		*untrusted = NULL;
	X509_VERIFY_PARAM	*param;
	int			 r;

	*trusted = false;
	if (chain == NULL || sk_X509_num(chain) < 1)
		return (WA_ERR_ARG);
	if (rp->store == NULL || rp->nanchors == 0)
		return (WA_OK);
	if ((untrusted = sk_X509_new_null()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (sk_X509_push(untrusted, sk_X509_value(chain, i)) == 0) {
			r = WA_ERR_NOMEM;
			goto fail;
		}
	if (X509_STORE_CTX_init(ctx, rp->store, sk_X509_value(chain, 0),
	    untrusted) != 1) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, (time_t)wa_rp_now(rp));
	/* An anchor may be an intermediate; the chain may omit the root. */
	if (X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN) !=
	    1) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	if (X509_verify_cert(ctx) != 1) {
		r = WA_ERR_TRUST;
		goto fail;
	}
	*trusted = true;

	r = WA_OK;
fail:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);	/* the certificates belong to chain */

	return (r);
}
