/* EAL bring-up for tests that need DPDK memory: no hugepages, no PCI, one
 * lcore, a file prefix unique to the process. */
#ifndef DMVPND_EAL_TEST_H
#define DMVPND_EAL_TEST_H

#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

static inline int eal_test_init(const char *name, const char *extra_vdev)
{
	char prefix[64];
	char *argv[16];
	int argc = 0;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", name, (int)getpid());
	argv[argc++] = (char *)name;
	argv[argc++] = (char *)"-l";
	argv[argc++] = (char *)"0";
	argv[argc++] = (char *)"--no-huge";
	argv[argc++] = (char *)"-m";
	argv[argc++] = (char *)"128";
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"--no-telemetry";
	argv[argc++] = (char *)"--log-level=lib.*:error";
	argv[argc++] = prefix;
	if (extra_vdev != NULL) {
		argv[argc++] = (char *)"--vdev";
		argv[argc++] = (char *)extra_vdev;
	}
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

#endif
