/* ping from the node, as IOS's: ICMP echo requests sent by the control
 * thread along the node's own routes (a port, or the overlay through NHRP
 * and ESP like any tunnel packet), one at a time: the next goes when the
 * reply arrives or after a 2 s timeout. A CLI session starts a job and
 * asks for its progress; a few jobs may run at once, told apart by the
 * echo identifier. */
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

struct ping_job {
	struct ctl *pj_ct;
	struct timer pj_timer;
	bool pj_used, pj_done;
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
	timer_init(&pj->pj_timer, ping_timeout, pj);
	strbuf_printf(msg, "%u", (unsigned)(pj - ct->ct_ping->pg_jobs));
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
	for (n = pj->pj_marks_read; n < pj->pj_count && pj->pj_marks[n] != '\0'; n++)
		;
	strbuf_printf(out, "%.*s\n", (int)(n - pj->pj_marks_read), pj->pj_marks + pj->pj_marks_read);
	pj->pj_marks_read = n;
	if (!pj->pj_done)
		return 0;
	strbuf_printf(out, "Success rate is %u percent (%u/%u)", pj->pj_recv * 100 / pj->pj_count,
		      pj->pj_recv, pj->pj_count);
	if (pj->pj_recv != 0)
		strbuf_printf(out, ", round-trip min/avg/max = %.3f/%.3f/%.3f ms",
			      (double)pj->pj_min_ns / 1e6, (double)pj->pj_sum_ns / pj->pj_recv / 1e6,
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
		if (ct->ct_ping->pg_jobs[i].pj_used)
			timer_cancel(&ct->ct_timers, &ct->ct_ping->pg_jobs[i].pj_timer);
	free(ct->ct_ping);
	ct->ct_ping = NULL;
}
