/* ping and traceroute from the node: the CLI session starts a job here,
 * then polls it until done (mgmt_cli.c); the jobs run in control/ping.c.
 * Runs on: the control thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "node.h"
#include "ping.h"
#include "words.h"

/* ping: the session starts a job, then polls it (mgmt_cli.c). */
void cmd_ping(struct node *nd, struct mgmt_req *req)
{
	char buf[sizeof(req->mr_arg)], *w[10];
	uint32_t dst = 0, src = 0, v;
	unsigned count = 5, size = 100;
	int n, i, rc;

	snprintf(buf, sizeof(buf), "%s", req->mr_arg);
	n = words_split(buf, w, 10);
	if (n < 0) {
		strbuf_printf(&req->mr_out, "%% too many words");
		req->mr_rc = -EINVAL;
		return;
	}
	if (n == 2 && strcmp(w[0], "poll") == 0) {
		rc = ping_poll(&nd->nd_ctl, (unsigned)atoi(w[1]), &req->mr_out);
		req->mr_rc = rc < 0 ? rc : 0;
		if (rc == 1)
			strbuf_printf(&req->mr_out, "done\n");
		return;
	}
	if (n >= 2 && strcmp(w[0], "trace") == 0 && inet_v4_parse(w[1], &dst) == 0) {
		unsigned max_ttl = 30;

		for (i = 2; i + 1 < n; i += 2) {
			v = (uint32_t)strtoul(w[i + 1], NULL, 10);
			if (strcmp(w[i], "max-ttl") == 0 && v >= 1 && v <= 64)
				max_ttl = v;
			else if (strcmp(w[i], "source") != 0 || inet_v4_parse(w[i + 1], &src) != 0)
				goto trace_usage;
		}
		if (i != n)
			goto trace_usage;
		if (trace_start(&nd->nd_ctl, dst, max_ttl, src, &req->mr_out) != 0)
			req->mr_rc = -EINVAL;
		return;
	trace_usage:
		strbuf_printf(&req->mr_out,
			      "usage: traceroute A.B.C.D [max-ttl 1..64] [source A.B.C.D]");
		req->mr_rc = -EINVAL;
		return;
	}
	if (n < 2 || strcmp(w[0], "start") != 0 || inet_v4_parse(w[1], &dst) != 0)
		goto usage;
	for (i = 2; i + 1 < n; i += 2) {
		v = (uint32_t)strtoul(w[i + 1], NULL, 10);
		if (strcmp(w[i], "repeat") == 0 && v >= 1 && v <= 1000)
			count = v;
		else if (strcmp(w[i], "size") == 0 && v >= 36 && v <= 1500)
			size = v;
		else if (strcmp(w[i], "source") != 0 || inet_v4_parse(w[i + 1], &src) != 0)
			goto usage;
	}
	if (i != n)
		goto usage;
	if (ping_start(&nd->nd_ctl, dst, count, size, src, &req->mr_out) != 0)
		req->mr_rc = -EINVAL;
	return;
usage:
	strbuf_printf(&req->mr_out,
		      "usage: ping A.B.C.D [repeat 1..1000] [size 36..1500] [source A.B.C.D]");
	req->mr_rc = -EINVAL;
}
