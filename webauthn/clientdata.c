/*
 * clientdata.c: the client data checks of WebAuthn §7.1 steps 5-11 and
 * §7.2 steps 8-14.  The comparison against the issued challenge decodes
 * the challenge strictly and compares in constant time.
 */
#include <string.h>

#include "extern.h"

#define MAX_CHALLENGE_B64	1024

static bool
str_in(const char *s, size_t n, char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return (true);

	return (false);
}

static int
check_token_binding(const json_t *cd)
{
	const json_t	*tb, *status;
	const char	*s;

	/*
	 * Token Binding left WebAuthn in Level 3.  A Level 2 object must
	 * still carry a valid status; other legacy shapes are ignored.
	 */
	if ((tb = json_object_get(cd, "tokenBinding")) == NULL ||
	    !json_is_object(tb))
		return (WA_OK);
	status = json_object_get(tb, "status");
	if (!json_is_string(status))
		return (WA_ERR_TOKEN_BINDING);
	s = json_string_value(status);
	if (strcmp(s, "present") != 0 && strcmp(s, "supported") != 0)
		return (WA_ERR_TOKEN_BINDING);

	return (WA_OK);
}

static int
check_origins(const struct wa_rp *rp, const json_t *cd)
{
	const json_t	*origin, *cross, *top;
	bool		 is_cross;

	origin = json_object_get(cd, "origin");
	if (!json_is_string(origin))
		return (WA_ERR_CLIENTDATA);
	if (!str_in(json_string_value(origin), json_string_length(origin),
	    rp->origins, rp->norigins))
		return (WA_ERR_ORIGIN);
	cross = json_object_get(cd, "crossOrigin");
	if (cross != NULL && !json_is_boolean(cross))
		return (WA_ERR_CLIENTDATA);
	is_cross = json_is_true(cross);
	if (is_cross && !rp->cross_origin)
		return (WA_ERR_CROSS_ORIGIN);
	top = json_object_get(cd, "topOrigin");
	if (top != NULL) {
		if (!json_is_string(top))
			return (WA_ERR_CLIENTDATA);
		if (!rp->cross_origin)
			return (WA_ERR_CROSS_ORIGIN);
		/* A top origin only exists in a cross-origin iframe. */
		if (!is_cross || !str_in(json_string_value(top),
		    json_string_length(top), rp->top_origins,
		    rp->ntop_origins))
			return (WA_ERR_TOP_ORIGIN);
	} else if (is_cross && rp->ntop_origins > 0)
		return (WA_ERR_TOP_ORIGIN);

	return (WA_OK);
}

int
wa_clientdata_load(const unsigned char *cdj, size_t len, json_t **out)
{
	int r;

	*out = NULL;
	if (cdj == NULL)
		return (WA_ERR_ARG);
	if (len > WA_MAX_CLIENTDATA)
		return (WA_ERR_TOO_LARGE);
	/* §7.1 step 5: UTF-8 decode, without a byte order mark. */
	if (len >= 3 && memcmp(cdj, "\xef\xbb\xbf", 3) == 0) {
		cdj += 3;
		len -= 3;
	}
	if ((r = wa_json_load((const char *)cdj, len, WA_MAX_CLIENTDATA,
	    WA_ERR_CLIENTDATA, out)) != WA_OK)
		return (r);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return (WA_ERR_CLIENTDATA);
	}

	return (WA_OK);
}

int
wa_clientdata_check(const struct wa_rp *rp, const json_t *cd,
    const char *type, const unsigned char *chal, size_t chal_len)
{
	const json_t	*t, *c;
	unsigned char	 got[MAX_CHALLENGE_B64];
	size_t		 got_len;
	int		 r;

	if (rp == NULL || cd == NULL || chal == NULL || chal_len == 0)
		return (WA_ERR_ARG);
	if (rp->id == NULL || rp->norigins == 0)
		return (WA_ERR_ARG);
	t = json_object_get(cd, "type");
	c = json_object_get(cd, "challenge");
	if (!json_is_string(t) || !json_is_string(c))
		return (WA_ERR_CLIENTDATA);
	if (strcmp(json_string_value(t), type) != 0 ||
	    json_string_length(t) != strlen(type))
		return (WA_ERR_TYPE);
	if (wa_b64url_decode(json_string_value(c), json_string_length(c), got,
	    sizeof(got), &got_len) != WA_OK || got_len != chal_len ||
	    !wa_ct_eq(got, chal, chal_len))
		return (WA_ERR_CHALLENGE);
	if ((r = check_origins(rp, cd)) != WA_OK)
		return (r);

	return (check_token_binding(cd));
}

int
wa_clientdata_verify(const struct wa_rp *rp, const unsigned char *cdj,
    size_t len, const char *type, const unsigned char *chal,
    size_t chal_len)
{
	json_t	*cd;
	int	 r;

	if (rp == NULL || cdj == NULL || chal == NULL || chal_len == 0)
		return (WA_ERR_ARG);
	if (rp->id == NULL || rp->norigins == 0)
		return (WA_ERR_ARG);
	if ((r = wa_clientdata_load(cdj, len, &cd)) != WA_OK)
		return (r);
	r = wa_clientdata_check(rp, cd, type, chal, chal_len);
	json_decref(cd);

	return (r);
}
