/* The out-of-line half of ipv4_validate (ipv4_header.h). */
#include "ipv4_header.h"

#define ETH_IPV4_MIN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))

int ipv4_validate_slow(struct rte_mbuf *m, struct rte_ipv4_hdr **out)
{
	struct rte_ipv4_hdr *ip;
	uint32_t l3_len, hlen, tot;

	if (rte_pktmbuf_data_len(m) < ETH_IPV4_MIN)
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	l3_len = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) || hlen > l3_len || tot < hlen ||
	    tot > l3_len)
		return -1;
	if (ipv4_hdr_sum(ip, hlen) != 0xffff)
		return -1;
	if (tot < l3_len) {
		rte_pktmbuf_trim(m, (uint16_t)(l3_len - tot));
		/* Multi-segment trims shorten pkt_len; data_len of the first
		 * segment is what the stages read. */
	}
	*out = ip;
	return 0;
}
