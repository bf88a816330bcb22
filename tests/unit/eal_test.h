/* EAL bring-up for tests that need DPDK memory: no hugepages, no PCI, one
 * lcore, a file prefix unique to the process, nothing left on disk. */
#ifndef DMVPND_EAL_TEST_H
#define DMVPND_EAL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>

static char eal_test_rundir[512];

/* At exit: the runtime directory EAL made (empty with --no-shconf). */
static void eal_test_rmdir(void)
{
	if (eal_test_rundir[0] != '\0')
		rmdir(eal_test_rundir);
}

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
	/* No files in the runtime directory; the directory goes at exit. */
	argv[argc++] = (char *)"--no-shconf";
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
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	snprintf(eal_test_rundir, sizeof(eal_test_rundir), "%s", rte_eal_get_runtime_dir());
	atexit(eal_test_rmdir);
	return 0;
}

/* After a test group: EAL down, the group's result through. */
static inline int eal_test_done(int rc)
{
	rte_eal_cleanup();
	return rc;
}

/* The whole main() of a test that needs EAL and nothing else before its
 * group runs: EAL up, the cmocka group (tests, with group setup and
 * teardown, or NULL), EAL down. Exit status 1 when EAL cannot start. */
#define EAL_TEST_MAIN(name, tests, setup, teardown) \
	(eal_test_init((name), NULL) < 0            \
		 ? 1                                \
		 : eal_test_done(cmocka_run_group_tests((tests), (setup), (teardown))))

#endif
