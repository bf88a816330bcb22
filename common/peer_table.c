/* Peer table writer side: publish/retire immutable peers in two lock-free
 * hashes (by overlay, by NBMA) and the tunnel subnet's direct index, and
 * recycle counter slots after grace. */
#include "peer_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "hash_keys.h"

const char *peer_type_name(enum peer_type t)
{
	static const char *const names[PEER_TYPE_COUNT] = {
		[PEER_STATIC] = "static",
		[PEER_DYNAMIC] = "dynamic",
		[PEER_SHORTCUT] = "shortcut",
	};
	return (unsigned)t < PEER_TYPE_COUNT ? names[t] : "?";
}

static struct rte_hash *peer_hash_create(const char *name, const char *suffix, uint32_t size)
{
	char n[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = n,
		.entries = size,
		.key_len = sizeof(uint32_t),
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	struct rte_hash *h;

	snprintf(n, sizeof(n), "%s_%s", name, suffix);
	h = rte_hash_create(&p);
	if (h != NULL)
		rte_hash_set_cmp_func(h, hash_cmp_u32);
	return h;
}

int peer_table_init(struct peer_table *pt, const char *name, uint32_t max_peers, struct rcu *rcu)
{
	uint32_t size = max_peers + rcu->rc_dq_size;
	uint32_t entries = peer_table_hash_entries(max_peers, rcu);

	memset(pt, 0, sizeof(*pt));
	pt->pt_rcu = rcu;
	pt->pt_size = size;
	pt->pt_by_overlay = peer_hash_create(name, "ov", entries);
	pt->pt_by_nbma = peer_hash_create(name, "nb", entries);
	pt->pt_free_ids = malloc(size * sizeof(*pt->pt_free_ids));
	if (pt->pt_by_overlay == NULL || pt->pt_by_nbma == NULL || pt->pt_free_ids == NULL) {
		peer_table_fini(pt);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < size; i++)
		pt->pt_free_ids[i] = size - 1 - i;
	pt->pt_nfree = size;
	return 0;
}

int peer_table_index_subnet(struct peer_table *pt, uint32_t prefix, uint8_t plen)
{
	if (plen < PEER_DIRECT_MIN_PLEN || plen > 32)
		return 0;
	pt->pt_direct_size = UINT32_C(1) << (32 - plen);
	pt->pt_direct_base = prefix & ~(pt->pt_direct_size - 1);
	pt->pt_direct = rte_zmalloc("peer_direct", pt->pt_direct_size * sizeof(*pt->pt_direct),
				    RTE_CACHE_LINE_SIZE);
	if (pt->pt_direct == NULL) {
		pt->pt_direct_size = 0;
		return -ENOMEM;
	}
	return 0;
}

void peer_table_fini(struct peer_table *pt)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (pt->pt_by_overlay != NULL) {
		while (rte_hash_iterate(pt->pt_by_overlay, &key, &data, &iter) >= 0)
			rte_free(data);
		rte_hash_free(pt->pt_by_overlay);
	}
	rte_hash_free(pt->pt_by_nbma);
	rte_free(pt->pt_direct);
	free(pt->pt_free_ids);
	memset(pt, 0, sizeof(*pt));
}

static void peer_free(void *a, void *b)
{
	(void)b;
	rte_free(a);
}

static void peer_id_free(void *a, void *b)
{
	struct peer_table *pt = a;

	pt->pt_free_ids[pt->pt_nfree++] = (uint32_t)(uintptr_t)b;
}

static void hash_slot_free(void *a, void *b)
{
	rte_hash_free_key_with_position(a, (int32_t)(intptr_t)b);
}

/* Delete key from h and free its slot after a grace period. */
static void peer_hash_del(struct peer_table *pt, struct rte_hash *h, uint32_t key)
{
	int32_t pos = rte_hash_del_key(h, &key);

	if (pos >= 0)
		rcu_retire(pt->pt_rcu, hash_slot_free, h, (void *)(intptr_t)pos);
}

int peer_table_publish(struct peer_table *pt, uint32_t overlay, uint32_t nbma, enum peer_type type,
		       const struct esp_sa *sa_out)
{
	const struct peer *old = peer_table_lookup(pt, overlay);
	const struct peer **slot = peer_table_direct_slot(pt, overlay);
	struct peer *p;

	if (old == NULL && pt->pt_nfree == 0)
		return -ENOSPC;
	p = rte_zmalloc("peer", sizeof(*p), 0);
	if (p == NULL)
		return -ENOMEM;
	p->pe_overlay = overlay;
	p->pe_nbma = nbma;
	p->pe_type = (uint8_t)type;
	p->pe_sa_out = sa_out;
	p->pe_id = old != NULL ? old->pe_id : pt->pt_free_ids[--pt->pt_nfree];
	if (rte_hash_add_key_data(pt->pt_by_overlay, &overlay, p) < 0) {
		if (old == NULL)
			pt->pt_free_ids[pt->pt_nfree++] = p->pe_id;
		rte_free(p);
		return -ENOSPC;
	}
	if (old != NULL && old->pe_nbma != nbma && peer_table_lookup_nbma(pt, old->pe_nbma) == old)
		peer_hash_del(pt, pt->pt_by_nbma, old->pe_nbma);
	/* The NBMA index is best effort: a full table only costs rx counters. */
	rte_hash_add_key_data(pt->pt_by_nbma, &nbma, p);
	if (slot != NULL)
		rcu_publish(*slot, (const struct peer *)p);
	rcu_gen_bump(&pt->pt_gen); /* before the retire */
	if (old != NULL)
		rcu_retire(pt->pt_rcu, peer_free, (void *)old, NULL);
	return (int)p->pe_id;
}

void peer_table_retire(struct peer_table *pt, uint32_t overlay)
{
	const struct peer *p = peer_table_lookup(pt, overlay);
	const struct peer **slot = peer_table_direct_slot(pt, overlay);

	if (p == NULL)
		return;
	if (slot != NULL)
		rcu_publish(*slot, (const struct peer *)NULL);
	if (peer_table_lookup_nbma(pt, p->pe_nbma) == p)
		peer_hash_del(pt, pt->pt_by_nbma, p->pe_nbma);
	peer_hash_del(pt, pt->pt_by_overlay, overlay);
	rcu_gen_bump(&pt->pt_gen);
	/* Order matters only in that all three wait for the same grace period. */
	rcu_retire(pt->pt_rcu, peer_id_free, pt, (void *)(uintptr_t)p->pe_id);
	rcu_retire(pt->pt_rcu, peer_free, (void *)p, NULL);
}
