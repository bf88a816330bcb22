/* Management plane: CLI sessions (their own threads) ask the control thread
 * through a request/response queue and never touch control state directly.
 *
 *   session thread                      control thread (ctl_loop)
 *   mgmt_call(q, req) --enqueue-->      mgmt_queue_poll(q, fn, ctx)
 *        waits on req->done  <--post--     fn(ctx, req) fills req->out
 *
 * A session that never types anything holds no lock and blocks nobody. */
#ifndef DMVPND_MGMT_H
#define DMVPND_MGMT_H

#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "strbuf.h"

enum mgmt_cmd {
	MGMT_SHOW_VERSION,
	MGMT_SHOW_RUNNING_CONFIG,
	MGMT_SHOW_INTERFACES,
	MGMT_SHOW_WORKER,
	MGMT_SHOW_ARP,
	MGMT_SHOW_DMVPN,
	MGMT_SHOW_IP_NHRP,
	MGMT_SHOW_IP_NHRP_NHS,
	MGMT_SHOW_IP_ROUTE,
	MGMT_SHOW_NHRP_STATS,
	MGMT_CLEAR_IP_NHRP,
	MGMT_SHOW_CRYPTO_IPSEC_SA,
	MGMT_SHOW_CRYPTO_IKEV2_SA,
	MGMT_SHOW_CRYPTO_IKEV2_STATS,
	MGMT_SHOW_CRYPTO_SESSION,
	MGMT_CLEAR_CRYPTO_SESSION,
	MGMT_DEBUG_CRYPTO_IKEV2,
	MGMT_NO_DEBUG_CRYPTO_IKEV2,
	MGMT_METRICS,   /* telemetry: Prometheus text (cmd_metrics) */
	MGMT_CONFIGURE, /* one configure-mode line, applied live */
	MGMT_WRITE_MEMORY,
	MGMT_SHOW_STARTUP_CONFIG,
	MGMT_SHOW_LOGGING,
	MGMT_SHOW_DMVPN_PATH,
	MGMT_MONITOR_CAPTURE,
	MGMT_SHOW_MONITOR_CAPTURE,
	MGMT_SHOW_FLOW_EXPORTER,
	MGMT_CLEAR_COUNTERS,
	MGMT_DEBUG_NHRP,
	MGMT_NO_DEBUG_NHRP,
	MGMT_DEBUG_IP_PACKET,
	MGMT_NO_DEBUG_IP_PACKET,
	MGMT_PING, /* "start A.B.C.D [repeat N] [size N] [source A.B.C.D]" or "poll JOB" */
	MGMT_CMD_COUNT
};

struct mgmt_req {
	enum mgmt_cmd mr_cmd;
	char mr_arg[128];     /* the command's arguments, space separated */
	struct strbuf mr_out; /* filled by the control thread */
	int mr_rc;            /* 0 or negative errno, set by the control thread */
	sem_t mr_done;        /* posted once mr_out/mr_rc are final */
	/* Commands over large tables answer a page at a time, so that the
	 * control thread is never held for long: the handler sets mr_more and
	 * keeps in mr_page where to go on; the caller takes the page's output
	 * and calls again with the request as it came back (mgmt_call_pages). */
	struct mgmt_page {
		uint32_t pg_part;  /* which part of the answer; 0 on the first call */
		uint32_t pg_step;  /* the handler's own, within the part */
		uint64_t pg_from;  /* where in the table (nhrp_cache_page's cursor) */
		uint64_t pg_count; /* what the handler carries between pages */
	} mr_page;
	bool mr_more;
	struct mgmt_req *mr_next; /* queue link, owned by the queue */
};

struct mgmt_queue;

/* mgmt_queue.c */
struct mgmt_queue *mgmt_queue_create(void);
/* Prepare a request (the caller owns it, usually on its stack): copies `arg`
 * (NULL = none, truncated to mr_arg), empties mr_out, creates mr_done.
 * mgmt_req_fini frees mr_out and mr_done once the answer has been read. */
void mgmt_req_init(struct mgmt_req *req, enum mgmt_cmd cmd, const char *arg);
void mgmt_req_fini(struct mgmt_req *req);
/* Answers every queued request with -ESHUTDOWN, then frees the queue. */
void mgmt_queue_destroy(struct mgmt_queue *q);
/* Runs on: a session thread. Blocks until the control thread answers.
 * Returns req->mr_rc; -ESHUTDOWN once the node is stopping. */
int mgmt_call(struct mgmt_queue *q, struct mgmt_req *req);
/* Runs on: a session thread. mgmt_call until the answer's last page,
 * handing each page to take(arg, req) and emptying mr_out after it; with
 * take NULL the pages pile up in mr_out. Returns as mgmt_call does. */
int mgmt_call_pages(struct mgmt_queue *q, struct mgmt_req *req,
		    void (*take)(void *arg, const struct mgmt_req *req), void *arg);
/* Fills req->mr_out and may set req->mr_rc (preset to 0) and mr_more
 * (preset to false: the last page). The request is
 * answered when fn returns: fn must not keep a pointer to it. */
typedef void (*mgmt_handler_fn)(void *ctx, struct mgmt_req *req);
/* Runs on: the control thread. Never blocks; answers at most `max` requests.
 * Returns the number handled. */
unsigned mgmt_queue_poll(struct mgmt_queue *q, mgmt_handler_fn fn, void *ctx, unsigned max);
/* Runs on: the control thread, at shutdown. Further mgmt_call()s fail.
 * Answers everything still queued with -ESHUTDOWN. Idempotent. */
void mgmt_queue_close(struct mgmt_queue *q);

/* mgmt_auth.c */
/* 1 if `password` matches the crypt(3) hash of `user` in cli, else 0. */
int mgmt_auth_check(const struct cfg_cli *cli, const char *user, const char *password);
/* A new SHA-512 crypt(3) hash of `password` into out; 0 or -errno. */
int mgmt_auth_hash(const char *password, char *out, size_t outlen);

/* mgmt_guard.c: failed logins per source address, shared by every
 * listener. After the first failure each attempt from that address waits
 * longer (0.5 s, doubling, at most 30 s) before it is even checked; a
 * success, or 15 minutes without a failure, forgets the address. */
struct mgmt_guard;
struct mgmt_guard *mgmt_guard_create(void);
void mgmt_guard_destroy(struct mgmt_guard *g);
/* Milliseconds the next attempt from src (IPv4, host order) must wait. */
unsigned mgmt_guard_delay_ms(struct mgmt_guard *g, uint32_t src);
void mgmt_guard_failed(struct mgmt_guard *g, uint32_t src);
void mgmt_guard_succeeded(struct mgmt_guard *g, uint32_t src);

/* mgmt_server.c: a CLI listener, telnet or ssh, one thread per session. */
enum mgmt_proto { MGMT_TELNET, MGMT_SSH };
struct mgmt_server;
/* Listens on the protocol's address and port from *cli (port 0: one the
 * kernel picks, for tests) and serves each session in its own thread.
 * NULL with errno set on failure; the reason is logged.
 * Runs on: the control thread. *cli is copied (users, hashes, keys): a
 * changed user list takes effect after a stop/start. ssh makes its host
 * key at cli->ssh_host_key when there is none yet. */
struct mgmt_server *mgmt_server_start(enum mgmt_proto proto, const struct cfg_cli *cli,
				      const char *hostname, struct mgmt_queue *q,
				      struct mgmt_guard *g);
/* Closes the listener and every session, joins their threads.
 * Runs on: the control thread. Calls mgmt_queue_close(q) first: a session
 * blocked in mgmt_call() waits for this very thread, so joining it with the
 * queue open could deadlock. Returns within about a second however many
 * sessions are connected, idle or not. */
void mgmt_server_stop(struct mgmt_server *sv);
/* The bound TCP port (host order). */
uint16_t mgmt_server_port(const struct mgmt_server *sv);

/* mgmt_telemetry.c: /dmvpn/... commands in DPDK's telemetry socket.
 * Runs on: the control thread. start registers them (once per process)
 * and points them at q; stop, after mgmt_queue_close(q), detaches them. */
void mgmt_telemetry_start(struct mgmt_queue *q);
void mgmt_telemetry_stop(void);

/* mgmt_prometheus.c: GET /metrics over HTTP on addr:port (port 0: one the
 * kernel picks). NULL with errno set on failure (logged). stop: after
 * mgmt_queue_close(q). */
struct mgmt_prometheus;
struct mgmt_prometheus *mgmt_prometheus_start(uint32_t addr, uint16_t port, struct mgmt_queue *q);
uint16_t mgmt_prometheus_port(const struct mgmt_prometheus *pm);
void mgmt_prometheus_stop(struct mgmt_prometheus *pm);

#endif
