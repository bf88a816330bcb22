/* Inbound SA table writer side. */
#include "sa_table.h"

#include <errno.h>
#include <string.h>

#include "hash_keys.h"
#include "peer_table.h"

int sa_table_init(struct sa_table *st, const char *name, uint32_t max_sas, struct rcu *rcu)
{
	struct rte_hash_parameters p = {
		.name = name,
		.entries = peer_table_hash_entries(max_sas, rcu),
		.key_len = sizeof(uint32_t),
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	st->st_rcu = rcu;
	st->st_gen = 0;
	st->st_hash = rte_hash_create(&p);
	if (st->st_hash == NULL)
		return -ENOMEM;
	rte_hash_set_cmp_func(st->st_hash, hash_cmp_u32);
	return 0;
}

void sa_table_fini(struct sa_table *st)
{
	rte_hash_free(st->st_hash); /* the SAs are their owner's (esp_mgr) */
	st->st_hash = NULL;
}

int sa_table_add(struct sa_table *st, uint32_t spi, struct esp_sa *sa)
{
	if (sa_table_lookup(st, spi) != NULL)
		return -EEXIST;
	if (rte_hash_add_key_data(st->st_hash, &spi, sa) < 0)
		return -ENOSPC;
	rcu_gen_bump(&st->st_gen);
	return 0;
}

static void sa_slot_free(void *a, void *b)
{
	rte_hash_free_key_with_position(a, (int32_t)(intptr_t)b);
}

void sa_table_del(struct sa_table *st, uint32_t spi, rcu_free_fn free_fn, void *arg)
{
	struct esp_sa *sa = sa_table_lookup(st, spi);
	int32_t pos;

	if (sa == NULL)
		return;
	pos = rte_hash_del_key(st->st_hash, &spi);
	rcu_gen_bump(&st->st_gen); /* before the retires */
	if (pos >= 0)
		rcu_retire(st->st_rcu, sa_slot_free, st->st_hash, (void *)(intptr_t)pos);
	rcu_retire(st->st_rcu, free_fn, sa, arg);
}
