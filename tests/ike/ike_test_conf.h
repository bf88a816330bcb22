/* The IKE-lite configuration the cmocka tests start from: one IKE
 * proposal (aes256gcm16-prfsha256-x25519), one ESP proposal (aes256gcm16),
 * liveness checks after 30 s, retransmissions at 1 s, three tries. Include
 * after cmocka.h. */
#ifndef DMVPND_TESTS_IKE_TEST_CONF_H
#define DMVPND_TESTS_IKE_TEST_CONF_H

#include <string.h>

#include "ike_sa.h"

static inline void ike_test_conf_default(struct ike_conf *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(ike_prop_ike_parse("aes256gcm16-prfsha256-x25519", &c->ic_ike[0]), 0);
	c->ic_n_ike = 1;
	assert_int_equal(ike_prop_esp_parse("aes256gcm16", &c->ic_esp[0]), 0);
	c->ic_n_esp = 1;
	c->ic_dpd_s = 30;
	c->ic_retransmit_ms = 1000;
	c->ic_retransmit_tries = 3;
	c->ic_replay_window = 1024;
}

#endif
