/* ping and traceroute from the node, as IOS's: probes sent by the control
 * thread along the node's own routes (a port, or the overlay through NHRP
 * and ESP like any tunnel packet), one at a time: the next goes when the
 * answer arrives or after a 2 s timeout. ping sends ICMP echo requests;
 * traceroute UDP to port 33434 and up with a growing TTL, three a hop,
 * until the destination says its port is unreachable. A CLI session
 * starts a job and asks for its progress; a few jobs may run at once,
 * told apart by the echo identifier or the UDP source port. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "ctl.h"
#include "inet.h"
#include "ping.h"

#define PING_JOBS DP_PING_IDS
#define PING_ID_BASE DP_PING_ID_BASE /* echo identifiers PING_ID_BASE + job */
#define PING_TIMEOUT_NS (2 * CLK_NS_PER_S)
#define PING_MAX_COUNT 1000
#define TRACE_PORT 33434
#define TRACE_PROBES 3

struct ping_job {
	struct ctl *pj_ct;
	struct timer pj_timer;
	bool pj_used, pj_done;
	bool pj_trace;                         /* traceroute, else ping */
	unsigned pj_ttl, pj_max_ttl, pj_probe; /* traceroute: hop, its probe 0..2 */
	uint32_t pj_hop_from;                  /* who answered this hop so far */
	bool pj_reached;                       /* the destination answered */
	struct strbuf pj_text;                 /* traceroute: lines not yet polled */
	uint32_t pj_dst, pj_src;
	uint16_t pj_size; /* the IPv4 datagram's length */
	unsigned pj_count, pj_sent, pj_recv;
	uint64_t pj_sent_ns;
	uint64_t pj_min_ns, pj_max_ns, pj_sum_ns;
	char pj_marks[PING_MAX_COUNT + 1]; /* '!' answered, '.' timed out */
	unsigned pj_marks_read;
};

struct ctl_ping {
	struct ping_job pg_jobs[PING_JOBS];
};

static void ping_send(struct ping_job *pj);
static int probe_start(struct ctl *ct, uint32_t dst, unsigned count, unsigned size, uint32_t src,
		       unsigned max_ttl, struct strbuf *msg);

static void ping_finish_one(struct ping_job *pj, char mark)
{
	pj->pj_marks[pj->pj_sent - 1] = mark;
	timer_cancel(&pj->pj_ct->ct_timers, &pj->pj_timer);
	if (pj->pj_sent >= pj->pj_count)
		pj->pj_done = true;
	else
		ping_send(pj);
}

static void ping_timeout(struct timer *t, void *arg)
{
	(void)t;
	ping_finish_one(arg, '.');
}

static void ping_send(struct ping_job *pj)
{
	struct ctl *ct = pj->pj_ct;
	unsigned idx = (unsigned)(pj - ct->ct_ping->pg_jobs);
	struct rte_mbuf *m = ctl_alloc(ct, 0);
	uint16_t icmp_len = (uint16_t)(pj->pj_size - sizeof(struct rte_ipv4_hdr));
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	char *p;

	pj->pj_sent++;
	pj->pj_sent_ns = clock_now(ct->ct_clock);
	timer_arm(&ct->ct_timers, &pj->pj_timer, pj->pj_sent_ns + PING_TIMEOUT_NS);
	if (m == NULL)
		return; /* counted; it times out */
	p = rte_pktmbuf_append(m, (uint16_t)(sizeof(struct rte_ether_hdr) + pj->pj_size));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(p, 0, sizeof(struct rte_ether_hdr) + pj->pj_size);
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(pj->pj_size);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(pj->pj_src);
	ip->dst_addr = rte_cpu_to_be_32(pj->pj_dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16((uint16_t)(PING_ID_BASE + idx));
	ic->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)pj->pj_sent);
	for (uint16_t i = sizeof(*ic); i < icmp_len; i++)
		((uint8_t *)ic)[i] = (uint8_t)i; /* a pattern, as ping's */
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, icmp_len);
	ctl_tx_ipv4(ct, m);
}

/* ---- traceroute ---- */

static void trace_send(struct ping_job *pj);

static void trace_next(struct ping_job *pj)
{
	timer_cancel(&pj->pj_ct->ct_timers, &pj->pj_timer);
	if (++pj->pj_probe == TRACE_PROBES) {
		strbuf_printf(&pj->pj_text, "\n");
		pj->pj_probe = 0;
		if (pj->pj_reached || pj->pj_ttl >= pj->pj_max_ttl) {
			pj->pj_done = true;
			return;
		}
		pj->pj_ttl++;
		pj->pj_hop_from = 0;
	}
	trace_send(pj);
}

static void trace_timeout(struct timer *t, void *arg)
{
	struct ping_job *pj = arg;

	(void)t;
	strbuf_printf(&pj->pj_text, " *");
	trace_next(pj);
}

static uint16_t trace_dport(const struct ping_job *pj)
{
	return (uint16_t)(TRACE_PORT + (pj->pj_ttl - 1) * TRACE_PROBES + pj->pj_probe);
}

/* One UDP probe with the hop's TTL (RFC 1393's way, as traceroute's). */
static void trace_send(struct ping_job *pj)
{
	struct ctl *ct = pj->pj_ct;
	unsigned idx = (unsigned)(pj - ct->ct_ping->pg_jobs);
	struct rte_mbuf *m = ctl_alloc(ct, 0);
	uint16_t len = (uint16_t)(sizeof(struct rte_ipv4_hdr) + 8 + 12);
	struct rte_ipv4_hdr *ip;
	uint8_t *udp;
	char *p;

	if (pj->pj_probe == 0)
		strbuf_printf(&pj->pj_text, "%2u", pj->pj_ttl);
	pj->pj_sent_ns = clock_now(ct->ct_clock);
	timer_arm(&ct->ct_timers, &pj->pj_timer, pj->pj_sent_ns + PING_TIMEOUT_NS);
	if (m == NULL)
		return;
	p = rte_pktmbuf_append(m, (uint16_t)(sizeof(struct rte_ether_hdr) + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(p, 0, sizeof(struct rte_ether_hdr) + len);
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = (uint8_t)pj->pj_ttl;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(pj->pj_src);
	ip->dst_addr = rte_cpu_to_be_32(pj->pj_dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (uint8_t *)(ip + 1);
	udp[0] = (uint8_t)((PING_ID_BASE + idx) >> 8);
	udp[1] = (uint8_t)(PING_ID_BASE + idx);
	udp[2] = (uint8_t)(trace_dport(pj) >> 8);
	udp[3] = (uint8_t)trace_dport(pj);
	udp[5] = 8 + 12; /* length; checksum 0: none (RFC 768) */
	ctl_tx_ipv4(ct, m);
}

bool trace_answer(struct ctl *ct, uint32_t from, const uint8_t *icmp, uint32_t len)
{
	const uint8_t *q = icmp + 8, *udp;
	struct ping_job *pj;
	uint16_t sport, dport;
	char a[INET_ADDRSTR];
	unsigned ihl;

	if (ct->ct_ping == NULL || len < 8 + 20 + 8)
		return false;
	ihl = (unsigned)(q[0] & 0x0f) * 4;
	if (ihl < 20 || len < 8 + ihl + 8 || q[9] != IPPROTO_UDP)
		return false;
	udp = q + ihl;
	sport = (uint16_t)(udp[0] << 8 | udp[1]);
	dport = (uint16_t)(udp[2] << 8 | udp[3]);
	if (sport < PING_ID_BASE || sport >= PING_ID_BASE + PING_JOBS)
		return false;
	pj = &ct->ct_ping->pg_jobs[sport - PING_ID_BASE];
	if (!pj->pj_used || !pj->pj_trace || pj->pj_done || dport != trace_dport(pj))
		return true; /* late, or another's */
	if (from != pj->pj_hop_from)
		strbuf_printf(&pj->pj_text, " %s", inet_v4_str(from, a));
	pj->pj_hop_from = from;
	strbuf_printf(&pj->pj_text, " %.3f ms",
		      (double)(clock_now(ct->ct_clock) - pj->pj_sent_ns) / 1e6);
	if (icmp[0] == 3) /* unreachable: the destination (or a router refusing) */
		pj->pj_reached = true;
	trace_next(pj);
	return true;
}

/* The address our packets to dst leave from: the port's, or the tunnel's. */
static uint32_t ping_source(struct ctl *ct, uint32_t dst)
{
	const struct fib_nh *nh = fib_lookup(&ct->ct_dp->dp_fib, dst);

	if (nh == NULL)
		return 0;
	if (nh->nh_type == FIB_NH_TUNNEL)
		return ct->ct_dp->dp_tunnel.tn_addr;
	if (nh->nh_type == FIB_NH_LOCAL)
		return dst;
	return ct->ct_dp->dp_ports[nh->nh_port].pt_addr;
}

int ping_start(struct ctl *ct, uint32_t dst, unsigned count, unsigned size, uint32_t src,
	       struct strbuf *msg)
{
	return probe_start(ct, dst, count, size, src, 0, msg);
}

int trace_start(struct ctl *ct, uint32_t dst, unsigned max_ttl, uint32_t src, struct strbuf *msg)
{
	return probe_start(ct, dst, 0, 0, src, max_ttl, msg);
}

/* max_ttl != 0: traceroute. */
static int probe_start(struct ctl *ct, uint32_t dst, unsigned count, unsigned size, uint32_t src,
		       unsigned max_ttl, struct strbuf *msg)
{
	struct ping_job *pj = NULL;
	char a[INET_ADDRSTR];

	if (ct->ct_ping == NULL && (ct->ct_ping = calloc(1, sizeof(*ct->ct_ping))) == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < PING_JOBS; i++)
		if (!ct->ct_ping->pg_jobs[i].pj_used) {
			pj = &ct->ct_ping->pg_jobs[i];
			break;
		}
	if (pj == NULL) {
		strbuf_printf(msg, "%u pings run already: try again when one is done", PING_JOBS);
		return -EBUSY;
	}
	if (src == 0)
		src = ping_source(ct, dst);
	if (src == 0) {
		strbuf_printf(msg, "no route to %s", inet_v4_str(dst, a));
		return -ENETUNREACH;
	}
	memset(pj, 0, sizeof(*pj));
	pj->pj_ct = ct;
	pj->pj_used = true;
	pj->pj_dst = dst;
	pj->pj_src = src;
	pj->pj_count = count;
	pj->pj_size = (uint16_t)size;
	pj->pj_min_ns = UINT64_MAX;
	strbuf_init(&pj->pj_text);
	strbuf_printf(msg, "%u", (unsigned)(pj - ct->ct_ping->pg_jobs));
	if (max_ttl != 0) {
		pj->pj_trace = true;
		pj->pj_ttl = 1;
		pj->pj_max_ttl = max_ttl;
		timer_init(&pj->pj_timer, trace_timeout, pj);
		trace_send(pj);
		return 0;
	}
	timer_init(&pj->pj_timer, ping_timeout, pj);
	ping_send(pj);
	return 0;
}

bool ping_reply(struct ctl *ct, uint32_t from, const uint8_t *icmp, uint32_t len)
{
	const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)icmp;
	uint16_t id, seq;
	struct ping_job *pj;
	uint64_t rtt;

	if (ct->ct_ping == NULL || len < sizeof(*ic))
		return false;
	id = rte_be_to_cpu_16(ic->icmp_ident);
	seq = rte_be_to_cpu_16(ic->icmp_seq_nb);
	if (id < PING_ID_BASE || id >= PING_ID_BASE + PING_JOBS)
		return false;
	pj = &ct->ct_ping->pg_jobs[id - PING_ID_BASE];
	/* Only the one in flight, from the address pinged: a late or stray
	 * reply is not counted. */
	if (!pj->pj_used || pj->pj_done || seq != pj->pj_sent || from != pj->pj_dst ||
	    pj->pj_marks[pj->pj_sent - 1] != '\0')
		return true;
	rtt = clock_now(ct->ct_clock) - pj->pj_sent_ns;
	pj->pj_recv++;
	pj->pj_sum_ns += rtt;
	pj->pj_min_ns = rtt < pj->pj_min_ns ? rtt : pj->pj_min_ns;
	pj->pj_max_ns = rtt > pj->pj_max_ns ? rtt : pj->pj_max_ns;
	ping_finish_one(pj, '!');
	return true;
}

int ping_poll(struct ctl *ct, unsigned job, struct strbuf *out)
{
	struct ping_job *pj;
	unsigned n;

	if (ct->ct_ping == NULL || job >= PING_JOBS || !ct->ct_ping->pg_jobs[job].pj_used)
		return -ENOENT;
	pj = &ct->ct_ping->pg_jobs[job];
	if (pj->pj_trace) {
		/* whole hop lines only */
		const char *t = strbuf_str(&pj->pj_text), *nl = strrchr(t, '\n');
		size_t k = nl != NULL ? (size_t)(nl - t) + 1 : 0;

		strbuf_printf(out, "%.*s", (int)(k - pj->pj_marks_read), t + pj->pj_marks_read);
		pj->pj_marks_read = (unsigned)k;
		if (!pj->pj_done)
			return 0;
		strbuf_printf(out, "%s\n",
			      pj->pj_reached ? "" : "(no answer from the destination)");
		strbuf_fini(&pj->pj_text);
		pj->pj_used = false;
		return 1;
	}
	for (n = pj->pj_marks_read; n < pj->pj_count && pj->pj_marks[n] != '\0'; n++)
		;
	strbuf_printf(out, "%.*s\n", (int)(n - pj->pj_marks_read),
		      pj->pj_marks + pj->pj_marks_read);
	pj->pj_marks_read = n;
	if (!pj->pj_done)
		return 0;
	strbuf_printf(out, "Success rate is %u percent (%u/%u)", pj->pj_recv * 100 / pj->pj_count,
		      pj->pj_recv, pj->pj_count);
	if (pj->pj_recv != 0)
		strbuf_printf(out, ", round-trip min/avg/max = %.3f/%.3f/%.3f ms",
			      (double)pj->pj_min_ns / 1e6,
			      (double)pj->pj_sum_ns / pj->pj_recv / 1e6,
			      (double)pj->pj_max_ns / 1e6);
	strbuf_printf(out, "\n");
	pj->pj_used = false;
	return 1;
}

void ping_fini(struct ctl *ct)
{
	if (ct->ct_ping == NULL)
		return;
	for (unsigned i = 0; i < PING_JOBS; i++)
		if (ct->ct_ping->pg_jobs[i].pj_used) {
			timer_cancel(&ct->ct_timers, &ct->ct_ping->pg_jobs[i].pj_timer);
			strbuf_fini(&ct->ct_ping->pg_jobs[i].pj_text);
		}
	free(ct->ct_ping);
	ct->ct_ping = NULL;
}
