/* The telnet front end: libcli speaks telnet on the accepted socket itself
 * and asks for the user name and password; the login goes through the
 * listener's shared checks (per-source delay, max-sessions, audit log). */
#include "mgmt_session.h"
#include "log.h"

#include <fcntl.h>
#include <libcli.h>
#include <stdio.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

/* The session of the calling thread: libcli's auth callback gets no
 * cli_def or context pointer, only the user name and password. */
static __thread struct mgmt_session *mgmt_telnet_self;

/* Runs on: the session thread, inside cli_loop(). */
static int mgmt_telnet_auth(const char *user, const char *password)
{
	struct mgmt_session *s = mgmt_telnet_self;

	/* Past the limit, lines a client pipelined earlier are refused
	 * without spending a crypt() on them. */
	if (s == NULL || s->s_fails >= MGMT_MAX_TRIES)
		return CLI_ERROR;
	if (mgmt_session_password(s, user, password)) {
		if (mgmt_session_logged_in(s, user,
					   mgmt_user_priv(mgmt_user_find(&s->s_srv->sv_cli, user)),
					   "password") != 0) {
			cli_error(s->s_cli, "\n%% too many sessions");
			shutdown(s->s_cli_fd, SHUT_RD);
			return CLI_ERROR;
		}
		mgmt_cli_prompt(s);
		return CLI_OK;
	}
	/* Hang up after a few tries. Only the read side: "Access denied"
	 * still goes out, then cli_loop() reads EOF and returns. */
	if (s->s_fails >= MGMT_MAX_TRIES)
		shutdown(s->s_cli_fd, SHUT_RD);
	return CLI_ERROR;
}

/* libcli waits with select(): a descriptor at or past FD_SETSIZE would
 * overflow its fd_set. cli_loop() fclose()s the fd it gets, so it gets a
 * dup and s_fd stays ours until the session is done. */
static void mgmt_telnet_serve(struct mgmt_session *s)
{
	struct cli_def *cli;
	int rc;

	mgmt_telnet_self = s;
	s->s_cli_fd = fcntl(s->s_fd, F_DUPFD_CLOEXEC, 0);
	if (s->s_cli_fd < 0 || s->s_cli_fd >= FD_SETSIZE) {
		if (s->s_cli_fd >= 0)
			close(s->s_cli_fd);
		return;
	}
	cli = mgmt_cli_create(s);
	if (cli == NULL) {
		close(s->s_cli_fd);
		return;
	}
	cli_set_auth_callback(cli, mgmt_telnet_auth);
	/* cli_loop() fclose()s the stream it makes from the fd when it returns
	 * normally, but returns CLI_ERROR with the fd untouched when it cannot
	 * allocate, and leaves the stream open if an allocation fails. */
	rc = cli_loop(cli, s->s_cli_fd);
	if (cli->client != NULL) {
		fclose(cli->client);
		cli->client = NULL;
	} else if (rc != CLI_OK) {
		close(s->s_cli_fd);
	}
	s->s_cli_fd = -1;
	cli_done(cli);
}

const struct mgmt_front mgmt_front_telnet = {
	.f_name = "telnet",
	.f_serve = mgmt_telnet_serve,
};
