/*
 * fuzz_att_packed.c: wa_att_packed() on an attStmt of the "packed"
 * format, with the authData, clientDataHash, credential key and policy
 * of the test-vector case FZ_FIXTURE_PACKED (swa-reg-packed-x5c-yubikey);
 * see fuzz_att.h.
 */
#include "tests/fuzz/fuzz_att.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fz_fixture fixture;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fz_att_one(&fixture, FZ_FIXTURE_PACKED,
	    wa_att_packed, data, size));
}
