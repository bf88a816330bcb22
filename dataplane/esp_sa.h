/* The ESP security association as the workers see it (RFC 4303 protecting
 * GRE between two NBMA addresses, in transport mode or in tunnel mode), the
 * parameters the control thread installs it from, and the transforms'
 * entry points (esp_out.c, esp_in.c). The wire format is proto_esp.h.
 *
 * Ownership: the control thread fills an SA once (esp_sa_init) and
 * publishes it; it is immutable afterwards except for the counters below.
 * An inbound SA has one writer, the worker its SPI is steered to, so its
 * replay window and counters are plain. An outbound SA may be used by
 * every worker: its sequence counter and byte counter are atomics, touched
 * once per burst (see esp_out.c). */
#ifndef DMVPND_ESP_SA_H
#define DMVPND_ESP_SA_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_esp.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "crypto_mb.h"
#include "esp_reasons.h"
#include "ipv4_csum.h"
#include "esp_replay.h"
#include "proto_esp.h"

enum esp_alg {
	ESP_ALG_AES_GCM_128 = 0, /* RFC 4106, 16-byte ICV */
	ESP_ALG_AES_GCM_256,
	ESP_ALG_AES_CBC_128_HMAC_SHA256, /* RFC 3602 + RFC 4868 (-128) */
	ESP_ALG_AES_CBC_256_HMAC_SHA256,
	ESP_ALG_COUNT
};

enum esp_dir {
	ESP_DIR_IN = 0,
	ESP_DIR_OUT,
};

#define ESP_TUN_IPV4_LEN 20 /* tunnel mode: the IPv4 header we put inside */
#define ESP_TUN_TTL 64

/* Lifetime events a burst raises; the caller tells the control thread. */
#define ESP_LT_SOFT 0x01 /* a soft limit was reached: rekey */
#define ESP_LT_HARD 0x02 /* a hard limit was reached: the SA is spent */

/* sa_flags */
#define ESP_SA_F_ESN 0x01
#define ESP_SA_F_NATT 0x02
#define ESP_SA_F_GCM 0x04
#define ESP_SA_F_OUT 0x08
#define ESP_SA_F_NO_REPLAY 0x10  /* inbound: anti-replay disabled */
#define ESP_SA_F_ONE_SENDER 0x20 /* outbound: one lcore sends on it */
#define ESP_SA_F_TUNNEL 0x40     /* tunnel mode: an IPv4 header inside, before GRE */

struct esp_sa_params {
	uint32_t spi;
	enum esp_dir dir;
	enum esp_alg alg;
	/* GCM: AES key | 4-byte salt, the KEYMAT IKEv2 delivers (RFC 4106 8.1);
	 * CBC: the AES key. The length follows from alg. */
	uint8_t keymat[ESP_KEYMAT_MAX];
	uint8_t auth_key[ESP_AUTH_KEY_LEN]; /* CBC only */
	bool esn;
	uint16_t replay_window; /* inbound: 64..4096 packets, 0 = 1024 */
	/* Inbound: no anti-replay check (RFC 4303 3.4.3 lets the receiver
	 * turn it off; Cisco's "set security-association replay disable").
	 * The window's top still tracks the highest number, for ESN. */
	bool no_replay;
	uint64_t soft_packets, hard_packets; /* 0 = no limit */
	uint64_t soft_bytes, hard_bytes;     /* GRE payload bytes; 0 = no limit */
	bool natt;                           /* RFC 3948 UDP encapsulation */
	/* Outbound: only one lcore ever sends on this SA (a dataplane with one
	 * worker). Its sequence numbers and byte counter then move by plain
	 * stores instead of locked read-modify-writes, which cost most when
	 * every packet of a burst goes to another peer: each run is then one
	 * packet, and each lock also drains the store buffer. */
	bool one_sender;
	uint16_t natt_sport, natt_dport; /* host order; 0 = 4500 */
	/* RFC 4303 tunnel mode: the protected payload is [IPv4, protocol GRE]
	 * [GRE packet], next header 4. Outbound: that header's addresses;
	 * inbound: the only ones accepted. Host order: the two NBMA addresses,
	 * or what the CHILD_SA's traffic selectors named (a peer behind a NAT
	 * knows itself by its own address). Unused in transport mode. */
	bool tunnel;
	uint32_t tun_src, tun_dst;
	/* The sequence number taken as already used (outbound) or seen
	 * (inbound): a copied SA that moves to a new NAT port goes on past its
	 * old numbers; tests reach the 2^32 edges without 2^32 packets. */
	uint64_t seq_base;
};

/* The runtime SA: read-mostly hot fields in the first line, counters on
 * their own line (outbound: written by every worker), then the key
 * schedule and the replay window. */
struct esp_sa {
	uint32_t sa_spi;  /* host order */
	uint8_t sa_alg;   /* enum esp_alg */
	uint8_t sa_flags; /* ESP_SA_F_* */
	uint8_t sa_iv_len;
	uint8_t sa_align; /* payload + trailer alignment: 4 (GCM) or 16 (CBC) */
	uint8_t sa_icv_len;
	uint8_t sa_salt[ESP_SALT_LEN];
	uint16_t sa_natt_sport, sa_natt_dport; /* network order */
	uint8_t sa_next_header;                /* 47 (transport) or 4 (tunnel) */
	uint8_t sa_tun_len;                    /* 0, or ESP_TUN_IPV4_LEN in tunnel mode */
	uint32_t sa_tun_src, sa_tun_dst;       /* tunnel mode, network order */
	uint32_t sa_tun_sum;                   /* outbound tunnel mode: RFC 1071 sum of the
			      * constant words of the header inside, unfolded */
	uint64_t sa_seq_max;                   /* last sequence number that may be sent */
	uint64_t sa_soft_pkts, sa_hard_pkts;   /* UINT64_MAX = none */
	uint64_t sa_soft_bytes, sa_hard_bytes;

	/* Outbound: last sequence number handed out (atomic, shared; plain
	 * stores by its only sender with ESP_SA_F_ONE_SENDER).
	 * Inbound: unused, the replay window's top plays that part. */
	uint64_t sa_seq __rte_cache_aligned;
	uint64_t sa_pkts;  /* inbound packets authenticated (outbound: sa_seq) */
	uint64_t sa_bytes; /* GRE payload bytes; outbound: atomic */

	/* Embedded, not pointed to: a copied SA (copy, edit, publish) keeps a
	 * valid key, and the schedule is one offset away from the hot line. */
	struct crypto_mb_key sa_key;
	struct esp_replay sa_replay;       /* inbound only */
	uint64_t sa_drops[ESP_DROP_COUNT]; /* inbound, by reason (one writer) */
} __rte_cache_aligned;

/* Internal to esp_in.c and esp_out.c: whether n more packets, after
 * `count` packets (inbound) or sequence numbers (outbound) and `bytes`
 * bytes, stay clear of every lifetime limit (each packet carries less than
 * 64 KiB), so that a chunk far from them skips the per-packet checks. */
static inline bool esp_lifetime_far(const struct esp_sa *sa, uint64_t count, uint64_t bytes,
				    uint16_t n)
{
	uint64_t last = count + n, most = bytes + (uint64_t)n * UINT16_MAX;

	return last < sa->sa_hard_pkts && most < sa->sa_hard_bytes &&
	       (sa->sa_soft_pkts > last || sa->sa_soft_pkts <= count) &&
	       (sa->sa_soft_bytes > most || sa->sa_soft_bytes <= bytes);
}

/* Where a burst puts what it refuses: es_drop[es_n] and es_reason[es_n]
 * (enum esp_drop) on from es_n, for the caller to count and free; the
 * lifetime limits it reached or'ed into es_lifetime (ESP_LT_*). The caller
 * gives room for the whole burst and starts es_n and es_lifetime at 0. */
struct esp_sink {
	struct rte_mbuf **es_drop;
	uint8_t *es_reason;
	uint16_t es_n;
	uint8_t es_lifetime; /* ESP_LT_* */
};

static inline void esp_sink_drop(struct esp_sink *s, struct rte_mbuf *m, int why)
{
	s->es_drop[s->es_n] = m;
	s->es_reason[s->es_n] = (uint8_t)why;
	s->es_n++;
}

/* One chunk (at most CRYPTO_MB_BURST_MAX packets) of esp_in.c/esp_out.c. */
typedef uint16_t (*esp_chunk_fn)(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
				 uint16_t n, uint16_t l3_off, struct esp_sink *sink);

/* A burst as chunks of the crypto burst size; survivors are compacted to
 * the front, which never overtakes the chunk being read. */
static inline uint16_t esp_burst_chunked(struct crypto_mb *cx, struct esp_sa *sa,
					 struct rte_mbuf **pkts, uint16_t n, uint16_t l3_off,
					 struct esp_sink *sink, esp_chunk_fn chunk)
{
	uint16_t done = 0, ok = 0, c;

	while (done < n) {
		c = RTE_MIN((uint16_t)(n - done), (uint16_t)CRYPTO_MB_BURST_MAX);
		if (ok != done) /* only after a drop: a libc call otherwise for nothing */
			memmove(&pkts[ok], &pkts[done], c * sizeof(*pkts));
		ok += chunk(cx, sa, &pkts[ok], c, l3_off, sink);
		done += c;
	}
	return ok;
}

/* The outer IPv4 header at l3_off, read-only and bounded: the header, its
 * length and the claimed total length, and how many bytes follow l3_off.
 * ESP_OK for a whole datagram in one segment, or NONLINEAR / RUNT /
 * BAD_IP (version, IHL, total < IHL, a fragment: RFC 4303 3.1.1 and
 * 3.4.1), or short_why when total claims more bytes than are present
 * (each direction has its own reason for that lie). */
static inline int esp_outer_ipv4(const struct rte_mbuf *m, uint16_t l3_off, int short_why,
				 const struct rte_ipv4_hdr **ipp, uint32_t *ihl, uint32_t *total,
				 uint32_t *avail)
{
	const struct rte_ipv4_hdr *ip;

	if (m->nb_segs != 1)
		return ESP_DROP_NONLINEAR;
	if (m->data_len < l3_off || (size_t)(m->data_len - l3_off) < sizeof(*ip))
		return ESP_DROP_RUNT;
	*avail = (uint32_t)m->data_len - l3_off;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);
	*ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	*total = rte_be_to_cpu_16(ip->total_length);
	*ipp = ip;
	if ((ip->version_ihl >> 4) != 4 || *ihl < sizeof(*ip) || *total < *ihl)
		return ESP_DROP_BAD_IP;
	if (*total > *avail)
		return short_why;
	return rte_ipv4_frag_pkt_is_fragmented(ip) ? ESP_DROP_BAD_IP : ESP_OK;
}

/* The outer header's protocol and total length change between GRE and
 * ESP; its checksum is updated for the two words (RFC 1624), not summed
 * again: the header was checked on the way in (ipv4_validate) or built by
 * gre_outer_write, and reading it back right after these stores would
 * stall on store-to-load forwarding. */
static inline void esp_ipv4_set_proto_len(struct rte_ipv4_hdr *ip, uint8_t proto, uint16_t len)
{
	uint16_t old_tp, new_tp, new_len = rte_cpu_to_be_16(len);

	/* TTL and protocol as one word; the new one is made in a register
	 * (a byte store read back as a word would not forward). */
	memcpy(&old_tp, &ip->time_to_live, sizeof(old_tp));
	new_tp = (uint16_t)((old_tp & 0x00ff) | (uint16_t)proto << 8);
	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);
	ip->hdr_checksum = ipv4_cksum_replace16(
		ipv4_cksum_replace16(ip->hdr_checksum, old_tp, new_tp), ip->total_length, new_len);
	ip->next_proto_id = proto;
	ip->total_length = new_len;
}

/* Warm what the ESP stage reads of sa before it is needed: with many peers
 * the SAs outgrow the caches, and a burst's packets each hit another SA. */
static inline void esp_sa_prefetch(const struct esp_sa *sa, bool inbound)
{
	rte_prefetch0(sa);
	rte_prefetch0(&sa->sa_seq);
	crypto_mb_key_prefetch(&sa->sa_key);
	if (inbound) /* not read from sa: that would wait for the miss */
		rte_prefetch0(&sa->sa_replay);
}

/* The GCM nonce and AAD of one packet (RFC 4106 4: salt | explicit IV;
 * 5: SPI | [seq high] | seq low, the high half never sent), made a stage
 * before the cipher runs: built just before the call, the library's wide
 * loads of them (and of the packet bytes just written) would wait for the
 * narrow stores to retire, as store-to-load forwarding cannot serve a load
 * from several stores (docs/performance.md, "Design choices the figures
 * depend on"). */
struct esp_gcm_params {
	uint8_t gp_nonce[16]; /* CRYPTO_MB_NONCE_LEN used */
	uint8_t gp_aad[12];
	uint32_t gp_aad_len;
};

static inline void esp_gcm_params_init(struct esp_gcm_params *gp, const struct esp_sa *sa,
				       uint64_t seq, const void *iv)
{
	uint32_t spi = rte_cpu_to_be_32(sa->sa_spi);
	uint32_t hi = rte_cpu_to_be_32((uint32_t)(seq >> 32));
	uint32_t lo = rte_cpu_to_be_32((uint32_t)seq);

	memcpy(gp->gp_nonce, sa->sa_salt, ESP_SALT_LEN);
	memcpy(gp->gp_nonce + ESP_SALT_LEN, iv, ESP_GCM_IV_LEN);
	memcpy(gp->gp_aad, &spi, 4);
	gp->gp_aad_len = 4;
	if (sa->sa_flags & ESP_SA_F_ESN) {
		memcpy(gp->gp_aad + gp->gp_aad_len, &hi, 4);
		gp->gp_aad_len += 4;
	}
	memcpy(gp->gp_aad + gp->gp_aad_len, &lo, 4);
	gp->gp_aad_len += 4;
}

/* GCM seals postponed by esp_encap_burst (its `later` queue) and done
 * together by esp_seal_flush. When every packet of a burst goes to another
 * peer, each run is one packet: sealed right after its framing, the
 * cipher's loads of the nonce, AAD and trailer just stored would wait for
 * those stores to retire, on every packet. Postponed to the end of the
 * burst, they have. */
struct esp_seal_job {
	const struct crypto_mb_key *sj_key;
	uint8_t *sj_esp; /* the ESP header */
	uint32_t sj_ct;  /* plaintext bytes to encrypt after the IV */
	struct esp_gcm_params sj_gp;
};

struct esp_seal_queue {
	uint16_t sq_n;
	struct esp_seal_job sq_job[CRYPTO_MB_BURST_MAX];
};

/* Moves the link and IPv4 headers (len bytes) by the ESP gap. The usual
 * 14 + 20 bytes get a copy the compiler inlines (loads, then stores)
 * instead of a call into libc's generic memmove. */
static inline void esp_move_headers(uint8_t *dst, const uint8_t *src, size_t len)
{
	if (likely(len == sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr)))
		memmove(dst, src, sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	else
		memmove(dst, src, len);
}

/* Bytes between the outer IPv4 header and the protected payload (which in
 * tunnel mode starts with an IPv4 header of sa_tun_len bytes). */
static inline uint16_t esp_sa_head_len(const struct esp_sa *sa)
{
	return (uint16_t)((sa->sa_flags & ESP_SA_F_NATT ? ESP_UDP_HDR_LEN : 0) + ESP_HDR_LEN +
			  sa->sa_iv_len);
}

/* crypto_mb.c */
/* Runs on: the control thread. Fills caller-owned, cache-aligned memory
 * (the caller allocates: dataplane/ never does) and expands the keys with
 * the control thread's own manager. 0 or -EINVAL. */
int esp_sa_init(struct esp_sa *sa, struct crypto_mb *cx, const struct esp_sa_params *p);
/* Runs on: the control thread, after RCU says no worker holds sa. Wipes
 * the key schedule (explicit_bzero); the caller frees the memory. */
void esp_sa_fini(struct esp_sa *sa);

/* esp_out.c */
/* Runs on: workers. Each pkts[i] holds [l3_off bytes][IPv4, proto 47][GRE..]
 * in one segment. Encrypts in place to [l3_off][IPv4 proto 50, or 17 +
 * UDP 4500][ESP][IV][ciphertext][ICV]; the plaintext is the GRE packet, or
 * in tunnel mode a new IPv4 header (the SA's addresses, protocol 47, TTL
 * 64, the outer header's TOS and DF) and the GRE packet, the outer header
 * keeping its addresses. Returns k: pkts[0..k) are ready, in
 * order; the other n - k went to sink. */
uint16_t esp_encrypt_burst(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			   uint16_t n, uint16_t l3_off, struct esp_sink *sink);
struct gre_outer_tmpl;
/* What esp_encap_burst needs besides the packets: the outer header, and
 * per packet the inner IPv4 packet's length and TOS. ge_later: NULL to
 * seal before returning; else GCM packets come back framed with their
 * seals queued in *ge_later (room for n more), and must not leave before
 * esp_seal_flush(ge_later). CBC is always sealed at once. */
struct esp_inner {
	uint16_t in_len;
	uint8_t in_tos;
};
struct esp_gre_encap {
	const struct gre_outer_tmpl *ge_tmpl;
	const struct esp_inner *ge_inner; /* [n] */
	struct esp_seal_queue *ge_later;
};
/* Runs on: workers. GRE encapsulation and ESP in one step, for the
 * worker's own tunnel packets: each pkts[i] holds [l3_off bytes][inner
 * IPv4, ge_inner[i].in_len bytes] in one segment; becomes [l3_off][outer
 * IPv4 from ge_tmpl, proto 50 or 17 + UDP 4500, TOS ge_inner[i].in_tos]
 * [ESP][IV][ciphertext of (tunnel mode: IPv4 +) GRE + inner][ICV], byte
 * for byte what gre_outer_write followed by esp_encrypt_burst makes,
 * without moving or reading back the header.
 * n <= CRYPTO_MB_BURST_MAX. Same return convention as above. */
uint16_t esp_encap_burst(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			 uint16_t n, uint16_t l3_off, const struct esp_gre_encap *ge,
			 struct esp_sink *sink);
/* Runs on: workers. The seals esp_encap_burst queued in q, in order; q is
 * empty after. */
void esp_seal_flush(struct crypto_mb *cx, struct esp_seal_queue *q);
/* The GCM transform alone, exposed for known-answer tests: esp points at
 * the ESP header, followed by 8 bytes of IV room, pt_len bytes of
 * plaintext (payload + padding + pad length + next header) and 16 bytes
 * of ICV room. Writes SPI, seq, the explicit IV iv (the dataplane's is
 * seq; a known-answer test gives the vector's), ciphertext and ICV. */
void esp_out_gcm_seal(struct crypto_mb *cx, const struct esp_sa *sa, uint8_t *esp, uint64_t seq,
		      uint64_t iv, uint32_t pt_len);

/* esp_in.c */
/* Runs on: the worker that owns sa (inbound). Each pkts[i] holds
 * [l3_off bytes][IPv4 proto 50, or 17 + UDP][ESP..] in one segment, its
 * SPI already looked up to sa by the caller. Decrypts and strips in place
 * to [l3_off][IPv4 proto 47][GRE..], in tunnel mode the IPv4 header inside
 * too (esp_tun_check): both modes give the same result. Same return
 * convention as above. */
uint16_t esp_decrypt_burst(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			   uint16_t n, uint16_t l3_off, struct esp_sink *sink);
/* Where a decrypted GRE packet is: gs_len bytes at gs_off from the front
 * of its mbuf. */
struct esp_gre_span {
	uint16_t gs_off, gs_len;
};
/* The same, for the worker's own decapsulation, which validated each outer
 * IPv4 header already (ipv4_validate: version, header length, checksum,
 * total length equal to the bytes present; and no fragment): those checks
 * are not made again. Nothing in front moves: pkts[0..k) stay
 * [l3_off][outer IPv4][UDP][ESP][IV][(tunnel IPv4)][GRE..] with the trailer
 * and ICV trimmed; gre[i] says where survivor i's GRE packet is.
 * n <= CRYPTO_MB_BURST_MAX. esp_in_strip makes the esp_decrypt_burst form
 * of one of them. */
uint16_t esp_decrypt_burst_gre(struct crypto_mb *cx, struct esp_sa *sa, struct rte_mbuf **pkts,
			       uint16_t n, uint16_t l3_off, struct esp_gre_span *gre,
			       struct esp_sink *sink);
/* [l3_off][IPv4][UDP][ESP][IV][(tunnel IPv4)][GRE] -> [l3_off][IPv4 proto
 * 47][GRE]. */
void esp_in_strip(struct rte_mbuf *m, uint16_t l3_off, uint16_t gre_off, uint16_t gre_len);
/* RFC 4303 2.4 trailer of decrypted plaintext pt: 0 with *pad_len and
 * *next_header, or ESP_DROP_BAD_PADDING. Pure; inline for the ESP stage,
 * exposed for tests and fuzzing. */
static inline int esp_trailer_check(const uint8_t *pt, uint32_t pt_len, uint8_t *pad_len,
				    uint8_t *next_header)
{
	uint64_t got, want, mask;
	uint8_t pad;

	if (pt_len < sizeof(struct rte_esp_tail))
		return ESP_DROP_BAD_PADDING;
	pad = pt[pt_len - 2];
	if ((uint32_t)pad + sizeof(struct rte_esp_tail) > pt_len)
		return ESP_DROP_BAD_PADDING;
	/* RFC 4303 2.4: the default padding is 1, 2, 3...; a receiver
	 * SHOULD check it. Both our algorithms use the default. Up to 8
	 * bytes (what GCM senders use) in one compare of the word ending at
	 * the pad length byte, when that word is inside pt. */
	if (likely(pad - 1u < 8u && pt_len >= 8 + sizeof(struct rte_esp_tail))) {
		memcpy(&got, pt + pt_len - 2 - 8, 8);
		mask = ~(uint64_t)0 << (8 * (8 - pad));
		want = UINT64_C(0x0807060504030201) << (8 * (8 - pad));
		if (((rte_le_to_cpu_64(got) ^ want) & mask) != 0)
			return ESP_DROP_BAD_PADDING;
	} else {
		for (uint32_t i = 0; i < pad; i++)
			if (pt[pt_len - 2 - pad + i] != (uint8_t)(i + 1))
				return ESP_DROP_BAD_PADDING;
	}
	*pad_len = pad;
	*next_header = pt[pt_len - 1];
	return ESP_OK;
}
/* Tunnel mode, after the ICV and trailer passed: the decrypted payload p
 * (len bytes, before the padding) must be one whole IPv4 packet (RFC 4303
 * 2.7: TFC padding may follow it) of GRE from the SA's peer to us: version
 * 4, header length and checksum right, not a fragment, total length at
 * most len, protocol 47, addresses sa_tun_src -> sa_tun_dst. 0 with
 * *ihl (its header length) and *gre_len, or ESP_DROP_TUN_*. Pure;
 * exposed for tests and fuzzing. */
int esp_tun_check(const struct esp_sa *sa, const uint8_t *p, uint32_t len, uint16_t *ihl,
		  uint32_t *gre_len);
/* The GCM transform alone (known-answer tests): the inverse of
 * esp_out_gcm_seal for seq; 0 or ESP_DROP_ICV_FAIL. */
int esp_in_gcm_open(struct crypto_mb *cx, const struct esp_sa *sa, uint8_t *esp, uint64_t seq,
		    uint32_t ct_len);

#endif
