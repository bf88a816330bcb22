/* Where SA keys come from until IKE-lite: static SAs from the config, or a
 * lab group key from which every ordered pair of nodes derives an SPI and
 * KEYMAT. NOT FOR PRODUCTION: anyone with the group key (any node) can
 * derive every pair's keys. */
#ifndef DMVPND_ESP_KEYS_H
#define DMVPND_ESP_KEYS_H

#include <stdint.h>

#include "cfg.h"
#include "esp_sa.h"

/* The parameters of the SA carrying src -> dst (NBMA addresses), inbound
 * when dst is us, outbound when src is us. 0, or -ENOENT when static keying
 * lists no SA for the peer. */
int esp_keys_params(const struct cfg_esp *e, uint32_t self, uint32_t peer, enum esp_dir dir,
		    struct esp_sa_params *out);

/* The parameters of an SA IKE-lite negotiated: the config's replay window
 * and lifetimes, the negotiated algorithm and ESN, the SPI and KEYMAT as
 * RFC 7296 2.17 delivers it. */
void esp_keys_params_ike(const struct cfg_esp *e, enum esp_dir dir, enum cfg_esp_alg alg, bool esn,
			 uint32_t spi, const uint8_t *keymat, struct esp_sa_params *out);

#endif
