/* monitor capture on the control thread: the taps in the workers
 * (dataplane/capture.h) switched on and off, their copies written to a
 * pcapng file (one interface per port, plus the tunnel's inner packets as
 * raw IPv4), bounded by a packet count.
 *
 *   monitor capture start port wan|lan|tunnel|NAME [match A.B.C.D] [count N] file PATH
 *   monitor capture stop
 *   show monitor capture
 *
 * Stopping clears dc_on, then waits one RCU grace period (every worker
 * has finished the burst that may still be copying) before the last slots
 * are written and the file closed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "inet.h"
#include "lcore_ctx.h"
#include "log.h"
#include "node.h"
#include "words.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101 /* IPv4 or IPv6, no link header */

enum cap_state { CAP_IDLE, CAP_RUNNING, CAP_DRAINING };

struct capture_ctl {
	enum cap_state cc_state;
	FILE *cc_file;
	char cc_path[CFG_PATH_MAX];
	char cc_what[96];  /* "port wan match 10.0.0.10", for show */
	uint64_t cc_count; /* stop after this many; 0 = no limit */
	uint64_t cc_written, cc_drops_at_start, cc_bytes;
	uint8_t cc_ifid[DP_MAX_PORTS + 1]; /* port index (or the tunnel) -> interface id */
	uint64_t cc_tsc0, cc_ns0;          /* TSC and wall clock at the start */
	uint64_t cc_hz;
};

static struct capture_ctl *capture_of(struct node *nd)
{
	if (nd->nd_capture == NULL)
		nd->nd_capture = calloc(1, sizeof(struct capture_ctl));
	return nd->nd_capture;
}

/* ---- pcapng ---- */

static void pcapng_u32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

static void pcapng_u16(FILE *f, uint16_t v)
{
	fwrite(&v, 2, 1, f);
}

static void pcapng_pad(FILE *f, size_t len)
{
	static const uint8_t zero[4];

	fwrite(zero, 1, (4 - len % 4) % 4, f);
}

static void pcapng_shb(FILE *f)
{
	pcapng_u32(f, PCAPNG_SHB);
	pcapng_u32(f, 28);
	pcapng_u32(f, 0x1A2B3C4D);
	pcapng_u16(f, 1);
	pcapng_u16(f, 0);
	pcapng_u32(f, 0xffffffffu); /* section length: not given */
	pcapng_u32(f, 0xffffffffu);
	pcapng_u32(f, 28);
}

/* An interface with its name (if_name) and the default microsecond
 * timestamps. */
static void pcapng_idb(FILE *f, uint16_t linktype, const char *name)
{
	size_t nlen = strlen(name), opt = 4 + nlen + (4 - nlen % 4) % 4 + 4;
	uint32_t total = (uint32_t)(16 + opt + 4);

	pcapng_u32(f, PCAPNG_IDB);
	pcapng_u32(f, total);
	pcapng_u16(f, linktype);
	pcapng_u16(f, 0);
	pcapng_u32(f, CAP_SNAPLEN);
	pcapng_u16(f, 2); /* if_name */
	pcapng_u16(f, (uint16_t)nlen);
	fwrite(name, 1, nlen, f);
	pcapng_pad(f, nlen);
	pcapng_u32(f, 0); /* opt_endofopt */
	pcapng_u32(f, total);
}

/* A packet with its direction (epb_flags). */
static void pcapng_epb(FILE *f, uint32_t ifid, uint64_t us, const struct cap_slot *s)
{
	uint32_t total = (uint32_t)(28 + s->cs_len + (4 - s->cs_len % 4) % 4 + 12 + 4);

	pcapng_u32(f, PCAPNG_EPB);
	pcapng_u32(f, total);
	pcapng_u32(f, ifid);
	pcapng_u32(f, (uint32_t)(us >> 32));
	pcapng_u32(f, (uint32_t)us);
	pcapng_u32(f, s->cs_len);
	pcapng_u32(f, s->cs_orig);
	fwrite(s->cs_data, 1, s->cs_len, f);
	pcapng_pad(f, s->cs_len);
	pcapng_u16(f, 2); /* epb_flags */
	pcapng_u16(f, 4);
	pcapng_u32(f, s->cs_dir);
	pcapng_u32(f, 0); /* opt_endofopt */
	pcapng_u32(f, total);
}

/* ---- the rings ---- */

static int capture_rings(struct node *nd)
{
	struct dp *dp = &nd->nd_dp;
	char name[RTE_RING_NAMESIZE];

	for (unsigned w = 0; w < dp->dp_nworkers; w++) {
		struct cap_ring *cr = dp->dp_cap.dc_ring[w];

		if (cr != NULL)
			continue;
		cr = calloc(1, sizeof(*cr));
		if (cr == NULL)
			return -ENOMEM;
		cr->cr_slots = rte_zmalloc_socket("cap_slots", CAP_SLOTS * sizeof(struct cap_slot),
						  64, SOCKET_ID_ANY);
		snprintf(name, sizeof(name), "capf%u", w);
		cr->cr_free = rte_ring_create(name, CAP_SLOTS, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		snprintf(name, sizeof(name), "capq%u", w);
		cr->cr_full = rte_ring_create(name, CAP_SLOTS, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (cr->cr_slots == NULL || cr->cr_free == NULL || cr->cr_full == NULL) {
			rte_ring_free(cr->cr_free);
			rte_ring_free(cr->cr_full);
			rte_free(cr->cr_slots);
			free(cr);
			return -ENOMEM;
		}
		for (unsigned i = 0; i < CAP_SLOTS; i++)
			rte_ring_sp_enqueue(cr->cr_free, &cr->cr_slots[i]);
		dp->dp_cap.dc_ring[w] = cr;
	}
	return 0;
}

static uint64_t capture_drops(const struct node *nd)
{
	uint64_t d = 0;

	for (unsigned w = 0; w < nd->nd_dp.dp_nworkers; w++)
		if (nd->nd_dp.dp_cap.dc_ring[w] != NULL)
			d += __atomic_load_n(&nd->nd_dp.dp_cap.dc_ring[w]->cr_drops,
					     __ATOMIC_RELAXED);
	return d;
}

/* Whatever count was asked for, a capture ends when its packets reach
 * this many bytes: it never fills the disk unasked. */
#define CAPTURE_MAX_BYTES (1024ull * 1024 * 1024)

static bool capture_full(const struct capture_ctl *cc)
{
	return (cc->cc_count != 0 && cc->cc_written >= cc->cc_count) ||
	       cc->cc_bytes >= CAPTURE_MAX_BYTES;
}

/* Up to `max` slots of every worker to the file and back to its free
 * ring. Returns how many were taken. */
static unsigned capture_drain(struct node *nd, struct capture_ctl *cc, unsigned max)
{
	unsigned taken = 0;

	for (unsigned w = 0; w < nd->nd_dp.dp_nworkers; w++) {
		struct cap_ring *cr = nd->nd_dp.dp_cap.dc_ring[w];
		void *p[64];
		unsigned n;

		if (cr == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(cr->cr_full, p, RTE_MIN(max, 64u), NULL);
		for (unsigned i = 0; i < n; i++) {
			const struct cap_slot *s = p[i];
			uint8_t idx = s->cs_if == CAP_IF_TUNNEL ? DP_MAX_PORTS : s->cs_if;

			if (cc->cc_file != NULL && !capture_full(cc)) {
				uint64_t ns = cc->cc_ns0 +
					      (s->cs_tsc - cc->cc_tsc0) * 1000000000ull / cc->cc_hz;

				pcapng_epb(cc->cc_file, cc->cc_ifid[idx], ns / 1000, s);
				cc->cc_written++;
				cc->cc_bytes += s->cs_len;
			}
		}
		rte_ring_sp_enqueue_bulk(cr->cr_free, p, n, NULL);
		taken += n;
	}
	return taken;
}

static void capture_close(struct node *nd, struct capture_ctl *cc)
{
	while (capture_drain(nd, cc, 64) != 0)
		;
	if (cc->cc_file != NULL) {
		if (fclose(cc->cc_file) != 0)
			LOG_CTL(ERR, "capture: writing %s: %s", cc->cc_path, strerror(errno));
		cc->cc_file = NULL;
	}
	LOG_CTL(NOTICE,
		"capture: %" PRIu64 " packets written to %s, %" PRIu64 " not taken (rings full)",
		cc->cc_written, cc->cc_path, capture_drops(nd) - cc->cc_drops_at_start);
	cc->cc_state = CAP_IDLE;
}

/* After the grace period: no worker is still in a tap. The capture may
 * have been closed meanwhile (the node stopping). */
static void capture_retired(void *a, void *b)
{
	struct node *nd = a;
	struct capture_ctl *cc = nd->nd_capture;

	(void)b;
	if (cc != NULL && cc->cc_state == CAP_DRAINING)
		capture_close(nd, cc);
}

static void capture_stop_taps(struct node *nd, struct capture_ctl *cc)
{
	__atomic_store_n(&nd->nd_dp.dp_cap.dc_on, 0, __ATOMIC_RELEASE);
	cc->cc_state = CAP_DRAINING;
	rcu_retire(nd->nd_dp.dp_rcu, capture_retired, nd, NULL);
}

/* Runs on: the control thread, every loop. Returns work done. */
unsigned capture_poll(struct node *nd)
{
	struct capture_ctl *cc = nd->nd_capture;
	unsigned n;

	if (cc == NULL || cc->cc_state != CAP_RUNNING)
		return 0;
	n = capture_drain(nd, cc, 64);
	if (cc->cc_bytes >= CAPTURE_MAX_BYTES)
		LOG_CTL(WARNING, "capture: %s reached %llu MiB, the most a capture writes",
			cc->cc_path, CAPTURE_MAX_BYTES >> 20);
	if (capture_full(cc))
		capture_stop_taps(nd, cc);
	return n;
}

/* ---- commands ---- */

static int capture_parse(struct node *nd, char *line, struct dp_capture *tap,
			 struct capture_ctl *cc, struct strbuf *msg)
{
	char *w[12];
	int n = words_split(line, w, 12), i;
	long v;

	if (n < 2 || strcmp(w[0], "port") != 0)
		goto usage;
	if (strcmp(w[1], "tunnel") == 0) {
		tap->dc_tunnel = 1;
	} else {
		for (unsigned p = 0; p < nd->nd_dp.dp_nports; p++) {
			const struct dp_port *pt = &nd->nd_dp.dp_ports[p];

			if (strcmp(w[1], pt->pt_name) == 0 ||
			    (strcmp(w[1], "wan") == 0 && pt->pt_role == CFG_PORT_WAN) ||
			    (strcmp(w[1], "lan") == 0 && pt->pt_role == CFG_PORT_LAN))
				tap->dc_ports |= 1u << p;
		}
		if (tap->dc_ports == 0) {
			strbuf_printf(msg, "no port '%s': wan, lan, tunnel or a port's name", w[1]);
			return -EINVAL;
		}
	}
	snprintf(cc->cc_what, sizeof(cc->cc_what), "port %s", w[1]);
	for (i = 2; i + 1 < n; i += 2) {
		if (strcmp(w[i], "match") == 0 && inet_v4_parse(w[i + 1], &tap->dc_match) == 0) {
			snprintf(cc->cc_what + strlen(cc->cc_what),
				 sizeof(cc->cc_what) - strlen(cc->cc_what), " match %s", w[i + 1]);
		} else if (strcmp(w[i], "count") == 0 &&
			   strspn(w[i + 1], "0123456789") == strlen(w[i + 1]) &&
			   (v = strtol(w[i + 1], NULL, 10)) >= 1 && v <= 100000000) {
			cc->cc_count = (uint64_t)v;
		} else if (strcmp(w[i], "file") == 0 && w[i + 1][0] == '/' &&
			   strlen(w[i + 1]) < sizeof(cc->cc_path)) {
			snprintf(cc->cc_path, sizeof(cc->cc_path), "%s", w[i + 1]);
		} else {
			goto usage;
		}
	}
	if (i != n || cc->cc_path[0] == '\0')
		goto usage;
	return 0;
usage:
	strbuf_printf(msg, "usage: monitor capture start port wan|lan|tunnel|NAME [match A.B.C.D] "
			   "[count N] file /ABSOLUTE/PATH");
	return -EINVAL;
}

static int capture_start(struct node *nd, char *args, struct strbuf *msg)
{
	struct capture_ctl *cc = capture_of(nd), next = {0};
	struct dp_capture tap = {0};
	struct timespec ts;
	unsigned ifid = 0;
	int fd, rc;

	if (cc == NULL)
		return -ENOMEM;
	if (cc->cc_state != CAP_IDLE) {
		strbuf_printf(msg, "a capture is %s already (monitor capture stop)",
			      cc->cc_state == CAP_RUNNING ? "running" : "finishing");
		return -EBUSY;
	}
	rc = capture_parse(nd, args, &tap, &next, msg);
	if (rc != 0)
		return rc;
	rc = capture_rings(nd);
	if (rc != 0) {
		strbuf_printf(msg, "no memory for the capture rings");
		return rc;
	}
	/* A new file only, never through a link: the node runs as root. */
	fd = open(next.cc_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (next.cc_file = fdopen(fd, "w")) == NULL) {
		strbuf_printf(msg, "cannot create %s: %s", next.cc_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	pcapng_shb(next.cc_file);
	for (unsigned p = 0; p < nd->nd_dp.dp_nports; p++)
		if (tap.dc_ports & (1u << p)) {
			pcapng_idb(next.cc_file, LINKTYPE_ETHERNET, nd->nd_dp.dp_ports[p].pt_name);
			next.cc_ifid[p] = (uint8_t)ifid++;
		}
	if (tap.dc_tunnel) {
		pcapng_idb(next.cc_file, LINKTYPE_RAW, nd->nd_cfg->tunnel.name);
		next.cc_ifid[DP_MAX_PORTS] = (uint8_t)ifid;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	next.cc_ns0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	next.cc_tsc0 = rte_rdtsc();
	next.cc_hz = rte_get_tsc_hz();
	next.cc_state = CAP_RUNNING;
	next.cc_drops_at_start = capture_drops(nd);
	*cc = next;
	/* The rings are drained (a capture before this one ended drained
	 * them); the taps' settings go out before dc_on. */
	nd->nd_dp.dp_cap.dc_ports = tap.dc_ports;
	nd->nd_dp.dp_cap.dc_tunnel = tap.dc_tunnel;
	nd->nd_dp.dp_cap.dc_match = tap.dc_match;
	__atomic_store_n(&nd->nd_dp.dp_cap.dc_on, 1, __ATOMIC_RELEASE);
	LOG_CTL(NOTICE, "capture: %s to %s%s", cc->cc_what, cc->cc_path,
		cc->cc_count ? "" : " (until stopped, 1 GiB at most)");
	strbuf_printf(msg, "capturing %s to %s", cc->cc_what, cc->cc_path);
	if (cc->cc_count)
		strbuf_printf(msg, ", %" PRIu64 " packets", cc->cc_count);
	return 0;
}

void capture_command(struct node *nd, const char *arg, struct mgmt_req *req)
{
	struct capture_ctl *cc = nd->nd_capture;
	char buf[sizeof(req->mr_arg)];
	struct strbuf msg;
	int rc = 0;

	strbuf_init(&msg);
	snprintf(buf, sizeof(buf), "%s", arg);
	if (strncmp(buf, "start ", 6) == 0) {
		rc = capture_start(nd, buf + 6, &msg);
	} else if (strcmp(buf, "stop") == 0) {
		if (cc == NULL || cc->cc_state != CAP_RUNNING) {
			strbuf_printf(&msg, "no capture is running");
			rc = -ENOENT;
		} else {
			capture_stop_taps(nd, cc);
			strbuf_printf(&msg, "stopping: %" PRIu64 " packets so far in %s",
				      cc->cc_written, cc->cc_path);
		}
	} else {
		strbuf_printf(&msg, "usage: monitor capture start ... | stop");
		rc = -EINVAL;
	}
	strbuf_printf(&req->mr_out, "%s%s\n", rc == 0 ? "" : "% ", strbuf_str(&msg));
	strbuf_fini(&msg);
}

void capture_show(struct node *nd, struct strbuf *out)
{
	static const char *const states[] = {"idle", "running", "finishing"};
	struct capture_ctl *cc = nd->nd_capture;

	if (cc == NULL || (cc->cc_state == CAP_IDLE && cc->cc_path[0] == '\0')) {
		strbuf_printf(out, "No capture has run.\n");
		return;
	}
	strbuf_printf(out, "Capture %s: %s to %s\n", states[cc->cc_state], cc->cc_what,
		      cc->cc_path);
	strbuf_printf(out, "  %" PRIu64 " packets written (%" PRIu64 " bytes)", cc->cc_written,
		      cc->cc_bytes);
	if (cc->cc_count)
		strbuf_printf(out, " of %" PRIu64, cc->cc_count);
	strbuf_printf(out, ", %" PRIu64 " not taken (the rings were full)\n",
		      capture_drops(nd) - cc->cc_drops_at_start);
}

/* Runs on: the control thread at stop, after the workers have stopped. */
void capture_fini(struct node *nd)
{
	struct capture_ctl *cc = nd->nd_capture;

	if (cc != NULL && cc->cc_state != CAP_IDLE) {
		__atomic_store_n(&nd->nd_dp.dp_cap.dc_on, 0, __ATOMIC_RELEASE);
		capture_close(nd, cc);
	}
	for (unsigned w = 0; w < CFG_MAX_WORKERS; w++) {
		struct cap_ring *cr = nd->nd_dp.dp_cap.dc_ring[w];

		if (cr == NULL)
			continue;
		rte_ring_free(cr->cr_free);
		rte_ring_free(cr->cr_full);
		rte_free(cr->cr_slots);
		free(cr);
		nd->nd_dp.dp_cap.dc_ring[w] = NULL;
	}
	free(cc);
	nd->nd_capture = NULL;
}
