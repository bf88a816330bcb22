/* The IPv4 header behind an Ethernet header, checked before any stage
 * reads it: lengths against what is present, never trusted (RFC 1812
 * 5.2.2), the checksum, link padding trimmed. */
#ifndef DMVPND_IPV4_HEADER_H
#define DMVPND_IPV4_HEADER_H

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ipv4_csum.h"

/* The general case of ipv4_validate: options, link padding. */
int ipv4_validate_slow(struct rte_mbuf *m, struct rte_ipv4_hdr **out);

/* 0 with *out set, or -1 to drop. The usual header (20 bytes, no padding
 * behind the packet) is checked here, inline in the stages, the rest out
 * of line. */
static inline int ipv4_validate(struct rte_mbuf *m, struct rte_ipv4_hdr **out)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

	if (likely(rte_pktmbuf_data_len(m) >= sizeof(struct rte_ether_hdr) + sizeof(*ip) &&
		   ip->version_ihl == RTE_IPV4_VHL_DEF &&
		   rte_be_to_cpu_16(ip->total_length) ==
			   rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr))) {
		if (unlikely(ipv4_hdr_sum(ip, sizeof(*ip)) != 0xffff))
			return -1;
		*out = ip;
		return 0;
	}
	return ipv4_validate_slow(m, out);
}

#endif
