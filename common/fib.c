/* FIB writer side: LPM rules, next-hop slots, the route list. */
#include "fib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "inet.h"

const char *fib_source_name(enum fib_source s)
{
	static const char *const names[] = {
		[FIB_SRC_CONNECTED] = "connected", [FIB_SRC_LOCAL] = "local",
		[FIB_SRC_STATIC] = "static",       [FIB_SRC_NHRP] = "nhrp",
	};
	return (unsigned)s < RTE_DIM(names) ? names[s] : "?";
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
	f->fb_rcu = rcu;
	f->fb_default = UINT32_MAX;
	f->fb_max_routes = max_routes;
	f->fb_lpm = rte_lpm_create(name, SOCKET_ID_ANY, &lc);
	f->fb_nh = rte_zmalloc("fib_nh", FIB_NH_MAX * sizeof(*f->fb_nh), 64);
	f->fb_free = malloc(FIB_NH_MAX * sizeof(*f->fb_free));
	f->fb_routes = calloc(max_routes, sizeof(*f->fb_routes));
	if (f->fb_lpm == NULL || f->fb_nh == NULL || f->fb_free == NULL ||
	    f->fb_routes == NULL || rte_lpm_rcu_qsbr_add(f->fb_lpm, &rc) != 0) {
		fib_fini(f);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < FIB_NH_MAX; i++)
		f->fb_free[i] = FIB_NH_MAX - 1 - i;
	f->fb_nfree = FIB_NH_MAX;
	return 0;
}

void fib_fini(struct fib *f)
{
	if (f->fb_nh != NULL)
		for (uint32_t i = 0; i < FIB_NH_MAX; i++)
			rte_free(f->fb_nh[i]);
	rte_free(f->fb_nh);
	rte_lpm_free(f->fb_lpm);
	free(f->fb_free);
	free(f->fb_routes);
	memset(f, 0, sizeof(*f));
}

static struct fib_route *fib_route_slot(const struct fib *f, uint32_t prefix, uint8_t len)
{
	for (uint32_t i = 0; i < f->fb_nroutes; i++)
		if (f->fb_routes[i].rt_prefix == prefix && f->fb_routes[i].rt_len == len)
			return &f->fb_routes[i];
	return NULL;
}

const struct fib_route *fib_route_find(const struct fib *f, uint32_t prefix, uint8_t len)
{
	return fib_route_slot(f, prefix & inet_v4_mask(len), len);
}

/* Deferred: the next-hop object and then its slot become reusable. */
static void fib_nh_free(void *a, void *b)
{
	struct fib *f = a;
	uint32_t idx = (uint32_t)(uintptr_t)b;

	rte_free(f->fb_nh[idx]);
	f->fb_nh[idx] = NULL;
	f->fb_free[f->fb_nfree++] = idx;
}

int fib_route_add(struct fib *f, uint32_t prefix, uint8_t len,
		  const struct fib_nh *nh, enum fib_source src)
{
	struct fib_route *rt;
	struct fib_nh *obj;
	uint32_t idx, old_idx = UINT32_MAX;

	prefix &= inet_v4_mask(len);
	rt = fib_route_slot(f, prefix, len);
	if ((rt == NULL && f->fb_nroutes == f->fb_max_routes) || f->fb_nfree == 0)
		return -ENOSPC;
	obj = rte_zmalloc("fib_nh", sizeof(*obj), 0);
	if (obj == NULL)
		return -ENOMEM;
	*obj = *nh;
	idx = f->fb_free[--f->fb_nfree];
	rcu_publish(f->fb_nh[idx], obj);
	/* The LPM entry (or the default slot) switches to the new index in
	 * one store. */
	if (len == 0)
		rcu_publish(f->fb_default, idx);
	else if (rte_lpm_add(f->fb_lpm, prefix, len, idx) != 0) {
		f->fb_nh[idx] = NULL;
		f->fb_free[f->fb_nfree++] = idx;
		rte_free(obj);
		return -ENOSPC;
	}
	if (rt == NULL)
		rt = &f->fb_routes[f->fb_nroutes++];
	else
		old_idx = rt->rt_nh_idx;
	rt->rt_prefix = prefix;
	rt->rt_len = len;
	rt->rt_source = (uint8_t)src;
	rt->rt_nh_idx = idx;
	if (old_idx != UINT32_MAX)
		rcu_retire(f->fb_rcu, fib_nh_free, f, (void *)(uintptr_t)old_idx);
	return 0;
}

int fib_route_del(struct fib *f, uint32_t prefix, uint8_t len)
{
	struct fib_route *rt;
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
	*rt = f->fb_routes[--f->fb_nroutes];
	rcu_retire(f->fb_rcu, fib_nh_free, f, (void *)(uintptr_t)idx);
	return 0;
}
