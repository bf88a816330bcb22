/* dmvpnd: command line, config, EAL, signals; the node does the rest. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>

#include <libssh/libssh.h>
#include <yaml.h>

#include "eal_args.h"
#include "log.h"
#include "mgmt.h"
#include "node.h"
#include "service.h"
#include "version.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static volatile sig_atomic_t reload_requested;

/* SIGHUP: re-read the configuration file (the control thread applies
 * what may change live, or logs why not, and keeps running). */
static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dmvpnd -c FILE          run the node described by FILE\n"
		   "       dmvpnd --check -c FILE  validate FILE and exit (0 = OK)\n"
		   "       dmvpnd --hash-password  read a password on stdin, print its\n"
		   "                               SHA-512 crypt(3) hash for cli.users\n"
		   "       dmvpnd --version | --help\n"
		   "See docs/config.md and docs/quickstart.md.\n");
}

static int hash_password(void)
{
	char line[256], hash[CFG_HASH_MAX];
	size_t n;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password: ");
	if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "dmvpnd: no password on stdin\n");
		return 1;
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n == 0 || mgmt_auth_hash(line, hash, sizeof(hash)) != 0) {
		fprintf(stderr, "dmvpnd: cannot hash an empty password\n");
		return 1;
	}
	explicit_bzero(line, sizeof(line));
	printf("%s\n", hash);
	return 0;
}

static int run(const char *prog, struct cfg *cfg)
{
	struct eal_args ea;
	struct node nd;
	FILE *log_out;
	int rc;

	if (eal_args_build(cfg, prog, &ea) != 0) {
		fprintf(stderr, "dmvpnd: EAL arguments too long\n");
		return 1;
	}
	log_out = log_stream_open(cfg->logging.dest == CFG_LOG_SYSLOG ? LOG_DEST_SYSLOG
								      : LOG_DEST_STDERR,
				  cfg->logging.buffer_lines);
	rte_openlog_stream(log_out != NULL ? log_out : stderr);
	if (rte_eal_init(ea.ea_argc, ea.ea_argv) < 0) {
		fprintf(stderr, "dmvpnd: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	node_log_apply(cfg);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);
	rc = node_start(&nd, cfg);
	if (rc == 0) {
		service_notify("READY=1\nSTATUS=running");
		node_run(&nd, &stop_requested, &reload_requested);
	} else {
		LOG_MAIN(ERR, "start failed: %s", strerror(-rc));
	}
	service_notify("STOPPING=1");
	node_stop(&nd);
	rte_eal_cleanup();
	if (log_out != NULL) {
		rte_openlog_stream(stderr);
		fclose(log_out);
	}
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},  {"check", no_argument, NULL, 'k'},
		{"hash-password", no_argument, NULL, 'p'}, {"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	bool check = false;
	static struct cfg cfg;
	struct cfg_err err;
	int c;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			file = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'p':
			return hash_password();
		case 'V':
			printf("dmvpnd %s\n%s, libssh %s, libyaml %s\n", DMVPND_VERSION,
			       rte_version(), ssh_version(0), yaml_get_version_string());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (file == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cfg_load_file(file, &cfg, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (check) {
		printf("%s: OK\n", file);
		return 0;
	}
	return run(argv[0], &cfg);
}
