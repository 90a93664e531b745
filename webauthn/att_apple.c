/*
 * att_apple.c: the "apple" anonymous attestation statement format
 * (WebAuthn §8.8).
 *
 * Apple's anonymisation CA issues a fresh certificate (credCert) for
 * every credential.  There is no signature in the statement: credCert
 * certifies the credential key and carries, in extension
 * 1.2.840.113635.100.8.2, the nonce SHA-256(authenticatorData ||
 * clientDataHash) as DER SEQUENCE { [1] EXPLICIT OCTET STRING }.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "extern.h"

#define APPLE_OID_NONCE		"1.2.840.113635.100.8.2"
#define APPLE_NONCE_LEN		32	/* SHA-256 */

/* DER identifier octets. */
#define DER_UNIVERSAL		0x00
#define DER_CONTEXT		0x80
#define DER_OCTET_STRING	0x04
#define DER_SEQUENCE		0x10

/*
 * Reads one DER element that must have the given class, form and
 * low-form tag (< 31): length in its shortest form, no indefinite length,
 * contents within the input.  0 or -1.
 */
static int
der_expect(struct wa_rd *rd, unsigned int cls, bool cons, uint8_t tag,
    struct wa_rd *val)
{
	const unsigned char	*p;
	uint8_t			 b;
	size_t			 len, nlen;

	if (wa_rd_u8(rd, &b) == -1)
		return (-1);
	if ((b & 0xc0) != cls || ((b & 0x20) != 0) != cons ||
	    (b & 0x1f) != tag)
		return (-1);
	if (wa_rd_u8(rd, &b) == -1)
		return (-1);
	if (b < 0x80)
		len = b;
	else {
		nlen = b & 0x7f;
		if (nlen == 0 || nlen > 4)
			return (-1);
		len = 0;
		for (size_t i = 0; i < nlen; i++) {
			if (wa_rd_u8(rd, &b) == -1)
				return (-1);
			if (i == 0 && b == 0)
				return (-1);
			len = (len << 8) | b;
		}
		if (len < 0x80)
			return (-1);
	}
	if (wa_rd_bytes(rd, &p, len) == -1)
		return (-1);
	wa_rd_init(val, p, len);
	return (0);
}

/*
 * The value of the extension oid of x.  Absent or repeated: WA_ERR_ATT_CERT.
 */
static int
ext_value(X509 *x, const char *oid, struct wa_rd *out)
{
	ASN1_OBJECT		*obj = NULL;
	X509_EXTENSION		*ext;
	const ASN1_OCTET_STRING	*os;
	int			 i, len, r;

	if ((obj = OBJ_txt2obj(oid, 1)) == NULL) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	if ((i = X509_get_ext_by_OBJ(x, obj, -1)) < 0 ||
	    X509_get_ext_by_OBJ(x, obj, i) >= 0 ||
	    (ext = X509_get_ext(x, i)) == NULL ||
	    (os = X509_EXTENSION_get_data(ext)) == NULL ||
	    (len = ASN1_STRING_length(os)) < 0) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	wa_rd_init(out, ASN1_STRING_get0_data(os), (size_t)len);

	r = WA_OK;
fail:
	ASN1_OBJECT_free(obj);

	return (r);
}

/* §8.8 steps 2-4: the nonce in credCert is SHA-256(authData || cdh). */
static int
check_nonce(const struct wa_att *att, X509 *cred_cert)
{
	struct wa_buf		 tbs = { NULL, 0 };
	struct wa_rd		 ext, seq, tagged, os;
	const unsigned char	*got;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 md_len;
	int			 r;

	if ((r = ext_value(cred_cert, APPLE_OID_NONCE, &ext)) != WA_OK)
		goto fail;
	if (der_expect(&ext, DER_UNIVERSAL, true, DER_SEQUENCE, &seq) == -1 ||
	    !wa_rd_empty(&ext) ||
	    der_expect(&seq, DER_CONTEXT, true, 1, &tagged) == -1 ||
	    !wa_rd_empty(&seq) ||
	    der_expect(&tagged, DER_UNIVERSAL, false, DER_OCTET_STRING,
	    &os) == -1 ||
	    !wa_rd_empty(&tagged)) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if ((r = wa_att_tbs(att, &tbs)) != WA_OK)
		goto fail;
	if (EVP_Digest(tbs.ptr, tbs.len, md, &md_len, EVP_sha256(),
	    NULL) != 1 || md_len != APPLE_NONCE_LEN) {
		r = WA_ERR_INTERNAL;
		goto fail;
	}
	if (wa_rd_bytes(&os, &got, APPLE_NONCE_LEN) == -1 ||
	    !wa_rd_empty(&os) || !wa_ct_eq(got, md, APPLE_NONCE_LEN)) {
		r = WA_ERR_ATT_NONCE;
		goto fail;
	}

	r = WA_OK;
fail:
	wa_buf_reset(&tbs);

	return (r);
}

int
wa_att_apple(struct wa_att *att)
{
	static const char *const keys[] = { "alg", "x5c" };
	STACK_OF(X509)		*x5c = NULL;
	const cbor_item_t	*item, *alg_item;
	X509			*cred_cert;
	EVP_PKEY		*cert_key;
	int64_t			 alg;
	int			 r;

	/*
	 * The format is { x5c }.  Apple devices of 2020 (iOS 14) also sent
	 * "alg" (-7), which signs nothing here: tolerate an integer there.
	 */
	if (!cbor_isa_map(att->stmt) || wa_cbor_map_bad(att->stmt) ||
	    !wa_cbor_map_only(att->stmt, keys, sizeof(keys) / sizeof(*keys)) ||
	    (item = wa_cbor_map_str(att->stmt, "x5c")) == NULL) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if ((alg_item = wa_cbor_map_str(att->stmt, "alg")) != NULL &&
	    wa_cbor_get_int(alg_item, &alg) == -1) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if ((r = wa_x5c_parse(item, &x5c)) != WA_OK)
		goto fail;
	if ((cred_cert = sk_X509_value(x5c, 0)) == NULL ||
	    (cert_key = X509_get0_pubkey(cred_cert)) == NULL) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if ((r = check_nonce(att, cred_cert)) != WA_OK)
		goto fail;
	/* §8.8 step 5. */
	if (EVP_PKEY_eq(att->key->pkey, cert_key) != 1) {
		r = WA_ERR_ATT_KEY;
		goto fail;
	}
	if ((r = wa_chain_verify(att->rp, x5c, &att->trusted)) != WA_OK)
		goto fail;
	att->type = WA_ATT_ANONCA;

	r = WA_OK;
fail:
	sk_X509_pop_free(x5c, X509_free);

	return (r);
}
