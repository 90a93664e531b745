/*
 * cbor.c: strict CBOR on top of libcbor.
 *
 * libcbor allocates what a header declares before it has read the
 * elements, so untrusted bytes are first walked here without allocating:
 * every declared length must fit in what is left of the input, nesting is
 * bounded, and only the subset WebAuthn uses is accepted (definite-length
 * integers, strings, arrays, maps and the simple values false, true and
 * null; no tags, floats or indefinite lengths; shortest-form heads).
 */
#include <string.h>

#include "extern.h"

static int
cbor_head(struct wa_rd *rd, uint8_t *major, uint64_t *val)
{
	uint8_t		b, info, v8;
	uint16_t	v16;
	uint32_t	v32;
	uint64_t	v64;

	if (wa_rd_u8(rd, &b) < 0)
		return (-1);
	*major = b >> 5;
	info = b & 0x1f;
	if (info < 24) {
		*val = info;
		return (0);
	}
	switch (info) {
	case 24:
		if (wa_rd_u8(rd, &v8) < 0 || v8 < 24)
			return (-1);
		*val = v8;
		break;
	case 25:
		if (wa_rd_u16be(rd, &v16) < 0 || v16 <= UINT8_MAX)
			return (-1);
		*val = v16;
		break;
	case 26:
		if (wa_rd_u32be(rd, &v32) < 0 || v32 <= UINT16_MAX)
			return (-1);
		*val = v32;
		break;
	case 27:
		if (wa_rd_u64be(rd, &v64) < 0 || v64 <= UINT32_MAX)
			return (-1);
		*val = v64;
		break;
	default:
		/* Reserved, or indefinite length. */
		return (-1);
	}

	return (0);
}

static int
cbor_walk(struct wa_rd *rd, size_t depth)
{
	uint8_t		major;
	uint64_t	val;

	if (depth > WA_MAX_CBOR_DEPTH || cbor_head(rd, &major, &val) < 0)
		return (-1);
	switch (major) {
	case 0:		/* unsigned integer */
	case 1:		/* negative integer */
		return (0);
	case 2:		/* byte string */
	case 3:		/* text string */
		if (val > rd->n)
			return (-1);
		return (wa_rd_skip(rd, (size_t)val));
	case 4:		/* array */
		if (val > rd->n)
			return (-1);
		for (uint64_t i = 0; i < val; i++)
			if (cbor_walk(rd, depth + 1) < 0)
				return (-1);
		return (0);
	case 5:		/* map */
		if (val > rd->n / 2)
			return (-1);
		for (uint64_t i = 0; i < val; i++)
			if (cbor_walk(rd, depth + 1) < 0 ||
			    cbor_walk(rd, depth + 1) < 0)
				return (-1);
		return (0);
	case 7:		/* false, true, null */
		return (val >= 20 && val <= 22 ? 0 : -1);
	default:	/* tags */
		return (-1);
	}
}

int
wa_cbor_check(const unsigned char *p, size_t n, size_t *used)
{
	struct wa_rd rd;

	wa_rd_init(&rd, p, n);
	if (p == NULL || n == 0 || cbor_walk(&rd, 0) < 0)
		return (WA_ERR_CBOR);
	*used = n - rd.n;

	return (WA_OK);
}

int
wa_cbor_decode_prefix(const unsigned char *p, size_t n, cbor_item_t **item,
    size_t *used)
{
	struct cbor_load_result	res;
	int			r;

	*item = NULL;
	if ((r = wa_cbor_check(p, n, used)) != WA_OK)
		return (r);
	if ((*item = cbor_load(p, *used, &res)) == NULL) {
		if (res.error.code == CBOR_ERR_MEMERROR)
			return (WA_ERR_NOMEM);
		return (WA_ERR_CBOR);
	}
	if (res.read != *used) {
		cbor_decref(item);
		return (WA_ERR_CBOR);
	}

	return (WA_OK);
}

int
wa_cbor_decode(const unsigned char *p, size_t n, cbor_item_t **item)
{
	size_t	used;
	int	r;

	if ((r = wa_cbor_decode_prefix(p, n, item, &used)) != WA_OK)
		return (r);
	if (used != n) {
		cbor_decref(item);
		return (WA_ERR_CBOR);
	}

	return (WA_OK);
}

int
wa_cbor_get_int(const cbor_item_t *item, int64_t *v)
{
	uint64_t u;

	if (item == NULL || (!cbor_isa_uint(item) && !cbor_isa_negint(item)))
		return (-1);
	u = cbor_get_int(item);
	if (u > INT64_MAX)
		return (-1);
	/* A negative integer encodes -1 - u. */
	*v = cbor_isa_uint(item) ? (int64_t)u : -1 - (int64_t)u;

	return (0);
}

bool
wa_cbor_is_str(const cbor_item_t *item, const char *s)
{
	size_t n = strlen(s);

	return (item != NULL && cbor_isa_string(item) &&
	    cbor_string_is_definite(item) && cbor_string_length(item) == n &&
	    memcmp(cbor_string_handle(item), s, n) == 0);
}

int
wa_cbor_bytes(const cbor_item_t *item, const unsigned char **p, size_t *n)
{
	if (item == NULL || !cbor_isa_bytestring(item) ||
	    !cbor_bytestring_is_definite(item))
		return (-1);
	*p = cbor_bytestring_handle(item);
	*n = cbor_bytestring_length(item);
	if (*p == NULL)		/* libcbor has no buffer for b'' */
		*p = (const unsigned char *)"";

	return (0);
}

static bool
key_eq(const cbor_item_t *a, const cbor_item_t *b)
{
	int64_t x, y;

	if (cbor_isa_string(a) && cbor_isa_string(b))
		return (cbor_string_length(a) == cbor_string_length(b) &&
		    memcmp(cbor_string_handle(a), cbor_string_handle(b),
		    cbor_string_length(a)) == 0);
	if (wa_cbor_get_int(a, &x) == 0 && wa_cbor_get_int(b, &y) == 0)
		return (x == y);

	return (false);
}

bool
wa_cbor_map_bad(const cbor_item_t *map)
{
	struct cbor_pair	*pairs;
	size_t			 n;
	int64_t			 v;

	if (map == NULL || !cbor_isa_map(map) || !cbor_map_is_definite(map))
		return (true);
	pairs = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (size_t i = 0; i < n; i++) {
		if (!cbor_isa_string(pairs[i].key) &&
		    wa_cbor_get_int(pairs[i].key, &v) < 0)
			return (true);
		for (size_t j = 0; j < i; j++)
			if (key_eq(pairs[i].key, pairs[j].key))
				return (true);
	}

	return (false);
}

const cbor_item_t *
wa_cbor_map_str(const cbor_item_t *map, const char *key)
{
	struct cbor_pair	*pairs;
	size_t			 n;

	if (map == NULL || !cbor_isa_map(map))
		return (NULL);
	pairs = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (size_t i = 0; i < n; i++)
		if (wa_cbor_is_str(pairs[i].key, key))
			return (pairs[i].value);

	return (NULL);
}

const cbor_item_t *
wa_cbor_map_int(const cbor_item_t *map, int64_t key)
{
	struct cbor_pair	*pairs;
	size_t			 n;
	int64_t			 v;

	if (map == NULL || !cbor_isa_map(map))
		return (NULL);
	pairs = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (size_t i = 0; i < n; i++)
		if (wa_cbor_get_int(pairs[i].key, &v) == 0 && v == key)
			return (pairs[i].value);

	return (NULL);
}

bool
wa_cbor_map_only(const cbor_item_t *map, const char *const *keys, size_t n)
{
	struct cbor_pair	*pairs;
	size_t			 np;

	if (map == NULL || !cbor_isa_map(map))
		return (false);
	pairs = cbor_map_handle(map);
	np = cbor_map_size(map);
	for (size_t i = 0; i < np; i++) {
		bool found = false;

		for (size_t k = 0; k < n && !found; k++)
			found = wa_cbor_is_str(pairs[i].key, keys[k]);
		if (!found)
			return (false);
	}

	return (true);
}
