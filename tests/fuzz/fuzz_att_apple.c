/*
 * fuzz_att_apple.c: wa_att_apple() on an attStmt of the "apple"
 * format, with the authData, clientDataHash, credential key and policy
 * of the test-vector case FZ_FIXTURE_APPLE (py-reg-apple-passkey);
 * see fuzz_att.h.
 */
#include "tests/fuzz/fuzz_att.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fz_fixture fixture;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fz_att_one(&fixture, FZ_FIXTURE_APPLE,
	    wa_att_apple, data, size));
}
