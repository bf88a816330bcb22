/* A Prometheus endpoint: GET /metrics on telemetry.prometheus's address
 * answers the node's counters in the text exposition format (cmd_metrics.c
 * makes them on the control thread, through the mgmt queue). One thread
 * serves one request at a time, each with a deadline, so a slow or silent
 * client delays the next scrape by at most that deadline and never the
 * node. Anything but GET /metrics gets 404 (or 405, 400). */
#include "mgmt.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PROM_REQ_MAX 2048
#define PROM_IO_SECS 2

struct mgmt_prometheus {
	struct mgmt_queue *pm_q;
	int pm_lfd;
	uint16_t pm_port;
	pthread_t pm_thread;
	atomic_bool pm_stopping;
};

static void prom_send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void prom_reply(int fd, const char *status, const char *type, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, type, len);

	prom_send_all(fd, head, (size_t)n);
	prom_send_all(fd, body, len);
}

/* Reads up to the end of the request head (or the deadline, or 2 KiB). */
static ssize_t prom_read_head(int fd, char *buf, size_t size)
{
	size_t used = 0;
	ssize_t n;

	while (used + 1 < size) {
		n = recv(fd, buf + used, size - 1 - used, 0);
		if (n <= 0)
			return -1;
		used += (size_t)n;
		buf[used] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL)
			return (ssize_t)used;
	}
	return -1;
}

static void prom_serve(struct mgmt_prometheus *pm, int fd)
{
	static const char text[] = "text/plain; version=0.0.4; charset=utf-8";
	struct timeval tv = {PROM_IO_SECS, 0};
	char buf[PROM_REQ_MAX], method[8], path[64];
	struct mgmt_req req;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (prom_read_head(fd, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%7s %63s HTTP/1.", method, path) != 2) {
		prom_reply(fd, "400 Bad Request", "text/plain", "bad request\n", 12);
		return;
	}
	if (strcmp(path, "/metrics") != 0) {
		prom_reply(fd, "404 Not Found", "text/plain", "try /metrics\n", 13);
		return;
	}
	if (strcmp(method, "GET") != 0) {
		prom_reply(fd, "405 Method Not Allowed", "text/plain", "GET only\n", 9);
		return;
	}
	mgmt_req_init(&req, MGMT_METRICS, "");
	if (mgmt_call_pages(pm->pm_q, &req, NULL, NULL) == 0 && !req.mr_out.sb_oom)
		prom_reply(fd, "200 OK", text, strbuf_str(&req.mr_out), req.mr_out.sb_len);
	else
		prom_reply(fd, "503 Service Unavailable", "text/plain", "node stopping\n", 14);
	mgmt_req_fini(&req);
}

static void *prom_main(void *arg)
{
	struct mgmt_prometheus *pm = arg;
	int fd;

	while (!atomic_load(&pm->pm_stopping)) {
		fd = accept4(pm->pm_lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		prom_serve(pm, fd);
		close(fd);
	}
	return NULL;
}

struct mgmt_prometheus *mgmt_prometheus_start(uint32_t addr, uint16_t port, struct mgmt_queue *q)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct mgmt_prometheus *pm = calloc(1, sizeof(*pm));
	socklen_t len = sizeof(sin);
	sigset_t all, old;
	char a[INET_ADDRSTRLEN];
	int one = 1, rc;

	if (pm == NULL)
		return NULL;
	pm->pm_q = q;
	atomic_init(&pm->pm_stopping, false);
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	pm->pm_lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pm->pm_lfd < 0 ||
	    setsockopt(pm->pm_lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(pm->pm_lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(pm->pm_lfd, 8) != 0 ||
	    getsockname(pm->pm_lfd, (struct sockaddr *)&sin, &len) != 0) {
		rc = errno;
		LOG_MGMT(ERR, "prometheus on %s:%u: %s",
			 inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)), port, strerror(rc));
		goto err;
	}
	pm->pm_port = ntohs(sin.sin_port);
	/* Signals belong to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pm->pm_thread, NULL, prom_main, pm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		goto err;
	LOG_MGMT(INFO, "prometheus metrics on http://%s:%u/metrics",
		 inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)), pm->pm_port);
	return pm;
err:
	if (pm->pm_lfd >= 0)
		close(pm->pm_lfd);
	free(pm);
	errno = rc;
	return NULL;
}

uint16_t mgmt_prometheus_port(const struct mgmt_prometheus *pm)
{
	return pm->pm_port;
}

/* Runs on: the control thread, after mgmt_queue_close(): a scrape in
 * mgmt_call() then returns at once. */
void mgmt_prometheus_stop(struct mgmt_prometheus *pm)
{
	if (pm == NULL)
		return;
	atomic_store(&pm->pm_stopping, true);
	shutdown(pm->pm_lfd, SHUT_RDWR);
	pthread_join(pm->pm_thread, NULL);
	close(pm->pm_lfd);
	free(pm);
}
