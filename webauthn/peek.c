/*
 * peek.c: reading the claimed challenge out of a response before it is
 * verified (see wa_response_challenge() in webauthn.h).
 */
#include <string.h>

#include "extern.h"

static int
cd_challenge(const json_t *cd, unsigned char *dst, size_t dst_max,
    size_t *dst_len)
{
	const json_t *c;

	c = json_object_get(cd, "challenge");
	if (!json_is_string(c))
		return (WA_ERR_CLIENTDATA);
	if (wa_b64url_decode(json_string_value(c), json_string_length(c),
	    dst, dst_max, dst_len) != WA_OK)
		return (WA_ERR_CHALLENGE);

	return (WA_OK);
}

int
wa_response_challenge(const char *json, size_t len, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	json_t		*root = NULL, *cd = NULL;
	const json_t	*resp;
	struct wa_buf	 cdj = { NULL, 0 };
	int		 r;

	if (json == NULL || dst == NULL || dst_len == NULL)
		return (WA_ERR_ARG);
	if ((r = wa_json_load(json, len, WA_MAX_RESPONSE_JSON, WA_ERR_JSON,
	    &root)) != WA_OK)
		return (r);
	resp = json_object_get(root, "response");
	if (!json_is_object(resp))
		r = WA_ERR_JSON;
	else if ((r = wa_json_b64(resp, "clientDataJSON", true,
	    WA_MAX_CLIENTDATA, &cdj)) == WA_OK &&
	    (r = wa_clientdata_load(cdj.ptr, cdj.len, &cd)) == WA_OK)
		r = cd_challenge(cd, dst, dst_max, dst_len);
	json_decref(cd);
	wa_buf_reset(&cdj);
	json_decref(root);

	return (r);
}

/* Keeps the parsed client data for wa_assert_verify(). */
int
wa_assert_challenge(struct wa_assert *a, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	int r;

	if (a == NULL || !a->parsed || dst == NULL || dst_len == NULL)
		return (WA_ERR_ARG);
	if ((r = wa_assert_clientdata(a)) != WA_OK)
		return (r);

	return (cd_challenge(a->cd, dst, dst_max, dst_len));
}
