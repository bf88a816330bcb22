/* FIB writer side: LPM rules, shared refcounted next-hop slots, the route
 * list and the two control-side indexes (route by prefix, slot by next hop). */
#include "fib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_malloc.h>

#include "hash_keys.h"
#include "inet.h"

const char *fib_source_name(enum fib_source s)
{
	static const char *const names[] = {
		[FIB_SRC_CONNECTED] = "connected", [FIB_SRC_LOCAL] = "local",
		[FIB_SRC_STATIC] = "static",       [FIB_SRC_NHRP] = "nhrp",
		[FIB_SRC_KERNEL] = "kernel",
	};
	return (unsigned)s < RTE_DIM(names) ? names[s] : "?";
}

/* Index keys: struct fib_nh has padding, so both are packed into 8 bytes. */
static uint64_t fib_nh_key(const struct fib_nh *nh)
{
	return (uint64_t)nh->nh_type << 48 | (uint64_t)nh->nh_port << 32 | nh->nh_gw;
}

static uint64_t fib_rt_key(uint32_t prefix, uint8_t len)
{
	return (uint64_t)len << 32 | prefix;
}

/* A control-only index: never read by workers, so no lock-free flag; the
 * extendable table guarantees room for `entries` keys whatever they hash to. */
static struct rte_hash *fib_index_create(const char *name, const char *suffix, uint32_t entries)
{
	char n[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = n,
		.entries = RTE_MAX(entries, 16u),
		.key_len = sizeof(uint64_t),
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash *h;

	snprintf(n, sizeof(n), "%s_%s", name, suffix);
	h = rte_hash_create(&p);
	if (h != NULL)
		rte_hash_set_cmp_func(h, hash_cmp_u64);
	return h;
}

int fib_init(struct fib *f, const char *name, uint32_t max_routes, struct rcu *rcu)
{
	struct rte_lpm_config lc = {
		.max_rules = max_routes,
		.number_tbl8s = 256 + max_routes / 16,
		.flags = 0,
	};
	struct rte_lpm_rcu_config rc = {.v = rcu->rc_qs, .mode = RTE_LPM_QSBR_MODE_DQ};

	memset(f, 0, sizeof(*f));
	if (max_routes == 0)
		return -EINVAL;
	f->fb_rcu = rcu;
	f->fb_default = UINT32_MAX;
	f->fb_max_routes = max_routes;
	/* One slot per route at worst, one more for a replace at capacity
	 * (new slot before the old one retires), and the retiring ones. */
	f->fb_nh_max = max_routes + 1 + rcu->rc_dq_size;
	f->fb_lpm = rte_lpm_create(name, SOCKET_ID_ANY, &lc);
	f->fb_nh = rte_zmalloc("fib_nh", f->fb_nh_max * sizeof(*f->fb_nh), 64);
	f->fb_nh_refs = calloc(f->fb_nh_max, sizeof(*f->fb_nh_refs));
	f->fb_free = malloc(f->fb_nh_max * sizeof(*f->fb_free));
	f->fb_routes = calloc(max_routes, sizeof(*f->fb_routes));
	f->fb_nh_index = fib_index_create(name, "nh", f->fb_nh_max);
	f->fb_rt_index = fib_index_create(name, "rt", max_routes);
	if (f->fb_lpm == NULL || f->fb_nh == NULL || f->fb_nh_refs == NULL || f->fb_free == NULL ||
	    f->fb_routes == NULL || f->fb_nh_index == NULL || f->fb_rt_index == NULL ||
	    rte_lpm_rcu_qsbr_add(f->fb_lpm, &rc) != 0) {
		fib_fini(f);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < f->fb_nh_max; i++)
		f->fb_free[i] = f->fb_nh_max - 1 - i;
	f->fb_nfree = f->fb_nh_max;
	return 0;
}

void fib_fini(struct fib *f)
{
	rte_free(f->fb_nh);
	rte_lpm_free(f->fb_lpm);
	rte_hash_free(f->fb_nh_index);
	rte_hash_free(f->fb_rt_index);
	free(f->fb_nh_refs);
	free(f->fb_free);
	free(f->fb_routes);
	memset(f, 0, sizeof(*f));
}

static struct fib_route *fib_route_slot(const struct fib *f, uint32_t prefix, uint8_t len)
{
	uint64_t key = fib_rt_key(prefix, len);
	void *data;

	if (rte_hash_lookup_data(f->fb_rt_index, &key, &data) < 0)
		return NULL;
	return &f->fb_routes[(uintptr_t)data];
}

const struct fib_route *fib_route_find(const struct fib *f, uint32_t prefix, uint8_t len)
{
	return fib_route_slot(f, prefix & inet_v4_mask(len), len);
}

static int32_t fib_nh_find(const struct fib *f, const struct fib_nh *nh)
{
	uint64_t key = fib_nh_key(nh);
	void *data;

	if (rte_hash_lookup_data(f->fb_nh_index, &key, &data) < 0)
		return -1;
	return (int32_t)(uintptr_t)data;
}

uint32_t fib_nh_routes(const struct fib *f, const struct fib_nh *nh)
{
	int32_t idx = fib_nh_find(f, nh);

	return idx < 0 ? 0 : f->fb_nh_refs[idx];
}

/* Deferred: no reader holds the slot's index any more; it is reusable. */
static void fib_nh_free(void *a, void *b)
{
	struct fib *f = a;
	uint32_t idx = (uint32_t)(uintptr_t)b;

	memset(&f->fb_nh[idx], 0, sizeof(f->fb_nh[idx]));
	f->fb_free[f->fb_nfree++] = idx;
}

/* A reference on the slot holding nh: the existing one, or a new slot
 * published before any LPM entry points at it. */
static int fib_nh_get(struct fib *f, const struct fib_nh *nh, uint32_t *out)
{
	int32_t found = fib_nh_find(f, nh);
	uint64_t key = fib_nh_key(nh);
	uint32_t idx;

	if (found >= 0) {
		f->fb_nh_refs[found]++;
		*out = (uint32_t)found;
		return 0;
	}
	/* Sized so that this cannot happen (see fib_init); kept as a guard. */
	if (f->fb_nfree == 0)
		return -ENOSPC;
	idx = f->fb_free[f->fb_nfree - 1];
	if (rte_hash_add_key_data(f->fb_nh_index, &key, (void *)(uintptr_t)idx) < 0)
		return -ENOMEM;
	f->fb_nfree--;
	f->fb_nh_refs[idx] = 1;
	f->fb_nh_used++;
	f->fb_nh[idx].nh_type = nh->nh_type;
	f->fb_nh[idx].nh_port = nh->nh_port;
	f->fb_nh[idx].nh_gw = nh->nh_gw;
	/* Written before the LPM entry (or default slot) that names it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*out = idx;
	return 0;
}

/* Drop a reference; the last one unlinks the next hop and retires its slot
 * (readers may still hold the index from an LPM lookup). */
static void fib_nh_put(struct fib *f, uint32_t idx)
{
	uint64_t key;

	if (--f->fb_nh_refs[idx] != 0)
		return;
	key = fib_nh_key(&f->fb_nh[idx]);
	rte_hash_del_key(f->fb_nh_index, &key);
	f->fb_nh_used--;
	rcu_retire(f->fb_rcu, fib_nh_free, f, (void *)(uintptr_t)idx);
}

int fib_route_add(struct fib *f, uint32_t prefix, uint8_t len, const struct fib_nh *nh,
		  enum fib_source src)
{
	struct fib_route *rt;
	uint64_t key;
	uint32_t idx, pos;
	int rc;

	prefix &= inet_v4_mask(len);
	rt = fib_route_slot(f, prefix, len);
	if (rt == NULL && f->fb_nroutes == f->fb_max_routes)
		return -ENOSPC;
	rc = fib_nh_get(f, nh, &idx);
	if (rc != 0)
		return rc;
	if (rt != NULL && rt->rt_nh_idx == idx) {
		/* Same next hop: nothing changes for the workers. */
		f->fb_nh_refs[idx]--;
		rt->rt_source = (uint8_t)src;
		return 0;
	}
	pos = rt != NULL ? (uint32_t)(rt - f->fb_routes) : f->fb_nroutes;
	key = fib_rt_key(prefix, len);
	if (rt == NULL && rte_hash_add_key_data(f->fb_rt_index, &key, (void *)(uintptr_t)pos) < 0) {
		fib_nh_put(f, idx);
		return -ENOMEM;
	}
	/* The LPM entry (or the default slot) switches to the new index in
	 * one store. */
	if (len == 0)
		rcu_publish(f->fb_default, idx);
	else if (rte_lpm_add(f->fb_lpm, prefix, len, idx) != 0) {
		if (rt == NULL)
			rte_hash_del_key(f->fb_rt_index, &key);
		fib_nh_put(f, idx);
		return -ENOSPC;
	}
	if (rt == NULL) {
		rt = &f->fb_routes[f->fb_nroutes++];
		rt->rt_prefix = prefix;
		rt->rt_len = len;
	} else {
		fib_nh_put(f, rt->rt_nh_idx);
	}
	rt->rt_source = (uint8_t)src;
	rt->rt_nh_idx = idx;
	return 0;
}

int fib_route_del(struct fib *f, uint32_t prefix, uint8_t len)
{
	struct fib_route *rt, *last;
	uint64_t key;
	uint32_t idx;

	prefix &= inet_v4_mask(len);
	rt = fib_route_slot(f, prefix, len);
	if (rt == NULL)
		return -ENOENT;
	idx = rt->rt_nh_idx;
	if (len == 0)
		rcu_publish(f->fb_default, UINT32_MAX);
	else
		rte_lpm_delete(f->fb_lpm, prefix, len);
	key = fib_rt_key(prefix, len);
	rte_hash_del_key(f->fb_rt_index, &key);
	/* The last route moves into the hole; its index entry follows it. */
	last = &f->fb_routes[--f->fb_nroutes];
	if (last != rt) {
		*rt = *last;
		key = fib_rt_key(rt->rt_prefix, rt->rt_len);
		rte_hash_add_key_data(f->fb_rt_index, &key, (void *)(uintptr_t)(rt - f->fb_routes));
	}
	fib_nh_put(f, idx);
	return 0;
}
