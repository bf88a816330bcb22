/* Test helper: reads classic pcap files (either byte order, micro- or
 * nanosecond stamps) and digs the NHRP payload out of a frame: Ethernet
 * with 802.1Q tags, Linux cooked (SLL) or raw IP; IPv4; GRE or IP proto 54. */
#ifndef DMVPND_TEST_PCAP_READ_H
#define DMVPND_TEST_PCAP_READ_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto_gre.h"
#include "rdr.h"

#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_LINKTYPE_RAW 101
#define PCAP_LINKTYPE_SLL 113

struct pcap_file {
	uint8_t *pf_data;
	size_t pf_len;
	size_t pf_pos;
	bool pf_swap; /* file written in the other byte order */
	uint32_t pf_linktype;
};

struct pcap_rec {
	const uint8_t *pr_data;
	size_t pr_caplen;
};

struct nhrp_frame {
	const uint8_t *nf_nhrp;
	size_t nf_len;
	bool nf_gre; /* false: NHRP straight over IP (proto 54) */
	bool nf_has_key;
	uint32_t nf_key;
};

static inline uint32_t pcap_u32(const struct pcap_file *pf, const uint8_t *p)
{
	if (pf->pf_swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline void pcap_close(struct pcap_file *pf)
{
	free(pf->pf_data);
	pf->pf_data = NULL;
}

/* Slurps the whole file; the magic, read little-endian first, tells the
 * byte order of every later header field. */
static inline int pcap_open(struct pcap_file *pf, const char *path)
{
	FILE *f = fopen(path, "rb");
	long sz;
	uint32_t magic;

	*pf = (struct pcap_file){0};
	if (f == NULL)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 24 || fseek(f, 0, SEEK_SET) != 0 ||
	    (pf->pf_data = malloc((size_t)sz)) == NULL ||
	    fread(pf->pf_data, 1, (size_t)sz, f) != (size_t)sz) {
		fclose(f);
		pcap_close(pf);
		return -EIO;
	}
	fclose(f);
	pf->pf_len = (size_t)sz;
	magic = pcap_u32(pf, pf->pf_data);
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
		pf->pf_swap = true;
		magic = pcap_u32(pf, pf->pf_data);
	}
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
		pcap_close(pf);
		return -EPROTO; /* pcapng or not a capture */
	}
	pf->pf_linktype = pcap_u32(pf, pf->pf_data + 20) & 0x0fffffff;
	pf->pf_pos = 24;
	return 0;
}

/* 1 with the next record, 0 at the end, -EBADMSG on a cut record. */
static inline int pcap_next(struct pcap_file *pf, struct pcap_rec *rec)
{
	uint32_t caplen;

	if (pf->pf_pos == pf->pf_len)
		return 0;
	if (pf->pf_len - pf->pf_pos < 16)
		return -EBADMSG;
	caplen = pcap_u32(pf, pf->pf_data + pf->pf_pos + 8);
	if (caplen > pf->pf_len - pf->pf_pos - 16)
		return -EBADMSG;
	rec->pr_data = pf->pf_data + pf->pf_pos + 16;
	rec->pr_caplen = caplen;
	pf->pf_pos += 16 + (size_t)caplen;
	return 1;
}

/* Link layer to the EtherType of what follows. */
static inline int pcap_link_strip(uint32_t linktype, struct rdr *r, uint16_t *ethertype)
{
	if (linktype == PCAP_LINKTYPE_RAW) {
		*ethertype = 0x0800;
		return 0;
	}
	if (linktype == PCAP_LINKTYPE_SLL)
		return rdr_skip(r, 14) || rdr_u16be(r, ethertype) ? -EBADMSG : 0;
	if (linktype != PCAP_LINKTYPE_ETHERNET)
		return -ENOTSUP;
	if (rdr_skip(r, 12) || rdr_u16be(r, ethertype))
		return -EBADMSG;
	while (*ethertype == 0x8100 || *ethertype == 0x88a8)
		if (rdr_skip(r, 2) || rdr_u16be(r, ethertype))
			return -EBADMSG;
	return 0;
}

/* IPv4 header (options skipped by IHL) to its protocol and payload,
 * bounded by the total length so link padding is not taken as data. A
 * snaplen-cut capture keeps what it has. */
static inline int pcap_ipv4_strip(struct rdr *r, uint8_t *proto)
{
	uint8_t vihl;
	uint16_t total;
	size_t hlen;

	if (rdr_u8(r, &vihl) || (vihl >> 4) != 4 || (vihl & 15) < 5)
		return -EBADMSG;
	hlen = (size_t)(vihl & 15) * 4;
	if (rdr_skip(r, 1) || rdr_u16be(r, &total) || rdr_skip(r, 5) || rdr_u8(r, proto) ||
	    rdr_skip(r, hlen - 10) || total < hlen)
		return -EBADMSG;
	if (total - hlen < rdr_left(r))
		r->end = r->pos + (total - hlen);
	return 0;
}

/* RFC 2784/2890: C, K, S add a word each; R, version != 0 are declined. */
static inline int pcap_gre_strip(struct rdr *r, struct nhrp_frame *out)
{
	uint16_t fv, proto;

	if (rdr_u16be(r, &fv) || rdr_u16be(r, &proto))
		return -EBADMSG;
	if ((fv & (GRE_F_ROUTING | GRE_VER_MASK)) != 0)
		return -ENOTSUP;
	if ((fv & GRE_F_CSUM) && rdr_skip(r, GRE_OPT_LEN))
		return -EBADMSG;
	out->nf_has_key = (fv & GRE_F_KEY) != 0;
	if (out->nf_has_key && rdr_u32be(r, &out->nf_key))
		return -EBADMSG;
	if ((fv & GRE_F_SEQ) && rdr_skip(r, GRE_OPT_LEN))
		return -EBADMSG;
	return proto == GRE_PROTO_NHRP ? 0 : -ENOENT;
}

/* 0 and *out for an NHRP frame, -ENOENT for any other traffic. */
static inline int pcap_nhrp_payload(const struct pcap_file *pf, const struct pcap_rec *rec,
				    struct nhrp_frame *out)
{
	struct rdr r;
	uint16_t ethertype;
	uint8_t proto;
	int rc;

	*out = (struct nhrp_frame){0};
	rdr_init(&r, rec->pr_data, rec->pr_caplen);
	rc = pcap_link_strip(pf->pf_linktype, &r, &ethertype);
	if (rc != 0)
		return rc;
	if (ethertype != 0x0800)
		return -ENOENT;
	rc = pcap_ipv4_strip(&r, &proto);
	if (rc != 0)
		return rc;
	if (proto == IPPROTO_GRE_NUM) {
		out->nf_gre = true;
		rc = pcap_gre_strip(&r, out);
		if (rc != 0)
			return rc;
	} else if (proto != IPPROTO_NARP_NUM) {
		return -ENOENT;
	}
	out->nf_nhrp = r.pos;
	out->nf_len = rdr_left(&r);
	return 0;
}

#endif
