/* NHRP into routing: a hub's registrations written into the kernel's main
 * table, for the routing daemon beside it to redistribute.
 *
 * With tunnel.export-registrations, every spoke registered with this hub
 * becomes a /32 route out of the tunnel's kernel interface, protocol
 * dmvpnd (RTNL_PROTO_DMVPND); it goes when the registration does. zebra
 * sees these as kernel routes, so BGP's `redistribute kernel` tells the
 * other hubs where each spoke is registered, which is what they need to
 * forward a Resolution Request for it here (Cisco's `redistribute nhrp`,
 * FRR nhrpd's NHRP routes). The kernel removes them with the interface
 * when the node stops.
 *
 * Runs on: the control thread. */
#ifndef DMVPND_KERNEL_EXPORT_H
#define DMVPND_KERNEL_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

struct kexport;

struct kexport_stats {
	uint64_t kx_added;   /* routes written */
	uint64_t kx_removed; /* routes taken back */
	uint64_t kx_failed;  /* the kernel refused one, or it could not be sent */
};

/* A netlink socket for writing routes out of ifname. NULL with errno set
 * when the interface does not exist or the socket cannot be made. */
struct kexport *kexport_open(const char *ifname);
void kexport_close(struct kexport *kx);
/* Add (or replace) or remove prefix/len out of the interface (on-link). */
void kexport_route(struct kexport *kx, uint32_t prefix, uint8_t len, bool add);
/* The kernel's answers to failed requests, counted; how many were read. */
unsigned kexport_poll(struct kexport *kx);
void kexport_get_stats(const struct kexport *kx, struct kexport_stats *st);

#endif
