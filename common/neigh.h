/* The neighbour (ARP) table as the workers see it: (port, IPv4) -> MAC.
 * An rte_hash with lock-free readers; values are immutable entries that the
 * control thread (control/arp.c, the only writer) replaces and retires
 * through the RCU helper. Absent key = unresolved: the worker punts. */
#ifndef DMVPND_NEIGH_H
#define DMVPND_NEIGH_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_hash.h>

#include "rcu.h"

struct neigh_key {
	uint32_t nk_ip;   /* host order */
	uint16_t nk_port; /* our port index (config order) */
	uint16_t nk_pad;  /* always 0: keys are hashed as bytes */
};

struct neigh_entry {
	struct rte_ether_addr ne_mac;
	uint16_t ne_port;
	uint32_t ne_ip;
};

struct neigh_table {
	struct rte_hash *nt_hash;
	struct rcu *nt_rcu;
	uint32_t nt_size;
	uint64_t nt_gen; /* rcu_gen_*: bumped by publish and retire */
};

/* Runs on: control thread. */
int neigh_table_init(struct neigh_table *nt, const char *name, uint32_t size, struct rcu *rcu);
void neigh_table_fini(struct neigh_table *nt);
/* Publish (or replace) the MAC for (port, ip). -ENOSPC when full. */
int neigh_table_publish(struct neigh_table *nt, uint16_t port, uint32_t ip,
			const struct rte_ether_addr *mac);
/* Remove (port, ip); the entry is freed after a grace period. */
void neigh_table_retire(struct neigh_table *nt, uint16_t port, uint32_t ip);

/* Runs on: workers. The table's generation (rcu_gen_read). */
static inline uint64_t neigh_table_gen(const struct neigh_table *nt)
{
	return rcu_gen_read(&nt->nt_gen);
}

/* Runs on: workers (and control). The result is borrowed until the caller's
 * next quiescent report. */
static inline const struct neigh_entry *neigh_table_lookup(const struct neigh_table *nt,
							   uint16_t port, uint32_t ip)
{
	struct neigh_key k = {.nk_ip = ip, .nk_port = port, .nk_pad = 0};
	void *data;

	if (rte_hash_lookup_data(nt->nt_hash, &k, &data) < 0)
		return NULL;
	return data;
}

#endif
