/* NHRP cache: control-side bindings with expiry, published to the workers'
 * peer table, and the NHRP routes that hang off them. */
#include "nhrp_cache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_malloc.h>

#include "ctl.h"
#include "esp_mgr.h"
#include "inet.h"
#include "kernel_export.h"
#include "kernel_routes.h"
#include "lcore_ctx.h"
#include "log.h"

const char *nhrp_cache_type_name(enum nhrp_cache_type t)
{
	switch (t) {
	case NC_STATIC:
		return "static";
	case NC_DYNAMIC:
		return "dynamic";
	case NC_SHORTCUT:
		return "shortcut";
	case NC_INCOMPLETE:
		return "incomplete";
	case NC_LOCAL:
		return "local";
	}
	return "?";
}

static void mcast_list_timer(struct timer *t, void *arg);

int nhrp_cache_init(struct ctl *ct, uint32_t size)
{
	/* A quarter spare: cuckoo inserts never fail short of `size`. */
	struct rte_hash_parameters p = {
		.name = "ctl_nhrp",
		.entries = RTE_MAX(size + size / 4 + 1, 16u),
		.key_len = sizeof(uint32_t),
		.socket_id = SOCKET_ID_ANY,
	};

	ct->ct_nhrp_max = size + 1; /* the peers and this node's own entry */
	timer_init(&ct->ct_mcast_timer, mcast_list_timer, ct);
	ct->ct_nhrp_cache = rte_hash_create(&p);
	p.name = "ctl_nhrp_src";
	ct->ct_nhrp_by_src = rte_hash_create(&p);
	return ct->ct_nhrp_cache != NULL && ct->ct_nhrp_by_src != NULL ? 0 : -ENOMEM;
}

void nhrp_cache_fini(struct ctl *ct)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (ct->ct_nhrp_cache == NULL)
		return;
	timer_cancel(&ct->ct_timers, &ct->ct_mcast_timer);
	while (rte_hash_iterate(ct->ct_nhrp_cache, &key, &data, &iter) >= 0) {
		struct nhrp_cache_entry *e = data;

		timer_cancel(&ct->ct_timers, &e->nc_timer);
		free(e);
	}
	rte_hash_free(ct->ct_nhrp_cache);
	ct->ct_nhrp_cache = NULL;
	rte_hash_free(ct->ct_nhrp_by_src);
	ct->ct_nhrp_by_src = NULL;
}

struct nhrp_cache_entry *nhrp_cache_lookup(struct ctl *ct, uint32_t overlay)
{
	void *data;

	if (ct->ct_nhrp_cache == NULL ||
	    rte_hash_lookup_data(ct->ct_nhrp_cache, &overlay, &data) < 0)
		return NULL;
	return data;
}

static void peer_stats_sum(struct ctl *ct, uint32_t id, struct peer_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < ct->ct_dp->dp_nworkers; w++) {
		const volatile struct peer_stats *s = &ct->ct_dp->dp_workers[w]->lc_peer_stats[id];

		out->ps_tx_pkts += s->ps_tx_pkts;
		out->ps_tx_bytes += s->ps_tx_bytes;
		out->ps_rx_pkts += s->ps_rx_pkts;
		out->ps_rx_bytes += s->ps_rx_bytes;
	}
}

void nhrp_cache_stats(struct ctl *ct, const struct nhrp_cache_entry *e, struct peer_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (e->nc_peer_id < 0)
		return;
	peer_stats_sum(ct, (uint32_t)e->nc_peer_id, out);
	out->ps_tx_pkts -= e->nc_base.ps_tx_pkts;
	out->ps_tx_bytes -= e->nc_base.ps_tx_bytes;
	out->ps_rx_pkts -= e->nc_base.ps_rx_pkts;
	out->ps_rx_bytes -= e->nc_base.ps_rx_bytes;
}

/* Remove NHRP routes whose next hop is `via`. The next hop's refcount says
 * whether any route uses it at all (the usual case on a hub: none), and
 * when the scan may stop. */
static void nhrp_routes_flush(struct ctl *ct, uint32_t via)
{
	struct fib *f = &ct->ct_dp->dp_fib;
	const struct fib_nh tun = {.nh_type = FIB_NH_TUNNEL, .nh_port = 0, .nh_gw = via};
	uint32_t left = fib_nh_routes(f, &tun), n = 0;
	/* What a routing daemon also routes comes back once the scan is over. */
	struct fib_route *gone =
		ct->ct_kroutes != NULL && left > 0 ? calloc(left, sizeof(*gone)) : NULL;

	for (uint32_t i = 0; i < f->fb_nroutes && left > 0;) {
		const struct fib_route *rt = &f->fb_routes[i];
		const struct fib_nh *nh = &f->fb_nh[rt->rt_nh_idx];

		if (nh != NULL && nh->nh_type == FIB_NH_TUNNEL && nh->nh_gw == via)
			left--;
		if (rt->rt_source == FIB_SRC_NHRP && nh != NULL && nh->nh_type == FIB_NH_TUNNEL &&
		    nh->nh_gw == via) {
			if (gone != NULL)
				gone[n++] = *rt;
			fib_route_del(f, rt->rt_prefix, rt->rt_len); /* moves the last into i */
		} else {
			i++;
		}
	}
	for (uint32_t i = 0; i < n; i++)
		kroutes_restore(ct->ct_kroutes, gone[i].rt_prefix, gone[i].rt_len);
	free(gone);
}

static void mcast_list_free(void *a, void *b)
{
	(void)b;
	rte_free(a);
}

/* Where tunnel multicast goes: the static bindings (a spoke's NHSes, the
 * maps: other hubs) and, on a hub, every registered spoke. */
static bool nhrp_type_replicates(const struct ctl *ct, uint8_t type)
{
	return type == NC_STATIC || (type == NC_DYNAMIC && ct->ct_dp->dp_tunnel.tn_is_hub);
}

/* Republish where tunnel multicast goes; rebuilt whole when that set
 * changes. */
static void mcast_list_rebuild(struct ctl *ct)
{
	struct dp *dp = ct->ct_dp;
	uint32_t n = 0, cap = (uint32_t)rte_hash_count(ct->ct_nhrp_cache), iter = 0;
	struct mcast_list *ml, *old;
	const void *key;
	void *data;

	ml = rte_zmalloc("mcast", sizeof(*ml) + (cap ? cap : 1) * sizeof(uint32_t), 0);
	if (ml == NULL)
		return; /* keep the old list; counted nowhere better than the log */
	while (n < cap && rte_hash_iterate(ct->ct_nhrp_cache, &key, &data, &iter) >= 0)
		if (nhrp_type_replicates(ct, ((struct nhrp_cache_entry *)data)->nc_type))
			ml->ml_overlay[n++] = *(const uint32_t *)key;
	ml->ml_n = n;
	old = dp->dp_mcast;
	rcu_publish(dp->dp_mcast, ml);
	if (old != NULL)
		rcu_retire(dp->dp_rcu, mcast_list_free, old, NULL);
}

/* The list is a walk over the whole table: a flood of registrations (or
 * of expiries) would make each one cost the table's size. A change right
 * after a quiet spell rebuilds it at once; the ones that follow within
 * MCAST_BATCH_NS are taken together, at most ten rebuilds a second. */
#define MCAST_BATCH_NS (100 * CLK_NS_PER_MS)

static void mcast_list_timer(struct timer *t, void *arg)
{
	struct ctl *ct = arg;

	(void)t;
	ct->ct_mcast_built_ns = clock_now(ct->ct_clock);
	mcast_list_rebuild(ct);
}

static void mcast_list_changed(struct ctl *ct)
{
	uint64_t now = clock_now(ct->ct_clock);

	if (timer_is_armed(&ct->ct_mcast_timer))
		return;
	if (ct->ct_mcast_built_ns == 0 || now - ct->ct_mcast_built_ns >= MCAST_BATCH_NS) {
		ct->ct_mcast_built_ns = now;
		mcast_list_rebuild(ct);
		return;
	}
	timer_arm(&ct->ct_timers, &ct->ct_mcast_timer, ct->ct_mcast_built_ns + MCAST_BATCH_NS);
}

uint32_t nhrp_cache_src_count(struct ctl *ct, uint32_t nbma)
{
	void *data;

	if (ct->ct_nhrp_by_src == NULL ||
	    rte_hash_lookup_data(ct->ct_nhrp_by_src, &nbma, &data) < 0)
		return 0;
	return (uint32_t)(uintptr_t)data;
}

/* One registration more (+1) or less (-1) from nbma. The table has a slot
 * for every entry the cache may hold, so an add never fails for room. */
static void src_count_add(struct ctl *ct, uint32_t nbma, int delta)
{
	uint32_t n = nhrp_cache_src_count(ct, nbma);

	n = delta > 0 ? n + 1 : (n > 0 ? n - 1 : 0);
	if (n == 0)
		rte_hash_del_key(ct->ct_nhrp_by_src, &nbma);
	else
		rte_hash_add_key_data(ct->ct_nhrp_by_src, &nbma, (void *)(uintptr_t)n);
}

static void nhrp_cache_expire(struct timer *t, void *arg)
{
	struct nhrp_cache_entry *e = arg;
	char ov[INET_ADDRSTR], nb[INET_ADDRSTR];

	(void)t;
	LOG_CTL(INFO, "nhrp: %s entry %s -> %s expired", nhrp_cache_type_name(e->nc_type),
		inet_v4_str(e->nc_overlay, ov), inet_v4_str(e->nc_nbma, nb));
	nhrp_cache_remove(e->nc_ctl, e->nc_overlay);
}

static struct nhrp_cache_entry *nhrp_cache_create(struct ctl *ct, uint32_t overlay)
{
	struct nhrp_cache_entry *e;

	if ((uint32_t)rte_hash_count(ct->ct_nhrp_cache) >= ct->ct_nhrp_max)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->nc_overlay = overlay;
	e->nc_peer_id = -1;
	e->nc_ctl = ct;
	e->nc_created_ns = clock_now(ct->ct_clock);
	timer_init(&e->nc_timer, nhrp_cache_expire, e);
	if (rte_hash_add_key_data(ct->ct_nhrp_cache, &overlay, e) < 0) {
		free(e);
		return NULL;
	}
	return e;
}

/* ESP: the entry holds a reference on the SA pair of the NBMA address it
 * points at; a new address takes a new one (fail closed: NULL SA = drop). */
static const struct esp_sa *nhrp_cache_sa(struct ctl *ct, struct nhrp_cache_entry *e)
{
	const struct esp_sa *sa;

	if (ct->ct_esp == NULL)
		return NULL;
	bool held;

	if (e->nc_sa_ref && e->nc_sa_nbma == e->nc_nbma_seen)
		return esp_mgr_ref_peek(ct, e->nc_sa_nbma);
	held = esp_mgr_ref(ct, e->nc_nbma_seen, &sa);
	if (e->nc_sa_ref)
		esp_mgr_unref(ct, e->nc_sa_nbma);
	e->nc_sa_ref = held;
	e->nc_sa_nbma = e->nc_nbma_seen;
	return sa;
}

/* A routing daemon may route a peer's own tunnel address via a hub (a /32
 * that hubs redistribute, tunnel.export-registrations): once we have a
 * shortcut to that peer, its /32 goes direct, as FRR nhrpd's route for
 * every cache entry does. Gone with the binding (nhrp_routes_flush). */
static void nhrp_shortcut_host_route(struct ctl *ct, uint32_t overlay)
{
	const struct fib_route *rt = fib_route_find(&ct->ct_dp->dp_fib, overlay, 32);

	if (rt != NULL && rt->rt_source == FIB_SRC_KERNEL)
		nhrp_route_add(ct, overlay, 32, overlay);
}

static int nhrp_cache_publish(struct ctl *ct, struct nhrp_cache_entry *e)
{
	const struct esp_sa *sa = nhrp_cache_sa(ct, e);
	int id;

	/* A shortcut waits for its SA (keying: ike negotiates it now): not
	 * published, the workers keep sending via the hub, never in clear and
	 * never into a hole. esp_mgr republishes it once the SA is in. */
	if (sa == NULL && ct->ct_esp != NULL && e->nc_type == NC_SHORTCUT) {
		if (e->nc_peer_id >= 0)
			peer_table_retire(&ct->ct_dp->dp_peers, e->nc_overlay);
		e->nc_peer_id = -1;
		return 0;
	}
	id = peer_table_publish(&ct->ct_dp->dp_peers, e->nc_overlay, e->nc_nbma_seen,
				(enum peer_type)e->nc_type, sa);
	if (id < 0)
		return id;
	if (e->nc_peer_id != id) {
		e->nc_peer_id = id;
		peer_stats_sum(ct, (uint32_t)id, &e->nc_base);
	}
	if (e->nc_type == NC_SHORTCUT)
		nhrp_shortcut_host_route(ct, e->nc_overlay);
	return 0;
}

/* A hub's registrations, and only those, into the kernel's table
 * (tunnel.export-registrations) for a routing daemon to redistribute. */
static void nhrp_cache_export(struct ctl *ct, struct nhrp_cache_entry *e)
{
	bool want = ct->ct_kexport != NULL && e->nc_type == NC_DYNAMIC;

	if (want == e->nc_exported)
		return;
	kexport_route(ct->ct_kexport, e->nc_overlay, 32, want);
	e->nc_exported = want;
}

/* Counted every time; logged the first time and then at every power of two
 * of the count, so a flood of registrations cannot flood the log. */
static void nhrp_cache_full_log(struct ctl *ct, uint32_t overlay)
{
	uint64_t n = ++ct->ct_cnt[ct->ct_dp->dp_tunnel.tn_wan][CTL_NHRP_CACHE_FULL];
	char ov[INET_ADDRSTR];

	if ((n & (n - 1)) == 0)
		LOG_CTL(WARNING,
			"nhrp: no room for %s: the NHRP cache or peer table is full "
			"(limits.max-peers %u, %u entries; %" PRIu64 " refused so far)",
			inet_v4_str(overlay, ov), ct->ct_nhrp_max - 1,
			(unsigned)rte_hash_count(ct->ct_nhrp_cache), n);
}

struct nhrp_cache_entry *nhrp_cache_update(struct ctl *ct, uint32_t overlay, uint32_t nbma,
					   enum nhrp_cache_type type, uint16_t holdtime,
					   uint8_t flags)
{
	struct nhrp_cache_entry *e = nhrp_cache_lookup(ct, overlay);
	uint64_t now = clock_now(ct->ct_clock);

	bool set_changed;

	/* Trust order: the config (and our own address) outranks what we learn. */
	if (e != NULL && (e->nc_type == NC_STATIC || e->nc_type == NC_LOCAL) && type != e->nc_type)
		return e;
	set_changed = e == NULL ? nhrp_type_replicates(ct, (uint8_t)type)
				: nhrp_type_replicates(ct, e->nc_type) !=
					  nhrp_type_replicates(ct, (uint8_t)type);
	if (e == NULL)
		e = nhrp_cache_create(ct, overlay);
	if (e == NULL)
		goto full;
	if (e->nc_nbma != nbma && e->nc_type != NC_INCOMPLETE)
		e->nc_created_ns = now;
	if (e->nc_type == NC_DYNAMIC)
		src_count_add(ct, e->nc_nbma_seen, -1);
	if (type == NC_DYNAMIC)
		src_count_add(ct, nbma, +1);
	e->nc_type = (uint8_t)type;
	e->nc_nbma = nbma;
	e->nc_nbma_seen = nbma;
	e->nc_flags = flags;
	e->nc_holdtime = holdtime;
	e->nc_expires_ns = holdtime ? now + (uint64_t)holdtime * CLK_NS_PER_S : 0;
	if (holdtime)
		timer_arm(&ct->ct_timers, &e->nc_timer, e->nc_expires_ns);
	else
		timer_cancel(&ct->ct_timers, &e->nc_timer);
	if (type != NC_INCOMPLETE && type != NC_LOCAL && nhrp_cache_publish(ct, e) != 0) {
		nhrp_cache_remove(ct, overlay);
		goto full;
	}
	if (set_changed)
		mcast_list_changed(ct);
	nhrp_cache_export(ct, e);
	return e;
full:
	nhrp_cache_full_log(ct, overlay);
	return NULL;
}

void nhrp_cache_remove(struct ctl *ct, uint32_t overlay)
{
	struct nhrp_cache_entry *e = nhrp_cache_lookup(ct, overlay);

	if (e == NULL)
		return;
	if (e->nc_type == NC_DYNAMIC)
		src_count_add(ct, e->nc_nbma_seen, -1);
	nhrp_routes_flush(ct, overlay);
	if (e->nc_exported)
		kexport_route(ct->ct_kexport, overlay, 32, false);
	if (e->nc_peer_id >= 0)
		peer_table_retire(&ct->ct_dp->dp_peers, overlay);
	if (e->nc_sa_ref)
		esp_mgr_unref(ct, e->nc_sa_nbma);
	timer_cancel(&ct->ct_timers, &e->nc_timer);
	rte_hash_del_key(ct->ct_nhrp_cache, &overlay);
	if (nhrp_type_replicates(ct, e->nc_type))
		mcast_list_changed(ct);
	free(e);
}

static bool entry_learned(const struct nhrp_cache_entry *e)
{
	return e->nc_type != NC_STATIC && e->nc_type != NC_LOCAL;
}

/* One pass to collect, then the removals: a removal may move entries
 * inside the hash, so none happens while it is being iterated. */
unsigned nhrp_cache_clear(struct ctl *ct)
{
	uint32_t n = (uint32_t)rte_hash_count(ct->ct_nhrp_cache), k = 0, iter = 0;
	uint32_t *victims = malloc((n ? n : 1) * sizeof(*victims));
	const void *key;
	void *data;

	if (victims == NULL)
		return 0;
	while (k < n && rte_hash_iterate(ct->ct_nhrp_cache, &key, &data, &iter) >= 0)
		if (entry_learned(data))
			victims[k++] = *(const uint32_t *)key;
	for (uint32_t i = 0; i < k; i++)
		nhrp_cache_remove(ct, victims[i]);
	free(victims);
	return k;
}

unsigned nhrp_cache_clear_page(struct ctl *ct, uint64_t *from, unsigned max)
{
	const struct nhrp_cache_entry *v[NHRP_CACHE_PAGE_MAX];
	uint32_t victims[NHRP_CACHE_PAGE_MAX];
	unsigned n, k = 0;

	n = nhrp_cache_page(ct, from, v, max);
	for (unsigned i = 0; i < n; i++)
		if (entry_learned(v[i]))
			victims[k++] = v[i]->nc_overlay;
	for (unsigned i = 0; i < k; i++)
		nhrp_cache_remove(ct, victims[i]);
	return k;
}

unsigned nhrp_cache_peers(struct ctl *ct)
{
	const void *key;
	void *data;
	uint32_t iter = 0;
	unsigned n = 0;

	while (rte_hash_iterate(ct->ct_nhrp_cache, &key, &data, &iter) >= 0)
		n += ((struct nhrp_cache_entry *)data)->nc_type != NC_INCOMPLETE &&
		     ((struct nhrp_cache_entry *)data)->nc_type != NC_LOCAL;
	return n;
}

static int entry_cmp(const void *a, const void *b)
{
	uint32_t x = (*(struct nhrp_cache_entry *const *)a)->nc_overlay;
	uint32_t y = (*(struct nhrp_cache_entry *const *)b)->nc_overlay;

	return x < y ? -1 : x > y;
}

void nhrp_cache_walk(struct ctl *ct, nhrp_cache_iter_fn fn, void *arg)
{
	uint32_t n = (uint32_t)rte_hash_count(ct->ct_nhrp_cache), i = 0, iter = 0;
	struct nhrp_cache_entry **v = calloc(n ? n : 1, sizeof(*v));
	const void *key;
	void *data;

	if (v == NULL)
		return;
	while (i < n && rte_hash_iterate(ct->ct_nhrp_cache, &key, &data, &iter) >= 0)
		v[i++] = data;
	qsort(v, i, sizeof(*v), entry_cmp);
	for (uint32_t k = 0; k < i; k++)
		fn(ct, v[k], arg);
	free(v);
}

/* A max-heap on the overlay address, of the page's entries so far: its top
 * is the one to drop when a lower address turns up. */
static void page_sift_down(const struct nhrp_cache_entry **h, unsigned n, unsigned i)
{
	for (;;) {
		unsigned big = i, l = 2 * i + 1, r = l + 1;
		const struct nhrp_cache_entry *t;

		if (l < n && h[l]->nc_overlay > h[big]->nc_overlay)
			big = l;
		if (r < n && h[r]->nc_overlay > h[big]->nc_overlay)
			big = r;
		if (big == i)
			return;
		t = h[i];
		h[i] = h[big];
		h[big] = t;
		i = big;
	}
}

static void page_sift_up(const struct nhrp_cache_entry **h, unsigned i)
{
	while (i > 0 && h[(i - 1) / 2]->nc_overlay < h[i]->nc_overlay) {
		const struct nhrp_cache_entry *t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

unsigned nhrp_cache_page(struct ctl *ct, uint64_t *from, const struct nhrp_cache_entry **v,
			 unsigned max)
{
	uint32_t iter = 0;
	unsigned n = 0;
	const void *key;
	void *data;

	if (max > NHRP_CACHE_PAGE_MAX)
		max = NHRP_CACHE_PAGE_MAX;
	if (*from > UINT32_MAX || max == 0)
		return 0;
	while (rte_hash_iterate(ct->ct_nhrp_cache, &key, &data, &iter) >= 0) {
		const struct nhrp_cache_entry *e = data;

		if (e->nc_overlay < *from)
			continue;
		if (n < max) {
			v[n] = e;
			page_sift_up(v, n++);
		} else if (e->nc_overlay < v[0]->nc_overlay) {
			v[0] = e;
			page_sift_down(v, n, 0);
		}
	}
	qsort(v, n, sizeof(*v), entry_cmp);
	/* A page that is not full was the last one: the cursor says so. */
	*from = n == max ? (uint64_t)v[n - 1]->nc_overlay + 1 : NHRP_CACHE_PAGE_END;
	return n;
}

int nhrp_route_add(struct ctl *ct, uint32_t prefix, uint8_t len, uint32_t via)
{
	struct fib_nh nh = {.nh_type = FIB_NH_TUNNEL, .nh_port = 0, .nh_gw = via};
	const struct fib_route *old = fib_route_find(&ct->ct_dp->dp_fib, prefix, len);

	char p[INET_ADDRSTR];
	int rc;

	/* Static and connected routes are the operator's: never overridden. A
	 * routing daemon's is, as FRR's nhrpd overrides BGP and OSPF (its
	 * distance 10); it comes back when the shortcut goes. */
	if (old != NULL && old->rt_source != FIB_SRC_NHRP && old->rt_source != FIB_SRC_KERNEL)
		return -EEXIST;
	rc = fib_route_add(&ct->ct_dp->dp_fib, prefix, len, &nh, FIB_SRC_NHRP);
	if (rc == -ENOSPC)
		LOG_CTL(WARNING,
			"nhrp: route %s/%u not installed: the routing table is full "
			"(limits.max-routes %u)",
			inet_v4_str(prefix, p), len, ct->ct_dp->dp_fib.fb_max_routes);
	else if (rc != 0)
		LOG_CTL(WARNING, "nhrp: route %s/%u not installed: %s", inet_v4_str(prefix, p), len,
			strerror(-rc));
	return rc;
}

/* The SA towards nbma was replaced (NAT-T switch, IKE-lite's install or
 * removal): publish again every entry that sends there, so the workers
 * pick the new SA up atomically (and waiting shortcuts go live). */
void nhrp_cache_republish_nbma(struct ctl *ct, uint32_t nbma)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	while (rte_hash_iterate(ct->ct_nhrp_cache, &key, &data, &iter) >= 0) {
		struct nhrp_cache_entry *e = data;

		if (e->nc_sa_ref && e->nc_sa_nbma == nbma && e->nc_type != NC_INCOMPLETE &&
		    e->nc_type != NC_LOCAL)
			nhrp_cache_publish(ct, e);
	}
}
