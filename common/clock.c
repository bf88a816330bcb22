/* Real and fake clocks for the control thread's timers. */
#include "clock.h"

#include <time.h>

static uint64_t clock_monotonic_now(struct clock *ck)
{
	struct timespec ts;

	(void)ck;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * CLK_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_fake_now(struct clock *ck)
{
	return ck->ck_fake_ns;
}

void clock_init_monotonic(struct clock *ck)
{
	ck->ck_now = clock_monotonic_now;
	ck->ck_fake_ns = 0;
}

void clock_init_fake(struct clock *ck, uint64_t start_ns)
{
	ck->ck_now = clock_fake_now;
	ck->ck_fake_ns = start_ns;
}

void clock_fake_advance(struct clock *ck, uint64_t ns)
{
	ck->ck_fake_ns += ns;
}
