/* The telnet front end of the CLI: one accept thread, and one thread per
 * session with its own libcli context (libcli keeps session state in struct
 * cli_def and is not safe to share). Sessions reach node state only through
 * mgmt_call(), so a stuck or silent client can only ever stall itself. */
#include "mgmt.h"
#include "inet.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libcli.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MGMT_TELNET_MAX_SESSIONS 16
#define MGMT_TELNET_BACKLOG 16
#define MGMT_TELNET_LOGIN_SECS 60 /* from connect to a successful login */
#define MGMT_TELNET_IDLE_SECS 600 /* without input, once logged in */
#define MGMT_TELNET_MAX_TRIES 3   /* failed logins before we hang up */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct mgmt_telnet;

struct mgmt_session {
	struct mgmt_telnet *s_t;
	pthread_t s_thread;
	/* The accepted socket. stop() may shutdown() it at any time, so only
	 * the session closes it, under t_lock, and marks it -1. */
	int s_fd;
	/* A dup of s_fd handed to cli_loop(), which fclose()s it: the number
	 * s_fd must stay ours until the session is done with it. */
	int s_cli_fd;
	struct cli_def *s_cli;
	time_t s_login_deadline; /* CLOCK_MONOTONIC seconds */
	bool s_logged_in;
	unsigned s_fails;
	char s_peer[INET_ADDRSTRLEN + 8]; /* "a.b.c.d:port", for the audit log */
	char s_user[33];                  /* who logged in (printable only) */
	bool s_done; /* under t_lock: the thread is exiting, join it */
	struct mgmt_session *s_next;
};

struct mgmt_telnet {
	/* A copy: the control thread may replace its cfg while sessions read
	 * users and hashes from this one. */
	struct cfg_cli t_cli;
	char t_hostname[64];
	struct mgmt_queue *t_q;
	int t_lfd;
	uint16_t t_port;
	pthread_t t_accept;
	atomic_bool t_stopping;
	/* Guards t_sessions, t_n_live, s_fd and s_done. Held only for list
	 * edits, pthread_create and shutdown(): never across blocking I/O. */
	pthread_mutex_t t_lock;
	struct mgmt_session *t_sessions;
	unsigned t_n_live;
};

/* One row per command: adding "show ip nhrp" or "clear ip nhrp" is one line
 * here plus its enum mgmt_cmd. Words are separated by single spaces.
 * tc_args are the argument forms the command takes, '|' between them; a
 * form is words, "A.B.C.D" (an IPv4 address) or "NAME" (any one word); an
 * empty form is no argument. Anything else is refused before it reaches
 * the control thread. */
struct mgmt_telnet_cmd {
	const char *tc_words;
	enum mgmt_cmd tc_cmd;
	const char *tc_args;
	const char *tc_help; /* for the last word */
};

static const struct mgmt_telnet_cmd mgmt_telnet_cmds[] = {
	{ "show version", MGMT_SHOW_VERSION, "", "Software version and uptime" },
	{ "show running-config", MGMT_SHOW_RUNNING_CONFIG, "",
	  "Current configuration (YAML)" },
	{ "show interfaces", MGMT_SHOW_INTERFACES, "|NAME", "Ports and the tunnel [NAME]" },
	{ "show worker", MGMT_SHOW_WORKER, "", "Dataplane worker lcores" },
	{ "show arp", MGMT_SHOW_ARP, "", "ARP (neighbour) table" },
	{ "show dmvpn", MGMT_SHOW_DMVPN, "", "DMVPN peers: NBMA, tunnel address, state" },
	{ "show ip nhrp", MGMT_SHOW_IP_NHRP, "|A.B.C.D", "NHRP cache [one tunnel address]" },
	{ "show ip nhrp nhs", MGMT_SHOW_IP_NHRP_NHS, "|detail",
	  "Next hop servers: state, requests, replies [detail]" },
	{ "show ip route", MGMT_SHOW_IP_ROUTE, "|A.B.C.D",
	  "Forwarding table with sources [the route to one address]" },
	{ "show nhrp stats", MGMT_SHOW_NHRP_STATS, "", "NHRP packets sent/received/errors" },
	{ "clear ip nhrp", MGMT_CLEAR_IP_NHRP, "|A.B.C.D|counters",
	  "Flush learned NHRP entries [one tunnel address], or zero the counters" },
	{ "show crypto ipsec sa", MGMT_SHOW_CRYPTO_IPSEC_SA, "", "ESP security associations" },
	{ "show crypto ikev2 sa", MGMT_SHOW_CRYPTO_IKEV2_SA, "|detail",
	  "IKE SAs: peer, state, SPIs [detail]" },
	{ "show crypto ikev2 stats", MGMT_SHOW_CRYPTO_IKEV2_STATS, "",
	  "IKE counters: SAs made, ended by reason, drops" },
	{ "show crypto session", MGMT_SHOW_CRYPTO_SESSION, "",
	  "Crypto sessions: peer, status, IKE SA, ESP flow" },
	{ "clear crypto session", MGMT_CLEAR_CRYPTO_SESSION, "|peer A.B.C.D",
	  "Delete IKE SAs (all, or peer A.B.C.D); needed ones come back" },
	{ "debug crypto ikev2", MGMT_DEBUG_CRYPTO_IKEV2, "",
	  "Log every IKE message sent and received" },
	{ "no debug crypto ikev2", MGMT_NO_DEBUG_CRYPTO_IKEV2, "", "Stop logging IKE messages" },
};

/* Help for words that only group commands. */
static const struct {
	const char *tp_word;
	const char *tp_help;
} mgmt_telnet_prefixes[] = {
	{ "show", "Show running system information" },
	{ "clear", "Reset functions" },
	{ "ip", "IP information" },
	{ "crypto", "Encryption" },
	{ "ipsec", "IPsec" },
	{ "ikev2", "IKEv2 (IKE-lite)" },
	{ "session", "Crypto sessions" },
	{ "debug", "Debugging functions (to the log)" },
	{ "no", "Negate a command" },
};

/* The session of the calling thread: libcli's auth callback gets no
 * cli_def or context pointer, only the user name and password. */
static __thread struct mgmt_session *mgmt_session_self;

static time_t mgmt_telnet_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Management threads take no asynchronous signals: SIGPIPE from writing to
 * a vanished client must not kill the node, and SIGINT/SIGTERM belong to the
 * main thread. Faults stay deliverable (core dumps, sanitizers). Session
 * threads inherit the mask from the accept thread. */
static int mgmt_telnet_thread_create(pthread_t *th, void *(*fn)(void *),
				     void *arg)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				      SIGABRT, SIGTRAP };
	sigset_t mask, old;
	size_t i;
	int rc;

	sigfillset(&mask);
	for (i = 0; i < ARRAY_SIZE(faults); i++)
		sigdelset(&mask, faults[i]);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -rc;
}

/* ---- commands (run on the session thread) ---- */

static const struct mgmt_telnet_cmd *mgmt_telnet_cmd_lookup(const char *words)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mgmt_telnet_cmds); i++)
		if (strcmp(mgmt_telnet_cmds[i].tc_words, words) == 0)
			return &mgmt_telnet_cmds[i];
	return NULL;
}

/* Whether argv is one of the forms in `forms` (see mgmt_telnet_cmd). */
static bool mgmt_telnet_args_ok(const char *forms, char *argv[], int argc)
{
	char buf[96], *save = NULL, *form;
	const char *p = forms;

	for (;;) {
		const char *bar = strchr(p, '|');
		size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		int i = 0;
		bool ok = true;

		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		for (form = strtok_r(buf, " ", &save); form != NULL && ok;
		     form = strtok_r(NULL, " ", &save), i++) {
			uint32_t a;

			if (i >= argc)
				ok = false;
			else if (strcmp(form, "A.B.C.D") == 0)
				ok = inet_v4_parse(argv[i], &a) == 0;
			else if (strcmp(form, "NAME") != 0)
				ok = strcmp(form, argv[i]) == 0;
		}
		if (ok && i == argc)
			return true;
		if (bar == NULL)
			return false;
		p = bar + 1;
	}
}

/* argv joined with single spaces; -ENOSPC if it does not fit mr_arg. */
static int mgmt_telnet_args_join(char *argv[], int argc, char *out,
				 size_t outlen)
{
	size_t len = 0, n;
	int i;

	out[0] = '\0';
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (len + (i > 0) + n >= outlen)
			return -ENOSPC;
		if (i > 0)
			out[len++] = ' ';
		memcpy(out + len, argv[i], n + 1);
		len += n;
	}
	return 0;
}

static void mgmt_telnet_answer_print(struct cli_def *cli,
				     const struct mgmt_req *req)
{
	const char *p = strbuf_str(&req->mr_out), *nl;
	char ebuf[128];
	size_t len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		cli_print(cli, "%.*s", (int)len, p);
		p += len + (nl != NULL);
	}
	if (req->mr_out.sb_oom)
		cli_print(cli, "%% output truncated: out of memory");
	if (req->mr_rc == -ESHUTDOWN)
		cli_print(cli, "%% node is shutting down");
	else if (req->mr_rc < 0)
		cli_print(cli, "%% %s",
			  strerror_r(-req->mr_rc, ebuf, sizeof(ebuf)));
}

/* Runs on: a session thread. Blocks in mgmt_call() until the control thread
 * answers; only this session waits. */
static int mgmt_telnet_cmd_run(struct cli_def *cli, const char *command,
			       char *argv[], int argc)
{
	const struct mgmt_telnet_cmd *tc = mgmt_telnet_cmd_lookup(command);
	struct mgmt_session *s = cli_get_context(cli);
	struct mgmt_req req;
	char arg[sizeof(req.mr_arg)];

	if (tc == NULL) {
		cli_print(cli, "%% no handler for \"%s\"", command);
		return CLI_OK;
	}
	if (mgmt_telnet_args_join(argv, argc, arg, sizeof(arg)) != 0) {
		cli_print(cli, "%% arguments too long");
		return CLI_OK;
	}
	if (!mgmt_telnet_args_ok(tc->tc_args, argv, argc)) {
		cli_print(cli, "%% Invalid input: %s %s", command, arg);
		return CLI_OK;
	}
	/* the audit trail: what changes state at notice, the rest at debug */
	if (strncmp(command, "show ", 5) == 0)
		LOG_MGMT(DEBUG, "%s@%s: %s%s%s", s->s_user, s->s_peer, command, argc ? " " : "", arg);
	else
		LOG_MGMT(NOTICE, "%s@%s: %s%s%s", s->s_user, s->s_peer, command, argc ? " " : "", arg);
	mgmt_req_init(&req, tc->tc_cmd, arg);
	mgmt_call(s->s_t->t_q, &req);
	mgmt_telnet_answer_print(cli, &req);
	mgmt_req_fini(&req);
	return CLI_OK;
}

static const char *mgmt_telnet_prefix_help(const char *word)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mgmt_telnet_prefixes); i++)
		if (strcmp(mgmt_telnet_prefixes[i].tp_word, word) == 0)
			return mgmt_telnet_prefixes[i].tp_help;
	return NULL;
}

static struct cli_command *mgmt_telnet_child_find(struct cli_def *cli,
						  struct cli_command *parent,
						  const char *word)
{
	struct cli_command *c = parent != NULL ? parent->children :
						 cli->commands;

	for (; c != NULL; c = c->next)
		if (c->command_type == CLI_REGULAR_COMMAND &&
		    strcmp(c->command, word) == 0)
			return c;
	return NULL;
}

/* Registers "a b c": "a" and "b" as shared grouping nodes (created once),
 * "c" with the handler. */
static int mgmt_telnet_cmd_register(struct cli_def *cli,
				    const struct mgmt_telnet_cmd *tc)
{
	struct cli_command *parent = NULL, *c;
	char words[128], *save = NULL, *w, *next;

	snprintf(words, sizeof(words), "%s", tc->tc_words);
	for (w = strtok_r(words, " ", &save); w != NULL; w = next) {
		next = strtok_r(NULL, " ", &save);
		if (next == NULL)
			return cli_register_command(cli, parent, w,
						    mgmt_telnet_cmd_run,
						    PRIVILEGE_UNPRIVILEGED,
						    MODE_EXEC, tc->tc_help) ?
				       0 : -ENOMEM;
		c = mgmt_telnet_child_find(cli, parent, w);
		if (c == NULL)
			c = cli_register_command(cli, parent, w, NULL,
						 PRIVILEGE_UNPRIVILEGED,
						 MODE_EXEC,
						 mgmt_telnet_prefix_help(w));
		if (c == NULL)
			return -ENOMEM;
		parent = c;
	}
	return -EINVAL;
}

/* ---- one session ---- */

/* The client's address for the audit log. */
static void mgmt_session_peer(struct mgmt_session *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char a[INET_ADDRSTRLEN];

	snprintf(s->s_peer, sizeof(s->s_peer), "?");
	if (getpeername(s->s_fd, (struct sockaddr *)&sin, &len) == 0 && sin.sin_family == AF_INET &&
	    inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)) != NULL)
		snprintf(s->s_peer, sizeof(s->s_peer), "%s:%u", a, ntohs(sin.sin_port));
}

/* A user name as typed, safe for the log: printable ASCII, at most 32. */
static void mgmt_user_safe(const char *in, char out[33])
{
	size_t i;

	for (i = 0; in[i] != '\0' && i < 32; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

/* Runs on: the session thread, inside cli_loop(). Every login and every
 * refusal goes to the log (user.dmvpn.mgmt), never the password. */
static int mgmt_session_auth(const char *user, const char *password)
{
	struct mgmt_session *s = mgmt_session_self;

	/* Past the limit, lines a client pipelined earlier are refused
	 * without spending a crypt() on them. */
	if (s == NULL || s->s_fails >= MGMT_TELNET_MAX_TRIES)
		return CLI_ERROR;
	mgmt_user_safe(user, s->s_user);
	if (mgmt_auth_check(&s->s_t->t_cli, user, password)) {
		s->s_logged_in = true;
		LOG_MGMT(NOTICE, "login: %s from %s", s->s_user, s->s_peer);
		return CLI_OK;
	}
	LOG_MGMT(WARNING, "login refused: user '%s' from %s (try %u)", s->s_user, s->s_peer,
		 s->s_fails + 1);
	/* Hang up after a few tries. Only the read side: "Access denied"
	 * still goes out, then cli_loop() reads EOF and returns. */
	if (++s->s_fails >= MGMT_TELNET_MAX_TRIES)
		shutdown(s->s_cli_fd, SHUT_RD);
	return CLI_ERROR;
}

/* Runs on: the session thread, about once a second while it waits for
 * input. The login deadline counts from connect, so trickling one byte at a
 * time does not keep an unauthenticated session alive; the stop flag backs
 * up the shutdown() that mgmt_telnet_stop() sends. */
static int mgmt_session_regular(struct cli_def *cli)
{
	struct mgmt_session *s = cli_get_context(cli);

	if (atomic_load(&s->s_t->t_stopping))
		return CLI_ERROR;
	if (!s->s_logged_in && mgmt_telnet_now() >= s->s_login_deadline) {
		cli_error(cli, "\n%% login timed out");
		return CLI_ERROR;
	}
	return CLI_OK;
}

static struct cli_def *mgmt_session_cli_create(struct mgmt_session *s)
{
	struct mgmt_telnet *t = s->s_t;
	struct cli_def *cli = cli_init();
	char banner[96];
	size_t i;

	if (cli == NULL)
		return NULL;
	snprintf(banner, sizeof(banner), "dmvpnd %s", t->t_hostname);
	cli_set_banner(cli, banner);
	cli_set_hostname(cli, t->t_hostname);
	cli_set_context(cli, s);
	cli_set_auth_callback(cli, mgmt_session_auth);
	cli_set_idle_timeout(cli, MGMT_TELNET_IDLE_SECS);
	cli_regular(cli, mgmt_session_regular);
	/* Every command is unprivileged and there is no enable secret: these
	 * would only ever answer "Access denied". */
	cli_unregister_command(cli, "enable");
	cli_unregister_command(cli, "disable");
	cli_unregister_command(cli, "configure");
	for (i = 0; i < ARRAY_SIZE(mgmt_telnet_cmds); i++) {
		if (mgmt_telnet_cmd_register(cli, &mgmt_telnet_cmds[i]) != 0) {
			cli_done(cli);
			return NULL;
		}
	}
	return cli;
}

/* cli_loop() fclose()s the stream it makes from the fd when it returns
 * normally, but returns CLI_ERROR with the fd untouched when it cannot
 * allocate, and leaves the stream open if an allocation fails mid-session. */
static void mgmt_session_loop(struct mgmt_session *s, struct cli_def *cli)
{
	int rc = cli_loop(cli, s->s_cli_fd);

	if (cli->client != NULL) {
		fclose(cli->client);
		cli->client = NULL;
	} else if (rc != CLI_OK) {
		close(s->s_cli_fd);
	}
}

/* Runs on: the session thread, last thing before it exits. */
static void mgmt_session_finish(struct mgmt_session *s)
{
	struct mgmt_telnet *t = s->s_t;
	int fd;

	pthread_mutex_lock(&t->t_lock);
	fd = s->s_fd;
	s->s_fd = -1;
	s->s_done = true;
	t->t_n_live--;
	pthread_mutex_unlock(&t->t_lock);
	close(fd);
}

/* Runs on: its own thread, one per connection. */
static void *mgmt_session_main(void *arg)
{
	struct mgmt_session *s = arg;
	struct cli_def *cli;

	mgmt_session_self = s;
	mgmt_session_peer(s);
	s->s_login_deadline = mgmt_telnet_now() + MGMT_TELNET_LOGIN_SECS;
	cli = mgmt_session_cli_create(s);
	if (cli != NULL) {
		s->s_cli = cli;
		mgmt_session_loop(s, cli);
		cli_done(cli);
	} else {
		close(s->s_cli_fd);
	}
	mgmt_session_finish(s);
	return NULL;
}

/* ---- accepting ---- */

/* Never blocks the accept thread on a client that does not read. */
static void mgmt_telnet_refuse(int fd, const char *why)
{
	ssize_t n = send(fd, why, strlen(why), MSG_DONTWAIT | MSG_NOSIGNAL);

	(void)n;
	close(fd);
}

/* Runs on: the accept thread. Links the session and starts its thread
 * under t_lock, so the count and the list never disagree. */
static void mgmt_telnet_session_spawn(struct mgmt_telnet *t, int fd)
{
	struct mgmt_session *s = calloc(1, sizeof(*s));
	int rc = -EMFILE;

	if (s == NULL)
		goto err_refuse;
	s->s_t = t;
	s->s_fd = fd;
	/* libcli waits with select(): a descriptor at or past FD_SETSIZE
	 * would overflow its fd_set. */
	s->s_cli_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (s->s_cli_fd < 0 || s->s_cli_fd >= FD_SETSIZE)
		goto err_close_dup;
	pthread_mutex_lock(&t->t_lock);
	if (t->t_n_live >= MGMT_TELNET_MAX_SESSIONS)
		rc = -EBUSY;
	else
		rc = mgmt_telnet_thread_create(&s->s_thread, mgmt_session_main,
					       s);
	if (rc == 0) {
		s->s_next = t->t_sessions;
		t->t_sessions = s;
		t->t_n_live++;
	}
	pthread_mutex_unlock(&t->t_lock);
	if (rc == 0)
		return;
err_close_dup:
	if (s->s_cli_fd >= 0)
		close(s->s_cli_fd);
	free(s);
err_refuse:
	mgmt_telnet_refuse(fd, rc == -EBUSY ? "% too many sessions\r\n" :
					      "% cannot serve a session now\r\n");
}

/* Joins finished sessions (all of them when `all`) and frees them.
 * Runs on: the accept thread, or stop() once the accept thread is gone:
 * never both, so no session is joined twice. */
static void mgmt_telnet_reap(struct mgmt_telnet *t, bool all)
{
	struct mgmt_session **pp, *s, *dead = NULL;

	pthread_mutex_lock(&t->t_lock);
	for (pp = &t->t_sessions; (s = *pp) != NULL;) {
		if (all || s->s_done) {
			*pp = s->s_next;
			s->s_next = dead;
			dead = s;
		} else {
			pp = &s->s_next;
		}
	}
	pthread_mutex_unlock(&t->t_lock);
	while ((s = dead) != NULL) {
		dead = s->s_next;
		pthread_join(s->s_thread, NULL);
		free(s);
	}
}

/* 0: try accept() again; -1: the listener is gone (stop) or broken. */
static int mgmt_telnet_accept_error(struct mgmt_telnet *t, int err)
{
	static const struct timespec backoff = { 0, 100 * 1000 * 1000 };

	if (atomic_load(&t->t_stopping))
		return -1;
	switch (err) {
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTDOWN:
	case EHOSTUNREACH:
		return 0;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		/* Out of resources: retry without spinning; stop still lands
		 * within one back-off. */
		nanosleep(&backoff, NULL);
		return 0;
	default:
		return -1;
	}
}

/* Runs on: the accept thread. stop() wakes accept() with shutdown(). */
static void *mgmt_telnet_accept_main(void *arg)
{
	struct mgmt_telnet *t = arg;
	int fd;

	while (!atomic_load(&t->t_stopping)) {
		fd = accept4(t->t_lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (mgmt_telnet_accept_error(t, errno) != 0)
				break;
			continue;
		}
		mgmt_telnet_reap(t, false);
		mgmt_telnet_session_spawn(t, fd);
	}
	return NULL;
}

/* ---- start / stop ---- */

/* telnet_addr and telnet_port are in host order; port 0 binds an ephemeral
 * port (tests). */
static int mgmt_telnet_listen(struct mgmt_telnet *t)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int one = 1, fd, rc;

	sin.sin_addr.s_addr = htonl(t->t_cli.telnet_addr);
	sin.sin_port = htons(t->t_cli.telnet_port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(fd, MGMT_TELNET_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	t->t_lfd = fd;
	t->t_port = ntohs(sin.sin_port);
	return 0;
}

/* Runs on: the control thread. */
struct mgmt_telnet *mgmt_telnet_start(const struct cfg_cli *cli,
				      const char *hostname,
				      struct mgmt_queue *q)
{
	struct mgmt_telnet *t;
	int rc;

	if (cli == NULL || q == NULL) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->t_cli = *cli;
	snprintf(t->t_hostname, sizeof(t->t_hostname), "%s",
		 hostname != NULL && hostname[0] != '\0' ? hostname : "dmvpnd");
	t->t_q = q;
	atomic_init(&t->t_stopping, false);
	pthread_mutex_init(&t->t_lock, NULL);
	rc = mgmt_telnet_listen(t);
	if (rc != 0)
		goto err_free;
	rc = mgmt_telnet_thread_create(&t->t_accept, mgmt_telnet_accept_main, t);
	if (rc != 0)
		goto err_close_listener;
	return t;

err_close_listener:
	close(t->t_lfd);
err_free:
	pthread_mutex_destroy(&t->t_lock);
	free(t);
	errno = -rc;
	return NULL;
}

uint16_t mgmt_telnet_port(const struct mgmt_telnet *t)
{
	return t->t_port;
}

/* Runs on: the control thread. Teardown order:
 * 1. close the queue: sessions in mgmt_call() wait for this very thread;
 * 2. stop accepting: shutdown() wakes accept(), then join that thread, so
 *    the session list can no longer grow;
 * 3. shutdown() every live session socket: cli_loop() reads EOF at once (and
 *    the once-a-second regular callback sees t_stopping regardless);
 * 4. join and free every session. */
void mgmt_telnet_stop(struct mgmt_telnet *t)
{
	struct mgmt_session *s;

	if (t == NULL)
		return;
	mgmt_queue_close(t->t_q);
	atomic_store(&t->t_stopping, true);
	shutdown(t->t_lfd, SHUT_RDWR);
	pthread_join(t->t_accept, NULL);
	close(t->t_lfd);
	pthread_mutex_lock(&t->t_lock);
	for (s = t->t_sessions; s != NULL; s = s->s_next)
		if (s->s_fd >= 0)
			shutdown(s->s_fd, SHUT_RDWR);
	pthread_mutex_unlock(&t->t_lock);
	mgmt_telnet_reap(t, true);
	pthread_mutex_destroy(&t->t_lock);
	free(t);
}
