/* libFuzzer target for the IKEv2 codec: decode arbitrary bytes as a
 * message and, first byte as the type, as the plaintext chain of an SK
 * payload. Whatever decodes must encode, to the very input when decode
 * ignored nothing (im_lossy 0), and always to bytes that decode and
 * re-encode identically. Seed corpus: tests/fuzz/corpus_ike/ (the IKE
 * messages of shared/fixtures/ikev2, plus one decrypted SK chain). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "fuzz_ike: %s (line %d)\n", #cond, __LINE__); \
			abort();                                                      \
		}                                                                     \
	} while (0)

#define BUF_MAX (1u << 17)

static bool decoded(int rc)
{
	return rc == 0 || rc == -IKE_DECODE_UNKNOWN_CRITICAL_PAYLOAD;
}

static void rc_check(int rc)
{
	CHECK(rc <= 0 && rc > -IKE_DECODE_COUNT);
}

/* Encoding never adds bytes: only what decode ignored can go missing. */
static void roundtrip_msg(const uint8_t *data, size_t size)
{
	static uint8_t out1[BUF_MAX], out2[BUF_MAX];
	static struct ike_msg a, b;
	size_t len1, len2;
	int rc;

	rc = ike_msg_decode(data, size, &a);
	rc_check(rc);
	if (!decoded(rc))
		return;
	CHECK(ike_msg_encode(&a, out1, sizeof(out1), &len1) == 0);
	CHECK(len1 <= size);
	if (a.im_lossy == 0)
		CHECK(len1 == size && memcmp(out1, data, size) == 0);
	rc = ike_msg_decode(out1, len1, &b);
	CHECK(decoded(rc) && b.im_lossy == 0);
	CHECK(b.im_n_order == a.im_n_order && b.im_n_notify == a.im_n_notify &&
	      b.im_n_prop == a.im_n_prop && b.im_sk_first == a.im_sk_first &&
	      b.im_sk_body.bl_len == a.im_sk_body.bl_len);
	CHECK(ike_msg_encode(&b, out2, sizeof(out2), &len2) == 0);
	CHECK(len2 == len1 && memcmp(out1, out2, len1) == 0);
}

static void roundtrip_inner(const uint8_t *data, size_t size)
{
	static uint8_t out1[BUF_MAX], out2[BUF_MAX];
	static struct ike_msg a, b;
	size_t len1, len2;
	int rc;

	if (size == 0)
		return;
	memset(&a, 0, sizeof(a));
	rc = ike_msg_decode_inner(data[0], data + 1, size - 1, &a);
	rc_check(rc);
	CHECK(rc != -IKE_DECODE_TRUNCATED && rc != -IKE_DECODE_BAD_VERSION);
	if (!decoded(rc))
		return;
	CHECK(ike_msg_encode_payloads(&a, out1, sizeof(out1), &len1) == 0);
	CHECK(len1 <= size - 1);
	if (a.im_lossy == 0)
		CHECK(len1 == size - 1 && memcmp(out1, data + 1, len1) == 0);
	memset(&b, 0, sizeof(b));
	rc = ike_msg_decode_inner(a.im_n_inner ? a.im_inner[0].pr_type : 0, out1, len1, &b);
	CHECK(decoded(rc) && b.im_lossy == 0 && b.im_n_inner == a.im_n_inner);
	CHECK(ike_msg_encode_payloads(&b, out2, sizeof(out2), &len2) == 0);
	CHECK(len2 == len1 && memcmp(out1, out2, len1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > BUF_MAX)
		return 0;
	roundtrip_msg(data, size);
	roundtrip_inner(data, size);
	return 0;
}
