/* Anti-replay window of one inbound SA (RFC 4303 3.4.3, Appendix A2 for
 * extended sequence numbers): a bitmap ring over 64-bit sequence numbers.
 * Pure and header-only. One writer: the worker that owns the SA.
 *
 * Use: seq = esp_replay_infer(); esp_replay_check() before any crypto;
 * esp_replay_update() only after the ICV verified, which checks again
 * because an earlier packet of the same burst may have taken the number. */
#ifndef DMVPND_ESP_REPLAY_H
#define DMVPND_ESP_REPLAY_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define ESP_REPLAY_MIN 64
#define ESP_REPLAY_MAX 4096
#define ESP_REPLAY_DEFAULT 1024
/* Ring words: a power of two above ESP_REPLAY_MAX / 64 + 1, so the words a
 * window spans (up to 65 when not word-aligned) never alias each other. */
#define ESP_REPLAY_WORDS 128

enum esp_replay_rc {
	ESP_REPLAY_OK = 0,
	ESP_REPLAY_DUP, /* inside the window, already received */
	ESP_REPLAY_OLD, /* left of the window (or sequence number 0) */
};

struct esp_replay {
	uint64_t rp_top;  /* highest authenticated sequence number; 0 = none */
	uint32_t rp_size; /* window in packets, ESP_REPLAY_MIN..MAX */
	uint32_t rp_pad;
	uint64_t rp_bits[ESP_REPLAY_WORDS]; /* bit s % 64 of word (s / 64) % WORDS */
};

/* size 0 means the default. top is the highest number taken as already
 * seen: 0 for a new SA (RFC 4303 3.4.3: the counter starts at 0). */
static inline int esp_replay_init(struct esp_replay *rp, uint32_t size, uint64_t top)
{
	if (size == 0)
		size = ESP_REPLAY_DEFAULT;
	if (size < ESP_REPLAY_MIN || size > ESP_REPLAY_MAX)
		return -EINVAL;
	memset(rp, 0, sizeof(*rp));
	rp->rp_size = size;
	rp->rp_top = top;
	return 0;
}

/* RFC 4303 Appendix A2.2: the high 32 bits the sender most likely used,
 * given the low 32 bits on the wire and the window's top (Th:Tl). Returns
 * 0 (never a valid number) for a number that would precede the SA. */
static inline uint64_t esp_replay_infer(const struct esp_replay *rp, uint32_t seq_lo, bool esn)
{
	uint32_t tl = (uint32_t)rp->rp_top, th = (uint32_t)(rp->rp_top >> 32);
	uint32_t w = rp->rp_size;
	uint32_t bottom = tl - w + 1; /* modulo 2^32, as A2.2 computes it */

	if (!esn)
		return seq_lo;
	if (tl >= w - 1) { /* Case A: the window lies within one epoch */
		if (seq_lo < bottom)
			th++; /* ahead, past the 2^32 boundary */
	} else {              /* Case B: the window straddles the boundary */
		if (seq_lo >= bottom) {
			if (th == 0)
				return 0;
			th--; /* behind, in the previous epoch */
		}
	}
	return (uint64_t)th << 32 | seq_lo;
}

static inline uint32_t esp_replay_word(uint64_t seq)
{
	return (uint32_t)(seq >> 6) & (ESP_REPLAY_WORDS - 1);
}

/* No side effects: safe before the ICV is known (RFC 4303 3.4.3). */
static inline enum esp_replay_rc esp_replay_check(const struct esp_replay *rp, uint64_t seq)
{
	if (seq == 0)
		return ESP_REPLAY_OLD;
	if (seq > rp->rp_top)
		return ESP_REPLAY_OK;
	if (rp->rp_top - seq >= rp->rp_size)
		return ESP_REPLAY_OLD;
	if (rp->rp_bits[esp_replay_word(seq)] & (UINT64_C(1) << (seq & 63)))
		return ESP_REPLAY_DUP;
	return ESP_REPLAY_OK;
}

/* Marks seq received, sliding the window when seq is a new top. Call only
 * after the packet authenticated; returns what esp_replay_check says now. */
static inline enum esp_replay_rc esp_replay_update(struct esp_replay *rp, uint64_t seq)
{
	enum esp_replay_rc rc = esp_replay_check(rp, seq);

	if (rc != ESP_REPLAY_OK)
		return rc;
	if (seq > rp->rp_top) {
		/* The words after the old top's word, up to the new top's, now
		 * hold numbers never seen: clear them (at most the whole ring). */
		uint64_t from = (rp->rp_top >> 6) + 1, to = seq >> 6;
		uint64_t n = to >= from ? to - from + 1 : 0;

		if (n > ESP_REPLAY_WORDS)
			n = ESP_REPLAY_WORDS;
		for (uint64_t i = 0; i < n; i++)
			rp->rp_bits[esp_replay_word((to - i) << 6)] = 0;
		rp->rp_top = seq;
	}
	rp->rp_bits[esp_replay_word(seq)] |= UINT64_C(1) << (seq & 63);
	return ESP_REPLAY_OK;
}

#endif
