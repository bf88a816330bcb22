/* Bounds-checked big-endian byte reader for wire parsers. Every call either
 * consumes exactly what it asked for and returns 0, or consumes nothing and
 * returns -EBADMSG; callers branch on each result. */
#ifndef DMVPND_RDR_H
#define DMVPND_RDR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rdr {
	const uint8_t *pos;
	const uint8_t *end;
};

static inline void rdr_init(struct rdr *r, const uint8_t *buf, size_t len)
{
	r->pos = buf;
	r->end = buf + len;
}

static inline size_t rdr_left(const struct rdr *r)
{
	return (size_t)(r->end - r->pos);
}

/* The single bounds check: compares against what is left, never forms
 * pos + len, so a huge len cannot wrap the pointer. */
static inline int rdr_need(const struct rdr *r, size_t len)
{
	return len > (size_t)(r->end - r->pos) ? -EBADMSG : 0;
}

static inline int rdr_u8(struct rdr *r, uint8_t *v)
{
	if (rdr_need(r, 1) != 0)
		return -EBADMSG;
	*v = r->pos[0];
	r->pos += 1;
	return 0;
}

static inline int rdr_u16be(struct rdr *r, uint16_t *v)
{
	if (rdr_need(r, 2) != 0)
		return -EBADMSG;
	*v = (uint16_t)((uint16_t)r->pos[0] << 8 | r->pos[1]);
	r->pos += 2;
	return 0;
}

static inline int rdr_u32be(struct rdr *r, uint32_t *v)
{
	if (rdr_need(r, 4) != 0)
		return -EBADMSG;
	*v = (uint32_t)r->pos[0] << 24 | (uint32_t)r->pos[1] << 16 | (uint32_t)r->pos[2] << 8 |
	     r->pos[3];
	r->pos += 4;
	return 0;
}

/* Copies len bytes out. */
static inline int rdr_bytes(struct rdr *r, void *dst, size_t len)
{
	if (rdr_need(r, len) != 0)
		return -EBADMSG;
	if (len != 0)
		memcpy(dst, r->pos, len);
	r->pos += len;
	return 0;
}

static inline int rdr_skip(struct rdr *r, size_t len)
{
	if (rdr_need(r, len) != 0)
		return -EBADMSG;
	r->pos += len;
	return 0;
}

/* Carves the next len bytes into *sub (borrowed, same buffer) and skips
 * them here, so a nested part can never read past its own length. */
static inline int rdr_sub(struct rdr *r, size_t len, struct rdr *sub)
{
	if (rdr_need(r, len) != 0)
		return -EBADMSG;
	sub->pos = r->pos;
	sub->end = r->pos + len;
	r->pos += len;
	return 0;
}

#endif
