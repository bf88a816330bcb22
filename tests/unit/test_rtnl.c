/* The rtnetlink route decoder (common/rtnl_route.c) on a real table dump
 * and real announcements from a Linux 6 kernel (tests/fuzz/corpus_rtnl,
 * made with ip route and a netlink socket in a namespace: veth d0
 * 10.255.0.11/24 ifindex 3, d1 10.9.0.1/24 ifindex 5), then on messages
 * cut short. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "rtnl_route.h"

static size_t load(const char *name, uint8_t *buf, size_t cap)
{
	const char *dir = getenv("DMVPND_SRCDIR");
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus_rtnl/%s", dir ? dir : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

#define V4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const struct rtnl_route *find(const struct rtnl_route *v, unsigned n, uint32_t dst,
				     uint8_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].rr_dst == dst && v[i].rr_len == len && v[i].rr_table == RT_TABLE_MAIN)
			return &v[i];
	return NULL;
}

static unsigned walk(const uint8_t *buf, size_t len, struct rtnl_route *v, unsigned cap,
		     unsigned *done, unsigned *bad)
{
	size_t off = 0;
	unsigned n = 0;
	int err;
	enum rtnl_next k;

	*done = *bad = 0;
	while ((k = rtnl_next(buf, len, &off, &v[n < cap ? n : cap - 1], &err)) != RTNL_END) {
		if (k == RTNL_ROUTE && n < cap)
			n++;
		*done += k == RTNL_DONE;
		*bad += k == RTNL_BAD;
	}
	return n;
}

static void test_dump(void **state)
{
	uint8_t buf[4096];
	struct rtnl_route v[32];
	unsigned done, bad, n;
	const struct rtnl_route *r;
	size_t len = load("dump-0", buf, sizeof(buf));

	(void)state;
	n = walk(buf, len, v, 32, &done, &bad);
	assert_true(n >= 6);
	assert_int_equal(bad, 0);
	/* 10.2.0.0/24 via 10.255.0.12 dev d0 proto bgp metric 20 */
	r = find(v, n, V4(10, 2, 0, 0), 24);
	assert_non_null(r);
	assert_false(r->rr_del);
	assert_int_equal(r->rr_family, AF_INET);
	assert_int_equal(r->rr_protocol, RTPROT_BGP);
	assert_int_equal(r->rr_type, RTN_UNICAST);
	assert_int_equal(r->rr_gw, V4(10, 255, 0, 12));
	assert_int_equal(r->rr_metric, 20);
	assert_int_equal(r->rr_oif, 3);
	/* default via 10.255.0.1 proto ospf metric 110 */
	r = find(v, n, 0, 0);
	assert_non_null(r);
	assert_int_equal(r->rr_protocol, RTPROT_OSPF);
	assert_int_equal(r->rr_gw, V4(10, 255, 0, 1));
	assert_int_equal(r->rr_metric, 110);
	/* two next hops: the first is taken */
	r = find(v, n, V4(172, 16, 0, 0), 16);
	assert_non_null(r);
	assert_int_equal(r->rr_gw, V4(10, 255, 0, 1));
	assert_int_equal(r->rr_oif, 3);
	/* a next-hop object (nhid 7, as FRR installs them): the kernel
	 * states its gateway and interface too */
	r = find(v, n, V4(10, 3, 0, 0), 24);
	assert_non_null(r);
	assert_int_equal(r->rr_gw, V4(10, 255, 0, 12));
	assert_int_equal(r->rr_oif, 3);
	r = find(v, n, V4(10, 99, 0, 0), 16);
	assert_non_null(r);
	assert_int_equal(r->rr_type, RTN_BLACKHOLE);
	/* the interface's own subnet, which the kernel made */
	r = find(v, n, V4(10, 255, 0, 0), 24);
	assert_non_null(r);
	assert_int_equal(r->rr_protocol, RTPROT_KERNEL);
	assert_int_equal(r->rr_gw, 0);
	/* the dump's end is a message of its own (dump-1) */
	len = load("dump-1", buf, sizeof(buf));
	assert_int_equal(walk(buf, len, v, 32, &done, &bad), 0);
	assert_int_equal(done, 1);
}

static void test_events(void **state)
{
	uint8_t buf[4096];
	struct rtnl_route v[4];
	unsigned done, bad;
	size_t len = load("event-2", buf, sizeof(buf));

	(void)state;
	/* ip route del 10.2.0.0/24 */
	assert_int_equal(walk(buf, len, v, 4, &done, &bad), 1);
	assert_true(v[0].rr_del);
	assert_int_equal(v[0].rr_dst, V4(10, 2, 0, 0));
	assert_int_equal(v[0].rr_len, 24);
	/* ip route replace 10.3.0.0/24 via 10.9.0.2 dev d1 */
	len = load("event-3", buf, sizeof(buf));
	assert_int_equal(walk(buf, len, v, 4, &done, &bad), 1);
	assert_false(v[0].rr_del);
	assert_int_equal(v[0].rr_dst, V4(10, 3, 0, 0));
	assert_int_equal(v[0].rr_gw, V4(10, 9, 0, 2));
	assert_int_equal(v[0].rr_oif, 5);
}

/* Every cut of a real message is refused or ends the walk, never read past. */
static void test_truncated(void **state)
{
	uint8_t buf[4096], *cut;
	struct rtnl_route v[32];
	unsigned done, bad;
	size_t len = load("dump-0", buf, sizeof(buf));

	(void)state;
	for (size_t l = 0; l < len; l++) {
		cut = malloc(l ? l : 1);
		memcpy(cut, buf, l);
		walk(cut, l, v, 32, &done, &bad);
		free(cut);
	}
	/* an attribute whose length runs past its message */
	len = load("event-3", buf, sizeof(buf));
	buf[16 + 12 + 0] = 0xff; /* the first rtattr's rta_len */
	assert_int_equal(walk(buf, len, v, 32, &done, &bad), 0);
	assert_int_equal(bad, 1);
	/* a prefix with host bits set below its length */
	len = load("event-3", buf, sizeof(buf));
	{
		struct rtnl_route r;
		uint8_t body[64];

		memcpy(body, buf + 16, len - 16);
		body[1] = 8; /* rtm_dst_len: 10.3.0.0/8 */
		assert_int_equal(rtnl_route_decode(body, len - 16, false, &r), -EBADMSG);
	}
}

/* What dmvpnd writes (tunnel.export-registrations) reads back as written;
 * the kernel's acceptance is shown by tests/integ/test_hub_scaleout.sh. */
static void test_encode(void **state)
{
	const struct rtnl_route add = {
		.rr_family = AF_INET,
		.rr_len = 32,
		.rr_protocol = RTNL_PROTO_DMVPND,
		.rr_type = RTN_UNICAST,
		.rr_table = RT_TABLE_MAIN,
		.rr_dst = V4(10, 255, 0, 13),
		.rr_oif = 7,
	};
	struct rtnl_route del = add, back;
	uint8_t buf[128];
	size_t len, off = 0;
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	int err;

	(void)state;
	assert_int_equal(rtnl_route_encode(buf, 16, &add, 1), 0); /* does not fit */
	len = rtnl_route_encode(buf, sizeof(buf), &add, 9);
	assert_true(len > 0 && len == h->nlmsg_len);
	assert_int_equal(h->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
	assert_int_equal(h->nlmsg_seq, 9);
	assert_int_equal(rtnl_next(buf, len, &off, &back, &err), RTNL_ROUTE);
	assert_int_equal(off, len);
	assert_false(back.rr_del);
	assert_int_equal(back.rr_dst, add.rr_dst);
	assert_int_equal(back.rr_len, 32);
	assert_int_equal(back.rr_oif, 7);
	assert_int_equal(back.rr_gw, 0);
	assert_int_equal(back.rr_protocol, RTNL_PROTO_DMVPND);
	assert_int_equal(back.rr_table, RT_TABLE_MAIN);
	assert_string_equal(rtnl_proto_name(back.rr_protocol), "dmvpnd");
	del.rr_del = true;
	del.rr_gw = V4(10, 255, 0, 2);
	del.rr_len = 24;
	del.rr_dst = V4(10, 3, 0, 0);
	len = rtnl_route_encode(buf, sizeof(buf), &del, 10);
	off = 0;
	assert_int_equal(h->nlmsg_type, RTM_DELROUTE);
	assert_int_equal(rtnl_next(buf, len, &off, &back, &err), RTNL_ROUTE);
	assert_true(back.rr_del);
	assert_int_equal(back.rr_gw, V4(10, 255, 0, 2));
	assert_int_equal(back.rr_dst, V4(10, 3, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
