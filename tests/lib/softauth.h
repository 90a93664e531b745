/*
 * softauth.h: a software WebAuthn authenticator and client, for tests
 * and benchmarks only.
 *
 * It holds OpenSSL keys and produces what a browser hands a relying
 * party: the JSON of PublicKeyCredential.toJSON() (W3C WebAuthn Level 3
 * RegistrationResponseJSON and AuthenticationResponseJSON), with a
 * clientDataJSON as browsers write it, authenticator data and CTAP2
 * canonical CBOR.  Registration supports the "none", "packed" (self),
 * "packed-x5c" (a certificate from a generated attestation CA, meeting
 * WebAuthn §8.2.1) and "fido-u2f" formats.
 *
 * Negative tests use struct sa_hooks to break exactly one rule while
 * everything else, signatures included, stays valid: each hook acts at
 * the point where an authenticator or client would have produced that
 * part, before anything that covers it is signed.
 *
 * Every function may be called concurrently from several threads, as
 * long as no object that one thread modifies is used by another;
 * sa_ca_default() is created once, safely, on first use.
 */
#ifndef SOFTAUTH_H
#define SOFTAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <jansson.h>
#include <openssl/evp.h>

/* The AAGUID softauth reports (fido-u2f reports zeros, as U2F does). */
#define SA_AAGUID	"softauth-aaguid!"
#define SA_AAGUID_LEN	16
/* The longest credential id sa_cred_set_id() takes. */
#define SA_MAX_CRED_ID	4096

struct sa_cred;
struct sa_ca;

/*
 * A credential: a fresh key pair for alg (WA_COSE_ES256, ES384, ES512,
 * EDDSA, RS256 or PS256; RSA keys are 2048 bits) and a random 32-byte
 * credential id.  NULL on failure or for another alg.  sa_cred_free()
 * accepts NULL and NULLs the pointer.
 */
struct sa_cred	*sa_cred_new(int);
void		 sa_cred_free(struct sa_cred **);
/*
 * A credential around an existing key pair for alg, for keys softauth
 * does not generate (RSA-1024 ...); takes its own reference to pkey.
 */
struct sa_cred	*sa_cred_from_pkey(int, EVP_PKEY *);
int		 sa_cred_alg(const struct sa_cred *);
/* Replaces the credential id (1..SA_MAX_CRED_ID bytes): 0 or -1. */
int		 sa_cred_set_id(struct sa_cred *, const unsigned char *,
		    size_t);
const unsigned char *sa_cred_id_ptr(const struct sa_cred *);
size_t		 sa_cred_id_len(const struct sa_cred *);
/* The public key as a CTAP2 canonical COSE_Key. */
const unsigned char *sa_cred_cose_ptr(const struct sa_cred *);
size_t		 sa_cred_cose_len(const struct sa_cred *);
/* The key pair; borrowed until sa_cred_free(). */
EVP_PKEY	*sa_cred_pkey(const struct sa_cred *);
/*
 * Signs msg as the credential's COSE alg does (ECDSA: DER; PS256: PSS,
 * MGF1-SHA-256, 32-byte salt).  OUT: *sig, freed with free(3).  0 or -1.
 */
int		 sa_cred_sign(const struct sa_cred *, const unsigned char *,
		    size_t, unsigned char **, size_t *);

/*
 * An attestation CA: a self-signed P-256 root, unique subject.
 * sa_ca_default() is the process-wide CA that "packed-x5c" and
 * "fido-u2f" use unless hooks name another; it is never freed.
 */
struct sa_ca	*sa_ca_new(void);
void		 sa_ca_free(struct sa_ca **);
const struct sa_ca *sa_ca_default(void);
const unsigned char *sa_ca_der_ptr(const struct sa_ca *);
size_t		 sa_ca_der_len(const struct sa_ca *);

/* basicConstraints of an issued certificate. */
#define SA_BC_LEAF	0	/* CA:FALSE */
#define SA_BC_CA	1	/* CA:TRUE */
#define SA_BC_NONE	2	/* no basicConstraints */

/* An extra extension: dotted OID and the DER of its extnValue. */
struct sa_cert_ext {
	const char		*oid;
	bool			 critical;
	const unsigned char	*der;
	size_t			 der_len;
};

/*
 * What sa_ca_issue() puts in a certificate.  A zeroed struct is a
 * WebAuthn §8.2.1 packed attestation leaf without the AAGUID extension.
 */
struct sa_cert_opts {
	/* "/C=US/O=x/OU=y/CN=z"; "" is an empty subject; NULL the default
	 * "/C=US/O=softauth/OU=Authenticator Attestation/CN=softauth". */
	const char		*subject;
	int			 version;	/* 1 or 3; 0 means 3 */
	int			 bc;		/* SA_BC_* */
	const unsigned char	*aaguid;	/* id-fido-gen-ce-aaguid */
	bool			 aaguid_critical;
	const char		*san_dns;	/* subjectAltName dNSName */
	/* Validity relative to now, in seconds; both 0: -1 day .. +10 y. */
	long			 not_before;
	long			 not_after;
	const struct sa_cert_ext *exts;
	size_t			 nexts;
};

/*
 * Issues a certificate from ca for the public key of key.  OUT: the DER,
 * freed with free(3), and its length; NULL on failure.
 */
unsigned char	*sa_ca_issue(const struct sa_ca *, const struct sa_cred *,
		    const struct sa_cert_opts *, size_t *);

/* What a ceremony is about. */
struct sa_params {
	const char		*rp_id;		/* hashed into rpIdHash */
	const char		*origin;	/* clientDataJSON origin */
	const unsigned char	*challenge;
	size_t			 challenge_len;
	uint8_t			 flags;		/* UP|UV|BE|BS...; AT added
						 * for registration */
	uint32_t		 sign_count;
	/* Registration: "none", "packed", "packed-x5c", "fido-u2f" (for
	 * ES256; other keys get a statement over a zero point); any other
	 * name is written as is, with an empty attStmt for hooks to fill.
	 * NULL is "none". */
	const char		*fmt;
	/* Assertion: the user handle; NULL leaves it out. */
	const unsigned char	*user_handle;
	size_t			 user_handle_len;
};

/*
 * A byte buffer that hooks may rewrite: ptr is malloc'd and owned by
 * softauth; change it with sa_bytes_set() and sa_bytes_append().
 */
struct sa_bytes {
	unsigned char	*ptr;
	size_t		 len;
};

int		 sa_bytes_set(struct sa_bytes *, const void *, size_t);
int		 sa_bytes_append(struct sa_bytes *, const void *, size_t);

/* What an attStmt hook may need to sign. */
struct sa_ctx {
	const struct sa_cred	*cred;
	const unsigned char	*authdata;
	size_t			 authdata_len;
	const unsigned char	*cdh;		/* SHA-256(clientDataJSON) */
	const unsigned char	*cdj;
	size_t			 cdj_len;
};

/* clientDataJSON crossOrigin member. */
#define SA_CROSS_FALSE	0	/* "crossOrigin":false, as browsers send */
#define SA_CROSS_TRUE	1
#define SA_CROSS_ABSENT	2

/*
 * Hooks for negative tests; a zeroed struct (or NULL) changes nothing.
 * Hook functions return 0, or -1 to make the call fail; arg is passed
 * to each.
 */
struct sa_hooks {
	/* clientDataJSON: verbatim text, or changes to the default. */
	const char		*cdj;
	const char		*cd_type;	/* webauthn.create/get */
	const char		*cd_challenge;	/* verbatim member value */
	int			 cross_origin;	/* SA_CROSS_* */
	const char		*top_origin;	/* NULL: absent */
	const char		*cd_extra;	/* raw members, appended */
	bool			 cd_bom;	/* prefix a UTF-8 BOM */

	/* Authenticator data, before it is signed. */
	const unsigned char	*aaguid;	/* SA_AAGUID_LEN bytes */
	const unsigned char	*ad_cred_id;	/* id in authData, not JSON */
	size_t			 ad_cred_id_len;
	const unsigned char	*cose;		/* key in authData */
	size_t			 cose_len;
	const unsigned char	*ext;		/* extensions; sets ED */
	size_t			 ext_len;
	bool			 no_at;		/* registration without AT */
	int			(*authdata)(struct sa_bytes *, void *);

	/* Signatures: who signs (assertion, packed self), then a hook
	 * on the assertion or attStmt signature after signing. */
	const struct sa_cred	*signer;
	int			(*sig)(struct sa_bytes *, void *);

	/* Attestation (packed-x5c, fido-u2f). */
	const struct sa_ca	*ca;		/* NULL: sa_ca_default() */
	int			 leaf_alg;	/* 0: WA_COSE_ES256 */
	const struct sa_cert_opts *leaf;	/* NULL: §8.2.1 leaf with
						 * the AAGUID extension */
	bool			 x5c_with_ca;	/* append the CA to x5c */
	/* The attStmt map: may replace *stmt (decref the old one). */
	int			(*attstmt)(cbor_item_t **,
				    const struct sa_ctx *, void *);
	/* The serialized attestationObject. */
	int			(*attobj)(struct sa_bytes *, void *);

	/* The PublicKeyCredential JSON, before it is serialized. */
	int			(*json)(json_t *, void *);

	void			*arg;
};

/*
 * A RegistrationResponseJSON or AuthenticationResponseJSON for cred and
 * p, as a NUL-terminated string freed with free(3); NULL on failure.
 */
char		*sa_make_registration(const struct sa_cred *,
		    const struct sa_params *);
char		*sa_make_assertion(const struct sa_cred *,
		    const struct sa_params *);
char		*sa_make_registration_ex(const struct sa_cred *,
		    const struct sa_params *, const struct sa_hooks *);
char		*sa_make_assertion_ex(const struct sa_cred *,
		    const struct sa_params *, const struct sa_hooks *);

/*
 * JSON editing, for the unsigned wrapper.  path is dotted
 * ("response.userHandle"); intermediate objects must exist.
 * sa_json_set() steals val (NULL deletes the member).  sa_json_edit()
 * parses json, sets path to val and returns the new text (free(3));
 * it steals val too.  sa_json_set_b64() stores p as base64url.
 * sa_json_get_b64() decodes a base64url member. OUT: *p, free(3).
 */
int		 sa_json_set(json_t *, const char *, json_t *);
int		 sa_json_set_b64(json_t *, const char *,
		    const unsigned char *, size_t);
char		*sa_json_edit(const char *, const char *, json_t *);
char		*sa_json_edit_b64(const char *, const char *,
		    const unsigned char *, size_t);
int		 sa_json_get_b64(const char *, const char *, unsigned char **,
		    size_t *);

/* Base64url without padding; free(3).  NULL on failure. */
char		*sa_b64url(const unsigned char *, size_t);

/*
 * CBOR helpers: an integer in its shortest form, a text key/value map
 * in CTAP2 canonical order (sa_cbor_map_put replaces or adds key and
 * steals val; sa_cbor_map_del removes key; both replace *map), and
 * serialization (OUT: malloc'd bytes).  0 or -1; NULL on failure.
 */
cbor_item_t	*sa_cbor_int(int64_t);
int		 sa_cbor_map_put(cbor_item_t **, const char *, cbor_item_t *);
int		 sa_cbor_map_del(cbor_item_t **, const char *);
int		 sa_cbor_serialize(const cbor_item_t *, unsigned char **,
		    size_t *);

#endif /* SOFTAUTH_H */
