/* Routes a routing daemon learns over the tunnel, brought into the FIB.
 *
 * FRR (or bird, or an operator's `ip route`) runs beside dmvpnd in its
 * network namespace and installs what it learns into the kernel's main
 * table via the tunnel's kernel interface (tunnel.kernel-interface). This
 * module follows that table through rtnetlink, as VPP's linux-cp does, and
 * mirrors every IPv4 unicast route out of that interface into the FIB as a
 * tunnel route (its gateway resolved through NHRP like a static tunnel
 * route's). Routes the kernel makes itself (proto kernel: the interface's
 * own subnet) and the ones dmvpnd writes there (kernel_export.h) are left
 * out.
 *
 * Precedence, as a router's administrative distances: connected and local,
 * then the config's static routes, then NHRP shortcuts, then these. A
 * learned route that loses to another source is kept here and comes back
 * when that route goes (kernel_routes_restore).
 *
 * Runs on: the control thread. */
#ifndef DMVPND_KERNEL_ROUTES_H
#define DMVPND_KERNEL_ROUTES_H

#include <stdint.h>

#include "strbuf.h"

struct ctl;
struct kroutes;

struct kroutes_stats {
	uint64_t ks_updates;   /* route messages taken (adds and withdrawals) */
	uint64_t ks_ignored;   /* IPv4 routes not via the tunnel interface, or not unicast */
	uint64_t ks_installed; /* times a learned route went into the FIB */
	uint64_t ks_withdrawn; /* learned routes the kernel removed */
	uint64_t ks_shadowed;  /* times one lost to a static, connected or NHRP route */
	uint64_t ks_full;      /* refused: limits.max-routes reached */
	uint64_t ks_bad;       /* malformed netlink messages */
	uint64_t ks_resyncs;   /* full dumps after the socket overran (ENOBUFS) */
	uint32_t ks_learned;   /* routes held now */
};

/* Opens the rtnetlink socket, then dumps the main table. NULL with errno
 * set when the interface does not exist or the socket cannot be made. */
struct kroutes *kroutes_open(struct ctl *ct, const char *ifname, uint32_t max_routes);
void kroutes_close(struct kroutes *kr);
/* What the kernel said since the last call, a bounded amount a call;
 * returns how many messages were taken (0 = idle). */
unsigned kroutes_poll(struct kroutes *kr);
/* The FIB's route for prefix/len went (an NHRP shortcut expired, a static
 * route was removed): the learned one for it, if any, goes back in. */
void kroutes_restore(struct kroutes *kr, uint32_t prefix, uint8_t len);
/* The show ip route code of a learned route: B(GP), O(SPF), R(IP), E(IGRP),
 * I(S-IS), K (anything else: static in FRR, ip route). */
char kroutes_code(const struct kroutes *kr, uint32_t prefix, uint8_t len);
/* Its protocol's name and metric, for show dmvpn path. -ENOENT if none. */
int kroutes_describe(const struct kroutes *kr, uint32_t prefix, uint8_t len, const char **proto,
		     uint32_t *metric);
void kroutes_get_stats(const struct kroutes *kr, struct kroutes_stats *st);
/* The interface's name and index. */
const char *kroutes_ifname(const struct kroutes *kr);

#endif
