/* IPv4 text conversions, strict: config files and CLI input are untrusted. */
#include "inet.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int inet_v4_parse(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	int octets = 0;

	while (octets < 4) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s - '0');
			s++;
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -EINVAL;
		a = a << 8 | v;
		octets++;
		if (octets < 4) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
	}
	if (*s != '\0')
		return -EINVAL;
	*addr = a;
	return 0;
}

int inet_v4_prefix_parse(const char *s, uint32_t *addr, uint8_t *len)
{
	char tmp[INET_ADDRSTR];
	const char *slash = strchr(s, '/');
	size_t n;
	unsigned l = 0;
	const char *p;

	if (slash == NULL)
		return -EINVAL;
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_v4_parse(tmp, addr) != 0)
		return -EINVAL;
	p = slash + 1;
	if (*p == '\0' || strlen(p) > 2)
		return -EINVAL;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		l = l * 10 + (unsigned)(*p - '0');
	}
	if (l > 32)
		return -EINVAL;
	*len = (uint8_t)l;
	return 0;
}

const char *inet_v4_str(uint32_t addr, char buf[INET_ADDRSTR])
{
	snprintf(buf, INET_ADDRSTR, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}
