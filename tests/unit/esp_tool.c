/* esp_tool: our ESP transform on pcap files, for the scapy cross-check
 * (test_esp_scapy.py). Reads Ethernet frames, runs esp_encrypt_burst or
 * esp_decrypt_burst over them with one SA, writes the results.
 *
 *   esp_tool enc|dec gcm128|gcm256|cbc128|cbc256 ESN(0|1) NATT(0|1) SPI
 *            SEQ_BASE KEYMAT_HEX AUTH_KEY_HEX IN.pcap OUT.pcap [tunnel:SRC:DST]
 *
 * SEQ_BASE: enc, the number before the first one sent; dec, the window's
 * top. tunnel:SRC:DST: a tunnel-mode SA whose IPv4 header inside goes (or
 * must come) from SRC to DST. Prints each dropped packet's reason; exits 1
 * if any was dropped. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "eal_test.h"
#include "esp_sa.h"
#include "esp_test_util.h"
#include "pcap_read.h"

#define TOOL_MAX 4096

static int alg_parse(const char *s, enum esp_alg *alg)
{
	static const char *const names[ESP_ALG_COUNT] = {
		[ESP_ALG_AES_GCM_128] = "gcm128",
		[ESP_ALG_AES_GCM_256] = "gcm256",
		[ESP_ALG_AES_CBC_128_HMAC_SHA256] = "cbc128",
		[ESP_ALG_AES_CBC_256_HMAC_SHA256] = "cbc256",
	};

	for (int i = 0; i < ESP_ALG_COUNT; i++)
		if (strcmp(s, names[i]) == 0) {
			*alg = (enum esp_alg)i;
			return 0;
		}
	return -1;
}

static int params_parse(char **argv, struct esp_sa_params *p)
{
	memset(p, 0, sizeof(*p));
	p->dir = strcmp(argv[1], "enc") == 0 ? ESP_DIR_OUT : ESP_DIR_IN;
	if (alg_parse(argv[2], &p->alg) != 0)
		return -1;
	p->esn = atoi(argv[3]) != 0;
	p->natt = atoi(argv[4]) != 0;
	p->spi = (uint32_t)strtoul(argv[5], NULL, 0);
	p->seq_base = strtoull(argv[6], NULL, 0);
	p->replay_window = 1024;
	if (hex_decode(argv[7], p->keymat, sizeof(p->keymat)) < 16 ||
	    hex_decode(argv[8], p->auth_key, sizeof(p->auth_key)) < 0)
		return -1;
	return 0;
}

/* "tunnel:SRC:DST" into p; 0 or -1. */
static int mode_parse(const char *s, struct esp_sa_params *p)
{
	char buf[64], *dst;
	struct in_addr a, b;

	if (strncmp(s, "tunnel:", 7) != 0 || strlen(s + 7) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s + 7);
	dst = strchr(buf, ':');
	if (dst == NULL)
		return -1;
	*dst++ = 0;
	if (inet_pton(AF_INET, buf, &a) != 1 || inet_pton(AF_INET, dst, &b) != 1)
		return -1;
	p->tunnel = true;
	p->tun_src = ntohl(a.s_addr);
	p->tun_dst = ntohl(b.s_addr);
	return 0;
}

static int pcap_write(const char *path, struct rte_mbuf **pk, uint16_t n)
{
	const uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, PCAP_LINKTYPE_ETHERNET};
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	fwrite(hdr, sizeof(hdr), 1, f);
	for (uint16_t i = 0; i < n; i++) {
		uint32_t rec[4] = {i, 0, pk[i]->data_len, pk[i]->data_len};

		fwrite(rec, sizeof(rec), 1, f);
		fwrite(rte_pktmbuf_mtod(pk[i], void *), pk[i]->data_len, 1, f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int pcap_load(const char *path, struct rte_mempool *mp, struct rte_mbuf **pk, uint16_t *n)
{
	struct pcap_file pf;
	struct pcap_rec rec;
	struct rte_mbuf *m;

	if (pcap_open(&pf, path) != 0 || pf.pf_linktype != PCAP_LINKTYPE_ETHERNET)
		return -1;
	*n = 0;
	while (*n < TOOL_MAX && pcap_next(&pf, &rec) == 1) {
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL || rec.pr_caplen > rte_pktmbuf_tailroom(m))
			return -1;
		memcpy(rte_pktmbuf_append(m, (uint16_t)rec.pr_caplen), rec.pr_data, rec.pr_caplen);
		pk[(*n)++] = m;
	}
	pcap_close(&pf);
	return 0;
}

int main(int argc, char **argv)
{
	static struct rte_mbuf *pk[TOOL_MAX], *drop[TOOL_MAX];
	static uint8_t reason[TOOL_MAX];
	static struct esp_sa sa;
	struct esp_sa_params p;
	struct crypto_mb cx;
	struct rte_mempool *mp;
	uint16_t n, ok;
	struct esp_sink sink = {.es_drop = drop, .es_reason = reason};

	if ((argc != 11 && argc != 12) || params_parse(argv, &p) != 0 ||
	    (argc == 12 && mode_parse(argv[11], &p) != 0)) {
		fprintf(stderr,
			"usage: esp_tool enc|dec ALG ESN NATT SPI SEQ_BASE KEYMAT AUTHKEY IN OUT "
			"[tunnel:SRC:DST]\n");
		return 2;
	}
	if (eal_test_init("esp_tool", NULL) < 0 || crypto_mb_init(&cx) != 0 ||
	    esp_sa_init(&sa, &cx, &p) != 0)
		return 2;
	mp = rte_pktmbuf_pool_create("esp_tool", TOOL_MAX + 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL || pcap_load(argv[9], mp, pk, &n) != 0) {
		fprintf(stderr, "esp_tool: cannot read %s\n", argv[9]);
		return 2;
	}
	if (p.dir == ESP_DIR_OUT)
		ok = esp_encrypt_burst(&cx, &sa, pk, n, ETH_LEN, &sink);
	else
		ok = esp_decrypt_burst(&cx, &sa, pk, n, ETH_LEN, &sink);
	for (uint16_t i = 0; i < n - ok; i++)
		fprintf(stderr, "esp_tool: dropped: %s\n", esp_drop_name(reason[i]));
	if (pcap_write(argv[10], pk, ok) != 0)
		return 2;
	printf("%u in, %u out\n", n, ok);
	esp_sa_fini(&sa);
	crypto_mb_fini(&cx);
	return ok == n ? 0 : 1;
}
