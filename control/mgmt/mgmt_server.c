/* A CLI listener: one accept thread, one thread per session, whatever the
 * front end (telnet or ssh). Here live the limits every front end shares:
 * the cap on logged-in sessions, the connections still at the login stage
 * (the oldest gives way to a new one), the login deadline, the per-source
 * delay after failed logins, and the audit log of logins and refusals. */
#include "mgmt_session.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MGMT_BACKLOG 16

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

time_t mgmt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Management threads take no asynchronous signals: SIGPIPE from writing to
 * a vanished client must not kill the node, and SIGINT/SIGTERM belong to the
 * main thread. Faults stay deliverable (core dumps, sanitizers). Session
 * threads inherit the mask from the accept thread. */
static int mgmt_thread_create(pthread_t *th, void *(*fn)(void *), void *arg)
{
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP};
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

/* ---- users and logins (session threads) ---- */

const struct cfg_user *mgmt_user_find(const struct cfg_cli *cli, const char *user)
{
	unsigned i;

	for (i = 0; i < cli->n_users && i < CFG_MAX_USERS; i++)
		if (strcmp(cli->users[i].name, user) == 0)
			return &cli->users[i];
	return NULL;
}

unsigned mgmt_user_priv(const struct cfg_user *u)
{
	return u != NULL && u->privilege == CFG_PRIV_READ_ONLY ? CFG_PRIV_READ_ONLY
							       : CFG_PRIV_ADMIN;
}

void mgmt_user_safe(const char *in, char out[33])
{
	size_t i;

	for (i = 0; in[i] != '\0' && i < 32; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

void mgmt_session_progressed(struct mgmt_session *s)
{
	pthread_mutex_lock(&s->s_srv->sv_lock);
	s->s_progressed = true;
	pthread_mutex_unlock(&s->s_srv->sv_lock);
}

void mgmt_session_pause(struct mgmt_session *s, unsigned ms)
{
	struct timespec step = {0, 100 * 1000 * 1000};

	while (ms > 0 && !atomic_load(&s->s_srv->sv_stopping)) {
		if (ms < 100)
			step.tv_nsec = (long)ms * 1000 * 1000;
		nanosleep(&step, NULL);
		ms = ms > 100 ? ms - 100 : 0;
	}
}

int mgmt_session_logged_in(struct mgmt_session *s, const char *user, unsigned priv,
			   const char *method)
{
	struct mgmt_server *sv = s->s_srv;
	int rc = 0;

	mgmt_user_safe(user, s->s_user);
	pthread_mutex_lock(&sv->sv_lock);
	if (sv->sv_n_logged_in >= sv->sv_cli.max_sessions) {
		rc = -EBUSY;
	} else {
		s->s_logged_in = true;
		sv->sv_n_logged_in++;
	}
	pthread_mutex_unlock(&sv->sv_lock);
	if (rc != 0) {
		LOG_MGMT(WARNING,
			 "login refused: %s from %s over %s: %u sessions already (max-sessions)",
			 s->s_user, s->s_peer, sv->sv_front->f_name, sv->sv_cli.max_sessions);
		return rc;
	}
	s->s_priv = priv;
	mgmt_guard_succeeded(sv->sv_guard, s->s_src);
	LOG_MGMT(NOTICE, "login: %s from %s over %s (%s, privilege %u)", s->s_user, s->s_peer,
		 sv->sv_front->f_name, method, priv);
	return 0;
}

/* Every attempt from a source that failed before waits first, so that
 * guessing gets slower across connections; the wait is this session's
 * only. Every refusal goes to the log, never the password. */
int mgmt_session_password(struct mgmt_session *s, const char *user, const char *password)
{
	struct mgmt_server *sv = s->s_srv;
	unsigned delay = mgmt_guard_delay_ms(sv->sv_guard, s->s_src);
	char who[33];

	if (delay > 0)
		mgmt_session_pause(s, delay);
	if (atomic_load(&sv->sv_stopping))
		return 0;
	mgmt_user_safe(user, who);
	if (mgmt_auth_check(&sv->sv_cli, user, password))
		return 1;
	s->s_fails++;
	mgmt_guard_failed(sv->sv_guard, s->s_src);
	LOG_MGMT(WARNING, "login refused: user '%s' from %s over %s (try %u, password)", who,
		 s->s_peer, sv->sv_front->f_name, s->s_fails);
	return 0;
}

/* ---- sessions ---- */

static void mgmt_session_peer(struct mgmt_session *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char a[INET_ADDRSTRLEN];

	snprintf(s->s_peer, sizeof(s->s_peer), "?");
	if (getpeername(s->s_fd, (struct sockaddr *)&sin, &len) == 0 && sin.sin_family == AF_INET &&
	    inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)) != NULL) {
		s->s_src = ntohl(sin.sin_addr.s_addr);
		snprintf(s->s_peer, sizeof(s->s_peer), "%s:%u", a, ntohs(sin.sin_port));
	}
}

/* Runs on: the session thread, last thing before it exits. */
static void mgmt_session_finish(struct mgmt_session *s)
{
	struct mgmt_server *sv = s->s_srv;
	int fd;

	pthread_mutex_lock(&sv->sv_lock);
	fd = s->s_fd;
	s->s_fd = -1;
	s->s_done = true;
	sv->sv_n_live--;
	if (s->s_logged_in)
		sv->sv_n_logged_in--;
	pthread_mutex_unlock(&sv->sv_lock);
	if (fd >= 0)
		close(fd);
	if (s->s_priv != 0)
		LOG_MGMT(INFO, "logout: %s from %s", s->s_user, s->s_peer);
}

/* Runs on: its own thread, one per connection. */
static void *mgmt_session_main(void *arg)
{
	struct mgmt_session *s = arg;

	s->s_srv->sv_front->f_serve(s);
	mgmt_session_finish(s);
	return NULL;
}

/* ---- accepting ---- */

/* Never blocks the accept thread on a client that does not read. */
static void mgmt_server_refuse(int fd, const char *why)
{
	ssize_t n = send(fd, why, strlen(why), MSG_DONTWAIT | MSG_NOSIGNAL);

	(void)n;
	close(fd);
}

/* Under sv_lock. With every login slot taken, one connection still
 * logging in is shut down, its thread ends on its own: the oldest of those
 * that never progressed, else the oldest. */
static void mgmt_server_make_room(struct mgmt_server *sv)
{
	struct mgmt_session *s, *idle = NULL, *oldest = NULL, *victim;
	unsigned n = 0;

	for (s = sv->sv_sessions; s != NULL; s = s->s_next) {
		if (s->s_done || s->s_logged_in || s->s_evicted || s->s_fd < 0)
			continue;
		n++;
		if (oldest == NULL || s->s_started <= oldest->s_started)
			oldest = s;
		if (!s->s_progressed && (idle == NULL || s->s_started <= idle->s_started))
			idle = s;
	}
	if (n < MGMT_PRELOGIN_MAX)
		return;
	victim = idle != NULL ? idle : oldest;
	LOG_MGMT(INFO, "%s: %u connections still logging in: closing the oldest%s, from %s",
		 sv->sv_front->f_name, n, idle != NULL ? " idle one" : "", victim->s_peer);
	shutdown(victim->s_fd, SHUT_RDWR);
	victim->s_evicted = true;
}

/* Runs on: the accept thread. Links the session and starts its thread
 * under sv_lock, so the count and the list never disagree. */
static void mgmt_server_spawn(struct mgmt_server *sv, int fd)
{
	struct mgmt_session *s = calloc(1, sizeof(*s));
	int rc = -EBUSY;

	if (s == NULL) {
		mgmt_server_refuse(fd, "% cannot serve a session now\r\n");
		return;
	}
	s->s_srv = sv;
	s->s_fd = fd;
	s->s_cli_fd = -1;
	s->s_started = mgmt_now();
	s->s_login_deadline = s->s_started + sv->sv_cli.login_timeout;
	mgmt_session_peer(s);
	if (sv->sv_front->f_admit != NULL && sv->sv_front->f_admit(s) != 0) {
		free(s);
		mgmt_server_refuse(fd, "% cannot serve a session now\r\n");
		return;
	}
	pthread_mutex_lock(&sv->sv_lock);
	mgmt_server_make_room(sv);
	/* Threads, logged in or not, stay bounded however fast clients come. */
	if (sv->sv_n_live < sv->sv_cli.max_sessions + 2 * MGMT_PRELOGIN_MAX)
		rc = mgmt_thread_create(&s->s_thread, mgmt_session_main, s);
	if (rc == 0) {
		s->s_next = sv->sv_sessions;
		sv->sv_sessions = s;
		sv->sv_n_live++;
	}
	pthread_mutex_unlock(&sv->sv_lock);
	if (rc == 0)
		return;
	if (sv->sv_front->f_drop != NULL)
		sv->sv_front->f_drop(s); /* admitted, never started */
	free(s);
	mgmt_server_refuse(fd, rc == -EBUSY ? "% too many sessions\r\n"
					    : "% cannot serve a session now\r\n");
}

/* Joins finished sessions (all of them when `all`) and frees them.
 * Runs on: the accept thread, or stop() once the accept thread is gone:
 * never both, so no session is joined twice. */
static void mgmt_server_reap(struct mgmt_server *sv, bool all)
{
	struct mgmt_session **pp, *s, *dead = NULL;

	pthread_mutex_lock(&sv->sv_lock);
	for (pp = &sv->sv_sessions; (s = *pp) != NULL;) {
		if (all || s->s_done) {
			*pp = s->s_next;
			s->s_next = dead;
			dead = s;
		} else {
			pp = &s->s_next;
		}
	}
	pthread_mutex_unlock(&sv->sv_lock);
	while ((s = dead) != NULL) {
		dead = s->s_next;
		pthread_join(s->s_thread, NULL);
		free(s);
	}
}

/* 0: try accept() again; -1: the listener is gone (stop) or broken. */
static int mgmt_server_accept_error(struct mgmt_server *sv, int err)
{
	static const struct timespec backoff = {0, 100 * 1000 * 1000};

	if (atomic_load(&sv->sv_stopping))
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
static void *mgmt_server_accept_main(void *arg)
{
	struct mgmt_server *sv = arg;
	int fd;

	while (!atomic_load(&sv->sv_stopping)) {
		fd = accept4(sv->sv_lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (mgmt_server_accept_error(sv, errno) != 0)
				break;
			continue;
		}
		mgmt_server_reap(sv, false);
		mgmt_server_spawn(sv, fd);
	}
	return NULL;
}

/* ---- start / stop ---- */

static int mgmt_server_listen(struct mgmt_server *sv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int one = 1, fd, rc;

	sin.sin_addr.s_addr = htonl(sv->sv_addr);
	sin.sin_port = htons(sv->sv_port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, MGMT_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	sv->sv_lfd = fd;
	sv->sv_port = ntohs(sin.sin_port);
	return 0;
}

/* Runs on: the control thread. */
struct mgmt_server *mgmt_server_start(enum mgmt_proto proto, const struct cfg_cli *cli,
				      const char *hostname, struct mgmt_queue *q,
				      struct mgmt_guard *g)
{
	struct mgmt_server *sv;
	char a[INET_ADDRSTRLEN];
	struct in_addr ia;
	int rc;

	if (cli == NULL || q == NULL) {
		errno = EINVAL;
		return NULL;
	}
	sv = calloc(1, sizeof(*sv));
	if (sv == NULL)
		return NULL;
	sv->sv_front = proto == MGMT_SSH ? &mgmt_front_ssh : &mgmt_front_telnet;
	sv->sv_cli = *cli;
	if (sv->sv_cli.max_sessions == 0)
		sv->sv_cli.max_sessions = 16;
	if (sv->sv_cli.login_timeout == 0)
		sv->sv_cli.login_timeout = 30;
	sv->sv_addr = proto == MGMT_SSH ? cli->ssh_addr : cli->telnet_addr;
	sv->sv_port = proto == MGMT_SSH ? cli->ssh_port : cli->telnet_port;
	snprintf(sv->sv_hostname, sizeof(sv->sv_hostname), "%s",
		 hostname != NULL && hostname[0] != '\0' ? hostname : "dmvpnd");
	sv->sv_q = q;
	sv->sv_guard = g;
	sv->sv_lfd = -1;
	atomic_init(&sv->sv_stopping, false);
	pthread_mutex_init(&sv->sv_lock, NULL);
	ia.s_addr = htonl(sv->sv_addr);
	inet_ntop(AF_INET, &ia, a, sizeof(a));
	rc = sv->sv_front->f_prepare != NULL ? sv->sv_front->f_prepare(sv) : 0;
	if (rc != 0)
		goto err_free;
	rc = mgmt_server_listen(sv);
	if (rc != 0) {
		LOG_MGMT(ERR, "%s on %s:%u: %s", sv->sv_front->f_name, a, sv->sv_port,
			 strerror(-rc));
		goto err_release;
	}
	rc = mgmt_thread_create(&sv->sv_accept, mgmt_server_accept_main, sv);
	if (rc != 0)
		goto err_close_listener;
	LOG_MGMT(INFO, "%s listening on %s:%u", sv->sv_front->f_name, a, sv->sv_port);
	return sv;

err_close_listener:
	close(sv->sv_lfd);
err_release:
	if (sv->sv_front->f_release != NULL)
		sv->sv_front->f_release(sv);
err_free:
	pthread_mutex_destroy(&sv->sv_lock);
	explicit_bzero(&sv->sv_cli, sizeof(sv->sv_cli));
	free(sv);
	errno = -rc;
	return NULL;
}

uint16_t mgmt_server_port(const struct mgmt_server *sv)
{
	return sv->sv_port;
}

/* Runs on: the control thread. Teardown order:
 * 1. close the queue: sessions in mgmt_call() wait for this very thread;
 * 2. stop accepting: shutdown() wakes accept(), then join that thread, so
 *    the session list can no longer grow;
 * 3. shutdown() every live session socket: the front ends read EOF at once
 *    (and the once-a-second checks see sv_stopping regardless);
 * 4. join and free every session. */
void mgmt_server_stop(struct mgmt_server *sv)
{
	struct mgmt_session *s;

	if (sv == NULL)
		return;
	mgmt_queue_close(sv->sv_q);
	atomic_store(&sv->sv_stopping, true);
	shutdown(sv->sv_lfd, SHUT_RDWR);
	pthread_join(sv->sv_accept, NULL);
	close(sv->sv_lfd);
	pthread_mutex_lock(&sv->sv_lock);
	for (s = sv->sv_sessions; s != NULL; s = s->s_next)
		if (s->s_fd >= 0)
			shutdown(s->s_fd, SHUT_RDWR);
	pthread_mutex_unlock(&sv->sv_lock);
	mgmt_server_reap(sv, true);
	if (sv->sv_front->f_release != NULL)
		sv->sv_front->f_release(sv);
	pthread_mutex_destroy(&sv->sv_lock);
	explicit_bzero(&sv->sv_cli, sizeof(sv->sv_cli));
	free(sv);
}
