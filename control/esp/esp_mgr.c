/* SA pairs per peer: create (keys from esp_keys.c), install, reference from
 * NHRP entries, retire after a grace period with the keys wiped. */
#include "esp_mgr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_malloc.h>

#include "ctl.h"
#include "esp_keys.h"
#include "esp_sa.h"
#include "inet.h"
#include "log.h"
#include "punt.h"
#include "strbuf.h"

#define ESP_IDLE_NS (30 * CLK_NS_PER_S) /* a pair made for an unknown SPI, unused */

/* The layers above, told through the hooks the node gave (esp_mgr.h). */
static void esp_hook_sa_changed(struct ctl *ct, uint32_t nbma)
{
	if (ct->ct_esp->em_hooks.eh_sa_changed != NULL)
		ct->ct_esp->em_hooks.eh_sa_changed(ct, nbma);
}

static void esp_hook_want(struct ctl *ct, uint32_t nbma)
{
	if (ct->ct_esp->em_hooks.eh_keying_want != NULL)
		ct->ct_esp->em_hooks.eh_keying_want(ct, nbma);
}

static void esp_hook_release(struct ctl *ct, uint32_t nbma)
{
	if (ct->ct_esp->em_hooks.eh_keying_release != NULL)
		ct->ct_esp->em_hooks.eh_keying_release(ct, nbma);
}

static void esp_hook_rekey(struct ctl *ct, uint32_t spi)
{
	if (ct->ct_esp->em_hooks.eh_keying_rekey != NULL)
		ct->ct_esp->em_hooks.eh_keying_rekey(ct, spi);
}

static void esp_sa_free(void *a, void *b)
{
	(void)b;
	esp_sa_fini(a);
	rte_free(a);
}

static struct esp_pair *esp_pair_lookup(struct ctl *ct, uint32_t nbma)
{
	void *data;

	if (ct->ct_esp == NULL || rte_hash_lookup_data(ct->ct_esp->em_pairs, &nbma, &data) < 0)
		return NULL;
	return data;
}

static bool esp_keying_ike(const struct ctl *ct)
{
	return ct->ct_esp->em_cfg->keying == CFG_KEYING_IKE;
}

/* Inbound SAs leave the SPI table (RCU frees them), outbound ones are
 * retired; either may be NULL (keying: ike, before and between SAs). */
static void esp_sa_drop_in(struct ctl *ct, struct esp_sa **sa)
{
	if (*sa != NULL)
		sa_table_del(&ct->ct_dp->dp_sa_in, (*sa)->sa_spi, esp_sa_free, NULL);
	*sa = NULL;
}

static void esp_sa_drop_out(struct ctl *ct, struct esp_sa **sa)
{
	if (*sa != NULL)
		rcu_retire(ct->ct_dp->dp_rcu, esp_sa_free, *sa, NULL);
	*sa = NULL;
}

static void esp_pair_destroy(struct ctl *ct, struct esp_pair *p)
{
	struct esp_mgr *em = ct->ct_esp;
	char a[INET_ADDRSTR];

	LOG_CTL(INFO, "esp: SAs with %s removed (in 0x%08x, out 0x%08x)",
		inet_v4_str(p->ep_nbma, a), p->ep_in != NULL ? p->ep_in->sa_spi : 0,
		p->ep_out != NULL ? p->ep_out->sa_spi : 0);
	timer_cancel(&ct->ct_timers, &p->ep_idle);
	timer_cancel(&ct->ct_timers, &p->ep_keepalive);
	esp_sa_drop_in(ct, &p->ep_in);
	esp_sa_drop_in(ct, &p->ep_in_prev);
	esp_sa_drop_out(ct, &p->ep_out);
	rte_hash_del_key(em->em_pairs, &p->ep_nbma);
	em->em_destroyed++;
	free(p);
}

/* RFC 3948 2.3: one 0xff byte in UDP 4500 keeps the NAT's mapping alive. */
static void esp_pair_keepalive(struct timer *t, void *arg)
{
	struct esp_pair *p = arg;
	struct ctl *ct = p->ep_ctl;
	uint16_t every = ct->ct_esp->em_cfg->natt_keepalive_s;
	uint8_t ka = 0xff;

	if (p->ep_natt_port == 0 || every == 0)
		return;
	if (ct->ct_esp->em_hooks.eh_udp_send != NULL)
		ct->ct_esp->em_hooks.eh_udp_send(ct, ct->ct_esp->em_self, p->ep_nbma, 4500,
						 p->ep_natt_port, &ka, 1);
	ct->ct_esp->em_keepalives++;
	timer_arm(&ct->ct_timers, t, clock_now(ct->ct_clock) + every * CLK_NS_PER_S);
}

/* Unused for a while: gone (keying: ike: its IKE SA is deleted, which
 * removes the SAs, and the pair goes with the last of them). */
static void esp_pair_idle(struct timer *t, void *arg)
{
	struct esp_pair *p = arg;

	(void)t;
	if (p->ep_refs != 0)
		return;
	if (esp_keying_ike(p->ep_ctl) && (p->ep_in != NULL || p->ep_out != NULL))
		esp_hook_release(p->ep_ctl, p->ep_nbma);
	else
		esp_pair_destroy(p->ep_ctl, p);
}

/* Wireshark's ESP SA table (UAT "esp_sa") line for one SA. */
static void esp_keylog_write(struct esp_mgr *em, uint32_t src, uint32_t dst,
			     const struct esp_sa_params *sp)
{
	bool gcm = sp->alg == ESP_ALG_AES_GCM_128 || sp->alg == ESP_ALG_AES_GCM_256;
	unsigned klen = sp->alg == ESP_ALG_AES_GCM_128               ? 20
			: sp->alg == ESP_ALG_AES_GCM_256             ? 36
			: sp->alg == ESP_ALG_AES_CBC_128_HMAC_SHA256 ? 16
								     : 32;
	char a[INET_ADDRSTR], b[INET_ADDRSTR];

	fprintf(em->em_keylog, "\"IPv4\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"0x", inet_v4_str(src, a),
		inet_v4_str(dst, b), sp->spi,
		gcm ? "AES-GCM with 16 octet ICV [RFC4106]" : "AES-CBC [RFC3602]");
	for (unsigned i = 0; i < klen; i++)
		fprintf(em->em_keylog, "%02x", sp->keymat[i]);
	fprintf(em->em_keylog, "\",\"%s\",\"", gcm ? "NULL" : "HMAC-SHA-256-128 [RFC4868]");
	if (!gcm) {
		fprintf(em->em_keylog, "0x");
		for (unsigned i = 0; i < ESP_AUTH_KEY_LEN; i++)
			fprintf(em->em_keylog, "%02x", sp->auth_key[i]);
	}
	fprintf(em->em_keylog, "\"\n");
	fflush(em->em_keylog);
}

/* An SA from its parameters, key-logged when asked. */
static struct esp_sa *esp_sa_build(struct esp_mgr *em, uint32_t peer, enum esp_dir dir,
				   struct esp_sa_params *sp)
{
	struct esp_sa *sa;

	sp->one_sender = em->em_one_sender;
	sa = rte_zmalloc("esp_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE);
	if (sa != NULL && esp_sa_init(sa, &em->em_cx, sp) != 0) {
		rte_free(sa);
		sa = NULL;
	}
	if (sa != NULL && em->em_keylog != NULL)
		esp_keylog_write(em, dir == ESP_DIR_OUT ? em->em_self : peer,
				 dir == ESP_DIR_OUT ? peer : em->em_self, sp);
	return sa;
}

static struct esp_sa *esp_sa_make(struct esp_mgr *em, uint32_t peer, enum esp_dir dir,
				  struct esp_sa_params *sp)
{
	if (esp_keys_params(em->em_cfg, em->em_self, peer, dir, sp) != 0)
		return NULL;
	return esp_sa_build(em, peer, dir, sp);
}

static struct esp_pair *esp_pair_create(struct ctl *ct, uint32_t nbma)
{
	struct esp_mgr *em = ct->ct_esp;
	struct esp_sa_params sp;
	struct esp_pair *p = calloc(1, sizeof(*p));
	char a[INET_ADDRSTR];
	int rc = -ENOMEM;

	if (p == NULL)
		goto fail;
	p->ep_nbma = nbma;
	p->ep_ctl = ct;
	p->ep_created_ns = clock_now(ct->ct_clock);
	rc = -ENOSPC;
	if ((uint32_t)rte_hash_count(em->em_pairs) >= ct->ct_dp->dp_max_peers)
		goto fail;
	timer_init(&p->ep_idle, esp_pair_idle, p);
	timer_init(&p->ep_keepalive, esp_pair_keepalive, p);
	p->ep_in = esp_sa_make(em, nbma, ESP_DIR_IN, &sp);
	p->ep_out = p->ep_in != NULL ? esp_sa_make(em, nbma, ESP_DIR_OUT, &sp) : NULL;
	explicit_bzero(&sp, sizeof(sp));
	rc = -ENOENT;
	if (p->ep_out == NULL)
		goto fail;
	rc = sa_table_add(&ct->ct_dp->dp_sa_in, p->ep_in->sa_spi, p->ep_in);
	if (rc != 0)
		goto fail;
	if (rte_hash_add_key_data(em->em_pairs, &nbma, p) < 0) {
		sa_table_del(&ct->ct_dp->dp_sa_in, p->ep_in->sa_spi, esp_sa_free, NULL);
		p->ep_in = NULL;
		rc = -ENOSPC;
		goto fail;
	}
	em->em_created++;
	if (em->em_cfg->natt == CFG_NATT_FORCE) {
		p->ep_natt_port = 4500;
		if (em->em_cfg->natt_keepalive_s != 0)
			timer_arm(&ct->ct_timers, &p->ep_keepalive,
				  p->ep_created_ns + em->em_cfg->natt_keepalive_s * CLK_NS_PER_S);
	}
	LOG_CTL(INFO, "esp: SAs with %s installed (in 0x%08x, out 0x%08x, %s)",
		inet_v4_str(nbma, a), p->ep_in->sa_spi, p->ep_out->sa_spi,
		cfg_esp_alg_name(em->em_cfg->alg));
	return p;
fail:
	em->em_failed++;
	LOG_CTL(WARNING, "esp: no SAs with %s: %s", inet_v4_str(nbma, a),
		rc == -ENOENT   ? "no key for this peer (static keying)"
		: rc == -EEXIST ? "inbound SPI already in use"
		: rc == -ENOSPC ? "SA table full (limits.max-peers)"
				: strerror(-rc));
	if (p != NULL) {
		if (p->ep_in != NULL)
			esp_sa_free(p->ep_in, NULL);
		if (p->ep_out != NULL)
			esp_sa_free(p->ep_out, NULL);
		free(p);
	}
	return NULL;
}

int esp_mgr_init(struct ctl *ct, const struct cfg *cfg, const struct esp_mgr_hooks *hooks)
{
	/* One pair per peer (limits.max-peers, checked on create); the hash
	 * keeps a quarter spare so that cuckoo inserts never fail short of it. */
	struct rte_hash_parameters hp = {
		.name = "esp_pairs",
		.entries = RTE_MAX(ct->ct_dp->dp_max_peers + ct->ct_dp->dp_max_peers / 4, 16u),
		.key_len = sizeof(uint32_t),
		.socket_id = SOCKET_ID_ANY,
	};
	struct esp_mgr *em;

	if (!cfg->tunnel.present || cfg->tunnel.protection != CFG_PROT_ESP)
		return 0;
	em = calloc(1, sizeof(*em));
	if (em == NULL)
		return -ENOMEM;
	em->em_hooks = *hooks;
	em->em_cfg = &cfg->tunnel.esp;
	em->em_self = ct->ct_dp->dp_ports[ct->ct_dp->dp_tunnel.tn_wan].pt_addr;
	em->em_one_sender = ct->ct_dp->dp_nworkers == 1;
	em->em_pairs = rte_hash_create(&hp);
	ct->ct_esp = em;
	if (em->em_pairs == NULL || crypto_mb_init(&em->em_cx) != 0) {
		esp_mgr_fini(ct);
		return -ENOMEM;
	}
	if (em->em_cfg->key_log[0] != '\0') {
		em->em_keylog = fopen(em->em_cfg->key_log, "a");
		if (em->em_keylog == NULL) {
			LOG_CTL(ERR, "esp: key log %s: %s", em->em_cfg->key_log, strerror(errno));
			esp_mgr_fini(ct);
			return -errno;
		}
		LOG_CTL(WARNING,
			"esp: WRITING ESP KEYS to %s (esp.key-log): anyone who reads it can "
			"decrypt this node's traffic; turn it off outside a lab",
			em->em_cfg->key_log);
	}
	if (em->em_cfg->keying == CFG_KEYING_GROUP)
		LOG_CTL(WARNING, "esp: lab group-key keying: every node can derive every SA; "
				 "not for production");
	return 0;
}

void esp_mgr_fini(struct ctl *ct)
{
	struct esp_mgr *em = ct->ct_esp;
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (em == NULL)
		return;
	/* Workers are gone: free directly, wiping keys. */
	while (em->em_pairs != NULL && rte_hash_iterate(em->em_pairs, &key, &data, &iter) >= 0) {
		struct esp_pair *p = data;

		timer_cancel(&ct->ct_timers, &p->ep_idle);
		timer_cancel(&ct->ct_timers, &p->ep_keepalive);
		if (p->ep_in != NULL)
			esp_sa_free(p->ep_in, NULL);
		if (p->ep_in_prev != NULL)
			esp_sa_free(p->ep_in_prev, NULL);
		if (p->ep_out != NULL)
			esp_sa_free(p->ep_out, NULL);
		free(p);
	}
	rte_hash_free(em->em_pairs);
	if (em->em_keylog != NULL)
		fclose(em->em_keylog);
	if (em->em_cx.cm_mgr != NULL)
		crypto_mb_fini(&em->em_cx);
	free(em);
	ct->ct_esp = NULL;
}

/* keying: ike: a pair without SAs until IKE-lite installs a CHILD_SA. */
static struct esp_pair *esp_pair_empty(struct ctl *ct, uint32_t nbma)
{
	struct esp_mgr *em = ct->ct_esp;
	struct esp_pair *p;

	if ((uint32_t)rte_hash_count(em->em_pairs) >= ct->ct_dp->dp_max_peers)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->ep_nbma = nbma;
	p->ep_ctl = ct;
	p->ep_created_ns = clock_now(ct->ct_clock);
	timer_init(&p->ep_idle, esp_pair_idle, p);
	timer_init(&p->ep_keepalive, esp_pair_keepalive, p);
	if (rte_hash_add_key_data(em->em_pairs, &nbma, p) < 0) {
		free(p);
		return NULL;
	}
	em->em_created++;
	return p;
}

bool esp_mgr_needed(struct ctl *ct, uint32_t nbma)
{
	const struct esp_pair *p = ct->ct_esp != NULL ? esp_pair_lookup(ct, nbma) : NULL;

	return p != NULL && p->ep_refs != 0 && p->ep_out == NULL;
}

bool esp_mgr_ref(struct ctl *ct, uint32_t nbma, const struct esp_sa **sa)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);

	*sa = NULL;
	if (ct->ct_esp == NULL)
		return false;
	if (esp_keying_ike(ct)) {
		if (p == NULL)
			p = esp_pair_empty(ct, nbma);
		if (p != NULL && p->ep_out == NULL)
			esp_hook_want(ct, nbma); /* the entry is republished when it is up */
	} else if (p == NULL) {
		p = esp_pair_create(ct, nbma);
	}
	if (p == NULL)
		return false;
	p->ep_refs++;
	timer_cancel(&ct->ct_timers, &p->ep_idle);
	*sa = p->ep_out;
	return true;
}

const struct esp_sa *esp_mgr_ref_peek(struct ctl *ct, uint32_t nbma)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);

	return p != NULL ? p->ep_out : NULL;
}

void esp_mgr_unref(struct ctl *ct, uint32_t nbma)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);

	if (p == NULL || p->ep_refs == 0)
		return;
	/* The last NHRP entry for that peer went (expired, purged): so do
	 * its SAs. Without IKE there is no rekey, and a peer that restarts
	 * starts its sequence numbers again: keeping our replay window would
	 * refuse it until we forgot it anyway. With IKE the SAs stay for
	 * the idle time (a spoke back soon needs no new handshake). */
	if (--p->ep_refs != 0)
		return;
	if (esp_keying_ike(ct))
		timer_arm(&ct->ct_timers, &p->ep_idle,
			  clock_now(ct->ct_clock) +
				  (uint64_t)ct->ct_esp->em_cfg->ike.idle_s * CLK_NS_PER_S);
	else
		esp_pair_destroy(ct, p);
}

void esp_mgr_event(struct ctl *ct, const struct dp_event *ev)
{
	struct esp_pair *p;

	if (ct->ct_esp == NULL)
		return;
	if (ev->ev_cause == PUNT_EV_NATT) {
		esp_mgr_natt(ct, ev->ev_nbma, (uint16_t)ev->ev_target);
		return;
	}
	if (ev->ev_cause == PUNT_EV_LIFETIME) {
		if (esp_keying_ike(ct))
			esp_hook_rekey(ct, ev->ev_target);
		else
			LOG_CTL(WARNING,
				"esp: SA 0x%08x reached a lifetime limit; only keying: "
				"ike rekeys",
				ev->ev_target);
		return;
	}
	if (esp_keying_ike(ct))
		return; /* unknown SPIs: only IKE-lite makes SAs */
	/* A peer we have no SA with yet (a spoke registering, a spoke
	 * answering a resolution): make the pair now, so its retry gets in. */
	p = esp_pair_lookup(ct, ev->ev_nbma);
	if (p == NULL) {
		p = esp_pair_create(ct, ev->ev_nbma);
		if (p != NULL)
			timer_arm(&ct->ct_timers, &p->ep_idle,
				  clock_now(ct->ct_clock) + ESP_IDLE_NS);
	}
}

int esp_mgr_encrypt(struct ctl *ct, struct rte_mbuf *m, uint32_t nbma)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);
	struct rte_mbuf *dropped;
	uint8_t why;
	struct esp_sink sink = {.es_drop = &dropped, .es_reason = &why};

	if (ct->ct_esp == NULL) {
		rte_pktmbuf_free(m);
		return -ENOENT;
	}
	if (p == NULL || p->ep_out == NULL) { /* keying: ike: not negotiated yet */
		ct->ct_esp->em_tx_dropped++;
		rte_pktmbuf_free(m);
		return -ENOENT;
	}
	if (esp_encrypt_burst(&ct->ct_esp->em_cx, p->ep_out, &m, 1,
			      (uint16_t)sizeof(struct rte_ether_hdr), &sink) != 1) {
		ct->ct_esp->em_tx_dropped++;
		rte_pktmbuf_free(dropped);
		return -ENOENT;
	}
	return 0;
}

/* Tunnel mode with the addresses of the header inside, or transport. */
static void esp_show_mode(struct strbuf *out, const struct esp_sa *sa)
{
	char s[INET_ADDRSTR], d[INET_ADDRSTR];

	if (!(sa->sa_flags & ESP_SA_F_TUNNEL)) {
		strbuf_printf(out, "      mode transport\n");
		return;
	}
	inet_v4_str(rte_be_to_cpu_32(sa->sa_tun_src), s);
	inet_v4_str(rte_be_to_cpu_32(sa->sa_tun_dst), d);
	strbuf_printf(out, "      mode tunnel, inside %s -> %s\n", s, d);
}

static void esp_show_sa(struct strbuf *out, const char *dir, const struct esp_sa *sa,
			const struct esp_pair *p)
{
	const volatile struct esp_sa *v = sa;
	bool outbound = v->sa_flags & ESP_SA_F_OUT;
	uint64_t pkts = outbound ? v->sa_seq : v->sa_pkts;

	/* Outbound SAs count sequence numbers (a NAT-T switch skips some). */
	strbuf_printf(out, "    %s spi: 0x%08X (%u), %s %" PRIu64 ", %" PRIu64 " bytes\n", dir,
		      sa->sa_spi, sa->sa_spi, outbound ? "last seq" : "packets", pkts, v->sa_bytes);
	esp_show_mode(out, sa);
	if (sa->sa_flags & ESP_SA_F_NO_REPLAY)
		strbuf_printf(out,
			      "      replay window: disabled, ICV failures %" PRIu64
			      ", bad padding %" PRIu64 "\n",
			      v->sa_drops[ESP_DROP_ICV_FAIL], v->sa_drops[ESP_DROP_BAD_PADDING]);
	else if (!(sa->sa_flags & ESP_SA_F_OUT))
		strbuf_printf(out,
			      "      replay drops %" PRIu64 " (too old %" PRIu64
			      "), ICV failures %" PRIu64 ", bad padding %" PRIu64 "\n",
			      v->sa_drops[ESP_DROP_REPLAY], v->sa_drops[ESP_DROP_TOO_OLD],
			      v->sa_drops[ESP_DROP_ICV_FAIL], v->sa_drops[ESP_DROP_BAD_PADDING]);
	if (sa->sa_hard_pkts != UINT64_MAX)
		strbuf_printf(out, "      lifetime left: %" PRIu64 " packets\n",
			      sa->sa_hard_pkts > pkts ? sa->sa_hard_pkts - pkts : 0);
	if (sa->sa_hard_bytes != UINT64_MAX)
		strbuf_printf(out, "      lifetime left: %" PRIu64 " kbytes\n",
			      sa->sa_hard_bytes > v->sa_bytes
				      ? (sa->sa_hard_bytes - v->sa_bytes) / 1024
				      : 0);
	(void)p;
}

void esp_mgr_show(struct ctl *ct, struct strbuf *out)
{
	struct esp_mgr *em = ct->ct_esp;
	const void *key;
	void *data;
	uint32_t iter = 0;
	char a[INET_ADDRSTR], b[INET_ADDRSTR], win[16];

	if (em == NULL) {
		strbuf_printf(out, "no ESP: tunnel.protection is none\n");
		return;
	}
	if (em->em_cfg->replay_window == 0)
		snprintf(win, sizeof(win), "disabled");
	else
		snprintf(win, sizeof(win), "%u", em->em_cfg->replay_window);
	strbuf_printf(out,
		      "interface: tunnel, local NBMA %s, %s, ESN %s, replay window %s, keying %s\n",
		      inet_v4_str(em->em_self, a), cfg_esp_alg_name(em->em_cfg->alg),
		      em->em_cfg->esn ? "on" : "off", win,
		      em->em_cfg->keying == CFG_KEYING_STATIC ? "static"
		      : em->em_cfg->keying == CFG_KEYING_IKE  ? "ike"
							      : "group-key (lab)");
	strbuf_printf(out,
		      "SA pairs: %" PRIu64 " made, %" PRIu64 " removed, %" PRIu64
		      " failed; control packets without SA %" PRIu64
		      "; NAT-T keepalives sent %" PRIu64 "\n\n",
		      em->em_created, em->em_destroyed, em->em_failed, em->em_tx_dropped,
		      em->em_keepalives);
	while (rte_hash_iterate(em->em_pairs, &key, &data, &iter) >= 0) {
		const struct esp_pair *p = data;

		strbuf_printf(out, "  peer %s (%s -> %s), %u NHRP reference(s)",
			      inet_v4_str(p->ep_nbma, a), inet_v4_str(em->em_self, b), a,
			      p->ep_refs);
		if (p->ep_natt_port != 0)
			strbuf_printf(out, ", NAT-T to UDP port %u", p->ep_natt_port);
		strbuf_printf(out, "\n");
		if (p->ep_in != NULL)
			esp_show_sa(out, "inbound ", p->ep_in, p);
		if (p->ep_in_prev != NULL)
			esp_show_sa(out, "inbound (replaced)", p->ep_in_prev, p);
		if (p->ep_out != NULL)
			esp_show_sa(out, "outbound", p->ep_out, p);
		else
			strbuf_printf(out, "    no SAs yet: IKE-lite is negotiating them\n");
	}
}

/* Copy, edit, publish: a new outbound SA with the same keys that sends in
 * UDP to `port`, its sequence numbers continuing past the old one's (the
 * gap covers numbers workers reserved meanwhile); the peers that use it are
 * republished and the old SA retired after the grace period. */
void esp_mgr_natt(struct ctl *ct, uint32_t nbma, uint16_t port)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);
	struct esp_mgr *em = ct->ct_esp;
	struct esp_sa_params sp;
	struct esp_sa *sa, *old;
	char a[INET_ADDRSTR];

	/* keying: ike: IKE's NAT detection sets NAT-T when it makes the SAs. */
	if (p == NULL || em->em_cfg->natt == CFG_NATT_OFF || p->ep_natt_port == port ||
	    esp_keying_ike(ct))
		return;
	if (esp_keys_params(em->em_cfg, em->em_self, nbma, ESP_DIR_OUT, &sp) != 0)
		return;
	old = p->ep_out;
	sp.one_sender = em->em_one_sender;
	sp.natt = true;
	sp.natt_dport = port;
	sp.seq_base = __atomic_load_n(&old->sa_seq, __ATOMIC_RELAXED) + 65536;
	sa = rte_zmalloc("esp_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE);
	if (sa == NULL || esp_sa_init(sa, &em->em_cx, &sp) != 0) {
		rte_free(sa);
		explicit_bzero(&sp, sizeof(sp));
		return;
	}
	explicit_bzero(&sp, sizeof(sp));
	p->ep_out = sa;
	p->ep_natt_port = port;
	esp_hook_sa_changed(ct, nbma);
	rcu_retire(ct->ct_dp->dp_rcu, esp_sa_free, old, NULL);
	LOG_CTL(INFO, "esp: NAT between us and %s: ESP in UDP to port %u from now on",
		inet_v4_str(nbma, a), port);
	if (em->em_cfg->natt_keepalive_s != 0)
		timer_arm(&ct->ct_timers, &p->ep_keepalive,
			  clock_now(ct->ct_clock) + em->em_cfg->natt_keepalive_s * CLK_NS_PER_S);
}

/* ---- keying: ike ---- */

static struct esp_sa *esp_child_sa(struct ctl *ct, uint32_t nbma, const struct esp_child_keys *k,
				   enum esp_dir dir)
{
	struct esp_mgr *em = ct->ct_esp;
	struct esp_sa_params sp;
	struct esp_sa *sa;

	esp_keys_params_ike(em->em_cfg, dir, k->ck_alg, k->ck_esn,
			    dir == ESP_DIR_IN ? k->ck_spi_in : k->ck_spi_out,
			    dir == ESP_DIR_IN ? k->ck_key_in : k->ck_key_out, &sp);
	if (dir == ESP_DIR_OUT && k->ck_natt) {
		sp.natt = true;
		sp.natt_dport = k->ck_natt_port;
	}
	/* The header inside goes from the sender's selector to the receiver's. */
	sp.tunnel = k->ck_tunnel;
	sp.tun_src = dir == ESP_DIR_OUT ? k->ck_ts_local : k->ck_ts_remote;
	sp.tun_dst = dir == ESP_DIR_OUT ? k->ck_ts_remote : k->ck_ts_local;
	sa = esp_sa_build(em, nbma, dir, &sp);
	explicit_bzero(&sp, sizeof(sp));
	return sa;
}

int esp_mgr_child_install(struct ctl *ct, uint32_t nbma, const struct esp_child_keys *k)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);
	struct esp_sa *in, *out;
	char a[INET_ADDRSTR];
	int rc;

	if (p == NULL)
		p = esp_pair_empty(ct, nbma);
	if (p == NULL)
		return -ENOSPC;
	in = esp_child_sa(ct, nbma, k, ESP_DIR_IN);
	out = in != NULL && !k->ck_in_only ? esp_child_sa(ct, nbma, k, ESP_DIR_OUT) : NULL;
	rc = in == NULL || (out == NULL && !k->ck_in_only)
		     ? -ENOMEM
		     : sa_table_add(&ct->ct_dp->dp_sa_in, in->sa_spi, in);
	if (rc != 0) {
		if (in != NULL)
			esp_sa_free(in, NULL);
		if (out != NULL)
			esp_sa_free(out, NULL);
		ct->ct_esp->em_failed++;
		return rc;
	}
	/* 1. the new inbound SA is live (above), 2. the replaced one waits for
	 * its Delete, 3. the outbound SA switches, 4. the peers follow. */
	esp_sa_drop_in(ct, &p->ep_in_prev);
	p->ep_in_prev = p->ep_in;
	p->ep_in = in;
	if (out != NULL) {
		esp_sa_drop_out(ct, &p->ep_out);
		p->ep_out = out;
		p->ep_natt_port = k->ck_natt ? k->ck_natt_port : 0;
		esp_hook_sa_changed(ct, nbma);
	}
	if (p->ep_refs == 0 && !timer_is_armed(&p->ep_idle))
		timer_arm(&ct->ct_timers, &p->ep_idle,
			  clock_now(ct->ct_clock) +
				  (uint64_t)ct->ct_esp->em_cfg->ike.idle_s * CLK_NS_PER_S);
	if (k->ck_natt && ct->ct_esp->em_cfg->natt_keepalive_s != 0)
		timer_arm(&ct->ct_timers, &p->ep_keepalive,
			  clock_now(ct->ct_clock) +
				  ct->ct_esp->em_cfg->natt_keepalive_s * CLK_NS_PER_S);
	LOG_CTL(INFO, "esp: SAs with %s installed by IKE (in 0x%08x, out 0x%08x, %s, %s mode%s)",
		inet_v4_str(nbma, a), k->ck_spi_in, k->ck_spi_out, cfg_esp_alg_name(k->ck_alg),
		k->ck_tunnel ? "tunnel" : "transport", k->ck_natt ? ", NAT-T" : "");
	return 0;
}

int esp_mgr_child_activate(struct ctl *ct, uint32_t nbma, const struct esp_child_keys *k)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);
	struct esp_sa *out;

	if (p == NULL || (out = esp_child_sa(ct, nbma, k, ESP_DIR_OUT)) == NULL)
		return -ENOENT;
	esp_sa_drop_out(ct, &p->ep_out);
	p->ep_out = out;
	p->ep_natt_port = k->ck_natt ? k->ck_natt_port : 0;
	esp_hook_sa_changed(ct, nbma);
	return 0;
}

void esp_mgr_child_remove(struct ctl *ct, uint32_t nbma, uint32_t spi_in, uint32_t spi_out)
{
	struct esp_pair *p = esp_pair_lookup(ct, nbma);

	if (p == NULL)
		return;
	if (p->ep_in_prev != NULL && p->ep_in_prev->sa_spi == spi_in)
		esp_sa_drop_in(ct, &p->ep_in_prev);
	if (p->ep_in != NULL && p->ep_in->sa_spi == spi_in) {
		esp_sa_drop_in(ct, &p->ep_in);
		p->ep_in = p->ep_in_prev;
		p->ep_in_prev = NULL;
	}
	if (p->ep_out != NULL && p->ep_out->sa_spi == spi_out) {
		esp_sa_drop_out(ct, &p->ep_out);
		esp_hook_sa_changed(ct, nbma); /* fail closed: no SA, no send */
	}
	if (p->ep_in != NULL || p->ep_out != NULL)
		return;
	if (p->ep_refs == 0)
		esp_pair_destroy(ct, p);
	else
		esp_hook_want(ct, nbma); /* still needed: a new IKE SA */
}
