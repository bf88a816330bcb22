/* Unit tests for the management plane: the request queue under real
 * threads, password checks, and telnet sessions end to end on 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <rte_log.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mgmt.h"

#define N_CLIENTS 8
#define N_CALLS 100
#define IO_TIMEOUT_MS 5000
/* The known answer: `openssl passwd -6 -salt dmvpndtestsalt dmvpnd`. */
#define OPENSSL_HASH                                                              \
	"$6$dmvpndtestsalt$.1z3l4TVeYhuawcU5L2hNUpAh5hhUU3xmUYvdaBoGfNq.agEYTeCU" \
	"ax0ghEu7V0HMWfZLuX5Mn/wPG4h0LL8C0"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ---- a fake control thread ---- */

struct poller {
	struct mgmt_queue *q;
	pthread_t th;
	atomic_bool stop;
	atomic_uint handled;
	bool running;
};

/* Answers like cmd_show.c will: text for show version, the argument echoed
 * for show arp, -ENOTSUP for the rest. */
static void fake_handler(void *ctx, struct mgmt_req *req)
{
	struct poller *p = ctx;

	atomic_fetch_add(&p->handled, 1);
	switch (req->mr_cmd) {
	case MGMT_SHOW_VERSION:
		strbuf_printf(&req->mr_out, "dmvpnd test\n");
		break;
	case MGMT_SHOW_ARP:
	case MGMT_SHOW_IP_NHRP:
	case MGMT_CLEAR_CRYPTO_SESSION:
		strbuf_printf(&req->mr_out, "line1\nargs=[%s]\n", req->mr_arg);
		break;
	case MGMT_SHOW_WORKER:
		strbuf_printf(&req->mr_out, "echo:%s", req->mr_arg);
		break;
	case MGMT_SHOW_DMVPN: /* five pages; the queue presets mr_more false */
		strbuf_printf(&req->mr_out, "page %" PRIu64 "\n", req->mr_page.pg_count);
		if (++req->mr_page.pg_count < 5)
			req->mr_more = true;
		break;
	default:
		req->mr_rc = -ENOTSUP;
		break;
	}
}

/* Polls with a small budget so requests also wait in the pending list. */
static void *poller_main(void *arg)
{
	struct poller *p = arg;

	while (!atomic_load(&p->stop))
		if (mgmt_queue_poll(p->q, fake_handler, p, 3) == 0)
			sleep_ms(1);
	return NULL;
}

static void poller_start(struct poller *p, struct mgmt_queue *q)
{
	p->q = q;
	atomic_init(&p->stop, false);
	atomic_init(&p->handled, 0);
	assert_int_equal(pthread_create(&p->th, NULL, poller_main, p), 0);
	p->running = true;
}

static void poller_stop(struct poller *p)
{
	if (!p->running)
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->th, NULL);
	p->running = false;
}

/* ---- queue ---- */

struct client {
	struct mgmt_queue *q;
	int id;
	pthread_t th;
	int n_ok; /* answers that matched */
	int last_rc;
	atomic_int *started;
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct mgmt_req req;
	char want[64], a[32];
	int i;

	for (i = 0; i < N_CALLS; i++) {
		snprintf(a, sizeof(a), "c%d-%d", c->id, i);
		snprintf(want, sizeof(want), "echo:%s", a);
		mgmt_req_init(&req, MGMT_SHOW_WORKER, a);
		c->last_rc = mgmt_call(c->q, &req);
		if (c->last_rc == 0 && strcmp(strbuf_str(&req.mr_out), want) == 0)
			c->n_ok++;
		mgmt_req_fini(&req);
	}
	return NULL;
}

static void test_queue_concurrent(void **state)
{
	struct mgmt_queue *q = mgmt_queue_create();
	struct client c[N_CLIENTS];
	struct poller p;
	int i;

	(void)state;
	assert_non_null(q);
	poller_start(&p, q);
	for (i = 0; i < N_CLIENTS; i++) {
		c[i] = (struct client){.q = q, .id = i};
		assert_int_equal(pthread_create(&c[i].th, NULL, client_main, &c[i]), 0);
	}
	for (i = 0; i < N_CLIENTS; i++) {
		pthread_join(c[i].th, NULL);
		assert_int_equal(c[i].n_ok, N_CALLS);
	}
	poller_stop(&p);
	assert_int_equal(atomic_load(&p.handled), N_CLIENTS * N_CALLS);
	mgmt_queue_destroy(q);
}

static void *one_call_main(void *arg)
{
	struct client *c = arg;
	struct mgmt_req req;

	mgmt_req_init(&req, MGMT_SHOW_WORKER, "x");
	atomic_fetch_add(c->started, 1);
	c->last_rc = mgmt_call(c->q, &req);
	mgmt_req_fini(&req);
	return NULL;
}

/* Five requests wait, two are answered, close answers the other three
 * (some from the consumer's pending list, some still on the stack). */
static void test_queue_close_answers_pending(void **state)
{
	struct mgmt_queue *q = mgmt_queue_create();
	struct client c[5];
	atomic_int started;
	struct mgmt_req req;
	struct poller p = {.q = q};
	unsigned handled = 0;
	int i, n_ok = 0, n_down = 0;
	long t0;

	(void)state;
	atomic_init(&started, 0);
	atomic_init(&p.handled, 0);
	for (i = 0; i < 5; i++) {
		c[i] = (struct client){.q = q, .id = i, .started = &started};
		assert_int_equal(pthread_create(&c[i].th, NULL, one_call_main, &c[i]), 0);
	}
	while (atomic_load(&started) < 5)
		sleep_ms(1);
	sleep_ms(50); /* let them reach sem_wait */
	while (handled < 2)
		handled += mgmt_queue_poll(q, fake_handler, &p, 2 - handled);
	mgmt_queue_close(q);
	for (i = 0; i < 5; i++) {
		pthread_join(c[i].th, NULL);
		n_ok += c[i].last_rc == 0;
		n_down += c[i].last_rc == -ESHUTDOWN;
	}
	assert_int_equal(n_ok, 2);
	assert_int_equal(n_down, 3);

	/* Later calls fail fast, without a consumer. */
	t0 = now_ms();
	mgmt_req_init(&req, MGMT_SHOW_VERSION, NULL);
	assert_int_equal(mgmt_call(q, &req), -ESHUTDOWN);
	assert_int_equal(req.mr_rc, -ESHUTDOWN);
	mgmt_req_fini(&req);
	assert_true(now_ms() - t0 < 100);
	assert_int_equal(mgmt_queue_poll(q, fake_handler, &p, 10), 0);
	mgmt_queue_close(q); /* idempotent */
	mgmt_queue_destroy(q);
}

/* A paged answer: each page handed over on its own, or all of them piled
 * up; the last page ends it. */
struct pages_seen {
	int n;
	char text[128];
};

static void pages_take(void *arg, const struct mgmt_req *req)
{
	struct pages_seen *ps = arg;
	size_t len = strlen(ps->text);

	ps->n++;
	snprintf(ps->text + len, sizeof(ps->text) - len, "[%s]", strbuf_str(&req->mr_out));
}

static void test_queue_pages(void **state)
{
	struct mgmt_queue *q = mgmt_queue_create();
	struct pages_seen ps = {0};
	struct mgmt_req req;
	struct poller p;

	(void)state;
	poller_start(&p, q);
	mgmt_req_init(&req, MGMT_SHOW_DMVPN, NULL);
	assert_int_equal(mgmt_call_pages(q, &req, pages_take, &ps), 0);
	assert_int_equal(ps.n, 5);
	assert_string_equal(ps.text, "[page 0\n][page 1\n][page 2\n][page 3\n][page 4\n]");
	mgmt_req_fini(&req);
	mgmt_req_init(&req, MGMT_SHOW_DMVPN, NULL);
	assert_int_equal(mgmt_call_pages(q, &req, NULL, NULL), 0);
	assert_string_equal(strbuf_str(&req.mr_out), "page 0\npage 1\npage 2\npage 3\npage 4\n");
	mgmt_req_fini(&req);
	/* An answer of one page is one call. */
	ps = (struct pages_seen){0};
	mgmt_req_init(&req, MGMT_SHOW_VERSION, NULL);
	assert_int_equal(mgmt_call_pages(q, &req, pages_take, &ps), 0);
	assert_int_equal(ps.n, 1);
	mgmt_req_fini(&req);
	poller_stop(&p);
	assert_int_equal(atomic_load(&p.handled), 11);
	mgmt_queue_destroy(q);
}

static void test_queue_empty(void **state)
{
	struct mgmt_queue *q = mgmt_queue_create();
	struct poller p = {.q = q};
	struct mgmt_req req;

	(void)state;
	atomic_init(&p.handled, 0);
	assert_int_equal(mgmt_queue_poll(q, fake_handler, &p, 8), 0);
	mgmt_req_init(&req, MGMT_SHOW_VERSION, NULL);
	assert_string_equal(req.mr_arg, "");
	mgmt_req_fini(&req);
	mgmt_queue_destroy(q);
	mgmt_queue_destroy(NULL);
}

/* ---- auth ---- */

static void cli_cfg_init(struct cfg_cli *cli)
{
	char h[CFG_HASH_MAX];

	memset(cli, 0, sizeof(*cli));
	cli->telnet_addr = INADDR_LOOPBACK;
	cli->telnet_port = 0;
	assert_int_equal(mgmt_auth_hash("dmvpnd", h, sizeof(h)), 0);
	snprintf(cli->users[0].name, CFG_NAME_MAX, "admin");
	snprintf(cli->users[0].hash, CFG_HASH_MAX, "%s", h);
	snprintf(cli->users[1].name, CFG_NAME_MAX, "oper");
	snprintf(cli->users[1].hash, CFG_HASH_MAX, "%s", OPENSSL_HASH);
	cli->users[1].privilege = CFG_PRIV_READ_ONLY;
	/* Locked accounts: crypt's failure token must never match. */
	snprintf(cli->users[2].name, CFG_NAME_MAX, "locked");
	snprintf(cli->users[2].hash, CFG_HASH_MAX, "*0");
	snprintf(cli->users[3].name, CFG_NAME_MAX, "nohash");
	cli->n_users = 4;
	cli->max_sessions = 4;
	cli->login_timeout = 30;
	cli->idle_timeout = 600;
}

static void test_auth_check(void **state)
{
	struct cfg_cli cli;

	(void)state;
	cli_cfg_init(&cli);
	assert_int_equal(mgmt_auth_check(&cli, "admin", "dmvpnd"), 1);
	assert_int_equal(mgmt_auth_check(&cli, "admin", "dmvpnD"), 0);
	assert_int_equal(mgmt_auth_check(&cli, "admin", ""), 0);
	assert_int_equal(mgmt_auth_check(&cli, "oper", "dmvpnd"), 1);
	assert_int_equal(mgmt_auth_check(&cli, "oper", "wrong"), 0);
	assert_int_equal(mgmt_auth_check(&cli, "nobody", "dmvpnd"), 0);
	assert_int_equal(mgmt_auth_check(&cli, "Admin", "dmvpnd"), 0);
	assert_int_equal(mgmt_auth_check(&cli, "locked", "*0"), 0);
	assert_int_equal(mgmt_auth_check(&cli, "locked", "x"), 0);
	assert_int_equal(mgmt_auth_check(&cli, "nohash", ""), 0);
	assert_int_equal(mgmt_auth_check(&cli, NULL, "dmvpnd"), 0);
	assert_int_equal(mgmt_auth_check(&cli, "admin", NULL), 0);
	cli.n_users = 0;
	assert_int_equal(mgmt_auth_check(&cli, "admin", "dmvpnd"), 0);
}

static void test_auth_hash(void **state)
{
	char h1[CFG_HASH_MAX], h2[CFG_HASH_MAX], tiny[16];
	struct cfg_cli cli;

	(void)state;
	memset(&cli, 0, sizeof(cli));
	assert_int_equal(mgmt_auth_hash("s3cret pass", h1, sizeof(h1)), 0);
	assert_int_equal(mgmt_auth_hash("s3cret pass", h2, sizeof(h2)), 0);
	assert_memory_equal(h1, "$6$", 3);
	assert_string_not_equal(h1, h2); /* a fresh salt each time */
	snprintf(cli.users[0].name, CFG_NAME_MAX, "u");
	snprintf(cli.users[0].hash, CFG_HASH_MAX, "%s", h2);
	cli.n_users = 1;
	assert_int_equal(mgmt_auth_check(&cli, "u", "s3cret pass"), 1);
	assert_int_equal(mgmt_auth_check(&cli, "u", "s3cret"), 0);
	assert_int_equal(mgmt_auth_hash("x", tiny, sizeof(tiny)), -ENOSPC);
	assert_int_equal(mgmt_auth_hash(NULL, h1, sizeof(h1)), -EINVAL);
}

/* ---- telnet ---- */

struct conn {
	int fd;
	char buf[16384];
	size_t len;
	bool eof;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void conn_open(struct conn *c, uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};

	memset(c, 0, sizeof(*c));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
}

/* Appends what arrives, dropping telnet IAC sequences; false on timeout. */
static bool conn_read_some(struct conn *c, int timeout_ms)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	unsigned char tmp[1024];
	ssize_t n, i;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return false;
	n = recv(c->fd, tmp, sizeof(tmp), 0);
	if (n <= 0) {
		c->eof = true;
		return true;
	}
	for (i = 0; i < n; i++) {
		if (tmp[i] == 255 && i + 2 < n && tmp[i + 1] >= 251) {
			i += 2;
			continue;
		}
		if (c->len < sizeof(c->buf) - 1)
			c->buf[c->len++] = (char)tmp[i];
	}
	c->buf[c->len] = '\0';
	return true;
}

/* Waits until `needle` has arrived (NULL: until EOF); the buffer then starts
 * after it, with what came before kept in `before` when given. */
static bool conn_expect(struct conn *c, const char *needle, char *before, size_t beforelen)
{
	long deadline = now_ms() + IO_TIMEOUT_MS;
	char *at;

	for (;;) {
		at = needle != NULL ? strstr(c->buf, needle) : NULL;
		if (at != NULL || (needle == NULL && c->eof))
			break;
		if (c->eof || now_ms() > deadline || !conn_read_some(c, (int)(deadline - now_ms())))
			return false;
	}
	if (before != NULL)
		snprintf(before, beforelen, "%.*s", (int)(at != NULL ? at - c->buf : (long)c->len),
			 c->buf);
	if (at != NULL) {
		c->len -= (size_t)(at - c->buf) + strlen(needle);
		memmove(c->buf, at + strlen(needle), c->len + 1);
	}
	return true;
}

static void conn_send(struct conn *c, const char *line)
{
	size_t n = strlen(line);

	assert_int_equal(send(c->fd, line, n, MSG_NOSIGNAL), (ssize_t)n);
	assert_int_equal(send(c->fd, "\r\n", 2, MSG_NOSIGNAL), 2);
}

static void conn_login(struct conn *c, const char *user, const char *pass)
{
	assert_true(conn_expect(c, "Username: ", NULL, 0));
	conn_send(c, user);
	assert_true(conn_expect(c, "Password: ", NULL, 0));
	conn_send(c, pass);
}

struct telnet_fixture {
	struct cfg_cli cli;
	struct mgmt_queue *q;
	struct mgmt_server *t;
	struct mgmt_guard *g;
	struct poller p;
	uint16_t port;
	int fds_before;
};

static int telnet_setup(void **state)
{
	struct telnet_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = count_fds();
	cli_cfg_init(&f->cli);
	f->q = mgmt_queue_create();
	assert_non_null(f->q);
	f->g = mgmt_guard_create();
	assert_non_null(f->g);
	f->t = mgmt_server_start(MGMT_TELNET, &f->cli, "testhost", f->q, f->g);
	assert_non_null(f->t);
	f->port = mgmt_server_port(f->t);
	assert_true(f->port != 0);
	poller_start(&f->p, f->q);
	*state = f;
	return 0;
}

/* The poller is the control thread; once it is gone this thread takes the
 * role, so mgmt_server_stop may close the queue from here. */
static void telnet_stop_timed(struct telnet_fixture *f, long max_ms)
{
	long t0;

	poller_stop(&f->p);
	t0 = now_ms();
	mgmt_server_stop(f->t);
	f->t = NULL;
	assert_true(now_ms() - t0 < max_ms);
}

static int telnet_teardown(void **state)
{
	struct telnet_fixture *f = *state;

	if (f->t != NULL)
		telnet_stop_timed(f, 5000);
	mgmt_queue_destroy(f->q);
	mgmt_guard_destroy(f->g);
	/* Every socket and dup is closed: listener, sessions, cli_loop's. */
	assert_int_equal(count_fds(), f->fds_before);
	free(f);
	return 0;
}

static void test_telnet_show_version(void **state)
{
	struct telnet_fixture *f = *state;
	char out[4096];
	struct conn c;

	conn_open(&c, f->port);
	assert_true(conn_expect(&c, "dmvpnd testhost", NULL, 0)); /* banner */
	conn_login(&c, "admin", "dmvpnd");
	assert_true(conn_expect(&c, "testhost# ", NULL, 0));
	conn_send(&c, "show version");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "show version\r\ndmvpnd test\r\n"));

	/* arguments reach the control thread in the forms the command
	 * takes; any other word is refused on the session thread */
	conn_send(&c, "show arp");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "line1\r\nargs=[]\r\n"));
	conn_send(&c, "show ip nhrp 10.0.0.1");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "line1\r\nargs=[10.0.0.1]\r\n"));
	conn_send(&c, "clear crypto session  peer 10.0.0.1");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "line1\r\nargs=[peer 10.0.0.1]\r\n"));
	conn_send(&c, "show arp 10.0.0.1 detail");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "% Invalid input: show arp 10.0.0.1 detail"));
	assert_null(strstr(out, "line1"));
	conn_send(&c, "show ip nhrp 10.0.0");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "% Invalid input"));
	conn_send(&c, "clear crypto session 10.0.0.1");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "% Invalid input"));

	conn_send(&c, "show interfaces");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "% Operation not supported"));

	conn_send(&c, "sh ver");
	assert_true(conn_expect(&c, "testhost# ", out, sizeof(out)));
	assert_non_null(strstr(out, "dmvpnd test"));

	conn_send(&c, "exit");
	assert_true(conn_expect(&c, NULL, NULL, 0));
	close(c.fd);
}

static void test_telnet_bad_login(void **state)
{
	struct telnet_fixture *f = *state;
	struct conn c;
	int i;

	FILE *logf = tmpfile();
	char logbuf[2048] = "";
	size_t n;

	assert_non_null(logf);
	rte_openlog_stream(logf);
	conn_open(&c, f->port);
	for (i = 0; i < 3; i++) {
		conn_login(&c, i == 1 ? "nobody" : "admin", "wrong");
		assert_true(conn_expect(&c, "Access denied", NULL, 0));
	}
	/* Three strikes: the server hangs up. */
	assert_true(conn_expect(&c, NULL, NULL, 0));
	close(c.fd);
	assert_int_equal(atomic_load(&f->p.handled), 0);
	/* every refusal is in the audit log, with who and from where, and
	 * never the password */
	rte_openlog_stream(NULL);
	rewind(logf);
	n = fread(logbuf, 1, sizeof(logbuf) - 1, logf);
	logbuf[n] = '\0';
	fclose(logf);
	assert_non_null(strstr(logbuf, "login refused: user 'nobody' from 127.0.0.1:"));
	assert_non_null(strstr(logbuf, "over telnet (try 3, password)"));
	assert_null(strstr(logbuf, "wrong"));
}

/* Idle clients, logged in or not, must not delay stop. */
static void test_telnet_stop_with_idle_clients(void **state)
{
	struct telnet_fixture *f = *state;
	struct conn idle, user;

	conn_open(&idle, f->port);
	assert_true(conn_expect(&idle, "Username: ", NULL, 0));
	conn_open(&user, f->port);
	conn_login(&user, "admin", "dmvpnd");
	assert_true(conn_expect(&user, "testhost# ", NULL, 0));
	telnet_stop_timed(f, 1500);
	assert_true(conn_expect(&idle, NULL, NULL, 0));
	assert_true(conn_expect(&user, NULL, NULL, 0));
	close(idle.fd);
	close(user.fd);
}

/* A session blocked in mgmt_call (no control thread answering) must not
 * stall stop either: stop closes the queue first. */
static void test_telnet_stop_with_blocked_call(void **state)
{
	struct telnet_fixture *f = *state;
	struct conn c;

	conn_open(&c, f->port);
	conn_login(&c, "admin", "dmvpnd");
	assert_true(conn_expect(&c, "testhost# ", NULL, 0));
	poller_stop(&f->p);
	conn_send(&c, "show version");
	assert_true(conn_expect(&c, "show version\r\n", NULL, 0));
	sleep_ms(50); /* let the session reach sem_wait */
	telnet_stop_timed(f, 1500);
	assert_true(conn_expect(&c, NULL, NULL, 0));
	close(c.fd);
}

/* Connections that never log in cannot keep an operator out: with every
 * login slot taken, the oldest gives way. Logged-in sessions have their
 * own cap (max-sessions, 4 here). */
static void test_telnet_session_limits(void **state)
{
	struct telnet_fixture *f = *state;
	struct conn idle[10], u[5];
	char out[4096];
	int i;

	for (i = 0; i < 10; i++) {
		conn_open(&idle[i], f->port);
		assert_true(conn_expect(&idle[i], "Username: ", NULL, 0));
	}
	/* 8 may wait at the login prompt: the first two were closed */
	assert_true(conn_expect(&idle[0], NULL, NULL, 0));
	assert_true(conn_expect(&idle[1], NULL, NULL, 0));
	for (i = 0; i < 4; i++) {
		conn_open(&u[i], f->port);
		conn_login(&u[i], "admin", "dmvpnd");
		assert_true(conn_expect(&u[i], "testhost# ", NULL, 0));
	}
	conn_open(&u[4], f->port);
	conn_login(&u[4], "admin", "dmvpnd");
	assert_true(conn_expect(&u[4], NULL, out, sizeof(out)));
	assert_non_null(strstr(out, "% too many sessions"));
	close(u[4].fd);
	/* A slot frees when a session ends. */
	conn_send(&u[0], "exit");
	assert_true(conn_expect(&u[0], NULL, NULL, 0));
	close(u[0].fd);
	sleep_ms(100);
	conn_open(&u[0], f->port);
	conn_login(&u[0], "admin", "dmvpnd");
	assert_true(conn_expect(&u[0], "testhost# ", NULL, 0));
	telnet_stop_timed(f, 1500);
	for (i = 0; i < 10; i++)
		close(idle[i].fd);
	for (i = 0; i < 4; i++)
		close(u[i].fd);
}

/* Privilege 1 runs show commands; clear and debug are refused, logged. */
static void test_telnet_read_only(void **state)
{
	struct telnet_fixture *f = *state;
	char out[4096];
	struct conn c;

	conn_open(&c, f->port);
	conn_login(&c, "oper", "dmvpnd");
	assert_true(conn_expect(&c, "testhost> ", NULL, 0));
	conn_send(&c, "show version");
	assert_true(conn_expect(&c, "testhost> ", out, sizeof(out)));
	assert_non_null(strstr(out, "dmvpnd test"));
	conn_send(&c, "clear crypto session");
	assert_true(conn_expect(&c, "testhost> ", out, sizeof(out)));
	assert_non_null(strstr(
		out, "% Access denied: 'clear crypto session' needs privilege 15, oper has 1"));
	assert_null(strstr(out, "line1"));
	conn_send(&c, "debug crypto ikev2");
	assert_true(conn_expect(&c, "testhost> ", out, sizeof(out)));
	assert_non_null(strstr(out, "% Access denied"));
	assert_int_equal(atomic_load(&f->p.handled), 1);
	conn_send(&c, "exit");
	assert_true(conn_expect(&c, NULL, NULL, 0));
	close(c.fd);
}

/* Each failure from a source makes its next attempt wait longer; other
 * sources are not slowed; a success forgets. */
static void test_guard(void **state)
{
	struct mgmt_guard *g = mgmt_guard_create();
	unsigned i;

	(void)state;
	assert_non_null(g);
	assert_int_equal(mgmt_guard_delay_ms(g, 0x7f000001), 0);
	mgmt_guard_failed(g, 0x7f000001);
	assert_int_equal(mgmt_guard_delay_ms(g, 0x7f000001), 500);
	mgmt_guard_failed(g, 0x7f000001);
	assert_int_equal(mgmt_guard_delay_ms(g, 0x7f000001), 1000);
	for (i = 0; i < 20; i++)
		mgmt_guard_failed(g, 0x7f000001);
	assert_int_equal(mgmt_guard_delay_ms(g, 0x7f000001), 30000);
	assert_int_equal(mgmt_guard_delay_ms(g, 0x7f000002), 0);
	/* a full table gives way to newcomers */
	for (i = 0; i < 200; i++)
		mgmt_guard_failed(g, 0x0a000000 + i);
	assert_int_equal(mgmt_guard_delay_ms(g, 0x0a000000 + 199), 500);
	mgmt_guard_succeeded(g, 0x0a000000 + 199);
	assert_int_equal(mgmt_guard_delay_ms(g, 0x0a000000 + 199), 0);
	mgmt_guard_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_concurrent),
		cmocka_unit_test(test_queue_close_answers_pending),
		cmocka_unit_test(test_queue_empty),
		cmocka_unit_test(test_queue_pages),
		cmocka_unit_test(test_auth_check),
		cmocka_unit_test(test_auth_hash),
		cmocka_unit_test_setup_teardown(test_telnet_show_version, telnet_setup,
						telnet_teardown),
		cmocka_unit_test_setup_teardown(test_telnet_bad_login, telnet_setup,
						telnet_teardown),
		cmocka_unit_test_setup_teardown(test_telnet_stop_with_idle_clients, telnet_setup,
						telnet_teardown),
		cmocka_unit_test_setup_teardown(test_telnet_stop_with_blocked_call, telnet_setup,
						telnet_teardown),
		cmocka_unit_test(test_guard),
		cmocka_unit_test_setup_teardown(test_telnet_read_only, telnet_setup,
						telnet_teardown),
		cmocka_unit_test_setup_teardown(test_telnet_session_limits, telnet_setup,
						telnet_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
