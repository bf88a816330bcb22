/* Values IKE_SA_INIT needs that come from no key: random SPIs and nonces
 * (RFC 7296 2.6, 2.10) and the NAT detection hashes (2.23). */
#include "ike_crypto.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

int ike_rand_bytes(uint8_t *buf, size_t len)
{
	if (len > INT32_MAX)
		return -EINVAL;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

int ike_rand_spi(uint8_t spi[IKE_SPI_LEN])
{
	static const uint8_t zero[IKE_SPI_LEN];

	/* 3.1: an all-zero SPI means "unknown"; redraw (2^-64 per try) */
	for (;;) {
		int rc = ike_rand_bytes(spi, IKE_SPI_LEN);

		if (rc < 0)
			return rc;
		if (memcmp(spi, zero, IKE_SPI_LEN) != 0)
			return 0;
	}
}

/* 2.23: the hash binds the SPIs, so a stale or replayed notify from
 * another SA does not match. */
int ike_natd_hash(const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		  const uint8_t *addr, size_t addr_len, uint16_t port,
		  uint8_t out[IKE_NATD_HASH_LEN])
{
	const uint8_t port_be[2] = {(uint8_t)(port >> 8), (uint8_t)port};
	EVP_MD_CTX *md;
	unsigned int len = 0;
	int rc = -EIO;

	if (addr_len != 4 && addr_len != 16)
		return -EINVAL;
	md = EVP_MD_CTX_new();
	if (md != NULL && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(md, spi_i, IKE_SPI_LEN) == 1 &&
	    EVP_DigestUpdate(md, spi_r, IKE_SPI_LEN) == 1 &&
	    EVP_DigestUpdate(md, addr, addr_len) == 1 && EVP_DigestUpdate(md, port_be, 2) == 1 &&
	    EVP_DigestFinal_ex(md, out, &len) == 1 && len == IKE_NATD_HASH_LEN)
		rc = 0;
	EVP_MD_CTX_free(md);
	return rc;
}
