/* Internal to the config loader: the tunnel's ESP section (cfg_esp.c). */
#ifndef DMVPND_CFG_ESP_H
#define DMVPND_CFG_ESP_H

#include "cfg_yaml.h"

void cfg_esp_defaults(struct cfg_esp *e);
int cfg_esp_load(const struct ld *ld, const yaml_node_t *val, struct cfg_esp *e);
/* cfg_ike.c: the esp.ike section */
void cfg_ike_defaults(struct cfg_ike *k);
int cfg_ike_load(const struct ld *ld, const yaml_node_t *val, struct cfg_ike *k);

#endif
