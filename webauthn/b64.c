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

/*
 * Each alphabet's value of a character, plus one: 0 is a character
 * outside the alphabet.
 */
#define B64_COMMON \
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, \
	['F'] = 6, ['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, \
	['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, \
	['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, \
	['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, \
	['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, \
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, \
	['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, \
	['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, \
	['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, \
	['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, \
	['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, \
	['8'] = 61, ['9'] = 62

static const unsigned char b64url_val[256] = {
	B64_COMMON, ['-'] = 63, ['_'] = 64
};

static const unsigned char b64std_val[256] = {
	B64_COMMON, ['+'] = 63, ['/'] = 64
};

/* Decodes n characters (no padding) of src into dst. */
static int
b64_decode(const char *src, size_t n, bool url, unsigned char *dst,
    size_t dst_max, size_t *dst_len)
{
	const unsigned char	*s = (const unsigned char *)src;
	const unsigned char	*val = url ? b64url_val : b64std_val;
	size_t			 out_len, i, o = 0;
	uint32_t		 a, b, c, d;

	if (n % 4 == 1)
		return (WA_ERR_B64);
	out_len = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
	if (out_len > dst_max)
		return (WA_ERR_TOO_LARGE);
	for (i = 0; i + 4 <= n; i += 4) {
		a = val[s[i]];
		b = val[s[i + 1]];
		c = val[s[i + 2]];
		d = val[s[i + 3]];
		if (a == 0 || b == 0 || c == 0 || d == 0)
			return (WA_ERR_B64);
		a = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (d - 1);
		dst[o++] = (unsigned char)(a >> 16);
		dst[o++] = (unsigned char)(a >> 8);
		dst[o++] = (unsigned char)a;
	}
	/* 2 or 3 characters left: 1 or 2 bytes, the rest bits zero. */
	if (i < n) {
		a = val[s[i]];
		b = val[s[i + 1]];
		c = n - i == 3 ? val[s[i + 2]] : 1;
		if (a == 0 || b == 0 || c == 0)
			return (WA_ERR_B64);
		a = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6;
		dst[o++] = (unsigned char)(a >> 16);
		if (n - i == 3) {
			dst[o++] = (unsigned char)(a >> 8);
			/* Canonical: the bits left over must be zero. */
			if ((a & 0xff) != 0)
				return (WA_ERR_B64);
		} else if ((a & 0xffff) != 0)
			return (WA_ERR_B64);
	}
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
	const char	*a = b64url_alphabet;
	char		*out;
	size_t		 i, o = 0;
	uint32_t	 v;

	if (src == NULL && n > 0)
		return (NULL);
	if (n > (SIZE_MAX - 4) / 4 * 3)
		return (NULL);
	if ((out = malloc(n / 3 * 4 + 4 + 1)) == NULL)
		return (NULL);
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 |
		    src[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 0x3f];
		out[o++] = a[(v >> 6) & 0x3f];
		out[o++] = a[v & 0x3f];
	}
	if (i < n) {
		v = (uint32_t)src[i] << 16;
		if (n - i == 2)
			v |= (uint32_t)src[i + 1] << 8;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 0x3f];
		if (n - i == 2)
			out[o++] = a[(v >> 6) & 0x3f];
	}
	out[o] = '\0';

	return (out);
}
