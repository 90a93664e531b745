/*
 * fuzz_att_tpm.c: wa_att_tpm() on an attStmt of the "tpm"
 * format, with the authData, clientDataHash, credential key and policy
 * of the test-vector case FZ_FIXTURE_TPM (py-reg-tpm-rs256-dell-xps-13);
 * see fuzz_att.h.
 */
#include "tests/fuzz/fuzz_att.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct fz_fixture fixture;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fz_att_one(&fixture, FZ_FIXTURE_TPM,
	    wa_att_tpm, data, size));
}
