/* A packet pool that counts every get and put per lcore: the evidence that
 * the worker takes no mbuf per packet. Cache size 0, so each
 * rte_pktmbuf_alloc/free reaches these ops (a ring underneath, as the
 * default ring_mp_mc handler has). */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "bench.h"

#define BENCH_POOL_OPS "bench_count"

static unsigned pool_slot(void)
{
	unsigned id = rte_lcore_id();

	return id < RTE_MAX_LCORE ? id : RTE_MAX_LCORE;
}

static int pool_alloc(struct rte_mempool *mp)
{
	char name[RTE_RING_NAMESIZE + RTE_MEMPOOL_NAMESIZE];
	struct rte_ring *r;

	/* Pool names here are short: the ring name never needs truncating. */
	snprintf(name, sizeof(name), "bpc_%s", mp->name);
	r = rte_ring_create(name, rte_align32pow2(mp->size + 1), mp->socket_id, 0);
	if (r == NULL)
		return -rte_errno;
	mp->pool_data = r;
	return 0;
}

static void pool_free(struct rte_mempool *mp)
{
	rte_ring_free(mp->pool_data);
}

static int pool_enqueue(struct rte_mempool *mp, void *const *obj, unsigned n)
{
	struct bench_pool_count *c = mp->pool_config;

	if (rte_ring_mp_enqueue_bulk(mp->pool_data, obj, n, NULL) == 0)
		return -ENOBUFS;
	if (c != NULL)
		c[pool_slot()].pc_put += n;
	return 0;
}

static int pool_dequeue(struct rte_mempool *mp, void **obj, unsigned n)
{
	struct bench_pool_count *c = mp->pool_config;

	if (rte_ring_mc_dequeue_bulk(mp->pool_data, obj, n, NULL) == 0)
		return -ENOBUFS;
	if (c != NULL)
		c[pool_slot()].pc_get += n;
	return 0;
}

static unsigned pool_count(const struct rte_mempool *mp)
{
	return rte_ring_count(mp->pool_data);
}

static const struct rte_mempool_ops bench_pool_ops = {
	.name = BENCH_POOL_OPS,
	.alloc = pool_alloc,
	.free = pool_free,
	.enqueue = pool_enqueue,
	.dequeue = pool_dequeue,
	.get_count = pool_count,
};

RTE_MEMPOOL_REGISTER_OPS(bench_pool_ops);

/* rte_pktmbuf_pool_create_by_ops, but with our counters as pool_config.
 * Each mbuf has a struct bench_priv in its private area. */
struct rte_mempool *bench_pool_create(const char *name, unsigned n, struct bench_pool_count *c)
{
	uint16_t priv = RTE_ALIGN(sizeof(struct bench_priv), RTE_MBUF_PRIV_ALIGN);
	struct rte_pktmbuf_pool_private pp = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
		.mbuf_priv_size = priv,
	};
	unsigned elt = sizeof(struct rte_mbuf) + priv + RTE_MBUF_DEFAULT_BUF_SIZE;
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, n, elt, 0, sizeof(pp), SOCKET_ID_ANY, 0);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, BENCH_POOL_OPS, c) != 0)
		goto err_free;
	rte_pktmbuf_pool_init(mp, &pp);
	if (rte_mempool_populate_default(mp) < 0)
		goto err_free;
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
err_free:
	rte_mempool_free(mp);
	return NULL;
}
