/* Two IKE-lite nodes joined by an in-memory network (see ike_pair.h). */
#include "ike_pair.h"

#include <string.h>

static int pair_send(void *ctx, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		     const uint8_t *msg, size_t len)
{
	struct ike_pair *p = ((struct ike_pair_node *)ctx)->pn_pair;

	(void)src, (void)sport, (void)dport;
	if (p->ip_nq == IKE_PAIR_QUEUE || len > IKE_MSG_BUF)
		return -1;
	memcpy(p->ip_q[p->ip_nq], msg, len);
	p->ip_qlen[p->ip_nq] = len;
	p->ip_qdst[p->ip_nq++] = dst;
	return 0;
}

static int pair_spi(void *ctx, uint32_t *spi)
{
	*spi = ((struct ike_pair_node *)ctx)->pn_next_spi++;
	return 0;
}

static int pair_install(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
	return 0;
}

static void pair_child(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)ctx, (void)sa, (void)ch;
}

static void pair_changed(void *ctx, struct ike_sa *sa)
{
	if (sa->sa_state == IKE_SA_ESTABLISHED)
		((struct ike_pair_node *)ctx)->pn_established++;
}

int ike_pair_node_make(struct ike_pair *p, struct ike_pair_node *n, uint32_t spi,
		       const struct ike_mgr_limits *lim)
{
	n->pn_pair = p;
	n->pn_next_spi = spi;
	if (p->ip_conf.ic_policy == NULL) {
		p->ip_policy.po_has_psk = true;
		p->ip_conf.ic_policy = &p->ip_policy;
	}
	n->pn_env = (struct ike_env){.ie_ctx = n,
				     .ie_clock = &p->ip_ck,
				     .ie_timers = &p->ip_th,
				     .ie_send = pair_send,
				     .ie_spi_alloc = pair_spi,
				     .ie_child_install = pair_install,
				     .ie_child_remove = pair_child,
				     .ie_child_activate = pair_child,
				     .ie_sa_changed = pair_changed};
	n->pn_mgr = ike_mgr_create(n->pn_conf != NULL ? n->pn_conf : &p->ip_conf, &n->pn_env, lim);
	return n->pn_mgr != NULL ? 0 : -1;
}

bool ike_pair_next(struct ike_pair *p, uint8_t *buf, size_t *len, uint32_t *dst)
{
	if (p->ip_nq == 0)
		return false;
	*len = p->ip_qlen[0];
	*dst = p->ip_qdst[0];
	memcpy(buf, p->ip_q[0], *len);
	p->ip_nq--;
	memmove(p->ip_q, p->ip_q + 1, p->ip_nq * sizeof(p->ip_q[0]));
	memmove(p->ip_qlen, p->ip_qlen + 1, p->ip_nq * sizeof(p->ip_qlen[0]));
	memmove(p->ip_qdst, p->ip_qdst + 1, p->ip_nq * sizeof(p->ip_qdst[0]));
	return true;
}

void ike_pair_deliver(struct ike_pair *p, const uint8_t *buf, size_t len, uint32_t dst)
{
	if (dst == IKE_PAIR_B)
		ike_mgr_input(p->ip_b.pn_mgr, IKE_PAIR_A, 500, IKE_PAIR_B, 500, buf, len);
	else
		ike_mgr_input(p->ip_a.pn_mgr, IKE_PAIR_B, 500, IKE_PAIR_A, 500, buf, len);
}
