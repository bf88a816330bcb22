/* The routes a node starts with: connected and local ones for each port,
 * then the config's static routes (via a port's subnet or the tunnel),
 * each prefix's best usable one, kept so as NHSes go down and come back. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "inet.h"
#include "kernel_routes.h"
#include "log.h"
#include "nhrp.h"
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
		rc = node_route_static_sync(nd, cfg, cfg->routes[r].prefix.addr,
					    cfg->routes[r].prefix.len);
	return rc;
}

/* Whether a static route's next hop can carry traffic now: one on a port's
 * subnet always; an NHS's tunnel address while that NHS is not down; any
 * other overlay address always (NHRP finds it). */
static bool static_usable(const struct node *nd, const struct cfg_route *cr)
{
	const struct nhrp *nh = nd->nd_ctl.ct_nhrp;

	if (nh == NULL || port_for(&nd->nd_dp, cr->via) >= 0)
		return true;
	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		if (nh->nh_nhs[i].ns_overlay == cr->via)
			return nh->nh_nhs[i].ns_state != NHRP_NHS_DOWN;
	return true;
}

int node_route_static_sync(struct node *nd, const struct cfg *c, uint32_t prefix, uint8_t len)
{
	const struct cfg_route *best = NULL;
	const struct fib_route *rt;
	int port;

	for (unsigned i = 0; i < c->n_routes; i++) {
		const struct cfg_route *cr = &c->routes[i];

		if (cr->prefix.addr == prefix && cr->prefix.len == len && static_usable(nd, cr) &&
		    (best == NULL || cr->distance < best->distance))
			best = cr;
	}
	if (best != NULL) {
		port = port_for(&nd->nd_dp, best->via);
		if (port >= 0)
			return route_add(nd, prefix, len, FIB_NH_GATEWAY, (uint16_t)port, best->via,
					 FIB_SRC_STATIC);
		return route_add(nd, prefix, len, FIB_NH_TUNNEL, 0, best->via, FIB_SRC_STATIC);
	}
	/* Only while the route is still a static one: an NHRP route that took
	 * the prefix stays. */
	rt = fib_route_find(&nd->nd_dp.dp_fib, prefix, len);
	if (rt != NULL && rt->rt_source == FIB_SRC_STATIC) {
		fib_route_del(&nd->nd_dp.dp_fib, prefix, len);
		kroutes_restore(nd->nd_ctl.ct_kroutes, prefix, len);
	}
	return 0;
}

void node_routes_nhs_changed(struct ctl *ct, uint32_t overlay, bool down)
{
	struct node *nd = (struct node *)((char *)ct - offsetof(struct node, nd_ctl));
	const struct cfg *c = nd->nd_cfg;
	char a[INET_ADDRSTR], b[INET_ADDRSTR];

	for (unsigned i = 0; i < c->n_routes; i++) {
		const struct cfg_route *cr = &c->routes[i];

		if (cr->via != overlay)
			continue;
		LOG_CTL(NOTICE, "route %s/%u via %s: NHS %s, %s", inet_v4_str(cr->prefix.addr, a),
			cr->prefix.len, inet_v4_str(cr->via, b), down ? "down" : "back",
			down ? "a backup takes over if there is one" : "in use again if best");
		node_route_static_sync(nd, c, cr->prefix.addr, cr->prefix.len);
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
