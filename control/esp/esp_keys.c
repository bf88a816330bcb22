/* SA parameters from the config: static per-peer SAs, or the lab group key.
 *
 * Group-key derivation, for the SA carrying src -> dst (NBMA addresses):
 *   T(i) = HMAC-SHA-256(group-key, "dmvpnd esp group v1" | alg | src | dst | i)
 *   T(1..3) concatenated: SPI (4 bytes, mapped into 0x1000..0xffffffff),
 *   then KEYMAT (key | salt for GCM, key for CBC), then the HMAC key (CBC).
 * Both ends compute the same SA, so spoke-to-spoke tunnels need no IKE. */
#include "esp_keys.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char esp_group_label[] = "dmvpnd esp group v1";

static void esp_group_derive(const uint8_t key[CFG_GROUP_KEY_LEN], uint8_t alg, uint32_t src,
			     uint32_t dst, uint8_t out[96])
{
	uint8_t msg[sizeof(esp_group_label) + 1 + 4 + 4 + 1];
	unsigned int len = 32;
	size_t o = 0;

	memcpy(msg, esp_group_label, sizeof(esp_group_label));
	o = sizeof(esp_group_label);
	msg[o++] = alg;
	for (int b = 3; b >= 0; b--)
		msg[o++] = (uint8_t)(src >> (8 * b));
	for (int b = 3; b >= 0; b--)
		msg[o++] = (uint8_t)(dst >> (8 * b));
	for (uint8_t i = 1; i <= 3; i++) {
		msg[o] = i;
		HMAC(EVP_sha256(), key, CFG_GROUP_KEY_LEN, msg, o + 1, out + 32 * (i - 1), &len);
	}
	OPENSSL_cleanse(msg, sizeof(msg));
}

static void esp_params_common(const struct cfg_esp *e, enum esp_dir dir, struct esp_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->alg = (enum esp_alg)e->alg; /* same order, asserted below */
	p->esn = e->esn;
	/* replay-window 0: inbound SAs skip the anti-replay check; 0 also
	 * gives their window the default size, which ESN inference still uses. */
	p->replay_window = (uint16_t)e->replay_window;
	p->no_replay = dir == ESP_DIR_IN && e->replay_window == 0;
	p->hard_packets = e->life_packets;
	p->hard_bytes = (uint64_t)e->life_kbytes * 1024;
	p->soft_packets = p->hard_packets / 100 * e->soft_percent;
	p->soft_bytes = p->hard_bytes / 100 * e->soft_percent;
	p->natt = e->natt == CFG_NATT_FORCE;
}

/* Split KEYMAT as the config and IKEv2 deliver it into the SA's fields. */
static void esp_params_keys(struct esp_sa_params *p, const uint8_t *keymat)
{
	if (p->alg == ESP_ALG_AES_GCM_128 || p->alg == ESP_ALG_AES_GCM_256) {
		memcpy(p->keymat, keymat, p->alg == ESP_ALG_AES_GCM_128 ? 20 : 36);
		return;
	}
	unsigned klen = p->alg == ESP_ALG_AES_CBC_128_HMAC_SHA256 ? 16 : 32;

	memcpy(p->keymat, keymat, klen);
	memcpy(p->auth_key, keymat + klen, ESP_AUTH_KEY_LEN);
}

void esp_keys_params_ike(const struct cfg_esp *e, enum esp_dir dir, enum cfg_esp_alg alg, bool esn,
			 uint32_t spi, const uint8_t *keymat, struct esp_sa_params *out)
{
	esp_params_common(e, dir, out);
	out->alg = (enum esp_alg)alg;
	out->esn = esn;
	out->natt = false; /* IKE's NAT detection decides, per SA */
	out->spi = spi;
	esp_params_keys(out, keymat);
}

int esp_keys_params(const struct cfg_esp *e, uint32_t self, uint32_t peer, enum esp_dir dir,
		    struct esp_sa_params *out)
{
	_Static_assert((int)CFG_ESP_AES_CBC_256_SHA256 == (int)ESP_ALG_AES_CBC_256_HMAC_SHA256,
		       "cfg and esp algorithm enums agree");
	uint32_t src = dir == ESP_DIR_OUT ? self : peer, dst = dir == ESP_DIR_OUT ? peer : self;
	uint8_t t[96];

	esp_params_common(e, dir, out);
	if (e->keying == CFG_KEYING_STATIC) {
		for (unsigned i = 0; i < e->n_sas; i++) {
			const struct cfg_esp_sa *sa = &e->sas[i];

			if (sa->peer != peer)
				continue;
			out->spi = dir == ESP_DIR_OUT ? sa->spi_out : sa->spi_in;
			esp_params_keys(out, dir == ESP_DIR_OUT ? sa->key_out : sa->key_in);
			return 0;
		}
		return -ENOENT;
	}
	esp_group_derive(e->group_key, (uint8_t)e->alg, src, dst, t);
	out->spi = 0x1000 + ((uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 |
			     t[3]) % (UINT32_MAX - 0x1000u);
	esp_params_keys(out, t + 4);
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}
