/* RCU helper: one rte_rcu_qsbr variable and one defer queue for all tables. */
#include "rcu.h"

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

struct rcu_deferred {
	rcu_free_fn fn;
	void *a;
	void *b;
};

static void rcu_dq_free(void *p, void *e, unsigned int n)
{
	struct rcu *r = p;
	struct rcu_deferred *d = e;

	for (unsigned int i = 0; i < n; i++) {
		d[i].fn(d[i].a, d[i].b);
		r->rc_freed++;
	}
}

struct rcu *rcu_create(const char *name, uint32_t max_readers, uint32_t dq_size)
{
	struct rte_rcu_qsbr_dq_parameters params;
	struct rcu *r;
	size_t sz = rte_rcu_qsbr_get_memsize(max_readers);

	r = rte_zmalloc("rcu", sizeof(*r), RTE_CACHE_LINE_SIZE);
	if (r == NULL)
		return NULL;
	r->rc_qs = rte_zmalloc("rcu_qs", sz, RTE_CACHE_LINE_SIZE);
	if (r->rc_qs == NULL || rte_rcu_qsbr_init(r->rc_qs, max_readers) != 0)
		goto err_free;
	r->rc_max_readers = max_readers;
	r->rc_dq_size = dq_size;

	memset(&params, 0, sizeof(params));
	params.name = name;
	params.size = dq_size;
	params.esize = sizeof(struct rcu_deferred);
	/* Reclaim is driven by the control loop (rcu_reclaim), and by enqueue
	 * only when the queue is full. */
	params.trigger_reclaim_limit = dq_size + 1;
	params.max_reclaim_size = dq_size;
	params.free_fn = rcu_dq_free;
	params.p = r;
	params.v = r->rc_qs;
	r->rc_dq = rte_rcu_qsbr_dq_create(&params);
	if (r->rc_dq == NULL)
		goto err_free;
	return r;

err_free:
	rte_free(r->rc_qs);
	rte_free(r);
	return NULL;
}

void rcu_destroy(struct rcu *r)
{
	if (r == NULL)
		return;
	/* Every reader is offline by now: the grace period is immediate. */
	if (rte_rcu_qsbr_dq_delete(r->rc_dq) != 0) {
		/* A reader is still online: leaking beats freeing under it. */
		RTE_LOG(ERR, USER1, "rcu: reader still online at destroy, leaking\n");
		return;
	}
	rte_free(r->rc_qs);
	rte_free(r);
}

int rcu_reader_register(struct rcu *r, unsigned tid)
{
	if (tid >= r->rc_max_readers)
		return -EINVAL;
	return rte_rcu_qsbr_thread_register(r->rc_qs, tid);
}

void rcu_reader_unregister(struct rcu *r, unsigned tid)
{
	rte_rcu_qsbr_thread_unregister(r->rc_qs, tid);
}

void rcu_retire(struct rcu *r, rcu_free_fn fn, void *a, void *b)
{
	struct rcu_deferred d = {.fn = fn, .a = a, .b = b};

	r->rc_retired++;
	if (rte_rcu_qsbr_dq_enqueue(r->rc_dq, &d) == 0)
		return;
	/* Queue full even after its own reclaim: wait out a grace period. The
	 * workers report every loop, so this costs at most one loop of each. */
	r->rc_sync++;
	rte_rcu_qsbr_synchronize(r->rc_qs, RTE_QSBR_THRID_INVALID);
	fn(a, b);
	r->rc_freed++;
}

unsigned rcu_reclaim(struct rcu *r)
{
	unsigned int freed = 0, pending = 0, avail = 0;

	rte_rcu_qsbr_dq_reclaim(r->rc_dq, UINT32_MAX, &freed, &pending, &avail);
	return freed;
}
