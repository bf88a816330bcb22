/* Registration of the user.dmvpn.* log types. */
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

RTE_LOG_REGISTER(dmvpn_logtype_main, user.dmvpn.main, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_ctl, user.dmvpn.ctl, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_dp, user.dmvpn.dp, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_arp, user.dmvpn.arp, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_mgmt, user.dmvpn.mgmt, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_ike, user.dmvpn.ike, INFO);

int log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{"error", RTE_LOG_ERR},   {"warning", RTE_LOG_WARNING},
		{"notice", RTE_LOG_NOTICE}, {"info", RTE_LOG_INFO},
		{"debug", RTE_LOG_DEBUG},
	};

	for (size_t i = 0; i < RTE_DIM(levels); i++)
		if (strcmp(name, levels[i].name) == 0)
			return levels[i].level;
	return -1;
}

void log_set_level(int level)
{
	rte_log_set_level_pattern("user.dmvpn.*", (uint32_t)level);
}

/* The sink behind log_stream_open(): each line gets the UTC time. */
struct log_sink {
	int ls_fd;
	bool ls_bol; /* the next byte starts a line */
};

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return; /* a log that cannot be written is dropped */
		p += w;
		n -= (size_t)w;
	}
}

static ssize_t log_sink_write(void *cookie, const char *buf, size_t len)
{
	struct log_sink *s = cookie;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t k = nl != NULL ? (size_t)(nl - (buf + i)) + 1 : len - i;

		if (s->ls_bol) {
			char ts[40];
			struct timespec t;
			struct tm tm;
			size_t n;

			clock_gettime(CLOCK_REALTIME, &t);
			gmtime_r(&t.tv_sec, &tm);
			n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
			n += (size_t)snprintf(ts + n, sizeof(ts) - n, ".%03ldZ ", t.tv_nsec / 1000000);
			write_all(s->ls_fd, ts, n);
		}
		write_all(s->ls_fd, buf + i, k);
		s->ls_bol = nl != NULL;
		i += k;
	}
	return (ssize_t)len;
}

FILE *log_stream_open(int fd)
{
	static struct log_sink sink;
	cookie_io_functions_t io = {.write = log_sink_write};
	FILE *f;

	sink = (struct log_sink){.ls_fd = fd, .ls_bol = true};
	f = fopencookie(&sink, "w", io);
	if (f != NULL)
		setvbuf(f, NULL, _IOLBF, 0); /* a line at a time, as it is logged */
	return f;
}
