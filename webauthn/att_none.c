/*
 * att_none.c: the "none" attestation format (WebAuthn §8.7): an empty
 * statement, no claim about the authenticator.
 */
#include "extern.h"

int
wa_att_none(struct wa_att *att)
{
	if (!cbor_isa_map(att->stmt) || cbor_map_size(att->stmt) != 0)
		return (WA_ERR_ATTSTMT);
	att->type = WA_ATT_NONE;
	att->trusted = false;

	return (WA_OK);
}
