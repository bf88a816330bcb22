/* IKE-lite admission control: stateless cookies and a token bucket per
 * source (see ike_guard.h). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_crypto.h"
#include "ike_guard.h"

#define NS_PER_S UINT64_C(1000000000)

int ike_guard_init(struct ike_guard *g, uint32_t rate, uint32_t burst, uint64_t now)
{
	memset(g, 0, sizeof(*g));
	src_rate_init(&g->gd_rate, rate, burst);
	g->gd_rotated_ns = now;
	if (ike_rand_bytes(g->gd_secret, sizeof(g->gd_secret)) != 0 ||
	    ike_rand_bytes(g->gd_prev, sizeof(g->gd_prev)) != 0)
		return -EIO;
	return 0;
}

void ike_guard_fini(struct ike_guard *g)
{
	OPENSSL_cleanse(g->gd_secret, sizeof(g->gd_secret));
	OPENSSL_cleanse(g->gd_prev, sizeof(g->gd_prev));
}

/* A new secret every IKE_GUARD_SECRET_S; the previous one still checks
 * cookies handed out just before the change. */
static void rotate(struct ike_guard *g, uint64_t now)
{
	if (now - g->gd_rotated_ns < IKE_GUARD_SECRET_S * NS_PER_S)
		return;
	memcpy(g->gd_prev, g->gd_secret, sizeof(g->gd_prev));
	if (ike_rand_bytes(g->gd_secret, sizeof(g->gd_secret)) != 0)
		return; /* keep the old one rather than none */
	g->gd_version++;
	g->gd_rotated_ns = now;
}

/* version | HMAC-SHA-256(secret, Ni | IPi | SPIi)[0..16) (2.6). */
static int cookie_of(const uint8_t *secret, uint8_t version, const uint8_t *ni, size_t ni_len,
		     uint32_t src, uint64_t spi_i, uint8_t out[IKE_COOKIE_LEN])
{
	uint8_t in[256 + 4 + 8], mac[32];
	size_t n = ni_len < 256 ? ni_len : 256;
	int rc;

	memcpy(in, ni, n);
	for (unsigned i = 0; i < 4; i++)
		in[n + i] = (uint8_t)(src >> (24 - 8 * i));
	for (unsigned i = 0; i < 8; i++)
		in[n + 4 + i] = (uint8_t)(spi_i >> (56 - 8 * i));
	rc = ike_prf(IKE_CRYPTO_PRF_HMAC_SHA2_256, secret, 32, in, n + 12, mac);
	out[0] = version;
	memcpy(out + 1, mac, IKE_COOKIE_LEN - 1);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int ike_guard_cookie(struct ike_guard *g, uint64_t now, const uint8_t *ni, size_t ni_len,
		     uint32_t src, uint64_t spi_i, uint8_t out[IKE_COOKIE_LEN])
{
	rotate(g, now);
	return cookie_of(g->gd_secret, g->gd_version, ni, ni_len, src, spi_i, out);
}

bool ike_guard_cookie_ok(struct ike_guard *g, uint64_t now, const uint8_t *ni, size_t ni_len,
			 uint32_t src, uint64_t spi_i, const uint8_t *cookie, size_t len)
{
	uint8_t want[IKE_COOKIE_LEN];
	const uint8_t *secret;

	rotate(g, now);
	if (len != IKE_COOKIE_LEN)
		return false;
	if (cookie[0] == g->gd_version)
		secret = g->gd_secret;
	else if (cookie[0] == (uint8_t)(g->gd_version - 1))
		secret = g->gd_prev;
	else
		return false;
	if (cookie_of(secret, cookie[0], ni, ni_len, src, spi_i, want) != 0)
		return false;
	return CRYPTO_memcmp(want, cookie, IKE_COOKIE_LEN) == 0;
}

bool ike_guard_admit(struct ike_guard *g, uint32_t src, uint64_t now)
{
	return src_rate_take(&g->gd_rate, src, now);
}
