/*
 * att_tpm.c: the "tpm" attestation statement format (WebAuthn §8.3).
 *
 * A TPM certifies the credential key with its Attestation Identity Key:
 * pubArea is the key's TPMT_PUBLIC, certInfo a TPMS_ATTEST of type
 * TPM_ST_ATTEST_CERTIFY whose extraData is the hash of authData ||
 * clientDataHash and whose name is the Name of pubArea, and sig is the
 * AIK's signature over certInfo.  Both TPM structures are parsed with the
 * bounded reader and must be consumed exactly.  Structure references are
 * to the TPM 2.0 Library specification, Part 2 (Structures).
 *
 * libfido2 1.12 verifies one profile of TPM attestation (RS1 statements
 * over ES256 or RS256 keys with SHA-256 names, a 32-byte authPolicy and
 * a 2048-bit RSA or P-256 key); for statements in that profile it runs
 * as a second, independent verifier once every check here has passed.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "extern.h"

/* Part 2, 6.2: TPM_GENERATED_VALUE. */
#define TPM_GENERATED_VALUE	0xff544347U
/* Part 2, 6.9: TPM_ST_ATTEST_CERTIFY. */
#define TPM_ST_ATTEST_CERTIFY	0x8017

/* Part 2, 6.3: TPM_ALG_ID (and the TCG Algorithm Registry). */
#define TPM_ALG_RSA		0x0001
#define TPM_ALG_SHA1		0x0004
#define TPM_ALG_AES		0x0006
#define TPM_ALG_MGF1		0x0007
#define TPM_ALG_SHA256		0x000b
#define TPM_ALG_SHA384		0x000c
#define TPM_ALG_SHA512		0x000d
#define TPM_ALG_NULL		0x0010
#define TPM_ALG_SM4		0x0013
#define TPM_ALG_RSASSA		0x0014
#define TPM_ALG_RSAES		0x0015
#define TPM_ALG_RSAPSS		0x0016
#define TPM_ALG_OAEP		0x0017
#define TPM_ALG_ECDSA		0x0018
#define TPM_ALG_ECDH		0x0019
#define TPM_ALG_ECDAA		0x001a
#define TPM_ALG_SM2		0x001b
#define TPM_ALG_ECSCHNORR	0x001c
#define TPM_ALG_ECMQV		0x001d
#define TPM_ALG_KDF1_SP800_56A	0x0020
#define TPM_ALG_KDF2		0x0021
#define TPM_ALG_KDF1_SP800_108	0x0022
#define TPM_ALG_ECC		0x0023
#define TPM_ALG_CAMELLIA	0x0026
#define TPM_ALG_SHA3_256	0x0027
#define TPM_ALG_SHA3_384	0x0028
#define TPM_ALG_SHA3_512	0x0029

/* Part 2, 6.4: TPM_ECC_CURVE. */
#define TPM_ECC_NIST_P256	0x0003
#define TPM_ECC_NIST_P384	0x0004
#define TPM_ECC_NIST_P521	0x0005

/* Part 2, 8.3: TPMA_OBJECT bits libfido2 insists on. */
#define TPMA_RESERVED		0xfff8f309U
#define TPMA_ST_CLEAR		0x00000004U
#define TPMA_FIXED_TPM		0x00000002U
#define TPMA_FIXED_PARENT	0x00000010U
#define TPMA_SENSITIVE_ORIGIN	0x00000020U
#define TPMA_SIGN_ENCRYPT	0x00040000U

/* A TPM2B_NAME of a SHA-256 Name: nameAlg and digest (Part 2, 10.5.3). */
#define TPM_SHA256_NAME_LEN	(2 + 32)

/* RFC 9053 key types and curves. */
#define COSE_KTY_EC2		2
#define COSE_KTY_RSA		3
#define COSE_CRV_P256		1
#define COSE_CRV_P384		2
#define COSE_CRV_P521		3

/* TCG EK Credential Profile 2.0, 3.2.9, and TCG OIDs. */
#define OID_TPM_MANUFACTURER	"2.23.133.2.1"
#define OID_TPM_MODEL		"2.23.133.2.2"
#define OID_TPM_VERSION		"2.23.133.2.3"
#define OID_TCG_KP_AIK_CERT	"2.23.133.8.3"

/* The parts of a TPMT_PUBLIC (Part 2, 12.2.4) that are checked. */
struct tpm_pub {
	uint16_t		 type;
	uint16_t		 name_alg;
	uint32_t		 attr;
	size_t			 policy_len;
	uint16_t		 sym;
	uint16_t		 scheme;
	uint16_t		 kdf;		/* ECC */
	uint16_t		 key_bits;	/* RSA */
	uint32_t		 exponent;	/* RSA; 0 means 2^16 + 1 */
	uint16_t		 curve;		/* ECC */
	const unsigned char	*n;		/* RSA */
	size_t			 n_len;
	const unsigned char	*x;		/* ECC */
	size_t			 x_len;
	const unsigned char	*y;
	size_t			 y_len;
};

/* The parts of a TPMS_ATTEST (Part 2, 10.12.12) that are checked. */
struct tpm_attest {
	size_t			 signer_len;
	const unsigned char	*extra;
	size_t			 extra_len;
	uint8_t			 safe;
	const unsigned char	*name;
	size_t			 name_len;
	size_t			 qname_len;
};

/* A TPM hash algorithm (TPMI_ALG_HASH); NULL if not supported. */
static const EVP_MD *
tpm_md(uint16_t alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return (EVP_sha1());
	case TPM_ALG_SHA256:
		return (EVP_sha256());
	case TPM_ALG_SHA384:
		return (EVP_sha384());
	case TPM_ALG_SHA512:
		return (EVP_sha512());
	case TPM_ALG_SHA3_256:
		return (EVP_sha3_256());
	case TPM_ALG_SHA3_384:
		return (EVP_sha3_384());
	case TPM_ALG_SHA3_512:
		return (EVP_sha3_512());
	default:
		return (NULL);
	}
}

/* TPMT_SYM_DEF_OBJECT (Part 2, 11.1.7): a block cipher or NULL. */
static int
tpm_rd_sym(struct wa_rd *rd, uint16_t *alg)
{
	uint16_t bits, mode;

	if (wa_rd_u16be(rd, alg) < 0)
		return (-1);
	switch (*alg) {
	case TPM_ALG_NULL:
		return (0);
	case TPM_ALG_AES:
	case TPM_ALG_SM4:
	case TPM_ALG_CAMELLIA:
		return (wa_rd_u16be(rd, &bits) < 0 ||
		    wa_rd_u16be(rd, &mode) < 0 ? -1 : 0);
	default:
		return (-1);
	}
}

/*
 * TPMT_RSA_SCHEME and TPMT_ECC_SCHEME (Part 2, 11.2.4.2 and 11.2.5.6):
 * the scheme selects the details that follow it in TPMU_ASYM_SCHEME.
 */
static int
tpm_rd_scheme(struct wa_rd *rd, uint16_t type, uint16_t *scheme)
{
	uint16_t hash, count;

	if (wa_rd_u16be(rd, scheme) < 0)
		return (-1);
	if (*scheme == TPM_ALG_NULL)
		return (0);
	if (type == TPM_ALG_RSA) {
		switch (*scheme) {
		case TPM_ALG_RSAES:
			return (0);
		case TPM_ALG_RSASSA:
		case TPM_ALG_RSAPSS:
		case TPM_ALG_OAEP:
			return (wa_rd_u16be(rd, &hash));
		default:
			return (-1);
		}
	}
	switch (*scheme) {
	case TPM_ALG_ECDSA:
	case TPM_ALG_ECDH:
	case TPM_ALG_SM2:
	case TPM_ALG_ECSCHNORR:
	case TPM_ALG_ECMQV:
		return (wa_rd_u16be(rd, &hash));
	case TPM_ALG_ECDAA:
		return (wa_rd_u16be(rd, &hash) < 0 ||
		    wa_rd_u16be(rd, &count) < 0 ? -1 : 0);
	default:
		return (-1);
	}
}

/* TPMT_KDF_SCHEME (Part 2, 11.2.3.3). */
static int
tpm_rd_kdf(struct wa_rd *rd, uint16_t *kdf)
{
	uint16_t hash;

	if (wa_rd_u16be(rd, kdf) < 0)
		return (-1);
	switch (*kdf) {
	case TPM_ALG_NULL:
		return (0);
	case TPM_ALG_MGF1:
	case TPM_ALG_KDF1_SP800_56A:
	case TPM_ALG_KDF2:
	case TPM_ALG_KDF1_SP800_108:
		return (wa_rd_u16be(rd, &hash));
	default:
		return (-1);
	}
}

/* TPMT_PUBLIC (Part 2, 12.2.4) of an RSA or ECC key. */
static int
tpm_pub_parse(const unsigned char *p, size_t n, struct tpm_pub *pub)
{
	struct wa_rd		 rd;
	const unsigned char	*policy;

	memset(pub, 0, sizeof(*pub));
	wa_rd_init(&rd, p, n);
	if (wa_rd_u16be(&rd, &pub->type) < 0 ||
	    wa_rd_u16be(&rd, &pub->name_alg) < 0 ||
	    wa_rd_u32be(&rd, &pub->attr) < 0 ||
	    wa_rd_u16_prefixed(&rd, &policy, &pub->policy_len) < 0 ||
	    tpm_rd_sym(&rd, &pub->sym) < 0 ||
	    tpm_rd_scheme(&rd, pub->type, &pub->scheme) < 0)
		return (WA_ERR_ATTSTMT);
	switch (pub->type) {
	case TPM_ALG_RSA:
		/* TPMS_RSA_PARMS, then TPM2B_PUBLIC_KEY_RSA. */
		if (wa_rd_u16be(&rd, &pub->key_bits) < 0 ||
		    wa_rd_u32be(&rd, &pub->exponent) < 0 ||
		    wa_rd_u16_prefixed(&rd, &pub->n, &pub->n_len) < 0)
			return (WA_ERR_ATTSTMT);
		if (pub->key_bits == 0 || pub->key_bits % 8 != 0 ||
		    pub->n_len != pub->key_bits / 8U)
			return (WA_ERR_ATTSTMT);
		break;
	case TPM_ALG_ECC:
		/* TPMS_ECC_PARMS, then TPMS_ECC_POINT. */
		if (wa_rd_u16be(&rd, &pub->curve) < 0 ||
		    tpm_rd_kdf(&rd, &pub->kdf) < 0 ||
		    wa_rd_u16_prefixed(&rd, &pub->x, &pub->x_len) < 0 ||
		    wa_rd_u16_prefixed(&rd, &pub->y, &pub->y_len) < 0)
			return (WA_ERR_ATTSTMT);
		break;
	default:
		return (WA_ERR_ATTSTMT);
	}
	if (!wa_rd_empty(&rd))
		return (WA_ERR_ATTSTMT);

	return (WA_OK);
}

/*
 * A coordinate from pubArea against the credential's, which is exactly
 * len bytes: equal as numbers, so leading zero octets may be omitted.
 */
static bool
tpm_coord_eq(const unsigned char *tpm, size_t tpm_len,
    const unsigned char *cose, size_t len)
{
	struct wa_rd		 rd;
	const unsigned char	*pad, *rest;

	if (tpm_len == 0 || tpm_len > len)
		return (false);
	wa_rd_init(&rd, cose, len);
	if (wa_rd_bytes(&rd, &pad, len - tpm_len) < 0 ||
	    wa_rd_bytes(&rd, &rest, tpm_len) < 0)
		return (false);
	for (size_t i = 0; i < len - tpm_len; i++)
		if (pad[i] != 0)
			return (false);

	return (wa_ct_eq(rest, tpm, tpm_len));
}

/* RSA: modulus and exponent of pubArea equal the credential key's. */
static int
tpm_rsa_eq(const struct tpm_pub *pub, const struct wa_cose *key)
{
	BIGNUM	*kn = NULL, *ke = NULL, *tn = NULL, *te = NULL;
	int	 r;

	if (key->kty != COSE_KTY_RSA || key->pkey == NULL) {
		r = WA_ERR_ATT_KEY;
		goto fail;
	}
	if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N,
	    &kn) != 1 ||
	    EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_E,
	    &ke) != 1) {
		r = WA_ERR_INTERNAL;
		goto fail;
	}
	if ((tn = BN_bin2bn(pub->n, (int)pub->n_len, NULL)) == NULL ||
	    (te = BN_new()) == NULL ||
	    BN_set_word(te, pub->exponent == 0 ? 65537 : pub->exponent) != 1) {
		r = WA_ERR_NOMEM;
		goto fail;
	}
	if (BN_cmp(kn, tn) != 0 || BN_cmp(ke, te) != 0) {
		r = WA_ERR_ATT_KEY;
		goto fail;
	}

	r = WA_OK;
fail:
	BN_free(kn);
	BN_free(ke);
	BN_free(tn);
	BN_free(te);

	return (r);
}

/* ECC: curve and point of pubArea equal the credential key's. */
static int
tpm_ecc_eq(const struct tpm_pub *pub, const struct wa_cose *key)
{
	struct wa_rd		 rd;
	const unsigned char	*kx, *ky;
	size_t			 len;
	int			 crv;

	switch (pub->curve) {
	case TPM_ECC_NIST_P256:
		crv = COSE_CRV_P256;
		len = 32;
		break;
	case TPM_ECC_NIST_P384:
		crv = COSE_CRV_P384;
		len = 48;
		break;
	case TPM_ECC_NIST_P521:
		crv = COSE_CRV_P521;
		len = 66;
		break;
	default:
		return (WA_ERR_ATT_KEY);
	}
	if (key->kty != COSE_KTY_EC2 || key->crv != crv ||
	    key->raw_len != 2 * len)
		return (WA_ERR_ATT_KEY);
	wa_rd_init(&rd, key->raw, key->raw_len);
	if (wa_rd_bytes(&rd, &kx, len) < 0 || wa_rd_bytes(&rd, &ky, len) < 0)
		return (WA_ERR_INTERNAL);
	if (!tpm_coord_eq(pub->x, pub->x_len, kx, len) ||
	    !tpm_coord_eq(pub->y, pub->y_len, ky, len))
		return (WA_ERR_ATT_KEY);

	return (WA_OK);
}

/* TPMS_ATTEST (Part 2, 10.12.12) carrying a TPMS_CERTIFY_INFO. */
static int
tpm_attest_parse(const unsigned char *p, size_t n, struct tpm_attest *at)
{
	struct wa_rd		 rd;
	const unsigned char	*signer, *qname;
	uint32_t		 magic, u32;
	uint64_t		 u64;
	uint16_t		 type;

	memset(at, 0, sizeof(*at));
	wa_rd_init(&rd, p, n);
	if (wa_rd_u32be(&rd, &magic) < 0 || wa_rd_u16be(&rd, &type) < 0)
		return (WA_ERR_ATTSTMT);
	if (magic != TPM_GENERATED_VALUE || type != TPM_ST_ATTEST_CERTIFY)
		return (WA_ERR_ATTSTMT);
	/*
	 * qualifiedSigner and extraData, then TPMS_CLOCK_INFO (Part 2,
	 * 10.11.1): clock, resetCount, restartCount, safe.
	 */
	if (wa_rd_u16_prefixed(&rd, &signer, &at->signer_len) < 0 ||
	    wa_rd_u16_prefixed(&rd, &at->extra, &at->extra_len) < 0 ||
	    wa_rd_u64be(&rd, &u64) < 0 ||
	    wa_rd_u32be(&rd, &u32) < 0 ||
	    wa_rd_u32be(&rd, &u32) < 0 ||
	    wa_rd_u8(&rd, &at->safe) < 0)
		return (WA_ERR_ATTSTMT);
	/* firmwareVersion, then TPMS_CERTIFY_INFO: name, qualifiedName. */
	if (wa_rd_u64be(&rd, &u64) < 0 ||
	    wa_rd_u16_prefixed(&rd, &at->name, &at->name_len) < 0 ||
	    wa_rd_u16_prefixed(&rd, &qname, &at->qname_len) < 0 ||
	    !wa_rd_empty(&rd))
		return (WA_ERR_ATTSTMT);

	return (WA_OK);
}

/*
 * WebAuthn §8.3 "Validate that certInfo is valid": extraData is the hash
 * of attToSign with the hash of alg, and name is the Name of pubArea
 * (Part 1, 16: nameAlg || H_nameAlg(pubArea)).
 */
static int
tpm_attest_check(const struct wa_att *att, const EVP_MD *md,
    const struct tpm_attest *at, const struct tpm_pub *pub,
    const unsigned char *pubarea, size_t pubarea_len)
{
	struct wa_buf		 tbs = { NULL, 0 };
	struct wa_rd		 rd;
	const EVP_MD		*name_md;
	const unsigned char	*digest;
	unsigned char		 h[EVP_MAX_MD_SIZE];
	unsigned int		 hlen;
	uint16_t		 name_alg;
	int			 r;

	if ((r = wa_att_tbs(att, &tbs)) != WA_OK)
		goto fail;
	if (EVP_Digest(tbs.ptr, tbs.len, h, &hlen, md, NULL) != 1) {
		r = WA_ERR_INTERNAL;
		goto fail;
	}
	if (at->extra_len != hlen || !wa_ct_eq(at->extra, h, hlen)) {
		r = WA_ERR_ATT_NONCE;
		goto fail;
	}
	if ((name_md = tpm_md(pub->name_alg)) == NULL) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if (EVP_Digest(pubarea, pubarea_len, h, &hlen, name_md, NULL) != 1) {
		r = WA_ERR_INTERNAL;
		goto fail;
	}
	wa_rd_init(&rd, at->name, at->name_len);
	if (wa_rd_u16be(&rd, &name_alg) < 0 ||
	    wa_rd_bytes(&rd, &digest, hlen) < 0 || !wa_rd_empty(&rd) ||
	    name_alg != pub->name_alg || !wa_ct_eq(digest, h, hlen)) {
		r = WA_ERR_ATT_KEY;
		goto fail;
	}

	r = WA_OK;
fail:
	wa_buf_reset(&tbs);

	return (r);
}

/* True if obj is the dotted OID. */
static bool
tpm_obj_is(const ASN1_OBJECT *obj, const char *oid)
{
	char	buf[64];
	int	n;

	n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);

	return (n > 0 && (size_t)n < sizeof(buf) && strcmp(buf, oid) == 0);
}

/*
 * A directoryName with TPM manufacturer, model and version, each once
 * and non-empty.  Real TPMs put them in one multi-valued RDN or in three
 * RDNs; X509_NAME flattens both, so both are accepted.
 */
static bool
tpm_dirname_ok(const X509_NAME *nm)
{
	static const char *const oids[] = {
		OID_TPM_MANUFACTURER, OID_TPM_MODEL, OID_TPM_VERSION
	};
	size_t	seen[3] = { 0, 0, 0 };
	int	n;

	n = X509_NAME_entry_count(nm);
	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY	*e = X509_NAME_get_entry(nm, i);
		const ASN1_OBJECT	*obj;
		const ASN1_STRING	*val;

		if (e == NULL)
			return (false);
		obj = X509_NAME_ENTRY_get_object(e);
		val = X509_NAME_ENTRY_get_data(e);
		for (size_t k = 0; k < 3; k++) {
			if (!tpm_obj_is(obj, oids[k]))
				continue;
			if (val == NULL || ASN1_STRING_length(val) <= 0)
				return (false);
			seen[k]++;
		}
	}

	return (seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
}

/*
 * WebAuthn §8.3.1 beyond version 3 and CA false: empty subject, the TPM
 * SAN and the AIK EKU.  Extensions are decoded one by one: some AIK
 * certificates in the field carry an authorityKeyIdentifier OpenSSL
 * cannot decode, which poisons X509_get_extension_flags() but is
 * irrelevant here.
 */
static int
tpm_aik_check(X509 *aik)
{
	EXTENDED_KEY_USAGE	*eku = NULL;
	GENERAL_NAMES		*san = NULL;
	bool			 ok;
	int			 crit, r;

	if (X509_NAME_entry_count(X509_get_subject_name(aik)) != 0) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}

	/*
	 * The SAN should be critical, the subject being empty (RFC 5280
	 * 4.2.1.6); §8.3.1 does not ask for it and it is not enforced.
	 */
	if ((san = X509_get_ext_d2i(aik, NID_subject_alt_name, &crit,
	    NULL)) == NULL) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	ok = false;
	for (int i = 0; i < sk_GENERAL_NAME_num(san) && !ok; i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);

		if (gn != NULL && gn->type == GEN_DIRNAME)
			ok = tpm_dirname_ok(gn->d.directoryName);
	}
	if (!ok) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}

	if ((eku = X509_get_ext_d2i(aik, NID_ext_key_usage, &crit,
	    NULL)) == NULL) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	ok = false;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku) && !ok; i++)
		ok = tpm_obj_is(sk_ASN1_OBJECT_value(eku, i),
		    OID_TCG_KP_AIK_CERT);
	if (!ok) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}

	r = WA_OK;
fail:
	EXTENDED_KEY_USAGE_free(eku);
	GENERAL_NAMES_free(san);

	return (r);
}

/*
 * True if libfido2 1.12 verifies the statement: beyond what
 * wa_att_fido_covers() asks, its src/tpm.c takes only RS1 over ES256 or
 * RS256 keys in one fixed layout, with the clock marked safe.  Outside
 * that profile it fails for reasons the specification does not have,
 * such as a TPM whose clock was not shut down cleanly.
 */
static bool
tpm_fido2_covers(const struct wa_att *att, int alg, const struct tpm_pub *pub,
    const struct tpm_attest *at)
{
	uint32_t need = TPMA_FIXED_TPM | TPMA_FIXED_PARENT |
	    TPMA_SENSITIVE_ORIGIN | TPMA_SIGN_ENCRYPT;

	if (alg != WA_COSE_RS1 || !wa_att_fido_covers(att, alg) ||
	    pub->name_alg != TPM_ALG_SHA256 || pub->policy_len != 32 ||
	    pub->sym != TPM_ALG_NULL || pub->scheme != TPM_ALG_NULL ||
	    (pub->attr & (TPMA_RESERVED | TPMA_ST_CLEAR)) != 0 ||
	    (pub->attr & need) != need ||
	    at->signer_len != TPM_SHA256_NAME_LEN ||
	    at->qname_len != TPM_SHA256_NAME_LEN || at->safe != 1)
		return (false);
	switch (att->key->alg) {
	case WA_COSE_RS256:
		return (pub->type == TPM_ALG_RSA && pub->key_bits == 2048 &&
		    pub->exponent == 0);
	case WA_COSE_ES256:
		return (pub->type == TPM_ALG_ECC &&
		    pub->curve == TPM_ECC_NIST_P256 &&
		    pub->kdf == TPM_ALG_NULL && pub->x_len == 32 &&
		    pub->y_len == 32);
	default:
		return (false);
	}
}

/* WebAuthn §8.3, verification procedure. */
int
wa_att_tpm(struct wa_att *att)
{
	static const char *const keys[] = {
		"ver", "alg", "x5c", "sig", "certInfo", "pubArea"
	};
	STACK_OF(X509)		*chain = NULL;
	X509			*aik;
	EVP_PKEY		*aik_key;
	const EVP_MD		*md;
	const cbor_item_t	*item;
	const unsigned char	*sig, *certinfo, *pubarea;
	size_t			 sig_len, certinfo_len, pubarea_len;
	struct tpm_pub		 pub;
	struct tpm_attest	 at;
	int64_t			 alg64;
	int			 alg, r;

	/* ecdaaKeyId and any other key are unsupported or malformed. */
	if (wa_cbor_map_bad(att->stmt) ||
	    !wa_cbor_map_only(att->stmt, keys, sizeof(keys) / sizeof(*keys)) ||
	    !wa_cbor_is_str(wa_cbor_map_str(att->stmt, "ver"), "2.0")) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if ((r = wa_att_alg_sig(att->stmt, &alg64, &sig, &sig_len)) != WA_OK)
		goto fail;
	if (alg64 < INT_MIN || alg64 > INT_MAX) {
		r = WA_ERR_UNSUPPORTED_ALG;
		goto fail;
	}
	alg = (int)alg64;
	/* extraData hashes with alg's digest: SHA-1 for RS1. */
	if ((md = wa_alg_md(alg)) == NULL) {
		r = WA_ERR_UNSUPPORTED_ALG;
		goto fail;
	}
	if (wa_cbor_bytes(wa_cbor_map_str(att->stmt, "certInfo"), &certinfo,
	    &certinfo_len) < 0 ||
	    wa_cbor_bytes(wa_cbor_map_str(att->stmt, "pubArea"), &pubarea,
	    &pubarea_len) < 0 ||
	    (item = wa_cbor_map_str(att->stmt, "x5c")) == NULL) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}

	/* The key in pubArea is the credential public key. */
	if ((r = tpm_pub_parse(pubarea, pubarea_len, &pub)) != WA_OK)
		goto fail;
	if (pub.type == TPM_ALG_RSA)
		r = tpm_rsa_eq(&pub, att->key);
	else
		r = tpm_ecc_eq(&pub, att->key);
	if (r != WA_OK)
		goto fail;

	/* certInfo certifies pubArea for this authData and clientData. */
	if ((r = tpm_attest_parse(certinfo, certinfo_len, &at)) != WA_OK ||
	    (r = tpm_attest_check(att, md, &at, &pub, pubarea,
	    pubarea_len)) != WA_OK)
		goto fail;

	/* The AIK signed certInfo and its certificate is an AIK's. */
	if ((r = wa_x5c_parse(item, &chain)) != WA_OK)
		goto fail;
	if ((aik = sk_X509_value(chain, 0)) == NULL ||
	    (aik_key = X509_get0_pubkey(aik)) == NULL) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if ((r = wa_sig_verify(aik_key, alg, certinfo, certinfo_len, sig,
	    sig_len)) != WA_OK) {
		if (r == WA_ERR_SIG)
			r = WA_ERR_ATT_SIG;
		goto fail;
	}
	if ((r = wa_x509_check_v3_leaf(aik)) != WA_OK ||
	    (r = tpm_aik_check(aik)) != WA_OK ||
	    (r = wa_x509_check_aaguid(aik, att->ad->aaguid)) != WA_OK)
		goto fail;

	/* A second, independent verifier where libfido2 has one. */
	if (tpm_fido2_covers(att, alg, &pub, &at) &&
	    (r = wa_att_fido_verify(att, "tpm", false)) != WA_OK &&
	    r != -1)	/* -1: a layout libfido2 does not decode */
		goto fail;

	if ((r = wa_chain_verify(att->rp, chain, &att->trusted)) != WA_OK)
		goto fail;
	att->type = WA_ATT_ATTCA;

	r = WA_OK;
fail:
	sk_X509_pop_free(chain, X509_free);

	return (r);
}
