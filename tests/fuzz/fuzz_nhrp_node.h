/* What the NHRP state-machine fuzz targets share: cmocka's assertions
 * as abort() (libFuzzer's crash), the test node of the unit tests
 * (tests/unit/nhrp_fixture.h) and its one-time set-up. */
#ifndef DMVPND_FUZZ_NHRP_NODE_H
#define DMVPND_FUZZ_NHRP_NODE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define assert_true(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)
#define assert_false(c) assert_true(!(c))
#define assert_int_equal(a, b) assert_true((a) == (b))
#define assert_non_null(p) assert_true((p) != NULL)
#include "../unit/eal_test.h"
#include "../unit/nhrp_fixture.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* EAL, the mbuf pool and the ports, once per process. */
static inline void fuzz_nhrp_node_init(const char *name)
{
	if (eal_test_init(name, NULL) < 0)
		abort();
	/* libFuzzer may end with _Exit, past eal_test.h's atexit handler. */
	eal_test_rmdir();
	log_set_level(RTE_LOG_ERR); /* a line per message would slow it down */
	env.pool = rte_pktmbuf_pool_create("t_pool", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	assert_non_null(env.pool);
	ports_create();
	env.baseline = rte_mempool_in_use_count(env.pool);
}

#endif
