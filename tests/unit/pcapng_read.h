/* Test helper: reads pcapng captures (either byte order): interface
 * blocks for the link type, enhanced and simple packet blocks for the
 * frames, every other block skipped. The classic format is pcap_read.h's. */
#ifndef DMVPND_TEST_PCAPNG_READ_H
#define DMVPND_TEST_PCAPNG_READ_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PCAPNG_BT_SHB 0x0a0d0d0a /* same value in both byte orders */
#define PCAPNG_BT_IDB 1
#define PCAPNG_BT_SPB 3
#define PCAPNG_BT_EPB 6
#define PCAPNG_BOM 0x1a2b3c4d
#define PCAPNG_MAX_IF 8

struct pcapng_file {
	uint8_t *nf_data;
	size_t nf_len;
	size_t nf_pos;
	bool nf_swap;
	unsigned int nf_n_if;
	uint16_t nf_linktype[PCAPNG_MAX_IF];
};

struct pcapng_rec {
	const uint8_t *nr_data;
	size_t nr_caplen;
	uint16_t nr_linktype;
};

static inline uint32_t pcapng_u32(const struct pcapng_file *f, const uint8_t *p)
{
	uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];

	return f->nf_swap ? __builtin_bswap32(le) : le;
}

static inline uint16_t pcapng_u16(const struct pcapng_file *f, const uint8_t *p)
{
	uint16_t le = (uint16_t)(p[1] << 8 | p[0]);

	return f->nf_swap ? __builtin_bswap16(le) : le;
}

static inline void pcapng_close(struct pcapng_file *f)
{
	free(f->nf_data);
	f->nf_data = NULL;
}

/* -EPROTO when the file does not start with a section header block. */
static inline int pcapng_open(struct pcapng_file *f, const char *path)
{
	FILE *fp = fopen(path, "rb");
	long sz;

	*f = (struct pcapng_file){0};
	if (fp == NULL)
		return -errno;
	if (fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 28 || fseek(fp, 0, SEEK_SET) != 0 ||
	    (f->nf_data = malloc((size_t)sz)) == NULL ||
	    fread(f->nf_data, 1, (size_t)sz, fp) != (size_t)sz) {
		fclose(fp);
		pcapng_close(f);
		return -EIO;
	}
	fclose(fp);
	f->nf_len = (size_t)sz;
	if (pcapng_u32(f, f->nf_data) != PCAPNG_BT_SHB) {
		pcapng_close(f);
		return -EPROTO;
	}
	f->nf_swap = pcapng_u32(f, f->nf_data + 8) != PCAPNG_BOM;
	return 0;
}

/* Remembers an interface's link type; a new section restarts the list. */
static inline void pcapng_block_meta(struct pcapng_file *f, uint32_t type, const uint8_t *b,
				     uint32_t len)
{
	if (type == PCAPNG_BT_SHB) {
		f->nf_swap = false;
		f->nf_swap = pcapng_u32(f, b + 8) != PCAPNG_BOM;
		f->nf_n_if = 0;
	} else if (type == PCAPNG_BT_IDB && len >= 20 && f->nf_n_if < PCAPNG_MAX_IF) {
		f->nf_linktype[f->nf_n_if++] = pcapng_u16(f, b + 8);
	}
}

/* 1 with the next frame, 0 at the end, -EBADMSG on a cut block. */
static inline int pcapng_next(struct pcapng_file *f, struct pcapng_rec *rec)
{
	while (f->nf_len - f->nf_pos >= 12) {
		const uint8_t *b = f->nf_data + f->nf_pos;
		uint32_t type = pcapng_u32(f, b), len, cap, ifc;

		if (type == PCAPNG_BT_SHB) /* byte order before its length */
			pcapng_block_meta(f, type, b, 0);
		len = pcapng_u32(f, b + 4);
		if (len < 12 || len % 4 != 0 || len > f->nf_len - f->nf_pos)
			return -EBADMSG;
		f->nf_pos += len;
		if (type == PCAPNG_BT_IDB)
			pcapng_block_meta(f, type, b, len);
		if (type != PCAPNG_BT_EPB && type != PCAPNG_BT_SPB)
			continue;
		if (len < (type == PCAPNG_BT_EPB ? 32u : 16u))
			return -EBADMSG;
		if (type == PCAPNG_BT_SPB) { /* original length, maybe cut */
			ifc = 0;
			cap = pcapng_u32(f, b + 8);
			cap = cap < len - 16 ? cap : len - 16;
		} else {
			ifc = pcapng_u32(f, b + 8);
			cap = pcapng_u32(f, b + 20);
		}
		if (ifc >= f->nf_n_if || (type == PCAPNG_BT_EPB && cap > len - 32))
			return -EBADMSG;
		rec->nr_data = b + (type == PCAPNG_BT_EPB ? 28 : 12);
		rec->nr_caplen = cap;
		rec->nr_linktype = f->nf_linktype[ifc];
		return 1;
	}
	return f->nf_pos == f->nf_len ? 0 : -EBADMSG;
}

#endif
