/*
 * peek.c: reading the claimed challenge out of a response before it is
 * verified (see wa_response_challenge() in webauthn.h).
 */
#include <string.h>

#include "extern.h"

static int
cdj_challenge(const unsigned char *cdj, size_t len, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	json_t		*cd = NULL;
	const json_t	*c;
	int		 r;

	if (len >= 3 && memcmp(cdj, "\xef\xbb\xbf", 3) == 0) {
		cdj += 3;
		len -= 3;
	}
	if ((r = wa_json_load((const char *)cdj, len, WA_MAX_CLIENTDATA,
	    WA_ERR_CLIENTDATA, &cd)) != WA_OK)
		return (r);
	c = json_object_get(cd, "challenge");
	if (!json_is_string(c))
		r = WA_ERR_CLIENTDATA;
	else if (wa_b64url_decode(json_string_value(c), json_string_length(c),
	    dst, dst_max, dst_len) != WA_OK)
		r = WA_ERR_CHALLENGE;
	json_decref(cd);

	return (r);
}

int
wa_response_challenge(const char *json, size_t len, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	json_t		*root = NULL;
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
	    WA_MAX_CLIENTDATA, &cdj)) == WA_OK)
		r = cdj_challenge(cdj.ptr, cdj.len, dst, dst_max, dst_len);
	wa_buf_reset(&cdj);
	json_decref(root);

	return (r);
}

int
wa_assert_challenge(const struct wa_assert *a, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	if (a == NULL || !a->parsed || dst == NULL || dst_len == NULL)
		return (WA_ERR_ARG);

	return (cdj_challenge(a->cdj.ptr, a->cdj.len, dst, dst_max, dst_len));
}
