/* One list of dataplane drop reasons: enum, name and per-lcore counter come
 * from here (VPP error.def style). Add a reason here and nowhere else. */
#ifndef DMVPND_DROP_REASONS_H
#define DMVPND_DROP_REASONS_H

#define DP_DROP_REASONS(X)                                                            \
	X(NOT_FOR_US, "not_for_us", "destination MAC is neither ours nor broadcast")  \
	X(RUNT, "runt", "frame shorter than its headers")                             \
	X(ETHERTYPE, "unknown_ethertype", "neither IPv4 nor ARP")                     \
	X(IPV4_HEADER, "ipv4_bad_header", "IPv4 version, length or checksum wrong")   \
	X(IPV4_FRAGMENT, "ipv4_local_fragment", "fragment addressed to us")           \
	X(NO_ROUTE, "no_route", "no FIB entry for the destination")                   \
	X(BLACKHOLE, "blackhole", "route points to drop")                             \
	X(TTL, "ttl_exceeded", "TTL expired in transit")                              \
	X(MTU, "mtu_exceeded", "packet larger than the egress MTU")                   \
	X(TUNNEL, "tunnel_unavailable", "no tunnel configured for this route")        \
	X(NO_PEER, "nhrp_no_peer", "no NHRP entry for the tunnel next hop")           \
	X(TUNNEL_MTU, "tunnel_mtu", "inner packet larger than the tunnel MTU")        \
	X(GRE_HEADER, "gre_bad_header", "GRE version, flags or length wrong")         \
	X(GRE_CSUM, "gre_bad_checksum", "GRE checksum wrong")                         \
	X(GRE_KEY, "gre_key_mismatch", "GRE key absent, present or different")        \
	X(GRE_PROTO, "gre_unknown_protocol", "GRE payload neither IPv4 nor NHRP")     \
	X(GRE_RECURSION, "gre_recursion", "GRE inside GRE to ourselves")              \
	X(GRE_NOT_WAN, "gre_not_on_wan", "GRE arrived on a LAN port")                 \
	X(LOCAL_PROTO, "local_unknown_protocol", "to us, neither ICMP nor GRE")       \
	X(MCAST, "multicast_not_routed", "multicast or broadcast not for the tunnel") \
	X(NOMBUF, "no_mbuf", "no mbuf to copy a replicated packet into")              \
	X(ESP_REQUIRED, "esp_required", "cleartext GRE while protection is esp")      \
	X(ESP_NO_SA, "esp_no_sa", "no (usable) SA towards the peer: not sent")        \
	X(ESP_UNKNOWN_SPI, "esp_unknown_spi", "no inbound SA for the SPI")            \
	X(ESP_FAILED, "esp_failed", "ESP rejected it (see the esp reasons)")          \
	X(NATT_KEEPALIVE, "natt_keepalive", "NAT-T keepalive (RFC 3948 2.3)")         \
	X(IKE, "ike_not_keyed", "IKE, but keying is not ike (static, group-key)")     \
	X(PUNT_RATE, "punt_rate_limited", "punt token bucket empty")                  \
	X(PUNT_FULL, "punt_ring_full", "control thread behind, punt ring full")       \
	X(TX_FULL, "tx_full", "port TX queue full")                                   \
	X(QUEUE_FULL, "stage_queue_full", "a queue between stages full (a bug)")

enum dp_drop {
#define DP_DROP_ENUM(e, name, help) DP_DROP_##e,
	DP_DROP_REASONS(DP_DROP_ENUM)
#undef DP_DROP_ENUM
		DP_DROP_COUNT
};

/* stats.c */
const char *dp_drop_name(enum dp_drop d);
const char *dp_drop_help(enum dp_drop d);

#endif
