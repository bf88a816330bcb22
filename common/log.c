/* Registration of the user.dmvpn.* log types. */
#include "log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

RTE_LOG_REGISTER(dmvpn_logtype_main, user.dmvpn.main, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_ctl, user.dmvpn.ctl, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_dp, user.dmvpn.dp, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_arp, user.dmvpn.arp, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_mgmt, user.dmvpn.mgmt, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_ike, user.dmvpn.ike, INFO);
RTE_LOG_REGISTER(dmvpn_logtype_nhrp, user.dmvpn.nhrp, INFO);

int log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{"error", RTE_LOG_ERR}, {"warning", RTE_LOG_WARNING}, {"notice", RTE_LOG_NOTICE},
		{"info", RTE_LOG_INFO}, {"debug", RTE_LOG_DEBUG},
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

const char *const log_subsys_names[LOG_SUBSYS_COUNT] = {"main", "ctl", "dp",  "arp",
							"mgmt", "ike", "nhrp"};

static int *const log_subsys_types[LOG_SUBSYS_COUNT] = {
	&dmvpn_logtype_main, &dmvpn_logtype_ctl, &dmvpn_logtype_dp,   &dmvpn_logtype_arp,
	&dmvpn_logtype_mgmt, &dmvpn_logtype_ike, &dmvpn_logtype_nhrp,
};

const char *log_level_name(int level)
{
	switch (level) {
	case RTE_LOG_EMERG:
	case RTE_LOG_ALERT:
	case RTE_LOG_CRIT:
	case RTE_LOG_ERR:
		return "error";
	case RTE_LOG_WARNING:
		return "warning";
	case RTE_LOG_NOTICE:
		return "notice";
	case RTE_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void log_set_subsys_level(unsigned subsys, int level)
{
	if (subsys < LOG_SUBSYS_COUNT)
		rte_log_set_level(*log_subsys_types[subsys], (uint32_t)level);
}

int log_get_subsys_level(unsigned subsys)
{
	return subsys < LOG_SUBSYS_COUNT ? rte_log_get_level(*log_subsys_types[subsys]) : -1;
}

/* The sink behind log_stream_open(): each line to the destination and
 * into the ring show logging reads. stdio calls it under the stream's
 * lock; the ring has its own, for the reader. */
#define LOG_LINE_MAX 256

struct log_sink {
	enum log_dest ls_dest;
	bool ls_bol;                /* the next byte starts a line */
	char ls_line[LOG_LINE_MAX]; /* the line being assembled, time first */
	size_t ls_len, ls_ts_len;
	pthread_mutex_t ls_lock; /* the ring */
	char (*ls_ring)[LOG_LINE_MAX];
	unsigned ls_keep;
	uint64_t ls_total; /* lines ever kept: the sequence number of the next */
};

static struct log_sink log_sink = {.ls_lock = PTHREAD_MUTEX_INITIALIZER};

/* How many lines the ring holds now: all so far, up to ls_keep. */
static uint64_t log_kept(const struct log_sink *s)
{
	return s->ls_total < s->ls_keep ? s->ls_total : s->ls_keep;
}

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

static int log_syslog_priority(int level)
{
	switch (level) {
	case RTE_LOG_EMERG:
		return LOG_EMERG;
	case RTE_LOG_ALERT:
		return LOG_ALERT;
	case RTE_LOG_CRIT:
		return LOG_CRIT;
	case RTE_LOG_ERR:
		return LOG_ERR;
	case RTE_LOG_WARNING:
		return LOG_WARNING;
	case RTE_LOG_NOTICE:
		return LOG_NOTICE;
	case RTE_LOG_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

/* A whole line (without its newline) is in ls_line, led by its time;
 * syslog adds its own. */
static void log_sink_line(struct log_sink *s)
{
	if (s->ls_dest == LOG_DEST_SYSLOG)
		syslog(log_syslog_priority(rte_log_cur_msg_loglevel()), "%.*s",
		       (int)(s->ls_len - s->ls_ts_len), s->ls_line + s->ls_ts_len);
	if (s->ls_keep == 0 || s->ls_ring == NULL)
		return;
	pthread_mutex_lock(&s->ls_lock);
	memcpy(s->ls_ring[s->ls_total % s->ls_keep], s->ls_line, s->ls_len);
	s->ls_ring[s->ls_total % s->ls_keep][s->ls_len] = '\0';
	s->ls_total++;
	pthread_mutex_unlock(&s->ls_lock);
}

static size_t log_timestamp(char *ts, size_t size)
{
	struct timespec t;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	n = strftime(ts, size, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(ts + n, size - n, ".%03ldZ ", t.tv_nsec / 1000000);
	return n;
}

static ssize_t log_sink_write(void *cookie, const char *buf, size_t len)
{
	struct log_sink *s = cookie;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t k = nl != NULL ? (size_t)(nl - (buf + i)) + 1 : len - i;
		size_t text = k - (nl != NULL), room;

		if (s->ls_bol) {
			s->ls_len = s->ls_ts_len = log_timestamp(s->ls_line, sizeof(s->ls_line));
			if (s->ls_dest == LOG_DEST_STDERR)
				write_all(STDERR_FILENO, s->ls_line, s->ls_len);
		}
		if (s->ls_dest == LOG_DEST_STDERR)
			write_all(STDERR_FILENO, buf + i, k);
		room = sizeof(s->ls_line) - 1 - s->ls_len;
		if (text > room)
			text = room; /* kept lines are cut at LOG_LINE_MAX */
		memcpy(s->ls_line + s->ls_len, buf + i, text);
		s->ls_len += text;
		if (nl != NULL)
			log_sink_line(s);
		s->ls_bol = nl != NULL;
		i += k;
	}
	return (ssize_t)len;
}

void log_stream_set_dest(enum log_dest dest)
{
	if (dest == LOG_DEST_SYSLOG && log_sink.ls_dest != LOG_DEST_SYSLOG)
		openlog("dmvpnd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_sink.ls_dest = dest;
}

FILE *log_stream_open(enum log_dest dest, unsigned keep)
{
	cookie_io_functions_t io = {.write = log_sink_write};
	struct log_sink *s = &log_sink;
	FILE *f;

	s->ls_bol = true;
	s->ls_keep = keep;
	s->ls_ring = keep ? calloc(keep, sizeof(*s->ls_ring)) : NULL;
	if (keep && s->ls_ring == NULL)
		return NULL;
	log_stream_set_dest(dest);
	f = fopencookie(s, "w", io);
	if (f != NULL)
		setvbuf(f, NULL, _IOLBF, 0); /* a line at a time, as it is logged */
	return f;
}

uint64_t log_stream_since(uint64_t *seq, struct strbuf *out, unsigned max)
{
	struct log_sink *s = &log_sink;
	uint64_t oldest, skipped = 0;
	unsigned n = 0;

	pthread_mutex_lock(&s->ls_lock);
	oldest = s->ls_total - log_kept(s);
	if (*seq < oldest) {
		skipped = oldest - *seq;
		*seq = oldest;
	}
	for (; *seq < s->ls_total && n < max; (*seq)++, n++)
		strbuf_printf(out, "%s\n", s->ls_ring[*seq % s->ls_keep]);
	if (*seq < s->ls_total) {
		skipped += s->ls_total - *seq;
		*seq = s->ls_total;
	}
	pthread_mutex_unlock(&s->ls_lock);
	return skipped;
}

uint64_t log_stream_seq(void)
{
	uint64_t t;

	pthread_mutex_lock(&log_sink.ls_lock);
	t = log_sink.ls_total;
	pthread_mutex_unlock(&log_sink.ls_lock);
	return t;
}

void log_stream_recent(struct strbuf *out)
{
	struct log_sink *s = &log_sink;

	pthread_mutex_lock(&s->ls_lock);
	for (uint64_t i = s->ls_total - log_kept(s); i < s->ls_total; i++)
		strbuf_printf(out, "%s\n", s->ls_ring[i % s->ls_keep]);
	pthread_mutex_unlock(&s->ls_lock);
}
