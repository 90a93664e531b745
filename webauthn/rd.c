/*
 * rd.c: the bounded reader every binary parser goes through, and the
 * owned byte buffer.  A read either takes exactly what it asks for or
 * fails and leaves the reader where it was (OpenBSD bs_cbs.c).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "extern.h"

int
wa_buf_set(struct wa_buf *b, const void *p, size_t len)
{
	unsigned char *q;

	if ((q = malloc(len == 0 ? 1 : len)) == NULL)
		return (WA_ERR_NOMEM);
	if (len > 0)
		memcpy(q, p, len);
	wa_buf_reset(b);
	b->ptr = q;
	b->len = len;

	return (WA_OK);
}

void
wa_buf_reset(struct wa_buf *b)
{
	if (b->ptr != NULL) {
		OPENSSL_cleanse(b->ptr, b->len);
		free(b->ptr);
	}
	b->ptr = NULL;
	b->len = 0;
}

void
wa_rd_init(struct wa_rd *rd, const unsigned char *p, size_t n)
{
	rd->p = p;
	rd->n = p == NULL ? 0 : n;
}

int
wa_rd_bytes(struct wa_rd *rd, const unsigned char **out, size_t len)
{
	if (len > rd->n)
		return (-1);
	*out = rd->p;
	rd->p += len;
	rd->n -= len;

	return (0);
}

int
wa_rd_skip(struct wa_rd *rd, size_t len)
{
	const unsigned char *p;

	return (wa_rd_bytes(rd, &p, len));
}

int
wa_rd_u8(struct wa_rd *rd, uint8_t *v)
{
	const unsigned char *p;

	if (wa_rd_bytes(rd, &p, 1) < 0)
		return (-1);
	*v = p[0];

	return (0);
}

int
wa_rd_u16be(struct wa_rd *rd, uint16_t *v)
{
	const unsigned char *p;

	if (wa_rd_bytes(rd, &p, 2) < 0)
		return (-1);
	*v = (uint16_t)((unsigned)p[0] << 8 | p[1]);

	return (0);
}

int
wa_rd_u32be(struct wa_rd *rd, uint32_t *v)
{
	const unsigned char *p;

	if (wa_rd_bytes(rd, &p, 4) < 0)
		return (-1);
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];

	return (0);
}

int
wa_rd_u64be(struct wa_rd *rd, uint64_t *v)
{
	uint32_t hi, lo;
	struct wa_rd save = *rd;

	if (wa_rd_u32be(rd, &hi) < 0 || wa_rd_u32be(rd, &lo) < 0) {
		*rd = save;
		return (-1);
	}
	*v = (uint64_t)hi << 32 | lo;

	return (0);
}

int
wa_rd_u16_prefixed(struct wa_rd *rd, const unsigned char **out, size_t *len)
{
	uint16_t n;
	struct wa_rd save = *rd;

	if (wa_rd_u16be(rd, &n) < 0 || wa_rd_bytes(rd, out, n) < 0) {
		*rd = save;
		return (-1);
	}
	*len = n;

	return (0);
}

bool
wa_rd_empty(const struct wa_rd *rd)
{
	return (rd->n == 0);
}

bool
wa_ct_eq(const void *a, const void *b, size_t len)
{
	return (CRYPTO_memcmp(a, b, len) == 0);
}
