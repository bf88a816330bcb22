/* An SA made from its parameters (esp_sa.h): checked, its fields and
 * limits set, its keys expanded by the crypto library (crypto_mb.c), and
 * wiped again when it goes. Runs on: the control thread. */
#include <errno.h>
#include <string.h>

#include "crypto_mb.h"
#include "esp_sa.h"

/* AES key bytes per algorithm; GCM's KEYMAT carries the salt after it. */
static const uint8_t esp_alg_key_len[ESP_ALG_COUNT] = {
	[ESP_ALG_AES_GCM_128] = 16,
	[ESP_ALG_AES_GCM_256] = 32,
	[ESP_ALG_AES_CBC_128_HMAC_SHA256] = 16,
	[ESP_ALG_AES_CBC_256_HMAC_SHA256] = 32,
};

static uint64_t esp_limit(uint64_t v)
{
	return v == 0 ? UINT64_MAX : v;
}

/* Tunnel mode: the header inside (RFC 4303 3.1.2) is [version 4, IHL 5,
 * TTL 64, protocol 47, tun_src -> tun_dst] plus what varies per packet
 * (TOS, total length, DF); the sum of its constant words is kept, as
 * gre_outer_tmpl_init does for the outer one. */
static void esp_sa_init_tunnel(struct esp_sa *sa, const struct esp_sa_params *p)
{
	sa->sa_next_header = p->tunnel ? ESP_NEXT_HEADER_IPV4 : ESP_NEXT_HEADER_GRE;
	if (!p->tunnel)
		return;
	sa->sa_flags |= ESP_SA_F_TUNNEL;
	sa->sa_tun_len = ESP_TUN_IPV4_LEN;
	sa->sa_tun_src = rte_cpu_to_be_32(p->tun_src);
	sa->sa_tun_dst = rte_cpu_to_be_32(p->tun_dst);
	sa->sa_tun_sum = ((uint32_t)RTE_IPV4_VHL_DEF << 8) + ((uint32_t)ESP_TUN_TTL << 8) +
			 ESP_NEXT_HEADER_GRE + (p->tun_src >> 16) + (p->tun_src & 0xffff) +
			 (p->tun_dst >> 16) + (p->tun_dst & 0xffff);
}

/* Everything but the keys: flags, sizes, limits, ports, mode. */
static void esp_sa_init_fields(struct esp_sa *sa, const struct esp_sa_params *p, bool gcm)
{
	sa->sa_spi = p->spi;
	sa->sa_alg = (uint8_t)p->alg;
	sa->sa_flags =
		(uint8_t)((p->esn ? ESP_SA_F_ESN : 0) | (p->natt ? ESP_SA_F_NATT : 0) |
			  (gcm ? ESP_SA_F_GCM : 0) | (p->dir == ESP_DIR_OUT ? ESP_SA_F_OUT : 0) |
			  (p->dir == ESP_DIR_IN && p->no_replay ? ESP_SA_F_NO_REPLAY : 0) |
			  (p->dir == ESP_DIR_OUT && p->one_sender ? ESP_SA_F_ONE_SENDER : 0));
	esp_sa_init_tunnel(sa, p);
	sa->sa_iv_len = gcm ? ESP_GCM_IV_LEN : ESP_CBC_IV_LEN;
	/* RFC 4303 2.4: the ciphertext ends on a 4-byte boundary, and on the
	 * cipher block for CBC (RFC 3602 2.4). */
	sa->sa_align = gcm ? 4 : CRYPTO_MB_BLOCK;
	RTE_BUILD_BUG_ON(!RTE_IS_POWER_OF_2(CRYPTO_MB_BLOCK)); /* esp_in.c masks by it */
	sa->sa_icv_len = ESP_ICV_LEN;
	sa->sa_natt_sport = rte_cpu_to_be_16(p->natt_sport ? p->natt_sport : ESP_NATT_PORT);
	sa->sa_natt_dport = rte_cpu_to_be_16(p->natt_dport ? p->natt_dport : ESP_NATT_PORT);
	/* RFC 4303 3.3.3: the counter never cycles. Without ESN the last
	 * number is 2^32 - 1. With ESN the end stops 2^32 short of 2^64 so the
	 * 64-bit counter, which keeps counting for refused packets, can never
	 * wrap into reuse. */
	sa->sa_seq_max = p->esn ? UINT64_MAX - UINT32_MAX : UINT32_MAX;
	sa->sa_soft_pkts = esp_limit(p->soft_packets);
	sa->sa_hard_pkts = esp_limit(p->hard_packets);
	sa->sa_soft_bytes = esp_limit(p->soft_bytes);
	sa->sa_hard_bytes = esp_limit(p->hard_bytes);
	sa->sa_seq = p->seq_base;
}

int esp_sa_init(struct esp_sa *sa, struct crypto_mb *cx, const struct esp_sa_params *p)
{
	unsigned klen;
	bool gcm;
	int rc;

	/* RFC 4303 2.1: SPIs 1..255 are reserved, 0 is never on the wire. */
	if ((unsigned)p->alg >= ESP_ALG_COUNT || p->spi < 256 ||
	    (p->dir != ESP_DIR_IN && p->dir != ESP_DIR_OUT))
		return -EINVAL;
	if ((p->soft_packets && p->hard_packets && p->soft_packets > p->hard_packets) ||
	    (p->soft_bytes && p->hard_bytes && p->soft_bytes > p->hard_bytes))
		return -EINVAL;
	if (p->tunnel && (p->tun_src == 0 || p->tun_dst == 0))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	gcm = p->alg == ESP_ALG_AES_GCM_128 || p->alg == ESP_ALG_AES_GCM_256;
	klen = esp_alg_key_len[p->alg];
	esp_sa_init_fields(sa, p, gcm);
	rc = p->dir == ESP_DIR_IN ? esp_replay_init(&sa->sa_replay, p->replay_window, p->seq_base)
				  : 0;
	if (rc == 0 && gcm) {
		memcpy(sa->sa_salt, p->keymat + klen, ESP_SALT_LEN);
		rc = crypto_mb_key_gcm(cx, &sa->sa_key, p->keymat, klen);
	} else if (rc == 0) {
		rc = crypto_mb_key_cbc_hmac(cx, &sa->sa_key, p->keymat, klen, p->auth_key,
					    ESP_AUTH_KEY_LEN);
	}
	if (rc != 0)
		esp_sa_fini(sa);
	return rc;
}

void esp_sa_fini(struct esp_sa *sa)
{
	crypto_mb_key_wipe(&sa->sa_key);
	explicit_bzero(sa->sa_salt, sizeof(sa->sa_salt));
}
