/* Neighbour table writer side: publish and retire immutable entries. */
#include "neigh.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "hash_keys.h"

int neigh_table_init(struct neigh_table *nt, const char *name, uint32_t size, struct rcu *rcu)
{
	struct rte_hash_parameters p = {
		.name = name,
		.entries = size,
		.key_len = sizeof(struct neigh_key),
		.socket_id = SOCKET_ID_ANY,
		/* Lock-free readers, one writer; deleted slots are freed by us
		 * after a grace period (NO_FREE_ON_DEL is implied). */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	nt->nt_hash = rte_hash_create(&p);
	if (nt->nt_hash == NULL)
		return -ENOMEM;
	_Static_assert(sizeof(struct neigh_key) == 8, "neigh keys compare as one u64");
	rte_hash_set_cmp_func(nt->nt_hash, hash_cmp_u64);
	nt->nt_rcu = rcu;
	nt->nt_gen = 0;
	nt->nt_size = size;
	return 0;
}

static void neigh_entry_free(void *a, void *b)
{
	(void)b;
	rte_free(a);
}

static void neigh_slot_free(void *a, void *b)
{
	struct neigh_table *nt = a;
	intptr_t pos = (intptr_t)b;

	rte_hash_free_key_with_position(nt->nt_hash, (int32_t)pos);
}

void neigh_table_fini(struct neigh_table *nt)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (nt->nt_hash == NULL)
		return;
	/* Workers are gone: free directly. */
	while (rte_hash_iterate(nt->nt_hash, &key, &data, &iter) >= 0)
		rte_free(data);
	rte_hash_free(nt->nt_hash);
	nt->nt_hash = NULL;
}

int neigh_table_publish(struct neigh_table *nt, uint16_t port, uint32_t ip,
			const struct rte_ether_addr *mac)
{
	struct neigh_key k = {.nk_ip = ip, .nk_port = port, .nk_pad = 0};
	struct neigh_entry *ne, *old = NULL;
	void *data;

	if (rte_hash_lookup_data(nt->nt_hash, &k, &data) >= 0) {
		old = data;
		if (rte_is_same_ether_addr(&old->ne_mac, mac))
			return 0;
	}
	ne = rte_zmalloc("neigh", sizeof(*ne), 0);
	if (ne == NULL)
		return -ENOMEM;
	ne->ne_mac = *mac;
	ne->ne_port = port;
	ne->ne_ip = ip;
	/* With RW_CONCURRENCY_LF the data pointer is replaced atomically. */
	if (rte_hash_add_key_data(nt->nt_hash, &k, ne) < 0) {
		rte_free(ne);
		return -ENOSPC;
	}
	rcu_gen_bump(&nt->nt_gen); /* before the retire */
	if (old != NULL)
		rcu_retire(nt->nt_rcu, neigh_entry_free, old, NULL);
	return 0;
}

void neigh_table_retire(struct neigh_table *nt, uint16_t port, uint32_t ip)
{
	struct neigh_key k = {.nk_ip = ip, .nk_port = port, .nk_pad = 0};
	void *data;
	int32_t pos;

	if (rte_hash_lookup_data(nt->nt_hash, &k, &data) < 0)
		return;
	pos = rte_hash_del_key(nt->nt_hash, &k);
	if (pos < 0)
		return;
	rcu_gen_bump(&nt->nt_gen); /* before the retires */
	/* Order: the key slot may be reused only after readers are done with
	 * it, and the entry likewise; one deferred call frees both. */
	rcu_retire(nt->nt_rcu, neigh_slot_free, nt, (void *)(intptr_t)pos);
	rcu_retire(nt->nt_rcu, neigh_entry_free, data, NULL);
}
