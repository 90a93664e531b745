/*
 * aaguid.c: a short table of common passkey providers and security keys,
 * from their published AAGUIDs.
 */
#include <stdio.h>
#include <string.h>

#include "authd/aaguid.h"

static const struct {
	const char	*aaguid;
	const char	*name;
} models[] = {
	{ "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "Google Password Manager" },
	{ "adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome on Mac" },
	{ "fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "iCloud Keychain" },
	{ "dd4ec289-e01d-41c9-bb89-70fa845d4bf2", "iCloud Keychain (Managed)" },
	{ "08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello" },
	{ "9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello" },
	{ "6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello" },
	{ "53414d53-554e-4700-0000-000000000000", "Samsung Pass" },
	{ "bada5566-a7aa-401f-bd96-45619a55120d", "1Password" },
	{ "d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden" },
	{ "531126d6-e717-415c-9320-3d9aa6981239", "Dashlane" },
	{ "cb69481e-8ff7-4039-93ec-0a2729a154a8", "YubiKey 5 Series" },
	{ "ee882879-721c-4913-9775-3dfcce97072a", "YubiKey 5 Series" },
	{ "fa2b99dc-9e39-4257-8f92-4a30d23c4118", "YubiKey 5 Series (NFC)" },
	{ "2fc0579f-8113-47ea-b116-bb5a8db9202a", "YubiKey 5 Series (NFC)" },
	{ "01020304-0506-0708-0102-030405060708",
	  "Chromium virtual authenticator" },
};

void
aaguid_format(const unsigned char *a, char *out)
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", a[0], a[1], a[2], a[3], a[4], a[5],
	    a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
}

const char *
aaguid_name(const unsigned char *a)
{
	char s[37];

	aaguid_format(a, s);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (strcmp(models[i].aaguid, s) == 0)
			return (models[i].name);

	return (NULL);
}
