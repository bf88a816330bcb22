/* Routes written into the kernel's main table over rtnetlink: one message
 * a route, no acknowledgement asked; a failure comes back as an
 * NLMSG_ERROR, read and counted by kexport_poll. */
#include "kernel_export.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inet.h"
#include "log.h"
#include "rtnl_route.h"

#define KX_READS_PER_POLL 8

struct kexport {
	int kx_fd;
	uint32_t kx_ifindex;
	uint32_t kx_seq;
	uint64_t kx_log_ns;
	struct kexport_stats kx_st;
	uint8_t kx_buf[8192];
};

struct kexport *kexport_open(const char *ifname)
{
	struct sockaddr_nl local = {.nl_family = AF_NETLINK};
	struct kexport *kx = calloc(1, sizeof(*kx));
	int err;

	if (kx == NULL)
		return NULL;
	kx->kx_fd = -1;
	kx->kx_ifindex = if_nametoindex(ifname);
	if (kx->kx_ifindex == 0)
		goto fail;
	kx->kx_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (kx->kx_fd < 0 || bind(kx->kx_fd, (struct sockaddr *)&local, sizeof(local)) != 0)
		goto fail;
	LOG_CTL(INFO,
		"routes: registrations exported to the kernel's main table via %s "
		"(proto %u)",
		ifname, RTNL_PROTO_DMVPND);
	return kx;
fail:
	err = errno;
	kexport_close(kx);
	errno = err;
	return NULL;
}

void kexport_close(struct kexport *kx)
{
	if (kx == NULL)
		return;
	if (kx->kx_fd >= 0)
		close(kx->kx_fd);
	free(kx);
}

static void kexport_failed(struct kexport *kx, int err)
{
	kx->kx_st.kx_failed++;
	/* the first failure, then one in 1024: a full table must not flood */
	if ((kx->kx_st.kx_failed & 1023) == 1)
		LOG_CTL(WARNING,
			"routes: the kernel refused an exported route: %s (%" PRIu64
			" refusals so far)",
			strerror(err), kx->kx_st.kx_failed);
}

void kexport_route(struct kexport *kx, uint32_t prefix, uint8_t len, bool add)
{
	struct rtnl_route r = {
		.rr_del = !add,
		.rr_family = AF_INET,
		.rr_len = len,
		.rr_protocol = RTNL_PROTO_DMVPND,
		.rr_type = RTN_UNICAST,
		.rr_table = RT_TABLE_MAIN,
		.rr_dst = prefix,
		.rr_oif = kx != NULL ? kx->kx_ifindex : 0,
	};
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	uint8_t buf[128];
	size_t n;

	if (kx == NULL)
		return;
	n = rtnl_route_encode(buf, sizeof(buf), &r, ++kx->kx_seq);
	if (n == 0 || sendto(kx->kx_fd, buf, n, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		kexport_failed(kx, n == 0 ? EMSGSIZE : errno);
		return;
	}
	if (add)
		kx->kx_st.kx_added++;
	else
		kx->kx_st.kx_removed++;
}

unsigned kexport_poll(struct kexport *kx)
{
	unsigned taken = 0;

	if (kx == NULL)
		return 0;
	for (unsigned i = 0; i < KX_READS_PER_POLL; i++) {
		ssize_t n = recv(kx->kx_fd, kx->kx_buf, sizeof(kx->kx_buf), 0);
		size_t off = 0;

		if (n <= 0)
			break;
		for (;;) {
			struct rtnl_route r;
			int err = 0;
			enum rtnl_next what = rtnl_next(kx->kx_buf, (size_t)n, &off, &r, &err);

			if (what == RTNL_END)
				break;
			taken++;
			if (what == RTNL_ERROR && err != 0)
				kexport_failed(kx, -err);
		}
	}
	return taken;
}

void kexport_get_stats(const struct kexport *kx, struct kexport_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (kx != NULL)
		*st = kx->kx_st;
}
