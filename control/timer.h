/* Control-thread timers: a binary min-heap of timers embedded in the objects
 * that own them (ARP entries, later NHRP registrations and cache entries).
 * Single-threaded: only the control thread arms, cancels and runs them. */
#ifndef DMVPND_TIMER_H
#define DMVPND_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct timer;
typedef void (*timer_fn)(struct timer *t, void *arg);

struct timer {
	uint64_t tm_deadline; /* clock ns */
	timer_fn tm_fn;
	void *tm_arg;
	uint32_t tm_idx; /* heap slot + 1; 0 when not armed */
};

struct timer_heap {
	struct timer **th_v;
	uint32_t th_n;
	uint32_t th_cap;
};

int timer_heap_init(struct timer_heap *h);
void timer_heap_fini(struct timer_heap *h);

void timer_init(struct timer *t, timer_fn fn, void *arg);
static inline bool timer_is_armed(const struct timer *t)
{
	return t->tm_idx != 0;
}
/* (Re)arms t for an absolute deadline. -ENOMEM only when growing fails. */
int timer_arm(struct timer_heap *h, struct timer *t, uint64_t deadline);
void timer_cancel(struct timer_heap *h, struct timer *t);
/* Runs every timer whose deadline is <= now, earliest first. A callback may
 * arm or cancel any timer, itself included. Returns how many ran. */
unsigned timer_run(struct timer_heap *h, uint64_t now);
/* The earliest deadline, or UINT64_MAX when nothing is armed. */
uint64_t timer_next(const struct timer_heap *h);

#endif
