/* The command tree every CLI front end serves, telnet and ssh alike: one
 * table of commands, their argument forms and privilege, and the libcli
 * context each session gets. Commands run on the session's thread and reach
 * node state only through mgmt_call(). */
#include "mgmt_session.h"
#include "inet.h"
#include "log.h"

#include <errno.h>
#include <libcli.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One row per command: adding "show ip nhrp" or "clear ip nhrp" is one line
 * here plus its enum mgmt_cmd. Words are separated by single spaces.
 * tc_args are the argument forms the command takes, '|' between them; a
 * form is words, "A.B.C.D" (an IPv4 address), "PREFIX" (A.B.C.D/LEN), "NUM"
 * (digits), "NAME" (any one word) or "LINE" (one or more words, the rest of
 * the line, which the control thread parses); an empty form is no argument.
 * Anything else is refused before it reaches the control thread. "show"
 * commands need privilege 1, the rest 15. Rows with tc_config run in
 * configure terminal's mode and reach the control thread as MGMT_CONFIGURE
 * with the whole line. */
struct mgmt_cli_cmd {
	const char *tc_words;
	enum mgmt_cmd tc_cmd;
	const char *tc_args;
	const char *tc_help; /* for the last word */
	bool tc_config;
};

#define IP_ROUTE_ARGS \
	"PREFIX A.B.C.D|A.B.C.D A.B.C.D A.B.C.D|PREFIX A.B.C.D NUM|A.B.C.D A.B.C.D A.B.C.D NUM"
#define LOG_LEVELS "error|warning|notice|info|debug"

static const struct mgmt_cli_cmd mgmt_cli_cmds[] = {
	{"show version", MGMT_SHOW_VERSION, "", "Software version and uptime"},
	{"show running-config", MGMT_SHOW_RUNNING_CONFIG, "", "Current configuration (YAML)"},
	{"show interfaces", MGMT_SHOW_INTERFACES, "|NAME", "Ports and the tunnel [NAME]"},
	{"show worker", MGMT_SHOW_WORKER, "", "Dataplane worker lcores"},
	{"show arp", MGMT_SHOW_ARP, "", "ARP (neighbour) table"},
	{"show dmvpn", MGMT_SHOW_DMVPN, "|detail",
	 "DMVPN peers: NBMA, tunnel address, state [detail: counters, expiry, crypto]"},
	{"show dmvpn path", MGMT_SHOW_DMVPN_PATH, "A.B.C.D",
	 "How a packet to an address travels now, and what would change it"},
	{"show ip nhrp", MGMT_SHOW_IP_NHRP, "|A.B.C.D|brief|detail",
	 "NHRP cache [one tunnel address | one line each | with counters]"},
	{"show ip nhrp traffic", MGMT_SHOW_NHRP_STATS, "", "NHRP packets sent/received/errors"},
	{"show ip nhrp nhs", MGMT_SHOW_IP_NHRP_NHS, "|detail",
	 "Next hop servers: state, requests, replies [detail]"},
	{"show ip route", MGMT_SHOW_IP_ROUTE, "|A.B.C.D|summary",
	 "Forwarding table with sources [the route to one address | counts]"},
	{"show nhrp stats", MGMT_SHOW_NHRP_STATS, "", "NHRP packets sent/received/errors"},
	{"clear ip nhrp", MGMT_CLEAR_IP_NHRP, "|A.B.C.D|counters",
	 "Flush learned NHRP entries [one tunnel address], or zero the counters"},
	{"show crypto ipsec sa", MGMT_SHOW_CRYPTO_IPSEC_SA, "", "ESP security associations"},
	{"show crypto ikev2 sa", MGMT_SHOW_CRYPTO_IKEV2_SA, "|detail",
	 "IKE SAs: peer, state, SPIs [detail]"},
	{"show crypto ikev2 stats", MGMT_SHOW_CRYPTO_IKEV2_STATS, "",
	 "IKE counters: SAs made, ended by reason, drops"},
	{"show crypto session", MGMT_SHOW_CRYPTO_SESSION, "",
	 "Crypto sessions: peer, status, IKE SA, ESP flow"},
	{"clear crypto session", MGMT_CLEAR_CRYPTO_SESSION, "|peer A.B.C.D",
	 "Delete IKE SAs (all, or peer A.B.C.D); needed ones come back"},
	{"debug crypto ikev2", MGMT_DEBUG_CRYPTO_IKEV2, "",
	 "Log every IKE message sent and received"},
	{"no debug crypto ikev2", MGMT_NO_DEBUG_CRYPTO_IKEV2, "", "Stop logging IKE messages"},
	{"debug nhrp", MGMT_DEBUG_NHRP, "", "Log every NHRP message sent and received"},
	{"no debug nhrp", MGMT_NO_DEBUG_NHRP, "", "Stop logging NHRP messages"},
	{"debug ip packet", MGMT_DEBUG_IP_PACKET, "",
	 "Log every IPv4 packet the node itself receives or sends"},
	{"no debug ip packet", MGMT_NO_DEBUG_IP_PACKET, "", "Stop logging IPv4 packets"},
	{"show logging", MGMT_SHOW_LOGGING, "",
	 "Where the log goes, the levels, and its last lines"},
	{"monitor capture", MGMT_MONITOR_CAPTURE, "start LINE|stop",
	 "Capture packets to a pcapng file: start port wan|lan|tunnel|NAME [match A.B.C.D] "
	 "[count N] file PATH, or stop"},
	{"show monitor capture", MGMT_SHOW_MONITOR_CAPTURE, "",
	 "The capture: state, file, packets"},
	{"ping", MGMT_PING, "A.B.C.D|A.B.C.D LINE",
	 "ICMP echoes from the node: A.B.C.D [repeat N] [size N] [source A.B.C.D]"},
	{"traceroute", MGMT_PING, "A.B.C.D|A.B.C.D LINE",
	 "The hops to an address, from the node: A.B.C.D [max-ttl N] [source A.B.C.D]"},
	{"clear counters", MGMT_CLEAR_COUNTERS, "",
	 "Start show interfaces' counters from zero (telemetry keeps counting)"},
	{"show flow exporter", MGMT_SHOW_FLOW_EXPORTER, "",
	 "IPFIX flow export: collector, records and messages sent, what was not counted"},
	{"show startup-config", MGMT_SHOW_STARTUP_CONFIG, "",
	 "The configuration file the node starts from"},
	{"write memory", MGMT_WRITE_MEMORY, "",
	 "Save the running configuration to its file (the old one kept as .bak)"},
	{"ip route", MGMT_CONFIGURE, IP_ROUTE_ARGS,
	 "A static route: prefix, next hop [, distance: a backup]", true},
	{"no ip route", MGMT_CONFIGURE,
	 "PREFIX|PREFIX A.B.C.D|A.B.C.D A.B.C.D|A.B.C.D A.B.C.D A.B.C.D", "Remove a static route",
	 true},
	{"ip nhrp holdtime", MGMT_CONFIGURE, "NUM", "Holding time NHRP announces, seconds", true},
	{"ip nhrp authentication", MGMT_CONFIGURE, "NAME", "NHRP authentication password", true},
	{"no ip nhrp authentication", MGMT_CONFIGURE, "", "No NHRP authentication", true},
	{"crypto ikev2 psk", MGMT_CONFIGURE, "NAME",
	 "IKE: the pre-shared key of peers without their own (16..128 bytes)", true},
	{"crypto ikev2 peer", MGMT_CONFIGURE, "A.B.C.D psk NAME",
	 "IKE: a peer by NBMA address, with its own pre-shared key", true},
	{"no crypto ikev2 peer", MGMT_CONFIGURE, "A.B.C.D", "IKE: forget a peer's own settings",
	 true},
	{"crypto ikev2 proposal", MGMT_CONFIGURE, "LINE",
	 "IKE: the proposals offered and accepted, preferred first (aes256gcm16-prfsha256-x25519)",
	 true},
	{"ip nhrp network-id", MGMT_CONFIGURE, "NUM", "The tunnel's NHRP network ID", true},
	{"ip nhrp phase", MGMT_CONFIGURE, "NUM",
	 "DMVPN phase: 1 hub and spoke, 2 spoke to spoke, 3 redirects and shortcuts", true},
	{"ip nhrp redirect", MGMT_CONFIGURE, "", "Hub: send Traffic Indications (phase 3)", true},
	{"no ip nhrp redirect", MGMT_CONFIGURE, "", "Hub: no Traffic Indications (phase 2)", true},
	{"ip nhrp shortcut", MGMT_CONFIGURE, "", "Spoke: act on Traffic Indications (phase 3)",
	 true},
	{"no ip nhrp shortcut", MGMT_CONFIGURE, "", "Spoke: resolve on its own (phase 2)", true},
	{"ip nhrp nhs", MGMT_CONFIGURE, "A.B.C.D nbma A.B.C.D|A.B.C.D nbma A.B.C.D priority NUM",
	 "Spoke: a next-hop server, its tunnel and NBMA addresses", true},
	{"no ip nhrp nhs", MGMT_CONFIGURE, "A.B.C.D", "Spoke: stop using this next-hop server",
	 true},
	{"logging level", MGMT_CONFIGURE, LOG_LEVELS "|NAME NAME",
	 "Log level [of one subsystem: main ctl dp arp mgmt ike nhrp]: " LOG_LEVELS, true},
	{"no logging level", MGMT_CONFIGURE, "NAME", "A subsystem back to the node's level", true},
};

/* Help for words that only group commands. */
static const struct {
	const char *tp_word;
	const char *tp_help;
} mgmt_cli_prefixes[] = {
	{"show", "Show running system information"},
	{"clear", "Reset functions"},
	{"ip", "IP information"},
	{"crypto", "Encryption"},
	{"ipsec", "IPsec"},
	{"ikev2", "IKEv2 (IKE-lite)"},
	{"session", "Crypto sessions"},
	{"debug", "Debugging functions (to the log)"},
	{"monitor", "Monitoring"},
	{"flow", "Flow export (IPFIX)"},
	{"write", "Write the running configuration"},
	{"route", "Static routes"},
	{"nhrp", "NHRP"},
	{"authentication", "NHRP authentication"},
	{"nhs", "Next-hop servers"},
	{"peer", "IKE peers"},
	{"packet", "Packets"},
	{"logging", "Logging"},
	{"no", "Negate a command"},
};

/* ---- commands (run on the session thread) ---- */

static unsigned mgmt_cli_cmd_priv(const struct mgmt_cli_cmd *tc)
{
	return strncmp(tc->tc_words, "show ", 5) == 0 || tc->tc_cmd == MGMT_PING
		       ? CFG_PRIV_READ_ONLY
		       : CFG_PRIV_ADMIN;
}

/* ping and traceroute: start a job on the control thread, then ask for its
 * progress every 200 ms until it is done; only this session waits. ping
 * prints its marks at the end, traceroute each hop as it is done. */
static void mgmt_cli_ping(struct cli_def *cli, struct mgmt_session *s, const char *arg, bool trace)
{
	struct timespec step = {0, 200 * 1000 * 1000};
	char marks[1024], job[32];
	struct mgmt_req req;
	size_t nm = 0;
	unsigned tries;
	int rc;

	mgmt_req_init(&req, MGMT_PING, NULL);
	snprintf(req.mr_arg, sizeof(req.mr_arg), "%s %s", trace ? "trace" : "start", arg);
	rc = mgmt_call(s->s_srv->sv_q, &req);
	if (rc != 0) {
		cli_print(cli, "%% %s", strbuf_str(&req.mr_out));
		mgmt_req_fini(&req);
		return;
	}
	snprintf(job, sizeof(job), "poll %s", strbuf_str(&req.mr_out));
	mgmt_req_fini(&req);
	if (trace)
		cli_print(cli,
			  "Tracing the route (traceroute %s), 3 probes a hop, timeout 2 seconds:",
			  arg);
	else
		cli_print(cli, "Sending ICMP echoes (ping %s), timeout is 2 seconds:", arg);
	marks[0] = '\0';
	for (tries = 0; tries < 2 * 5 * 1000 + 50; tries++) {
		const char *out, *nl;

		nanosleep(&step, NULL);
		mgmt_req_init(&req, MGMT_PING, job);
		rc = mgmt_call(s->s_srv->sv_q, &req);
		out = strbuf_str(&req.mr_out);
		if (trace && rc == 0) {
			const char *done = strstr(out, "done\n");
			size_t k = done != NULL ? (size_t)(done - out) : strlen(out);

			for (const char *p = out;
			     p < out + k && (nl = memchr(p, '\n', (size_t)(out + k - p))) != NULL;
			     p = nl + 1)
				if (nl > p)
					cli_print(cli, "%.*s", (int)(nl - p), p);
			mgmt_req_fini(&req);
			if (done != NULL)
				return;
			continue;
		}
		nl = strchr(out, '\n');
		if (rc == 0 && nl != NULL && nm + (size_t)(nl - out) < sizeof(marks)) {
			memcpy(marks + nm, out, (size_t)(nl - out));
			nm += (size_t)(nl - out);
			marks[nm] = '\0';
		}
		if (rc != 0 || strstr(out, "\ndone\n") != NULL) {
			cli_print(cli, "%s", marks);
			if (rc == 0 && nl != NULL)
				cli_print(cli, "%.*s", (int)(strstr(out, "\ndone\n") - nl - 1),
					  nl + 1);
			else
				cli_print(cli, "%% %s",
					  rc == -ESHUTDOWN ? "node is shutting down"
							   : "the ping ended");
			mgmt_req_fini(&req);
			return;
		}
		mgmt_req_fini(&req);
	}
	cli_print(cli, "%s\n%% no answer from the control thread", marks);
}

static const struct mgmt_cli_cmd *mgmt_cli_cmd_lookup(const char *words)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mgmt_cli_cmds); i++)
		if (strcmp(mgmt_cli_cmds[i].tc_words, words) == 0)
			return &mgmt_cli_cmds[i];
	return NULL;
}

static bool mgmt_cli_prefix_ok(const char *w)
{
	char a[INET_ADDRSTRLEN + 4];
	const char *slash = strchr(w, '/');
	uint32_t addr;

	if (slash == NULL || (size_t)(slash - w) >= sizeof(a) || slash[1] == '\0' ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) || atoi(slash + 1) > 32)
		return false;
	snprintf(a, sizeof(a), "%.*s", (int)(slash - w), w);
	return inet_v4_parse(a, &addr) == 0;
}

/* Whether argv is one of the forms in `forms` (see mgmt_cli_cmd). */
static bool mgmt_cli_args_ok(const char *forms, char *argv[], int argc)
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
			else if (strcmp(form, "PREFIX") == 0)
				ok = mgmt_cli_prefix_ok(argv[i]);
			else if (strcmp(form, "LINE") == 0) {
				i = argc; /* the rest of the line, checked where it is used */
				break;
			} else if (strcmp(form, "NUM") == 0)
				ok = argv[i][0] != '\0' &&
				     strspn(argv[i], "0123456789") == strlen(argv[i]);
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
static int mgmt_cli_args_join(char *argv[], int argc, char *out, size_t outlen)
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

static void mgmt_cli_answer_print(void *arg, const struct mgmt_req *req)
{
	struct cli_def *cli = arg;
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
		cli_print(cli, "%% %s", strerror_r(-req->mr_rc, ebuf, sizeof(ebuf)));
}

/* Runs on: a session thread. Blocks in mgmt_call() until the control thread
 * answers; only this session waits. */
static int mgmt_cli_cmd_run(struct cli_def *cli, const char *command, char *argv[], int argc)
{
	const struct mgmt_cli_cmd *tc = mgmt_cli_cmd_lookup(command);
	struct mgmt_session *s = cli_get_context(cli);
	struct mgmt_req req;
	char arg[sizeof(req.mr_arg)], shown[sizeof(req.mr_arg) + 64];

	if (tc == NULL) {
		cli_print(cli, "%% no handler for \"%s\"", command);
		return CLI_OK;
	}
	if (mgmt_cli_args_join(argv, argc, arg, sizeof(arg)) != 0) {
		cli_print(cli, "%% arguments too long");
		return CLI_OK;
	}
	if (!mgmt_cli_args_ok(tc->tc_args, argv, argc)) {
		cli_print(cli, "%% Invalid input: %s %s", command, arg);
		return CLI_OK;
	}
	/* the audit trail never holds a secret typed on the line */
	{
		char line[sizeof(shown)];

		snprintf(line, sizeof(line), "%s%s%s", command, argc ? " " : "", arg);
		cfg_edit_redact(line, shown, sizeof(shown));
	}
	if (s->s_priv < mgmt_cli_cmd_priv(tc)) {
		LOG_MGMT(WARNING, "%s@%s: refused (privilege %u): %s", s->s_user, s->s_peer,
			 s->s_priv, shown);
		cli_print(cli, "%% Access denied: '%s' needs privilege %u, %s has %u", command,
			  mgmt_cli_cmd_priv(tc), s->s_user, s->s_priv);
		return CLI_OK;
	}
	/* the audit trail: what changes state at notice, the rest at debug */
	if (strncmp(command, "show ", 5) == 0)
		LOG_MGMT(DEBUG, "%s@%s: %s", s->s_user, s->s_peer, shown);
	else
		LOG_MGMT(NOTICE, "%s@%s: %s", s->s_user, s->s_peer, shown);
	if (tc->tc_cmd == MGMT_PING) {
		mgmt_cli_ping(cli, s, arg, strcmp(command, "traceroute") == 0);
		return CLI_OK;
	}
	if (tc->tc_config) {
		char line[sizeof(req.mr_arg)];

		if ((size_t)snprintf(line, sizeof(line), "%s%s%s", command, argc ? " " : "", arg) >=
		    sizeof(line)) {
			cli_print(cli, "%% arguments too long");
			return CLI_OK;
		}
		snprintf(arg, sizeof(arg), "%s", line);
	}
	mgmt_req_init(&req, tc->tc_cmd, arg);
	mgmt_call_pages(s->s_srv->sv_q, &req, mgmt_cli_answer_print, cli);
	mgmt_req_fini(&req);
	return CLI_OK;
}

static const char *mgmt_cli_prefix_help(const char *word)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mgmt_cli_prefixes); i++)
		if (strcmp(mgmt_cli_prefixes[i].tp_word, word) == 0)
			return mgmt_cli_prefixes[i].tp_help;
	return NULL;
}

static struct cli_command *mgmt_cli_child_find(struct cli_def *cli, struct cli_command *parent,
					       const char *word, int mode)
{
	struct cli_command *c = parent != NULL ? parent->children : cli->commands;

	for (; c != NULL; c = c->next)
		if (c->command_type == CLI_REGULAR_COMMAND && c->mode == mode &&
		    strcmp(c->command, word) == 0)
			return c;
	return NULL;
}

/* Registers "a b c": "a" and "b" as shared grouping nodes (created once),
 * "c" with the handler. */
static int mgmt_cli_cmd_register(struct cli_def *cli, const struct mgmt_cli_cmd *tc)
{
	struct cli_command *parent = NULL, *c;
	char words[128], *save = NULL, *w, *next;
	int mode = tc->tc_config ? MODE_CONFIG : MODE_EXEC;

	snprintf(words, sizeof(words), "%s", tc->tc_words);
	for (w = strtok_r(words, " ", &save); w != NULL; w = next) {
		next = strtok_r(NULL, " ", &save);
		if (next == NULL)
			return cli_register_command(cli, parent, w, mgmt_cli_cmd_run,
						    PRIVILEGE_UNPRIVILEGED, mode, tc->tc_help)
				       ? 0
				       : -ENOMEM;
		c = mgmt_cli_child_find(cli, parent, w, mode);
		if (c == NULL)
			c = cli_register_command(cli, parent, w, NULL, PRIVILEGE_UNPRIVILEGED, mode,
						 mgmt_cli_prefix_help(w));
		if (c == NULL)
			return -ENOMEM;
		parent = c;
	}
	return -EINVAL;
}

/* configure terminal: the configuration mode (privilege 15). */
static int mgmt_cli_configure(struct cli_def *cli, const char *command, char *argv[], int argc)
{
	struct mgmt_session *s = cli_get_context(cli);

	if (argc != 0) {
		cli_print(cli, "%% Invalid input: %s %s", command, argv[0]);
		return CLI_OK;
	}
	if (s->s_priv < CFG_PRIV_ADMIN) {
		LOG_MGMT(WARNING, "%s@%s: refused (privilege %u): %s", s->s_user, s->s_peer,
			 s->s_priv, command);
		cli_print(cli, "%% Access denied: '%s' needs privilege 15, %s has %u", command,
			  s->s_user, s->s_priv);
		return CLI_OK;
	}
	LOG_MGMT(NOTICE, "%s@%s: %s", s->s_user, s->s_peer, command);
	cli_print(cli, "Enter configuration commands, one per line. End with 'end'.");
	cli_set_configmode(cli, MODE_CONFIG, NULL);
	return CLI_OK;
}

static int mgmt_cli_end(struct cli_def *cli, const char *command, char *argv[], int argc)
{
	(void)command, (void)argv, (void)argc;
	cli_set_configmode(cli, MODE_EXEC, NULL);
	return CLI_OK;
}

#define MGMT_MONITOR_LINES 50 /* log lines a monitoring session gets per second */

/* terminal monitor / terminal no monitor: this session's own setting. */
static int mgmt_cli_monitor(struct cli_def *cli, const char *command, char *argv[], int argc)
{
	struct mgmt_session *s = cli_get_context(cli);
	bool on = strcmp(command, "terminal monitor") == 0;

	(void)argv;
	if (argc != 0) {
		cli_print(cli, "%% Invalid input: %s %s", command, argv[0]);
		return CLI_OK;
	}
	s->s_monitor = on;
	s->s_mon_seq = log_stream_seq();
	cli_print(cli,
		  on ? "Log lines will show here as they come (at most %d a second)"
		     : "Log lines will no longer show here",
		  MGMT_MONITOR_LINES);
	return CLI_OK;
}

/* Runs on: the session thread, from the once-a-second callback. */
static void mgmt_cli_monitor_print(struct cli_def *cli, struct mgmt_session *s)
{
	struct strbuf lines;
	const char *p, *nl;
	uint64_t lost;

	strbuf_init(&lines);
	lost = log_stream_since(&s->s_mon_seq, &lines, MGMT_MONITOR_LINES);
	if (lines.sb_len == 0 && lost == 0) {
		strbuf_fini(&lines);
		return;
	}
	cli_print(cli, "%s", "");
	for (p = strbuf_str(&lines); (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		cli_print(cli, "%.*s", (int)(nl - p), p);
	if (lost != 0)
		cli_print(cli, "%% %llu log lines not shown", (unsigned long long)lost);
	strbuf_fini(&lines);
	cli->showprompt = 1; /* the prompt again, with what was typed so far */
}

static int mgmt_cli_register_modes(struct cli_def *cli)
{
	struct cli_command *c;

	c = cli_register_command(cli, NULL, "terminal", NULL, PRIVILEGE_UNPRIVILEGED, MODE_EXEC,
				 "This session's settings");
	if (c == NULL ||
	    cli_register_command(cli, c, "monitor", mgmt_cli_monitor, PRIVILEGE_UNPRIVILEGED,
				 MODE_EXEC, "Show new log lines in this session") == NULL)
		return -ENOMEM;
	c = cli_register_command(cli, c, "no", NULL, PRIVILEGE_UNPRIVILEGED, MODE_EXEC, "Negate");
	if (c == NULL ||
	    cli_register_command(cli, c, "monitor", mgmt_cli_monitor, PRIVILEGE_UNPRIVILEGED,
				 MODE_EXEC, "Stop showing log lines in this session") == NULL)
		return -ENOMEM;

	c = cli_register_command(cli, NULL, "configure", NULL, PRIVILEGE_UNPRIVILEGED, MODE_EXEC,
				 "Enter configuration mode");
	if (c == NULL ||
	    cli_register_command(cli, c, "terminal", mgmt_cli_configure, PRIVILEGE_UNPRIVILEGED,
				 MODE_EXEC,
				 "Configure from the terminal: changes apply at once") == NULL)
		return -ENOMEM;
	return cli_register_command(cli, NULL, "end", mgmt_cli_end, PRIVILEGE_UNPRIVILEGED,
				    MODE_CONFIG, "Leave configuration mode") != NULL
		       ? 0
		       : -ENOMEM;
}

/* ---- the session's libcli context ---- */

void mgmt_cli_prompt(struct mgmt_session *s)
{
	cli_set_promptchar(s->s_cli, s->s_priv >= CFG_PRIV_ADMIN ? "# " : "> ");
}

/* Runs on: the session thread, about once a second while it waits for
 * input. The login deadline counts from connect, so trickling one byte at a
 * time does not keep an unauthenticated session alive; the stop flag backs
 * up the shutdown() that mgmt_server_stop() sends. */
static int mgmt_cli_regular(struct cli_def *cli)
{
	struct mgmt_session *s = cli_get_context(cli);

	if (atomic_load(&s->s_srv->sv_stopping))
		return CLI_ERROR;
	if (s->s_priv == 0 && mgmt_now() >= s->s_login_deadline) {
		cli_error(cli, "\n%% login timed out");
		LOG_MGMT(INFO, "login timed out: %s", s->s_peer);
		return CLI_ERROR;
	}
	if (s->s_monitor)
		mgmt_cli_monitor_print(cli, s);
	return CLI_OK;
}

static int mgmt_cli_idle(struct cli_def *cli)
{
	struct mgmt_session *s = cli_get_context(cli);

	cli_error(cli, "\n%% idle for %u s: closing the session", s->s_srv->sv_cli.idle_timeout);
	LOG_MGMT(INFO, "%s@%s: idle for %u s, session closed", s->s_user, s->s_peer,
		 s->s_srv->sv_cli.idle_timeout);
	return CLI_ERROR;
}

struct cli_def *mgmt_cli_create(struct mgmt_session *s)
{
	struct mgmt_server *sv = s->s_srv;
	struct cli_def *cli = cli_init();
	char banner[96];
	size_t i;

	if (cli == NULL)
		return NULL;
	snprintf(banner, sizeof(banner), "dmvpnd %s", sv->sv_hostname);
	cli_set_banner(cli, banner);
	cli_set_hostname(cli, sv->sv_hostname);
	cli_set_context(cli, s);
	if (sv->sv_cli.idle_timeout != 0)
		cli_set_idle_timeout_callback(cli, sv->sv_cli.idle_timeout, mgmt_cli_idle);
	cli_regular(cli, mgmt_cli_regular);
	/* Privilege is the user's, from the config, checked per command:
	 * libcli's enable/disable and its own configure would only ever
	 * answer "Access denied". */
	cli_unregister_command(cli, "enable");
	cli_unregister_command(cli, "disable");
	cli_unregister_command(cli, "configure");
	if (mgmt_cli_register_modes(cli) != 0) {
		cli_done(cli);
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(mgmt_cli_cmds); i++) {
		if (mgmt_cli_cmd_register(cli, &mgmt_cli_cmds[i]) != 0) {
			cli_done(cli);
			return NULL;
		}
	}
	s->s_cli = cli;
	return cli;
}

/* Several commands may share the line, separated by ';'. */
int mgmt_cli_run_line(struct mgmt_session *s, const char *line)
{
	char buf[512], *save = NULL, *cmd;
	int rc = CLI_OK;

	snprintf(buf, sizeof(buf), "%s", line);
	for (cmd = strtok_r(buf, ";", &save); cmd != NULL; cmd = strtok_r(NULL, ";", &save)) {
		while (*cmd == ' ')
			cmd++;
		if (*cmd == '\0')
			continue;
		if (cli_run_command(s->s_cli, cmd) != CLI_OK)
			rc = CLI_ERROR;
	}
	return rc;
}
