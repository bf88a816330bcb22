/* Build the EAL argv from the config: lcores, memory, file prefix, devices. */
#include "eal_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int ea_add(struct eal_args *ea, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int ea_add(struct eal_args *ea, const char *fmt, ...)
{
	size_t room = sizeof(ea->ea_store) - ea->ea_used;
	va_list ap;
	int n;

	if (ea->ea_argc >= EAL_ARGS_MAX)
		return -E2BIG;
	va_start(ap, fmt);
	n = vsnprintf(ea->ea_store + ea->ea_used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return -E2BIG;
	ea->ea_argv[ea->ea_argc++] = ea->ea_store + ea->ea_used;
	ea->ea_argv[ea->ea_argc] = NULL;
	ea->ea_used += (size_t)n + 1;
	return 0;
}

void eal_port_name(const char *devargs, char *name, size_t len)
{
	size_t n = strcspn(devargs, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static int ea_add_lcores(const struct cfg *cfg, struct eal_args *ea)
{
	char list[256];
	size_t used;
	int rc;

	used = (size_t)snprintf(list, sizeof(list), "%u", cfg->lcores.main);
	for (unsigned i = 0; i < cfg->lcores.n_workers && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, ",%u",
					 cfg->lcores.workers[i]);
	rc = ea_add(ea, "-l");
	rc = rc ? rc : ea_add(ea, "%s", list);
	rc = rc ? rc : ea_add(ea, "--main-lcore");
	return rc ? rc : ea_add(ea, "%u", cfg->lcores.main);
}

/* Virtual devices go to --vdev, anything else is a bus address for -a.
 * net_af_packet opens one socket per queue pair in a fanout group and every
 * socket must be polled, so it gets exactly workers + 1 pairs (the extra TX
 * queue is the control thread's) unless the operator chose qpairs. */
static int ea_add_port(const struct cfg *cfg, const struct cfg_port *p, struct eal_args *ea)
{
	if (strncmp(p->devargs, "net_", 4) != 0)
		return ea_add(ea, "-a") ?: ea_add(ea, "%s", p->devargs);
	if (ea_add(ea, "--vdev") != 0)
		return -E2BIG;
	if (strncmp(p->devargs, "net_af_packet", 13) == 0 && strstr(p->devargs, "qpairs=") == NULL)
		return ea_add(ea, "%s,qpairs=%u", p->devargs, cfg->lcores.n_workers + 1);
	return ea_add(ea, "%s", p->devargs);
}

int eal_args_build(const struct cfg *cfg, const char *prog, struct eal_args *ea)
{
	bool any_bus = false;
	int rc;

	memset(ea, 0, sizeof(*ea));
	rc = ea_add(ea, "%s", prog);
	rc = rc ? rc : ea_add_lcores(cfg, ea);
	rc = rc ? rc : ea_add(ea, "--file-prefix");
	rc = rc ? rc : ea_add(ea, "%s", cfg->eal.file_prefix);
	rc = rc ? rc : ea_add(ea, "-m");
	rc = rc ? rc : ea_add(ea, "%u", cfg->eal.mem_mb);
	if (cfg->eal.mem_mode == CFG_MEM_NO_HUGE)
		rc = rc ? rc : ea_add(ea, "--no-huge");
	if (!cfg->telemetry.dpdk)
		rc = rc ? rc : ea_add(ea, "--no-telemetry");
	for (unsigned i = 0; i < cfg->n_ports && rc == 0; i++) {
		rc = ea_add_port(cfg, &cfg->ports[i], ea);
		any_bus |= strncmp(cfg->ports[i].devargs, "net_", 4) != 0;
	}
	/* The tunnel's face towards the kernel: a TAP device DPDK creates. */
	if (rc == 0 && cfg->tunnel.present && cfg->tunnel.kernel_if[0] != '\0') {
		rc = ea_add(ea, "--vdev");
		rc = rc ? rc : ea_add(ea, "%s,iface=%s", EAL_KERNEL_PORT, cfg->tunnel.kernel_if);
	}
	if (!any_bus)
		rc = rc ? rc : ea_add(ea, "--no-pci");
	return rc;
}
