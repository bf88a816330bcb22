/* ping from the node (ping.c). Runs on: the control thread. */
#ifndef DMVPND_PING_H
#define DMVPND_PING_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

struct ctl;

/* Starts `count` echo requests of `size` bytes (the IPv4 datagram) to dst
 * from src (0: the address of the way out); the job's number in msg, or
 * the reason it cannot start. */
int ping_start(struct ctl *ct, uint32_t dst, unsigned count, unsigned size, uint32_t src,
	       struct strbuf *msg);
/* traceroute: UDP probes with TTL 1..max_ttl, three a hop. */
int trace_start(struct ctl *ct, uint32_t dst, unsigned max_ttl, uint32_t src, struct strbuf *msg);
/* An ICMP time exceeded or unreachable to us (icmp.c): true when it
 * quotes one of traceroute's probes. */
bool trace_answer(struct ctl *ct, uint32_t from, const uint8_t *icmp, uint32_t len);
/* An echo reply to us (icmp.c): true when it was a ping's. */
bool ping_reply(struct ctl *ct, uint32_t from, const uint8_t *icmp, uint32_t len);
/* The marks since the last poll, one line ('!' answered, '.' timed out;
 * traceroute: the hop lines finished since); once done, the summary too
 * and the job ends: 1. 0 while running, -ENOENT for no such job. */
int ping_poll(struct ctl *ct, unsigned job, struct strbuf *out);
void ping_fini(struct ctl *ct);

#endif
