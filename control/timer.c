/* Binary min-heap of embedded timers, keyed by deadline. */
#include "timer.h"

#include <errno.h>
#include <stdlib.h>

int timer_heap_init(struct timer_heap *h)
{
	h->th_cap = 64;
	h->th_n = 0;
	h->th_v = calloc(h->th_cap, sizeof(*h->th_v));
	return h->th_v != NULL ? 0 : -ENOMEM;
}

void timer_heap_fini(struct timer_heap *h)
{
	for (uint32_t i = 0; i < h->th_n; i++)
		h->th_v[i]->tm_idx = 0;
	free(h->th_v);
	h->th_v = NULL;
	h->th_n = h->th_cap = 0;
}

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
	t->tm_deadline = 0;
	t->tm_fn = fn;
	t->tm_arg = arg;
	t->tm_idx = 0;
}

static void heap_set(struct timer_heap *h, uint32_t i, struct timer *t)
{
	h->th_v[i] = t;
	t->tm_idx = i + 1;
}

static void heap_up(struct timer_heap *h, uint32_t i)
{
	struct timer *t = h->th_v[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (h->th_v[parent]->tm_deadline <= t->tm_deadline)
			break;
		heap_set(h, i, h->th_v[parent]);
		i = parent;
	}
	heap_set(h, i, t);
}

static void heap_down(struct timer_heap *h, uint32_t i)
{
	struct timer *t = h->th_v[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->th_n)
			break;
		if (c + 1 < h->th_n && h->th_v[c + 1]->tm_deadline < h->th_v[c]->tm_deadline)
			c++;
		if (t->tm_deadline <= h->th_v[c]->tm_deadline)
			break;
		heap_set(h, i, h->th_v[c]);
		i = c;
	}
	heap_set(h, i, t);
}

void timer_cancel(struct timer_heap *h, struct timer *t)
{
	uint32_t i;
	struct timer *last;

	if (t->tm_idx == 0)
		return;
	i = t->tm_idx - 1;
	t->tm_idx = 0;
	last = h->th_v[--h->th_n];
	if (last == t)
		return;
	heap_set(h, i, last);
	heap_up(h, i);
	heap_down(h, last->tm_idx - 1);
}

int timer_arm(struct timer_heap *h, struct timer *t, uint64_t deadline)
{
	timer_cancel(h, t);
	if (h->th_n == h->th_cap) {
		uint32_t cap = h->th_cap * 2;
		struct timer **v = realloc(h->th_v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		h->th_v = v;
		h->th_cap = cap;
	}
	t->tm_deadline = deadline;
	h->th_v[h->th_n] = t;
	h->th_n++;
	heap_up(h, h->th_n - 1);
	return 0;
}

unsigned timer_run(struct timer_heap *h, uint64_t now)
{
	unsigned ran = 0;

	while (h->th_n > 0 && h->th_v[0]->tm_deadline <= now) {
		struct timer *t = h->th_v[0];

		timer_cancel(h, t);
		t->tm_fn(t, t->tm_arg);
		ran++;
	}
	return ran;
}

uint64_t timer_next(const struct timer_heap *h)
{
	return h->th_n > 0 ? h->th_v[0]->tm_deadline : UINT64_MAX;
}
