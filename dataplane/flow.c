/* The workers' side of flow export (flow.h). */
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "flow.h"
#include "lcore_ctx.h"

static void flow_key_of(struct flow_key *k, uint8_t dir, const struct rte_ipv4_hdr *ip,
			uint32_t peer)
{
	const uint8_t *l4 = (const uint8_t *)ip + rte_ipv4_hdr_len(ip);

	memset(k, 0, sizeof(*k));
	k->fk_src = rte_be_to_cpu_32(ip->src_addr);
	k->fk_dst = rte_be_to_cpu_32(ip->dst_addr);
	k->fk_peer = peer;
	k->fk_proto = ip->next_proto_id;
	k->fk_dir = dir;
	/* Ports of the first fragment only; the inner header was checked. */
	if ((ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return;
	if (ip->next_proto_id == IPPROTO_TCP || ip->next_proto_id == IPPROTO_UDP) {
		k->fk_sport = (uint16_t)(l4[0] << 8 | l4[1]);
		k->fk_dport = (uint16_t)(l4[2] << 8 | l4[3]);
	} else if (ip->next_proto_id == IPPROTO_ICMP) {
		k->fk_dport = (uint16_t)(l4[0] << 8 | l4[1]); /* type, code */
	}
}

static void flow_hand_over(struct flow_table *ft, struct flow_entry *e)
{
	struct flow_rec r = {
		.fr_key = e->fe_key,
		.fr_pkts = e->fe_pkts,
		.fr_bytes = e->fe_bytes,
		.fr_first = e->fe_first,
		.fr_last = e->fe_last,
	};

	if (rte_ring_sp_enqueue_elem(ft->fl_out, &r, sizeof(r)) != 0) {
		ft->fl_no_ring++; /* the flow stays; the next scan tries again */
		return;
	}
	e->fe_used = 0;
}

void flow_account(struct lcore_ctx *lc, uint8_t dir, const struct rte_ipv4_hdr *ip, uint16_t len,
		  uint32_t peer)
{
	const struct dp_flow_export *fx = &lc->lc_dp->dp_flow;
	struct flow_table *ft = &lc->lc_flow;
	struct flow_key k;
	uint32_t h;

	if (fx->dfe_sampling > 1 && ++ft->fl_tick % fx->dfe_sampling != 0)
		return;
	flow_key_of(&k, dir, ip, peer);
	h = rte_hash_crc(&k, sizeof(k), 0);
	for (unsigned i = 0; i < FLOW_PROBE; i++) {
		struct flow_entry *e = &ft->fl_e[(h + i) & (FLOW_SLOTS - 1)];

		if (e->fe_used && memcmp(&e->fe_key, &k, sizeof(k)) == 0) {
			e->fe_pkts++;
			e->fe_bytes += len;
			e->fe_last = rte_rdtsc();
			return;
		}
		if (!e->fe_used) {
			e->fe_key = k;
			e->fe_pkts = 1;
			e->fe_bytes = len;
			e->fe_first = e->fe_last = rte_rdtsc();
			e->fe_used = 1;
			return;
		}
	}
	ft->fl_no_slot++;
}

void flow_scan(struct lcore_ctx *lc)
{
	const struct dp_flow_export *fx = &lc->lc_dp->dp_flow;
	struct flow_table *ft = &lc->lc_flow;
	uint64_t now = rte_rdtsc();

	for (unsigned i = 0; i < FLOW_SCAN; i++) {
		struct flow_entry *e = &ft->fl_e[ft->fl_scan];

		ft->fl_scan = (ft->fl_scan + 1) & (FLOW_SLOTS - 1);
		if (e->fe_used && (now - e->fe_last >= fx->dfe_idle_tsc ||
				   now - e->fe_first >= fx->dfe_active_tsc))
			flow_hand_over(ft, e);
	}
}
