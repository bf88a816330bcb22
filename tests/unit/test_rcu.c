/* The RCU helper: nothing retired is freed while a reader is inside its
 * critical section, and it is freed once every reader has reported; the
 * neighbour table and FIB built on it keep old entries alive likewise. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>

#include <cmocka.h>
#include <rte_malloc.h>

#include "eal_test.h"
#include "fib.h"
#include "neigh.h"
#include "rcu.h"

static int freed_count;

static void count_free(void *a, void *b)
{
	int *flag = a;

	(void)b;
	*flag = 1;
	freed_count++;
}

static void test_retire_waits_for_reader(void **state)
{
	struct rcu *r = rcu_create("t_rcu1", 2, 64);
	int flag = 0;

	(void)state;
	assert_non_null(r);
	assert_int_equal(rcu_reader_register(r, 0), 0);
	rcu_reader_online(r, 0);
	/* The reader is inside its critical section: it has not reported. */
	rcu_retire(r, count_free, &flag, NULL);
	assert_int_equal(rcu_reclaim(r), 0);
	assert_int_equal(flag, 0);
	assert_int_equal(rcu_reclaim(r), 0);
	assert_int_equal(flag, 0);
	/* A quiescent report ends the grace period. */
	rcu_reader_quiescent(r, 0);
	assert_int_equal(rcu_reclaim(r), 1);
	assert_int_equal(flag, 1);
	rcu_reader_offline(r, 0);
	rcu_reader_unregister(r, 0);
	rcu_destroy(r);
}

static void test_offline_reader_does_not_block(void **state)
{
	struct rcu *r = rcu_create("t_rcu2", 2, 64);
	int flag = 0;

	(void)state;
	assert_int_equal(rcu_reader_register(r, 1), 0);
	rcu_reader_online(r, 1);
	rcu_reader_offline(r, 1); /* a sleeping worker */
	rcu_retire(r, count_free, &flag, NULL);
	assert_int_equal(rcu_reclaim(r), 1);
	assert_int_equal(flag, 1);
	rcu_reader_unregister(r, 1);
	rcu_destroy(r);
}

static void test_full_queue_synchronizes(void **state)
{
	struct rcu *r = rcu_create("t_rcu3", 1, 4);
	int flags[16] = {0};

	(void)state;
	/* No reader online: retire past the queue size frees synchronously. */
	for (int i = 0; i < 16; i++)
		rcu_retire(r, count_free, &flags[i], NULL);
	rcu_reclaim(r);
	for (int i = 0; i < 16; i++)
		assert_int_equal(flags[i], 1);
	assert_true(r->rc_retired == 16 && r->rc_freed == 16);
	rcu_destroy(r);
}

/* A real reader thread dereferences a published object for as long as it is
 * online; the writer replaces it many times. The free function poisons the
 * object before releasing it, so a premature free shows as a bad magic. */
#define MAGIC 0x5ca1ab1eu
struct obj {
	uint32_t magic;
	uint32_t gen;
};
struct shared {
	struct rcu *r;
	struct obj *cur;
	volatile int stop;
	volatile uint64_t bad, reads;
};

static void obj_free(void *a, void *b)
{
	struct obj *o = a;

	(void)b;
	o->magic = 0xdeadbeef;
	free(o);
}

static void *reader_main(void *arg)
{
	struct shared *s = arg;

	rcu_reader_online(s->r, 0);
	while (!s->stop) {
		for (int i = 0; i < 64; i++) {
			const struct obj *o = rcu_deref(s->cur);

			if (o->magic != MAGIC)
				s->bad++;
			s->reads++;
		}
		rcu_reader_quiescent(s->r, 0);
	}
	rcu_reader_offline(s->r, 0);
	return NULL;
}

static void test_threaded_reader(void **state)
{
	struct shared s = {.r = rcu_create("t_rcu4", 1, 1024)};
	pthread_t th;

	(void)state;
	s.cur = calloc(1, sizeof(*s.cur));
	s.cur->magic = MAGIC;
	assert_int_equal(rcu_reader_register(s.r, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &s), 0);
	while (s.reads == 0)
		sched_yield(); /* the reader is online and reading */
	for (uint32_t g = 1; g <= 20000; g++) {
		struct obj *n = calloc(1, sizeof(*n)), *old = s.cur;

		n->magic = MAGIC;
		n->gen = g;
		rcu_publish(s.cur, n);
		rcu_retire(s.r, obj_free, old, NULL);
		rcu_reclaim(s.r);
	}
	s.stop = 1;
	pthread_join(th, NULL);
	rcu_reclaim(s.r);
	assert_int_equal(s.bad, 0);
	assert_true(s.reads > 0);
	assert_true(s.r->rc_freed == 20000);
	obj_free(s.cur, NULL);
	rcu_reader_unregister(s.r, 0);
	rcu_destroy(s.r);
}

static void test_neigh_replace_keeps_old_until_qs(void **state)
{
	struct rcu *r = rcu_create("t_rcu5", 1, 64);
	struct neigh_table nt;
	struct rte_ether_addr m1 = {{2, 0, 0, 0, 0, 1}}, m2 = {{2, 0, 0, 0, 0, 2}};
	const struct neigh_entry *e1, *e2;

	(void)state;
	assert_int_equal(neigh_table_init(&nt, "t_neigh", 64, r), 0);
	assert_int_equal(rcu_reader_register(r, 0), 0);
	rcu_reader_online(r, 0);
	assert_null(neigh_table_lookup(&nt, 0, 0x0a000001));
	assert_int_equal(neigh_table_publish(&nt, 0, 0x0a000001, &m1), 0);
	e1 = neigh_table_lookup(&nt, 0, 0x0a000001);
	assert_non_null(e1);
	assert_int_equal(neigh_table_publish(&nt, 0, 0x0a000001, &m2), 0);
	e2 = neigh_table_lookup(&nt, 0, 0x0a000001);
	assert_true(rte_is_same_ether_addr(&e2->ne_mac, &m2));
	/* The reader still holds e1: it must remain intact. */
	assert_int_equal(rcu_reclaim(r), 0);
	assert_true(rte_is_same_ether_addr(&e1->ne_mac, &m1));
	rcu_reader_quiescent(r, 0);
	assert_int_equal(rcu_reclaim(r), 1);
	neigh_table_retire(&nt, 0, 0x0a000001);
	assert_null(neigh_table_lookup(&nt, 0, 0x0a000001));
	rcu_reader_quiescent(r, 0);
	assert_int_equal(rcu_reclaim(r), 2);
	rcu_reader_offline(r, 0);
	neigh_table_fini(&nt);
	rcu_reader_unregister(r, 0);
	rcu_destroy(r);
}

static void test_fib_lookup_and_replace(void **state)
{
	struct rcu *r = rcu_create("t_rcu6", 1, 256);
	struct fib f;
	struct fib_nh a = {.nh_type = FIB_NH_CONNECTED, .nh_port = 1};
	struct fib_nh b = {.nh_type = FIB_NH_GATEWAY, .nh_port = 0, .nh_gw = 0xc0000202};
	const struct fib_nh *nh;

	(void)state;
	assert_int_equal(fib_init(&f, "t_fib", 64, r), 0);
	assert_int_equal(fib_route_add(&f, 0x0a000000, 8, &a, FIB_SRC_STATIC), 0);
	assert_int_equal(fib_route_add(&f, 0x0a010000, 16, &b, FIB_SRC_STATIC), 0);
	nh = fib_lookup(&f, 0x0a010203);
	assert_non_null(nh);
	assert_int_equal(nh->nh_type, FIB_NH_GATEWAY);
	nh = fib_lookup(&f, 0x0a020203);
	assert_int_equal(nh->nh_type, FIB_NH_CONNECTED);
	assert_null(fib_lookup(&f, 0x0b000001));
	/* Host bits in the prefix are ignored, as on any router. */
	assert_non_null(fib_route_find(&f, 0x0a0000ff, 8));
	assert_int_equal(fib_route_add(&f, 0x0a000000, 8, &b, FIB_SRC_STATIC), 0);
	assert_int_equal(f.fb_nroutes, 2);
	assert_int_equal(fib_route_del(&f, 0x0a010000, 16), 0);
	assert_int_equal(fib_lookup(&f, 0x0a010203)->nh_type, FIB_NH_GATEWAY);
	assert_int_equal(fib_route_del(&f, 0x0a010000, 16), -ENOENT);
	/* A default route lives beside rte_lpm (which has no depth 0). */
	assert_null(fib_lookup(&f, 0x0b000001));
	assert_int_equal(fib_route_add(&f, 0, 0, &a, FIB_SRC_STATIC), 0);
	assert_int_equal(fib_lookup(&f, 0x0b000001)->nh_type, FIB_NH_CONNECTED);
	assert_int_equal(fib_lookup(&f, 0x0a010203)->nh_type, FIB_NH_GATEWAY);
	assert_int_equal(fib_route_del(&f, 0, 0), 0);
	assert_null(fib_lookup(&f, 0x0b000001));
	rcu_reclaim(r);
	fib_fini(&f);
	rcu_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retire_waits_for_reader),
		cmocka_unit_test(test_offline_reader_does_not_block),
		cmocka_unit_test(test_full_queue_synchronizes),
		cmocka_unit_test(test_threaded_reader),
		cmocka_unit_test(test_neigh_replace_keeps_old_until_qs),
		cmocka_unit_test(test_fib_lookup_and_replace),
	};

	return EAL_TEST_MAIN("test_rcu", tests, NULL, NULL);
}
