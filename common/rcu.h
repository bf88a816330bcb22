/* The one publish/retire helper every worker-visible table uses.
 *
 * Workers (readers) register a thread id, report a quiescent state once per
 * loop and go offline around sleeps. The control thread (single writer)
 * builds an object completely, publishes it with one release store, and hands
 * whatever it replaced to rcu_retire(): the free function runs only after
 * every online reader has reported a quiescent state since the retire. */
#ifndef DMVPND_RCU_H
#define DMVPND_RCU_H

#include <stdint.h>

#include <rte_rcu_qsbr.h>

typedef void (*rcu_free_fn)(void *a, void *b);

struct rcu {
	struct rte_rcu_qsbr *rc_qs;
	struct rte_rcu_qsbr_dq *rc_dq;
	uint32_t rc_max_readers;
	uint32_t rc_dq_size; /* most retires that can wait at once */
	uint64_t rc_retired; /* objects handed to rcu_retire */
	uint64_t rc_freed;   /* free functions that have run */
	uint64_t rc_sync;    /* retires that had to wait (defer queue full) */
};

/* Runs on: control thread, before workers start. NULL on failure. */
struct rcu *rcu_create(const char *name, uint32_t max_readers, uint32_t dq_size);
/* Runs on: control thread, after every reader is offline. Frees what is left. */
void rcu_destroy(struct rcu *r);

/* Runs on: control thread. Defers fn(a, b) past a grace period. Never fails:
 * when the defer queue is full it waits for a grace period and frees now. */
void rcu_retire(struct rcu *r, rcu_free_fn fn, void *a, void *b);
/* Runs on: control thread, every loop. Runs the free functions whose grace
 * period is over; returns how many. Never blocks. */
unsigned rcu_reclaim(struct rcu *r);

/* Runs on: the reader's own thread. */
static inline void rcu_reader_online(struct rcu *r, unsigned tid)
{
	rte_rcu_qsbr_thread_online(r->rc_qs, tid);
}
static inline void rcu_reader_offline(struct rcu *r, unsigned tid)
{
	rte_rcu_qsbr_thread_offline(r->rc_qs, tid);
}
static inline void rcu_reader_quiescent(struct rcu *r, unsigned tid)
{
	rte_rcu_qsbr_quiescent(r->rc_qs, tid);
}
int rcu_reader_register(struct rcu *r, unsigned tid);
void rcu_reader_unregister(struct rcu *r, unsigned tid);

/* Pointer publication: one release store, one acquire load. */
#define rcu_publish(slot, obj) __atomic_store_n(&(slot), (obj), __ATOMIC_RELEASE)
#define rcu_deref(slot) __atomic_load_n(&(slot), __ATOMIC_ACQUIRE)

/* A table's generation, for readers that keep what they found beyond a
 * quiescent report. The writer bumps it after every change and before it
 * retires what the change unlinked. An entry a reader found after reading
 * generation g stays valid for as long as a read made after the reader's
 * last quiescent report still returns g: a retire after the bump starts a
 * grace period (a release of the RCU token) that this reader's report can
 * only end by having seen the bump, through that token. */
static inline uint64_t rcu_gen_read(const uint64_t *gen)
{
	return __atomic_load_n(gen, __ATOMIC_ACQUIRE);
}
static inline void rcu_gen_bump(uint64_t *gen)
{
	__atomic_fetch_add(gen, 1, __ATOMIC_RELEASE);
}

#endif
