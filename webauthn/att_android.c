/*
 * att_android.c: the "android-key" attestation statement format
 * (WebAuthn §8.4).
 *
 * The authenticator is the Android keystore.  Its attestation certificate
 * certifies the credential key itself and carries a key description
 * extension (1.3.6.1.4.1.11129.2.1.17) saying how the key was made and
 * what it may do.  That extension is DER written by the TEE; we read it
 * with a small bounded TLV reader and interpret only attestationChallenge
 * and the purpose, allApplications and origin tags.
 *
 * Real keystores emit authorization list tags out of order and sometimes
 * repeat a tag (seen in the field; Google's own parser tolerates both), so
 * the lists are read as a bag: every purpose set is merged, every origin
 * must be KM_ORIGIN_GENERATED and any allApplications rejects the key.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "extern.h"

#define AK_OID_KEYDESC		"1.3.6.1.4.1.11129.2.1.17"

/* Keymaster tags and values (hardware/libhardware keymaster_defs.h). */
#define KM_TAG_PURPOSE		1
#define KM_TAG_ALL_APPLICATIONS	600
#define KM_TAG_ORIGIN		702
#define KM_PURPOSE_SIGN		2
#define KM_ORIGIN_GENERATED	0

/* DER identifier octets. */
#define DER_UNIVERSAL		0x00
#define DER_CONTEXT		0x80
#define DER_INTEGER		0x02
#define DER_OCTET_STRING	0x04
#define DER_NULL		0x05
#define DER_ENUMERATED		0x0a
#define DER_SEQUENCE		0x10
#define DER_SET			0x11

/* One DER element; val borrows the contents. */
struct der_tlv {
	unsigned int	 cls;
	bool		 cons;
	uint32_t	 tag;
	struct wa_rd	 val;
};

/* What §8.4 needs from the key description. */
struct keydesc {
	const unsigned char	*chal;
	size_t			 chal_len;
	bool			 all_apps;	/* in either list */
	bool			 tee_generated;	/* an origin seen in TEE list */
	bool			 tee_origin_bad; /* an origin != GENERATED */
	bool			 tee_sign;	/* purpose SIGN in TEE list */
};

/*
 * Reads one DER element: tag and length in their shortest forms, no
 * indefinite length, contents within the input.  0 or -1.
 */
static int
der_next(struct wa_rd *rd, struct der_tlv *t)
{
	const unsigned char	*p;
	uint8_t			 b;
	size_t			 len, nlen;

	if (wa_rd_u8(rd, &b) == -1)
		return (-1);
	t->cls = b & 0xc0;
	t->cons = (b & 0x20) != 0;
	t->tag = b & 0x1f;
	if (t->tag == 0x1f) {
		/* High tag number form: base 128, at most 28 bits. */
		t->tag = 0;
		for (size_t i = 0; ; i++) {
			if (i == 4 || wa_rd_u8(rd, &b) == -1)
				return (-1);
			if (i == 0 && b == 0x80)
				return (-1);
			t->tag = (t->tag << 7) | (b & 0x7f);
			if ((b & 0x80) == 0)
				break;
		}
		if (t->tag < 0x1f)
			return (-1);
	}
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
	wa_rd_init(&t->val, p, len);
	return (0);
}

/* Reads one element that must have the given class, form and tag. */
static int
der_expect(struct wa_rd *rd, unsigned int cls, bool cons, uint32_t tag,
    struct wa_rd *val)
{
	struct der_tlv	 t;

	if (der_next(rd, &t) == -1)
		return (-1);
	if (t.cls != cls || t.cons != cons || t.tag != tag)
		return (-1);
	*val = t.val;
	return (0);
}

/* An INTEGER or ENUMERATED body: minimal two's complement, 1..8 bytes. */
static int
der_int_body(struct wa_rd *val, int64_t *out)
{
	uint64_t	 u;
	uint8_t		 b, first;
	size_t		 len;

	len = val->n;
	if (len == 0 || len > 8)
		return (-1);
	if (wa_rd_u8(val, &first) == -1)
		return (-1);
	if (len > 1) {
		if (wa_rd_u8(val, &b) == -1)
			return (-1);
		if ((first == 0x00 && (b & 0x80) == 0) ||
		    (first == 0xff && (b & 0x80) != 0))
			return (-1);
		u = ((uint64_t)first << 8) | b;
	} else
		u = first;
	while (!wa_rd_empty(val)) {
		if (wa_rd_u8(val, &b) == -1)
			return (-1);
		u = (u << 8) | b;
	}
	/* Sign-extend from len bytes. */
	if ((first & 0x80) != 0 && len < 8)
		u |= UINT64_MAX << (len * 8);
	*out = (u > INT64_MAX) ? -(int64_t)(~u) - 1 : (int64_t)u;
	return (0);
}

static int
der_int(struct wa_rd *rd, uint32_t tag, int64_t *out)
{
	struct wa_rd	 val;

	if (der_expect(rd, DER_UNIVERSAL, false, tag, &val) == -1)
		return (-1);
	return (der_int_body(&val, out));
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

/*
 * AuthorizationList ::= SEQUENCE of [n] EXPLICIT fields.  Every element
 * must be a context-specific constructed tag wrapping exactly one element.
 */
static int
authlist_parse(struct wa_rd *list, bool tee, struct keydesc *kd)
{
	struct der_tlv	 e, inner;
	struct wa_rd	 set;
	int64_t		 v;

	while (!wa_rd_empty(list)) {
		if (der_next(list, &e) == -1 || e.cls != DER_CONTEXT ||
		    !e.cons)
			return (-1);
		switch (e.tag) {
		case KM_TAG_PURPOSE:
			if (der_expect(&e.val, DER_UNIVERSAL, true, DER_SET,
			    &set) == -1)
				return (-1);
			while (!wa_rd_empty(&set)) {
				if (der_int(&set, DER_INTEGER, &v) == -1)
					return (-1);
				if (tee && v == KM_PURPOSE_SIGN)
					kd->tee_sign = true;
			}
			break;
		case KM_TAG_ALL_APPLICATIONS:
			if (der_expect(&e.val, DER_UNIVERSAL, false, DER_NULL,
			    &set) == -1 || !wa_rd_empty(&set))
				return (-1);
			kd->all_apps = true;
			break;
		case KM_TAG_ORIGIN:
			if (der_int(&e.val, DER_INTEGER, &v) == -1)
				return (-1);
			if (tee) {
				if (v == KM_ORIGIN_GENERATED)
					kd->tee_generated = true;
				else
					kd->tee_origin_bad = true;
			}
			break;
		default:
			if (der_next(&e.val, &inner) == -1)
				return (-1);
			break;
		}
		if (!wa_rd_empty(&e.val))
			return (-1);
	}

	return (0);
}

/*
 * KeyDescription ::= SEQUENCE {
 *	attestationVersion INTEGER, attestationSecurityLevel ENUMERATED,
 *	keymasterVersion INTEGER, keymasterSecurityLevel ENUMERATED,
 *	attestationChallenge OCTET STRING, uniqueId OCTET STRING,
 *	softwareEnforced AuthorizationList, teeEnforced AuthorizationList }
 */
static int
keydesc_parse(struct wa_rd *rd, struct keydesc *kd)
{
	struct wa_rd	 seq, val;
	int64_t		 v;

	if (der_expect(rd, DER_UNIVERSAL, true, DER_SEQUENCE, &seq) == -1 ||
	    !wa_rd_empty(rd))
		return (-1);
	if (der_int(&seq, DER_INTEGER, &v) == -1 ||
	    der_int(&seq, DER_ENUMERATED, &v) == -1 ||
	    der_int(&seq, DER_INTEGER, &v) == -1 ||
	    der_int(&seq, DER_ENUMERATED, &v) == -1)
		return (-1);
	if (der_expect(&seq, DER_UNIVERSAL, false, DER_OCTET_STRING,
	    &val) == -1)
		return (-1);
	kd->chal = val.p;
	kd->chal_len = val.n;
	if (der_expect(&seq, DER_UNIVERSAL, false, DER_OCTET_STRING,
	    &val) == -1)
		return (-1);
	if (der_expect(&seq, DER_UNIVERSAL, true, DER_SEQUENCE, &val) == -1 ||
	    authlist_parse(&val, false, kd) == -1)
		return (-1);
	if (der_expect(&seq, DER_UNIVERSAL, true, DER_SEQUENCE, &val) == -1 ||
	    authlist_parse(&val, true, kd) == -1)
		return (-1);
	if (!wa_rd_empty(&seq))
		return (-1);

	return (0);
}

/*
 * §8.4: attestationChallenge is clientDataHash; allApplications is in
 * neither list; origin and purpose come from teeEnforced only, since we
 * accept only keys generated inside the TEE (or StrongBox).
 */
static int
keydesc_check(const struct wa_att *att, X509 *leaf)
{
	struct keydesc	 kd = { 0 };
	struct wa_rd	 rd;
	int		 r;

	if ((r = ext_value(leaf, AK_OID_KEYDESC, &rd)) != WA_OK)
		goto fail;
	if (keydesc_parse(&rd, &kd) == -1) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if (kd.chal_len != WA_RPID_HASH_LEN ||
	    !wa_ct_eq(kd.chal, att->cdh, WA_RPID_HASH_LEN)) {
		r = WA_ERR_ATT_NONCE;
		goto fail;
	}
	if (kd.all_apps || !kd.tee_generated || kd.tee_origin_bad ||
	    !kd.tee_sign) {
		r = WA_ERR_ATT_POLICY;
		goto fail;
	}

	r = WA_OK;
fail:
	return (r);
}

int
wa_att_android_key(struct wa_att *att)
{
	static const char *const keys[] = { "alg", "sig", "x5c" };
	STACK_OF(X509)		*x5c = NULL;
	struct wa_buf		 tbs = { NULL, 0 };
	const cbor_item_t	*item;
	const unsigned char	*sig;
	size_t			 sig_len;
	int64_t			 alg;
	X509			*leaf;
	EVP_PKEY		*leaf_key;
	int			 r;

	if (!cbor_isa_map(att->stmt) || wa_cbor_map_bad(att->stmt) ||
	    !wa_cbor_map_only(att->stmt, keys, sizeof(keys) / sizeof(*keys)) ||
	    (item = wa_cbor_map_str(att->stmt, "x5c")) == NULL) {
		r = WA_ERR_ATTSTMT;
		goto fail;
	}
	if ((r = wa_att_alg_sig(att->stmt, &alg, &sig, &sig_len)) != WA_OK)
		goto fail;
	if ((r = wa_x5c_parse(item, &x5c)) != WA_OK)
		goto fail;
	if ((leaf = sk_X509_value(x5c, 0)) == NULL ||
	    (leaf_key = X509_get0_pubkey(leaf)) == NULL) {
		r = WA_ERR_ATT_CERT;
		goto fail;
	}
	if (alg < INT_MIN || alg > INT_MAX) {
		r = WA_ERR_UNSUPPORTED_ALG;
		goto fail;
	}
	if ((r = wa_att_tbs(att, &tbs)) != WA_OK)
		goto fail;
	r = wa_sig_verify(leaf_key, (int)alg, tbs.ptr, tbs.len, sig, sig_len);
	if (r == WA_ERR_SIG)
		r = WA_ERR_ATT_SIG;
	if (r != WA_OK)
		goto fail;
	if (EVP_PKEY_eq(att->key->pkey, leaf_key) != 1) {
		r = WA_ERR_ATT_KEY;
		goto fail;
	}
	if ((r = keydesc_check(att, leaf)) != WA_OK)
		goto fail;
	if ((r = wa_chain_verify(att->rp, x5c, &att->trusted)) != WA_OK)
		goto fail;
	att->type = WA_ATT_BASIC;

	r = WA_OK;
fail:
	wa_buf_reset(&tbs);
	sk_X509_pop_free(x5c, X509_free);

	return (r);
}
