/* libFuzzer target for the pure parts of ESP decapsulation: the RFC 4303
 * trailer check on decrypted bytes, the tunnel-mode check of the IPv4
 * header inside on the same bytes, and the anti-replay window driven by a
 * sequence of (sequence number, ICV ok) pairs taken from the input.
 * Seeds: tests/fuzz/corpus_esp. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp_reasons.h"
#include "esp_replay.h"
#include "esp_sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_replay(const uint8_t *data, size_t size)
{
	static struct esp_replay w;
	uint16_t win = (uint16_t)(64u << (data[0] % 7)); /* 64 .. 4096 */

	esp_replay_init(&w, win, 0);
	for (size_t i = 1; i + 5 <= size; i += 5) {
		uint32_t lo;
		uint64_t seq;

		memcpy(&lo, data + i, 4);
		seq = esp_replay_infer(&w, lo, (data[i + 4] & 1) != 0);
		/* Check before crypto, advance only after the ICV passed. */
		if (esp_replay_check(&w, seq) == 0 && (data[i + 4] & 2))
			esp_replay_update(&w, seq);
		if (esp_replay_check(&w, seq) == 0 && (data[i + 4] & 2))
			abort(); /* a sequence number accepted twice */
	}
}

/* The decrypted payload of a tunnel-mode SA. Its addresses are the
 * input's own source and destination half the time, so that the checks
 * behind the address comparison are reached too. */
static void fuzz_tunnel(const uint8_t *data, size_t size)
{
	static struct esp_sa sa;
	uint32_t gre_len = 0;
	uint16_t ihl = 0;

	sa.sa_tun_src = RTE_BE32(0xc6336401);
	sa.sa_tun_dst = RTE_BE32(0xc633640b);
	if (size >= 20 && (data[size - 1] & 1)) {
		memcpy(&sa.sa_tun_src, data + 12, 4);
		memcpy(&sa.sa_tun_dst, data + 16, 4);
	}
	if (esp_tun_check(&sa, data, (uint32_t)size, &ihl, &gre_len) == ESP_OK &&
	    (ihl < 20 || (size_t)ihl + gre_len > size))
		abort(); /* the GRE packet must lie inside the payload */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pad_len, next;

	if (size == 0)
		return 0;
	if (esp_trailer_check(data, (uint32_t)size, &pad_len, &next) == 0 &&
	    (uint32_t)pad_len + 2 > size)
		abort(); /* the trailer may not claim more than there is */
	fuzz_tunnel(data, size);
	fuzz_replay(data, size);
	return 0;
}
