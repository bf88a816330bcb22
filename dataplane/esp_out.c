/* ESP output over GRE (RFC 4303 3.1, 3.3): the ESP header and IV go after
 * the outer IPv4 header, the GRE packet is padded, encrypted and followed
 * by the ICV; optionally inside UDP 4500 (RFC 3948). In transport mode the
 * GRE packet is the payload (next header 47); in tunnel mode a new IPv4
 * header between the same two addresses (those of the SA) goes in front of
 * it, next header 4, and the outer header keeps its own (3.1.2).
 *
 * Sequence numbers stay unique across workers by construction: a burst
 * takes a block of numbers, one per packet, with one relaxed
 * __atomic_fetch_add on sa_seq (one atomic per burst, not per packet).
 * Blocks taken by different workers never overlap, and nothing else is
 * published through the counter, so relaxed ordering suffices. An SA only
 * one worker sends on (ESP_SA_F_ONE_SENDER) takes its block with a plain
 * load and store. Numbers of packets refused are skipped, never reused
 * (RFC 4303 3.3.3 forbids reuse, not gaps). Packets of one SA sent by
 * several workers may leave slightly out of order; the peer's replay
 * window absorbs that as long as it exceeds workers x burst. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "esp_sa.h"
#include "gre.h"

/* What validation learned about one packet, so building does not parse. */
struct out_plan {
	uint16_t op_ihl; /* outer IPv4 header bytes */
	uint16_t op_pl;  /* GRE bytes protected */
	uint8_t op_pad;  /* RFC 4303 2.4 padding bytes */
	uint8_t op_tos;  /* the outer TOS (tunnel mode: of the header inside too) */
	uint16_t op_df;  /* tunnel mode: DF of the header inside, host order */
};

static const uint8_t zero_iv[CRYPTO_MB_BLOCK];
static const uint8_t out_pad_bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
_Static_assert(sizeof(out_pad_bytes) <= ESP_ICV_LEN + sizeof(struct rte_esp_tail),
	       "the pattern never runs past the ICV room");

/* The ciphertext: (tunnel mode: IPv4 header,) GRE, padding, trailer. */
static inline uint32_t out_ct_len(const struct esp_sa *sa, const struct out_plan *pl)
{
	return (uint32_t)sa->sa_tun_len + pl->op_pl + pl->op_pad + sizeof(struct rte_esp_tail);
}

/* The plan for ihl bytes of outer IPv4 header and pl_len bytes of GRE to
 * protect, with `extra` bytes of link padding behind them and `front`
 * bytes to go in front. 0 or the reason. */
static int out_plan_fill(const struct esp_sa *sa, const struct rte_mbuf *m, struct out_plan *pl,
			 uint32_t ihl, uint32_t pl_len, uint32_t extra, uint16_t front)
{
	uint32_t payload = sa->sa_tun_len + pl_len, tail;

	pl->op_ihl = (uint16_t)ihl;
	pl->op_pl = (uint16_t)pl_len;
	/* RFC 4303 2.4: pad so the ciphertext (payload, padding, pad length,
	 * next header) ends on the SA's alignment. */
	pl->op_pad = (uint8_t)(RTE_ALIGN_CEIL(payload + 2u, sa->sa_align) - payload - 2u);
	tail = (uint32_t)pl->op_pad + sizeof(struct rte_esp_tail) + ESP_ICV_LEN;
	if (ihl + payload + esp_sa_head_len(sa) + tail > UINT16_MAX)
		return ESP_DROP_BAD_LENGTH;
	/* Link padding is trimmed before appending. */
	if (rte_pktmbuf_headroom(m) < front || rte_pktmbuf_tailroom(m) + extra < tail)
		return ESP_DROP_NO_ROOM;
	return ESP_OK;
}

/* Reads only; 0 or the reason. Never trusts the IPv4 lengths. */
static int out_validate(const struct esp_sa *sa, const struct rte_mbuf *m, uint16_t l3_off,
			struct out_plan *pl)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t avail, ihl, total;
	/* RFC 4303 3.1.1: transport mode protects whole datagrams only. */
	int why = esp_outer_ipv4(m, l3_off, ESP_DROP_BAD_IP, &ip, &ihl, &total, &avail);

	if (why != ESP_OK)
		return why;
	if (ip->next_proto_id != IPPROTO_GRE)
		return ESP_DROP_BAD_IP;
	/* Tunnel mode: the header inside takes TOS and DF from this one. */
	pl->op_tos = ip->type_of_service;
	pl->op_df = rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_DF_FLAG;
	return out_plan_fill(sa, m, pl, ihl, total - ihl, avail - total,
			     (uint16_t)(esp_sa_head_len(sa) + sa->sa_tun_len));
}

/* esp_encap_burst's input, [l3_off][inner IPv4, inner_len bytes]: the plan
 * for GRE + inner behind a new outer header, or the reason. The caller
 * (the worker's encapsulation) checked the inner packet's length. */
static int out_plan_gre(const struct esp_sa *sa, const struct gre_outer_tmpl *t,
			const struct rte_mbuf *m, uint16_t l3_off, uint16_t inner_len, uint8_t tos,
			struct out_plan *pl)
{
	if (m->nb_segs != 1)
		return ESP_DROP_NONLINEAR;
	if (m->data_len < (uint32_t)l3_off + inner_len)
		return ESP_DROP_RUNT;
	pl->op_tos = tos;
	pl->op_df = 0; /* as the outer header: the tunnel MTU applies inside */
	return out_plan_fill(sa, m, pl, sizeof(struct rte_ipv4_hdr),
			     (uint32_t)t->ot_gre_len + inner_len, m->data_len - l3_off - inner_len,
			     (uint16_t)(sizeof(struct rte_ipv4_hdr) + esp_sa_head_len(sa) +
					sa->sa_tun_len + t->ot_gre_len));
}

/* Per-packet lifetime policy for sequence number s (= packets so far) and
 * the SA's bytes before this packet. Sets ESP_LT_* on the exact packet that
 * reaches a limit: each s is seen by one worker only, so once per SA. */
static int out_limits(const struct esp_sa *sa, uint64_t s, uint64_t bytes, uint8_t *lt)
{
	if (unlikely(s > sa->sa_seq_max)) {
		*lt |= ESP_LT_HARD;
		return ESP_DROP_SEQ_EXHAUSTED;
	}
	if (unlikely(s > sa->sa_hard_pkts || bytes >= sa->sa_hard_bytes)) {
		*lt |= ESP_LT_HARD;
		return ESP_DROP_HARD_LIMIT;
	}
	if (s == sa->sa_seq_max || s == sa->sa_hard_pkts)
		*lt |= ESP_LT_HARD;
	if (s == sa->sa_soft_pkts)
		*lt |= ESP_LT_SOFT;
	return ESP_OK;
}

static void out_esp_hdr(const struct esp_sa *sa, uint8_t *esp, uint32_t seq_lo)
{
	uint32_t spi = rte_cpu_to_be_32(sa->sa_spi), lo = rte_cpu_to_be_32(seq_lo);

	memcpy(esp, &spi, sizeof(spi));
	memcpy(esp + 4, &lo, sizeof(lo));
}

/* Tunnel mode: the IPv4 header inside ESP at p, in front of the GRE
 * packet. Finished in registers and stored as whole words, for the reason
 * gre_outer_ipv4_write gives. Identification 0 and DF as the outer header
 * has them: this header travels encrypted and is never fragmented. */
static void out_tun_ipv4(const struct esp_sa *sa, uint8_t *p, const struct out_plan *pl)
{
	uint8_t ds = pl->op_tos & 0xfc; /* DSCP, as the outer header */
	uint16_t total = (uint16_t)(ESP_TUN_IPV4_LEN + pl->op_pl);
	uint32_t sum = sa->sa_tun_sum + ds + total + pl->op_df;
	uint64_t w0, w1;

	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	w0 = RTE_IPV4_VHL_DEF | (uint64_t)ds << 8 | (uint64_t)rte_cpu_to_be_16(total) << 16 |
	     (uint64_t)rte_cpu_to_be_16(pl->op_df) << 48;
	w1 = ESP_TUN_TTL | (uint64_t)ESP_NEXT_HEADER_GRE << 8 |
	     (uint64_t)rte_cpu_to_be_16((uint16_t)~sum) << 16 | (uint64_t)sa->sa_tun_src << 32;
	memcpy(p, &w0, sizeof(w0));
	memcpy(p + 8, &w1, sizeof(w1));
	memcpy(p + 16, &sa->sa_tun_dst, sizeof(sa->sa_tun_dst));
}

/* Behind the outer IPv4 header at ip: UDP (NAT-T), ESP header, and in
 * tunnel mode the IPv4 header after the IV; at tr, the end of the GRE
 * packet, the trailer (RFC 4303 2.4: pad bytes 1, 2, 3..., pad length,
 * next header 47, or 4 in tunnel mode), with the ICV room after it
 * already in the packet. Returns the ESP header. */
static uint8_t *out_frame(const struct esp_sa *sa, uint8_t *ip, uint8_t *tr,
			  const struct out_plan *pl, uint32_t seq_lo)
{
	uint32_t ct = out_ct_len(sa, pl);
	uint16_t esp_len = (uint16_t)(ESP_HDR_LEN + sa->sa_iv_len + ct + ESP_ICV_LEN);
	uint8_t *esp = ip + pl->op_ihl;
	struct rte_udp_hdr *udp;

	if (sa->sa_flags & ESP_SA_F_NATT) {
		/* RFC 3948 2.1: checksum zero; the ESP ICV protects the data. */
		udp = (struct rte_udp_hdr *)esp;
		udp->src_port = sa->sa_natt_sport;
		udp->dst_port = sa->sa_natt_dport;
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ESP_UDP_HDR_LEN + esp_len));
		udp->dgram_cksum = 0;
		esp += ESP_UDP_HDR_LEN;
	}
	out_esp_hdr(sa, esp, seq_lo);
	if (sa->sa_flags & ESP_SA_F_TUNNEL)
		out_tun_ipv4(sa, esp + ESP_HDR_LEN + sa->sa_iv_len, pl);
	/* Padding 1, 2, 3... in one store, no loop (op_pad < 16): the ICV
	 * room behind the trailer takes what goes past it. */
	memcpy(tr, out_pad_bytes, sizeof(out_pad_bytes));
	tr[pl->op_pad] = pl->op_pad;
	tr[pl->op_pad + 1] = sa->sa_next_header;
	return esp;
}

/* The outer IPv4 length and protocol once ESP is in. */
static uint16_t out_ipv4_len(const struct esp_sa *sa, const struct out_plan *pl)
{
	return (uint16_t)(pl->op_ihl + esp_sa_head_len(sa) + out_ct_len(sa, pl) + ESP_ICV_LEN);
}

static uint8_t out_ipv4_proto(const struct esp_sa *sa)
{
	return sa->sa_flags & ESP_SA_F_NATT ? IPPROTO_UDP : IPPROTO_ESP;
}

/* esp_encrypt_burst: opens the gap for UDP + ESP header + IV (+ the
 * tunnel-mode IPv4 header) behind the IPv4 header, frames, fixes IPv4.
 * The headers move before the frame is written: in tunnel mode the header
 * inside takes the old place of the outer one. Returns the ESP header. */
static uint8_t *out_build(const struct esp_sa *sa, struct rte_mbuf *m, uint16_t l3_off,
			  const struct out_plan *pl, uint32_t seq_lo)
{
	uint16_t head = (uint16_t)(esp_sa_head_len(sa) + sa->sa_tun_len);
	uint8_t *front, *esp;

	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - l3_off - pl->op_ihl - pl->op_pl));
	front = (uint8_t *)rte_pktmbuf_prepend(m, head);
	esp_move_headers(front, front + head, (size_t)l3_off + pl->op_ihl);
	esp = out_frame(
		sa, front + l3_off,
		(uint8_t *)rte_pktmbuf_append(
			m, (uint16_t)(pl->op_pad + sizeof(struct rte_esp_tail) + ESP_ICV_LEN)),
		pl, seq_lo);
	esp_ipv4_set_proto_len((struct rte_ipv4_hdr *)(front + l3_off), out_ipv4_proto(sa),
			       out_ipv4_len(sa, pl));
	return esp;
}

/* esp_encap_burst: outer IPv4 (protocol ESP or UDP, final length), ESP,
 * GRE in front of the inner packet in one go, nothing moved or read back. */
static uint8_t *out_build_gre(const struct esp_sa *sa, const struct gre_outer_tmpl *t,
			      struct rte_mbuf *m, uint16_t l3_off, const struct out_plan *pl,
			      uint32_t seq_lo)
{
	uint16_t head = (uint16_t)(esp_sa_head_len(sa) + sa->sa_tun_len);
	uint16_t ip_len = out_ipv4_len(sa, pl), gre_at = (uint16_t)(l3_off + pl->op_ihl + head);
	uint8_t *front, *esp;

	/* One-segment packet with the room out_plan_gre checked: the link
	 * padding trimmed, the headers prepended and the trailer appended in
	 * one update of the mbuf. */
	m->data_off = (uint16_t)(m->data_off - (pl->op_ihl + head + t->ot_gre_len));
	m->data_len = (uint16_t)(l3_off + ip_len);
	m->pkt_len = m->data_len;
	front = rte_pktmbuf_mtod(m, uint8_t *);
	gre_outer_ipv4_write(front + l3_off, t, ip_len, out_ipv4_proto(sa), pl->op_tos);
	esp = out_frame(sa, front + l3_off, front + gre_at + pl->op_pl, pl, seq_lo);
	gre_hdr_write(front + gre_at, t);
	return esp;
}

/* Writes the explicit IV behind the ESP header at esp and prepares the
 * cipher's nonce and AAD in gp. RFC 4106 3.1: the IV must never repeat
 * under a key; the dataplane uses the sequence number, which never does. */
static void out_gcm_iv(const struct esp_sa *sa, uint8_t *esp, uint64_t seq, uint64_t iv_host,
		       struct esp_gcm_params *gp)
{
	uint64_t iv = rte_cpu_to_be_64(iv_host);

	memcpy(esp + ESP_HDR_LEN, &iv, ESP_GCM_IV_LEN);
	esp_gcm_params_init(gp, sa, seq, &iv);
}

/* Take n from an outbound counter (sequence numbers or bytes); returns
 * its old value. Several workers: one relaxed atomic add hands each a
 * disjoint range. One sender: the same, without the locked instruction
 * (readers on the control thread still see whole values). */
static inline uint64_t out_take(uint64_t *ctr, uint64_t n, bool one_sender)
{
	uint64_t old;

	if (!one_sender)
		return __atomic_fetch_add(ctr, n, __ATOMIC_RELAXED);
	old = __atomic_load_n(ctr, __ATOMIC_RELAXED);
	__atomic_store_n(ctr, old + n, __ATOMIC_RELAXED);
	return old;
}

static void out_gcm_seal_key(struct crypto_mb *cx, const struct crypto_mb_key *key, uint8_t *esp,
			     const struct esp_gcm_params *gp, uint32_t pt_len)
{
	uint8_t *pt = esp + ESP_HDR_LEN + ESP_GCM_IV_LEN;

	crypto_mb_gcm_seal(cx, key, gp->gp_nonce, gp->gp_aad, gp->gp_aad_len, pt, pt_len,
			   pt + pt_len);
}

static void out_gcm_seal(struct crypto_mb *cx, const struct esp_sa *sa, uint8_t *esp,
			 const struct esp_gcm_params *gp, uint32_t pt_len)
{
	out_gcm_seal_key(cx, &sa->sa_key, esp, gp, pt_len);
}

void esp_seal_flush(struct crypto_mb *cx, struct esp_seal_queue *q)
{
	for (uint16_t i = 0; i < q->sq_n; i++)
		out_gcm_seal_key(cx, q->sq_job[i].sj_key, q->sq_job[i].sj_esp, &q->sq_job[i].sj_gp,
				 q->sq_job[i].sj_ct);
	q->sq_n = 0;
}

void esp_out_gcm_seal(struct crypto_mb *cx, const struct esp_sa *sa, uint8_t *esp, uint64_t seq,
		      uint64_t iv, uint32_t pt_len)
{
	struct esp_gcm_params gp;

	out_esp_hdr(sa, esp, (uint32_t)seq);
	out_gcm_iv(sa, esp, seq, iv, &gp);
	out_gcm_seal(cx, sa, esp, &gp, pt_len);
}

/* CBC: the IV must be unpredictable (RFC 3602 2.3). It is E_K(nonce) with
 * nonce = seq (64) | SPI | 0, SP 800-38A Appendix C's first method: the
 * nonce block sits in the IV slot and is ciphered with a zero IV ahead of
 * the payload, which yields C0 = E_K(nonce) as the IV and then exactly CBC
 * of the payload under it, in the same job. The ICV covers ESP header, IV
 * and ciphertext, plus the ESN high half appended but not sent (RFC 4303
 * 2.2.1, 3.3.2.1); it is parked in the ICV room while hashing. */
static void out_cbc_op(const struct esp_sa *sa, uint8_t *esp, uint64_t seq, uint32_t ct_len,
		       struct crypto_mb_cbc_op *op)
{
	uint64_t nonce = rte_cpu_to_be_64(seq);
	uint32_t spi = rte_cpu_to_be_32(sa->sa_spi), zero = 0;
	uint32_t hi = rte_cpu_to_be_32((uint32_t)(seq >> 32));
	uint8_t *iv = esp + ESP_HDR_LEN;

	memcpy(iv, &nonce, 8);
	memcpy(iv + 8, &spi, 4);
	memcpy(iv + 12, &zero, 4);
	op->co_buf = esp;
	op->co_hash_len = ESP_HDR_LEN + ESP_CBC_IV_LEN + ct_len;
	if (sa->sa_flags & ESP_SA_F_ESN) {
		memcpy(esp + op->co_hash_len, &hi, 4);
		op->co_hash_len += 4;
	}
	op->co_cipher_off = ESP_HDR_LEN;
	op->co_cipher_len = ESP_CBC_IV_LEN + ct_len;
	op->co_iv = zero_iv;
}

/* At most CRYPTO_MB_BURST_MAX packets: take a block of sequence numbers,
 * check and build each packet in one pass (a refused packet's number is
 * skipped, never reused: RFC 4303 3.3.3 forbids reuse, not gaps), then
 * encrypt (GCM one by one, CBC in one job burst): a packet's framing
 * stores have retired by the time the cipher reads it. Then settle the
 * byte counter once. */
static uint16_t out_chunk(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			  uint16_t n, uint16_t l3_off, const struct esp_gre_encap *ge,
			  struct esp_sink *sink)
{
	struct crypto_mb_cbc_op ops[CRYPTO_MB_BURST_MAX];
	struct esp_gcm_params gp[CRYPTO_MB_BURST_MAX];
	uint8_t *esp[CRYPTO_MB_BURST_MAX];
	uint32_t ct[CRYPTO_MB_BURST_MAX];
	bool gcm = sa->sa_flags & ESP_SA_F_GCM, one = sa->sa_flags & ESP_SA_F_ONE_SENDER;
	/* GCM seals postponed: each packet's nonce and AAD made in its slot. */
	struct esp_seal_queue *q = gcm && ge != NULL ? ge->ge_later : NULL;
	uint64_t seq0, bytes0, bytes = 0, old;
	uint16_t nb = 0, nout = 0;
	bool far;
	int why;

	seq0 = out_take(&sa->sa_seq, n, one);
	bytes0 = __atomic_load_n(&sa->sa_bytes, __ATOMIC_RELAXED);
	/* Sequence numbers count packets for the lifetime (out_limits). */
	far = seq0 + n < sa->sa_seq_max && esp_lifetime_far(sa, seq0, bytes0, n);
	RTE_ASSERT(q == NULL || q->sq_n + n <= CRYPTO_MB_BURST_MAX);
	for (uint16_t i = 0; i < n; i++) {
		uint64_t s = seq0 + 1 + i;
		struct out_plan pl;

		why = ge == NULL
			      ? out_validate(sa, pkts[i], l3_off, &pl)
			      : out_plan_gre(sa, ge->ge_tmpl, pkts[i], l3_off,
					     ge->ge_inner[i].in_len, ge->ge_inner[i].in_tos, &pl);
		if (likely(why == ESP_OK) && !far)
			why = out_limits(sa, s, bytes0 + bytes, &sink->es_lifetime);
		if (unlikely(why != ESP_OK)) {
			esp_sink_drop(sink, pkts[i], why);
			continue;
		}
		esp[nb] = ge == NULL ? out_build(sa, pkts[i], l3_off, &pl, (uint32_t)s)
				     : out_build_gre(sa, ge->ge_tmpl, pkts[i], l3_off, &pl,
						     (uint32_t)s);
		bytes += pl.op_pl;
		ct[nb] = out_ct_len(sa, &pl);
		if (q != NULL) {
			struct esp_seal_job *j = &q->sq_job[q->sq_n + nb];

			j->sj_key = &sa->sa_key;
			j->sj_esp = esp[nb];
			j->sj_ct = ct[nb];
			out_gcm_iv(sa, esp[nb], s, s, &j->sj_gp);
		} else if (gcm)
			out_gcm_iv(sa, esp[nb], s, s, &gp[nb]);
		else
			out_cbc_op(sa, esp[nb], s, ct[nb], &ops[nb]);
		pkts[nb++] = pkts[i];
	}
	if (q != NULL) {
		q->sq_n = (uint16_t)(q->sq_n + nb);
		nout = nb;
	} else if (gcm) {
		for (uint16_t i = 0; i < nb; i++)
			out_gcm_seal(cx, sa, esp[i], &gp[i], ct[i]);
		nout = nb;
	} else if (nb != 0) {
		crypto_mb_cbc_hmac_burst(cx, &sa->sa_key, true, ops, nb);
		for (uint16_t i = 0; i < nb; i++) {
			if (unlikely(ops[i].co_status != 0)) {
				esp_sink_drop(sink, pkts[i], ESP_DROP_CRYPTO);
				continue;
			}
			/* over the parked ESN high half, if any */
			memcpy(esp[i] + ESP_HDR_LEN + ESP_CBC_IV_LEN + ct[i], ops[i].co_tag,
			       ESP_ICV_LEN);
			pkts[nout++] = pkts[i];
		}
	}
	/* Byte lifetimes: fetch_add hands each worker a disjoint range, so the
	 * crossing of a limit is seen by exactly one burst. */
	old = out_take(&sa->sa_bytes, bytes, one);
	if (old < sa->sa_soft_bytes && old + bytes >= sa->sa_soft_bytes)
		sink->es_lifetime |= ESP_LT_SOFT;
	if (old < sa->sa_hard_bytes && old + bytes >= sa->sa_hard_bytes)
		sink->es_lifetime |= ESP_LT_HARD;
	return nout;
}

static uint16_t out_chunk_ipv4(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			       uint16_t n, uint16_t l3_off, struct esp_sink *sink)
{
	return out_chunk(cx, sa, pkts, n, l3_off, NULL, sink);
}

uint16_t esp_encrypt_burst(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			   uint16_t n, uint16_t l3_off, struct esp_sink *sink)
{
	return esp_burst_chunked(cx, sa, pkts, n, l3_off, sink, out_chunk_ipv4);
}

uint16_t esp_encap_burst(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			 uint16_t n, uint16_t l3_off, const struct esp_gre_encap *ge,
			 struct esp_sink *sink)
{
	RTE_ASSERT(n <= CRYPTO_MB_BURST_MAX);
	return out_chunk(cx, sa, pkts, n, l3_off, ge, sink);
}
