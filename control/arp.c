/* ARP (RFC 826) on the control thread: answers for our port addresses,
 * resolves next hops, ages entries and re-resolves them, and publishes the
 * resolved MACs to the workers' neighbour table (the only writer of it).
 *
 * States: INCOMPLETE (asking, packets held) -> REACHABLE (published) ->
 * PROBE (aged: still published, asking again) -> REACHABLE or gone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_malloc.h>

#include "ctl.h"
#include "inet.h"
#include "log.h"
#include "strbuf.h"

#define ARP_HOLD_MAX 4
#define ARP_RETRIES 3
#define ARP_RETRY_NS CLK_NS_PER_S
#define ARP_TABLE_SIZE 4096

enum arp_state { ARP_INCOMPLETE, ARP_REACHABLE, ARP_PROBE };

struct arp_entry {
	struct neigh_key ae_key;
	uint8_t ae_state;
	uint8_t ae_tries;
	uint8_t ae_nhold;
	struct rte_ether_addr ae_mac;
	uint64_t ae_updated_ns;
	struct timer ae_timer;
	struct ctl *ae_ctl;
	struct rte_mbuf *ae_hold[ARP_HOLD_MAX];
};

static const char *const arp_state_names[] = {"incomplete", "reachable", "probe"};

int arp_init(struct ctl *ct)
{
	struct rte_hash_parameters p = {
		.name = "ctl_arp",
		.entries = ARP_TABLE_SIZE,
		.key_len = sizeof(struct neigh_key),
		.socket_id = SOCKET_ID_ANY,
	};

	ct->ct_arp = rte_hash_create(&p);
	return ct->ct_arp != NULL ? 0 : -ENOMEM;
}

static void arp_entry_destroy(struct ctl *ct, struct arp_entry *ae, bool failed)
{
	uint8_t port = (uint8_t)ae->ae_key.nk_port;

	for (uint8_t i = 0; i < ae->ae_nhold; i++) {
		rte_pktmbuf_free(ae->ae_hold[i]);
		ctl_count(ct, port, failed ? CTL_ARP_RESOLVE_FAIL : CTL_ARP_HOLD_DROP);
	}
	timer_cancel(&ct->ct_timers, &ae->ae_timer);
	if (ae->ae_state != ARP_INCOMPLETE)
		neigh_table_retire(&ct->ct_dp->dp_neigh, port, ae->ae_key.nk_ip);
	rte_hash_del_key(ct->ct_arp, &ae->ae_key);
	free(ae);
}

void arp_fini(struct ctl *ct)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (ct->ct_arp == NULL)
		return;
	while (rte_hash_iterate(ct->ct_arp, &key, &data, &iter) >= 0) {
		struct arp_entry *ae = data;

		for (uint8_t i = 0; i < ae->ae_nhold; i++)
			rte_pktmbuf_free(ae->ae_hold[i]);
		timer_cancel(&ct->ct_timers, &ae->ae_timer);
		free(ae);
	}
	rte_hash_free(ct->ct_arp);
	ct->ct_arp = NULL;
}

static void arp_send(struct ctl *ct, uint8_t port_idx, uint16_t op,
		     const struct rte_ether_addr *dst_mac, uint32_t tip)
{
	const struct dp_port *pt = &ct->ct_dp->dp_ports[port_idx];
	struct rte_mbuf *m = ctl_alloc(ct, port_idx);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	bool request = op == RTE_ARP_OP_REQUEST;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	if (request)
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	else
		eth->dst_addr = *dst_mac;
	eth->src_addr = pt->pt_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = pt->pt_mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(pt->pt_addr);
	if (request)
		memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	else
		arp->arp_data.arp_tha = *dst_mac;
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	ctl_count(ct, port_idx, request ? CTL_ARP_TX_REQUEST : CTL_ARP_TX_REPLY);
	ctl_tx_frame(ct, port_idx, m);
}

static void arp_flush_hold(struct ctl *ct, struct arp_entry *ae)
{
	uint8_t port = (uint8_t)ae->ae_key.nk_port;

	for (uint8_t i = 0; i < ae->ae_nhold; i++) {
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(ae->ae_hold[i], struct rte_ether_hdr *);

		eth->dst_addr = ae->ae_mac;
		ctl_tx_frame(ct, port, ae->ae_hold[i]);
	}
	ae->ae_nhold = 0;
}

static void arp_timer_fire(struct timer *t, void *arg)
{
	struct arp_entry *ae = arg;
	struct ctl *ct = ae->ae_ctl;
	uint8_t port = (uint8_t)ae->ae_key.nk_port;
	uint64_t now = clock_now(ct->ct_clock);

	(void)t;
	if (ae->ae_state == ARP_REACHABLE) {
		/* Aged: keep forwarding with the old MAC while asking again. */
		ae->ae_state = ARP_PROBE;
		ae->ae_tries = 0;
	}
	if (ae->ae_tries >= ARP_RETRIES) {
		char ip[INET_ADDRSTR];

		LOG_ARP(INFO, "%s on %s: no answer after %u requests, entry removed",
			inet_v4_str(ae->ae_key.nk_ip, ip), ct->ct_dp->dp_ports[port].pt_name,
			ARP_RETRIES);
		arp_entry_destroy(ct, ae, true);
		return;
	}
	ae->ae_tries++;
	arp_send(ct, port, RTE_ARP_OP_REQUEST, NULL, ae->ae_key.nk_ip);
	timer_arm(&ct->ct_timers, &ae->ae_timer, now + ARP_RETRY_NS);
}

static struct arp_entry *arp_entry_lookup(struct ctl *ct, uint8_t port, uint32_t ip)
{
	struct neigh_key k = {.nk_ip = ip, .nk_port = port, .nk_pad = 0};
	void *data;

	return rte_hash_lookup_data(ct->ct_arp, &k, &data) >= 0 ? data : NULL;
}

static struct arp_entry *arp_entry_create(struct ctl *ct, uint8_t port, uint32_t ip)
{
	struct arp_entry *ae = calloc(1, sizeof(*ae));

	if (ae == NULL)
		return NULL;
	ae->ae_key.nk_ip = ip;
	ae->ae_key.nk_port = port;
	ae->ae_ctl = ct;
	ae->ae_state = ARP_INCOMPLETE;
	timer_init(&ae->ae_timer, arp_timer_fire, ae);
	if (rte_hash_add_key_data(ct->ct_arp, &ae->ae_key, ae) < 0) {
		free(ae);
		return NULL;
	}
	return ae;
}

/* A MAC learned for (port, ip): publish it and release held packets. */
static void arp_entry_update(struct ctl *ct, struct arp_entry *ae, const struct rte_ether_addr *mac)
{
	uint64_t now = clock_now(ct->ct_clock);
	uint8_t port = (uint8_t)ae->ae_key.nk_port;

	if (neigh_table_publish(&ct->ct_dp->dp_neigh, port, ae->ae_key.nk_ip, mac) != 0) {
		LOG_ARP(WARNING, "neighbour table full, %u entries", ct->ct_dp->dp_neigh.nt_size);
		return;
	}
	ae->ae_mac = *mac;
	ae->ae_state = ARP_REACHABLE;
	ae->ae_tries = 0;
	ae->ae_updated_ns = now;
	timer_arm(&ct->ct_timers, &ae->ae_timer,
		  now + (uint64_t)ct->ct_arp_reachable_s * CLK_NS_PER_S);
	arp_flush_hold(ct, ae);
}

struct arp_msg {
	uint16_t op;
	struct rte_ether_addr sha, tha;
	uint32_t sip, tip; /* host order */
};

/* Decode and validate: Ethernet/IPv4 ARP only, lengths exact. */
static int arp_decode(const struct rte_mbuf *m, struct arp_msg *out)
{
	struct rte_arp_hdr buf;
	const struct rte_arp_hdr *a;

	a = rte_pktmbuf_read(m, sizeof(struct rte_ether_hdr), sizeof(buf), &buf);
	if (a == NULL || a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || a->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    a->arp_plen != 4)
		return -EBADMSG;
	out->op = rte_be_to_cpu_16(a->arp_opcode);
	if (out->op != RTE_ARP_OP_REQUEST && out->op != RTE_ARP_OP_REPLY)
		return -EBADMSG;
	out->sha = a->arp_data.arp_sha;
	out->tha = a->arp_data.arp_tha;
	out->sip = rte_be_to_cpu_32(a->arp_data.arp_sip);
	out->tip = rte_be_to_cpu_32(a->arp_data.arp_tip);
	if (!rte_is_unicast_ether_addr(&out->sha) || rte_is_zero_ether_addr(&out->sha))
		return -EBADMSG;
	return 0;
}

static bool arp_on_link(const struct dp_port *pt, uint32_t ip)
{
	uint32_t mask = inet_v4_mask(pt->pt_plen);

	return ip != 0 && ip != pt->pt_addr && (ip & mask) == (pt->pt_addr & mask);
}

void arp_input(struct ctl *ct, uint8_t port_idx, struct rte_mbuf *m)
{
	const struct dp_port *pt = &ct->ct_dp->dp_ports[port_idx];
	struct arp_entry *ae;
	struct arp_msg a;

	if (arp_decode(m, &a) != 0) {
		ctl_count(ct, port_idx, CTL_ARP_BAD);
		goto out;
	}
	ctl_count(ct, port_idx, a.op == RTE_ARP_OP_REQUEST ? CTL_ARP_RX_REQUEST : CTL_ARP_RX_REPLY);
	ae = arp_on_link(pt, a.sip) ? arp_entry_lookup(ct, port_idx, a.sip) : NULL;
	/* Like Linux: a request for our address creates the sender's entry;
	 * anything else only refreshes an entry we already have (no poisoning
	 * by unsolicited replies). */
	if (ae == NULL && a.op == RTE_ARP_OP_REQUEST && a.tip == pt->pt_addr &&
	    arp_on_link(pt, a.sip))
		ae = arp_entry_create(ct, port_idx, a.sip);
	if (ae != NULL)
		arp_entry_update(ct, ae, &a.sha);
	if (a.op == RTE_ARP_OP_REQUEST && a.tip == pt->pt_addr)
		arp_send(ct, port_idx, RTE_ARP_OP_REPLY, &a.sha, a.sip);
	else if (ae == NULL)
		ctl_count(ct, port_idx, CTL_ARP_IGNORED);
out:
	rte_pktmbuf_free(m);
}

void arp_output(struct ctl *ct, uint8_t port_idx, uint32_t ip, struct rte_mbuf *m)
{
	struct arp_entry *ae = arp_entry_lookup(ct, port_idx, ip);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->src_addr = ct->ct_dp->dp_ports[port_idx].pt_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (ae != NULL && ae->ae_state != ARP_INCOMPLETE) {
		eth->dst_addr = ae->ae_mac;
		ctl_tx_frame(ct, port_idx, m);
		return;
	}
	if (ae == NULL) {
		ae = arp_entry_create(ct, port_idx, ip);
		if (ae == NULL) {
			ctl_count(ct, port_idx, CTL_ARP_HOLD_DROP);
			rte_pktmbuf_free(m);
			return;
		}
		arp_timer_fire(&ae->ae_timer, ae); /* first request now */
	}
	if (ae->ae_nhold == ARP_HOLD_MAX) {
		/* Keep the newest, as Linux's unres_qlen does. */
		rte_pktmbuf_free(ae->ae_hold[0]);
		memmove(ae->ae_hold, ae->ae_hold + 1, (ARP_HOLD_MAX - 1) * sizeof(m));
		ae->ae_nhold--;
		ctl_count(ct, port_idx, CTL_ARP_HOLD_DROP);
	}
	ae->ae_hold[ae->ae_nhold++] = m;
}

void arp_show(struct ctl *ct, struct strbuf *out)
{
	uint64_t now = clock_now(ct->ct_clock);
	const void *key;
	void *data;
	uint32_t iter = 0;

	strbuf_printf(out, "%-16s %-10s %-18s %-11s %s\n", "Address", "Interface", "Hardware Addr",
		      "State", "Age(s)");
	while (rte_hash_iterate(ct->ct_arp, &key, &data, &iter) >= 0) {
		const struct arp_entry *ae = data;
		char ip[INET_ADDRSTR], mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (ae->ae_state == ARP_INCOMPLETE)
			snprintf(mac, sizeof(mac), "(incomplete)");
		else
			rte_ether_format_addr(mac, sizeof(mac), &ae->ae_mac);
		strbuf_printf(out, "%-16s %-10s %-18s %-11s %" PRIu64 "\n",
			      inet_v4_str(ae->ae_key.nk_ip, ip),
			      ct->ct_dp->dp_ports[ae->ae_key.nk_port].pt_name, mac,
			      arp_state_names[ae->ae_state],
			      ae->ae_state == ARP_INCOMPLETE
				      ? 0
				      : (now - ae->ae_updated_ns) / CLK_NS_PER_S);
	}
}
