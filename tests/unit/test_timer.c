/* Control timers on a fake clock: order, re-arm, cancel, arming from inside
 * a callback, and a randomised heap check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "timer.h"

struct rec {
	int order[64];
	int n;
};

struct tt {
	struct timer t;
	struct rec *rec;
	int id;
	struct timer_heap *rearm_heap;
	uint64_t rearm_at;
};

static void fire(struct timer *t, void *arg)
{
	struct tt *x = arg;

	(void)t;
	x->rec->order[x->rec->n++] = x->id;
	if (x->rearm_heap != NULL) {
		struct timer_heap *h = x->rearm_heap;

		x->rearm_heap = NULL;
		timer_arm(h, &x->t, x->rearm_at);
	}
}

static void test_order_and_cancel(void **state)
{
	struct timer_heap h;
	struct rec rec = {.n = 0};
	struct tt x[5];
	const uint64_t at[5] = {50, 10, 30, 20, 40};

	(void)state;
	assert_int_equal(timer_heap_init(&h), 0);
	for (int i = 0; i < 5; i++) {
		x[i] = (struct tt){.rec = &rec, .id = i};
		timer_init(&x[i].t, fire, &x[i]);
		assert_int_equal(timer_arm(&h, &x[i].t, at[i]), 0);
	}
	assert_int_equal(timer_next(&h), 10);
	timer_cancel(&h, &x[2].t); /* the one at 30 */
	assert_false(timer_is_armed(&x[2].t));
	assert_int_equal(timer_run(&h, 9), 0);
	assert_int_equal(timer_run(&h, 40), 3);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.order[0], 1);
	assert_int_equal(rec.order[1], 3);
	assert_int_equal(rec.order[2], 4);
	/* Re-arming an armed timer moves it. */
	timer_arm(&h, &x[0].t, 100);
	assert_int_equal(timer_next(&h), 100);
	assert_int_equal(timer_run(&h, 1000), 1);
	assert_int_equal(timer_next(&h), UINT64_MAX);
	timer_heap_fini(&h);
}

static void test_rearm_from_callback(void **state)
{
	struct timer_heap h;
	struct rec rec = {.n = 0};
	struct tt x = {.rec = &rec, .id = 7};

	(void)state;
	timer_heap_init(&h);
	timer_init(&x.t, fire, &x);
	x.rearm_heap = &h;
	x.rearm_at = 20;
	timer_arm(&h, &x.t, 10);
	/* Fires at 10, re-arms for 20, which is also due: runs again. */
	assert_int_equal(timer_run(&h, 25), 2);
	assert_false(timer_is_armed(&x.t));
	timer_heap_fini(&h);
}

static void test_random_heap(void **state)
{
	enum { N = 1000 };
	struct timer_heap h;
	struct rec rec = {.n = 0};
	struct tt *x = calloc(N, sizeof(*x));
	uint64_t last = 0;

	(void)state;
	srand(1);
	timer_heap_init(&h);
	for (int i = 0; i < N; i++) {
		x[i].rec = &rec;
		timer_init(&x[i].t, fire, &x[i]);
		timer_arm(&h, &x[i].t, (uint64_t)(rand() % 10000));
	}
	for (int i = 0; i < N; i += 3)
		timer_cancel(&h, &x[i].t);
	while (timer_next(&h) != UINT64_MAX) {
		uint64_t t = timer_next(&h);

		assert_true(t >= last);
		last = t;
		rec.n = 0;
		timer_run(&h, t);
	}
	for (int i = 0; i < N; i++)
		assert_false(timer_is_armed(&x[i].t));
	timer_heap_fini(&h);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_cancel),
		cmocka_unit_test(test_rearm_from_callback),
		cmocka_unit_test(test_random_heap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
