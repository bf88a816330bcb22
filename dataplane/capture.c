/* The workers' side of monitor capture (capture.h): copy, never wait. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "capture.h"
#include "lcore_ctx.h"

static int cap_match_ip(uint32_t match, const struct rte_ipv4_hdr *ip)
{
	return match == 0 || rte_be_to_cpu_32(ip->src_addr) == match ||
	       rte_be_to_cpu_32(ip->dst_addr) == match;
}

static struct cap_slot *cap_slot_get(struct cap_ring *cr)
{
	void *p;

	if (rte_ring_sc_dequeue(cr->cr_free, &p) != 0) {
		cr->cr_drops++;
		return NULL;
	}
	return p;
}

static void cap_slot_put(struct cap_ring *cr, struct cap_slot *s)
{
	/* cr_full has room for every slot: this cannot fail. */
	rte_ring_sp_enqueue(cr->cr_full, s);
}

void cap_take_burst(struct lcore_ctx *lc, uint8_t port_idx, uint8_t dir, struct rte_mbuf **pkts,
		    uint16_t n)
{
	const struct dp_capture *dc = &lc->lc_dp->dp_cap;
	struct cap_ring *cr = dc->dc_ring[lc->lc_idx];
	uint64_t tsc;

	if ((dc->dc_ports & (1u << port_idx)) == 0 || cr == NULL)
		return;
	tsc = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		struct cap_slot *s;
		const void *d;

		if (dc->dc_match != 0 &&
		    (m->data_len < sizeof(*eh) + sizeof(struct rte_ipv4_hdr) ||
		     eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
		     !cap_match_ip(dc->dc_match, (const struct rte_ipv4_hdr *)(eh + 1))))
			continue;
		s = cap_slot_get(cr);
		if (s == NULL)
			return;
		s->cs_tsc = tsc;
		s->cs_orig = (uint16_t)RTE_MIN(m->pkt_len, UINT16_MAX);
		s->cs_len = (uint16_t)RTE_MIN(m->pkt_len, (uint32_t)CAP_SNAPLEN);
		s->cs_if = port_idx;
		s->cs_dir = dir;
		d = rte_pktmbuf_read(m, 0, s->cs_len, s->cs_data);
		if (d == NULL)
			s->cs_len = 0;
		else if (d != s->cs_data)
			memcpy(s->cs_data, d, s->cs_len);
		cap_slot_put(cr, s);
	}
}

void cap_take_ip(struct lcore_ctx *lc, uint8_t dir, const struct rte_ipv4_hdr *ip, uint16_t len)
{
	const struct dp_capture *dc = &lc->lc_dp->dp_cap;
	struct cap_ring *cr = dc->dc_ring[lc->lc_idx];
	struct cap_slot *s;

	if (!dc->dc_tunnel || cr == NULL || !cap_match_ip(dc->dc_match, ip))
		return;
	s = cap_slot_get(cr);
	if (s == NULL)
		return;
	s->cs_tsc = rte_rdtsc();
	s->cs_orig = len;
	s->cs_len = RTE_MIN(len, (uint16_t)CAP_SNAPLEN);
	s->cs_if = CAP_IF_TUNNEL;
	s->cs_dir = dir;
	/* The inner packet is contiguous: the decap and encap stages checked
	 * its header where it lies, and GRE frames fit one segment. */
	memcpy(s->cs_data, ip, s->cs_len);
	cap_slot_put(cr, s);
}
