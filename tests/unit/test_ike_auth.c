/* IKE-lite authentication: certificates (RSA and ECDSA, RFC 7427
 * signatures, chain, CRL, validity, identities against subject and
 * subjectAltName), per-peer and wildcard pre-shared keys, and IKE
 * fragmentation (RFC 7383) of the large IKE_AUTH messages certificates
 * make, with fragments lost and reordered. Two real ike_mgr nodes in one
 * process (tests/ike/ike_pair); the PKI is made by the openssl command
 * line (tests/ike/make_pki.sh), independent of the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ike_pair.h"
#include "ike_test_conf.h"

static char pki[128];
static struct ike_pair w;
static struct ike_conf conf_a, conf_b;
static struct cfg_ike cfg_a, cfg_b;
static struct ike_policy pol_a, pol_b;
static enum ike_sa_error err_a, err_b;
static struct ike_sa *sa_a, *sa_b; /* the established SAs, as last seen */
static unsigned skf_seen, dropped;
static int drop_nth = -1; /* drop the nth SKF datagram (0-based) */
static bool reverse_skf;  /* deliver each burst of fragments backwards */

static void path(char *out, size_t len, const char *file)
{
	size_t n = strlen(pki);

	assert_true(n + 1 + strlen(file) < len);
	memcpy(out, pki, n);
	out[n] = '/';
	strcpy(out + n + 1, file);
}

static int group_setup(void **state)
{
	const char *src = getenv("DMVPND_SRCDIR");
	char cmd[1024];

	(void)state;
	snprintf(pki, sizeof(pki), "/tmp/dmvpnd-test-pki.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "sh %s/tests/ike/make_pki.sh %s", src != NULL ? src : "..", pki);
	return system(cmd) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
	return system(cmd) == 0 ? 0 : -1;
}

static void cfg_default(struct cfg_ike *k)
{
	memset(k, 0, sizeof(*k));
	k->fragmentation = true;
	k->fragment_size = 1280;
}

/* Our certificate NAME.pem/.key and the CA. */
static void cfg_cert(struct cfg_ike *k, const char *name)
{
	char f[64];

	snprintf(f, sizeof(f), "%s.pem", name);
	path(k->cert, sizeof(k->cert), f);
	snprintf(f, sizeof(f), "%s.key", name);
	path(k->key, sizeof(k->key), f);
	path(k->ca, sizeof(k->ca), "ca.pem");
	k->auth = CFG_IKE_AUTH_CERT;
}

static void cfg_psk(struct cfg_ike *k, const char *psk)
{
	k->psk_len = (uint8_t)strlen(psk);
	memcpy(k->psk, psk, k->psk_len);
	k->auth = CFG_IKE_AUTH_PSK;
}

static void cfg_id(struct cfg_ike_id *id, const char *text)
{
	const char *why;

	assert_int_equal(cfg_ike_id_parse(text, id, &why), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	clock_init_fake(&w.ip_ck, 1000 * CLK_NS_PER_S);
	timer_heap_init(&w.ip_th);
	ike_test_conf_default(&conf_a);
	ike_test_conf_default(&conf_b);
	cfg_default(&cfg_a);
	cfg_default(&cfg_b);
	err_a = err_b = IKE_ERR_NONE;
	sa_a = sa_b = NULL;
	skf_seen = dropped = 0;
	drop_nth = -1;
	reverse_skf = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ike_mgr_destroy(w.ip_a.pn_mgr);
	ike_mgr_destroy(w.ip_b.pn_mgr);
	w.ip_a.pn_mgr = w.ip_b.pn_mgr = NULL;
	timer_heap_fini(&w.ip_th);
	ike_policy_free(&pol_a);
	ike_policy_free(&pol_b);
	return 0;
}

/* Loads both policies and makes the nodes. */
static void start(void)
{
	struct ike_mgr_limits lim = {
		.ml_max_sas = 16, .ml_max_half_open = 8, .ml_cookie_threshold = IKE_MGR_NO_COOKIE};
	char err[256];

	if (ike_policy_load(&pol_a, &cfg_a, err, sizeof(err)) != 0)
		fail_msg("A: %s", err);
	if (ike_policy_load(&pol_b, &cfg_b, err, sizeof(err)) != 0)
		fail_msg("B: %s", err);
	conf_a.ic_policy = &pol_a;
	conf_b.ic_policy = &pol_b;
	w.ip_a.pn_conf = &conf_a;
	w.ip_b.pn_conf = &conf_b;
	assert_int_equal(ike_pair_node_make(&w, &w.ip_a, 0xa0000000u, &lim), 0);
	assert_int_equal(ike_pair_node_make(&w, &w.ip_b, 0xb0000000u, &lim), 0);
}

static bool is_skf(const uint8_t *m, size_t len)
{
	return len > IKE_HDR_LEN && m[16] == IKE_PL_SKF;
}

static void sa_seen(struct ike_sa *sa, void *arg)
{
	struct ike_sa **out = arg;

	*out = sa;
}

/* Delivers until the network is quiet, time passing in 100 ms steps for
 * retransmissions; drops and reorders fragments as told. */
static void run(unsigned ms)
{
	static uint8_t buf[IKE_PAIR_QUEUE][IKE_MSG_BUF];
	size_t len[IKE_PAIR_QUEUE];
	uint32_t dst[IKE_PAIR_QUEUE];

	for (unsigned t = 0; t <= ms; t += 100) {
		for (unsigned guard = 0; guard < 100 && w.ip_nq != 0; guard++) {
			unsigned n = 0;

			while (n < IKE_PAIR_QUEUE && ike_pair_next(&w, buf[n], &len[n], &dst[n]))
				n++;
			for (unsigned j = 0; j < n; j++) {
				unsigned i =
					reverse_skf && is_skf(buf[n - 1 - j], len[n - 1 - j]) &&
							is_skf(buf[j], len[j])
						? n - 1 - j
						: j;

				if (is_skf(buf[i], len[i]) && (int)skf_seen++ == drop_nth) {
					dropped++;
					continue;
				}
				ike_pair_deliver(&w, buf[i], len[i], dst[i]);
			}
		}
		clock_fake_advance(&w.ip_ck, 100 * CLK_NS_PER_MS);
		timer_run(&w.ip_th, clock_now(&w.ip_ck));
		ike_mgr_reap(w.ip_a.pn_mgr);
		ike_mgr_reap(w.ip_b.pn_mgr);
	}
	sa_a = sa_b = NULL;
	ike_mgr_walk(w.ip_a.pn_mgr, sa_seen, &sa_a);
	ike_mgr_walk(w.ip_b.pn_mgr, sa_seen, &sa_b);
}

static void connect_a_to_b(void)
{
	assert_non_null(ike_mgr_initiate(w.ip_a.pn_mgr, IKE_PAIR_A, IKE_PAIR_B));
	run(1000);
}

static void assert_up(void)
{
	assert_int_equal(w.ip_a.pn_established, 1);
	assert_int_equal(w.ip_b.pn_established, 1);
	assert_non_null(sa_a);
	assert_non_null(sa_b);
	assert_int_equal(sa_a->sa_state, IKE_SA_ESTABLISHED);
	assert_int_equal(sa_b->sa_state, IKE_SA_ESTABLISHED);
}

/* The peer's identity as text. */
static const char *peer_id(const struct ike_sa *sa)
{
	static char buf[512];

	return ike_ident_str(&sa->sa_peer_id, buf, sizeof(buf));
}

/* 1. ECDSA P-384 spoke to an RSA-4096 hub: both sign (RFC 7427), both
 *    check the other's chain, the IDs default to the subjects, and the
 *    hub's IKE_AUTH answer (1.3 KB certificate, 512-octet signature)
 *    goes in fragments. */
static void test_cert_rsa_ecdsa(void **state)
{
	(void)state;
	cfg_cert(&cfg_a, "spoke");
	cfg_cert(&cfg_b, "hub");
	start();
	connect_a_to_b();
	assert_up();
	assert_int_equal(sa_a->sa_auth, IKE_PA_CERT);
	assert_int_equal(sa_b->sa_auth, IKE_PA_CERT);
	assert_true(sa_a->sa_frag && sa_b->sa_frag);
	assert_string_equal(peer_id(sa_a), "O=dmvpnd test, CN=hub");
	assert_string_equal(peer_id(sa_b), "O=dmvpnd test, CN=spoke1");
	assert_true(skf_seen >= 2); /* B's answer; A's request (P-384) fits in one */
	assert_true(sa_b->sa_resp_nfrag >= 2);
}

/* 2. IDs that name a subjectAltName: FQDN, RFC 822 and IPv4 address; a DN
 *    written in the config (UTF8String) matches the CA's encoding. */
static void test_cert_ids(void **state)
{
	(void)state;
	cfg_cert(&cfg_a, "spoke");
	cfg_id(&cfg_a.local_id, "spoke1.example.net");
	cfg_cert(&cfg_b, "hub");
	cfg_id(&cfg_b.local_id, "O=dmvpnd test, CN=hub");
	start();
	connect_a_to_b();
	assert_up();
	assert_string_equal(peer_id(sa_b), "spoke1.example.net");
	assert_int_equal(sa_b->sa_peer_id.id_type, IKE_ID_FQDN);
	teardown(NULL);

	setup(NULL);
	cfg_cert(&cfg_a, "spoke");
	cfg_id(&cfg_a.local_id, "ops@example.net");
	cfg_cert(&cfg_b, "hub");
	cfg_id(&cfg_b.local_id, "198.51.100.1");
	start();
	connect_a_to_b();
	assert_up();
	assert_string_equal(peer_id(sa_b), "ops@example.net");
	assert_string_equal(peer_id(sa_a), "198.51.100.1");
}

/* 3. Refusals, each counted by its reason at the side that checks: an ID
 *    the certificate does not hold, a revoked, an expired and a foreign
 *    CA's certificate. The refused side learns AUTHENTICATION_FAILED. */
static void refused(const char *cert, const char *local_id, bool crl)
{
	setup(NULL);
	cfg_cert(&cfg_a, cert);
	if (strcmp(cert, "rogue") == 0) /* its own chain must check at load */
		path(cfg_a.ca, sizeof(cfg_a.ca), "rogue-ca.pem");
	if (local_id != NULL)
		cfg_id(&cfg_a.local_id, local_id);
	cfg_cert(&cfg_b, "hub");
	if (crl)
		path(cfg_b.crl, sizeof(cfg_b.crl), "crl.pem");
	start();
	connect_a_to_b();
	assert_int_equal(w.ip_b.pn_established, 0);
	assert_int_equal(w.ip_a.pn_established, 0);
	assert_int_equal(w.ip_b.pn_mgr->mg_stats.ms_dead_by[IKE_ERR_CERT], 1);
	assert_int_equal(w.ip_a.pn_mgr->mg_stats.ms_dead_by[IKE_ERR_PEER_AUTH_FAILED], 1);
	teardown(NULL);
}

static void test_cert_refused(void **state)
{
	char err[256];

	(void)state;
	teardown(NULL);
	refused("spoke", "spoke9.example.net", false);
	refused("revoked", NULL, true);
	refused("rogue", "spoke2.example.net", false);
	/* our own expired certificate is refused at start, not at the peer */
	setup(NULL);
	cfg_cert(&cfg_a, "expired");
	assert_int_not_equal(ike_policy_load(&pol_a, &cfg_a, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "certificate has expired"));
}

/* The same at the level of the verifier, where the reason is kept. */
static void test_cert_verify(void **state)
{
	static const char *const files[] = {"spoke.pem", "revoked.pem", "expired.pem", "rogue.pem"};
	static const enum ike_cert_err want[] = {IKE_CERT_OK, IKE_CERT_REVOKED, IKE_CERT_EXPIRED,
						 IKE_CERT_CHAIN};
	struct cfg_ike_id cid;
	struct ike_ident id;
	char f[512], err[256];

	(void)state;
	cfg_cert(&cfg_b, "hub");
	path(cfg_b.crl, sizeof(cfg_b.crl), "crl.pem");
	assert_int_equal(ike_policy_load(&pol_b, &cfg_b, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 4; i++) {
		uint8_t der[4096], *p = der;
		const uint8_t *dp = der;
		size_t dl;
		FILE *fp;
		X509 *x;
		EVP_PKEY *k = NULL;

		path(f, sizeof(f), files[i]);
		fp = fopen(f, "r");
		assert_non_null(fp);
		x = PEM_read_X509(fp, NULL, NULL, NULL);
		fclose(fp);
		assert_non_null(x);
		dl = (size_t)i2d_X509(x, &p);
		/* the subject as the ID */
		id.id_type = IKE_ID_DER_ASN1_DN;
		p = id.id_data;
		id.id_len = (uint8_t)i2d_X509_NAME(X509_get_subject_name(x), &p);
		X509_free(x);
		assert_int_equal(ike_cert_verify(&pol_b.po_creds, &dp, &dl, 1, &id, &k), want[i]);
		EVP_PKEY_free(k);
		if (i == 0) {
			cfg_id(&cid, "spoke9.example.net");
			assert_int_equal(ike_ident_from_cfg(&cid, &id), 0);
			assert_int_equal(ike_cert_verify(&pol_b.po_creds, &dp, &dl, 1, &id, &k),
					 IKE_CERT_ID);
			cfg_id(&cid, "198.51.100.2");
			assert_int_equal(ike_ident_from_cfg(&cid, &id), 0);
			assert_int_equal(ike_cert_verify(&pol_b.po_creds, &dp, &dl, 1, &id, &k),
					 IKE_CERT_OK);
			EVP_PKEY_free(k);
			dl -= 1; /* truncated DER */
			assert_int_equal(ike_cert_verify(&pol_b.po_creds, &dp, &dl, 1, &id, &k),
					 IKE_CERT_PARSE);
		}
	}
}

/* 4. A lost fragment: the whole request goes again and the exchange
 *    completes; fragments in reverse order reassemble. */
static void test_frag_loss_reorder(void **state)
{
	(void)state;
	cfg_cert(&cfg_a, "hub");
	cfg_cert(&cfg_b, "spoke");
	start();
	drop_nth = 1; /* the second fragment of A's IKE_AUTH request */
	assert_non_null(ike_mgr_initiate(w.ip_a.pn_mgr, IKE_PAIR_A, IKE_PAIR_B));
	run(3000);
	assert_int_equal(dropped, 1);
	assert_up();
	assert_true(sa_a->sa_retransmits >= 1);
	teardown(NULL);

	setup(NULL);
	cfg_cert(&cfg_a, "hub");
	cfg_cert(&cfg_b, "hub");
	reverse_skf = true;
	start();
	connect_a_to_b();
	assert_up();
	assert_true(skf_seen >= 4);
}

/* 5. Fragmentation off at one side: nothing is fragmented and small
 *    enough messages still go (ECDSA certificates). */
static void test_frag_off(void **state)
{
	(void)state;
	cfg_cert(&cfg_a, "ecp256");
	cfg_cert(&cfg_b, "spoke");
	cfg_b.fragmentation = false;
	start();
	connect_a_to_b();
	assert_up();
	assert_false(sa_a->sa_frag || sa_b->sa_frag);
	assert_int_equal(skf_seen, 0);
}

/* 6. Pre-shared keys per peer: by identity, by address, the wildcard for
 *    the rest; an address pinned to an identity refuses any other. */
static void psk_case(const char *a_id, const char *a_psk, bool pin, bool want_up)
{
	setup(NULL);
	cfg_psk(&cfg_a, a_psk);
	if (a_id != NULL)
		cfg_id(&cfg_a.local_id, a_id);
	cfg_psk(&cfg_b, "the-tunnel-wildcard-psk");
	cfg_id(&cfg_b.peers[0].id, "spoke1.example.net");
	memcpy(cfg_b.peers[0].psk, "spoke-one-own-psk", 17);
	cfg_b.peers[0].psk_len = 17;
	if (pin)
		cfg_b.peers[0].addr = IKE_PAIR_A;
	cfg_b.n_peers = 1;
	start();
	connect_a_to_b();
	assert_int_equal(w.ip_b.pn_established, want_up ? 1 : 0);
	assert_int_equal(w.ip_a.pn_established, want_up ? 1 : 0);
	teardown(NULL);
}

static void test_psk_per_peer(void **state)
{
	(void)state;
	teardown(NULL);
	psk_case("spoke1.example.net", "spoke-one-own-psk", false, true);
	psk_case("spoke1.example.net", "the-tunnel-wildcard-psk", false, false);
	psk_case("spoke2.example.net", "the-tunnel-wildcard-psk", false, true);
	psk_case(NULL, "the-tunnel-wildcard-psk", false, true);
	psk_case("spoke1.example.net", "spoke-one-own-psk", true, true);
	psk_case("spoke2.example.net", "the-tunnel-wildcard-psk", true, false);
	setup(NULL);
}

/* 7. A side that signs against one that wants a PSK: refused. A key file
 *    others may read is refused at load. */
static void test_mixed_and_key_mode(void **state)
{
	char key[256], cmd[1200], err[256];

	(void)state;
	cfg_cert(&cfg_a, "spoke");
	cfg_psk(&cfg_b, "the-tunnel-wildcard-psk");
	start();
	connect_a_to_b();
	assert_int_equal(w.ip_b.pn_established, 0);
	assert_int_equal(w.ip_b.pn_mgr->mg_stats.ms_dead_by[IKE_ERR_AUTH_FAILED], 1);

	path(key, sizeof(key), "spoke-644.key");
	snprintf(cmd, sizeof(cmd), "cp %s/spoke.key %s && chmod 644 %s", pki, key, key);
	assert_int_equal(system(cmd), 0);
	cfg_cert(&cfg_a, "spoke");
	memcpy(cfg_a.key, key, sizeof(key));
	ike_policy_free(&pol_a);
	assert_int_not_equal(ike_policy_load(&pol_a, &cfg_a, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "may be read by others"));
	path(cfg_a.key, sizeof(cfg_a.key), "ecp256.key"); /* not the certificate's key */
	assert_int_not_equal(ike_policy_load(&pol_a, &cfg_a, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "is not the key of cert"));
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_cert_rsa_ecdsa), T(test_cert_ids),           T(test_cert_refused),
		T(test_cert_verify),    T(test_frag_loss_reorder),  T(test_frag_off),
		T(test_psk_per_peer),   T(test_mixed_and_key_mode),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
