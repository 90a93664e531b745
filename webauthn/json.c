/*
 * json.c: bounded JSON loading (jansson) and the members every
 * PublicKeyCredential JSON shares.
 */
#include <string.h>

#include "extern.h"

/* Nesting depth of a JSON text, counting brackets outside strings. */
static bool
json_too_deep(const char *s, size_t n, size_t max)
{
	size_t	depth = 0;
	bool	in_str = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > max)
				return (true);
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}

	return (false);
}

int
wa_json_load(const char *s, size_t n, size_t max, int err, json_t **out)
{
	json_error_t jerr;

	*out = NULL;
	if (s == NULL)
		return (WA_ERR_ARG);
	if (n > max)
		return (WA_ERR_TOO_LARGE);
	if (json_too_deep(s, n, WA_MAX_JSON_DEPTH))
		return (err);
	/* Embedded NULs and duplicate keys are rejected. */
	if ((*out = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return (err);

	return (WA_OK);
}

int
wa_json_b64(const json_t *obj, const char *key, bool required, size_t max,
    struct wa_buf *out)
{
	const json_t *v;

	wa_buf_reset(out);
	if ((v = json_object_get(obj, key)) == NULL)
		return (required ? WA_ERR_JSON : WA_OK);
	if (!json_is_string(v))
		return (WA_ERR_JSON);

	return (wa_b64url_decode_buf(json_string_value(v),
	    json_string_length(v), max, out));
}

int
wa_resp_common(const json_t *root, struct wa_buf *raw_id,
    const json_t **resp)
{
	const json_t	*id, *raw, *type, *ext;
	int		 r;

	if (!json_is_object(root))
		return (WA_ERR_JSON);
	type = json_object_get(root, "type");
	if (!json_is_string(type))
		return (WA_ERR_JSON);
	if (strcmp(json_string_value(type), "public-key") != 0)
		return (WA_ERR_CRED_TYPE);
	id = json_object_get(root, "id");
	raw = json_object_get(root, "rawId");
	if (!json_is_string(id) || !json_is_string(raw))
		return (WA_ERR_JSON);
	/* toJSON() encodes both from the same bytes. */
	if (json_string_length(id) != json_string_length(raw) ||
	    memcmp(json_string_value(id), json_string_value(raw),
	    json_string_length(id)) != 0)
		return (WA_ERR_CRED_ID);
	if ((r = wa_json_b64(root, "rawId", true, WA_MAX_CRED_ID,
	    raw_id)) != WA_OK)
		return (r == WA_ERR_TOO_LARGE ? WA_ERR_CRED_ID : r);
	if (raw_id->len == 0)
		return (WA_ERR_CRED_ID);
	ext = json_object_get(root, "clientExtensionResults");
	if (ext != NULL && !json_is_object(ext))
		return (WA_ERR_JSON);
	*resp = json_object_get(root, "response");
	if (!json_is_object(*resp))
		return (WA_ERR_JSON);

	return (WA_OK);
}
