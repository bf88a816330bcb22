/* Log types user.dmvpn.<module>, one macro per module. Control-side only:
 * the dataplane logs nothing per packet (it counts), see dataplane/stats.h. */
#ifndef DMVPND_LOG_H
#define DMVPND_LOG_H

#include <stdio.h>

#include <rte_log.h>

extern int dmvpn_logtype_main;
extern int dmvpn_logtype_ctl;
extern int dmvpn_logtype_dp;
extern int dmvpn_logtype_arp;
extern int dmvpn_logtype_mgmt;
extern int dmvpn_logtype_ike;
extern int dmvpn_logtype_nhrp;

#define DMVPN_LOG(type, level, mod, fmt, ...) \
	rte_log(RTE_LOG_##level, dmvpn_logtype_##type, mod ": " fmt "\n", ##__VA_ARGS__)

#define LOG_MAIN(level, fmt, ...) DMVPN_LOG(main, level, "dmvpnd", fmt, ##__VA_ARGS__)
#define LOG_CTL(level, fmt, ...) DMVPN_LOG(ctl, level, "ctl", fmt, ##__VA_ARGS__)
#define LOG_ARP(level, fmt, ...) DMVPN_LOG(arp, level, "arp", fmt, ##__VA_ARGS__)
#define LOG_MGMT(level, fmt, ...) DMVPN_LOG(mgmt, level, "mgmt", fmt, ##__VA_ARGS__)
/* IKE messages one line each at DEBUG (debug crypto ikev2). */
#define LOG_IKE(level, fmt, ...) DMVPN_LOG(ike, level, "ike", fmt, ##__VA_ARGS__)
/* NHRP messages one line each at DEBUG (debug nhrp). */
#define LOG_NHRP(level, fmt, ...) DMVPN_LOG(nhrp, level, "nhrp", fmt, ##__VA_ARGS__)

struct strbuf;

/* The subsystems, as the config and show logging name them. */
#define LOG_SUBSYS_COUNT 7
#define LOG_SUBSYS_CTL 1
#define LOG_SUBSYS_NHRP 6
extern const char *const log_subsys_names[LOG_SUBSYS_COUNT]; /* main ctl dp arp mgmt ike nhrp */

/* Parse "error|warning|notice|info|debug" into an RTE_LOG_* level, or -1. */
int log_level_parse(const char *name);
const char *log_level_name(int level);
/* Apply one level to every user.dmvpn.* type. */
void log_set_level(int level);
/* One subsystem's level (index into log_subsys_names). */
void log_set_subsys_level(unsigned subsys, int level);
int log_get_subsys_level(unsigned subsys);

/* Where lines go: stderr (each led by its UTC time, the journal's input
 * under systemd) or syslog(3) (daemon facility, the message's priority). */
enum log_dest { LOG_DEST_STDERR, LOG_DEST_SYSLOG };
/* A stream for rte_openlog_stream() that writes every line to `dest` and
 * keeps the last `keep` lines (0: none) for show logging; NULL on ENOMEM.
 * Thread-safe: every thread logs through it. */
FILE *log_stream_open(enum log_dest dest, unsigned keep);
/* Changes the destination of an open stream (a live change). */
void log_stream_set_dest(enum log_dest dest);
/* The kept lines, oldest first, each with its UTC time. */
void log_stream_recent(struct strbuf *out);
/* terminal monitor: up to `max` kept lines from sequence number *seq on,
 * *seq moved past them; returns how many were lost (no longer kept, or
 * beyond max: skipped). log_stream_seq: the number the next line gets. */
uint64_t log_stream_since(uint64_t *seq, struct strbuf *out, unsigned max);
uint64_t log_stream_seq(void);

#endif
