/* ICMP for the node's own addresses (RFC 792, RFC 1812 4.3): echo replies and
 * the errors a router owes (time exceeded). Replies are built in new mbufs,
 * never by rewriting the received packet. */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "ctl.h"
#include "ping.h"
#include "punt.h"

#define ICMP_ERR_MAX_QUOTE 548 /* keep the error within 576 bytes (RFC 1812) */

struct local_ipv4 {
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen;
	uint32_t src, dst; /* host order */
};

/* The worker validated version, lengths and checksum; re-derive offsets. */
static void local_decode(const struct rte_mbuf *m, struct local_ipv4 *l)
{
	l->ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
					sizeof(struct rte_ether_hdr));
	l->hlen = (uint32_t)(l->ip->version_ihl & 0x0f) * 4;
	l->src = rte_be_to_cpu_32(l->ip->src_addr);
	l->dst = rte_be_to_cpu_32(l->ip->dst_addr);
}

/* Append an Ethernet gap and a fresh IPv4 header; returns the header. */
static struct rte_ipv4_hdr *icmp_ip_build(struct rte_mbuf *m, uint32_t src, uint32_t dst,
					  uint16_t payload)
{
	struct rte_ipv4_hdr *ip;
	char *p = rte_pktmbuf_append(
		m, (uint16_t)(sizeof(struct rte_ether_hdr) + sizeof(*ip) + payload));

	if (p == NULL)
		return NULL;
	memset(p, 0, sizeof(struct rte_ether_hdr));
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + payload));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return ip;
}

static void icmp_echo_reply(struct ctl *ct, uint8_t port_idx, const struct local_ipv4 *l,
			    const uint8_t *icmp, uint16_t len)
{
	struct rte_mbuf *r = ctl_alloc(ct, port_idx);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ih;

	if (r == NULL)
		return;
	ip = icmp_ip_build(r, l->dst, l->src, len);
	if (ip == NULL) {
		rte_pktmbuf_free(r);
		ctl_count(ct, port_idx, CTL_NOMEM);
		return;
	}
	ih = (struct rte_icmp_hdr *)(ip + 1);
	memcpy(ih, icmp, len);
	ih->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ih->icmp_cksum = 0;
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, len);
	ctl_count(ct, port_idx, CTL_ICMP_ECHO_TX);
	ctl_tx_ipv4(ct, r);
}

void icmp_local_input(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m)
{
	struct local_ipv4 l;
	const uint8_t *icmp;
	uint32_t len;

	local_decode(m, &l);
	if (l.ip->next_proto_id != IPPROTO_ICMP) {
		/* No local service speaks anything but ICMP yet: count it. */
		ctl_count(ct, port_idx, CTL_LOCAL_UNHANDLED);
		goto out;
	}
	len = rte_be_to_cpu_16(l.ip->total_length) - l.hlen;
	icmp = (const uint8_t *)l.ip + l.hlen;
	if (len < sizeof(struct rte_icmp_hdr) ||
	    rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + l.hlen + len ||
	    rte_raw_cksum(icmp, len) != 0xffff) {
		ctl_count(ct, port_idx, CTL_LOCAL_BAD);
		goto out;
	}
	if (icmp[0] == RTE_IP_ICMP_ECHO_REQUEST && icmp[1] == 0) {
		ctl_count(ct, port_idx, CTL_ICMP_ECHO_RX);
		icmp_echo_reply(ct, port_idx, &l, icmp, (uint16_t)len);
	} else if (icmp[0] == RTE_IP_ICMP_ECHO_REPLY && icmp[1] == 0) {
		ping_reply(ct, l.src, icmp, len);
	} else if (icmp[0] == 3 || icmp[0] == 11) { /* unreachable, time exceeded */
		trace_answer(ct, l.src, icmp, len);
	}
out:
	rte_pktmbuf_free(m);
}

/* RFC 1812 4.3.2.7: no error about an ICMP error, a non-first fragment, or a
 * packet to or from a broadcast/multicast address. */
static bool icmp_error_allowed(const struct local_ipv4 *l)
{
	const uint8_t *icmp = (const uint8_t *)l->ip + l->hlen;

	if (l->ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (l->src == 0 || l->src >= 0xe0000000u || l->dst >= 0xe0000000u)
		return false;
	if (l->ip->next_proto_id == IPPROTO_ICMP &&
	    rte_be_to_cpu_16(l->ip->total_length) > l->hlen &&
	    icmp[0] != RTE_IP_ICMP_ECHO_REQUEST && icmp[0] != RTE_IP_ICMP_ECHO_REPLY)
		return false;
	return true;
}

/* The address an ICMP error comes from: the tunnel address for packets that
 * came out of the tunnel, else the receiving port's. */
static uint32_t icmp_error_src(const struct ctl *ct, uint8_t port_idx, bool from_tunnel)
{
	const struct dp *dp = ct->ct_dp;

	if (from_tunnel && dp->dp_tunnel.tn_present)
		return dp->dp_tunnel.tn_addr;
	return dp->dp_ports[port_idx].pt_addr;
}

void icmp_error_send(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m, uint8_t type,
		     uint8_t code)
{
	uint32_t avail = rte_pktmbuf_data_len(m) - (uint32_t)sizeof(struct rte_ether_hdr);
	struct rte_mbuf *r;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ih;
	struct local_ipv4 l;
	uint16_t quote;

	local_decode(m, &l);
	if (!icmp_error_allowed(&l))
		goto out;
	quote = (uint16_t)RTE_MIN(avail, (uint32_t)ICMP_ERR_MAX_QUOTE);
	r = ctl_alloc(ct, port_idx);
	if (r == NULL)
		goto out;
	ip = icmp_ip_build(r, icmp_error_src(ct, port_idx, punt_from_tunnel(m)), l.src,
			   (uint16_t)(sizeof(*ih) + quote));
	if (ip == NULL) {
		rte_pktmbuf_free(r);
		goto out;
	}
	ih = (struct rte_icmp_hdr *)(ip + 1);
	memset(ih, 0, sizeof(*ih));
	ih->icmp_type = type;
	ih->icmp_code = code;
	memcpy(ih + 1, l.ip, quote);
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, sizeof(*ih) + quote);
	ctl_count(ct, port_idx, CTL_ICMP_ERROR_TX);
	ctl_tx_ipv4(ct, r);
out:
	rte_pktmbuf_free(m);
}

void icmp_frag_needed_send(struct ctl *ct, const struct dp_event *ev)
{
	const struct rte_ipv4_hdr *orig = (const struct rte_ipv4_hdr *)ev->ev_quote;
	struct local_ipv4 l;
	struct rte_mbuf *r;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ih;
	uint16_t quote = RTE_MIN(ev->ev_quote_len, (uint16_t)28);

	if (ev->ev_quote_len < sizeof(*orig))
		return;
	l.ip = orig;
	l.hlen = (uint32_t)(orig->version_ihl & 0x0f) * 4;
	l.src = rte_be_to_cpu_32(orig->src_addr);
	l.dst = rte_be_to_cpu_32(orig->dst_addr);
	if (l.hlen < sizeof(*orig) || !icmp_error_allowed(&l))
		return;
	r = ctl_alloc(ct, ev->ev_port);
	if (r == NULL)
		return;
	ip = icmp_ip_build(r, icmp_error_src(ct, ev->ev_port, false), l.src,
			   (uint16_t)(sizeof(*ih) + quote));
	if (ip == NULL) {
		rte_pktmbuf_free(r);
		return;
	}
	ih = (struct rte_icmp_hdr *)(ip + 1);
	memset(ih, 0, sizeof(*ih));
	ih->icmp_type = 3; /* destination unreachable */
	ih->icmp_code = 4; /* fragmentation needed and DF set */
	ih->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)ev->ev_target); /* next-hop MTU */
	memcpy(ih + 1, orig, quote);
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, sizeof(*ih) + quote);
	ctl_count(ct, ev->ev_port, CTL_ICMP_ERROR_TX);
	ctl_tx_ipv4(ct, r);
}
