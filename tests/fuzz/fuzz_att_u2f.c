/*
 * fuzz_att_u2f.c: wa_att_fido_u2f() on an attStmt of the "fido-u2f"
 * format, with the authData, clientDataHash, credential key and policy
 * of the test-vector case FZ_FIXTURE_FIDO_U2F (swa-reg-fido-u2f-yubikey);
 * see fuzz_att.h.
 */
#include "tests/fuzz/fuzz_att.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fz_fixture fixture;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fz_att_one(&fixture, FZ_FIXTURE_FIDO_U2F,
	    wa_att_fido_u2f, data, size));
}
