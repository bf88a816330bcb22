/* IKE-lite: the state of one IKE SA. Its names, its timers armed for the
 * next liveness check and lifetime event, and its end: killed (DEAD at
 * once, children out of the dataplane) and destroyed. */
#include <stdlib.h>

#include <openssl/crypto.h>

#include "ike_exch.h"
#include "ike_sa.h"

static const char *const state_names[] = {
	[IKE_SA_INIT_SENT] = "init-sent", [IKE_SA_AUTH_SENT] = "auth-sent",
	[IKE_SA_INIT_DONE] = "init-done", [IKE_SA_ESTABLISHED] = "established",
	[IKE_SA_DELETING] = "deleting",   [IKE_SA_DEAD] = "dead",
};

static const char *const error_names[IKE_ERR_COUNT] = {
#define IKE_SA_ERR_NAME(e, n) [IKE_ERR_##e] = n,
	IKE_SA_ERRORS(IKE_SA_ERR_NAME)
#undef IKE_SA_ERR_NAME
};

const char *ike_sa_state_name(enum ike_sa_state s)
{
	return (unsigned)s <= IKE_SA_DEAD ? state_names[s] : "?";
}

const char *ike_sa_error_name(enum ike_sa_error e)
{
	return (unsigned)e < IKE_ERR_COUNT ? error_names[e] : "?";
}

static void children_remove(struct ike_sa *sa)
{
	const struct ike_env *e = sa->sa_env;

	for (unsigned i = 0; i < sa->sa_n_child; i++) {
		struct ike_child *ch = &sa->sa_child[i];

		if (ch->ch_installed)
			e->ie_child_remove(e->ie_ctx, sa, ch);
		OPENSSL_cleanse(ch, sizeof(*ch));
	}
	sa->sa_n_child = 0;
}

void ike_sa_destroy(struct ike_sa *sa)
{
	struct timer_heap *th;

	if (sa == NULL)
		return;
	th = sa->sa_env->ie_timers;
	children_remove(sa);
	timer_cancel(th, &sa->sa_retransmit);
	timer_cancel(th, &sa->sa_dpd);
	timer_cancel(th, &sa->sa_lifetime);
	ike_dh_destroy(sa->sa_dh);
	ike_dh_destroy(sa->sa_rk_dh);
	ike_kdf_keys_fini(&sa->sa_keys);
	free(sa->sa_init_req);
	free(sa->sa_init_resp);
	free(sa->sa_cookie);
	free(sa->sa_req);
	free(sa->sa_resp);
	ike_frag_rx_free(sa);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

uint64_t ike_sa_local_spi(const struct ike_sa *sa)
{
	const uint8_t *s = sa->sa_initiator ? sa->sa_spi_i : sa->sa_spi_r;
	uint64_t v = 0;

	for (unsigned i = 0; i < IKE_SPI_LEN; i++)
		v = v << 8 | s[i];
	return v;
}

/* 1. Children out of the dataplane, 2. timers stopped, 3. DEAD, then the
 * owner is told (and frees the SA once it returns to its loop). */
void ike_sa_kill(struct ike_sa *sa, enum ike_sa_error why)
{
	const struct ike_env *e = sa->sa_env;

	if (sa->sa_state == IKE_SA_DEAD)
		return;
	children_remove(sa);
	timer_cancel(e->ie_timers, &sa->sa_retransmit);
	timer_cancel(e->ie_timers, &sa->sa_dpd);
	timer_cancel(e->ie_timers, &sa->sa_lifetime);
	sa->sa_state = IKE_SA_DEAD;
	sa->sa_error = why;
	e->ie_sa_changed(e->ie_ctx, sa);
}

void ike_sa_dpd_arm(struct ike_sa *sa)
{
	const struct ike_env *e = sa->sa_env;

	if (sa->sa_conf->ic_dpd_s == 0 || sa->sa_state != IKE_SA_ESTABLISHED)
		return;
	timer_arm(e->ie_timers, &sa->sa_dpd,
		  sa->sa_last_rx_ns + (uint64_t)sa->sa_conf->ic_dpd_s * CLK_NS_PER_S);
}

void ike_sa_lifetime_arm(struct ike_sa *sa)
{
	const struct ike_env *e = sa->sa_env;
	uint64_t next = sa->sa_rekey_ns, now = clock_now(e->ie_clock);

	for (unsigned i = 0; i < sa->sa_n_child; i++) {
		const struct ike_child *ch = &sa->sa_child[i];
		uint64_t t = ch->ch_rekeyed ? ch->ch_expire_ns : ch->ch_rekey_ns;

		next = t < next ? t : next;
	}
	if (next == UINT64_MAX || sa->sa_state != IKE_SA_ESTABLISHED) {
		timer_cancel(e->ie_timers, &sa->sa_lifetime);
		return;
	}
	timer_arm(e->ie_timers, &sa->sa_lifetime, next > now ? next : now);
}
