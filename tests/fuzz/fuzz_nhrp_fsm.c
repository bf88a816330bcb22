/* libFuzzer target for the hub's NHRP state machine: sequences of NHRP
 * messages from several sources (spokes A and B, a stranger C, each with
 * the right password, so that only the ownership rules stand) against a
 * real hub (tests/unit/nhrp_fixture.h), with time passing between them.
 *
 * Input: operations of 6 bytes [op][source][address][flags][hold][id]:
 *   op % 6: 0 Registration Request, 1 Resolution Request, 2 Purge
 *     Request, 3 Resolution Reply, 4 Traffic Indication, 5 time passes
 *     (hold % 64 seconds);
 *   source % 3: A, B or C (NBMA 192.0.2.11, .12, .13);
 *   address % 16: the overlay address the message is about (10.255.0.16
 *     and up; the source claims it as its own in registrations);
 *   flags: bit 0 the unique flag, bit 1 no CIE, bit 2 the source claims
 *     another NBMA address than it sends from (NAT);
 *   hold: the holding time asked for (0..255 s); id: the request ID.
 *
 * Invariants after each operation:
 *   - every binding the hub holds for those addresses is where the last
 *     successful registration for it came from (a Registration Reply with
 *     code 0 seen on the wire): no Purge, request, reply or indication
 *     moves one, and a refused registration neither;
 *   - no registration from another NBMA address succeeds while a unique
 *     binding for the address is held (there is no IKE here to vouch for
 *     a move).
 * The fixture's teardown checks that every mbuf came back. */
#include "fuzz_nhrp_node.h"

#define N_ADDR 16
#define OV_BASE 0x0aff0010u /* 10.255.0.16 */

static const uint32_t src_nbma[] = {A_NBMA, B_NBMA, C_NBMA};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nhrp_node_init("fuzz_nhrp_fsm");
	return 0;
}

/* The message of one operation, from src about ov. */
static void one_op(uint8_t op, uint32_t src, uint32_t ov, uint8_t flags, uint8_t hold, uint8_t id)
{
	struct nhrp_msg m;
	uint32_t claimed = flags & 4 ? src ^ 0x100u : src;

	switch (op) {
	case 0:
		peer_msg(&m, NHRP_TYPE_REGISTRATION_REQUEST, claimed, ov, AUTH);
		m.nm_flags |= flags & 1 ? NHRP_FLAG_REG_U : 0;
		m.nm_request_id = id;
		m.nm_dst_proto = A4(HUB_OV);
		m.nm_n_cie = flags & 2 ? 0 : 1;
		m.nm_cie[0] = cie(0, 0xff, hold, 0, 0);
		break;
	case 1:
		peer_msg(&m, NHRP_TYPE_RESOLUTION_REQUEST, claimed, ov, AUTH);
		m.nm_flags |= NHRP_FLAG_RES_Q;
		m.nm_request_id = id;
		m.nm_dst_proto = A4(OV_BASE + (uint32_t)(hold % N_ADDR));
		m.nm_n_cie = flags & 2 ? 0 : 1;
		m.nm_cie[0] = cie(0, 32, hold, 0, 0);
		break;
	case 2:
		peer_msg(&m, NHRP_TYPE_PURGE_REQUEST, claimed,
			 flags & 1 ? ov : OV_BASE + (uint32_t)(hold % N_ADDR), AUTH);
		m.nm_request_id = id;
		m.nm_dst_proto = A4(HUB_OV);
		m.nm_n_cie = 1;
		m.nm_cie[0] = cie(0, 32, 0, 0, ov);
		break;
	case 3:
		peer_msg(&m, NHRP_TYPE_RESOLUTION_REPLY, claimed, ov, AUTH);
		m.nm_flags |= NHRP_FLAG_RES_A | NHRP_FLAG_RES_D;
		m.nm_request_id = id;
		m.nm_dst_proto = A4(OV_BASE + (uint32_t)(hold % N_ADDR));
		m.nm_n_cie = 1;
		m.nm_cie[0] = cie(0, 32, hold, src, ov);
		break;
	default:
		peer_msg(&m, NHRP_TYPE_TRAFFIC_INDICATION, claimed, ov, AUTH);
		m.nm_dst_proto = A4(OV_BASE + (uint32_t)(hold % N_ADDR));
		break;
	}
	inject(&m, src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t owner[N_ADDR] = {0}, held[N_ADDR];
	struct sent s;

	fixture_setup(true);
	for (size_t off = 0; off + 6 <= size && off < 6 * 200; off += 6) {
		const uint8_t *o = data + off;
		uint32_t src = src_nbma[o[1] % 3], ov = OV_BASE + o[2] % N_ADDR;

		for (uint32_t i = 0; i < N_ADDR; i++) { /* who holds what uniquely now */
			const struct nhrp_cache_entry *e = nhrp_cache_lookup(&fx.ct, OV_BASE + i);

			held[i] =
				e != NULL && e->nc_type == NC_DYNAMIC && (e->nc_flags & NC_F_UNIQUE)
					? e->nc_nbma_seen
					: 0;
		}
		if (o[0] % 6 == 5)
			tick(o[4] % 64u);
		else
			one_op(o[0] % 6, src, ov, o[3], o[4], o[5]);
		/* What the hub granted, from its answers on the wire. */
		while (sent_next(&s))
			if (s.m.nm_type == NHRP_TYPE_REGISTRATION_REPLY && s.m.nm_n_cie > 0 &&
			    s.m.nm_cie[0].ce_code == NHRP_CIE_SUCCESS &&
			    s.m.nm_src_proto.na_addr - OV_BASE < N_ADDR) {
				uint32_t i = s.m.nm_src_proto.na_addr - OV_BASE;

				assert_true(held[i] == 0 || held[i] == s.to);
				owner[i] = s.to;
			}
		for (uint32_t i = 0; i < N_ADDR; i++) {
			const struct nhrp_cache_entry *e = nhrp_cache_lookup(&fx.ct, OV_BASE + i);

			if (e != NULL && e->nc_type == NC_DYNAMIC)
				assert_int_equal(e->nc_nbma_seen, owner[i]);
		}
	}
	fixture_teardown(NULL);
	return 0;
}
