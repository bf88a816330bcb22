/* The FIB's shared next-hop slots: routes with the same next hop hold one
 * refcounted slot, a slot outlives its last route by a grace period, a
 * replace moves the references, a full table says -ENOSPC, and many routes
 * through a few tunnel next hops take a few slots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#include <cmocka.h>

#include "eal_test.h"
#include "fib.h"
#include "rcu.h"

static const struct fib_nh nh_tun1 = {.nh_type = FIB_NH_TUNNEL, .nh_port = 0, .nh_gw = 0x0aff000b};
static const struct fib_nh nh_tun2 = {.nh_type = FIB_NH_TUNNEL, .nh_port = 0, .nh_gw = 0x0aff000c};
static const struct fib_nh nh_gw = {.nh_type = FIB_NH_GATEWAY, .nh_port = 1, .nh_gw = 0x0aff000b};

struct t_fib {
	struct rcu *r;
	struct fib f;
};

static int t_setup(void **state, uint32_t max_routes)
{
	static struct t_fib t;

	t.r = rcu_create("t_fib_rcu", 1, 64);
	assert_non_null(t.r);
	assert_int_equal(fib_init(&t.f, "t_fib", max_routes, t.r), 0);
	/* A reader inside its critical section: nothing retired is freed
	 * until it reports. */
	assert_int_equal(rcu_reader_register(t.r, 0), 0);
	rcu_reader_online(t.r, 0);
	*state = &t;
	return 0;
}

static int setup_small(void **state)
{
	return t_setup(state, 64);
}

static int setup_big(void **state)
{
	return t_setup(state, 100064);
}

static int teardown(void **state)
{
	struct t_fib *t = *state;

	rcu_reader_offline(t->r, 0);
	rcu_reader_unregister(t->r, 0);
	rcu_reclaim(t->r);
	fib_fini(&t->f);
	rcu_destroy(t->r);
	return 0;
}

/* Let the reader report and run what was retired. */
static unsigned t_grace(struct t_fib *t)
{
	rcu_reader_quiescent(t->r, 0);
	return rcu_reclaim(t->r);
}

static void test_same_nh_one_slot(void **state)
{
	struct t_fib *t = *state;
	struct fib *f = &t->f;
	const struct fib_route *a, *b;
	uint32_t idx, nfree = f->fb_nfree;

	assert_int_equal(fib_route_add(f, 0x0a010000, 24, &nh_tun1, FIB_SRC_NHRP), 0);
	assert_int_equal(fib_route_add(f, 0x0a020000, 24, &nh_tun1, FIB_SRC_STATIC), 0);
	a = fib_route_find(f, 0x0a010000, 24);
	b = fib_route_find(f, 0x0a020000, 24);
	assert_non_null(a);
	assert_non_null(b);
	idx = a->rt_nh_idx;
	assert_int_equal(b->rt_nh_idx, idx);
	assert_int_equal(f->fb_nh_used, 1);
	assert_int_equal(f->fb_nfree, nfree - 1);
	assert_int_equal(fib_nh_routes(f, &nh_tun1), 2);
	/* Same gateway, other type and port: another next hop. */
	assert_int_equal(fib_nh_routes(f, &nh_gw), 0);
	assert_ptr_equal(fib_lookup(f, 0x0a010001), fib_lookup(f, 0x0a020001));
	assert_int_equal(fib_lookup(f, 0x0a020001)->nh_gw, nh_tun1.nh_gw);

	/* Delete one: the slot stays, the other route still forwards. */
	assert_int_equal(fib_route_del(f, 0x0a010000, 24), 0);
	assert_null(fib_lookup(f, 0x0a010001));
	assert_int_equal(fib_nh_routes(f, &nh_tun1), 1);
	assert_int_equal(f->fb_nh_used, 1);
	assert_int_equal(t_grace(t), 0);
	assert_int_equal(f->fb_nh[idx].nh_gw, nh_tun1.nh_gw);
	assert_int_equal(fib_lookup(f, 0x0a020001)->nh_type, FIB_NH_TUNNEL);

	/* Delete the last: unlinked now, slot freed after the grace period. */
	assert_int_equal(fib_route_del(f, 0x0a020000, 24), 0);
	assert_int_equal(fib_nh_routes(f, &nh_tun1), 0);
	assert_int_equal(f->fb_nh_used, 0);
	assert_int_equal(f->fb_nh[idx].nh_gw, nh_tun1.nh_gw); /* the reader may still hold idx */
	assert_int_equal(f->fb_nfree, nfree - 1);
	assert_int_equal(t_grace(t), 1);
	assert_int_equal(f->fb_nh[idx].nh_gw, 0); /* cleared, back on the free stack */
	assert_int_equal(f->fb_nfree, nfree);
	assert_int_equal(f->fb_nroutes, 0);
}

static void test_replace_moves_refs(void **state)
{
	struct t_fib *t = *state;
	struct fib *f = &t->f;
	uint32_t i1, i2;

	assert_int_equal(fib_route_add(f, 0x0a010000, 24, &nh_tun1, FIB_SRC_NHRP), 0);
	assert_int_equal(fib_route_add(f, 0x0a020000, 24, &nh_tun1, FIB_SRC_NHRP), 0);
	i1 = fib_route_find(f, 0x0a010000, 24)->rt_nh_idx;
	/* Replace with a new next hop: a second slot, the first keeps one route. */
	assert_int_equal(fib_route_add(f, 0x0a010000, 24, &nh_tun2, FIB_SRC_NHRP), 0);
	i2 = fib_route_find(f, 0x0a010000, 24)->rt_nh_idx;
	assert_int_not_equal(i1, i2);
	assert_int_equal(f->fb_nroutes, 2);
	assert_int_equal(f->fb_nh_used, 2);
	assert_int_equal(fib_nh_routes(f, &nh_tun1), 1);
	assert_int_equal(fib_nh_routes(f, &nh_tun2), 1);
	assert_int_equal(fib_lookup(f, 0x0a010001)->nh_gw, nh_tun2.nh_gw);
	assert_int_equal(fib_lookup(f, 0x0a020001)->nh_gw, nh_tun1.nh_gw);
	assert_int_equal(t_grace(t), 0);
	/* Replace the other one too: the first next hop goes. */
	assert_int_equal(fib_route_add(f, 0x0a020000, 24, &nh_tun2, FIB_SRC_NHRP), 0);
	assert_int_equal(fib_route_find(f, 0x0a020000, 24)->rt_nh_idx, i2);
	assert_int_equal(fib_nh_routes(f, &nh_tun1), 0);
	assert_int_equal(fib_nh_routes(f, &nh_tun2), 2);
	assert_int_equal(f->fb_nh_used, 1);
	assert_int_equal(f->fb_nh[i1].nh_gw, nh_tun1.nh_gw);
	assert_int_equal(t_grace(t), 1);
	assert_int_equal(f->fb_nh[i1].nh_gw, 0);
	/* The same next hop again: only the source changes. */
	assert_int_equal(fib_route_add(f, 0x0a020000, 24, &nh_tun2, FIB_SRC_STATIC), 0);
	assert_int_equal(fib_route_find(f, 0x0a020000, 24)->rt_source, FIB_SRC_STATIC);
	assert_int_equal(fib_nh_routes(f, &nh_tun2), 2);
	assert_int_equal(t_grace(t), 0);
	/* The default route shares slots the same way. */
	assert_int_equal(fib_route_add(f, 0, 0, &nh_tun2, FIB_SRC_STATIC), 0);
	assert_int_equal(fib_nh_routes(f, &nh_tun2), 3);
	assert_int_equal(fib_lookup(f, 0x0b000001)->nh_gw, nh_tun2.nh_gw);
	assert_int_equal(fib_route_del(f, 0, 0), 0);
	assert_null(fib_lookup(f, 0x0b000001));
	assert_int_equal(fib_nh_routes(f, &nh_tun2), 2);
}

static void test_full_is_enospc(void **state)
{
	struct t_fib *t = *state;
	struct fib *f = &t->f;
	struct fib_nh nh = {.nh_type = FIB_NH_TUNNEL};

	/* Every route with its own next hop: the worst case for slots. */
	for (uint32_t i = 0; i < f->fb_max_routes; i++) {
		nh.nh_gw = 0x64400000u + i;
		assert_int_equal(fib_route_add(f, 0x10000000u + (i << 8), 24, &nh, FIB_SRC_NHRP),
				 0);
	}
	assert_int_equal(f->fb_nroutes, 64);
	nh.nh_gw = 0x64500000u;
	assert_int_equal(fib_route_add(f, 0x20000000u, 24, &nh, FIB_SRC_NHRP), -ENOSPC);
	assert_int_equal(fib_route_add(f, 0x20000000u, 24, &nh_tun1, FIB_SRC_NHRP), -ENOSPC);
	assert_null(fib_route_find(f, 0x20000000u, 24));
	assert_int_equal(fib_nh_routes(f, &nh), 0);
	/* Replacing at capacity still works, again and again, with the
	 * reader holding back every retired slot: next hops never run out
	 * before routes do. */
	for (uint32_t i = 0; i < 64; i++) {
		nh.nh_gw = 0x64500000u + i;
		assert_int_equal(fib_route_add(f, 0x10000000u + (i << 8), 24, &nh, FIB_SRC_NHRP),
				 0);
	}
	assert_int_equal(f->fb_nh_used, 64);
	assert_int_equal(t_grace(t), 64);
	/* One route goes: one comes in. */
	assert_int_equal(fib_route_del(f, 0x10000000u, 24), 0);
	assert_int_equal(fib_route_add(f, 0x20000000u, 24, &nh_tun1, FIB_SRC_NHRP), 0);
	assert_int_equal(fib_lookup(f, 0x20000001u)->nh_gw, nh_tun1.nh_gw);
	assert_null(fib_lookup(f, 0x10000001u));
	assert_int_equal(fib_lookup(f, 0x10000101u)->nh_gw, 0x64500001u);
}

/* A hub's shape: 100 000 routes to spokes' LANs through ten tunnel next
 * hops (e.g. ten upstream hubs, or summaries): ten slots. */
static void test_100k_routes_few_slots(void **state)
{
	struct t_fib *t = *state;
	struct fib *f = &t->f;
	struct fib_nh nh = {.nh_type = FIB_NH_TUNNEL};
	const uint32_t n = 100000;

	for (uint32_t i = 0; i < n; i++) {
		nh.nh_gw = 0x64400001u + i % 10;
		assert_int_equal(fib_route_add(f, 0x10000000u + (i << 8), 24, &nh, FIB_SRC_NHRP),
				 0);
	}
	assert_int_equal(f->fb_nroutes, n);
	assert_int_equal(f->fb_nh_used, 10);
	nh.nh_gw = 0x64400001u;
	assert_int_equal(fib_nh_routes(f, &nh), n / 10);
	for (uint32_t i = 0; i < n; i += 9973)
		assert_int_equal(fib_lookup(f, 0x10000000u + (i << 8) + 7)->nh_gw,
				 0x64400001u + i % 10);
	/* Half of them move to one next hop: still ten slots at most. */
	for (uint32_t i = 0; i < n; i += 2)
		assert_int_equal(fib_route_add(f, 0x10000000u + (i << 8), 24, &nh, FIB_SRC_NHRP),
				 0);
	assert_true(f->fb_nh_used <= 10);
	assert_int_equal(fib_lookup(f, 0x10000000u + (4 << 8) + 1)->nh_gw, 0x64400001u);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(fib_route_del(f, 0x10000000u + (i << 8), 24), 0);
	assert_int_equal(f->fb_nroutes, 0);
	assert_int_equal(f->fb_nh_used, 0);
	t_grace(t);
	assert_int_equal(f->fb_nfree, f->fb_nh_max);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_nh_one_slot, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_replace_moves_refs, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_full_is_enospc, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_100k_routes_few_slots, setup_big, teardown),
	};

	return EAL_TEST_MAIN("test_fib", tests, NULL, NULL);
}
