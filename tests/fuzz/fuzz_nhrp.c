/* libFuzzer target for the NHRP codec: decode arbitrary bytes; whatever
 * decodes must encode (unless the encoder rightly refuses it), decode back
 * to an equal message and re-encode to the same bytes. Seed corpus:
 * tests/fuzz/corpus_nhrp/ (the NHRP payloads of shared/fixtures/nhrp). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_nhrp: %s (line %d)\n", #cond, __LINE__); \
			abort();                                                       \
		}                                                                      \
	} while (0)

static bool addr_eq(const struct nhrp_addr4 *a, const struct nhrp_addr4 *b)
{
	return a->na_present == b->na_present && a->na_addr == b->na_addr;
}

static bool cies_eq(const struct nhrp_cie *a, const struct nhrp_cie *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (a[i].ce_code != b[i].ce_code || a[i].ce_prefix_len != b[i].ce_prefix_len ||
		    a[i].ce_mtu != b[i].ce_mtu || a[i].ce_holding_time != b[i].ce_holding_time ||
		    a[i].ce_pref != b[i].ce_pref || !addr_eq(&a[i].ce_nbma, &b[i].ce_nbma) ||
		    !addr_eq(&a[i].ce_proto, &b[i].ce_proto))
			return false;
	return true;
}

static bool bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

static bool exts_eq(const struct nhrp_msg *a, const struct nhrp_msg *b)
{
	if (a->nm_n_ext != b->nm_n_ext || a->nm_ext_unknown != b->nm_ext_unknown ||
	    a->nm_unrecognized_off != b->nm_unrecognized_off)
		return false;
	for (unsigned int i = 0; i < a->nm_n_ext; i++) {
		const struct nhrp_ext_ref *x = &a->nm_ext[i], *y = &b->nm_ext[i];

		if (x->xr_type != y->xr_type || x->xr_len != y->xr_len ||
		    (x->xr_value == NULL) != (y->xr_value == NULL) ||
		    (x->xr_value != NULL && !bytes_eq(x->xr_value, y->xr_value, x->xr_len)))
			return false;
	}
	return a->nm_n_responder == b->nm_n_responder &&
	       cies_eq(&a->nm_responder, &b->nm_responder, a->nm_n_responder) &&
	       a->nm_n_fwd == b->nm_n_fwd && cies_eq(a->nm_fwd, b->nm_fwd, a->nm_n_fwd) &&
	       a->nm_n_rev == b->nm_n_rev && cies_eq(a->nm_rev, b->nm_rev, a->nm_n_rev) &&
	       a->nm_auth_type == b->nm_auth_type && a->nm_auth_len == b->nm_auth_len &&
	       bytes_eq(a->nm_auth, b->nm_auth, a->nm_auth_len) && a->nm_n_nat == b->nm_n_nat &&
	       cies_eq(a->nm_nat, b->nm_nat, a->nm_n_nat);
}

static bool msg_eq(const struct nhrp_msg *a, const struct nhrp_msg *b)
{
	return a->nm_type == b->nm_type && a->nm_version == b->nm_version &&
	       a->nm_hop_count == b->nm_hop_count && a->nm_flags == b->nm_flags &&
	       a->nm_request_id == b->nm_request_id && a->nm_err_code == b->nm_err_code &&
	       a->nm_err_offset == b->nm_err_offset && a->nm_traffic_code == b->nm_traffic_code &&
	       addr_eq(&a->nm_src_nbma, &b->nm_src_nbma) &&
	       addr_eq(&a->nm_src_proto, &b->nm_src_proto) &&
	       addr_eq(&a->nm_dst_proto, &b->nm_dst_proto) && a->nm_n_cie == b->nm_n_cie &&
	       cies_eq(a->nm_cie, b->nm_cie, a->nm_n_cie) && a->nm_quoted_len == b->nm_quoted_len &&
	       bytes_eq(a->nm_quoted, b->nm_quoted, a->nm_quoted_len) && exts_eq(a, b);
}

/* The documented refusals: extensions in an Error Indication (RFC 2332
 * 5.2.7) and hop count 0 on a registration or Traffic Indication. */
static bool encode_refuses(const struct nhrp_msg *m)
{
	if (m->nm_type == NHRP_TYPE_ERROR_INDICATION && m->nm_n_ext != 0)
		return true;
	return m->nm_hop_count == 0 && (m->nm_type == NHRP_TYPE_REGISTRATION_REQUEST ||
					m->nm_type == NHRP_TYPE_REGISTRATION_REPLY ||
					m->nm_type == NHRP_TYPE_TRAFFIC_INDICATION);
}

static bool decoded(int rc)
{
	return rc == 0 || rc == -NHRP_DECODE_UNKNOWN_COMPULSORY_EXTENSION;
}

static void roundtrip(const uint8_t *data, size_t size)
{
	static uint8_t out1[NHRP_PKT_MAX], out2[NHRP_PKT_MAX];
	static struct nhrp_msg a, b;
	size_t len1, len2;
	int rc;

	rc = nhrp_msg_decode(data, size, &a);
	CHECK(rc <= 0 && rc > -NHRP_DECODE_COUNT);
	if (!decoded(rc))
		return;
	rc = nhrp_msg_encode(&a, out1, sizeof(out1), &len1);
	CHECK(rc == (encode_refuses(&a) ? -EINVAL : 0));
	if (rc != 0)
		return;
	CHECK(len1 <= size);
	CHECK(decoded(nhrp_msg_decode(out1, len1, &b)));
	CHECK(msg_eq(&a, &b));
	CHECK(nhrp_msg_encode(&b, out2, sizeof(out2), &len2) == 0);
	CHECK(len2 == len1 && memcmp(out1, out2, len1) == 0);
}

/* Random bytes almost never carry a valid checksum, which would keep the
 * fuzzer at the door; so each input is also tried with ar$chksum made
 * right (RFC 1071 over what ar$pktsz claims, clipped to the input). The
 * copy is exactly size bytes so ASan still sees every overread. */
static void roundtrip_checksummed(const uint8_t *data, size_t size)
{
	size_t len = size < 12 ? 0 : (size_t)data[10] << 8 | data[11];
	uint32_t sum = 0;
	uint8_t *p;

	if (size < 20)
		return;
	p = malloc(size);
	if (p == NULL)
		return;
	memcpy(p, data, size);
	p[12] = p[13] = 0;
	for (size_t i = 0; i < len && i < size; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[12] = (uint8_t)(~sum >> 8);
	p[13] = (uint8_t)~sum;
	roundtrip(p, size);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip(data, size);
	roundtrip_checksummed(data, size);
	return 0;
}
