/* The traffic generator, on the main lcore: it keeps the workers' RX rings
 * full and recycles what the workers transmit. A recycled mbuf gets the
 * next template's head copied back (the few bytes encap/decap rewrote),
 * data_off and lengths reset, and, when the peers send ESP, is encrypted
 * with the sending peer's own SA. Every cycle of this is spent on the
 * main lcore; the worker's counters hold only its own. It also stands in
 * for the control thread: punted packets and events are drained and
 * counted, and mbufs the worker freed (drops) are replaced. */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "bench.h"

#define GEN_BURST_MAX 64
#define GEN_IDLE_PAUSES 64
/* With thousands of peers every packet is another flow's template and,
 * when the peers send ESP, another peer's SA: the generator fetches the
 * templates of the flows this far ahead, and their SAs half as far, so
 * that it keeps the worker's ring full (a generator-bound worker reads
 * packet lines the other core has just written). */
#define GEN_PREFETCH_FLOWS 64
#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

static inline struct bench_priv *priv_of(struct rte_mbuf *m)
{
	return rte_mbuf_to_priv(m);
}

static bool gen_protects(const struct bench *b)
{
	return b->b_opt.o_prot != BENCH_PROT_NONE &&
	       (b->b_opt.o_dir == BENCH_DECAP || b->b_opt.o_dir == BENCH_HAIRPIN);
}

/* The peers' side of ESP: encrypt v[0..n), GRE packets, as their senders
 * would, a run of packets from one sender in one call. */
static void gen_protect(struct bench *b, struct rte_mbuf **v, unsigned n)
{
	struct rte_mbuf *pkts[GEN_BURST_MAX], *dropped[GEN_BURST_MAX];
	uint8_t why[GEN_BURST_MAX];
	unsigned i = 0, j;

	while (i < n) {
		uint32_t peer = b->b_tmpl[priv_of(v[i])->bp_tmpl].t_src_peer;
		uint16_t k = 0, ok;

		for (j = i; j < n && b->b_tmpl[priv_of(v[j])->bp_tmpl].t_src_peer == peer; j++)
			pkts[k++] = v[j];
		ok = esp_encrypt_burst(&b->b_gen_cx, b->b_peer_out[peer], pkts, k, L2_LEN,
				       &(struct esp_sink){.es_drop = dropped, .es_reason = why});
		for (uint16_t d = 0; d < k - ok; d++)
			b->b_gen.gs_verify_esp[why[d]]++; /* never expected: shows in the report */
		for (unsigned x = i; x < j; x++)
			priv_of(v[x])->bp_wire_len = (uint16_t)v[x]->data_len;
		i = j;
	}
}

/* The template of the flow `ahead` flows after the next one (its first
 * size: the others sit next to it). */
static const struct bench_tmpl *gen_tmpl_ahead(const struct bench *b, uint32_t ahead)
{
	uint32_t f = (uint32_t)(((uint64_t)b->b_next_flow + ahead) % b->b_nflows);

	return &b->b_tmpl[(size_t)f * b->b_nsizes];
}

/* Before n packets are filled: the lines of the flows after them. */
static void gen_prefetch(const struct bench *b, unsigned n)
{
	bool esp = gen_protects(b);

	if (b->b_nflows <= GEN_PREFETCH_FLOWS)
		return; /* they all stay in the caches */
	for (unsigned k = 0; k < n; k++) {
		rte_prefetch0(gen_tmpl_ahead(b, GEN_PREFETCH_FLOWS + k));
		if (esp) /* its template was fetched a round ago */
			esp_sa_prefetch(b->b_peer_out[gen_tmpl_ahead(b, GEN_PREFETCH_FLOWS / 2 + k)
							      ->t_src_peer],
					false);
	}
}

/* The next template's frame in m, before ESP. */
static void gen_fill_plain(struct bench *b, struct rte_mbuf *m)
{
	uint32_t idx;
	const struct bench_tmpl *t = bench_tmpl_next(b, &idx);
	struct bench_priv *bp = priv_of(m);

	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = t->t_frame_len;
	m->pkt_len = t->t_frame_len;
	rte_memcpy(rte_pktmbuf_mtod(m, void *), t->t_hdr, t->t_hdr_len);
	bp->bp_tmpl = idx;
	bp->bp_wire_len = t->t_frame_len;
}

/* v[0..n) filled with the next templates' frames, encrypted when the
 * peers send ESP. */
static void gen_fill_burst(struct bench *b, struct rte_mbuf **v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		gen_fill_plain(b, v[i]);
	if (gen_protects(b))
		gen_protect(b, v, n);
}

void bench_gen_fill(struct bench *b, struct rte_mbuf *m)
{
	gen_fill_burst(b, &m, 1);
}

/* Onto the workers' RX rings: each packet to the queue of its template
 * (bench_pkt.c steers as RSS would), in order within a queue. */
static void gen_inject(struct bench *b, struct rte_mbuf **v, unsigned n)
{
	struct rte_ring *const *rx = b->b_rx[b->b_in_port];
	unsigned nq = b->b_opt.o_nworkers, k = 0;

	for (unsigned i = 0; i < n; i++) {
		b->b_gen.gs_port_rx_bytes[b->b_in_port] += v[i]->pkt_len;
		b->b_gen.gs_port_rx_inner[b->b_in_port] +=
			b->b_tmpl[priv_of(v[i])->bp_tmpl].t_inner_len;
	}
	if (nq == 1) {
		k = rte_ring_sp_enqueue_burst(rx[0], (void **)v, n, NULL);
		if (k < n) /* cannot happen: the ring holds every mbuf in flight */
			rte_pktmbuf_free_bulk(v + k, n - k);
	} else {
		for (unsigned q = 0; q < nq; q++) {
			struct rte_mbuf *mine[GEN_BURST_MAX];
			unsigned c = 0, got;

			for (unsigned i = 0; i < n; i++)
				if (b->b_tmpl[priv_of(v[i])->bp_tmpl].t_rxq == q)
					mine[c++] = v[i];
			got = c ? rte_ring_sp_enqueue_burst(rx[q], (void **)mine, c, NULL) : 0;
			if (got < c)
				rte_pktmbuf_free_bulk(mine + got, c - got);
			k += got;
		}
	}
	b->b_gen.gs_injected += k;
	b->b_gen.gs_port_rx[b->b_in_port] += k;
}

/* Count what came out of TX queue q of port, check it if asked, refill.
 * Returns how many. */
static unsigned gen_drain(struct bench *b, uint8_t port, unsigned q)
{
	struct rte_mbuf *v[GEN_BURST_MAX];
	struct bench_gen_stats *gs = &b->b_gen;
	bool tunnel_out = b->b_opt.o_dir == BENCH_ENCAP || b->b_opt.o_dir == BENCH_IOFWD;
	unsigned n =
		rte_ring_sc_dequeue_burst(b->b_tx[port][q], (void **)v, b->b_opt.o_burst, NULL);

	gs->gs_port_tx[port] += n;
	gen_prefetch(b, n);
	/* The worker wrote these lines last: fetch them all at once. */
	for (unsigned i = 0; i < n; i++) {
		rte_prefetch0(v[i]);
		rte_prefetch0((uint8_t *)v[i] + sizeof(struct rte_mbuf) + v[i]->priv_size +
			      RTE_PKTMBUF_HEADROOM);
	}
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = v[i];
		const struct bench_tmpl *t = &b->b_tmpl[priv_of(m)->bp_tmpl];
		uint64_t wire = tunnel_out ? m->pkt_len : priv_of(m)->bp_wire_len;

		gs->gs_port_tx_bytes[port] += m->pkt_len;
		gs->gs_port_tx_inner[port] += t->t_inner_len;
		if (port != b->b_out_port) {
			gs->gs_misrouted++;
		} else {
			gs->gs_forwarded++;
			gs->gs_q_forwarded[q]++;
			gs->gs_q_inner_bytes[q] += t->t_inner_len;
			gs->gs_q_wire_bytes[q] += wire;
			if (b->b_opt.o_verify)
				bench_verify_one(b, m, t);
		}
	}
	if (n > 0) {
		gen_fill_burst(b, v, n);
		gen_inject(b, v, n);
	}
	return n;
}

/* The control thread's share: punts freed, events counted. */
void bench_gen_control(struct bench *b)
{
	for (unsigned w = 0; w < b->b_opt.o_nworkers; w++) {
		struct lcore_ctx *lc = b->b_lc[w];
		struct dp_event ev[16];
		struct rte_mbuf *m[16];
		unsigned n;

		n = rte_ring_sc_dequeue_burst(lc->lc_punt, (void **)m, RTE_DIM(m), NULL);
		b->b_gen.gs_punted += n;
		rte_pktmbuf_free_bulk(m, n);
		n = rte_ring_sc_dequeue_burst_elem(lc->lc_events, ev, sizeof(ev[0]), RTE_DIM(ev),
						   NULL);
		b->b_gen.gs_events += n;
	}
}

/* Mbufs the worker dropped (or we freed) went back to the pool: put as
 * many back in circulation, so the offered load stays the same. */
static void gen_replenish(struct bench *b, struct rte_mempool *mp)
{
	struct rte_mbuf *v[GEN_BURST_MAX];
	unsigned avail = rte_mempool_avail_count(mp), n;

	if (avail <= b->b_pool_reserve)
		return;
	n = RTE_MIN(avail - b->b_pool_reserve, (unsigned)GEN_BURST_MAX);
	if (rte_pktmbuf_alloc_bulk(mp, v, n) != 0)
		return;
	gen_fill_burst(b, v, n);
	b->b_gen.gs_replenished += n;
	gen_inject(b, v, n);
}

void bench_gen_poll(struct bench *b, struct rte_mempool *mp)
{
	unsigned n = 0;

	for (uint8_t p = 0; p < BENCH_NPORTS; p++)
		for (unsigned q = 0; q < b->b_opt.o_nworkers; q++)
			n += gen_drain(b, p, q);
	/* Less than a burst came back: polling the rings again at once would
	 * only pull their index lines away from the worker. */
	if (n < b->b_opt.o_burst)
		for (unsigned i = 0; i < GEN_IDLE_PAUSES; i++)
			rte_pause();
	/* Rare work, not every poll: the generator must outrun the worker. */
	if ((++b->b_polls & 15) == 0) {
		bench_gen_control(b);
		gen_replenish(b, mp);
	}
}

/* Before the worker starts: every mbuf in flight filled and queued. */
int bench_gen_prime(struct bench *b, struct rte_mempool *mp)
{
	unsigned left = b->b_opt.o_inflight;

	while (left > 0) {
		struct rte_mbuf *v[GEN_BURST_MAX];
		unsigned n = RTE_MIN(left, (unsigned)GEN_BURST_MAX);

		if (rte_pktmbuf_alloc_bulk(mp, v, n) != 0)
			return -ENOMEM;
		gen_fill_burst(b, v, n);
		gen_inject(b, v, n);
		left -= n;
	}
	b->b_pool_reserve = rte_mempool_avail_count(mp);
	return 0;
}
