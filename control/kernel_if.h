/* The tunnel's TAP towards the kernel: the Linux side of it. */
#ifndef DMVPND_KERNEL_IF_H
#define DMVPND_KERNEL_IF_H

#include "cfg.h"
#include "dp.h"

/* Runs on: control thread, at start. Gives the kernel interface the
 * tunnel's address and MTU, NOARP, no IPv6, up; reads its MAC into
 * pt->pt_peer_mac. 0 or -errno (logged). */
int kernel_if_setup(struct dp_port *pt, const struct cfg_tunnel *t);

#endif
