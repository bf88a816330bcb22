/* dmvpnd's commands in DPDK's telemetry socket, next to DPDK's own
 * (/ethdev/stats and the rest), for dpdk-telemetry.py or any client:
 *
 *   /dmvpn/node /dmvpn/ports /dmvpn/workers /dmvpn/peers /dmvpn/nhrp
 *   /dmvpn/ike        one group of counters
 *   /dmvpn/peer,A.B.C.D   one peer
 *
 * Callbacks run on DPDK's telemetry thread: they ask the control thread
 * for the group's Prometheus text through the mgmt queue, as a CLI session
 * would, and turn its lines into a dictionary: a metric without labels is
 * one entry (name without the dmvpnd_ prefix), one with labels a nested
 * dictionary keyed by its label values joined with '_'. */
#include "mgmt.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

/* DPDK's callbacks take no context: the queue is this one, set while the
 * node runs. The lock keeps stop from freeing it under a callback. */
static pthread_mutex_t mgmt_tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mgmt_queue *mgmt_tel_q;
static bool mgmt_tel_registered;

/* Keys DPDK accepts: letters, digits, '_', '-', '.'. */
static void mgmt_tel_key(char *k)
{
	for (; *k != '\0'; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-' || *k == '.'))
			*k = '_';
}

struct mgmt_tel_line {
	char name[80];
	char labels[192]; /* the values only, joined with '_' */
	char value[32];
};

/* "name{k="v",k2="v2"} value" (or without braces) into its parts. */
static int mgmt_tel_parse(const char *line, size_t len, struct mgmt_tel_line *ml)
{
	const char *p = line, *end = line + len, *q;
	size_t n, used = 0;

	q = p;
	while (q < end && *q != '{' && *q != ' ')
		q++;
	n = (size_t)(q - p);
	if (n == 0 || n >= sizeof(ml->name))
		return -EINVAL;
	memcpy(ml->name, p, n);
	ml->name[n] = '\0';
	ml->labels[0] = '\0';
	if (q < end && *q == '{') {
		for (p = q + 1; p < end && *p != '}';) {
			const char *v = memchr(p, '"', (size_t)(end - p)), *ve;

			if (v == NULL)
				return -EINVAL;
			ve = memchr(v + 1, '"', (size_t)(end - v - 1));
			if (ve == NULL)
				return -EINVAL;
			used += (size_t)snprintf(ml->labels + used, sizeof(ml->labels) - used,
						 "%s%.*s", used ? "_" : "", (int)(ve - v - 1),
						 v + 1);
			if (used >= sizeof(ml->labels))
				return -EINVAL;
			p = ve + 1;
			if (p < end && *p == ',')
				p++;
		}
		q = p < end ? p + 1 : end;
	}
	while (q < end && *q == ' ')
		q++;
	n = (size_t)(end - q);
	if (n == 0 || n >= sizeof(ml->value))
		return -EINVAL;
	memcpy(ml->value, q, n);
	ml->value[n] = '\0';
	return 0;
}

static void mgmt_tel_add(struct rte_tel_data *d, const char *key, const char *value)
{
	char *e;
	unsigned long long v = strtoull(value, &e, 10);

	if (*e == '\0')
		rte_tel_data_add_dict_u64(d, key, v);
	else
		rte_tel_data_add_dict_string(d, key, value);
}

/* The control thread's text into `info`; consecutive lines of one metric
 * with labels go into one nested dictionary. */
static void mgmt_tel_fill(const char *text, struct rte_tel_data *info)
{
	struct rte_tel_data *sub = NULL;
	char sub_name[80] = "";
	struct mgmt_tel_line ml;
	const char *p = text, *nl;

	rte_tel_data_start_dict(info);
	for (; *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (*p == '#' ||
		    mgmt_tel_parse(p, nl != NULL ? (size_t)(nl - p) : strlen(p), &ml) != 0)
			continue;
		mgmt_tel_key(ml.name);
		mgmt_tel_key(ml.labels);
		if (ml.labels[0] == '\0') {
			mgmt_tel_add(info, ml.name + (strncmp(ml.name, "dmvpnd_", 7) ? 0 : 7),
				     ml.value);
			continue;
		}
		if (sub != NULL && strcmp(sub_name, ml.name) != 0) {
			rte_tel_data_add_dict_container(info, sub_name + 7, sub, 0);
			sub = NULL;
		}
		if (sub == NULL) {
			sub = rte_tel_data_alloc();
			if (sub == NULL)
				return;
			rte_tel_data_start_dict(sub);
			snprintf(sub_name, sizeof(sub_name), "%s", ml.name);
		}
		mgmt_tel_add(sub, ml.labels, ml.value);
	}
	if (sub != NULL)
		rte_tel_data_add_dict_container(info, sub_name + 7, sub, 0);
}

/* Runs on: DPDK's telemetry thread. */
static int mgmt_tel_cb(const char *cmd, const char *params, struct rte_tel_data *info)
{
	struct mgmt_req req;
	char arg[64];
	int rc;

	if (strcmp(cmd, "/dmvpn/peer") == 0) {
		if (params == NULL || params[0] == '\0')
			return -EINVAL;
		snprintf(arg, sizeof(arg), "peer %s", params);
	} else {
		snprintf(arg, sizeof(arg), "%s", cmd + strlen("/dmvpn/"));
	}
	pthread_mutex_lock(&mgmt_tel_lock);
	if (mgmt_tel_q == NULL) {
		pthread_mutex_unlock(&mgmt_tel_lock);
		return -ESHUTDOWN;
	}
	mgmt_req_init(&req, MGMT_METRICS, arg);
	rc = mgmt_call_pages(mgmt_tel_q, &req, NULL, NULL);
	pthread_mutex_unlock(&mgmt_tel_lock);
	if (rc == 0)
		mgmt_tel_fill(strbuf_str(&req.mr_out), info);
	mgmt_req_fini(&req);
	return rc;
}

void mgmt_telemetry_start(struct mgmt_queue *q)
{
	static const struct {
		const char *cmd, *help;
	} cmds[] = {
		{"/dmvpn/node", "dmvpnd: version, role, uptime, table use"},
		{"/dmvpn/ports", "dmvpnd: per-port packets, bytes and drops by reason"},
		{"/dmvpn/workers", "dmvpnd: per-worker packets, bursts and busy ratio"},
		{"/dmvpn/peers", "dmvpnd: per-peer packets and bytes (the first 256 peers)"},
		{"/dmvpn/peer", "dmvpnd: one peer's counters. Parameters: tunnel address"},
		{"/dmvpn/nhrp", "dmvpnd: NHRP packets by type, drops by reason"},
		{"/dmvpn/ike", "dmvpnd: IKE SAs and counters"},
	};

	pthread_mutex_lock(&mgmt_tel_lock);
	mgmt_tel_q = q;
	pthread_mutex_unlock(&mgmt_tel_lock);
	if (mgmt_tel_registered)
		return;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, mgmt_tel_cb, cmds[i].help) != 0)
			LOG_MGMT(WARNING, "telemetry: cannot register %s", cmds[i].cmd);
	mgmt_tel_registered = true;
}

void mgmt_telemetry_stop(void)
{
	pthread_mutex_lock(&mgmt_tel_lock);
	mgmt_tel_q = NULL;
	pthread_mutex_unlock(&mgmt_tel_lock);
}
