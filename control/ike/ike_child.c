/* IKE-lite CHILD_SAs: the traffic selectors of a DMVPN tunnel (GRE, IP
 * protocol 47, between the two IKE addresses; RFC 7296 2.9 narrowing of
 * what a peer proposes), the keys (2.17) and their installation. */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"

#define IPPROTO_GRE_NUM 47

static void ts_host(struct ike_ts *t, uint32_t addr)
{
	memset(t, 0, sizeof(*t));
	t->ts_type = IKE_TS_IPV4_ADDR_RANGE;
	t->ts_proto = IPPROTO_GRE_NUM;
	t->ts_sport = 0;
	t->ts_eport = 65535;
	for (unsigned i = 0; i < 4; i++)
		t->ts_saddr[i] = t->ts_eaddr[i] = (uint8_t)(addr >> (24 - 8 * i));
}

void ike_child_ts_add(const struct ike_sa *sa, struct ike_msg *m)
{
	uint32_t i_addr = sa->sa_initiator ? sa->sa_local : sa->sa_remote;
	uint32_t r_addr = sa->sa_initiator ? sa->sa_remote : sa->sa_local;

	ike_pld_add(m, true, IKE_PL_TSI);
	m->im_tsi.tl_n = 1;
	ts_host(&m->im_tsi.tl_ts[0], i_addr);
	ike_pld_add(m, true, IKE_PL_TSR);
	m->im_tsr.tl_n = 1;
	ts_host(&m->im_tsr.tl_ts[0], r_addr);
}

static uint32_t ts_u32(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* Whether some selector of the list covers GRE from/to addr. Ports: GRE
 * has none, but strongSwan's trap policy for keyed GRE proposes the key
 * as the port range (42-42 for key 42) beside a second selector with all
 * ports; any selector that covers the address and protocol will do, and
 * we narrow to protocol 47, all ports (2.9). */
static bool ts_covers(const struct ike_ts_list *l, uint32_t addr, bool natted)
{
	for (unsigned i = 0; i < l->tl_n; i++) {
		const struct ike_ts *t = &l->tl_ts[i];

		if (t->ts_type == IKE_TS_IPV4_ADDR_RANGE &&
		    (t->ts_proto == 0 || t->ts_proto == IPPROTO_GRE_NUM) &&
		    (natted || (ts_u32(t->ts_saddr) <= addr && addr <= ts_u32(t->ts_eaddr))))
			return true;
	}
	return false;
}

/* Behind a NAT the address a side puts in its selector is the one it
 * knows, not the one the other side sees (2.23.1): for that side only
 * the protocol is checked; the SA is bound to the IKE addresses anyway. */
bool ike_child_ts_ok(const struct ike_sa *sa, const struct ike_msg *m)
{
	uint32_t i_addr = sa->sa_initiator ? sa->sa_local : sa->sa_remote;
	uint32_t r_addr = sa->sa_initiator ? sa->sa_remote : sa->sa_local;
	bool i_nat = sa->sa_initiator ? sa->sa_nat_local : sa->sa_nat_remote;
	bool r_nat = sa->sa_initiator ? sa->sa_nat_remote : sa->sa_nat_local;

	return ike_msg_has(m, IKE_PL_TSI) && ike_msg_has(m, IKE_PL_TSR) &&
	       ts_covers(&m->im_tsi, i_addr, i_nat) && ts_covers(&m->im_tsr, r_addr, r_nat);
}

/* A peer behind a NAT puts the address it knows itself by in its
 * selector (2.23.1), not the one we see; in tunnel mode its packets carry
 * that one inside, so the SA must expect it. Only a selector of one host
 * names an address; a range leaves the IKE address. */
uint32_t ike_child_ts_peer(const struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_ts_list *l = sa->sa_initiator ? &m->im_tsr : &m->im_tsi;

	if (!sa->sa_nat_remote)
		return 0;
	for (unsigned i = 0; i < l->tl_n; i++) {
		const struct ike_ts *t = &l->tl_ts[i];

		if (t->ts_type == IKE_TS_IPV4_ADDR_RANGE &&
		    (t->ts_proto == 0 || t->ts_proto == IPPROTO_GRE_NUM) &&
		    ts_u32(t->ts_saddr) == ts_u32(t->ts_eaddr))
			return ts_u32(t->ts_saddr);
	}
	return 0;
}

void ike_child_seed_auth(const struct ike_sa *sa, struct ike_child_seed *seed)
{
	*seed = (struct ike_child_seed){.cs_ni = sa->sa_ni,
					.cs_ni_len = sa->sa_ni_len,
					.cs_nr = sa->sa_nr,
					.cs_nr_len = sa->sa_nr_len,
					.cs_we_initiated = sa->sa_initiator};
}

uint64_t ike_lifetime_soft(uint64_t from, uint32_t life_s)
{
	uint64_t life = (uint64_t)life_s * CLK_NS_PER_S, r = 0, span = life * 7 / 100;

	/* never in the last 3 %: the rekey needs its round trip before the
	 * hard lifetime ends the pair it replaces */
	ike_rand_bytes((uint8_t *)&r, sizeof(r));
	return from + life - life / 10 + (span == 0 ? 0 : r % span);
}

uint64_t ike_rekey_retry_at(uint64_t now)
{
	uint64_t r = 0;

	ike_rand_bytes((uint8_t *)&r, sizeof(r));
	return now + CLK_NS_PER_S + r % ((IKE_REKEY_RETRY_S - 1) * CLK_NS_PER_S);
}

int ike_child_make(struct ike_sa *sa, const struct ike_esp_prop *p, uint32_t spi_in,
		   uint32_t spi_out, bool tunnel, const struct ike_child_seed *seed)
{
	const struct ike_env *e = sa->sa_env;
	uint8_t i2r[CFG_KEY_MAX], r2i[CFG_KEY_MAX];
	unsigned len = cfg_esp_keymat_len(p->ep_alg);
	uint32_t life = sa->sa_conf->ic_child_lifetime_s;
	struct ike_child *ch;
	int rc;

	if (sa->sa_n_child >= IKE_MAX_CHILD || len == 0 || len > CFG_KEY_MAX)
		return -ENOSPC;
	rc = ike_kdf_child_keymat(&sa->sa_keys, seed->cs_gir, seed->cs_gir_len, seed->cs_ni,
				  seed->cs_ni_len, seed->cs_nr, seed->cs_nr_len, i2r, r2i, len);
	if (rc != 0)
		return rc;
	ch = &sa->sa_child[sa->sa_n_child];
	memset(ch, 0, sizeof(*ch));
	ch->ch_spi_in = spi_in;
	ch->ch_spi_out = spi_out;
	ch->ch_prop = *p;
	ch->ch_tunnel = tunnel;
	ch->ch_ts_remote = seed->cs_ts_peer != 0 ? seed->cs_ts_peer : sa->sa_remote;
	ch->ch_keylen = (uint8_t)len;
	ch->ch_out_deferred = seed->cs_defer_out;
	memcpy(ch->ch_key_in, seed->cs_we_initiated ? r2i : i2r, len);
	memcpy(ch->ch_key_out, seed->cs_we_initiated ? i2r : r2i, len);
	OPENSSL_cleanse(i2r, sizeof(i2r));
	OPENSSL_cleanse(r2i, sizeof(r2i));
	ch->ch_created_ns = clock_now(e->ie_clock);
	ch->ch_rekey_ns = life != 0 ? ike_lifetime_soft(ch->ch_created_ns, life) : UINT64_MAX;
	ch->ch_expire_ns =
		life != 0 ? ch->ch_created_ns + (uint64_t)life * CLK_NS_PER_S : UINT64_MAX;
	rc = e->ie_child_install(e->ie_ctx, sa, ch);
	if (rc != 0) {
		OPENSSL_cleanse(ch, sizeof(*ch));
		sa->sa_error = IKE_ERR_INSTALL;
		return rc;
	}
	ch->ch_installed = true;
	if (!ch->ch_out_deferred)
		sa->sa_active_out = spi_out;
	sa->sa_n_child++;
	ike_sa_lifetime_arm(sa);
	return 0;
}

int ike_child_by_in(const struct ike_sa *sa, uint32_t spi)
{
	for (unsigned i = 0; i < sa->sa_n_child; i++)
		if (sa->sa_child[i].ch_spi_in == spi)
			return (int)i;
	return -1;
}

int ike_child_by_out(const struct ike_sa *sa, uint32_t spi)
{
	for (unsigned i = 0; i < sa->sa_n_child; i++)
		if (sa->sa_child[i].ch_spi_out == spi)
			return (int)i;
	return -1;
}

/* The child to send with when child `except` goes: the newest installed
 * one not replaced by a rekey, else the newest installed; -1 if none. */
static int child_successor(const struct ike_sa *sa, unsigned except)
{
	int best = -1;

	for (unsigned j = 0; j < sa->sa_n_child; j++) {
		const struct ike_child *c = &sa->sa_child[j];

		if (j == except || !c->ch_installed)
			continue;
		if (best < 0 || !c->ch_rekeyed || sa->sa_child[best].ch_rekeyed)
			best = (int)j;
	}
	return best;
}

void ike_child_drop(struct ike_sa *sa, unsigned i)
{
	const struct ike_env *e = sa->sa_env;
	struct ike_child *ch = &sa->sa_child[i];
	int next;

	/* The pair we send with goes: another starts sending first (a
	 * rekey's responder waited for this, 1.3.3), so that there is never
	 * a moment without an outbound SA. */
	if (ch->ch_installed && ch->ch_spi_out == sa->sa_active_out &&
	    (next = child_successor(sa, i)) >= 0) {
		sa->sa_child[next].ch_out_deferred = false;
		sa->sa_active_out = sa->sa_child[next].ch_spi_out;
		e->ie_child_activate(e->ie_ctx, sa, &sa->sa_child[next]);
	}
	if (ch->ch_installed)
		e->ie_child_remove(e->ie_ctx, sa, ch);
	OPENSSL_cleanse(ch, sizeof(*ch));
	memmove(ch, ch + 1, (sa->sa_n_child - i - 1) * sizeof(*ch));
	sa->sa_n_child--;
}
