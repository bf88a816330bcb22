/* ESP input over GRE (RFC 4303 3.4): validate every length, check the
 * replay window before any crypto, verify the ICV and decrypt, advance the
 * window only then, check the trailer and that the payload is GRE (in
 * tunnel mode: one IPv4 packet of GRE between the SA's addresses), and
 * strip back to [IPv4 proto 47][GRE], the same for both modes. Also
 * accepts the RFC 3948 UDP 4500 form. The caller found the SA by SPI; this
 * stage owns nothing but the packet and the SA's window. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "esp_sa.h"

/* What validation learned about one packet. */
struct in_plan {
	uint8_t *pi_esp;             /* the ESP header: later passes need not go through the mbuf */
	uint16_t pi_hoff;            /* IPv4 header start to ESP header: ihl (+ UDP) */
	uint32_t pi_ct;              /* ciphertext bytes: payload, padding, trailer */
	uint64_t pi_seq;             /* inferred 64-bit sequence number */
	uint8_t pi_icv[ESP_ICV_LEN]; /* as received (CBC+ESN reuses its room) */
	struct esp_gcm_params pi_gcm; /* GCM: nonce and AAD, made before the cipher runs */
	uint8_t pi_tag[ESP_ICV_LEN];  /* GCM: the tag computed, compared a pass later */
};

static inline uint8_t *in_esp(const struct rte_mbuf *m, uint16_t l3_off, const struct in_plan *pl)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, l3_off + pl->pi_hoff);
}

/* Where the decrypted payload starts, from the front of m: the GRE packet,
 * or in tunnel mode the IPv4 header in front of it. */
static inline uint16_t in_gre_off(const struct esp_sa *sa, uint16_t l3_off,
				  const struct in_plan *pl)
{
	return (uint16_t)(l3_off + pl->pi_hoff + ESP_HDR_LEN + sa->sa_iv_len);
}

/* What follows an outer IPv4 header of ihl bytes and total bytes in all:
 * ESP, or UDP (RFC 3948) and ESP. 0 with pl->pi_hoff and *esp_len, or the
 * reason. */
static int in_form(const struct rte_mbuf *m, uint16_t l3_off, const struct rte_ipv4_hdr *ip,
		   uint32_t ihl, uint32_t total, struct in_plan *pl, uint32_t *esp_len)
{
	const struct rte_udp_hdr *udp;

	pl->pi_hoff = (uint16_t)ihl;
	/* Both forms are accepted whatever the SA's own outbound form: a NAT
	 * appearing or going (and our switch to UDP encapsulation when the
	 * control plane learns of it) happens within the life of an SA. */
	if (ip->next_proto_id == IPPROTO_UDP) {
		if (total - ihl < ESP_UDP_HDR_LEN)
			return ESP_DROP_RUNT;
		udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, l3_off + ihl);
		if (rte_be_to_cpu_16(udp->dgram_len) != total - ihl)
			return ESP_DROP_BAD_ENCAP;
		/* RFC 3948 2.1: the UDP checksum is not relied upon. */
		pl->pi_hoff += ESP_UDP_HDR_LEN;
	} else if (ip->next_proto_id != IPPROTO_ESP) {
		return ESP_DROP_BAD_IP;
	}
	*esp_len = total - pl->pi_hoff;
	return ESP_OK;
}

/* Outer IPv4 and UDP: 0 with pl->pi_hoff and *esp_len, or the
 * reason. Claimed lengths are checked against minimum and bytes present. */
static int in_outer(struct rte_mbuf *m, uint16_t l3_off, struct in_plan *pl, uint32_t *esp_len)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t avail, ihl, total;
	/* RFC 4303 3.4.1: reassembly happens before ESP, never here. */
	int why = esp_outer_ipv4(m, l3_off, ESP_DROP_RUNT, &ip, &ihl, &total, &avail);

	if (why != ESP_OK)
		return why;
	why = in_form(m, l3_off, ip, ihl, total, pl, esp_len);
	if (why != ESP_OK)
		return why;
	/* Link padding past the IPv4 total length is not ESP. */
	if (unlikely(avail != total))
		rte_pktmbuf_trim(m, (uint16_t)(avail - total));
	return ESP_OK;
}

/* The same when the caller validated the outer header (esp_decrypt_burst_gre:
 * version, header length, checksum, total length equal to the bytes
 * present, no fragment): only the segment count and the UDP form are left. */
static int in_outer_checked(struct rte_mbuf *m, uint16_t l3_off, struct in_plan *pl,
			    uint32_t *esp_len)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);

	if (unlikely(m->nb_segs != 1))
		return ESP_DROP_NONLINEAR;
	return in_form(m, l3_off, ip,
		       (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
			       RTE_IPV4_IHL_MULTIPLIER,
		       (uint32_t)m->data_len - l3_off, pl, esp_len);
}

static int replay_reason(enum esp_replay_rc rc)
{
	return rc == ESP_REPLAY_DUP   ? ESP_DROP_REPLAY
	       : rc == ESP_REPLAY_OLD ? ESP_DROP_TOO_OLD
				      : ESP_OK;
}

/* Everything decidable before crypto, in RFC 4303 3.4 order. */
static int in_validate(const struct esp_sa *sa, struct rte_mbuf *m, uint16_t l3_off,
		       struct in_plan *pl, bool far, bool outer_checked)
{
	uint32_t esp_len, spi, lo;
	const uint8_t *esp;
	int why;

	why = outer_checked ? in_outer_checked(m, l3_off, pl, &esp_len)
			    : in_outer(m, l3_off, pl, &esp_len);
	if (why != ESP_OK)
		return why;
	/* The smallest ciphertext is one alignment unit holding the trailer. */
	if (esp_len < (uint32_t)ESP_HDR_LEN + sa->sa_iv_len + sa->sa_align + ESP_ICV_LEN)
		return ESP_DROP_RUNT;
	pl->pi_ct = esp_len - ESP_HDR_LEN - sa->sa_iv_len - ESP_ICV_LEN;
	if ((pl->pi_ct & (sa->sa_align - 1u)) != 0) /* a power of two: no division per packet */
		return ESP_DROP_BAD_LENGTH;
	pl->pi_esp = in_esp(m, l3_off, pl);
	esp = pl->pi_esp;
	memcpy(&spi, esp, 4);
	memcpy(&lo, esp + 4, 4);
	if (rte_be_to_cpu_32(spi) != sa->sa_spi)
		return ESP_DROP_BAD_SPI;
	/* RFC 4303 3.4.3: replay check before the ICV, on the number the
	 * sender most likely used (Appendix A2.2 for ESN). */
	pl->pi_seq =
		esp_replay_infer(&sa->sa_replay, rte_be_to_cpu_32(lo), sa->sa_flags & ESP_SA_F_ESN);
	if (likely(!(sa->sa_flags & ESP_SA_F_NO_REPLAY))) {
		why = replay_reason(esp_replay_check(&sa->sa_replay, pl->pi_seq));
		if (why != ESP_OK)
			return why;
	}
	if (!far && (sa->sa_pkts >= sa->sa_hard_pkts || sa->sa_bytes >= sa->sa_hard_bytes))
		return ESP_DROP_HARD_LIMIT;
	if (sa->sa_flags & ESP_SA_F_GCM)
		esp_gcm_params_init(&pl->pi_gcm, sa, pl->pi_seq, esp + ESP_HDR_LEN);
	else
		memcpy(pl->pi_icv, esp + ESP_HDR_LEN + sa->sa_iv_len + pl->pi_ct, ESP_ICV_LEN);
	return ESP_OK;
}

/* The received GCM ICV follows the ciphertext. */
static inline const uint8_t *in_gcm_icv(uint8_t *esp, uint32_t ct_len)
{
	return esp + ESP_HDR_LEN + ESP_GCM_IV_LEN + ct_len;
}

static void in_gcm_dec(struct crypto_mb *cx, const struct esp_sa *sa, uint8_t *esp,
		       const struct esp_gcm_params *gp, uint32_t ct_len, uint8_t *tag_out)
{
	crypto_mb_gcm_dec(cx, &sa->sa_key, gp->gp_nonce, gp->gp_aad, gp->gp_aad_len,
			  esp + ESP_HDR_LEN + ESP_GCM_IV_LEN, ct_len, tag_out);
}

int esp_in_gcm_open(struct crypto_mb *cx, const struct esp_sa *sa, uint8_t *esp, uint64_t seq,
		    uint32_t ct_len)
{
	struct esp_gcm_params gp;
	uint8_t tag[ESP_ICV_LEN];

	/* The AAD's SPI and low half are the packet's: the caller matched the
	 * SPI, and the inferred number ends in the low half received. */
	esp_gcm_params_init(&gp, sa, seq, esp + ESP_HDR_LEN);
	in_gcm_dec(cx, sa, esp, &gp, ct_len, tag);
	return crypto_mb_tag_equal(tag, in_gcm_icv(esp, ct_len)) ? ESP_OK : ESP_DROP_ICV_FAIL;
}

/* RFC 4303 2.2.1: with ESN the high half is hashed after the ciphertext;
 * the received ICV was saved in the plan, so its room can hold it. */
static void in_cbc_op(const struct esp_sa *sa, uint8_t *esp, const struct in_plan *pl,
		      struct crypto_mb_cbc_op *op)
{
	uint32_t hi = rte_cpu_to_be_32((uint32_t)(pl->pi_seq >> 32));

	op->co_buf = esp;
	op->co_hash_len = ESP_HDR_LEN + ESP_CBC_IV_LEN + pl->pi_ct;
	if (sa->sa_flags & ESP_SA_F_ESN) {
		memcpy(esp + op->co_hash_len, &hi, 4);
		op->co_hash_len += 4;
	}
	op->co_cipher_off = ESP_HDR_LEN + ESP_CBC_IV_LEN;
	op->co_cipher_len = pl->pi_ct;
	op->co_iv = esp + ESP_HDR_LEN;
}

/* Trailer and ICV behind the GRE packet go; it stays where it is. One
 * segment (esp_outer_ipv4): no walk to the last one. */
static void in_trim(struct rte_mbuf *m, uint16_t gre_off, uint32_t gre_len)
{
	uint16_t cut = (uint16_t)(m->data_len - gre_off - gre_len);

	m->data_len = (uint16_t)(m->data_len - cut);
	m->pkt_len -= cut;
}

void esp_in_strip(struct rte_mbuf *m, uint16_t l3_off, uint16_t gre_off, uint16_t gre_len)
{
	uint8_t *front = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t ihl = (uint32_t)(front[l3_off] & 0x0f) * 4;
	uint16_t rm = (uint16_t)(gre_off - l3_off - ihl);
	struct rte_ipv4_hdr *ip;

	esp_move_headers(front + rm, front, (size_t)l3_off + ihl);
	rte_pktmbuf_adj(m, rm);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);
	esp_ipv4_set_proto_len(ip, IPPROTO_GRE, (uint16_t)(ihl + gre_len));
}

int esp_tun_check(const struct esp_sa *sa, const uint8_t *p, uint32_t len, uint16_t *ihl,
		  uint32_t *gre_len)
{
	struct rte_ipv4_hdr ip;
	uint32_t hl, total;

	if (len < sizeof(ip))
		return ESP_DROP_TUN_BAD_IP;
	memcpy(&ip, p, sizeof(ip)); /* p need not be aligned */
	hl = (uint32_t)(ip.version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	total = rte_be_to_cpu_16(ip.total_length);
	/* RFC 4303 2.7: TFC padding may follow the packet, whose own length
	 * says where it ends; it may not claim more than was decrypted. */
	if ((ip.version_ihl >> 4) != 4 || hl < sizeof(ip) || total < hl || total > len)
		return ESP_DROP_TUN_BAD_IP;
	/* RFC 4303 3.4.1: reassembly happens before ESP, none after it. */
	if (rte_raw_cksum(p, hl) != 0xffff || rte_ipv4_frag_pkt_is_fragmented(&ip))
		return ESP_DROP_TUN_BAD_IP;
	if (ip.next_proto_id != IPPROTO_GRE)
		return ESP_DROP_TUN_NOT_GRE;
	/* RFC 4301 5.2 step 4: what a tunnel-mode SA carries must match its
	 * selectors, here the two addresses the SA was made for. */
	if (ip.src_addr != sa->sa_tun_src || ip.dst_addr != sa->sa_tun_dst)
		return ESP_DROP_TUN_BAD_ADDR;
	*ihl = (uint16_t)hl;
	*gre_len = total - hl;
	return ESP_OK;
}

/* A next header that is not the SA's: the other mode's (an SA negotiated
 * in one mode used in the other), or anything else. Dummy packets (59,
 * RFC 4303 2.6) are dropped too: we never ask for them. */
static int in_next_header_reason(uint8_t nh)
{
	return nh == ESP_NEXT_HEADER_GRE || nh == ESP_NEXT_HEADER_IPV4 ? ESP_DROP_MODE_MISMATCH
								       : ESP_DROP_BAD_NEXT_HEADER;
}

/* After the ICV passed: lifetime, window, trailer, next header, the
 * tunnel-mode header, strip. *pkts and *bytes are the SA's running
 * counters (one writer). *tun_len_out: the tunnel-mode header's length,
 * which the GRE packet follows (0 in transport mode). */
static int in_finish(struct esp_sa *sa, struct rte_mbuf *m, uint16_t l3_off,
		     const struct in_plan *pl, uint64_t *pkts, uint64_t *bytes, uint8_t *lt,
		     uint16_t *gre_len_out, uint16_t *tun_len_out, bool far)
{
	const uint8_t *pt = pl->pi_esp + ESP_HDR_LEN + sa->sa_iv_len;
	uint16_t tun_len = 0;
	uint8_t pad, nh;
	uint32_t gre_len;
	int why;

	if (!far && (*pkts >= sa->sa_hard_pkts || *bytes >= sa->sa_hard_bytes))
		return ESP_DROP_HARD_LIMIT;
	/* RFC 4303 3.4.3: the window moves only for authenticated packets;
	 * checked again, an earlier packet of this burst may hold the number. */
	if (likely(!(sa->sa_flags & ESP_SA_F_NO_REPLAY))) {
		why = replay_reason(esp_replay_update(&sa->sa_replay, pl->pi_seq));
		if (why != ESP_OK)
			return why;
	} else if (pl->pi_seq > sa->sa_replay.rp_top) {
		sa->sa_replay.rp_top = pl->pi_seq;
	}
	why = esp_trailer_check(pt, pl->pi_ct, &pad, &nh);
	if (why != ESP_OK)
		return why;
	/* Only GRE is protected here, bare or in IPv4 by the SA's mode. */
	if (unlikely(nh != sa->sa_next_header))
		return in_next_header_reason(nh);
	gre_len = pl->pi_ct - pad - sizeof(struct rte_esp_tail);
	if (sa->sa_flags & ESP_SA_F_TUNNEL) {
		why = esp_tun_check(sa, pt, gre_len, &tun_len, &gre_len);
		if (why != ESP_OK)
			return why;
	}
	in_trim(m, (uint16_t)(in_gre_off(sa, l3_off, pl) + tun_len), gre_len);
	*gre_len_out = (uint16_t)gre_len;
	*tun_len_out = tun_len;
	(*pkts)++;
	if (far) {
		*bytes += gre_len;
		return ESP_OK;
	}
	if (*pkts == sa->sa_soft_pkts)
		*lt |= ESP_LT_SOFT;
	if (*pkts == sa->sa_hard_pkts)
		*lt |= ESP_LT_HARD;
	if (*bytes < sa->sa_soft_bytes && *bytes + gre_len >= sa->sa_soft_bytes)
		*lt |= ESP_LT_SOFT;
	if (*bytes < sa->sa_hard_bytes && *bytes + gre_len >= sa->sa_hard_bytes)
		*lt |= ESP_LT_HARD;
	*bytes += gre_len;
	return ESP_OK;
}

/* At most CRYPTO_MB_BURST_MAX packets: validate and replay-check all,
 * decrypt all (GCM one by one, CBC in one job burst), then finish in
 * order: each stage reads what the one before wrote long retired. */
static uint16_t in_chunk(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			 uint16_t n, uint16_t l3_off, struct esp_gre_span *gre,
			 struct esp_sink *sink)
{
	struct in_plan plan[CRYPTO_MB_BURST_MAX];
	struct crypto_mb_cbc_op ops[CRYPTO_MB_BURST_MAX];
	bool gcm = sa->sa_flags & ESP_SA_F_GCM;
	uint64_t pkts_n = sa->sa_pkts, bytes_n = sa->sa_bytes;
	bool far = esp_lifetime_far(sa, pkts_n, bytes_n, n);
	uint16_t k = 0, nout = 0;
	int why;

	for (uint16_t i = 0; i < n; i++) {
		why = in_validate(sa, pkts[i], l3_off, &plan[k], far, gre != NULL);
		if (unlikely(why != ESP_OK))
			esp_sink_drop(sink, pkts[i], why);
		else
			pkts[k++] = pkts[i];
	}
	if (!gcm) {
		for (uint16_t i = 0; i < k; i++)
			in_cbc_op(sa, plan[i].pi_esp, &plan[i], &ops[i]);
		if (k != 0)
			crypto_mb_cbc_hmac_burst(cx, &sa->sa_key, false, ops, k);
	}
	if (gcm)
		for (uint16_t i = 0; i < k; i++)
			in_gcm_dec(cx, sa, plan[i].pi_esp, &plan[i].pi_gcm, plan[i].pi_ct,
				   plan[i].pi_tag);
	for (uint16_t i = 0; i < k; i++) {
		uint8_t *esp = plan[i].pi_esp;
		uint16_t glen = 0, tlen = 0, goff;

		if (gcm)
			why = crypto_mb_tag_equal(plan[i].pi_tag, in_gcm_icv(esp, plan[i].pi_ct))
				      ? ESP_OK
				      : ESP_DROP_ICV_FAIL;
		else if (unlikely(ops[i].co_status != 0))
			why = ESP_DROP_CRYPTO;
		else
			why = crypto_mb_tag_equal(ops[i].co_tag, plan[i].pi_icv)
				      ? ESP_OK
				      : ESP_DROP_ICV_FAIL;
		if (likely(why == ESP_OK))
			why = in_finish(sa, pkts[i], l3_off, &plan[i], &pkts_n, &bytes_n,
					&sink->es_lifetime, &glen, &tlen, far);
		if (unlikely(why != ESP_OK)) {
			esp_sink_drop(sink, pkts[i], why);
			continue;
		}
		goff = (uint16_t)(in_gre_off(sa, l3_off, &plan[i]) + tlen);
		if (gre != NULL) {
			gre[nout].gs_off = goff;
			gre[nout].gs_len = glen;
		} else {
			esp_in_strip(pkts[i], l3_off, goff, glen);
		}
		pkts[nout++] = pkts[i];
	}
	sa->sa_pkts = pkts_n;
	sa->sa_bytes = bytes_n;
	return nout;
}

static uint16_t in_chunk_strip(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			       uint16_t n, uint16_t l3_off, struct esp_sink *sink)
{
	return in_chunk(cx, sa, pkts, n, l3_off, NULL, sink);
}

uint16_t esp_decrypt_burst(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			   uint16_t n, uint16_t l3_off, struct esp_sink *sink)
{
	return esp_burst_chunked(cx, sa, pkts, n, l3_off, sink, in_chunk_strip);
}

uint16_t esp_decrypt_burst_gre(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			       uint16_t n, uint16_t l3_off, struct esp_gre_span *gre,
			       struct esp_sink *sink)
{
	RTE_ASSERT(n <= CRYPTO_MB_BURST_MAX);
	return in_chunk(cx, sa, pkts, n, l3_off, gre, sink);
}
