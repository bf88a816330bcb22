/* The peer table's two paths to a peer: the tunnel subnet's direct index
 * and the hash for everything else. Both must agree with what was
 * published, replaced and retired, scalar and bulk, and a retired entry
 * must stay readable until the reader's grace period ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#include <cmocka.h>

#include "eal_test.h"
#include "peer_table.h"
#include "rcu.h"

#define SUBNET 0x0aff0000u  /* 10.255.0.0/16, indexed directly */
#define OUTSIDE 0xc0a80101u /* 192.168.1.1: hash only */

struct t_pt {
	struct rcu *r;
	struct peer_table pt;
};

static int setup(void **state)
{
	static struct t_pt t;

	t.r = rcu_create("t_pt_rcu", 1, 64);
	assert_non_null(t.r);
	assert_int_equal(peer_table_init(&t.pt, "t_pt", 1000, t.r), 0);
	assert_int_equal(peer_table_index_subnet(&t.pt, SUBNET | 1, 16), 0);
	assert_int_equal(t.pt.pt_direct_size, 65536);
	assert_int_equal(t.pt.pt_direct_base, SUBNET);
	assert_int_equal(rcu_reader_register(t.r, 0), 0);
	rcu_reader_online(t.r, 0);
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct t_pt *t = *state;

	rcu_reader_offline(t->r, 0);
	rcu_reader_unregister(t->r, 0);
	rcu_reclaim(t->r);
	peer_table_fini(&t->pt);
	rcu_destroy(t->r);
	return 0;
}

/* Inside and outside the subnet, scalar and bulk see the same peers. */
static void test_both_paths(void **state)
{
	struct t_pt *t = *state;
	uint32_t keys[6] = {SUBNET + 11,     OUTSIDE,     SUBNET + 12,
			    SUBNET + 0xffff, OUTSIDE + 1, SUBNET + 11};
	const struct peer *out[6];

	assert_true(peer_table_publish(&t->pt, SUBNET + 11, 0xc0000211, PEER_DYNAMIC, NULL) >= 0);
	assert_true(peer_table_publish(&t->pt, OUTSIDE, 0xc0000212, PEER_SHORTCUT, NULL) >= 0);
	assert_true(peer_table_publish(&t->pt, SUBNET + 0xffff, 0xc0000213, PEER_DYNAMIC, NULL) >=
		    0);
	assert_int_equal(peer_table_lookup(&t->pt, SUBNET + 11)->pe_nbma, 0xc0000211);
	assert_int_equal(peer_table_lookup(&t->pt, OUTSIDE)->pe_nbma, 0xc0000212);
	assert_int_equal(peer_table_lookup(&t->pt, SUBNET + 0xffff)->pe_nbma, 0xc0000213);
	assert_null(peer_table_lookup(&t->pt, SUBNET + 12));
	assert_null(peer_table_lookup(&t->pt, OUTSIDE + 1));
	/* The edges of the index: one below and one above are hash keys. */
	assert_null(peer_table_lookup(&t->pt, SUBNET - 1));
	assert_null(peer_table_lookup(&t->pt, SUBNET + 0x10000));
	peer_table_lookup_bulk(&t->pt, keys, 6, out);
	for (unsigned i = 0; i < 6; i++)
		assert_ptr_equal(out[i], peer_table_lookup(&t->pt, keys[i]));
	assert_non_null(out[0]);
	assert_non_null(out[1]);
	assert_null(out[2]);
}

/* Replace keeps the counter slot and swaps the entry in the index; the
 * old entry stays readable until the reader reports; retire empties the
 * slot at once. */
static void test_replace_retire(void **state)
{
	struct t_pt *t = *state;
	const struct peer *old, *now;
	int id;

	id = peer_table_publish(&t->pt, SUBNET + 20, 0xc0000220, PEER_DYNAMIC, NULL);
	assert_true(id >= 0);
	old = peer_table_lookup(&t->pt, SUBNET + 20);
	assert_int_equal(peer_table_publish(&t->pt, SUBNET + 20, 0xc0000221, PEER_DYNAMIC, NULL),
			 id);
	now = peer_table_lookup(&t->pt, SUBNET + 20);
	assert_ptr_not_equal(now, old);
	assert_int_equal(now->pe_nbma, 0xc0000221);
	assert_int_equal(old->pe_nbma, 0xc0000220); /* not freed: we are online */
	assert_ptr_equal(peer_table_lookup_nbma(&t->pt, 0xc0000221), now);
	assert_null(peer_table_lookup_nbma(&t->pt, 0xc0000220));
	peer_table_retire(&t->pt, SUBNET + 20);
	assert_null(peer_table_lookup(&t->pt, SUBNET + 20));
	assert_int_equal(now->pe_nbma, 0xc0000221);
	rcu_reader_quiescent(t->r, 0);
	rcu_reclaim(t->r);
	assert_null(peer_table_lookup(&t->pt, SUBNET + 20));
}

/* A subnet wider than PEER_DIRECT_MIN_PLEN is not indexed: hash only. */
static void test_wide_subnet(void **state)
{
	struct peer_table pt;
	struct rcu *r = rcu_create("t_pt_rcu2", 1, 64);

	(void)state;
	assert_non_null(r);
	assert_int_equal(peer_table_init(&pt, "t_pt2", 16, r), 0);
	assert_int_equal(peer_table_index_subnet(&pt, 0x64400001, PEER_DIRECT_MIN_PLEN - 1), 0);
	assert_int_equal(pt.pt_direct_size, 0);
	assert_true(peer_table_publish(&pt, 0x64400002, 0xc0000202, PEER_DYNAMIC, NULL) >= 0);
	assert_int_equal(peer_table_lookup(&pt, 0x64400002)->pe_nbma, 0xc0000202);
	peer_table_fini(&pt);
	rcu_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_both_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_retire, setup, teardown),
		cmocka_unit_test(test_wide_subnet),
	};

	return EAL_TEST_MAIN("test_peer_table", tests, NULL, NULL);
}
