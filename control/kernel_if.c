/* The kernel side of the tunnel's TAP: routing daemons and the kernel's own
 * tools see the tunnel as this interface. Configured once with ioctl()s. */
#include "kernel_if.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inet.h"
#include "log.h"

static int kif_ioctl(int fd, unsigned long req, struct ifreq *ifr, const char *what)
{
	if (ioctl(fd, req, ifr) == 0)
		return 0;
	LOG_MAIN(ERR, "kernel interface %s: %s: %s", ifr->ifr_name, what, strerror(errno));
	return -errno;
}

static void kif_set_addr(struct ifreq *ifr, uint32_t addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr->ifr_addr;

	memset(&ifr->ifr_addr, 0, sizeof(ifr->ifr_addr));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
}

/* Routing protocols here are IPv4; the kernel's IPv6 chatter (RS, MLD)
 * would only be dropped by the workers. Best effort. */
static void kif_no_ipv6(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1)
		LOG_MAIN(DEBUG, "kernel interface %s: IPv6 stays on", name);
	close(fd);
}

int kernel_if_setup(struct dp_port *pt, const struct cfg_tunnel *t)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	int rc;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* The config allows at most IFNAMSIZ - 1 characters. */
	memcpy(ifr.ifr_name, t->kernel_if, strnlen(t->kernel_if, IFNAMSIZ - 1));
	kif_no_ipv6(t->kernel_if);
	kif_set_addr(&ifr, t->address.addr);
	rc = kif_ioctl(fd, SIOCSIFADDR, &ifr, "set address");
	kif_set_addr(&ifr, inet_v4_mask(t->address.len));
	rc = rc ? rc : kif_ioctl(fd, SIOCSIFNETMASK, &ifr, "set netmask");
	ifr.ifr_mtu = t->mtu;
	rc = rc ? rc : kif_ioctl(fd, SIOCSIFMTU, &ifr, "set MTU");
	rc = rc ? rc : kif_ioctl(fd, SIOCGIFFLAGS, &ifr, "get flags");
	ifr.ifr_flags |= IFF_UP | IFF_NOARP;
	rc = rc ? rc : kif_ioctl(fd, SIOCSIFFLAGS, &ifr, "set flags");
	rc = rc ? rc : kif_ioctl(fd, SIOCGIFHWADDR, &ifr, "get MAC");
	if (rc == 0) {
		memcpy(pt->pt_peer_mac.addr_bytes, ifr.ifr_hwaddr.sa_data, RTE_ETHER_ADDR_LEN);
		LOG_MAIN(INFO, "kernel interface %s: %u.%u.%u.%u/%u, mtu %u, NOARP", t->kernel_if,
			 t->address.addr >> 24, (t->address.addr >> 16) & 0xff,
			 (t->address.addr >> 8) & 0xff, t->address.addr & 0xff, t->address.len,
			 t->mtu);
	}
	close(fd);
	return rc;
}
