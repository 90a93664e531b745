/*
 * extern.h: prototypes and types shared between the files of webauthn/.
 * Nothing here is part of the public interface; fuzz targets and unit
 * tests include it to reach the individual parsers.
 */
#ifndef WEBAUTHN_EXTERN_H
#define WEBAUTHN_EXTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "webauthn.h"

#define WA_MAX_ALGS		16

/* An owned byte buffer; wa_buf_reset() wipes and frees it. */
struct wa_buf {
	unsigned char	*ptr;
	size_t		 len;
};

int	 wa_buf_set(struct wa_buf *, const void *, size_t);
void	 wa_buf_reset(struct wa_buf *);

/* Bounded reader over untrusted bytes (OpenBSD CBS). All return 0 or -1. */
struct wa_rd {
	const unsigned char	*p;
	size_t			 n;
};

void	 wa_rd_init(struct wa_rd *, const unsigned char *, size_t);
int	 wa_rd_u8(struct wa_rd *, uint8_t *);
int	 wa_rd_u16be(struct wa_rd *, uint16_t *);
int	 wa_rd_u32be(struct wa_rd *, uint32_t *);
int	 wa_rd_u64be(struct wa_rd *, uint64_t *);
/* Borrows len bytes: *out points into the reader's buffer. */
int	 wa_rd_bytes(struct wa_rd *, const unsigned char **, size_t);
/* Reads a u16be length and that many bytes. */
int	 wa_rd_u16_prefixed(struct wa_rd *, const unsigned char **, size_t *);
int	 wa_rd_skip(struct wa_rd *, size_t);
bool	 wa_rd_empty(const struct wa_rd *);

/* Constant-time comparison: true if equal. */
bool	 wa_ct_eq(const void *, const void *, size_t);

/*
 * Base64.  Both fail on any deviation from the canonical encoding.
 * wa_b64url_decode_buf() allocates: out must be reset by the caller.
 * wa_b64std_decode_buf() takes standard base64 with padding (JWS x5c).
 */
int	 wa_b64url_decode_buf(const char *, size_t, size_t, struct wa_buf *);
int	 wa_b64std_decode_buf(const char *, size_t, size_t, struct wa_buf *);

/*
 * JSON.  wa_json_load() parses at most max bytes, at most
 * WA_MAX_JSON_DEPTH deep, with duplicate keys rejected; WA_ERR_JSON
 * (or err) on failure.  wa_json_b64() decodes the base64url string
 * member key of obj into out; an absent member is WA_ERR_JSON if
 * required, else WA_OK with out empty.
 */
int	 wa_json_load(const char *, size_t, size_t, int, json_t **);
int	 wa_json_b64(const json_t *, const char *, bool, size_t,
	    struct wa_buf *);

/*
 * CBOR.  wa_cbor_check() walks the encoding without allocating: definite
 * lengths only, declared lengths within the input, at most
 * WA_MAX_CBOR_DEPTH levels, no floats, tags or indefinite items; *used
 * is the length of the first item.  wa_cbor_decode() requires the item
 * to fill the whole buffer; wa_cbor_decode_prefix() allows bytes after
 * it.  Both return WA_ERR_CBOR on bad input; the item is freed with
 * cbor_decref().
 */
int	 wa_cbor_check(const unsigned char *, size_t, size_t *);
int	 wa_cbor_decode(const unsigned char *, size_t, cbor_item_t **);
int	 wa_cbor_decode_prefix(const unsigned char *, size_t, cbor_item_t **,
	    size_t *);
/* Map lookups; NULL if absent.  Maps are checked for duplicate keys. */
const cbor_item_t *wa_cbor_map_str(const cbor_item_t *, const char *);
const cbor_item_t *wa_cbor_map_int(const cbor_item_t *, int64_t);
/* True if the map has duplicate keys or keys that are not text/int. */
bool	 wa_cbor_map_bad(const cbor_item_t *);
/* True if every key of the map is in the list (text keys). */
bool	 wa_cbor_map_only(const cbor_item_t *, const char *const *, size_t);
int	 wa_cbor_get_int(const cbor_item_t *, int64_t *);
bool	 wa_cbor_is_str(const cbor_item_t *, const char *);
/* A definite byte string: borrow pointer and length. */
int	 wa_cbor_bytes(const cbor_item_t *, const unsigned char **, size_t *);

/* Relying-party policy; see wa_rp_new() in webauthn.h. */
struct wa_rp {
	char		 *id;
	unsigned char	  id_hash[WA_RPID_HASH_LEN];
	char		**origins;
	size_t		  norigins;
	char		**top_origins;
	size_t		  ntop_origins;
	bool		  cross_origin;
	bool		  require_uv;
	bool		  no_up;
	int		  algs[WA_MAX_ALGS];
	size_t		  nalgs;
	X509_STORE	 *store;
	size_t		  nanchors;
	int		  att_policy;
	int64_t		  time;
	bool		  safetynet_cts;
};

bool	 wa_rp_alg_allowed(const struct wa_rp *, int);
/* The verification time: the configured one or time(NULL). */
int64_t	 wa_rp_now(const struct wa_rp *);

/*
 * clientDataJSON (WebAuthn §7.1 steps 5-11, §7.2 steps 8-14): type,
 * challenge, origin, crossOrigin, topOrigin and tokenBinding.
 */
#define WA_CD_CREATE	"webauthn.create"
#define WA_CD_GET	"webauthn.get"
int	 wa_clientdata_verify(const struct wa_rp *, const unsigned char *,
	    size_t, const char *, const unsigned char *, size_t);
/*
 * The same in two steps: wa_clientdata_load() parses the bytes into a
 * JSON object (the caller's to free), wa_clientdata_check() checks it.
 */
int	 wa_clientdata_load(const unsigned char *, size_t, json_t **);
int	 wa_clientdata_check(const struct wa_rp *, const json_t *,
	    const char *, const unsigned char *, size_t);

/*
 * Authenticator data (WebAuthn §6.1).  Pointers borrow from the parsed
 * buffer.  aaguid, cred_id and pubkey are set only when AT is.
 */
struct wa_authdata {
	const unsigned char	*rp_id_hash;
	uint8_t			 flags;
	uint32_t		 sign_count;
	const unsigned char	*aaguid;
	const unsigned char	*cred_id;
	size_t			 cred_id_len;
	const unsigned char	*pubkey;
	size_t			 pubkey_len;
	const unsigned char	*ext;
	size_t			 ext_len;
};

int	 wa_authdata_parse(const unsigned char *, size_t,
	    struct wa_authdata *);
/* rpIdHash, UP, UV and BE/BS (§7.1 steps 14-17, §7.2 steps 15-18). */
int	 wa_authdata_check(const struct wa_rp *, const struct wa_authdata *);

/*
 * COSE_Key (RFC 9052/9053).  wa_cose_decode() accepts only the supported
 * algorithms with their exact key types and curves; EC points must lie
 * on the curve.  pkey is owned; wa_cose_reset() frees it.
 */
#define WA_COSE_RAW_MAX	(512 + 8)

struct wa_cose {
	int		 alg;
	int		 kty;
	int		 crv;
	EVP_PKEY	*pkey;
	/*
	 * The raw key, for libfido2 and key comparisons: EC2 x||y,
	 * OKP x, RSA n||e (both as encoded).
	 */
	unsigned char	 raw[WA_COSE_RAW_MAX];
	size_t		 raw_len;
	size_t		 n_len;		/* RSA: the modulus's part of raw */
};

/* Decodes and builds pkey. */
int	 wa_cose_decode(const unsigned char *, size_t, struct wa_cose *);
/* Decodes into alg, kty, crv and raw only; pkey stays NULL. */
int	 wa_cose_parse(const unsigned char *, size_t, struct wa_cose *);
/* Builds pkey for a key from wa_cose_parse(). */
int	 wa_cose_build(struct wa_cose *);
/*
 * Verifies sig over msg with k, as wa_sig_verify() does.  An EC2 key
 * without a pkey is not built: its point goes into a key kept by the
 * calling thread for this call.  WA_ERR_COSE for a point off the curve.
 */
int	 wa_cose_verify(struct wa_cose *, const unsigned char *, size_t,
	    const unsigned char *, size_t);
void	 wa_cose_reset(struct wa_cose *);

/*
 * Signatures.  wa_sig_verify() verifies sig over msg with pkey for COSE
 * alg (ECDSA signatures are strict DER, no trailing bytes); the key type
 * must match alg.  Returns WA_OK, WA_ERR_SIG or WA_ERR_UNSUPPORTED_ALG.
 */
int	 wa_sig_verify(EVP_PKEY *, int, const unsigned char *, size_t,
	    const unsigned char *, size_t);
/*
 * True if pkey is of the type alg signs with: the right curve for ECDSA,
 * Ed25519 for EdDSA, RSA of at least 2048 bits for RS256/PS256/RS1.
 */
bool	 wa_sig_key_fits(EVP_PKEY *, int);
/* The digest a COSE alg signs with (SHA-256 for ES256 ...); NULL else. */
const EVP_MD *wa_alg_md(int);

/*
 * X.509.  wa_x509_der() parses one DER certificate with no trailing
 * bytes.  wa_x5c_parse() parses a CBOR array of 1..WA_MAX_X5C DER
 * certificates, leaf first.  wa_chain_verify() verifies the chain against
 * the RP's trust anchors at the RP's time: with no anchors configured it
 * sets *trusted = false and returns WA_OK; otherwise WA_OK with *trusted
 * = true or WA_ERR_TRUST.  The last certificate of the chain may be the
 * root itself or may be omitted.
 */
int	 wa_x509_der(const unsigned char *, size_t, X509 **);
int	 wa_x5c_parse(const cbor_item_t *, STACK_OF(X509) **);
int	 wa_chain_verify(const struct wa_rp *, STACK_OF(X509) *, bool *);
/*
 * id-fido-gen-ce-aaguid (1.3.6.1.4.1.45724.1.1.4): if the certificate
 * has it, it must not be critical and must equal aaguid.  WA_ERR_AAGUID.
 */
int	 wa_x509_check_aaguid(X509 *, const unsigned char *);
/* The value of an extension by dotted OID; NULL if absent. */
const ASN1_OCTET_STRING *wa_x509_ext(X509 *, const char *, int *);
/* Version 3 and basicConstraints CA false (WA_ERR_ATT_CERT). */
int	 wa_x509_check_v3_leaf(X509 *);

/*
 * Attestation statement formats (WebAuthn §8).  Each verifies stmt
 * against the authenticator data and clientDataHash, and sets type and,
 * through wa_chain_verify(), trusted.
 */
struct wa_att {
	const struct wa_rp		*rp;
	const cbor_item_t		*stmt;
	const unsigned char		*authdata;
	size_t				 authdata_len;
	const struct wa_authdata	*ad;
	const unsigned char		*cdh;	/* 32 bytes */
	const struct wa_cose		*key;
	int				 type;	/* OUT */
	bool				 trusted; /* OUT */
};

int	 wa_att_none(struct wa_att *);
int	 wa_att_packed(struct wa_att *);
int	 wa_att_fido_u2f(struct wa_att *);
int	 wa_att_tpm(struct wa_att *);
int	 wa_att_android_key(struct wa_att *);
int	 wa_att_android_safetynet(struct wa_att *);
int	 wa_att_apple(struct wa_att *);

/* authData || clientDataHash, the message most formats sign. */
int	 wa_att_tbs(const struct wa_att *, struct wa_buf *);
/*
 * True if libfido2 verifies this statement (credential key ES256,
 * ES384, RS256 or EdDSA; statement alg ES256, RS256 or RS1; UP set; no
 * extensions).  wa_att_fido_verify() runs fido_cred_verify(), or
 * fido_cred_verify_self() for self attestation: WA_OK or WA_ERR_ATT_SIG,
 * or -1 if libfido2 cannot decode the statement or key (for example a
 * key with a modulus other than 2048 bits): the caller then verifies
 * with OpenSSL.
 */
bool	 wa_att_fido_covers(const struct wa_att *, int);
int	 wa_att_fido_verify(const struct wa_att *, const char *, bool);
/* Reads "alg" (int) and "sig" (bytes) from the statement. */
int	 wa_att_alg_sig(const cbor_item_t *, int64_t *, const unsigned char **,
	    size_t *);

/* Parsed registration and assertion state. */
struct wa_reg {
	struct wa_buf	 cred_id;
	struct wa_buf	 pubkey;
	unsigned char	 aaguid[WA_AAGUID_LEN];
	char		 fmt[32];
	int		 alg;
	uint32_t	 sign_count;
	uint8_t		 flags;
	int		 att_type;
	bool		 trusted;
	unsigned int	 transports;
	int		 rk;
};

struct wa_assert {
	/* From the response. */
	struct wa_buf	 cred_id;
	struct wa_buf	 user_handle;
	bool		 has_user_handle;
	struct wa_buf	 cdj;
	json_t		*cd;		/* cdj parsed, on first use */
	struct wa_buf	 authdata;
	struct wa_buf	 sig;
	bool		 parsed;
	/* From the caller. */
	struct wa_buf	 stored_key;
	uint32_t	 stored_count;
	bool		 stored_be;
	bool		 any_be;
	struct wa_buf	 stored_uh;
	bool		 has_stored;
	struct wa_buf	*allowed;
	size_t		 nallowed;
	bool		 discoverable;
	/* Results. */
	int		 alg;
	uint32_t	 sign_count;
	uint8_t		 flags;
};

/* a->cd: a->cdj parsed, once (wa_clientdata_load()); WA_OK or its error. */
int	 wa_assert_clientdata(struct wa_assert *);

/*
 * The members every PublicKeyCredential JSON has: type "public-key",
 * id equal to rawId, rawId strict base64url of at most WA_MAX_CRED_ID
 * bytes.  *resp is borrowed from root.
 */
int	 wa_resp_common(const json_t *, struct wa_buf *, const json_t **);

#endif /* WEBAUTHN_EXTERN_H */
