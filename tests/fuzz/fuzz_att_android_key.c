/*
 * fuzz_att_android_key.c: wa_att_android_key() on an attStmt of the
 * "android-key" format, with the authData, clientDataHash, credential key
 * and policy of the test-vector case FZ_FIXTURE_ANDROID_KEY
 * (swa-reg-android-key-pixel-8a); see fuzz_att.h.
 */
#include "tests/fuzz/fuzz_att.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fz_fixture fixture;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fz_att_one(&fixture, FZ_FIXTURE_ANDROID_KEY,
	    wa_att_android_key, data, size));
}
