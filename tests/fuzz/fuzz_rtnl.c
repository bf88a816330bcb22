/* libFuzzer target for the rtnetlink route decoder: the input is one
 * recv() buffer; every message in it is walked as control/kernel_routes.c
 * walks it. The walk must end, never step back or past the buffer, and a
 * route it returns must be a prefix the kernel could hold.
 * Seeds: tests/fuzz/corpus_rtnl (route dumps and announcements). */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "rtnl_route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtnl_route r;
	size_t off = 0, prev;
	int err = 0;

	for (;;) {
		prev = off;
		enum rtnl_next k = rtnl_next(data, size, &off, &r, &err);

		if (k == RTNL_END)
			break;
		if (off <= prev || off > size)
			abort(); /* a walk that stands still or overruns */
		if (k == RTNL_ROUTE && r.rr_family == AF_INET &&
		    (r.rr_len > 32 || (r.rr_len < 32 && (r.rr_dst << r.rr_len) != 0)))
			abort(); /* host bits under the prefix */
	}
	return 0;
}
