/* dataplane/ipv4_csum.h and gre_outer_build against DPDK's own checksum
 * (rte_raw_cksum, rte_ipv4_cksum) as the oracle, over random headers of
 * every legal length and random word changes, including the all-ones and
 * zero corners RFC 1624 is about. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <rte_ip.h>

#include "gre.h"
#include "ipv4_csum.h"

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void fill(uint8_t *h, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		h[i] = (uint8_t)rnd();
	if (rnd() % 8 == 0)
		memset(h, 0xff, len); /* a corner: all ones */
}

/* The sum agrees with rte_raw_cksum for every length 20..60. */
static void test_sum(void **state)
{
	uint8_t h[64];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint32_t len = 20 + 4 * (rnd() % 11);

		fill(h, len);
		assert_int_equal(ipv4_hdr_sum(h, len), rte_raw_cksum(h, len));
	}
}

/* A header with a right checksum, a word changed, the checksum updated:
 * it is right again (sums to 0xffff) and equals a full recomputation up
 * to the two zeros of ones' complement. */
static void test_replace(void **state)
{
	struct rte_ipv4_hdr ip;
	uint16_t w[10];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		unsigned k = rnd() % 10;
		uint16_t old, nw = (uint16_t)rnd();

		fill((uint8_t *)&ip, sizeof(ip));
		ip.version_ihl = RTE_IPV4_VHL_DEF; /* rte_ipv4_cksum reads the IHL */
		if (rnd() % 16 == 0)
			nw = rnd() % 2 ? 0 : 0xffff;
		ip.hdr_checksum = 0;
		ip.hdr_checksum = rte_ipv4_cksum(&ip);
		memcpy(w, &ip, sizeof(w));
		if (k == 5)
			k = 4; /* not the checksum word itself */
		old = w[k];
		w[k] = nw;
		memcpy(&ip, w, sizeof(w));
		ip.hdr_checksum = ipv4_cksum_replace16(ip.hdr_checksum, old, nw);
		assert_int_equal(ipv4_hdr_sum(&ip, sizeof(ip)), 0xffff);
	}
}

/* gre_outer_build sums in registers; rte_ipv4_cksum reads it back. */
static void test_gre_outer(void **state)
{
	struct dp_tunnel tn;
	uint8_t buf[64];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;

	(void)state;
	memset(&tn, 0, sizeof(tn));
	for (int i = 0; i < 100000; i++) {
		uint32_t src = rnd(), dst = rnd(), key;
		uint16_t ck, len = (uint16_t)(rnd() % 9000),
			     proto = rnd() % 2 ? GRE_PROTO_IPV4 : GRE_PROTO_NHRP;
		uint8_t tos = (uint8_t)rnd();
		const uint8_t *gre = buf + sizeof(*ip);

		tn.tn_has_key = rnd() % 2;
		tn.tn_key = rnd();
		tn.tn_ttl = (uint8_t)rnd();
		memset(buf, 0xa5, sizeof(buf));
		gre_outer_build(ip, &tn, src, dst, len, proto, tos);
		/* Every field, read the way a receiver reads it. */
		assert_int_equal(ip->version_ihl, 0x45);
		assert_int_equal(ip->type_of_service, tos & 0xfc);
		assert_int_equal(rte_be_to_cpu_16(ip->total_length), len + gre_encap_overhead(&tn));
		assert_int_equal(ip->packet_id, 0);
		assert_int_equal(ip->fragment_offset, 0);
		assert_int_equal(ip->time_to_live, tn.tn_ttl);
		assert_int_equal(ip->next_proto_id, IPPROTO_GRE);
		assert_int_equal(rte_be_to_cpu_32(ip->src_addr), src);
		assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), dst);
		assert_int_equal(gre[0] << 8 | gre[1], tn.tn_has_key ? GRE_F_KEY : 0);
		assert_int_equal(gre[2] << 8 | gre[3], proto);
		memcpy(&key, gre + 4, 4);
		if (tn.tn_has_key)
			assert_int_equal(rte_be_to_cpu_32(key), tn.tn_key);
		else
			assert_int_equal(key,
					 0xa5a5a5a5); /* nothing written past the GRE base header */
		ck = ip->hdr_checksum;
		ip->hdr_checksum = 0;
		assert_int_equal(ck, rte_ipv4_cksum(ip));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_gre_outer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
