/* Flow export on the control thread: the workers' flow records
 * (dataplane/flow.h) as IPFIX (RFC 7011) over UDP to the collector.
 *
 * One template (256) describes every record: the inner addresses,
 * protocol and ports (ICMP: type and code in the destination port, as
 * NetFlow does), the direction (ingress: out of the tunnel, egress: into
 * it), the tunnel peer's NBMA address as ipNextHopIPv4Address, packet and
 * byte counts since the flow's last record, and its first and last packet
 * in milliseconds. The template goes out first and every 30 s (RFC 7011
 * 8.4 for UDP); records wait at most a second for a message to fill. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "inet.h"
#include "lcore_ctx.h"
#include "log.h"
#include "node.h"

#define IPFIX_VERSION 10
#define IPFIX_TEMPLATE_ID 256
#define IPFIX_MSG_MAX 1400 /* within one unfragmented datagram */
#define IPFIX_REC_LEN 50
#define IPFIX_TEMPLATE_EVERY_S 30
#define FLOW_RING 4096 /* records per worker waiting for the control thread */

struct flow_export {
	uint32_t fx_src, fx_dst;
	uint16_t fx_port;
	uint8_t fx_msg[IPFIX_MSG_MAX];
	uint16_t fx_len;      /* bytes in fx_msg; 0: nothing started */
	uint16_t fx_set_off;  /* where the data set's header is */
	uint32_t fx_seq;      /* data records sent (the header's sequence number) */
	uint64_t fx_first_ns; /* when the first record waiting went in */
	uint64_t fx_template_ns;
	uint64_t fx_tsc0, fx_ms0, fx_hz;
	uint64_t fx_msgs, fx_records, fx_send_failed;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* The template set: (IE, length) pairs in record order. */
static uint16_t ipfix_template(uint8_t *p)
{
	static const uint16_t fields[][2] = {
		{8, 4},   /* sourceIPv4Address */
		{12, 4},  /* destinationIPv4Address */
		{4, 1},   /* protocolIdentifier */
		{7, 2},   /* sourceTransportPort */
		{11, 2},  /* destinationTransportPort */
		{61, 1},  /* flowDirection: 0 ingress, 1 egress */
		{15, 4},  /* ipNextHopIPv4Address: the tunnel peer's NBMA address */
		{2, 8},   /* packetDeltaCount */
		{1, 8},   /* octetDeltaCount */
		{152, 8}, /* flowStartMilliseconds */
		{153, 8}, /* flowEndMilliseconds */
	};
	uint16_t n = (uint16_t)(sizeof(fields) / sizeof(fields[0])), len = (uint16_t)(8 + 4 * n);

	put16(p, 2); /* template set */
	put16(p + 2, len);
	put16(p + 4, IPFIX_TEMPLATE_ID);
	put16(p + 6, n);
	for (uint16_t i = 0; i < n; i++) {
		put16(p + 8 + 4 * i, fields[i][0]);
		put16(p + 10 + 4 * i, fields[i][1]);
	}
	return len;
}

static uint64_t fx_now_ns(const struct node *nd)
{
	return clock_now(&((struct node *)nd)->nd_clock);
}

/* The message so far to the collector; the next one starts empty. */
static void fx_send(struct node *nd, struct flow_export *fx)
{
	struct timespec ts;
	int rc;

	if (fx->fx_len == 0)
		return;
	if (fx->fx_set_off != 0)
		put16(fx->fx_msg + fx->fx_set_off + 2, (uint16_t)(fx->fx_len - fx->fx_set_off));
	clock_gettime(CLOCK_REALTIME, &ts);
	put16(fx->fx_msg, IPFIX_VERSION);
	put16(fx->fx_msg + 2, fx->fx_len);
	put32(fx->fx_msg + 4, (uint32_t)ts.tv_sec);
	/* fx_msg + 8 (sequence) was set when the message started */
	put32(fx->fx_msg + 12, 1); /* observation domain */
	rc = ctl_udp_send(&nd->nd_ctl, fx->fx_src, fx->fx_dst, fx->fx_port, fx->fx_port, fx->fx_msg,
			  fx->fx_len);
	if (rc != 0)
		fx->fx_send_failed++;
	fx->fx_msgs++;
	fx->fx_len = 0;
	fx->fx_set_off = 0;
}

/* A message started: header, the template when due, a data set header. */
static void fx_begin(struct node *nd, struct flow_export *fx)
{
	uint64_t now = fx_now_ns(nd);

	fx->fx_len = 16;
	put32(fx->fx_msg + 8, fx->fx_seq);
	if (fx->fx_template_ns == 0 ||
	    now - fx->fx_template_ns >= IPFIX_TEMPLATE_EVERY_S * CLK_NS_PER_S) {
		fx->fx_len = (uint16_t)(fx->fx_len + ipfix_template(fx->fx_msg + fx->fx_len));
		fx->fx_template_ns = now;
	}
	fx->fx_set_off = fx->fx_len;
	put16(fx->fx_msg + fx->fx_len, IPFIX_TEMPLATE_ID);
	fx->fx_len = (uint16_t)(fx->fx_len + 4);
	fx->fx_first_ns = now;
}

static uint64_t fx_ms(const struct flow_export *fx, uint64_t tsc)
{
	return fx->fx_ms0 + (tsc - fx->fx_tsc0) * 1000 / fx->fx_hz;
}

static void fx_add(struct node *nd, struct flow_export *fx, const struct flow_rec *r)
{
	uint8_t *p;

	if (fx->fx_len != 0 && fx->fx_len + IPFIX_REC_LEN > IPFIX_MSG_MAX)
		fx_send(nd, fx);
	if (fx->fx_len == 0)
		fx_begin(nd, fx);
	p = fx->fx_msg + fx->fx_len;
	put32(p, r->fr_key.fk_src);
	put32(p + 4, r->fr_key.fk_dst);
	p[8] = r->fr_key.fk_proto;
	put16(p + 9, r->fr_key.fk_sport);
	put16(p + 11, r->fr_key.fk_dport);
	p[13] = r->fr_key.fk_dir;
	put32(p + 14, r->fr_key.fk_peer);
	put64(p + 18, r->fr_pkts);
	put64(p + 26, r->fr_bytes);
	put64(p + 34, fx_ms(fx, r->fr_first));
	put64(p + 42, fx_ms(fx, r->fr_last));
	fx->fx_len = (uint16_t)(fx->fx_len + IPFIX_REC_LEN);
	fx->fx_seq++;
	fx->fx_records++;
}

/* The address the export leaves from: the port (or the tunnel) the route
 * to the collector uses. */
static uint32_t fx_source(const struct node *nd, uint32_t dst)
{
	const struct fib_route *rt = node_route_to(nd, dst);
	const struct fib_nh *nh;

	if (rt == NULL)
		return 0;
	nh = &nd->nd_dp.dp_fib.fb_nh[rt->rt_nh_idx];
	if (nh->nh_type == FIB_NH_TUNNEL)
		return nd->nd_dp.dp_tunnel.tn_addr;
	return nd->nd_dp.dp_ports[nh->nh_port].pt_addr;
}

int flow_export_init(struct node *nd)
{
	const struct cfg_flow_export *c = &nd->nd_cfg->flow_export;
	struct dp *dp = &nd->nd_dp;
	struct flow_export *fx;
	char name[RTE_RING_NAMESIZE], a[INET_ADDRSTR];
	struct timespec ts;
	uint64_t hz = rte_get_tsc_hz();

	if (c->collector == 0)
		return 0;
	fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		return -ENOMEM;
	for (unsigned w = 0; w < dp->dp_nworkers; w++) {
		struct flow_table *ft = &dp->dp_workers[w]->lc_flow;

		snprintf(name, sizeof(name), "flow%u", w);
		ft->fl_e = rte_zmalloc_socket("flows", FLOW_SLOTS * sizeof(struct flow_entry), 64,
					      SOCKET_ID_ANY);
		ft->fl_out = rte_ring_create_elem(name, sizeof(struct flow_rec), FLOW_RING,
						  SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ft->fl_e == NULL || ft->fl_out == NULL) {
			free(fx);
			return -ENOMEM; /* flow_export_fini frees what was made */
		}
	}
	fx->fx_dst = c->collector;
	fx->fx_port = c->port;
	fx->fx_src = fx_source(nd, c->collector);
	clock_gettime(CLOCK_REALTIME, &ts);
	fx->fx_ms0 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	fx->fx_tsc0 = rte_rdtsc();
	fx->fx_hz = hz;
	dp->dp_flow.dfe_sampling = c->sampling;
	dp->dp_flow.dfe_idle_tsc = (uint64_t)c->idle_timeout * hz;
	dp->dp_flow.dfe_active_tsc = (uint64_t)c->active_timeout * hz;
	dp->dp_flow.dfe_on = 1; /* the workers have not started yet */
	nd->nd_flow = fx;
	LOG_CTL(INFO, "flow export: IPFIX to %s:%u, 1 in %u packets, idle %u s, active %u s",
		inet_v4_str(c->collector, a), c->port, c->sampling, c->idle_timeout,
		c->active_timeout);
	return 0;
}

unsigned flow_export_poll(struct node *nd)
{
	struct flow_export *fx = nd->nd_flow;
	unsigned got = 0;

	if (fx == NULL)
		return 0;
	if (fx->fx_src == 0) /* no route to the collector at start: look again */
		fx->fx_src = fx_source(nd, fx->fx_dst);
	for (unsigned w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		struct flow_rec r[16];
		unsigned n = rte_ring_sc_dequeue_burst_elem(nd->nd_dp.dp_workers[w]->lc_flow.fl_out,
							    r, sizeof(r[0]), 16, NULL);

		for (unsigned i = 0; i < n; i++)
			fx_add(nd, fx, &r[i]);
		got += n;
	}
	if (fx->fx_len != 0 && fx_now_ns(nd) - fx->fx_first_ns >= CLK_NS_PER_S)
		fx_send(nd, fx);
	return got;
}

void flow_export_show(struct node *nd, struct strbuf *out)
{
	const struct cfg_flow_export *c = &nd->nd_cfg->flow_export;
	struct flow_export *fx = nd->nd_flow;
	uint64_t no_slot = 0, no_ring = 0;
	char a[INET_ADDRSTR], b[INET_ADDRSTR];

	if (fx == NULL) {
		strbuf_printf(out, "Flow export is off (no flow-export in the configuration).\n");
		return;
	}
	for (unsigned w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		no_slot += nd->nd_dp.dp_workers[w]->lc_flow.fl_no_slot;
		no_ring += nd->nd_dp.dp_workers[w]->lc_flow.fl_no_ring;
	}
	strbuf_printf(
		out,
		"IPFIX to %s:%u from %s, 1 in %u packets, idle timeout %u s, active timeout %u s\n",
		inet_v4_str(c->collector, a), c->port, inet_v4_str(fx->fx_src, b), c->sampling,
		c->idle_timeout, c->active_timeout);
	strbuf_printf(out,
		      "  %" PRIu64 " records in %" PRIu64 " messages, %" PRIu64
		      " messages not sent\n",
		      fx->fx_records, fx->fx_msgs, fx->fx_send_failed);
	strbuf_printf(out,
		      "  packets not counted: %" PRIu64
		      " (flow table full), records held back: %" PRIu64 " (ring full)\n",
		      no_slot, no_ring);
}

/* At stop, after the workers have stopped: what they counted goes out. */
void flow_export_fini(struct node *nd)
{
	struct flow_export *fx = nd->nd_flow;
	struct dp *dp = &nd->nd_dp;

	for (unsigned w = 0; w < dp->dp_nworkers; w++) {
		struct flow_table *ft = &dp->dp_workers[w]->lc_flow;

		if (fx != NULL && ft->fl_e != NULL)
			for (unsigned i = 0; i < FLOW_SLOTS; i++) {
				struct flow_entry *e = &ft->fl_e[i];
				struct flow_rec r = {.fr_key = e->fe_key,
						     .fr_pkts = e->fe_pkts,
						     .fr_bytes = e->fe_bytes,
						     .fr_first = e->fe_first,
						     .fr_last = e->fe_last};

				if (e->fe_used)
					fx_add(nd, fx, &r);
			}
		if (fx != NULL && ft->fl_out != NULL) {
			struct flow_rec r;

			while (rte_ring_sc_dequeue_elem(ft->fl_out, &r, sizeof(r)) == 0)
				fx_add(nd, fx, &r);
		}
		rte_ring_free(ft->fl_out);
		rte_free(ft->fl_e);
		ft->fl_out = NULL;
		ft->fl_e = NULL;
	}
	if (fx != NULL)
		fx_send(nd, fx);
	dp->dp_flow.dfe_on = 0;
	free(fx);
	nd->nd_flow = NULL;
}
