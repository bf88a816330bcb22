/* Inside the management plane: one listener (telnet or ssh), its sessions,
 * and what the front ends share. Not for the rest of the node: it sees
 * mgmt.h only.
 *
 *   accept thread: accept(), admit (caps, evictions), one thread per session
 *   session thread: the front end's serve(): login, then libcli's loop
 *   ssh sessions add a second thread: libcli on one end of a socketpair,
 *   libssh pumping the other end to the channel.
 */
#ifndef DMVPND_MGMT_SESSION_H
#define DMVPND_MGMT_SESSION_H

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "mgmt.h"

/* Connections still at the login stage, per listener. When a new one
 * arrives with all taken, the oldest that has not progressed is closed
 * (else the oldest): idle connections cannot keep an operator out, only
 * ones opened faster than a login takes that each speak (ssh: send a
 * version line). */
#define MGMT_PRELOGIN_MAX 8
#define MGMT_MAX_TRIES 3 /* failed logins before we hang up */

struct cli_def;
struct mgmt_ssh;

struct mgmt_session {
	struct mgmt_server *s_srv;
	pthread_t s_thread;
	/* The accepted socket. stop() and eviction may shutdown() it at any
	 * time, so only the session closes it, under sv_lock, and marks it -1. */
	int s_fd;
	/* telnet: a dup of s_fd for cli_loop(), which fclose()s it.
	 * ssh: libcli's end of the socketpair. */
	int s_cli_fd;
	struct cli_def *s_cli;
	void *s_front;    /* the front end's per-session state (ssh) */
	uint32_t s_src;   /* the client's IPv4 address, host order */
	time_t s_started; /* CLOCK_MONOTONIC seconds */
	time_t s_login_deadline;
	unsigned s_fails;
	unsigned s_priv;                  /* CFG_PRIV_* once logged in, else 0 */
	bool s_logged_in;                 /* under sv_lock: counted in sv_n_logged_in */
	bool s_done;                      /* under sv_lock: the thread is exiting, join it */
	bool s_evicted;                   /* under sv_lock: shut down to make room */
	bool s_progressed;                /* under sv_lock: the client did more than connect */
	bool s_monitor;                   /* terminal monitor: new log lines to this session */
	uint64_t s_mon_seq;               /* the next log line it gets (log_stream_since) */
	char s_peer[INET_ADDRSTRLEN + 8]; /* "a.b.c.d:port", for the audit log */
	char s_user[33];                  /* who logged in (printable only) */
	struct mgmt_session *s_next;
};

/* A front end: how one connection is served. prepare/release run on the
 * control thread at start and stop; serve on the session's own thread. */
struct mgmt_front {
	const char *f_name; /* "telnet", "ssh" */
	int (*f_prepare)(struct mgmt_server *sv);
	/* Runs on: the accept thread, before the session's thread starts:
	 * state shared by all sessions (ssh_bind) is touched here only. */
	int (*f_admit)(struct mgmt_session *s);
	void (*f_drop)(struct mgmt_session *s); /* admitted, never served */
	void (*f_serve)(struct mgmt_session *s);
	void (*f_release)(struct mgmt_server *sv);
};

extern const struct mgmt_front mgmt_front_telnet;
extern const struct mgmt_front mgmt_front_ssh;

struct mgmt_server {
	const struct mgmt_front *sv_front;
	/* A copy: the control thread may replace its cfg while sessions read
	 * users, hashes and keys from this one. */
	struct cfg_cli sv_cli;
	char sv_hostname[64];
	uint32_t sv_addr;
	uint16_t sv_port;
	struct mgmt_queue *sv_q;
	struct mgmt_guard *sv_guard;
	struct mgmt_ssh *sv_ssh; /* ssh: host key, bind, users' keys */
	int sv_lfd;
	pthread_t sv_accept;
	atomic_bool sv_stopping;
	/* Guards sv_sessions, the counts, s_fd, s_logged_in and s_done. Held
	 * only for list edits, pthread_create and shutdown(). */
	pthread_mutex_t sv_lock;
	struct mgmt_session *sv_sessions;
	unsigned sv_n_live, sv_n_logged_in;
};

/* mgmt_server.c */
time_t mgmt_now(void);
/* Runs on: a session thread, once its user is known and accepted. Counts it
 * against max-sessions; -EBUSY (and the session must end) when full. */
int mgmt_session_logged_in(struct mgmt_session *s, const char *user, unsigned priv,
			   const char *method);
/* The client has shown it is more than an open socket (ssh: it sent its
 * version line): make room by closing others first. */
void mgmt_session_progressed(struct mgmt_session *s);
/* Sleeps `ms`, waking early when the listener stops. */
void mgmt_session_pause(struct mgmt_session *s, unsigned ms);
/* A password login with the per-source delay: 1 ok, 0 refused (logged). */
int mgmt_session_password(struct mgmt_session *s, const char *user, const char *password);
/* The user's entry, or NULL. */
const struct cfg_user *mgmt_user_find(const struct cfg_cli *cli, const char *user);
/* A user name as typed, safe for the log: printable ASCII, at most 32. */
void mgmt_user_safe(const char *in, char out[33]);
unsigned mgmt_user_priv(const struct cfg_user *u);

/* mgmt_cli.c: the command tree every front end serves */
/* A libcli context for session s: banner, prompt, commands. */
struct cli_def *mgmt_cli_create(struct mgmt_session *s);
/* "hostname# " for administrators, "hostname> " for the rest. */
void mgmt_cli_prompt(struct mgmt_session *s);
/* Runs one line outside cli_loop() (ssh exec); output goes to print(). */
int mgmt_cli_run_line(struct mgmt_session *s, const char *line);

#endif
