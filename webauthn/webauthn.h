/*
 * webauthn.h: the relying-party side of W3C WebAuthn Level 3.
 *
 * The library answers one question: is this registration or assertion,
 * exactly as a browser's PublicKeyCredential.toJSON() produced it,
 * genuine for this relying party and this challenge?  It parses and
 * verifies untrusted bytes only; it knows nothing of HTTP or storage.
 *
 * Usage, registration (WebAuthn §7.1):
 *
 *	struct wa_rp *rp = wa_rp_new();
 *	wa_rp_set_id(rp, "example.com");
 *	wa_rp_add_origin(rp, "https://example.com");
 *	struct wa_reg *reg = wa_reg_new();
 *	if (wa_reg_verify(reg, rp, chal, chal_len, json, json_len) == WA_OK)
 *		store wa_reg_cred_id_ptr(reg), wa_reg_pubkey_ptr(reg), ...
 *	wa_reg_free(&reg);
 *
 * Usage, authentication (WebAuthn §7.2): wa_assert_parse() first, to learn
 * the credential id and user handle; look the credential up; hand the
 * stored record to wa_assert_set_stored(); then wa_assert_verify().
 *
 * A struct wa_rp is immutable while verifications use it and may be
 * shared between threads.  Result objects belong to one thread.
 */
#ifndef WEBAUTHN_H
#define WEBAUTHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes.  wa_errname() gives the stable snake_case name. */
#define WA_OK			 0
#define WA_ERR_ARG		 1	/* caller error */
#define WA_ERR_NOMEM		 2
#define WA_ERR_INTERNAL		 3
#define WA_ERR_TOO_LARGE	 4	/* an input exceeds its cap */
#define WA_ERR_JSON		 5	/* response JSON malformed */
#define WA_ERR_B64		 6	/* not strict base64url */
#define WA_ERR_CRED_TYPE	 7	/* type is not "public-key" */
#define WA_ERR_CRED_ID		 8	/* id/rawId/authData differ, too long */
#define WA_ERR_CLIENTDATA	 9	/* clientDataJSON malformed */
#define WA_ERR_TYPE		10	/* C.type */
#define WA_ERR_CHALLENGE	11	/* C.challenge */
#define WA_ERR_ORIGIN		12	/* C.origin */
#define WA_ERR_CROSS_ORIGIN	13	/* C.crossOrigin */
#define WA_ERR_TOP_ORIGIN	14	/* C.topOrigin */
#define WA_ERR_TOKEN_BINDING	15	/* C.tokenBinding */
#define WA_ERR_CBOR		16	/* attestationObject not strict CBOR */
#define WA_ERR_AUTHDATA		17	/* authenticatorData malformed */
#define WA_ERR_RPID		18	/* rpIdHash */
#define WA_ERR_UP		19	/* UP flag clear */
#define WA_ERR_UV		20	/* UV flag clear, UV required */
#define WA_ERR_BACKUP		21	/* BS without BE, or BE changed */
#define WA_ERR_UNSUPPORTED_ALG	22	/* COSE alg not implemented */
#define WA_ERR_ALG_NOT_ALLOWED	23	/* alg not in the RP's list */
#define WA_ERR_COSE		24	/* COSE key malformed or off-curve */
#define WA_ERR_FMT		25	/* unknown attestation format */
#define WA_ERR_ATTSTMT		26	/* attStmt malformed */
#define WA_ERR_ATT_SIG		27	/* attestation signature invalid */
#define WA_ERR_ATT_CERT		28	/* attestation cert requirements */
#define WA_ERR_AAGUID		29	/* cert AAGUID extension mismatch */
#define WA_ERR_ATT_KEY		30	/* attested key != credential key */
#define WA_ERR_ATT_NONCE	31	/* nonce/challenge/extraData mismatch */
#define WA_ERR_ATT_POLICY	32	/* e.g. android allApplications, CTS */
#define WA_ERR_ATT_TIME		33	/* SafetyNet timestamp out of window */
#define WA_ERR_TRUST		34	/* chain fails against trust anchors */
#define WA_ERR_SIG		35	/* assertion signature invalid */
#define WA_ERR_SIGN_COUNT	36	/* counter did not increase: clone */
#define WA_ERR_USER_HANDLE	37	/* userHandle is not the user's */
#define WA_ERR_NOT_ALLOWED	38	/* credential not in allowCredentials */
#define WA_ERR_ATTESTATION_REQUIRED 39 /* policy requires a trusted chain */
#define WA_ERR_MAX		40

/* Caps on untrusted input (bytes unless said otherwise). */
#define WA_MAX_RESPONSE_JSON	(256 * 1024)
#define WA_MAX_CLIENTDATA	(16 * 1024)
#define WA_MAX_ATTOBJ		(128 * 1024)
#define WA_MAX_AUTHDATA		(16 * 1024)
#define WA_MAX_CRED_ID		1023
#define WA_MAX_USER_HANDLE	64
#define WA_MAX_SIG		(8 * 1024)	/* ML-DSA fits: refused later */
#define WA_MAX_COSE_KEY		(4 * 1024)
#define WA_MAX_X5C		8	/* certificates */
#define WA_MAX_CERT		(8 * 1024)
#define WA_MAX_CBOR_DEPTH	16
#define WA_MAX_JSON_DEPTH	16
#define WA_MAX_ORIGIN		1024
#define WA_MAX_CHALLENGE	256
#define WA_MIN_CHALLENGE	16

#define WA_RPID_HASH_LEN	32
#define WA_AAGUID_LEN		16

/* Authenticator data flags (WebAuthn §6.1). */
#define WA_FLAG_UP		0x01
#define WA_FLAG_UV		0x04
#define WA_FLAG_BE		0x08
#define WA_FLAG_BS		0x10
#define WA_FLAG_AT		0x40
#define WA_FLAG_ED		0x80

/* COSE algorithms (IANA). */
#define WA_COSE_ES256		-7
#define WA_COSE_EDDSA		-8
#define WA_COSE_ES384		-35
#define WA_COSE_ES512		-36
#define WA_COSE_PS256		-37
#define WA_COSE_RS256		-257
#define WA_COSE_RS1		-65535	/* TPM attestation signatures only */

/* Attestation types (WebAuthn §6.5.4). */
#define WA_ATT_NONE		0
#define WA_ATT_SELF		1
#define WA_ATT_BASIC		2
#define WA_ATT_ATTCA		3
#define WA_ATT_ANONCA		4

/* Attestation policy. */
#define WA_ATT_POLICY_ANY	0	/* verify; report trusted or not */
#define WA_ATT_POLICY_TRUSTED	1	/* require a chain to an anchor */

/* Transports, as a bit mask. */
#define WA_TRANSPORT_USB	0x01
#define WA_TRANSPORT_NFC	0x02
#define WA_TRANSPORT_BLE	0x04
#define WA_TRANSPORT_INTERNAL	0x08
#define WA_TRANSPORT_HYBRID	0x10
#define WA_TRANSPORT_SMART_CARD	0x20

struct wa_rp;
struct wa_reg;
struct wa_assert;

/*
 * Errors.  wa_errname() returns a stable snake_case code such as
 * "unsupported_algorithm"; wa_strerr() a sentence naming the spec step.
 * Both return static strings.
 */
const char	*wa_errname(int);
const char	*wa_strerr(int);

/* COSE algorithm names ("ES256"); NULL for an unknown alg. */
const char	*wa_alg_name(int);
/* True if alg is a credential key algorithm this library verifies. */
bool		 wa_alg_supported(int);

/*
 * Relying-party policy.  wa_rp_new() returns a policy with no RP ID and
 * no origins (both must be set), UP required, UV not required, every
 * supported algorithm allowed, cross-origin refused, no trust anchors,
 * WA_ATT_POLICY_ANY, SafetyNet CTS enforced and the clock at "now".
 * Setters copy their arguments and return WA_OK or an error.
 */
struct wa_rp	*wa_rp_new(void);
void		 wa_rp_free(struct wa_rp **);
int		 wa_rp_set_id(struct wa_rp *, const char *);
/* An exact origin: "https://host[:port]" or "android:apk-key-hash:..". */
int		 wa_rp_add_origin(struct wa_rp *, const char *);
int		 wa_rp_set_allow_cross_origin(struct wa_rp *, bool);
int		 wa_rp_add_top_origin(struct wa_rp *, const char *);
int		 wa_rp_set_require_uv(struct wa_rp *, bool);
/* Only for conditional-mediation registration (WebAuthn §7.1 step 15). */
int		 wa_rp_set_insecure_no_user_presence(struct wa_rp *, bool);
/* Replaces the allowed credential algorithms; unsupported ones fail. */
int		 wa_rp_set_algs(struct wa_rp *, const int *, size_t);
/* A trust anchor certificate, DER or PEM. */
int		 wa_rp_add_trust_anchor(struct wa_rp *, const unsigned char *,
		    size_t);
int		 wa_rp_set_attestation_policy(struct wa_rp *, int);
/* Seconds since the epoch at which to verify; 0 means "now". */
int		 wa_rp_set_time(struct wa_rp *, int64_t);
int		 wa_rp_set_safetynet_cts(struct wa_rp *, bool);
const char	*wa_rp_id(const struct wa_rp *);

/*
 * Registration (WebAuthn §7.1).  wa_reg_verify() parses a
 * RegistrationResponseJSON and runs every relying-party step against rp
 * and the challenge issued for this ceremony.  On WA_OK the getters
 * describe the new credential; they borrow from reg until the next
 * verify or free.  The caller still checks that the credential id is not
 * registered yet (§7.1 step 26).
 */
struct wa_reg	*wa_reg_new(void);
void		 wa_reg_free(struct wa_reg **);
int		 wa_reg_verify(struct wa_reg *, const struct wa_rp *,
		    const unsigned char *, size_t, const char *, size_t);
const unsigned char *wa_reg_cred_id_ptr(const struct wa_reg *);
size_t		 wa_reg_cred_id_len(const struct wa_reg *);
/* The credential public key as a COSE_Key, exactly as attested. */
const unsigned char *wa_reg_pubkey_ptr(const struct wa_reg *);
size_t		 wa_reg_pubkey_len(const struct wa_reg *);
int		 wa_reg_alg(const struct wa_reg *);
uint32_t	 wa_reg_sign_count(const struct wa_reg *);
uint8_t		 wa_reg_flags(const struct wa_reg *);
/* WA_AAGUID_LEN bytes. */
const unsigned char *wa_reg_aaguid_ptr(const struct wa_reg *);
const char	*wa_reg_fmt(const struct wa_reg *);
int		 wa_reg_att_type(const struct wa_reg *);
bool		 wa_reg_trusted(const struct wa_reg *);
unsigned int	 wa_reg_transports(const struct wa_reg *);
/* credProps.rk: 1 true, 0 false, -1 not reported. */
int		 wa_reg_cred_props_rk(const struct wa_reg *);
const char	*wa_att_type_name(int);
/* "usb", "nfc", ...; NULL for a bit that is not a transport. */
const char	*wa_transport_name(unsigned int);

/*
 * Authentication (WebAuthn §7.2).
 *
 * wa_assert_parse() decodes an AuthenticationResponseJSON and makes the
 * credential id and user handle available, so that the caller can find
 * the stored credential.  wa_assert_set_stored() then describes it: its
 * COSE key, sign count, backup eligibility and the user handle of the
 * account that owns it.  wa_assert_verify() runs the remaining steps.
 *
 * If wa_assert_verify() returns WA_ERR_SIGN_COUNT, everything else
 * verified and the getters are valid: the counter did not increase and
 * the caller decides what a possible clone means (§7.2 step 22).
 */
struct wa_assert *wa_assert_new(void);
void		 wa_assert_free(struct wa_assert **);
int		 wa_assert_parse(struct wa_assert *, const char *, size_t);
const unsigned char *wa_assert_cred_id_ptr(const struct wa_assert *);
size_t		 wa_assert_cred_id_len(const struct wa_assert *);
/* NULL if the response carried no userHandle. */
const unsigned char *wa_assert_user_handle_ptr(const struct wa_assert *);
size_t		 wa_assert_user_handle_len(const struct wa_assert *);
int		 wa_assert_set_stored(struct wa_assert *,
		    const unsigned char *, size_t, uint32_t, bool,
		    const unsigned char *, size_t);
/* Adds an id of allowCredentials (§7.2 step 5). */
int		 wa_assert_add_allowed(struct wa_assert *,
		    const unsigned char *, size_t);
/*
 * Skips §7.2 step 19 when the stored backup eligibility is unknown (a
 * debugging tool verifying a captured response); never in a server.
 */
int		 wa_assert_set_insecure_any_backup_eligibility(
		    struct wa_assert *, bool);
/* The user was not identified first: userHandle is required (step 6). */
int		 wa_assert_set_discoverable(struct wa_assert *, bool);
int		 wa_assert_verify(struct wa_assert *, const struct wa_rp *,
		    const unsigned char *, size_t);
int		 wa_assert_alg(const struct wa_assert *);
uint32_t	 wa_assert_sign_count(const struct wa_assert *);
uint8_t		 wa_assert_flags(const struct wa_assert *);

/*
 * The challenge a response's clientDataJSON claims, decoded, before any
 * verification: for a server that keeps its ceremony state in the
 * challenge and must find it first.  Nothing here is trusted until
 * wa_reg_verify() or wa_assert_verify() compare it with the challenge the
 * server issued.  wa_response_challenge() takes the whole response JSON;
 * wa_assert_challenge() a response already parsed by wa_assert_parse(),
 * and keeps the parsed client data for wa_assert_verify().
 * dst holds at most dst_max bytes (WA_MAX_CHALLENGE suffices).
 */
int		 wa_response_challenge(const char *, size_t, unsigned char *,
		    size_t, size_t *);
int		 wa_assert_challenge(struct wa_assert *, unsigned char *,
		    size_t, size_t *);

/*
 * Strict base64url without padding.  wa_b64url_decode() writes at most
 * dst_max bytes to dst and the length to *dst_len; it fails on padding,
 * characters outside the alphabet, non-zero trailing bits and a length of
 * 1 mod 4.  wa_b64url_encode() returns a NUL-terminated string that the
 * caller frees with free(3), or NULL.
 */
int		 wa_b64url_decode(const char *, size_t, unsigned char *,
		    size_t, size_t *);
char		*wa_b64url_encode(const unsigned char *, size_t);

#endif /* WEBAUTHN_H */
