/* The routes a node starts with: connected and local ones for each port,
 * then the config's static routes (via a port's subnet or the tunnel). */
#include <errno.h>
#include <string.h>

#include "inet.h"
#include "kernel_routes.h"
#include "log.h"
#include "node.h"

static int route_add(struct node *nd, uint32_t prefix, uint8_t len, uint8_t type, uint16_t port,
		     uint32_t gw, enum fib_source src)
{
	struct fib_nh nh = {.nh_type = type, .nh_port = port, .nh_gw = gw};
	char ip[INET_ADDRSTR];
	int rc = fib_route_add(&nd->nd_dp.dp_fib, prefix, len, &nh, src);

	if (rc == -ENOSPC)
		LOG_CTL(ERR, "route %s/%u: the routing table is full (limits.max-routes %u)",
			inet_v4_str(prefix, ip), len, nd->nd_dp.dp_fib.fb_max_routes);
	else if (rc != 0)
		LOG_CTL(ERR, "route %s/%u: %s", inet_v4_str(prefix, ip), len, strerror(-rc));
	return rc;
}

static int port_routes(struct node *nd, uint16_t idx)
{
	const struct dp_port *pt = &nd->nd_dp.dp_ports[idx];
	uint32_t mask = inet_v4_mask(pt->pt_plen);
	int rc;

	rc = route_add(nd, pt->pt_addr & mask, pt->pt_plen, FIB_NH_CONNECTED, idx, 0,
		       FIB_SRC_CONNECTED);
	rc = rc ? rc : route_add(nd, pt->pt_addr, 32, FIB_NH_LOCAL, idx, 0, FIB_SRC_LOCAL);
	/* The subnet's broadcast address is never forwarded (RFC 2644). */
	if (rc == 0 && pt->pt_plen <= 30)
		rc = route_add(nd, pt->pt_addr | ~mask, 32, FIB_NH_DROP, idx, 0, FIB_SRC_LOCAL);
	return rc;
}

/* Which port's subnet holds `ip`; -1 if none. */
static int port_for(const struct dp *dp, uint32_t ip)
{
	for (unsigned i = 0; i < dp->dp_nports; i++) {
		uint32_t mask = inet_v4_mask(dp->dp_ports[i].pt_plen);

		if (dp->dp_ports[i].pt_role == DP_PORT_KERNEL)
			continue;
		if ((ip & mask) == (dp->dp_ports[i].pt_addr & mask))
			return (int)i;
	}
	return -1;
}

int node_routes_install(struct node *nd)
{
	const struct cfg *cfg = nd->nd_cfg;
	const struct cfg_tunnel *tn = &cfg->tunnel;
	int rc = 0;

	/* The kernel TAP shares the tunnel's prefix; the tunnel routes it. */
	for (uint16_t i = 0; i < nd->nd_dp.dp_nports && rc == 0; i++)
		if (nd->nd_dp.dp_ports[i].pt_role != DP_PORT_KERNEL)
			rc = port_routes(nd, i);
	if (rc == 0 && tn->present) {
		/* The overlay: carried by the tunnel dataplane (mGRE + NHRP). */
		rc = route_add(nd, tn->address.addr & inet_v4_mask(tn->address.len),
			       tn->address.len, FIB_NH_TUNNEL, 0, 0, FIB_SRC_CONNECTED);
		rc = rc ? rc
			: route_add(nd, tn->address.addr, 32, FIB_NH_LOCAL, 0, 0, FIB_SRC_LOCAL);
	}
	for (unsigned r = 0; r < cfg->n_routes && rc == 0; r++)
		rc = node_route_static_add(nd, &cfg->routes[r]);
	return rc;
}

/* Via a port's subnet: a gateway there; else an overlay next hop. */
int node_route_static_add(struct node *nd, const struct cfg_route *cr)
{
	int port = port_for(&nd->nd_dp, cr->via);

	if (port >= 0)
		return route_add(nd, cr->prefix.addr, cr->prefix.len, FIB_NH_GATEWAY,
				 (uint16_t)port, cr->via, FIB_SRC_STATIC);
	return route_add(nd, cr->prefix.addr, cr->prefix.len, FIB_NH_TUNNEL, 0, cr->via,
			 FIB_SRC_STATIC);
}

/* Only while the route is still the config's: an NHRP route that took the
 * prefix stays. */
void node_route_static_del(struct node *nd, const struct cfg_route *cr)
{
	const struct fib_route *rt =
		fib_route_find(&nd->nd_dp.dp_fib, cr->prefix.addr, cr->prefix.len);

	if (rt != NULL && rt->rt_source == FIB_SRC_STATIC) {
		fib_route_del(&nd->nd_dp.dp_fib, cr->prefix.addr, cr->prefix.len);
		kroutes_restore(nd->nd_ctl.ct_kroutes, cr->prefix.addr, cr->prefix.len);
	}
}

const struct fib_route *node_route_to(const struct node *nd, uint32_t dst)
{
	const struct fib *f = &nd->nd_dp.dp_fib;
	const struct fib_route *best = NULL;

	for (uint32_t i = 0; i < f->fb_nroutes; i++) {
		const struct fib_route *rt = &f->fb_routes[i];

		if ((dst & inet_v4_mask(rt->rt_len)) == rt->rt_prefix &&
		    (best == NULL || rt->rt_len > best->rt_len))
			best = rt;
	}
	return best;
}
