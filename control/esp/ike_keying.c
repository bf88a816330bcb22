/* IKE-lite as the node's keying: control/ike's state machine on the
 * control thread (see ike_keying.h). */
#include "ike_keying.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "ctl.h"
#include "esp_mgr.h"
#include "ike_mgr.h"
#include "inet.h"
#include "prom.h"
#include "log.h"
#include "strbuf.h"

#define IKE_BACKOFF_S 5 /* after a failed IKE SA, before trying that peer again */
#define IKE_WANT_SLOTS 256

/* A peer we want an SA with but may not start one with yet. */
struct ike_want {
	uint32_t iw_nbma; /* 0 = free */
	uint64_t iw_not_before_ns;
	bool iw_pending; /* wanted while backing off */
};

struct ike_keying {
	struct ctl *ik_ctl;
	struct ike_mgr *ik_mgr;
	struct ike_conf ik_conf;
	struct ike_env ik_env;
	struct ike_policy ik_policy; /* identities, PSKs, certificates */
	uint32_t ik_self;
	bool ik_closing;      /* fini: the SAs go with esp_mgr, no callbacks */
	bool ik_stopping;     /* node stop: Deletes out, no new SAs */
	int ik_log_level;     /* user.dmvpn.ike's level before debug */
	struct timer ik_tick; /* reaps dead SAs, retries wanted peers */
	struct ike_want ik_want[IKE_WANT_SLOTS];
	FILE *ik_keylog; /* Wireshark ikev2_decryption_table, or NULL */
	uint64_t ik_installed, ik_install_failed;
};

/* ---- the environment the state machine runs in ---- */

/* debug crypto ikev2: the fixed header of one message, read within len. */
static void debug_msg(const char *dir, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		      const uint8_t *msg, size_t len)
{
	static const char *const exch[] = {"IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA",
					   "INFORMATIONAL"};
	char s[INET_ADDRSTR], d[INET_ADDRSTR], x[16];
	uint32_t mid;

	if (!rte_log_can_log(dmvpn_logtype_ike, RTE_LOG_DEBUG))
		return;
	inet_v4_str(src, s);
	inet_v4_str(dst, d);
	if (len < IKE_HDR_LEN) {
		LOG_IKE(DEBUG, "%s %s:%u -> %s:%u %zu bytes, shorter than an IKE header", dir, s,
			sport, d, dport, len);
		return;
	}
	mid = (uint32_t)msg[20] << 24 | (uint32_t)msg[21] << 16 | (uint32_t)msg[22] << 8 | msg[23];
	if (msg[18] >= IKE_EXCH_IKE_SA_INIT && msg[18] <= IKE_EXCH_INFORMATIONAL)
		snprintf(x, sizeof(x), "%s", exch[msg[18] - IKE_EXCH_IKE_SA_INIT]);
	else
		snprintf(x, sizeof(x), "exchange %u", msg[18]);
	LOG_IKE(DEBUG, "%s %s:%u -> %s:%u %s %s%s, message ID %" PRIu32 ", %zu bytes", dir, s,
		sport, d, dport, x, msg[19] & IKE_FLAG_RESPONSE ? "response" : "request",
		msg[19] & IKE_FLAG_INITIATOR ? " (original initiator)" : "", mid, len);
}

static int ik_send(void *ctx, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		   const uint8_t *msg, size_t len)
{
	struct ike_keying *ik = ctx;
	uint8_t buf[IKE_MSG_BUF + IKE_NON_ESP_MARKER_LEN];
	size_t off = sport == IKE_NATT_UDP_PORT ? IKE_NON_ESP_MARKER_LEN : 0;

	if (len + off > sizeof(buf))
		return -EMSGSIZE;
	memset(buf, 0, off); /* RFC 3948 2.2: the non-ESP marker */
	memcpy(buf + off, msg, len);
	debug_msg("send", src, sport, dst, dport, msg, len);
	return ctl_udp_send(ik->ik_ctl, src, dst, sport, dport, buf, (uint16_t)(len + off));
}

/* Random, not 1..255 (reserved, RFC 4303 2.1), not in use. */
static int ik_spi(void *ctx, uint32_t *spi)
{
	struct ike_keying *ik = ctx;

	for (unsigned tries = 0; tries < 64; tries++) {
		if (ike_rand_bytes((uint8_t *)spi, sizeof(*spi)) != 0)
			return -EIO;
		if (*spi > 255 && sa_table_lookup(&ik->ik_ctl->ct_dp->dp_sa_in, *spi) == NULL)
			return 0;
	}
	return -ENOSPC;
}

static void child_keys(const struct ike_sa *sa, const struct ike_child *ch,
		       struct esp_child_keys *k)
{
	*k = (struct esp_child_keys){.ck_spi_in = ch->ch_spi_in,
				     .ck_spi_out = ch->ch_spi_out,
				     .ck_alg = ch->ch_prop.ep_alg,
				     .ck_esn = ch->ch_prop.ep_esn,
				     .ck_key_in = ch->ch_key_in,
				     .ck_key_out = ch->ch_key_out,
				     .ck_natt = sa->sa_nat_local || sa->sa_nat_remote,
				     .ck_natt_port = sa->sa_rport,
				     .ck_in_only = ch->ch_out_deferred,
				     .ck_tunnel = ch->ch_tunnel,
				     .ck_ts_local = sa->sa_local,
				     .ck_ts_remote = ch->ch_ts_remote};
}

static void ik_activate(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	struct ike_keying *ik = ctx;
	struct esp_child_keys k;

	child_keys(sa, ch, &k);
	esp_mgr_child_activate(ik->ik_ctl, sa->sa_remote, &k);
}

static int ik_install(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	struct ike_keying *ik = ctx;
	struct esp_child_keys k;
	int rc;

	child_keys(sa, ch, &k);
	rc = esp_mgr_child_install(ik->ik_ctl, sa->sa_remote, &k);
	if (rc == 0)
		ik->ik_installed++;
	else
		ik->ik_install_failed++;
	return rc;
}

/* Another IKE SA with the peer (the twin of a crossed start) whose
 * current pair can carry the traffic. */
struct fallback {
	const struct ike_sa *fb_gone;
	struct ike_sa *fb_sa;
	const struct ike_child *fb_ch;
};

static void fallback_find(struct ike_sa *sa, void *arg)
{
	struct fallback *fb = arg;

	if (sa == fb->fb_gone || fb->fb_ch != NULL || sa->sa_state != IKE_SA_ESTABLISHED)
		return;
	for (unsigned i = 0; i < sa->sa_n_child; i++) {
		const struct ike_child *ch = &sa->sa_child[i];

		if (ch->ch_installed && !ch->ch_rekeyed && !ch->ch_out_deferred) {
			fb->fb_sa = sa;
			fb->fb_ch = ch;
			return;
		}
	}
}

static void ik_remove(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	struct ike_keying *ik = ctx;
	struct fallback fb = {.fb_gone = sa};

	if (ik->ik_closing)
		return;
	esp_mgr_child_remove(ik->ik_ctl, sa->sa_remote, ch->ch_spi_in, ch->ch_spi_out);
	/* The pair the dataplane sent on went; another IKE SA with the
	 * peer still has one (crossed starts): send on that. */
	if (esp_mgr_ref_peek(ik->ik_ctl, sa->sa_remote) != NULL)
		return;
	ike_mgr_walk_peer(ik->ik_mgr, sa->sa_remote, fallback_find, &fb);
	if (fb.fb_ch != NULL)
		ik_activate(ik, fb.fb_sa, fb.fb_ch);
}

static struct ike_want *want_slot(struct ike_keying *ik, uint32_t nbma, bool make)
{
	struct ike_want *w = &ik->ik_want[(nbma * 2654435761u) >> 24];

	if (w->iw_nbma == nbma)
		return w;
	if (!make)
		return NULL;
	memset(w, 0, sizeof(*w)); /* direct mapped: a collision forgets the older peer */
	w->iw_nbma = nbma;
	return w;
}

static void keylog_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* One line of Wireshark's IKEv2 decryption table (UAT
 * "ikev2_decryption_table"): SPIs, SK_ei, SK_er, cipher, SK_ai, SK_ar,
 * integrity, with the names tshark expects. */
static void keylog_write(FILE *f, const struct ike_sa *sa)
{
	const struct ike_kdf_keys *k = &sa->sa_keys;
	bool gcm = k->sk_suite.cs_encr == IKE_CRYPTO_ENCR_AES_GCM_16;

	keylog_hex(f, sa->sa_spi_i, IKE_SPI_LEN);
	fputc(',', f);
	keylog_hex(f, sa->sa_spi_r, IKE_SPI_LEN);
	fputc(',', f);
	keylog_hex(f, k->sk_ei, k->sk_encr_len);
	fputc(',', f);
	keylog_hex(f, k->sk_er, k->sk_encr_len);
	if (gcm)
		fprintf(f, ",\"AES-GCM-%u with 16 octet ICV [RFC5282]\",",
			k->sk_suite.cs_encr_bits);
	else
		fprintf(f, ",\"AES-CBC-%u [RFC3602]\",", k->sk_suite.cs_encr_bits);
	keylog_hex(f, k->sk_ai, k->sk_integ_len);
	fputc(',', f);
	keylog_hex(f, k->sk_ar, k->sk_integ_len);
	fprintf(f, ",\"%s\"\n", gcm ? "NONE [RFC4306]" : "HMAC_SHA2_256_128 [RFC4868]");
	fflush(f);
}

static void ik_changed(void *ctx, struct ike_sa *sa)
{
	struct ike_keying *ik = ctx;
	char a[INET_ADDRSTR], p[64];
	struct ike_want *w;

	if (ik->ik_closing)
		return;
	inet_v4_str(sa->sa_remote, a);
	if (sa->sa_state == IKE_SA_ESTABLISHED) {
		ike_prop_ike_name(&sa->sa_prop, p, sizeof(p));
		LOG_CTL(INFO, "ike: SA with %s established (%s, %s%s)", a,
			sa->sa_initiator ? "we initiated" : "it initiated", p,
			sa->sa_nat_local || sa->sa_nat_remote ? ", NAT-T" : "");
		if (ik->ik_keylog != NULL)
			keylog_write(ik->ik_keylog, sa);
		return;
	}
	if (sa->sa_state != IKE_SA_DEAD || sa->sa_successor != NULL)
		return;
	if (sa->sa_error == IKE_ERR_LOCAL || sa->sa_error == IKE_ERR_DELETED ||
	    sa->sa_error == IKE_ERR_REPLACED || sa->sa_error == IKE_ERR_DUPLICATE)
		LOG_CTL(INFO, "ike: SA with %s gone: %s", a, ike_sa_error_name(sa->sa_error));
	else
		LOG_CTL(WARNING, "ike: SA with %s gone: %s", a, ike_sa_error_name(sa->sa_error));
	/* A failure: not again at once (a wrong PSK would spin), but again
	 * after the back-off while the peer is still needed and it was ours
	 * to start (the other side's retries are its own). */
	if (sa->sa_error != IKE_ERR_LOCAL && sa->sa_error != IKE_ERR_DELETED &&
	    sa->sa_error != IKE_ERR_REPLACED && sa->sa_error != IKE_ERR_DUPLICATE &&
	    (w = want_slot(ik, sa->sa_remote, true)) != NULL) {
		w->iw_not_before_ns =
			clock_now(ik->ik_ctl->ct_clock) + IKE_BACKOFF_S * CLK_NS_PER_S;
		w->iw_pending = sa->sa_initiator && esp_mgr_needed(ik->ik_ctl, sa->sa_remote);
	}
}

/* ---- set-up ---- */

static int conf_make(const struct cfg_esp *e, struct ike_conf *c)
{
	const struct cfg_ike *k = &e->ike;

	memset(c, 0, sizeof(*c));
	for (unsigned i = 0; i < k->n_proposals && i < IKE_MAX_PROPOSALS; i++)
		if (ike_prop_from_cfg(&k->proposals[i], &c->ic_ike[c->ic_n_ike]) == 0)
			c->ic_n_ike++;
	c->ic_esp[0] = (struct ike_esp_prop){.ep_alg = e->alg, .ep_esn = e->esn};
	c->ic_n_esp = 1;
	c->ic_tunnel = k->tunnel_mode;
	c->ic_pfs = k->pfs;
	c->ic_ike_lifetime_s = k->lifetime_s;
	c->ic_child_lifetime_s = k->child_lifetime_s;
	c->ic_dpd_s = k->dpd_s;
	c->ic_retransmit_ms = 1000;
	c->ic_retransmit_tries = 5;
	c->ic_replay_window = (uint16_t)e->replay_window;
	return c->ic_n_ike != 0 ? 0 : -EINVAL;
}

static void ik_tick(struct timer *t, void *arg)
{
	struct ike_keying *ik = arg;
	uint64_t now = clock_now(ik->ik_ctl->ct_clock);

	ike_mgr_reap(ik->ik_mgr);
	for (unsigned i = 0; i < IKE_WANT_SLOTS; i++) {
		struct ike_want *w = &ik->ik_want[i];

		if (w->iw_nbma != 0 && w->iw_pending && now >= w->iw_not_before_ns) {
			w->iw_pending = false;
			ike_keying_want(ik->ik_ctl, w->iw_nbma);
		}
	}
	timer_arm(&ik->ik_ctl->ct_timers, t, now + CLK_NS_PER_S);
}

int ike_keying_init(struct ctl *ct, const struct cfg *cfg)
{
	const struct cfg_esp *e = &cfg->tunnel.esp;
	struct ike_mgr_limits lim;
	struct ike_keying *ik;
	int rc;

	if (!cfg->tunnel.present || cfg->tunnel.protection != CFG_PROT_ESP ||
	    e->keying != CFG_KEYING_IKE)
		return 0;
	ik = calloc(1, sizeof(*ik));
	if (ik == NULL)
		return -ENOMEM;
	ik->ik_ctl = ct;
	ik->ik_self = ct->ct_dp->dp_ports[ct->ct_dp->dp_tunnel.tn_wan].pt_addr;
	rc = conf_make(e, &ik->ik_conf);
	if (rc == 0) {
		char err[256];

		rc = ike_policy_load(&ik->ik_policy, &e->ike, err, sizeof(err));
		if (rc != 0)
			LOG_CTL(ERR, "ike: %s", err);
		ik->ik_conf.ic_policy = &ik->ik_policy;
	}
	ik->ik_env = (struct ike_env){.ie_ctx = ik,
				      .ie_clock = ct->ct_clock,
				      .ie_timers = &ct->ct_timers,
				      .ie_send = ik_send,
				      .ie_spi_alloc = ik_spi,
				      .ie_child_install = ik_install,
				      .ie_child_remove = ik_remove,
				      .ie_child_activate = ik_activate,
				      .ie_sa_changed = ik_changed};
	lim = (struct ike_mgr_limits){.ml_max_sas = ct->ct_dp->dp_max_peers + 64,
				      .ml_max_half_open = e->ike.max_half_open,
				      .ml_cookie_threshold = e->ike.cookie_threshold,
				      .ml_rate = e->ike.source_rate,
				      .ml_burst = e->ike.source_rate * 2};
	if (rc == 0 && (ik->ik_mgr = ike_mgr_create(&ik->ik_conf, &ik->ik_env, &lim)) == NULL)
		rc = -ENOMEM;
	if (rc != 0) {
		ike_policy_free(&ik->ik_policy);
		free(ik);
		return rc;
	}
	if (e->ike.key_log[0] != '\0') {
		ik->ik_keylog = fopen(e->ike.key_log, "a");
		if (ik->ik_keylog == NULL)
			LOG_CTL(ERR, "ike: key log %s: %s", e->ike.key_log, strerror(errno));
		else
			LOG_CTL(WARNING,
				"ike: WRITING IKE KEYS to %s (esp.ike.key-log): anyone who "
				"reads it can decrypt this node's IKE; turn it off outside a lab",
				e->ike.key_log);
	}
	ik->ik_log_level = rte_log_get_level(dmvpn_logtype_ike);
	ct->ct_ike = ik;
	timer_init(&ik->ik_tick, ik_tick, ik);
	timer_arm(&ct->ct_timers, &ik->ik_tick, clock_now(ct->ct_clock) + CLK_NS_PER_S);
	return 0;
}

void ike_keying_fini(struct ctl *ct)
{
	struct ike_keying *ik = ct->ct_ike;

	if (ik == NULL)
		return;
	ik->ik_closing = true;
	timer_cancel(&ct->ct_timers, &ik->ik_tick);
	ike_mgr_destroy(ik->ik_mgr);
	if (ik->ik_keylog != NULL)
		fclose(ik->ik_keylog);
	ike_policy_free(&ik->ik_policy);
	free(ik);
	ct->ct_ike = NULL;
}

/* ---- traffic ---- */

void ike_keying_input(struct ctl *ct, struct rte_mbuf *m)
{
	struct ike_keying *ik = ct->ct_ike;
	uint32_t avail = rte_pktmbuf_data_len(m), hlen, tot, ulen;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;

	if (ik == NULL || avail < sizeof(struct rte_ether_hdr) + sizeof(*ip))
		goto out;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	avail -= (uint32_t)sizeof(struct rte_ether_hdr);
	hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (hlen < sizeof(*ip) || tot > avail || hlen + sizeof(*udp) > tot)
		goto out;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + hlen);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || ulen > tot - hlen)
		goto out;
	if (rte_log_can_log(dmvpn_logtype_ike, RTE_LOG_DEBUG)) {
		const uint8_t *p = (const uint8_t *)(udp + 1);
		size_t n = ulen - sizeof(*udp), off = 0;

		if (rte_be_to_cpu_16(udp->dst_port) == IKE_NATT_UDP_PORT && n >= 4 &&
		    (p[0] | p[1] | p[2] | p[3]) == 0)
			off = IKE_NON_ESP_MARKER_LEN;
		debug_msg("recv", rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_16(udp->src_port),
			  rte_be_to_cpu_32(ip->dst_addr), rte_be_to_cpu_16(udp->dst_port), p + off,
			  n - off);
	}
	ike_mgr_input(ik->ik_mgr, rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_16(udp->src_port),
		      rte_be_to_cpu_32(ip->dst_addr), rte_be_to_cpu_16(udp->dst_port),
		      (const uint8_t *)(udp + 1), ulen - sizeof(*udp));
out:
	rte_pktmbuf_free(m);
}

void ike_keying_want(struct ctl *ct, uint32_t nbma)
{
	struct ike_keying *ik = ct->ct_ike;
	struct ike_want *w;
	struct ike_sa *sa;
	char a[INET_ADDRSTR];

	if (ik == NULL || ik->ik_stopping)
		return;
	sa = ike_mgr_find_peer(ik->ik_mgr, nbma);
	/* An IKE SA whose CHILD_SAs all ended (a rekey that never got an
	 * answer, then their hard lifetime) carries nothing: a new one, with
	 * its CHILD_SA, takes its place. */
	if (sa != NULL && sa->sa_state == IKE_SA_ESTABLISHED && sa->sa_n_child == 0) {
		LOG_CTL(NOTICE, "ike: SA with %s has no CHILD_SA left: starting again",
			inet_v4_str(nbma, a));
		ike_sa_delete(sa, IKE_ERR_LOCAL);
		sa = ike_mgr_find_peer(ik->ik_mgr, nbma);
	}
	if (sa != NULL)
		return;
	w = want_slot(ik, nbma, false);
	if (w != NULL && clock_now(ct->ct_clock) < w->iw_not_before_ns) {
		w->iw_pending = true; /* the tick starts it once the back-off is over */
		return;
	}
	ike_mgr_initiate(ik->ik_mgr, ik->ik_self, nbma);
}

/* All of them: crossed starts with a peer that keeps both SAs (strongSwan
 * does) leave two, and the one left behind would take over the pair (the
 * fallback in ik_remove) and keep it and itself up for good. */
void ike_keying_release(struct ctl *ct, uint32_t nbma)
{
	if (ct->ct_ike != NULL)
		ike_mgr_delete_peer(ct->ct_ike->ik_mgr, nbma, IKE_ERR_LOCAL);
}

/* The SA whose child has `spi` either way gets a CHILD_SA rekey (the
 * dataplane's soft limits name the SA, not the peer). */
static void rekey_visit(struct ike_sa *sa, void *arg)
{
	const uint32_t *spi = arg;

	for (unsigned i = 0; i < sa->sa_n_child; i++)
		if (!sa->sa_child[i].ch_rekeyed &&
		    (sa->sa_child[i].ch_spi_in == *spi || sa->sa_child[i].ch_spi_out == *spi)) {
			ike_sa_rekey(sa, sa->sa_child[i].ch_spi_in);
			return;
		}
}

void ike_keying_rekey(struct ctl *ct, uint32_t spi)
{
	if (ct->ct_ike != NULL)
		ike_mgr_walk(ct->ct_ike->ik_mgr, rekey_visit, &spi);
}

/* ---- show ---- */

struct show_ctx {
	struct strbuf *out;
	uint64_t now;
	bool detail;
};

static void fmt_age(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / CLK_NS_PER_S;

	snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
}

/* Who is who and how they proved it. */
static void show_ids(struct show_ctx *sc, const struct ike_sa *sa)
{
	static const char *const how[] = {"-", "psk", "certificate"};
	char l[2 * IKE_ID_MAX], r[2 * IKE_ID_MAX];
	struct ike_ident me;

	ike_policy_local_id(sa->sa_conf->ic_policy, sa->sa_auth, sa->sa_local, &me);
	strbuf_printf(sc->out, "   local id %s, remote id %s, auth %s%s%s%s\n",
		      ike_ident_str(&me, l, sizeof(l)),
		      sa->sa_peer_id.id_len != 0 ? ike_ident_str(&sa->sa_peer_id, r, sizeof(r))
						 : "-",
		      how[sa->sa_auth], sa->sa_frag ? ", fragmentation" : "",
		      sa->sa_error == IKE_ERR_CERT ? ", certificate refused: " : "",
		      sa->sa_error == IKE_ERR_CERT ? ike_cert_err_name(sa->sa_cert_err) : "");
}

static void show_one(struct ike_sa *sa, void *arg)
{
	struct show_ctx *sc = arg;
	char a[INET_ADDRSTR], p[64], up[16], rk[16];
	uint64_t spi_i = 0, spi_r = 0;

	for (unsigned i = 0; i < IKE_SPI_LEN; i++) {
		spi_i = spi_i << 8 | sa->sa_spi_i[i];
		spi_r = spi_r << 8 | sa->sa_spi_r[i];
	}
	ike_prop_ike_name(&sa->sa_prop, p, sizeof(p));
	fmt_age(sa->sa_established_ns ? sc->now - sa->sa_established_ns : 0, up, sizeof(up));
	if (sa->sa_rekey_ns == UINT64_MAX || sa->sa_rekey_ns < sc->now)
		snprintf(rk, sizeof(rk), "-");
	else
		fmt_age(sa->sa_rekey_ns - sc->now, rk, sizeof(rk));
	strbuf_printf(sc->out, "%-15s %-11s %016" PRIx64 "/%016" PRIx64 " %-30s %8s %8s %u\n",
		      inet_v4_str(sa->sa_remote, a), ike_sa_state_name(sa->sa_state), spi_i, spi_r,
		      p, up, rk, sa->sa_n_child);
	if (!sc->detail)
		return;
	show_ids(sc, sa);
	strbuf_printf(sc->out,
		      "   %s, ports %u -> %u%s, %" PRIu64 " sent, %" PRIu64 " received, %" PRIu64
		      " retransmitted, %" PRIu64 " rekeys\n",
		      sa->sa_initiator ? "we initiated" : "it initiated", sa->sa_lport,
		      sa->sa_rport,
		      sa->sa_nat_local    ? ", NAT in front of us"
		      : sa->sa_nat_remote ? ", NAT in front of it"
					  : "",
		      sa->sa_tx, sa->sa_rx, sa->sa_retransmits, sa->sa_rekeys);
	for (unsigned i = 0; i < sa->sa_n_child; i++) {
		const struct ike_child *ch = &sa->sa_child[i];

		ike_prop_esp_name(&ch->ch_prop, p, sizeof(p));
		fmt_age(sc->now - ch->ch_created_ns, up, sizeof(up));
		strbuf_printf(sc->out, "   child ESP in 0x%08x out 0x%08x %s %s, up %s%s\n",
			      ch->ch_spi_in, ch->ch_spi_out, p,
			      ch->ch_tunnel ? "tunnel" : "transport", up,
			      ch->ch_rekeyed ? ", replaced" : "");
	}
}

void ike_keying_show_sa(struct ctl *ct, struct strbuf *out, bool detail)
{
	struct show_ctx sc = {.out = out, .now = clock_now(ct->ct_clock), .detail = detail};

	if (ct->ct_ike == NULL) {
		strbuf_printf(out, "no IKE: tunnel.esp.keying is not ike\n");
		return;
	}
	strbuf_printf(out, "%-15s %-11s %-33s %-30s %8s %8s %s\n", "Peer", "State", "SPIs (i/r)",
		      "Proposal", "Up", "Rekey in", "Children");
	ike_mgr_walk(ct->ct_ike->ik_mgr, show_one, &sc);
}

/* Cisco's session states: UP-ACTIVE (IKE SA and ESP), UP-IDLE (IKE SA,
 * no ESP yet or any more), DOWN-NEGOTIATING, DOWN (being deleted). */
static const char *session_state(const struct ike_sa *sa)
{
	switch (sa->sa_state) {
	case IKE_SA_ESTABLISHED:
		return sa->sa_n_child != 0 ? "UP-ACTIVE" : "UP-IDLE";
	case IKE_SA_DELETING:
	case IKE_SA_DEAD:
		return "DOWN";
	default:
		return "DOWN-NEGOTIATING";
	}
}

static void show_session_one(struct ike_sa *sa, void *arg)
{
	struct show_ctx *sc = arg;
	char l[INET_ADDRSTR], r[INET_ADDRSTR], up[16];
	unsigned live = 0;

	inet_v4_str(sa->sa_local, l);
	inet_v4_str(sa->sa_remote, r);
	fmt_age(sa->sa_established_ns ? sc->now - sa->sa_established_ns : 0, up, sizeof(up));
	for (unsigned i = 0; i < sa->sa_n_child; i++)
		live += sa->sa_child[i].ch_rekeyed ? 0 : 1;
	strbuf_printf(sc->out,
		      "Peer: %s port %u\n"
		      "  Session status: %s\n"
		      "  IKEv2 SA: local %s/%u remote %s/%u %s, up %s\n"
		      "  IPsec FLOW: permit 47 host %s host %s\n"
		      "        Active SAs: %u, children being replaced: %u\n\n",
		      r, sa->sa_rport, session_state(sa), l, sa->sa_lport, r, sa->sa_rport,
		      ike_sa_state_name(sa->sa_state), up, l, r, live * 2, sa->sa_n_child - live);
}

void ike_keying_metrics(struct ctl *ct, struct strbuf *out)
{
	const struct ike_keying *ik = ct->ct_ike;
	const struct ike_mgr_stats *st;
	char l[64];

	if (ik == NULL)
		return;
	st = &ik->ik_mgr->mg_stats;
	prom_family(out, "dmvpnd_ike_sas", "gauge", "IKE SAs now, by state");
	prom_u64(out, "dmvpnd_ike_sas", "state=\"established\"",
		 ik->ik_mgr->mg_n_sas - ik->ik_mgr->mg_n_half_open);
	prom_u64(out, "dmvpnd_ike_sas", "state=\"half-open\"", ik->ik_mgr->mg_n_half_open);
	prom_family(out, "dmvpnd_ike_sas_created_total", "counter", "IKE SAs begun");
	prom_u64(out, "dmvpnd_ike_sas_created_total", "", st->ms_created);
	prom_family(out, "dmvpnd_ike_sas_established_total", "counter", "IKE SAs established");
	prom_u64(out, "dmvpnd_ike_sas_established_total", "", st->ms_established);
	prom_family(out, "dmvpnd_ike_sas_ended_total", "counter", "IKE SAs ended, by reason");
	for (unsigned e = 0; e < IKE_ERR_COUNT; e++)
		if (st->ms_dead_by[e] != 0) {
			snprintf(l, sizeof(l), "reason=\"%s\"", ike_sa_error_name(e));
			prom_u64(out, "dmvpnd_ike_sas_ended_total", l, st->ms_dead_by[e]);
		}
	prom_family(out, "dmvpnd_ike_child_sas_installed_total", "counter",
		    "CHILD_SAs installed in the dataplane");
	prom_u64(out, "dmvpnd_ike_child_sas_installed_total", "", ik->ik_installed);
	prom_family(out, "dmvpnd_ike_drops_total", "counter",
		    "IKE messages dropped on receive, by reason");
	for (unsigned d = 0; d < IKE_MGR_DROP_COUNT; d++)
		if (st->ms_drop[d] != 0) {
			snprintf(l, sizeof(l), "reason=\"%s\"", ike_mgr_drop_name(d));
			prom_u64(out, "dmvpnd_ike_drops_total", l, st->ms_drop[d]);
		}
	for (unsigned d = 1; d < IKE_DECODE_COUNT; d++)
		if (st->ms_decode[d] != 0) {
			snprintf(l, sizeof(l), "reason=\"malformed: %s\"",
				 ike_decode_err_name(-(int)d));
			prom_u64(out, "dmvpnd_ike_drops_total", l, st->ms_decode[d]);
		}
}

void ike_keying_show_session(struct ctl *ct, struct strbuf *out)
{
	struct show_ctx sc = {.out = out, .now = clock_now(ct->ct_clock)};

	if (ct->ct_ike == NULL) {
		strbuf_printf(out, "no IKE: tunnel.esp.keying is not ike\n");
		return;
	}
	strbuf_printf(out, "Crypto session current status\n\nInterface: Tunnel0\n");
	ike_mgr_walk(ct->ct_ike->ik_mgr, show_session_one, &sc);
}

/* ---- clear ---- */

struct clear_ctx {
	uint32_t peer;
	unsigned n, cap;
	struct ike_sa **hit;
};

static void clear_visit(struct ike_sa *sa, void *arg)
{
	struct clear_ctx *cc = arg;

	if ((cc->peer == 0 || sa->sa_remote == cc->peer) && sa->sa_state != IKE_SA_DELETING &&
	    cc->n < cc->cap)
		cc->hit[cc->n++] = sa;
}

uint64_t ike_keying_peer_identity(struct ctl *ct, uint32_t nbma)
{
	const struct ike_keying *ik = ct->ct_ike;
	const struct ike_sa *sa;
	uint64_t h = 0xcbf29ce484222325ull;

	if (ik == NULL)
		return 0;
	sa = ike_mgr_find_peer(ik->ik_mgr, nbma);
	if (sa == NULL || sa->sa_state != IKE_SA_ESTABLISHED || sa->sa_peer_id.id_len == 0)
		return 0;
	h = (h ^ sa->sa_peer_id.id_type) * 0x100000001b3ull;
	for (unsigned i = 0; i < sa->sa_peer_id.id_len; i++)
		h = (h ^ sa->sa_peer_id.id_data[i]) * 0x100000001b3ull;
	return h != 0 ? h : 1;
}

unsigned ike_keying_clear(struct ctl *ct, uint32_t peer, const char *why, bool at_once)
{
	struct ike_keying *ik = ct->ct_ike;
	struct clear_ctx cc = {.peer = peer};
	char a[INET_ADDRSTR];

	if (ik == NULL || ik->ik_mgr->mg_n_sas == 0)
		return 0;
	/* Collected first, deleted after: deleting one may remove its
	 * children and start a new SA for a pair NHRP still uses, which
	 * must neither happen under the walk nor be cleared in turn. */
	cc.cap = ik->ik_mgr->mg_n_sas;
	cc.hit = calloc(cc.cap, sizeof(*cc.hit));
	if (cc.hit == NULL)
		return 0;
	ike_mgr_walk(ik->ik_mgr, clear_visit, &cc);
	for (unsigned i = 0; i < cc.n; i++) {
		if (!ik->ik_stopping)
			LOG_CTL(INFO, "ike: SA with %s cleared %s",
				inet_v4_str(cc.hit[i]->sa_remote, a), why);
		ike_sa_delete(cc.hit[i], IKE_ERR_LOCAL);
		if (at_once)
			ike_sa_kill(cc.hit[i], IKE_ERR_LOCAL);
	}
	free(cc.hit);
	/* Killed without its children's removal asking (it had none, or a
	 * half-open one): still needed, so a new one now. */
	if (at_once && peer != 0 && cc.n > 0 && esp_mgr_needed(ct, peer))
		ike_keying_want(ct, peer);
	return cc.n;
}

int ike_keying_reconfigure(struct ctl *ct, const struct cfg_esp *e, struct strbuf *msg)
{
	struct ike_keying *ik = ct->ct_ike;
	struct ike_policy pol;
	struct ike_conf conf;
	char err[256];
	int rc;

	if (ik == NULL)
		return 0;
	if (conf_make(e, &conf) != 0) {
		strbuf_printf(msg, "no IKE proposal this node can do");
		return -EINVAL;
	}
	rc = ike_policy_load(&pol, &e->ike, err, sizeof(err));
	if (rc != 0) {
		strbuf_printf(msg, "%s", err);
		return rc;
	}
	ike_policy_free(&ik->ik_policy);
	ik->ik_policy = pol;
	explicit_bzero(&pol, sizeof(pol));
	ik->ik_conf = conf;
	ik->ik_conf.ic_policy = &ik->ik_policy;
	ike_mgr_reconfigure(ik->ik_mgr, &ik->ik_conf);
	LOG_CTL(NOTICE, "ike: configuration changed: new exchanges use it, established SAs stay");
	return 0;
}

void ike_keying_log_level(struct ctl *ct)
{
	if (ct->ct_ike != NULL)
		ct->ct_ike->ik_log_level = rte_log_get_level(dmvpn_logtype_ike);
}

void ike_keying_debug(struct ctl *ct, bool on)
{
	struct ike_keying *ik = ct->ct_ike;

	if (ik == NULL)
		return;
	rte_log_set_level(dmvpn_logtype_ike, on ? RTE_LOG_DEBUG : (uint32_t)ik->ik_log_level);
	LOG_CTL(INFO, "ike: debug crypto ikev2 %s", on ? "on" : "off");
}

void ike_keying_stop(struct ctl *ct)
{
	struct ike_keying *ik = ct->ct_ike;
	unsigned n;

	if (ik == NULL)
		return;
	ik->ik_stopping = true;
	n = ike_keying_clear(ct, 0, "as the node stops", false);
	if (n != 0)
		LOG_CTL(INFO, "ike: stopping: told %u peers their IKE SAs are gone", n);
}

void ike_keying_show_stats(struct ctl *ct, struct strbuf *out)
{
	const struct ike_keying *ik = ct->ct_ike;
	const struct ike_mgr_stats *st;

	if (ik == NULL) {
		strbuf_printf(out, "no IKE: tunnel.esp.keying is not ike\n");
		return;
	}
	st = &ik->ik_mgr->mg_stats;
	strbuf_printf(out,
		      "IKE SAs: %u now (%u half-open); %" PRIu64 " made, %" PRIu64
		      " established, %" PRIu64 " ended; %" PRIu64 " crossed starts resolved\n",
		      ik->ik_mgr->mg_n_sas, ik->ik_mgr->mg_n_half_open, st->ms_created,
		      st->ms_established, st->ms_dead, st->ms_twins);
	strbuf_printf(out,
		      "CHILD_SAs installed %" PRIu64 ", refused by the dataplane %" PRIu64
		      "\nUDP payloads received %" PRIu64 "\n",
		      ik->ik_installed, ik->ik_install_failed, st->ms_rx);
	strbuf_printf(out, "Ended, by reason:\n");
	for (unsigned e = 0; e < IKE_ERR_COUNT; e++)
		if (st->ms_dead_by[e] != 0)
			strbuf_printf(out, "  %-30s %" PRIu64 "\n", ike_sa_error_name(e),
				      st->ms_dead_by[e]);
	strbuf_printf(out, "Dropped on receive:\n");
	for (unsigned d = 0; d < IKE_MGR_DROP_COUNT; d++)
		if (st->ms_drop[d] != 0)
			strbuf_printf(out, "  %-30s %" PRIu64 "\n", ike_mgr_drop_name(d),
				      st->ms_drop[d]);
	for (unsigned d = 1; d < IKE_DECODE_COUNT; d++)
		if (st->ms_decode[d] != 0)
			strbuf_printf(out, "  malformed: %-19s %" PRIu64 "\n",
				      ike_decode_err_name(-(int)d), st->ms_decode[d]);
}
