/* IKE-lite INFORMATIONAL (RFC 7296 1.4, 2.4): liveness checks, Delete of
 * the IKE SA or of CHILD_SAs (answered with the Delete of our half, 1.4.1);
 * and CREATE_CHILD_SA (1.3), which this node does not accept yet: it
 * answers NO_ADDITIONAL_SAS, after which the peer keeps its SAs until they
 * expire. */
#include <string.h>

#include <openssl/crypto.h>

#include "ike_exch.h"

static uint32_t spi32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The child whose outbound SPI the peer names (it lists its inbound SPIs,
 * 3.11), or -1. */
static int child_by_out(const struct ike_sa *sa, uint32_t spi)
{
	for (unsigned i = 0; i < sa->sa_n_child; i++)
		if (sa->sa_child[i].ch_spi_out == spi)
			return (int)i;
	return -1;
}

static void child_drop(struct ike_sa *sa, unsigned i)
{
	const struct ike_env *e = sa->sa_env;
	struct ike_child *ch = &sa->sa_child[i];

	if (ch->ch_installed)
		e->ie_child_remove(e->ie_ctx, sa, ch);
	OPENSSL_cleanse(ch, sizeof(*ch));
	memmove(ch, ch + 1, (sa->sa_n_child - i - 1) * sizeof(*ch));
	sa->sa_n_child--;
}

/* ESP Deletes: each named child goes, and our answer names its inbound
 * SPI, so that both halves go together (1.4.1). */
static void delete_children(struct ike_sa *sa, const struct ike_delete *d, uint8_t *spis,
			    uint16_t *n_spis)
{
	for (uint16_t k = 0; k < d->nd_n_spi; k++) {
		int i = child_by_out(sa, spi32(d->nd_spis + 4 * k));
		uint32_t in;

		if (i < 0)
			continue;
		in = sa->sa_child[i].ch_spi_in;
		child_drop(sa, (unsigned)i);
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

void ike_create_request(struct ike_sa *sa, struct ike_msg *m)
{
	struct ike_msg r;

	(void)m;
	ike_msg_init(&r, IKE_EXCH_CREATE_CHILD_SA, 0, 0);
	ike_pld_add_notify(&r, true, IKE_N_NO_ADDITIONAL_SAS);
	ike_sa_respond(sa, &r);
}

void ike_create_response(struct ike_sa *sa, struct ike_msg *m)
{
	(void)sa;
	(void)m;
}
