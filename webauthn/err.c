/*
 * err.c: error names and messages.  Each message names the WebAuthn
 * Level 3 step that failed, so an operator can look it up.
 */
#include "extern.h"

static const struct {
	const char *name;
	const char *msg;
} errs[WA_ERR_MAX] = {
	[WA_OK] = { "ok", "success" },
	[WA_ERR_ARG] = { "invalid_argument", "invalid argument" },
	[WA_ERR_NOMEM] = { "out_of_memory", "out of memory" },
	[WA_ERR_INTERNAL] = { "internal_error", "internal error" },
	[WA_ERR_TOO_LARGE] = { "too_large",
	    "an input exceeds its size limit" },
	[WA_ERR_JSON] = { "malformed_response",
	    "the response is not a well-formed PublicKeyCredential JSON "
	    "(§7.1 step 3, §7.2 step 3)" },
	[WA_ERR_B64] = { "bad_base64url",
	    "a binary member is not canonical base64url" },
	[WA_ERR_CRED_TYPE] = { "bad_credential_type",
	    "credential type is not \"public-key\"" },
	[WA_ERR_CRED_ID] = { "credential_id_mismatch",
	    "id, rawId and the credential id in authenticator data differ, "
	    "or it is empty or longer than 1023 bytes (§7.1 step 25)" },
	[WA_ERR_CLIENTDATA] = { "malformed_client_data",
	    "clientDataJSON is not valid UTF-8 JSON with the required "
	    "members (§7.1 steps 5-6, §7.2 steps 8-9)" },
	[WA_ERR_TYPE] = { "client_data_type",
	    "clientDataJSON type is wrong for this ceremony "
	    "(§7.1 step 7, §7.2 step 10)" },
	[WA_ERR_CHALLENGE] = { "challenge_mismatch",
	    "clientDataJSON challenge is not the challenge issued "
	    "(§7.1 step 8, §7.2 step 11)" },
	[WA_ERR_ORIGIN] = { "origin_mismatch",
	    "clientDataJSON origin is not an allowed origin "
	    "(§7.1 step 9, §7.2 step 12)" },
	[WA_ERR_CROSS_ORIGIN] = { "cross_origin_refused",
	    "clientDataJSON crossOrigin is true but cross-origin ceremonies "
	    "are not allowed (§7.1 step 10, §7.2 step 13)" },
	[WA_ERR_TOP_ORIGIN] = { "top_origin_mismatch",
	    "clientDataJSON topOrigin is not an allowed top-level origin "
	    "(§7.1 step 11, §7.2 step 14)" },
	[WA_ERR_TOKEN_BINDING] = { "token_binding",
	    "clientDataJSON tokenBinding has an invalid status "
	    "(WebAuthn Level 2 §5.8.1)" },
	[WA_ERR_CBOR] = { "malformed_cbor",
	    "attestationObject is not strict, bounded CBOR with fmt, "
	    "attStmt and authData (§7.1 step 13)" },
	[WA_ERR_AUTHDATA] = { "malformed_authenticator_data",
	    "authenticator data is malformed or has trailing bytes (§6.1)" },
	[WA_ERR_RPID] = { "rp_id_mismatch",
	    "rpIdHash is not SHA-256 of the RP ID "
	    "(§7.1 step 14, §7.2 step 15)" },
	[WA_ERR_UP] = { "user_not_present",
	    "the UP flag is not set (§7.1 step 15, §7.2 step 16)" },
	[WA_ERR_UV] = { "user_not_verified",
	    "user verification is required but the UV flag is not set "
	    "(§7.1 step 16, §7.2 step 17)" },
	[WA_ERR_BACKUP] = { "backup_flags",
	    "BS is set without BE, or BE differs from the stored credential "
	    "(§7.1 step 17, §7.2 steps 18-19)" },
	[WA_ERR_UNSUPPORTED_ALG] = { "unsupported_algorithm",
	    "the COSE algorithm is not supported (§7.1 step 20)" },
	[WA_ERR_ALG_NOT_ALLOWED] = { "algorithm_not_allowed",
	    "the credential algorithm was not offered in pubKeyCredParams "
	    "(§7.1 step 20)" },
	[WA_ERR_COSE] = { "malformed_public_key",
	    "the credential public key is not a valid COSE_Key for its "
	    "algorithm (§6.5.1.1)" },
	[WA_ERR_FMT] = { "unsupported_format",
	    "the attestation statement format is not supported "
	    "(§7.1 step 21)" },
	[WA_ERR_ATTSTMT] = { "malformed_attestation_statement",
	    "the attestation statement is malformed for its format "
	    "(§7.1 step 22)" },
	[WA_ERR_ATT_SIG] = { "attestation_signature",
	    "the attestation signature does not verify (§7.1 step 22)" },
	[WA_ERR_ATT_CERT] = { "attestation_certificate",
	    "the attestation certificate does not meet the format's "
	    "requirements (§8)" },
	[WA_ERR_AAGUID] = { "aaguid_mismatch",
	    "the certificate's id-fido-gen-ce-aaguid extension does not "
	    "match the AAGUID in authenticator data (§8.2.1)" },
	[WA_ERR_ATT_KEY] = { "attestation_key_mismatch",
	    "the attested key is not the credential public key (§8)" },
	[WA_ERR_ATT_NONCE] = { "attestation_nonce_mismatch",
	    "the attestation does not commit to this authenticator data and "
	    "client data (§8)" },
	[WA_ERR_ATT_POLICY] = { "attestation_policy",
	    "the attestation statement violates the format's key policy "
	    "(§8.4 allApplications, origin, purpose; §8.5 ctsProfileMatch)" },
	[WA_ERR_ATT_TIME] = { "attestation_timestamp",
	    "the attestation timestamp is outside the allowed window (§8.5)" },
	[WA_ERR_TRUST] = { "untrusted_attestation",
	    "the attestation certificate chain does not verify to a "
	    "configured trust anchor (§7.1 steps 23-24)" },
	[WA_ERR_SIG] = { "bad_signature",
	    "the assertion signature does not verify with the stored public "
	    "key (§7.2 step 21)" },
	[WA_ERR_SIGN_COUNT] = { "sign_count_not_increased",
	    "the signature counter did not increase: possible cloned "
	    "authenticator (§7.2 step 22)" },
	[WA_ERR_USER_HANDLE] = { "user_handle_mismatch",
	    "userHandle is missing or does not belong to the credential's "
	    "user (§7.2 step 6)" },
	[WA_ERR_NOT_ALLOWED] = { "credential_not_allowed",
	    "the credential is not one of allowCredentials (§7.2 step 5)" },
	[WA_ERR_ATTESTATION_REQUIRED] = { "attestation_required",
	    "policy requires attestation that chains to a trust anchor "
	    "(§7.1 step 24)" },
};

const char *
wa_errname(int e)
{
	if (e < 0 || e >= WA_ERR_MAX || errs[e].name == NULL)
		return ("unknown_error");

	return (errs[e].name);
}

const char *
wa_strerr(int e)
{
	if (e < 0 || e >= WA_ERR_MAX || errs[e].msg == NULL)
		return ("unknown error");

	return (errs[e].msg);
}
