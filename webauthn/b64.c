/*
 * b64.c: strict base64url (RFC 4648 §5, no padding) and standard base64
 * (§4, padded) codecs.  Decoding accepts only the canonical encoding:
 * no white space, no padding where none belongs, zero trailing bits.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
b64_val(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (url ? c == '-' : c == '+')
		return (62);
	if (url ? c == '_' : c == '/')
		return (63);

	return (-1);
}

/* Decodes n characters (no padding) of src into dst. */
static int
b64_decode(const char *src, size_t n, bool url, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	size_t		 out_len, o = 0;
	uint32_t	 acc = 0;
	unsigned int	 bits = 0;

	if (n % 4 == 1)
		return (WA_ERR_B64);
	out_len = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
	if (out_len > dst_max)
		return (WA_ERR_TOO_LARGE);
	for (size_t i = 0; i < n; i++) {
		int v = b64_val((unsigned char)src[i], url);

		if (v < 0)
			return (WA_ERR_B64);
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dst[o++] = (unsigned char)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	/* Canonical: the bits left over must be zero. */
	if (acc != 0)
		return (WA_ERR_B64);
	*dst_len = o;

	return (WA_OK);
}

int
wa_b64url_decode(const char *src, size_t n, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	if (src == NULL || dst_len == NULL || (dst == NULL && dst_max > 0))
		return (WA_ERR_ARG);

	return (b64_decode(src, n, true, dst, dst_max, dst_len));
}

static int
decode_buf(const char *src, size_t n, bool url, size_t max,
    struct wa_buf *out)
{
	unsigned char	*p;
	size_t		 len, cap;
	int		 r;

	wa_buf_reset(out);
	cap = n / 4 * 3 + 3;
	if (cap > max)
		cap = max;
	if ((p = malloc(cap == 0 ? 1 : cap)) == NULL)
		return (WA_ERR_NOMEM);
	if ((r = b64_decode(src, n, url, p, cap, &len)) != WA_OK) {
		free(p);
		return (r);
	}
	out->ptr = p;
	out->len = len;

	return (WA_OK);
}

int
wa_b64url_decode_buf(const char *src, size_t n, size_t max,
    struct wa_buf *out)
{
	return (decode_buf(src, n, true, max, out));
}

int
wa_b64std_decode_buf(const char *src, size_t n, size_t max,
    struct wa_buf *out)
{
	size_t pad = 0;

	/* Padded: a multiple of 4, with at most two '='. */
	if (n % 4 != 0)
		return (WA_ERR_B64);
	while (pad < 2 && n > pad && src[n - pad - 1] == '=')
		pad++;

	return (decode_buf(src, n - pad, false, max, out));
}

char *
wa_b64url_encode(const unsigned char *src, size_t n)
{
	char		*out;
	size_t		 o = 0;
	uint32_t	 acc = 0;
	unsigned int	 bits = 0;

	if (src == NULL && n > 0)
		return (NULL);
	if (n > (SIZE_MAX - 4) / 4 * 3)
		return (NULL);
	if ((out = malloc(n / 3 * 4 + 4 + 1)) == NULL)
		return (NULL);
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | src[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64url_alphabet[(acc >> bits) & 0x3f];
		}
		acc &= (1U << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b64url_alphabet[(acc << (6 - bits)) & 0x3f];
	out[o] = '\0';

	return (out);
}
