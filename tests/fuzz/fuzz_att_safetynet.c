/*
 * fuzz_att_safetynet.c: wa_att_android_safetynet() on an attStmt of the
 * "android-safetynet" format, with the authData, clientDataHash,
 * credential key and policy of the test-vector case
 * FZ_FIXTURE_ANDROID_SAFETYNET (swa-reg-android-safetynet-2019); see
 * fuzz_att.h.
 */
#include "tests/fuzz/fuzz_att.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fz_fixture fixture;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fz_att_one(&fixture, FZ_FIXTURE_ANDROID_SAFETYNET,
	    wa_att_android_safetynet, data, size));
}
