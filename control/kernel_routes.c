/* The kernel's main table, followed through rtnetlink: IPv4 unicast routes
 * out of the tunnel's kernel interface become tunnel routes in the FIB
 * (kernel_routes.h says which win). A dump at start, then every change as
 * the kernel announces it; a socket that overran is dumped again and
 * whatever the dump no longer holds is withdrawn. */
#include "kernel_routes.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_hash.h>
#include <rte_jhash.h>

#include "ctl.h"
#include "fib.h"
#include "hash_keys.h"
#include "inet.h"
#include "log.h"
#include "rtnl_route.h"

#define KR_RCVBUF (8u << 20) /* a flap storm of 10,000 updates fits */
#define KR_READS_PER_POLL 16 /* recv()s a poll makes at most */
#define KR_BUF 65536

struct kr_entry {
	uint32_t ke_prefix;
	uint8_t ke_len;
	uint8_t ke_proto;
	uint32_t ke_gw;
	uint32_t ke_metric;
	uint32_t ke_gen; /* the dump that last saw it */
};

struct kroutes {
	struct ctl *kr_ct;
	int kr_fd;
	uint32_t kr_ifindex;
	char kr_ifname[IF_NAMESIZE];
	struct rte_hash *kr_index; /* (prefix, len) -> struct kr_entry * */
	uint32_t kr_max;
	uint32_t kr_gen; /* the current dump's number */
	bool kr_dumping; /* a dump is under way */
	bool kr_resync;  /* the socket overran: dump again when it ends */
	uint32_t kr_seq;
	struct kroutes_stats kr_st;
	uint8_t kr_buf[KR_BUF];
};

static uint64_t kr_key(uint32_t prefix, uint8_t len)
{
	return (uint64_t)prefix << 8 | len;
}

static struct kr_entry *kr_find(const struct kroutes *kr, uint32_t prefix, uint8_t len)
{
	uint64_t key = kr_key(prefix, len);
	void *data;

	return rte_hash_lookup_data(kr->kr_index, &key, &data) >= 0 ? data : NULL;
}

static int kr_dump(struct kroutes *kr)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} req;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ++kr->kr_seq;
	req.r.rtm_family = AF_INET;
	if (sendto(kr->kr_fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	kr->kr_gen++;
	kr->kr_dumping = true;
	return 0;
}

/* Into the FIB unless a route of a stronger source holds the prefix. */
static void kr_install(struct kroutes *kr, const struct kr_entry *e)
{
	struct fib *f = &kr->kr_ct->ct_dp->dp_fib;
	const struct fib_route *rt = fib_route_find(f, e->ke_prefix, e->ke_len);
	struct fib_nh nh = {.nh_type = FIB_NH_TUNNEL, .nh_port = 0, .nh_gw = e->ke_gw};
	char p[INET_ADDRSTR];
	int rc;

	if (rt != NULL && rt->rt_source != FIB_SRC_KERNEL) {
		kr->kr_st.ks_shadowed++;
		return;
	}
	rc = fib_route_add(f, e->ke_prefix, e->ke_len, &nh, FIB_SRC_KERNEL);
	if (rc == 0) {
		kr->kr_st.ks_installed++;
		return;
	}
	kr->kr_st.ks_full += rc == -ENOSPC;
	LOG_CTL(WARNING, "route %s/%u from %s not installed: %s", inet_v4_str(e->ke_prefix, p),
		e->ke_len, rtnl_proto_name(e->ke_proto),
		rc == -ENOSPC ? "the routing table is full (limits.max-routes)" : strerror(-rc));
}

static void kr_remove(struct kroutes *kr, struct kr_entry *e)
{
	struct fib *f = &kr->kr_ct->ct_dp->dp_fib;
	const struct fib_route *rt = fib_route_find(f, e->ke_prefix, e->ke_len);
	uint64_t key = kr_key(e->ke_prefix, e->ke_len);

	if (rt != NULL && rt->rt_source == FIB_SRC_KERNEL)
		fib_route_del(f, e->ke_prefix, e->ke_len);
	rte_hash_del_key(kr->kr_index, &key);
	free(e);
	kr->kr_st.ks_learned--;
	kr->kr_st.ks_withdrawn++;
}

/* Whether the kernel's route is one the tunnel carries. */
static bool kr_wanted(const struct kroutes *kr, const struct rtnl_route *r)
{
	return r->rr_table == RT_TABLE_MAIN && r->rr_type == RTN_UNICAST &&
	       r->rr_oif == kr->kr_ifindex && r->rr_protocol != RTPROT_KERNEL &&
	       r->rr_protocol != RTNL_PROTO_DMVPND;
}

static void kr_apply(struct kroutes *kr, const struct rtnl_route *r)
{
	struct kr_entry *e;
	uint64_t key;

	if (r->rr_family != AF_INET)
		return;
	kr->kr_st.ks_updates++;
	e = kr_find(kr, r->rr_dst, r->rr_len);
	if (!kr_wanted(kr, r)) {
		/* A route we hold, replaced by one elsewhere (same metric): gone
		 * from the tunnel. Anything else is not ours. */
		if (e != NULL && r->rr_table == RT_TABLE_MAIN && r->rr_metric == e->ke_metric)
			kr_remove(kr, e);
		else
			kr->kr_st.ks_ignored++;
		return;
	}
	if (r->rr_del) {
		if (e != NULL && r->rr_metric == e->ke_metric)
			kr_remove(kr, e);
		return;
	}
	if (e != NULL) {
		/* The kernel may hold several metrics of a prefix; the best is
		 * the one it uses. */
		if (r->rr_metric > e->ke_metric) {
			e->ke_gen = kr->kr_gen;
			return;
		}
		e->ke_gw = r->rr_gw;
		e->ke_proto = r->rr_protocol;
		e->ke_metric = r->rr_metric;
		e->ke_gen = kr->kr_gen;
		kr_install(kr, e);
		return;
	}
	if (kr->kr_st.ks_learned >= kr->kr_max) {
		kr->kr_st.ks_full++;
		return;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return;
	*e = (struct kr_entry){.ke_prefix = r->rr_dst,
			       .ke_len = r->rr_len,
			       .ke_proto = r->rr_protocol,
			       .ke_gw = r->rr_gw,
			       .ke_metric = r->rr_metric,
			       .ke_gen = kr->kr_gen};
	key = kr_key(e->ke_prefix, e->ke_len);
	if (rte_hash_add_key_data(kr->kr_index, &key, e) < 0) {
		free(e);
		kr->kr_st.ks_full++;
		return;
	}
	kr->kr_st.ks_learned++;
	kr_install(kr, e);
}

/* A dump ended: what it did not list is gone. */
static void kr_dump_done(struct kroutes *kr)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	struct kr_entry **gone = calloc(kr->kr_st.ks_learned + 1u, sizeof(*gone));
	uint32_t n = 0;

	kr->kr_dumping = false;
	/* Collected first: the table is not changed under its iterator. */
	while (gone != NULL && rte_hash_iterate(kr->kr_index, &key, &data, &iter) >= 0)
		if (((struct kr_entry *)data)->ke_gen != kr->kr_gen && n < kr->kr_st.ks_learned)
			gone[n++] = data;
	for (uint32_t i = 0; i < n; i++)
		kr_remove(kr, gone[i]);
	free(gone);
	if (kr->kr_resync) {
		kr->kr_resync = false;
		kr->kr_st.ks_resyncs++;
		if (kr_dump(kr) != 0)
			kr->kr_resync = true;
	}
}

static void kr_parse(struct kroutes *kr, size_t len)
{
	struct rtnl_route r;
	size_t off = 0;
	int err = 0;

	for (;;) {
		switch (rtnl_next(kr->kr_buf, len, &off, &r, &err)) {
		case RTNL_END:
			return;
		case RTNL_ROUTE:
			kr_apply(kr, &r);
			break;
		case RTNL_DONE:
			kr_dump_done(kr);
			break;
		case RTNL_ERROR:
			if (err != 0) {
				LOG_CTL(WARNING, "routes: the kernel refused a dump: %s",
					strerror(-err));
				kr->kr_dumping = false;
			}
			break;
		case RTNL_BAD:
			kr->kr_st.ks_bad++;
			break;
		case RTNL_OTHER:
			break;
		}
	}
}

unsigned kroutes_poll(struct kroutes *kr)
{
	unsigned n = 0;

	if (kr == NULL)
		return 0;
	for (unsigned i = 0; i < KR_READS_PER_POLL; i++) {
		ssize_t len = recv(kr->kr_fd, kr->kr_buf, sizeof(kr->kr_buf), MSG_DONTWAIT);

		if (len < 0 && errno == ENOBUFS) {
			/* Announcements were lost: only a dump says what holds. */
			LOG_CTL(WARNING, "routes: rtnetlink overran; reading the table again");
			if (kr->kr_dumping || kr_dump(kr) != 0)
				kr->kr_resync = true;
			continue;
		}
		if (len <= 0)
			break;
		kr_parse(kr, (size_t)len);
		n++;
	}
	if (kr->kr_resync && !kr->kr_dumping) {
		kr->kr_resync = false;
		kr->kr_st.ks_resyncs++;
		if (kr_dump(kr) != 0)
			kr->kr_resync = true;
	}
	return n;
}

void kroutes_restore(struct kroutes *kr, uint32_t prefix, uint8_t len)
{
	struct kr_entry *e;

	if (kr == NULL)
		return;
	e = kr_find(kr, prefix, len);
	if (e != NULL && fib_route_find(&kr->kr_ct->ct_dp->dp_fib, prefix, len) == NULL)
		kr_install(kr, e);
}

char kroutes_code(const struct kroutes *kr, uint32_t prefix, uint8_t len)
{
	const struct kr_entry *e = kr != NULL ? kr_find(kr, prefix, len) : NULL;

	switch (e != NULL ? e->ke_proto : 0) {
	case RTPROT_BGP:
		return 'B';
	case RTPROT_OSPF:
		return 'O';
	case RTPROT_RIP:
		return 'R';
	case RTPROT_EIGRP:
		return 'E';
	case RTPROT_ISIS:
		return 'I';
	default:
		return 'K';
	}
}

int kroutes_describe(const struct kroutes *kr, uint32_t prefix, uint8_t len, const char **proto,
		     uint32_t *metric)
{
	const struct kr_entry *e = kr != NULL ? kr_find(kr, prefix, len) : NULL;

	if (e == NULL)
		return -ENOENT;
	*proto = rtnl_proto_name(e->ke_proto);
	*metric = e->ke_metric;
	return 0;
}

void kroutes_get_stats(const struct kroutes *kr, struct kroutes_stats *st)
{
	if (kr == NULL)
		memset(st, 0, sizeof(*st));
	else
		*st = kr->kr_st;
}

const char *kroutes_ifname(const struct kroutes *kr)
{
	return kr != NULL ? kr->kr_ifname : "";
}

struct kroutes *kroutes_open(struct ctl *ct, const char *ifname, uint32_t max_routes)
{
	struct rte_hash_parameters hp = {
		.name = "kroutes",
		.entries = max_routes < 64 ? 64 : max_routes,
		.key_len = sizeof(uint64_t),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};
	struct sockaddr_nl local = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV4_ROUTE};
	int rcvbuf = KR_RCVBUF, err;
	struct kroutes *kr = calloc(1, sizeof(*kr));

	if (kr == NULL)
		return NULL;
	kr->kr_ct = ct;
	kr->kr_fd = -1;
	kr->kr_max = max_routes;
	snprintf(kr->kr_ifname, sizeof(kr->kr_ifname), "%s", ifname);
	kr->kr_ifindex = if_nametoindex(ifname);
	if (kr->kr_ifindex == 0)
		goto fail;
	kr->kr_index = rte_hash_create(&hp);
	if (kr->kr_index == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	rte_hash_set_cmp_func(kr->kr_index, hash_cmp_u64);
	kr->kr_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (kr->kr_fd < 0)
		goto fail;
	/* Past rmem_max as root; a smaller buffer only means resyncs. */
	if (setsockopt(kr->kr_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
		(void)setsockopt(kr->kr_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(kr->kr_fd, (struct sockaddr *)&local, sizeof(local)) != 0 || kr_dump(kr) != 0)
		goto fail;
	LOG_CTL(INFO, "routes: following the kernel's main table via %s (ifindex %u)", ifname,
		kr->kr_ifindex);
	return kr;
fail:
	err = errno;
	kroutes_close(kr);
	errno = err;
	return NULL;
}

void kroutes_close(struct kroutes *kr)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	if (kr == NULL)
		return;
	if (kr->kr_index != NULL) {
		while (rte_hash_iterate(kr->kr_index, &key, &data, &iter) >= 0)
			free(data);
		rte_hash_free(kr->kr_index);
	}
	if (kr->kr_fd >= 0)
		close(kr->kr_fd);
	free(kr);
}
