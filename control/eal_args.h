/* The EAL command line, derived from the startup config: nobody writes EAL
 * arguments by hand, in scripts or elsewhere. */
#ifndef DMVPND_EAL_ARGS_H
#define DMVPND_EAL_ARGS_H

#include "cfg.h"

#define EAL_ARGS_MAX 64
#define EAL_KERNEL_PORT "net_tap_kernel" /* the tunnel's TAP towards the kernel */

struct eal_args {
	int ea_argc;
	char *ea_argv[EAL_ARGS_MAX + 1];
	char ea_store[8192];
	size_t ea_used;
};

/* 0, or -E2BIG when the arguments do not fit. */
int eal_args_build(const struct cfg *cfg, const char *prog, struct eal_args *ea);
/* The ethdev name a port's devargs create ("net_af_packet0", "0000:01:00.0"). */
void eal_port_name(const char *devargs, char *name, size_t len);

#endif
