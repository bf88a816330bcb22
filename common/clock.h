/* The control plane's notion of time: monotonic nanoseconds behind a function
 * pointer so that tests can drive timers with a fake clock. */
#ifndef DMVPND_CLOCK_H
#define DMVPND_CLOCK_H

#include <stdint.h>

#define CLK_NS_PER_MS UINT64_C(1000000)
#define CLK_NS_PER_S UINT64_C(1000000000)

struct clock {
	uint64_t (*ck_now)(struct clock *ck);
	uint64_t ck_fake_ns; /* used by the fake clock only */
};

/* CLOCK_MONOTONIC, never the wall clock. */
void clock_init_monotonic(struct clock *ck);
/* Starts at `start_ns` and moves only by clock_fake_advance(). */
void clock_init_fake(struct clock *ck, uint64_t start_ns);
void clock_fake_advance(struct clock *ck, uint64_t ns);

static inline uint64_t clock_now(struct clock *ck)
{
	return ck->ck_now(ck);
}

#endif
