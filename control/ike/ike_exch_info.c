/* IKE-lite INFORMATIONAL (RFC 7296 1.4, 2.4): liveness checks, Delete of
 * the IKE SA or of CHILD_SAs, answered with the Delete of our half and
 * sent by us after a rekey (1.4.1). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"

static uint32_t spi32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ESP Deletes: each named child goes, and our answer names its inbound
 * SPI, so that both halves go together (1.4.1). */
static void delete_children(struct ike_sa *sa, const struct ike_delete *d, uint8_t *spis,
			    uint16_t *n_spis)
{
	for (uint16_t k = 0; k < d->nd_n_spi; k++) {
		int i = ike_child_by_out(sa, spi32(d->nd_spis + 4 * k));
		uint32_t in;

		if (i < 0)
			continue;
		in = sa->sa_child[i].ch_spi_in;
		ike_child_drop(sa, (unsigned)i);
		if (*n_spis < 32) {
			spis[4 * *n_spis] = (uint8_t)(in >> 24);
			spis[4 * *n_spis + 1] = (uint8_t)(in >> 16);
			spis[4 * *n_spis + 2] = (uint8_t)(in >> 8);
			spis[4 * *n_spis + 3] = (uint8_t)in;
			(*n_spis)++;
		}
	}
}

void ike_info_request(struct ike_sa *sa, struct ike_msg *m)
{
	uint8_t spis[4 * 32];
	uint16_t n_spis = 0;
	bool ike_deleted = false;
	struct ike_msg r;

	for (unsigned i = 0; i < m->im_n_delete; i++) {
		const struct ike_delete *d = &m->im_delete[i];

		if (d->nd_proto == IKE_PROTO_IKE)
			ike_deleted = true;
		else if (d->nd_proto == IKE_PROTO_ESP && d->nd_spi_len == IKE_SPI_LEN_CHILD)
			delete_children(sa, d, spis, &n_spis);
	}
	ike_msg_init(&r, IKE_EXCH_INFORMATIONAL, 0, 0);
	if (n_spis != 0 && !ike_deleted) {
		ike_pld_add(&r, true, IKE_PL_DELETE);
		r.im_delete[0] = (struct ike_delete){.nd_proto = IKE_PROTO_ESP,
						     .nd_spi_len = IKE_SPI_LEN_CHILD,
						     .nd_n_spi = n_spis,
						     .nd_spis = spis};
	}
	ike_sa_respond(sa, &r);
	if (ike_deleted)
		ike_sa_kill(sa, IKE_ERR_DELETED);
}

int ike_info_delete_children(struct ike_sa *sa, const uint32_t *spi_in, unsigned n)
{
	uint8_t spis[4 * 2];
	struct ike_msg m;

	if (n == 0 || n > 2)
		return -EINVAL;
	for (unsigned k = 0; k < n; k++) {
		sa->sa_rk_del[k] = spi_in[k];
		spis[4 * k] = (uint8_t)(spi_in[k] >> 24);
		spis[4 * k + 1] = (uint8_t)(spi_in[k] >> 16);
		spis[4 * k + 2] = (uint8_t)(spi_in[k] >> 8);
		spis[4 * k + 3] = (uint8_t)spi_in[k];
	}
	sa->sa_rk_n_del = (uint8_t)n;
	ike_msg_init(&m, IKE_EXCH_INFORMATIONAL, 0, 0);
	ike_pld_add(&m, true, IKE_PL_DELETE);
	m.im_delete[0] = (struct ike_delete){.nd_proto = IKE_PROTO_ESP,
					     .nd_spi_len = IKE_SPI_LEN_CHILD,
					     .nd_n_spi = (uint16_t)n,
					     .nd_spis = spis};
	return ike_sa_request(sa, &m, IKE_REQ_DELETE_CHILD);
}

/* Our Delete was answered (the peer's halves went): ours go now, not
 * before, so that packets still on the way in are not lost (1.4.1). */
void ike_info_response(struct ike_sa *sa, struct ike_msg *m)
{
	(void)m;
	for (unsigned k = 0; k < sa->sa_rk_n_del; k++) {
		int i = ike_child_by_in(sa, sa->sa_rk_del[k]);

		if (i >= 0)
			ike_child_drop(sa, (unsigned)i);
	}
	sa->sa_rk_n_del = 0;
}

void ike_sa_delete(struct ike_sa *sa, enum ike_sa_error why)
{
	struct ike_msg m;

	if (sa->sa_state != IKE_SA_ESTABLISHED) {
		ike_sa_kill(sa, why);
		return;
	}
	/* A request of ours in flight is abandoned: the Delete replaces it
	 * and takes the next message ID. */
	ike_sa_request_done(sa);
	ike_msg_init(&m, IKE_EXCH_INFORMATIONAL, 0, 0);
	ike_pld_add(&m, true, IKE_PL_DELETE);
	m.im_delete[0].nd_proto = IKE_PROTO_IKE;
	sa->sa_state = IKE_SA_DELETING;
	sa->sa_error = why;
	if (ike_sa_request(sa, &m, IKE_REQ_DELETE_IKE) != 0)
		ike_sa_kill(sa, why);
}
