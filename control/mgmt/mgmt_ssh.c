/* The ssh front end, on libssh's server: public-key and password logins
 * for the users in the config, then the same libcli command tree as telnet.
 *
 *   session thread (libssh): key exchange, login, channel requests; then
 *     pumps the channel <-> one end of a socketpair
 *   cli thread: cli_loop() on the other end, telnet negotiation off
 *
 * `ssh node 'show dmvpn; show ip route'` runs the commands without a
 * shell (exec) and exits 0, or 1 when one of them failed.
 *
 * The host key (Ed25519) is made at the first start and kept 0600; a key
 * file others may read is refused, as IKE's are. Its fingerprint is logged
 * at start so an operator can check the first connection against it. */
#include "mgmt_session.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <libcli.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MGMT_SSH_DEFAULT_KEY_DIR "/var/lib/dmvpnd"

struct mgmt_ssh {
	ssh_bind sh_bind;
	ssh_key sh_keys[CFG_MAX_USERS][CFG_MAX_USER_KEYS]; /* users' public keys */
};

enum mgmt_ssh_mode { SSH_MODE_NONE, SSH_MODE_SHELL, SSH_MODE_EXEC };

/* One connection, owned by its session thread. */
struct mgmt_ssh_conn {
	ssh_session c_ss;
	ssh_channel c_ch;
	ssh_event c_ev;
	struct ssh_server_callbacks_struct c_scb;
	struct ssh_channel_callbacks_struct c_ccb;
	enum mgmt_ssh_mode c_mode;
	char c_exec[512];
	int c_sp;          /* our end of the socketpair; libcli has s_cli_fd */
	bool c_cli_closed; /* libcli's end is gone */
	bool c_ch_closed;  /* the client closed the channel */
	bool c_fatal;      /* hang up */
	char c_last_in;    /* the last byte the client typed */
};

/* ---- host key ---- */

static int mgmt_ssh_mkdirs(const char *path)
{
	char dir[CFG_PATH_MAX], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A new Ed25519 key, written to a temporary file made 0600 from the start
 * and renamed into place, so no one ever sees a partial or readable key. */
static int mgmt_ssh_key_make(const char *path)
{
	char tmp[CFG_PATH_MAX + 8], *b64 = NULL;
	ssh_key key = NULL;
	int fd, rc = -EIO;
	size_t len;

	rc = mgmt_ssh_mkdirs(path);
	if (rc != 0)
		return rc;
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
	    ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) != SSH_OK) {
		ssh_key_free(key);
		return -EIO;
	}
	ssh_key_free(key);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	len = strlen(b64);
	if (fchmod(fd, 0600) != 0 || write(fd, b64, len) != (ssize_t)len || fsync(fd) != 0)
		rc = -errno;
	else
		rc = 0;
	close(fd);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
out:
	explicit_bzero(b64, strlen(b64));
	ssh_string_free_char(b64);
	return rc;
}

static void mgmt_ssh_key_log(ssh_key key, const char *path, bool made)
{
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;

	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	LOG_MGMT(NOTICE, "ssh: host key %s %s%s", fp != NULL ? fp : "?", path,
		 made ? " (made now)" : "");
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
}

static int mgmt_ssh_host_key(struct mgmt_server *sv, ssh_key *key)
{
	char def[CFG_PATH_MAX];
	const char *path = sv->sv_cli.ssh_host_key;
	bool made = false;
	struct stat st;
	int rc;

	if (path[0] == '\0') {
		snprintf(def, sizeof(def), "%s/%s/ssh_host_ed25519_key", MGMT_SSH_DEFAULT_KEY_DIR,
			 sv->sv_hostname);
		path = def;
	}
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT) {
			rc = -errno;
			LOG_MGMT(ERR, "ssh: host key %s: %s", path, strerror(errno));
			return rc;
		}
		rc = mgmt_ssh_key_make(path);
		if (rc != 0) {
			LOG_MGMT(ERR, "ssh: cannot make a host key at %s: %s", path, strerror(-rc));
			return rc;
		}
		made = true;
	} else if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		LOG_MGMT(
			ERR,
			"ssh: host key %s is %s: it must be a file only its owner can read (chmod 600)",
			path, S_ISREG(st.st_mode) ? "readable by others" : "not a regular file");
		return -EPERM;
	}
	if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, key) != SSH_OK) {
		LOG_MGMT(ERR, "ssh: host key %s is not a private key libssh can read", path);
		return -EINVAL;
	}
	mgmt_ssh_key_log(*key, path, made);
	return 0;
}

/* ---- start / stop (control thread) ---- */

static void mgmt_ssh_release(struct mgmt_server *sv)
{
	struct mgmt_ssh *sh = sv->sv_ssh;
	unsigned u, k;

	if (sh == NULL)
		return;
	for (u = 0; u < CFG_MAX_USERS; u++)
		for (k = 0; k < CFG_MAX_USER_KEYS; k++)
			ssh_key_free(sh->sh_keys[u][k]);
	if (sh->sh_bind != NULL)
		ssh_bind_free(sh->sh_bind);
	free(sh);
	sv->sv_ssh = NULL;
}

/* The users' keys, decoded once. A key libssh cannot read fails the start,
 * naming its line in the config. */
static int mgmt_ssh_user_keys(struct mgmt_server *sv)
{
	const struct cfg_cli *cli = &sv->sv_cli;
	char line[CFG_SSH_KEY_MAX], *type, *b64, *save = NULL;
	unsigned u, k;

	for (u = 0; u < cli->n_users && u < CFG_MAX_USERS; u++) {
		for (k = 0; k < cli->users[u].n_keys && k < CFG_MAX_USER_KEYS; k++) {
			snprintf(line, sizeof(line), "%s", cli->users[u].ssh_keys[k]);
			type = strtok_r(line, " ", &save);
			b64 = strtok_r(NULL, " ", &save);
			if (type == NULL || b64 == NULL ||
			    ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type),
							 &sv->sv_ssh->sh_keys[u][k]) != SSH_OK) {
				LOG_MGMT(
					ERR,
					"line %u: cli.users[%u].ssh-keys[%u] (%s): not a public key libssh can read",
					cli->users[u].pos_keys[k].line, u, k, cli->users[u].name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int mgmt_ssh_prepare(struct mgmt_server *sv)
{
	ssh_key key = NULL;
	int rc;

	if (ssh_init() != SSH_OK)
		return -EIO;
	sv->sv_ssh = calloc(1, sizeof(*sv->sv_ssh));
	if (sv->sv_ssh == NULL)
		return -ENOMEM;
	rc = mgmt_ssh_user_keys(sv);
	if (rc == 0)
		rc = mgmt_ssh_host_key(sv, &key);
	if (rc != 0) {
		mgmt_ssh_release(sv);
		return rc;
	}
	sv->sv_ssh->sh_bind = ssh_bind_new();
	/* The bind owns the key from here. */
	if (sv->sv_ssh->sh_bind == NULL ||
	    ssh_bind_options_set(sv->sv_ssh->sh_bind, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {
		ssh_key_free(key);
		mgmt_ssh_release(sv);
		return -ENOMEM;
	}
	return 0;
}

/* ---- one connection ---- */

static void mgmt_ssh_conn_free(struct mgmt_ssh_conn *c)
{
	if (c == NULL)
		return;
	if (c->c_ev != NULL)
		ssh_event_free(c->c_ev);
	if (c->c_ch != NULL)
		ssh_channel_free(c->c_ch);
	if (c->c_ss != NULL) {
		ssh_disconnect(c->c_ss);
		ssh_free(c->c_ss);
	}
	free(c);
}

/* Runs on: the accept thread (the bind is shared; only this thread uses
 * it). libssh gets a dup of the socket and closes it itself. */
static int mgmt_ssh_admit(struct mgmt_session *s)
{
	struct mgmt_ssh_conn *c = calloc(1, sizeof(*c));
	int fd;

	if (c == NULL)
		return -ENOMEM;
	c->c_sp = -1;
	c->c_ss = ssh_new();
	fd = fcntl(s->s_fd, F_DUPFD_CLOEXEC, 0);
	if (c->c_ss == NULL || fd < 0 ||
	    ssh_bind_accept_fd(s->s_srv->sv_ssh->sh_bind, c->c_ss, fd) != SSH_OK) {
		if (fd >= 0)
			close(fd);
		mgmt_ssh_conn_free(c);
		return -EIO;
	}
	s->s_front = c;
	return 0;
}

static void mgmt_ssh_drop(struct mgmt_session *s)
{
	mgmt_ssh_conn_free(s->s_front);
	s->s_front = NULL;
}

/* -- logins (inside ssh_event_dopoll, on the session thread) -- */

static int mgmt_ssh_auth_password(ssh_session ss, const char *user, const char *password,
				  void *userdata)
{
	struct mgmt_session *s = userdata;
	struct mgmt_ssh_conn *c = s->s_front;

	(void)ss;
	if (s->s_priv != 0 || s->s_fails >= MGMT_MAX_TRIES)
		return SSH_AUTH_DENIED;
	if (!mgmt_session_password(s, user, password)) {
		if (s->s_fails >= MGMT_MAX_TRIES)
			c->c_fatal = true;
		return SSH_AUTH_DENIED;
	}
	if (mgmt_session_logged_in(s, user, mgmt_user_priv(mgmt_user_find(&s->s_srv->sv_cli, user)),
				   "password") != 0) {
		c->c_fatal = true;
		return SSH_AUTH_DENIED;
	}
	return SSH_AUTH_SUCCESS;
}

/* The index of `user`'s key equal to `key`, or -1. */
static int mgmt_ssh_key_find(const struct mgmt_server *sv, const char *user, ssh_key key)
{
	const struct cfg_user *u = mgmt_user_find(&sv->sv_cli, user);
	unsigned i, k;

	if (u == NULL)
		return -1;
	i = (unsigned)(u - sv->sv_cli.users);
	for (k = 0; k < u->n_keys && k < CFG_MAX_USER_KEYS; k++)
		if (sv->sv_ssh->sh_keys[i][k] != NULL &&
		    ssh_key_cmp(sv->sv_ssh->sh_keys[i][k], key, SSH_KEY_CMP_PUBLIC) == 0)
			return (int)k;
	return -1;
}

/* A client offers keys one by one (state NONE) before it signs with one:
 * offers of keys we do not know are normal and cost nothing; a bad
 * signature counts as a failed login. */
static int mgmt_ssh_auth_pubkey(ssh_session ss, const char *user, struct ssh_key_struct *key,
				char state, void *userdata)
{
	struct mgmt_session *s = userdata;
	struct mgmt_ssh_conn *c = s->s_front;
	char how[48], who[33];
	int k;

	(void)ss;
	if (s->s_priv != 0 || s->s_fails >= MGMT_MAX_TRIES)
		return SSH_AUTH_DENIED;
	k = mgmt_ssh_key_find(s->s_srv, user, key);
	if (state == SSH_PUBLICKEY_STATE_NONE)
		return k >= 0 ? SSH_AUTH_SUCCESS : SSH_AUTH_DENIED;
	if (k < 0 || state != SSH_PUBLICKEY_STATE_VALID) {
		mgmt_user_safe(user, who);
		s->s_fails++;
		mgmt_guard_failed(s->s_srv->sv_guard, s->s_src);
		LOG_MGMT(WARNING, "login refused: user '%s' from %s over ssh (try %u, public key)",
			 who, s->s_peer, s->s_fails);
		if (s->s_fails >= MGMT_MAX_TRIES)
			c->c_fatal = true;
		return SSH_AUTH_DENIED;
	}
	snprintf(how, sizeof(how), "public key ssh-keys[%d]", k);
	if (mgmt_session_logged_in(s, user, mgmt_user_priv(mgmt_user_find(&s->s_srv->sv_cli, user)),
				   how) != 0) {
		c->c_fatal = true;
		return SSH_AUTH_DENIED;
	}
	return SSH_AUTH_SUCCESS;
}

/* -- the channel -- */

/* The client's keystrokes to libcli, which ends a line on CR only: a
 * terminal sends CR, but input piped into `ssh -tt` has LF alone. */
static int mgmt_ssh_on_data(ssh_session ss, ssh_channel ch, void *data, uint32_t len, int is_stderr,
			    void *userdata)
{
	struct mgmt_session *s = userdata;
	struct mgmt_ssh_conn *c = s->s_front;
	char buf[1024], *in = data;
	uint32_t i, n = len < sizeof(buf) ? len : sizeof(buf);
	ssize_t sent;

	(void)ss;
	(void)ch;
	(void)is_stderr;
	if (c->c_sp < 0)
		return (int)len; /* exec: stdin is not read */
	if (n == 0)
		return 0;
	memcpy(buf, in, n);
	for (i = 0; i < n; i++)
		if (in[i] == '\n' && (i > 0 ? in[i - 1] : c->c_last_in) != '\r')
			buf[i] = '\r';
	sent = send(c->c_sp, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent <= 0)
		return 0;
	c->c_last_in = in[sent - 1];
	return (int)sent;
}

static void mgmt_ssh_on_eof(ssh_session ss, ssh_channel ch, void *userdata)
{
	struct mgmt_session *s = userdata;
	struct mgmt_ssh_conn *c = s->s_front;

	(void)ss;
	(void)ch;
	if (c->c_sp >= 0)
		shutdown(c->c_sp, SHUT_WR); /* libcli reads EOF and ends */
}

static void mgmt_ssh_on_close(ssh_session ss, ssh_channel ch, void *userdata)
{
	struct mgmt_ssh_conn *c = ((struct mgmt_session *)userdata)->s_front;

	(void)ss;
	(void)ch;
	c->c_ch_closed = true;
}

static int mgmt_ssh_on_pty(ssh_session ss, ssh_channel ch, const char *term, int w, int h, int pw,
			   int ph, void *userdata)
{
	(void)ss, (void)ch, (void)term, (void)w, (void)h, (void)pw, (void)ph, (void)userdata;
	return 0;
}

static int mgmt_ssh_on_window(ssh_session ss, ssh_channel ch, int w, int h, int pw, int ph,
			      void *userdata)
{
	(void)ss, (void)ch, (void)w, (void)h, (void)pw, (void)ph, (void)userdata;
	return 0;
}

static int mgmt_ssh_on_shell(ssh_session ss, ssh_channel ch, void *userdata)
{
	struct mgmt_session *s = userdata;
	struct mgmt_ssh_conn *c = s->s_front;
	int sp[2];

	(void)ss;
	(void)ch;
	if (c->c_mode != SSH_MODE_NONE)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0)
		return -1;
	if (sp[1] >= FD_SETSIZE) { /* libcli select()s on its end */
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	c->c_sp = sp[0];
	s->s_cli_fd = sp[1];
	c->c_mode = SSH_MODE_SHELL;
	return 0;
}

static int mgmt_ssh_on_exec(ssh_session ss, ssh_channel ch, const char *command, void *userdata)
{
	struct mgmt_ssh_conn *c = ((struct mgmt_session *)userdata)->s_front;

	(void)ss;
	(void)ch;
	if (c->c_mode != SSH_MODE_NONE || strlen(command) >= sizeof(c->c_exec))
		return -1;
	snprintf(c->c_exec, sizeof(c->c_exec), "%s", command);
	c->c_mode = SSH_MODE_EXEC;
	return 0;
}

static ssh_channel mgmt_ssh_on_open(ssh_session ss, void *userdata)
{
	struct mgmt_session *s = userdata;
	struct mgmt_ssh_conn *c = s->s_front;

	if (s->s_priv == 0 || c->c_ch != NULL)
		return NULL; /* one session channel, after login */
	c->c_ch = ssh_channel_new(ss);
	if (c->c_ch == NULL)
		return NULL;
	c->c_ccb = (struct ssh_channel_callbacks_struct){
		.userdata = s,
		.channel_data_function = mgmt_ssh_on_data,
		.channel_eof_function = mgmt_ssh_on_eof,
		.channel_close_function = mgmt_ssh_on_close,
		.channel_pty_request_function = mgmt_ssh_on_pty,
		.channel_pty_window_change_function = mgmt_ssh_on_window,
		.channel_shell_request_function = mgmt_ssh_on_shell,
		.channel_exec_request_function = mgmt_ssh_on_exec,
	};
	ssh_callbacks_init(&c->c_ccb);
	ssh_set_channel_callbacks(c->c_ch, &c->c_ccb);
	return c->c_ch;
}

/* -- serving -- */

/* libcli's output to the channel. */
static int mgmt_ssh_on_cli_output(socket_t fd, int revents, void *userdata)
{
	struct mgmt_ssh_conn *c = ((struct mgmt_session *)userdata)->s_front;
	char buf[4096];
	ssize_t n;

	if ((revents & (POLLIN | POLLHUP | POLLERR)) == 0)
		return 0;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0) {
		if (ssh_channel_write(c->c_ch, buf, (uint32_t)n) == SSH_ERROR)
			c->c_fatal = true;
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		c->c_cli_closed = true;
	}
	return 0;
}

static void *mgmt_ssh_cli_main(void *arg)
{
	struct mgmt_session *s = arg;
	int rc = cli_loop(s->s_cli, s->s_cli_fd);

	if (s->s_cli->client != NULL) {
		fclose(s->s_cli->client);
		s->s_cli->client = NULL;
	} else if (rc != CLI_OK) {
		close(s->s_cli_fd);
	}
	return NULL;
}

static bool mgmt_ssh_go_on(struct mgmt_session *s)
{
	struct mgmt_ssh_conn *c = s->s_front;

	return !c->c_fatal && !c->c_ch_closed && !atomic_load(&s->s_srv->sv_stopping) &&
	       ssh_is_connected(c->c_ss);
}

static void mgmt_ssh_shell(struct mgmt_session *s)
{
	struct mgmt_ssh_conn *c = s->s_front;
	struct cli_def *cli = mgmt_cli_create(s);
	pthread_t th;

	if (cli == NULL) {
		close(s->s_cli_fd);
		s->s_cli_fd = -1;
		return;
	}
	cli_telnet_protocol(cli, 0);
	mgmt_cli_prompt(s);
	if (pthread_create(&th, NULL, mgmt_ssh_cli_main, s) != 0) {
		close(s->s_cli_fd);
		cli_done(cli);
		return;
	}
	ssh_event_add_fd(c->c_ev, c->c_sp, POLLIN, mgmt_ssh_on_cli_output, s);
	while (!c->c_cli_closed && mgmt_ssh_go_on(s))
		if (ssh_event_dopoll(c->c_ev, 1000) == SSH_ERROR)
			break;
	ssh_event_remove_fd(c->c_ev, c->c_sp);
	shutdown(c->c_sp, SHUT_RDWR);
	pthread_join(th, NULL);
	s->s_cli_fd = -1;
	cli_done(cli);
}

static void mgmt_ssh_exec_print(struct cli_def *cli, const char *line)
{
	struct mgmt_session *s = cli_get_context(cli);
	struct mgmt_ssh_conn *c = s->s_front;

	ssh_channel_write(c->c_ch, line, (uint32_t)strlen(line));
	ssh_channel_write(c->c_ch, "\n", 1);
}

static int mgmt_ssh_exec(struct mgmt_session *s)
{
	struct mgmt_ssh_conn *c = s->s_front;
	struct cli_def *cli = mgmt_cli_create(s);
	int rc;

	if (cli == NULL)
		return 1;
	cli_print_callback(cli, mgmt_ssh_exec_print);
	LOG_MGMT(DEBUG, "%s@%s: exec: %s", s->s_user, s->s_peer, c->c_exec);
	rc = mgmt_cli_run_line(s, c->c_exec) == CLI_OK ? 0 : 1;
	cli_done(cli);
	return rc;
}

/* Key exchange and login within the login deadline, then one channel
 * with a shell or a command. */
static void mgmt_ssh_serve(struct mgmt_session *s)
{
	struct mgmt_ssh_conn *c = s->s_front;
	long tmo = (long)s->s_srv->sv_cli.login_timeout;
	int status = 0;

	c->c_scb = (struct ssh_server_callbacks_struct){
		.userdata = s,
		.auth_password_function = mgmt_ssh_auth_password,
		.auth_pubkey_function = mgmt_ssh_auth_pubkey,
		.channel_open_request_session_function = mgmt_ssh_on_open,
	};
	ssh_callbacks_init(&c->c_scb);
	ssh_set_server_callbacks(c->c_ss, &c->c_scb);
	ssh_options_set(c->c_ss, SSH_OPTIONS_TIMEOUT, &tmo);
	ssh_set_auth_methods(c->c_ss, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_PUBLICKEY);
	/* A client sends its version line as soon as it connects (RFC 4253
	 * 4.2): one that has is no idle socket, and others go first when
	 * room is needed. A client that waits for ours gets it after 1 s. */
	{
		struct pollfd pfd = {.fd = s->s_fd, .events = POLLIN};

		if (poll(&pfd, 1, 1000) > 0)
			mgmt_session_progressed(s);
	}
	if (ssh_handle_key_exchange(c->c_ss) != SSH_OK) {
		LOG_MGMT(INFO, "ssh: key exchange with %s failed: %s", s->s_peer,
			 ssh_get_error(c->c_ss));
		goto out;
	}
	c->c_ev = ssh_event_new();
	if (c->c_ev == NULL || ssh_event_add_session(c->c_ev, c->c_ss) != SSH_OK)
		goto out;
	while (c->c_mode == SSH_MODE_NONE && mgmt_ssh_go_on(s)) {
		if (s->s_priv == 0 && mgmt_now() >= s->s_login_deadline) {
			LOG_MGMT(INFO, "login timed out: %s over ssh", s->s_peer);
			goto out;
		}
		if (ssh_event_dopoll(c->c_ev, 1000) == SSH_ERROR)
			goto out;
	}
	if (c->c_mode == SSH_MODE_SHELL)
		mgmt_ssh_shell(s);
	else if (c->c_mode == SSH_MODE_EXEC)
		status = mgmt_ssh_exec(s);
	else
		goto out;
	if (!c->c_ch_closed && ssh_is_connected(c->c_ss)) {
		time_t until = mgmt_now() + 2;

		ssh_channel_request_send_exit_status(c->c_ch, status);
		ssh_channel_send_eof(c->c_ch);
		ssh_channel_close(c->c_ch);
		/* The client answers the close and then hangs up itself; a
		 * disconnect before that reads as an error on its side. */
		while (!c->c_ch_closed && ssh_is_connected(c->c_ss) && mgmt_now() < until &&
		       !atomic_load(&s->s_srv->sv_stopping))
			if (ssh_event_dopoll(c->c_ev, 200) == SSH_ERROR)
				break;
	}
out:
	if (c->c_sp >= 0)
		close(c->c_sp);
	if (c->c_ev != NULL) {
		ssh_event_remove_session(c->c_ev, c->c_ss);
		ssh_event_free(c->c_ev);
		c->c_ev = NULL;
	}
	mgmt_ssh_drop(s);
}

const struct mgmt_front mgmt_front_ssh = {
	.f_name = "ssh",
	.f_prepare = mgmt_ssh_prepare,
	.f_admit = mgmt_ssh_admit,
	.f_drop = mgmt_ssh_drop,
	.f_serve = mgmt_ssh_serve,
	.f_release = mgmt_ssh_release,
};
