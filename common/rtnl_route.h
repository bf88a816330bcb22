/* Routes in the kernel's rtnetlink messages (RTM_NEWROUTE, RTM_DELROUTE),
 * decoded into structs. Pure and bounds-checked: the bytes come from a
 * netlink socket, but a parser never trusts what it reads. */
#ifndef DMVPND_RTNL_ROUTE_H
#define DMVPND_RTNL_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One IPv4 route as the kernel states it. Addresses in host order. When
 * the route has several next hops (RTA_MULTIPATH), the first is taken. */
struct rtnl_route {
	bool rr_del;         /* RTM_DELROUTE */
	uint8_t rr_family;   /* AF_INET; anything else is skipped by callers */
	uint8_t rr_len;      /* prefix length */
	uint8_t rr_protocol; /* RTPROT_*: who installed it (bgp, ospf, ...) */
	uint8_t rr_type;     /* RTN_*: unicast, blackhole, ... */
	uint32_t rr_table;   /* RT_TABLE_* or RTA_TABLE */
	uint32_t rr_dst;     /* the prefix */
	uint32_t rr_gw;      /* 0 = on-link (no gateway) */
	uint32_t rr_oif;     /* ifindex, 0 = none */
	uint32_t rr_metric;  /* RTA_PRIORITY */
};

/* What a walk over one recv() buffer found at its next message. */
enum rtnl_next {
	RTNL_END,   /* no more messages in the buffer */
	RTNL_ROUTE, /* a route: *out filled */
	RTNL_DONE,  /* NLMSG_DONE: the end of a dump */
	RTNL_ERROR, /* NLMSG_ERROR; *err holds its (negative) errno, 0 = ack */
	RTNL_OTHER, /* a message of another type, skipped */
	RTNL_BAD,   /* malformed: skipped (a bad header ends the buffer) */
};

/* Decodes the message at *off in buf[0..len) and advances *off past it. */
enum rtnl_next rtnl_next(const uint8_t *buf, size_t len, size_t *off, struct rtnl_route *out,
			 int *err);

/* The decode of one route message's body (after the nlmsghdr): 0, or
 * -EBADMSG when it is too short or an attribute overruns it. */
int rtnl_route_decode(const uint8_t *body, size_t len, bool del, struct rtnl_route *out);

/* The protocol number of the routes dmvpnd itself writes into the kernel
 * (tunnel.export-registrations): not one of FRR's own (186-199, which
 * zebra would take for stale routes of its own and remove), so zebra
 * sees them as kernel routes, redistributed with `redistribute kernel`. */
#define RTNL_PROTO_DMVPND 245

/* The message that adds (RTM_NEWROUTE, replacing any route of the same
 * prefix and metric) or removes (RTM_DELROUTE) r in the main table:
 * r's prefix, gateway (0 = on-link), oif, protocol and metric. Its length,
 * or 0 when it does not fit in cap. No acknowledgement is asked; the
 * kernel still answers a failure with an NLMSG_ERROR. */
size_t rtnl_route_encode(uint8_t *buf, size_t cap, const struct rtnl_route *r, uint32_t seq);

/* A short name for a route's protocol ("bgp", "ospf", "static", ...). */
const char *rtnl_proto_name(uint8_t protocol);

#endif
