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

#define DMVPN_LOG(type, level, mod, fmt, ...)                                  \
	rte_log(RTE_LOG_##level, dmvpn_logtype_##type, mod ": " fmt "\n",      \
		##__VA_ARGS__)

#define LOG_MAIN(level, fmt, ...) DMVPN_LOG(main, level, "dmvpnd", fmt, ##__VA_ARGS__)
#define LOG_CTL(level, fmt, ...) DMVPN_LOG(ctl, level, "ctl", fmt, ##__VA_ARGS__)
#define LOG_DP(level, fmt, ...) DMVPN_LOG(dp, level, "dp", fmt, ##__VA_ARGS__)
#define LOG_ARP(level, fmt, ...) DMVPN_LOG(arp, level, "arp", fmt, ##__VA_ARGS__)
#define LOG_MGMT(level, fmt, ...) DMVPN_LOG(mgmt, level, "mgmt", fmt, ##__VA_ARGS__)
/* IKE messages one line each at DEBUG (debug crypto ikev2). */
#define LOG_IKE(level, fmt, ...) DMVPN_LOG(ike, level, "ike", fmt, ##__VA_ARGS__)

/* Parse "error|warning|notice|info|debug" into an RTE_LOG_* level, or -1. */
int log_level_parse(const char *name);
/* Apply one level to every user.dmvpn.* type. */
void log_set_level(int level);
/* A stream for rte_openlog_stream() that writes to fd with each line
 * prefixed by its UTC time, "2026-12-07T00:12:31.123Z "; NULL on ENOMEM. */
FILE *log_stream_open(int fd);

#endif
