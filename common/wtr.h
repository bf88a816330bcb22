/* Bounded big-endian byte writer for wire encoders, the counterpart of
 * rdr.h. Writes are sticky: the first one that does not fit sets wt_err and
 * every later one is a no-op, so an encoder checks wtr_error() once before
 * it trusts the buffer. (The reader reports per call because each read
 * steers the parse; a writer has one failure, "no room".) */
#ifndef DMVPND_WTR_H
#define DMVPND_WTR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wtr {
	uint8_t *start;
	uint8_t *pos;
	uint8_t *end;
	int wt_err; /* 0 or -ENOSPC */
};

static inline void wtr_init(struct wtr *w, uint8_t *buf, size_t cap)
{
	w->start = buf;
	w->pos = buf;
	w->end = buf + cap;
	w->wt_err = 0;
}

/* Bytes written so far (also the offset of the next byte). */
static inline size_t wtr_len(const struct wtr *w)
{
	return (size_t)(w->pos - w->start);
}

static inline int wtr_error(const struct wtr *w)
{
	return w->wt_err;
}

/* Reserves len bytes and returns where to put them, or NULL (sticky). */
static inline uint8_t *wtr_reserve(struct wtr *w, size_t len)
{
	uint8_t *p;

	if (w->wt_err != 0 || len > (size_t)(w->end - w->pos)) {
		w->wt_err = -ENOSPC;
		return NULL;
	}
	p = w->pos;
	w->pos += len;
	return p;
}

static inline void wtr_u8(struct wtr *w, uint8_t v)
{
	uint8_t *p = wtr_reserve(w, 1);

	if (p != NULL)
		p[0] = v;
}

static inline void wtr_u16be(struct wtr *w, uint16_t v)
{
	uint8_t *p = wtr_reserve(w, 2);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static inline void wtr_u32be(struct wtr *w, uint32_t v)
{
	uint8_t *p = wtr_reserve(w, 4);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

static inline void wtr_bytes(struct wtr *w, const void *src, size_t len)
{
	uint8_t *p = wtr_reserve(w, len);

	if (p != NULL && len != 0)
		memcpy(p, src, len);
}

static inline void wtr_zero(struct wtr *w, size_t len)
{
	uint8_t *p = wtr_reserve(w, len);

	if (p != NULL && len != 0)
		memset(p, 0, len);
}

/* Back-patches a 16-bit field already written at offset off (lengths and
 * offsets known only at the end). Out of range is a programmer error and
 * is reported like overflow. */
static inline void wtr_put_u16be_at(struct wtr *w, size_t off, uint16_t v)
{
	if (w->wt_err != 0)
		return;
	if (off > wtr_len(w) || wtr_len(w) - off < 2) {
		w->wt_err = -ENOSPC;
		return;
	}
	w->start[off] = (uint8_t)(v >> 8);
	w->start[off + 1] = (uint8_t)v;
}

#endif
