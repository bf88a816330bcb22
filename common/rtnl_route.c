/* rtnetlink route messages into struct rtnl_route. Netlink is in host byte
 * order; every length is checked against what is left before it is used. */
#include "rtnl_route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "inet.h"

/* Netlink aligns messages and attributes to 4 bytes. */
static size_t nl_align(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* An IPv4 address attribute (network order on the wire). */
static int get_v4(const uint8_t *p, size_t len, uint32_t *out)
{
	if (len != 4)
		return -EBADMSG;
	*out = ntohl(get_u32(p));
	return 0;
}

/* The first next hop of an RTA_MULTIPATH: struct rtnexthop, then its own
 * attributes (RTA_GATEWAY). */
static int first_nexthop(const uint8_t *p, size_t len, struct rtnl_route *out)
{
	struct rtnexthop nh;
	size_t at;

	if (len < sizeof(nh))
		return -EBADMSG;
	memcpy(&nh, p, sizeof(nh));
	if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > len)
		return -EBADMSG;
	out->rr_oif = (uint32_t)nh.rtnh_ifindex;
	for (at = nl_align(sizeof(nh)); at + sizeof(struct rtattr) <= nh.rtnh_len;) {
		struct rtattr a;

		memcpy(&a, p + at, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > nh.rtnh_len - at)
			return -EBADMSG;
		if (a.rta_type == RTA_GATEWAY &&
		    get_v4(p + at + sizeof(a), a.rta_len - sizeof(a), &out->rr_gw) != 0)
			return -EBADMSG;
		at += nl_align(a.rta_len);
	}
	return 0;
}

int rtnl_route_decode(const uint8_t *body, size_t len, bool del, struct rtnl_route *out)
{
	struct rtmsg rtm;
	size_t at;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(rtm))
		return -EBADMSG;
	memcpy(&rtm, body, sizeof(rtm));
	out->rr_del = del;
	out->rr_family = rtm.rtm_family;
	out->rr_len = rtm.rtm_dst_len;
	out->rr_protocol = rtm.rtm_protocol;
	out->rr_type = rtm.rtm_type;
	out->rr_table = rtm.rtm_table;
	if (rtm.rtm_family == AF_INET && rtm.rtm_dst_len > 32)
		return -EBADMSG;
	for (at = nl_align(sizeof(rtm)); at + sizeof(struct rtattr) <= len;) {
		struct rtattr a;
		const uint8_t *v;
		size_t vlen;
		int rc = 0;

		memcpy(&a, body + at, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > len - at)
			return -EBADMSG;
		v = body + at + sizeof(a);
		vlen = a.rta_len - sizeof(a);
		if (rtm.rtm_family == AF_INET) {
			switch (a.rta_type) {
			case RTA_DST:
				rc = get_v4(v, vlen, &out->rr_dst);
				break;
			case RTA_GATEWAY:
				rc = get_v4(v, vlen, &out->rr_gw);
				break;
			case RTA_OIF:
			case RTA_PRIORITY:
			case RTA_TABLE:
				if (vlen != 4) {
					rc = -EBADMSG;
					break;
				}
				if (a.rta_type == RTA_OIF)
					out->rr_oif = get_u32(v);
				else if (a.rta_type == RTA_PRIORITY)
					out->rr_metric = get_u32(v);
				else
					out->rr_table = get_u32(v);
				break;
			case RTA_MULTIPATH:
				rc = first_nexthop(v, vlen, out);
				break;
			default:
				break;
			}
		}
		if (rc != 0)
			return rc;
		at += nl_align(a.rta_len);
	}
	/* Host bits under the prefix length are not a route the kernel takes. */
	if (rtm.rtm_family == AF_INET && out->rr_len < 32 &&
	    (out->rr_dst & ~inet_v4_mask(out->rr_len)) != 0)
		return -EBADMSG;
	return 0;
}

enum rtnl_next rtnl_next(const uint8_t *buf, size_t len, size_t *off, struct rtnl_route *out,
			 int *err)
{
	struct nlmsghdr h;
	const uint8_t *body;
	size_t blen;

	if (*off >= len || len - *off < sizeof(h))
		return RTNL_END;
	memcpy(&h, buf + *off, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - *off) {
		*off = len;
		return RTNL_BAD;
	}
	body = buf + *off + NLMSG_HDRLEN;
	blen = h.nlmsg_len - NLMSG_HDRLEN;
	*off += nl_align(h.nlmsg_len);
	if (*off > len)
		*off = len;
	switch (h.nlmsg_type) {
	case NLMSG_DONE:
		return RTNL_DONE;
	case NLMSG_ERROR:
		if (blen < sizeof(int))
			return RTNL_BAD;
		memcpy(err, body, sizeof(int));
		return RTNL_ERROR;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (rtnl_route_decode(body, blen, h.nlmsg_type == RTM_DELROUTE, out) != 0)
			return RTNL_BAD;
		return RTNL_ROUTE;
	default:
		return RTNL_OTHER;
	}
}

const char *rtnl_proto_name(uint8_t protocol)
{
	switch (protocol) {
	case RTPROT_KERNEL:
		return "kernel";
	case RTPROT_BOOT:
		return "boot";
	case RTPROT_STATIC:
		return "static";
	case RTPROT_ZEBRA:
		return "zebra";
	case RTPROT_BGP:
		return "bgp";
	case RTPROT_ISIS:
		return "isis";
	case RTPROT_OSPF:
		return "ospf";
	case RTPROT_RIP:
		return "rip";
	case RTPROT_EIGRP:
		return "eigrp";
	case RTPROT_BABEL:
		return "babel";
	case RTNL_PROTO_DMVPND:
		return "dmvpnd";
	default:
		return "other";
	}
}

static size_t put_attr(uint8_t *buf, size_t at, uint16_t type, uint32_t v)
{
	struct rtattr a = {.rta_len = (unsigned short)(sizeof(a) + sizeof(v)), .rta_type = type};

	memcpy(buf + at, &a, sizeof(a));
	memcpy(buf + at + sizeof(a), &v, sizeof(v));
	return at + nl_align(a.rta_len);
}

size_t rtnl_route_encode(uint8_t *buf, size_t cap, const struct rtnl_route *r, uint32_t seq)
{
	struct nlmsghdr h;
	struct rtmsg rt;
	/* header, rtmsg, then at most four 8-byte attributes */
	size_t need = nl_align(sizeof(h)) + nl_align(sizeof(rt)) +
		      4 * nl_align(sizeof(struct rtattr) + 4);
	size_t at;

	if (cap < need)
		return 0;
	memset(buf, 0, need);
	memset(&rt, 0, sizeof(rt));
	rt.rtm_family = AF_INET;
	rt.rtm_dst_len = r->rr_len;
	rt.rtm_table = RT_TABLE_MAIN;
	rt.rtm_protocol = r->rr_protocol;
	rt.rtm_scope = r->rr_gw != 0 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt.rtm_type = RTN_UNICAST;
	at = nl_align(sizeof(h));
	memcpy(buf + at, &rt, sizeof(rt));
	at += nl_align(sizeof(rt));
	at = put_attr(buf, at, RTA_DST, htonl(r->rr_dst));
	at = put_attr(buf, at, RTA_OIF, r->rr_oif);
	at = put_attr(buf, at, RTA_PRIORITY, r->rr_metric);
	if (r->rr_gw != 0)
		at = put_attr(buf, at, RTA_GATEWAY, htonl(r->rr_gw));
	memset(&h, 0, sizeof(h));
	h.nlmsg_len = (uint32_t)at;
	h.nlmsg_type = r->rr_del ? RTM_DELROUTE : RTM_NEWROUTE;
	h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | (r->rr_del ? 0 : NLM_F_CREATE | NLM_F_REPLACE));
	h.nlmsg_seq = seq;
	memcpy(buf, &h, sizeof(h));
	return at;
}
