/* IPv4 text conversions shared by config, CLI and logs (host byte order). */
#ifndef DMVPND_INET_H
#define DMVPND_INET_H

#include <stdint.h>

#define INET_ADDRSTR 16

/* Strict dotted quad: four decimal octets, no leading '+', nothing after. */
int inet_v4_parse(const char *s, uint32_t *addr);
/* "a.b.c.d/len", len 0..32. */
int inet_v4_prefix_parse(const char *s, uint32_t *addr, uint8_t *len);
const char *inet_v4_str(uint32_t addr, char buf[INET_ADDRSTR]);
static inline uint32_t inet_v4_mask(uint8_t len)
{
	return len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
}

#endif
