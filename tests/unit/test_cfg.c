/* Unit tests for the YAML startup configuration: the shipped configs load,
 * every configs/bad/ file fails with exactly the message on its first line,
 * dump -> load round-trips, and numbered edge cases for numbers and IPv4.
 * Run from the repository root, or set DMVPND_SRCDIR to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "inet.h"
#include "strbuf.h"
#include "proto_ike.h"

#define T_MAX_FILES 128
#define T_PATH 512

/* A config is big (routes); keep them off the stack. */
static struct cfg t_a, t_b;

static int t_is_yaml(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".yaml") == 0 && name[0] != '.';
}

static int t_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted "DIR/NAME.yaml" paths; the caller frees them. */
static unsigned t_list_yaml(const char *dir, char *out[T_MAX_FILES])
{
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL && n < T_MAX_FILES) {
		if (!t_is_yaml(de->d_name))
			continue;
		out[n] = malloc(T_PATH);
		assert_non_null(out[n]);
		snprintf(out[n], T_PATH, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	qsort(out, n, sizeof(out[0]), t_cmp_str);
	return n;
}

static void t_free_list(char *list[], unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		free(list[i]);
}

static uint32_t t_ip(const char *s)
{
	uint32_t a = 0;

	assert_int_equal(inet_v4_parse(s, &a), 0);
	return a;
}

/* Positions and the file name depend on the text, not the meaning. */
static void t_scrub(struct cfg *c)
{
	static const struct cfg_pos z;
	unsigned i;

	memset(c->file, 0, sizeof(c->file));
	c->pos_node = c->pos_role = c->pos_name = z;
	c->lcores.pos = c->lcores.pos_main = z;
	for (i = 0; i < CFG_MAX_WORKERS; i++)
		c->lcores.pos_workers[i] = z;
	c->eal.pos = z;
	for (i = 0; i < CFG_MAX_PORTS; i++) {
		struct cfg_port *p = &c->ports[i];

		p->pos = p->pos_name = p->pos_devargs = p->pos_address = p->pos_role = z;
	}
	c->tunnel.pos = c->tunnel.pos_address = c->tunnel.pos_nhs = c->tunnel.pos_kernel_if = z;
	c->tunnel.pos_mtu = z;
	for (i = 0; i < CFG_MAX_NHS; i++)
		c->tunnel.nhs[i].pos = c->tunnel.nhs[i].pos_nbma = c->tunnel.nhs[i].pos_address = z;
	for (i = 0; i < CFG_MAX_ROUTES; i++)
		c->routes[i].pos = c->routes[i].pos_prefix = c->routes[i].pos_via = z;
	c->tunnel.esp.pos = c->tunnel.esp.pos_keying = z;
	c->tunnel.esp.ike.pos = c->tunnel.esp.ike.pos_psk = z;
	c->tunnel.esp.ike.pos_local_id = c->tunnel.esp.ike.pos_auth = c->tunnel.esp.ike.pos_cert =
		z;
	for (unsigned j = 0; j < CFG_IKE_MAX_PEERS; j++)
		c->tunnel.esp.ike.peers[j].pos = c->tunnel.esp.ike.peers[j].pos_id =
			c->tunnel.esp.ike.peers[j].pos_psk = z;
	for (i = 0; i < CFG_MAX_SAS; i++)
		c->tunnel.esp.sas[i].pos = c->tunnel.esp.sas[i].pos_spi_in = z;
	c->cli.pos = c->cli.pos_ssh = z;
	c->telemetry.pos = z;
	c->logging.pos = z;
	for (i = 0; i < CFG_MAX_USERS; i++) {
		c->cli.users[i].pos = c->cli.users[i].pos_name = z;
		for (unsigned k = 0; k < CFG_MAX_USER_KEYS; k++)
			c->cli.users[i].pos_keys[k] = z;
	}
	c->limits.pos = c->limits.pos_max_peers = c->limits.pos_max_routes = z;
}

static int t_load(const char *yaml, struct cfg *c, struct cfg_err *err)
{
	int rc = cfg_load_buf(yaml, strlen(yaml), "t.yaml", c, err);

	if (rc == 0)
		rc = cfg_validate(c, err);
	return rc;
}

/* ---- shipped configs ---------------------------------------------------- */

static void test_good_configs_load(void **state)
{
	char *files[T_MAX_FILES];
	struct cfg_err err;
	unsigned i, n = t_list_yaml("configs", files);

	(void)state;
	assert_true(n >= 4);
	for (i = 0; i < n; i++) {
		int rc = cfg_load_file(files[i], &t_a, &err);

		if (rc != 0)
			fail_msg("%s: %s", files[i], err.msg);
		assert_string_equal(t_a.file, files[i]);
	}
	t_free_list(files, n);
}

static void test_hub_values(void **state)
{
	struct cfg_err err;
	const struct cfg *c = &t_a;

	(void)state;
	assert_int_equal(cfg_load_file("configs/hub.yaml", &t_a, &err), 0);
	assert_string_equal(c->name, "hub");
	assert_int_equal(c->role, CFG_ROLE_HUB);
	assert_int_equal(c->n_ports, 2);
	assert_string_equal(c->ports[0].name, "wan0");
	assert_string_equal(c->ports[0].devargs, "net_af_packet0,iface=wan0");
	assert_int_equal(c->ports[0].role, CFG_PORT_WAN);
	assert_int_equal(c->ports[0].address.addr, t_ip("192.0.2.1"));
	assert_int_equal(c->ports[0].address.len, 24);
	assert_int_equal(c->ports[0].mtu, 1500);
	assert_int_equal(c->ports[1].role, CFG_PORT_LAN);
	assert_int_equal(c->ports[1].address.addr, t_ip("10.0.0.1"));
	assert_true(c->tunnel.present);
	assert_string_equal(c->tunnel.name, "tunnel0");
	assert_int_equal(c->tunnel.address.addr, t_ip("10.255.0.1"));
	assert_true(c->tunnel.has_gre_key);
	assert_int_equal(c->tunnel.gre_key, 42);
	assert_int_equal(c->tunnel.network_id, 1);
	assert_int_equal(c->tunnel.holdtime, 30);
	assert_int_equal(c->tunnel.phase, 3);
	assert_int_equal(c->tunnel.mtu, 1400); /* default */
	assert_string_equal(c->tunnel.nhrp_auth, "dmvpn");
	assert_int_equal(c->tunnel.n_nhs, 0);
	assert_int_equal(c->n_routes, 2);
	assert_int_equal(c->routes[1].prefix.addr, t_ip("10.2.0.0"));
	assert_int_equal(c->routes[1].via, t_ip("10.255.0.12"));
	assert_string_equal(c->eal.file_prefix, "dmvpnd-hub");
	assert_int_equal(c->cli.n_users, 1);
	assert_memory_equal(c->cli.users[0].hash, "$6$", 3);
	/* Positions are 1-based: "  role: hub" on line 12. */
	assert_int_equal(c->pos_role.line, 12);
	assert_int_equal(c->pos_role.col, 9);
}

static void test_spoke1_values(void **state)
{
	struct cfg_err err;
	const struct cfg *c = &t_a;

	(void)state;
	assert_int_equal(cfg_load_file("configs/spoke1.yaml", &t_a, &err), 0);
	assert_int_equal(c->role, CFG_ROLE_SPOKE);
	assert_int_equal(c->ports[0].address.addr, t_ip("192.0.2.11"));
	assert_int_equal(c->ports[1].address.addr, t_ip("10.1.0.1"));
	assert_int_equal(c->tunnel.address.addr, t_ip("10.255.0.11"));
	assert_int_equal(c->tunnel.address.len, 24);
	assert_int_equal(c->tunnel.n_nhs, 1);
	assert_int_equal(c->tunnel.nhs[0].nbma, t_ip("192.0.2.1"));
	assert_int_equal(c->tunnel.nhs[0].overlay, t_ip("10.255.0.1"));
	assert_int_equal(c->n_routes, 1);
	assert_int_equal(c->routes[0].prefix.addr, t_ip("10.0.0.0"));
	assert_int_equal(c->routes[0].prefix.len, 8);
	/* Defaults. */
	assert_int_equal(c->lcores.main, 0);
	assert_int_equal(c->lcores.n_workers, 1);
	assert_int_equal(c->lcores.workers[0], 1);
	assert_true(c->lcores.poll_sleep_adaptive);
	assert_int_equal(c->lcores.poll_sleep_max_us, 1000);
	assert_int_equal(c->eal.mem_mode, CFG_MEM_NO_HUGE);
	assert_int_equal(c->eal.mem_mb, 256);
	assert_string_equal(c->eal.log_level, "info");
	assert_int_equal(c->cli.telnet_addr, t_ip("127.0.0.1"));
	assert_int_equal(c->cli.telnet_port, 2323);
	assert_int_equal(c->limits.max_peers, CFG_MAX_PEERS_DEFAULT);
	assert_int_equal(c->limits.max_routes, CFG_MAX_ROUTES_DEFAULT);
	assert_true(c->limits.max_peers >= 100000);
	assert_true(c->limits.max_routes >= 2 * 100000);
}

static void test_node_values(void **state)
{
	struct cfg_err err;

	(void)state;
	assert_int_equal(cfg_load_file("configs/node.yaml", &t_a, &err), 0);
	assert_string_equal(t_a.name, "node");
	assert_false(t_a.tunnel.present);
	assert_int_equal(t_a.n_routes, 0);
	assert_string_equal(t_a.eal.file_prefix, "dmvpnd-node");
}

/* dump -> load -> equal struct, and dump(load(dump)) == dump. */
static void t_roundtrip(struct cfg *a)
{
	struct strbuf s1, s2;
	struct cfg_err err;
	int rc;

	strbuf_init(&s1);
	strbuf_init(&s2);
	cfg_dump(a, &s1);
	assert_false(s1.sb_oom);
	rc = cfg_load_buf(strbuf_str(&s1), s1.sb_len, "dump.yaml", &t_b, &err);
	if (rc == 0)
		rc = cfg_validate(&t_b, &err);
	if (rc != 0)
		fail_msg("%s\n--- dump ---\n%s", err.msg, strbuf_str(&s1));
	cfg_dump(&t_b, &s2);
	assert_string_equal(strbuf_str(&s1), strbuf_str(&s2));
	t_scrub(a);
	t_scrub(&t_b);
	assert_memory_equal(a, &t_b, sizeof(*a));
	strbuf_fini(&s1);
	strbuf_fini(&s2);
}

static void test_roundtrip_configs(void **state)
{
	char *files[T_MAX_FILES];
	struct cfg_err err;
	unsigned i, n = t_list_yaml("configs", files);

	(void)state;
	for (i = 0; i < n; i++) {
		assert_int_equal(cfg_load_file(files[i], &t_a, &err), 0);
		t_roundtrip(&t_a);
	}
	t_free_list(files, n);
}

/* Every non-default knob, and bytes the dump must escape. */
#define T_HEX32 "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F"
#define T_HEX64 T_HEX32 T_HEX32

static void test_roundtrip_everything(void **state)
{
	static const char yaml[] =
		"node: {name: a.b_c-1, role: spoke}\n"
		"lcores: {main: 3, workers: [0, 5, 127], poll-sleep-us: 250,"
		" poll-sleep-max-us: 77}\n"
		"eal: {memory: hugepages, size-mb: 65536, file-prefix: x, log-level: debug}\n"
		"ports:\n"
		"  - {name: w, devargs: 'q\"b\\\\s', role: wan, address: 198.51.100.2/31,"
		" mtu: 9000}\n"
		"  - {name: l, devargs: '0000:03:00.0', role: lan, address: 10.9.9.9/32}\n"
		"  - {name: l2, devargs: x, role: lan, address: 172.16.0.1/12}\n"
		"tunnel: {name: t9, address: 10.255.1.5/16, gre-key: 4294967295,"
		" network-id: 4294967295, holdtime: 65535, phase: 1, mtu: 576, copy-dscp: false,"
		" nhrp-authentication: '\"\\\\#:x{}',"
		" nhs: [{nbma: 198.51.100.3, address: 10.255.0.1},"
		" {nbma: 203.0.113.9, address: 10.255.0.2}],"
		" kernel-interface: tun-0.x, protection: esp, esp: {algorithm: aes-cbc-256-sha256, esn: false,"
		" replay-window: 4096, lifetime-packets: 4294967295, lifetime-kbytes: 7,"
		" soft-limit-percent: 50, keying: static, nat-traversal: force, nat-keepalive: 0,"
		" key-log: /tmp/k, sas: ["
		"{peer: 198.51.100.3, spi-in: 256, spi-out: 4294967295,"
		" key-in: '" T_HEX64 "', key-out: '0x" T_HEX64 "'},"
		"{peer: 203.0.113.9, spi-in: 257, spi-out: 300,"
		" key-in: '" T_HEX64 "', key-out: '" T_HEX64 "'}]}}\n"
		"routes: [{prefix: 0.0.0.0/0, via: 10.255.0.1},"
		" {prefix: 192.168.0.0/16, via: 172.16.0.2}]\n"
		"cli: {telnet: {address: 0.0.0.0, port: 0},"
		" ssh: {address: 10.9.9.9, port: 22, host-key: /k},"
		" max-sessions: 3, login-timeout: 5, idle-timeout: 0,"
		" users: [{name: u, password-hash: '$y$j9T$abc$def'},"
		" {name: v, password-hash: '$6$rounds=5000$salt$hash', privilege: 1,"
		" ssh-keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMn3 a b', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB']},"
		" {name: w, ssh-keys: ['ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAA']}]}\n"
		"telemetry: {dpdk: false, prometheus: {address: 10.9.9.9, port: 9100}}\n"
		"logging: {destination: syslog, buffer-lines: 0, levels: {ike: debug, mgmt: notice}}\n"
		"limits: {max-peers: 1048576, max-routes: 64}\n";
	struct cfg_err err;

	(void)state;
	if (t_load(yaml, &t_a, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(t_a.ports[0].devargs, "q\"b\\\\s");
	assert_string_equal(t_a.tunnel.nhrp_auth, "\"\\\\#:x{}");
	assert_false(t_a.lcores.poll_sleep_adaptive);
	assert_int_equal(t_a.lcores.poll_sleep_us, 250);
	assert_int_equal(t_a.tunnel.gre_key, UINT32_MAX);
	assert_int_equal(t_a.tunnel.protection, CFG_PROT_ESP);
	assert_int_equal(t_a.tunnel.esp.n_sas, 2);
	assert_int_equal(t_a.tunnel.esp.sas[0].key_out[31], 0x1f);
	assert_int_equal(t_a.tunnel.esp.sas[1].spi_out, 300);
	assert_int_equal(t_a.limits.max_peers, 1048576);
	assert_int_equal(t_a.limits.max_routes, 64);
	assert_int_equal(t_a.cli.ssh_port, 22);
	assert_false(t_a.telemetry.dpdk);
	assert_int_equal(t_a.logging.dest, CFG_LOG_SYSLOG);
	assert_string_equal(t_a.logging.levels[5], "debug");
	assert_int_equal(t_a.telemetry.prom_port, 9100);
	assert_int_equal(t_a.cli.idle_timeout, 0);
	assert_int_equal(t_a.cli.users[0].privilege, CFG_PRIV_ADMIN);
	assert_int_equal(t_a.cli.users[1].privilege, CFG_PRIV_READ_ONLY);
	assert_int_equal(t_a.cli.users[1].n_keys, 2);
	assert_string_equal(t_a.cli.users[2].hash, "");
	t_roundtrip(&t_a);
}

/* ---- broken configs ----------------------------------------------------- */

/* The error classes docs/config.md promises an example of. */
static const char *const t_required_bad[] = {
	"yaml-syntax",
	"unknown-key",
	"wrong-type-mapping",
	"wrong-type-number",
	"out-of-range",
	"bad-enum",
	"bad-ip",
	"missing-key",
	"duplicate-key",
	"duplicate-port-name",
	"duplicate-devargs",
	"overlapping-addresses",
	"two-wan-ports",
	"spoke-without-nhs",
	"hub-with-nhs",
	"nhs-outside-tunnel",
	"route-via-unreachable",
	"route-host-bits",
	"plaintext-password",
	"bad-password-hash",
	"telnet-without-users",
	"main-lcore-worker",
	"nhrp-auth-too-long",
};

static void t_expect_line(const char *path, char *out, size_t outlen)
{
	static const char tag[] = "# expect: ";
	char line[CFG_ERR_MAX + 64];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, tag, sizeof(tag) - 1) != 0)
		fail_msg("%s: first line must be '# expect: <error>'", path);
	snprintf(out, outlen, "%s", line + sizeof(tag) - 1);
}

static void test_bad_configs(void **state)
{
	char *files[T_MAX_FILES], want[CFG_ERR_MAX + 64], path[T_PATH];
	struct cfg_err err;
	unsigned i, n = t_list_yaml("configs/bad", files);

	(void)state;
	for (i = 0; i < sizeof(t_required_bad) / sizeof(t_required_bad[0]); i++) {
		snprintf(path, sizeof(path), "configs/bad/%s.yaml", t_required_bad[i]);
		if (access(path, R_OK) != 0)
			fail_msg("missing %s", path);
	}
	for (i = 0; i < n; i++) {
		t_expect_line(files[i], want, sizeof(want));
		if (cfg_load_file(files[i], &t_a, &err) == 0)
			fail_msg("%s: loaded, expected: %s", files[i], want);
		assert_null(strchr(err.msg, '\n'));
		if (strcmp(err.msg, want) != 0)
			fail_msg("%s:\n   got: %s\n  want: %s", files[i], err.msg, want);
	}
	t_free_list(files, n);
}

/* ---- inline edge cases -------------------------------------------------- */

#define T_NODE "node: {name: n, role: hub}\n"
#define T_PORTS "ports: [{name: w, devargs: d, role: wan, address: 192.0.2.1/24}]\n"
#define T_NOCLI "cli: {telnet: {port: 0}}\n"
#define T_MIN T_NODE T_PORTS T_NOCLI

/* A hub with ESP (lab group key) and the given replay-window. */
#define T_MIN_ESP(win)                                                           \
	T_MIN "tunnel: {address: 10.255.0.1/24, network-id: 1, protection: esp," \
	      " esp: {replay-window: " win ", group-key: '" T_HEX32 "', keying: group-key}}\n"

/* A hub keyed by IKE-lite with the given ESP algorithm and tunnel keys. */
#define T_MIN_IKE(alg, more)                                         \
	T_MIN "tunnel: {address: 10.255.0.1/24, network-id: 1," more \
	      " protection: esp, esp: {algorithm: " alg ", ike: {psk: 0123456789abcdef}}}\n"

struct t_case {
	const char *yaml;
	const char *want; /* NULL: must load and validate */
};

static const struct t_case t_cases[] = {
	/* 1 */ {T_MIN, NULL},
	/* 2 */ {T_MIN "---\n...\n---\n", NULL}, /* empty documents are fine */
						 /* 3 */
	{"", "t.yaml:1:1: the file is empty: expected a mapping with at least 'node' and 'ports'"},
	/* 4 */
	{"# only a comment\n",
	 "t.yaml:1:1: the file is empty: expected a mapping with at least 'node' and 'ports'"},
	/* 5 */ {"plain\n", "t.yaml:1:1: expected a mapping at the top level, got 'plain'"},
	/* 6 */
	{T_MIN "tunnel:\n", "t.yaml:4:8: expected a mapping for 'tunnel', got an empty value"},
	/* 7 */ {T_MIN "routes: x\n", "t.yaml:4:9: expected a sequence for 'routes', got 'x'"},
	/* 8 */
	{T_MIN "? [a]\n: 1\n", "t.yaml:4:3: expected a plain key at the top level, got a sequence"},
	/* 9 */
	{T_MIN "foo: 1\n",
	 "t.yaml:4:1: unknown key 'foo' at the top level (expected one of: node, lcores, eal, ports, tunnel, routes, cli, telemetry, logging, flow-export, limits)"},
	/* 10 */
	{T_MIN "routes: [{prefix: 10.0.0.0/8, via: *nope}]\n",
	 "t.yaml:4:36: YAML syntax error: found undefined alias"},
	/* 11 */
	{"node: {name: \"a\\0b\", role: hub}\n" T_PORTS T_NOCLI,
	 "t.yaml:1:14: 'node.name' contains a NUL character"},
	/* 12 */
	{"node: {name: 'a b', role: hub}\n" T_PORTS T_NOCLI,
	 "t.yaml:1:14: 'node.name' may only contain letters, digits, '_', '.' and '-', got 'a b'"},
	/* 13 */
	{"node: {name: abcdefghijabcdefghijabcdefghijabc, role: hub}\n" T_PORTS T_NOCLI,
	 "t.yaml:1:14: 'node.name' must be 1..31 characters long, got 33"},
	/* 14 */
	{"node: {name: abcdefghijabcdefghijabcde, role: hub}\n" T_PORTS T_NOCLI,
	 "t.yaml:1:14: the default eal.file-prefix 'dmvpnd-abcdefghijabcdefghijabcde' would be longer than 31 characters: set eal.file-prefix or shorten node.name"},
	/* 15 */
	{"node: {name: abcdefghijabcdefghijabcde, role: hub}\neal: {file-prefix: p}\n" T_PORTS
		 T_NOCLI,
	 NULL},
	/* 16 */
	{T_NODE "ports: [{name: w, devargs: 'a b', role: wan, address: 192.0.2.1/24}]\n" T_NOCLI,
	 "t.yaml:2:28: 'ports[0].devargs' must be printable ASCII without spaces"},
	/* 17 */
	{T_NODE "ports: [{name: w, devargs: d, role: wan, address: 192.0.2.255/24}]\n" T_NOCLI,
	 "t.yaml:2:51: 'ports[0].address' 192.0.2.255/24 is the broadcast address of its subnet; give this node a host address"},
	/* 18 */
	{T_NODE "ports: [{name: w, devargs: d, role: wan, address: 10.0.0.1/7}]\n" T_NOCLI,
	 "t.yaml:2:51: 'ports[0].address' prefix length must be 8..32, got 10.0.0.1/7"},
	/* 19 */
	{T_NODE "ports: [{name: w, devargs: d, role: wan, address: 127.0.0.1/8}]\n" T_NOCLI,
	 "t.yaml:2:51: 'ports[0].address' 127.0.0.1 is not a usable unicast address (0/8, 127/8 and 224/3 are not allowed)"},
	/* 20 */
	{T_NODE "ports: [{name: w, devargs: d, role: wan, address: 192.0.2.1}]\n" T_NOCLI,
	 "t.yaml:2:51: 'ports[0].address' must be an IPv4 prefix a.b.c.d/len, got '192.0.2.1'"},
	/* 21 */
	{T_NODE "ports: []\n" T_NOCLI, "t.yaml:2:8: 'ports' must have 1..8 entries, got 0"},
	/* 22 */
	{T_MIN "lcores: {workers: []}\n",
	 "t.yaml:4:19: 'lcores.workers' must have 1..16 entries, got 0"},
	/* 23 */
	{T_MIN "lcores: {workers: [128]}\n",
	 "t.yaml:4:20: 'lcores.workers[0]' must be an integer in 0..127, got 128"},
	/* 24 */
	{T_MIN "lcores: {poll-sleep-us: fast}\n",
	 "t.yaml:4:25: 'lcores.poll-sleep-us' must be adaptive or an integer in 0..100000, got 'fast'"},
	/* 25 */
	{T_MIN "lcores: {poll-sleep-us: 100001}\n",
	 "t.yaml:4:25: 'lcores.poll-sleep-us' must be adaptive or an integer in 0..100000, got 100001"},
	/* 26 */
	{T_MIN "lcores: {main: 1}\n",
	 "t.yaml:4:1: lcore 1 is the main lcore (lcores.main) and cannot also be a worker"},
	/* 27 */
	{T_MIN "eal: {log-level: verbose}\n",
	 "t.yaml:4:18: 'eal.log-level' must be error, warning, notice, info or debug, got 'verbose'"},
	/* 28 */
	{T_MIN "eal: {size-mb: 63}\n",
	 "t.yaml:4:16: 'eal.size-mb' must be an integer in 64..65536, got 63"},
	/* 29 */
	{T_NODE T_PORTS,
	 "t.yaml:1:1: telnet is enabled on 127.0.0.1:2323 but cli.users is empty: add a user with a password-hash, or set cli.telnet.port: 0"},
	/* 30 */
	{T_MIN "tunnel: {address: 10.255.0.1/24}\n",
	 "t.yaml:4:9: missing required key 'network-id' in 'tunnel'"},
	/* 31 */
	{T_MIN "tunnel: {address: 10.255.0.1/24, network-id: 0}\n",
	 "t.yaml:4:46: 'tunnel.network-id' must be an integer in 1..4294967295, got 0"},
	/* 32 */
	{T_MIN "tunnel: {address: 10.255.0.1/24, network-id: 1, nhrp-authentication: 'a b'}\n",
	 "t.yaml:4:70: 'tunnel.nhrp-authentication' must be printable ASCII without spaces"},
	/* 33 */
	{"node: {name: s, role: spoke}\n" T_PORTS T_NOCLI,
	 "t.yaml:1:23: a spoke needs a tunnel section with at least one NHS under tunnel.nhs"},
	/* 34 */
	{"node: {name: s, role: spoke}\n" T_PORTS T_NOCLI
	 "tunnel: {address: 10.255.0.2/24, network-id: 1, nhs: [{nbma: 192.0.2.9, address: 10.255.0.2}]}\n",
	 "t.yaml:4:82: NHS address 10.255.0.2 is this node's own tunnel address; give the hub's overlay address"},
	/* 35 */
	{"node: {name: s, role: spoke}\n" T_PORTS T_NOCLI
	 "tunnel: {address: 10.255.0.2/24, network-id: 1, nhs: [{nbma: 192.0.2.9, address: 10.255.0.1}, {nbma: 192.0.2.9, address: 10.255.0.3}]}\n",
	 "t.yaml:4:95: NHS 10.255.0.3 is listed twice in tunnel.nhs (first at line 4)"},
	/* 36 */
	{T_MIN "routes: [{prefix: 10.0.0.0/33, via: 192.0.2.2}]\n",
	 "t.yaml:4:19: 'routes[0].prefix' must be an IPv4 prefix a.b.c.d/len, got '10.0.0.0/33'"},
	/* 37 */
	{T_MIN "routes: [{prefix: 10.0.0.0/8, via: 198.51.100.2}]\n",
	 "t.yaml:4:36: route 10.0.0.0/8: next hop 198.51.100.2 is not inside a port subnet or the tunnel subnet (w 192.0.2.0/24)"},
	/* 38 */
	{T_NODE T_PORTS "cli: {users: [{name: a, password-hash: '$6$'}]}\n",
	 "t.yaml:3:40: 'cli.users[0].password-hash' is not a crypt(3) hash: expected $6$, $5$, $y$, $gy$ or $2b$ followed by salt and hash (make one with dmvpnd --hash-password)"},
	/* 39 */
	{T_NODE T_PORTS
	 "cli: {users: [{name: a, password-hash: '$2b$10$abc'}], telnet: {address: 0.0.0.0}}\n",
	 NULL},
	/* 40 */
	{T_NODE T_PORTS "cli: {users: [{name: a}]}\n",
	 "t.yaml:3:15: 'cli.users[0]' (a) can never log in: give it a password-hash, ssh-keys or both"},
	/* 41 */
	{T_NODE T_PORTS "cli: {telnet: {port: 65536}}\n",
	 "t.yaml:3:22: 'cli.telnet.port' must be an integer in 0..65535, got 65536"},
	/* 42 */
	{T_MIN "node: {name: x, role: hub}\n", "t.yaml:4:1: duplicate key 'node' at the top level"},
	/* 43 */
	{"a: &x 1\n",
	 "t.yaml:1:1: unknown key 'a' at the top level (expected one of: node, lcores, eal, ports, tunnel, routes, cli, telemetry, logging, flow-export, limits)"},
	/* 44 */
	{"node: {name: n, role: hub}\nnode2: [\n",
	 "t.yaml:3:1: YAML syntax error: did not find expected node content (while parsing a flow node that starts at line 3 column 1)"},
	/* 45 */
	{"node:\n\tname: n\n",
	 "t.yaml:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token that starts at line 2 column 1)"},
	/* 46 */
	{"node: {name: \"\xff\"}\n",
	 "t.yaml:1:15: YAML syntax error: invalid leading UTF-8 octet (byte 0xff)"},
	/* 47: an error in an aliased value points at its anchor */
	/* 47 */
	{T_MIN "lcores: {workers: &w [2], main: 3}\n"
	       "eal: {size-mb: *w}\n",
	 "t.yaml:4:19: expected an integer in 64..65536 for 'eal.size-mb', got a sequence"},
	/* 48 */
	{"node: {name: n, role: hub}\nports: [{name: w, devargs: d, role: wan, address: 192.0.2.1/24, mtu: 575}]\n" T_NOCLI,
	 "t.yaml:2:70: 'ports[0].mtu' must be an integer in 576..9000, got 575"},
	/* 49: replay-window is 0 (off) or 64..4096, never 1..63 */
	/* 49 */
	{T_MIN_ESP("63"),
	 "t.yaml:4:87: 'tunnel.esp.replay-window' must be 0 (anti-replay off) or an integer in 64..4096, got 63"},
	/* 50 */
	{T_MIN_ESP("1"),
	 "t.yaml:4:87: 'tunnel.esp.replay-window' must be 0 (anti-replay off) or an integer in 64..4096, got 1"},
	/* 51 */
	{T_MIN_ESP("4097"),
	 "t.yaml:4:87: 'tunnel.esp.replay-window' must be 0 (anti-replay off) or an integer in 64..4096, got 4097"},
	/* 52 */
	{T_MIN_ESP("off"),
	 "t.yaml:4:87: 'tunnel.esp.replay-window' must be 0 (anti-replay off) or an integer in 64..4096, got 'off'"},
	/* 53-58: the tunnel MTU, wrapped at worst, fits the wan port (cfg_tunnel_wire_len) */
	/* 53 */
	{T_MIN_IKE("aes-cbc-128-sha256", ""),
	 "t.yaml:4:1: tunnel.mtu 1400 does not fit port 'w' (mtu 1500): in ESP (aes-cbc-128-sha256, tunnel mode possible, NAT-T) its packets take up to 1508 bytes there; lower tunnel.mtu to 1398 or raise the port's mtu to 1508"},
	/* 54 */ {T_MIN_IKE("aes-cbc-128-sha256", " mtu: 1398,"), NULL},
	/* 55 */
	{T_MIN_IKE("aes-cbc-256-sha256", " mtu: 1399,"),
	 "t.yaml:4:54: tunnel.mtu 1399 does not fit port 'w' (mtu 1500): in ESP (aes-cbc-256-sha256, tunnel mode possible, NAT-T) its packets take up to 1508 bytes there; lower tunnel.mtu to 1398 or raise the port's mtu to 1508"},
	/* 56 */ {T_MIN_IKE("aes-gcm-256", ""), NULL}, /* 1488 bytes */
						       /* 57 */
	{T_MIN_IKE("aes-gcm-128", " mtu: 1415,"),
	 "t.yaml:4:54: tunnel.mtu 1415 does not fit port 'w' (mtu 1500): in ESP (aes-gcm-128, tunnel mode possible, NAT-T) its packets take up to 1504 bytes there; lower tunnel.mtu to 1414 or raise the port's mtu to 1504"},
	/* 58 */
	{T_NODE
	 "ports: [{name: w, devargs: d, role: wan, address: 192.0.2.1/24, mtu: 600}]\n" T_NOCLI
	 "tunnel: {address: 10.255.0.1/24, network-id: 1, mtu: 1400}\n",
	 "t.yaml:4:54: tunnel.mtu 1400 does not fit port 'w' (mtu 600): in GRE its packets take up to 1424 bytes there; lower tunnel.mtu to 576 or raise the port's mtu to 1424"},
};

static void test_inline_cases(void **state)
{
	struct cfg_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t_cases) / sizeof(t_cases[0]); i++) {
		int rc = t_load(t_cases[i].yaml, &t_a, &err);

		if (t_cases[i].want == NULL && rc != 0)
			fail_msg("case %zu: %s", i + 1, err.msg);
		if (t_cases[i].want != NULL && rc == 0)
			fail_msg("case %zu: loaded, want: %s", i + 1, t_cases[i].want);
		if (t_cases[i].want != NULL && strcmp(err.msg, t_cases[i].want) != 0)
			fail_msg("case %zu:\n   got: %s\n  want: %s", i + 1, err.msg,
				 t_cases[i].want);
	}
}

/* A scalar with an embedded NUL, which strlen() would cut short. */
static void test_nul_in_buffer(void **state)
{
	static const char yaml[] = T_MIN "eal: {file-prefix: ab\0cd}\n";
	struct cfg_err err;

	(void)state;
	assert_int_equal(cfg_load_buf(yaml, sizeof(yaml) - 1, "t.yaml", &t_a, &err), -EINVAL);
	assert_string_equal(
		err.msg,
		"t.yaml:4:22: YAML syntax error: control characters are not allowed (byte 0x00)");
}

/* keying: ike: proposals, PSK and the rest load, dump (the PSK hidden
 * unless secrets are asked for) and reload to the same. */
static void test_ike_section(void **state)
{
	static const char yaml[] = T_MIN
		"tunnel: {address: 10.255.0.1/24, network-id: 1, "
		"protection: esp, esp: {keying: ike, ike: {psk: 'sixteen-bytes-or-more', "
		"proposals: [aes128gcm16-prfsha384-ecp256, aes256-sha256-prfsha512-modp2048], "
		"mode: transport, lifetime: 600, child-lifetime: 60, dpd: 5, cookie-threshold: 0}}}\n";
	struct strbuf sb;
	struct cfg_err err;
	char name[64];

	(void)state;
	if (t_load(yaml, &t_a, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg_validate(&t_a, &err), 0);
	assert_int_equal(t_a.tunnel.esp.keying, CFG_KEYING_IKE);
	assert_int_equal(t_a.tunnel.esp.ike.n_proposals, 2);
	cfg_ike_prop_name(&t_a.tunnel.esp.ike.proposals[1], name, sizeof(name));
	assert_string_equal(name, "aes256-sha256-prfsha512-modp2048");
	assert_int_equal(t_a.tunnel.esp.ike.psk_len, 21);
	assert_int_equal(t_a.tunnel.esp.ike.cookie_threshold, 0);
	strbuf_init(&sb);
	cfg_dump_opts(&t_a, &sb, false);
	assert_null(strstr(strbuf_str(&sb), "sixteen-bytes"));
	assert_non_null(strstr(strbuf_str(&sb), "psk: \"<hidden>\""));
	strbuf_fini(&sb);
	t_roundtrip(&t_a);
}

/* Identities, per-peer keys and certificates: each ID kind is recognised,
 * peers load with their own or the wildcard key, nothing secret is dumped,
 * and the whole reloads to the same. */
static void test_ike_peers(void **state)
{
	static const char yaml[] = T_MIN
		"tunnel: {address: 10.255.0.1/24, network-id: 1, "
		"protection: esp, esp: {keying: ike, ike: {psk: 'sixteen-bytes-or-more', "
		"local-id: hub.example.net, cert: /etc/dmvpnd/hub.pem, key: /etc/dmvpnd/hub.key, "
		"ca: /etc/dmvpnd/ca.pem, auth: psk, fragment-size: 1400, peers: ["
		"{address: 192.0.2.7, id: 'CN=spoke7, O=Example', psk: 'spoke-seven-own-key'}, "
		"{id: '@#0a1b2c'}, {id: ops@example.net, auth: cert}, {address: 192.0.2.9}]}}}\n";
	const struct cfg_ike *k = &t_a.tunnel.esp.ike;
	struct cfg_ike_id id;
	struct strbuf sb;
	struct cfg_err err;
	const char *why;

	(void)state;
	if (t_load(yaml, &t_a, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg_validate(&t_a, &err), 0);
	assert_int_equal(k->local_id.type, IKE_ID_FQDN);
	assert_int_equal(k->auth, CFG_IKE_AUTH_PSK);
	assert_int_equal(k->fragment_size, 1400);
	assert_true(k->fragmentation);
	assert_int_equal(k->n_peers, 4);
	assert_int_equal(k->peers[0].id.type, IKE_ID_DER_ASN1_DN);
	assert_int_equal(k->peers[0].psk_len, 19);
	assert_int_equal(k->peers[1].id.type, IKE_ID_KEY_ID);
	assert_int_equal(k->peers[2].id.type, IKE_ID_RFC822_ADDR);
	assert_int_equal(k->peers[2].auth, CFG_IKE_AUTH_CERT);
	assert_int_equal(k->peers[3].addr, 0xc0000209u);
	strbuf_init(&sb);
	cfg_dump_opts(&t_a, &sb, false);
	assert_null(strstr(strbuf_str(&sb), "spoke-seven-own-key"));
	strbuf_fini(&sb);
	t_roundtrip(&t_a);

	assert_int_equal(cfg_ike_id_parse("198.51.100.1", &id, &why), 0);
	assert_int_equal(id.type, IKE_ID_IPV4_ADDR);
	assert_int_equal(cfg_ike_id_parse("@hub", &id, &why), 0);
	assert_int_equal(id.type, IKE_ID_FQDN);
	assert_int_equal(cfg_ike_id_parse("C=CH, O=strongSwan, CN=moon", &id, &why), 0);
	assert_int_equal(id.type, IKE_ID_DER_ASN1_DN);
	assert_int_not_equal(cfg_ike_id_parse("XX=CH", &id, &why), 0);
	assert_int_not_equal(cfg_ike_id_parse("CN=", &id, &why), 0);
	assert_int_not_equal(cfg_ike_id_parse("@#abc", &id, &why), 0);
	assert_int_not_equal(cfg_ike_id_parse("@#zz", &id, &why), 0);
	assert_int_not_equal(cfg_ike_id_parse("", &id, &why), 0);

	/* a peer with neither address nor id, certs without a key, a peer
	 * with no key of its own and no wildcard */
	assert_int_not_equal(
		t_load(T_MIN
		       "tunnel: {address: 10.255.0.1/24, network-id: 1, "
		       "protection: esp, esp: {keying: ike, ike: {psk: 'sixteen-bytes-or-more', "
		       "peers: [{auth: psk}]}}}\n",
		       &t_a, &err),
		0);
	assert_non_null(strstr(err.msg, "needs an address, an id or both"));
	assert_int_not_equal(
		t_load(T_MIN
		       "tunnel: {address: 10.255.0.1/24, network-id: 1, "
		       "protection: esp, esp: {keying: ike, ike: {cert: /a.pem, ca: /ca.pem}}}\n",
		       &t_a, &err),
		0);
	assert_non_null(strstr(err.msg, "certificate authentication needs"));
	assert_int_not_equal(
		t_load(T_MIN
		       "tunnel: {address: 10.255.0.1/24, network-id: 1, "
		       "protection: esp, esp: {keying: ike, ike: {peers: [{address: 192.0.2.7, "
		       "psk: 'spoke-seven-own-key'}, {address: 192.0.2.8}]}}}\n",
		       &t_a, &err),
		0);
	assert_non_null(strstr(err.msg, "peers[1] authenticates with a psk but has none"));
}

/* replay-window: 0 turns anti-replay off; the dump says 0 and reloads. */
static void test_replay_window_off(void **state)
{
	static const char yaml[] = T_MIN_ESP("0");
	struct strbuf sb;
	struct cfg_err err;

	(void)state;
	if (t_load(yaml, &t_a, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(t_a.tunnel.esp.replay_window, 0);
	strbuf_init(&sb);
	cfg_dump(&t_a, &sb);
	assert_non_null(strstr(strbuf_str(&sb), "\n    replay-window: 0\n"));
	strbuf_fini(&sb);
	t_roundtrip(&t_a);
	assert_int_equal(t_load(T_MIN_ESP("64"), &t_a, &err), 0);
	assert_int_equal(t_a.tunnel.esp.replay_window, 64);
	assert_int_equal(t_load(T_MIN_ESP("4096"), &t_a, &err), 0);
	assert_int_equal(t_a.tunnel.esp.replay_window, 4096);
}

/* ---- numbers ------------------------------------------------------------ */

struct t_num {
	const char *text;
	int ok;
	uint32_t value;
};

static const struct t_num t_nums[] = {
	/* 1 */ {"0", 1, 0},
	/* 2 */ {"42", 1, 42},
	/* 3 */ {"4294967295", 1, 4294967295u},
	/* 4 */ {"'7'", 1, 7}, /* quoted digits are still digits */
	/* 5 */ {"4294967296", 0, 0},
	/* 6 */ {"99999999999999999999999", 0, 0},
	/* 7 */ {"-1", 0, 0},
	/* 8 */ {"+1", 0, 0},
	/* 9 */ {"0x10", 0, 0},
	/* 10 */ {"010", 0, 0}, /* YAML 1.1 octal? refused, not guessed */
	/* 11 */ {"''", 0, 0},
	/* 12 */ {"' 1'", 0, 0},
	/* 13 */ {"'1 '", 0, 0},
	/* 14 */ {"1e3", 0, 0},
	/* 15 */ {"1.0", 0, 0},
	/* 16 */ {"1_000", 0, 0},
	/* 17 */ {"true", 0, 0},
	/* 18 */ {"~", 0, 0},
	/* 19 */ {"[1]", 0, 0},
	/* 20 */ {"{a: 1}", 0, 0},
};

static void test_numbers(void **state)
{
	char yaml[512];
	struct cfg_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t_nums) / sizeof(t_nums[0]); i++) {
		int rc;

		snprintf(yaml, sizeof(yaml),
			 T_MIN "tunnel: {address: 10.255.0.1/24, network-id: 1, gre-key: %s}\n",
			 t_nums[i].text);
		rc = t_load(yaml, &t_a, &err);
		if (t_nums[i].ok && rc != 0)
			fail_msg("number %zu (%s): %s", i + 1, t_nums[i].text, err.msg);
		if (!t_nums[i].ok && rc == 0)
			fail_msg("number %zu (%s): accepted", i + 1, t_nums[i].text);
		if (t_nums[i].ok)
			assert_int_equal(t_a.tunnel.gre_key, t_nums[i].value);
		else
			assert_non_null(strstr(err.msg, "'tunnel.gre-key'"));
	}
}

/* ---- IPv4 text ---------------------------------------------------------- */

struct t_inet {
	const char *text;
	int ok;
	uint32_t addr;
	uint8_t len; /* prefixes only */
};

static const struct t_inet t_addrs[] = {
	/* 1 */ {"0.0.0.0", 1, 0, 0},
	/* 2 */ {"255.255.255.255", 1, 0xffffffffu, 0},
	/* 3 */ {"192.0.2.1", 1, 0xc0000201u, 0},
	/* 4 */ {"01.2.3.4", 1, 0x01020304u, 0}, /* inet.c: decimal, zeros allowed */
	/* 5 */ {"001.002.003.004", 1, 0x01020304u, 0},
	/* 6 */ {"0001.2.3.4", 0, 0, 0},
	/* 7 */ {"256.1.1.1", 0, 0, 0},
	/* 8 */ {"1.2.3", 0, 0, 0},
	/* 9 */ {"1.2.3.4.5", 0, 0, 0},
	/* 10 */ {"1.2.3.4 ", 0, 0, 0},
	/* 11 */ {" 1.2.3.4", 0, 0, 0},
	/* 12 */ {"", 0, 0, 0},
	/* 13 */ {"1..2.3", 0, 0, 0},
	/* 14 */ {"-1.2.3.4", 0, 0, 0},
	/* 15 */ {"+1.2.3.4", 0, 0, 0},
	/* 16 */ {"0x1.2.3.4", 0, 0, 0},
	/* 17 */ {"1.2.3.4/24", 0, 0, 0},
	/* 18 */ {"1.2.3.", 0, 0, 0},
};

static const struct t_inet t_prefixes[] = {
	/* 1 */ {"10.0.0.0/8", 1, 0x0a000000u, 8},
	/* 2 */ {"0.0.0.0/0", 1, 0, 0},
	/* 3 */ {"1.2.3.4/32", 1, 0x01020304u, 32},
	/* 4 */ {"1.2.3.4/05", 1, 0x01020304u, 5},
	/* 5 */ {"1.2.3.4/33", 0, 0, 0},
	/* 6 */ {"1.2.3.4/", 0, 0, 0},
	/* 7 */ {"/24", 0, 0, 0},
	/* 8 */ {"1.2.3.4", 0, 0, 0},
	/* 9 */ {"1.2.3.4/024", 0, 0, 0},
	/* 10 */ {"1.2.3.4/-1", 0, 0, 0},
	/* 11 */ {"1.2.3.4/2 ", 0, 0, 0},
	/* 12 */ {"1.2.3.4/24/24", 0, 0, 0},
	/* 13 */ {"1.2.3.256/24", 0, 0, 0},
	/* 14 */ {"1234567890123456/8", 0, 0, 0},
};

static void test_inet_parse(void **state)
{
	uint32_t a;
	uint8_t l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t_addrs) / sizeof(t_addrs[0]); i++) {
		int rc = inet_v4_parse(t_addrs[i].text, &a);

		if ((rc == 0) != t_addrs[i].ok)
			fail_msg("address %zu '%s': rc %d", i + 1, t_addrs[i].text, rc);
		if (rc == 0)
			assert_int_equal(a, t_addrs[i].addr);
	}
	for (i = 0; i < sizeof(t_prefixes) / sizeof(t_prefixes[0]); i++) {
		int rc = inet_v4_prefix_parse(t_prefixes[i].text, &a, &l);

		if ((rc == 0) != t_prefixes[i].ok)
			fail_msg("prefix %zu '%s': rc %d", i + 1, t_prefixes[i].text, rc);
		if (rc == 0) {
			assert_int_equal(a, t_prefixes[i].addr);
			assert_int_equal(l, t_prefixes[i].len);
		}
	}
}

/* ---- the rest ----------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct cfg_err err;

	(void)state;
	assert_int_equal(
		t_load(T_MIN "tunnel: {address: 10.255.0.1/24, network-id: 9}\n", &t_a, &err), 0);
	assert_string_equal(t_a.tunnel.name, "tunnel0");
	assert_false(t_a.tunnel.has_gre_key);
	assert_int_equal(t_a.tunnel.holdtime, 600);
	assert_int_equal(t_a.tunnel.phase, 3);
	assert_int_equal(t_a.tunnel.mtu, 1400);
	assert_true(t_a.tunnel.copy_dscp);
	assert_string_equal(t_a.tunnel.nhrp_auth, "");
	assert_int_equal(t_a.ports[0].mtu, 1500);
	assert_string_equal(t_a.eal.file_prefix, "dmvpnd-n");
	assert_int_equal(t_a.cli.telnet_port, 0);
	assert_int_equal(t_a.cli.telnet_addr, t_ip("127.0.0.1"));
	assert_int_equal(t_load(T_MIN, &t_a, &err), 0);
	assert_false(t_a.tunnel.present);
	assert_string_equal(t_a.tunnel.name, "");
}

/* cfg_validate on a struct nobody loaded: positions 0:0, still one line. */
static void test_validate_direct(void **state)
{
	struct cfg_err err;

	(void)state;
	memset(&t_a, 0, sizeof(t_a));
	snprintf(t_a.file, sizeof(t_a.file), "mem");
	t_a.n_ports = 2;
	snprintf(t_a.ports[0].name, CFG_NAME_MAX, "p");
	snprintf(t_a.ports[1].name, CFG_NAME_MAX, "p");
	assert_int_equal(cfg_validate(&t_a, &err), -EINVAL);
	assert_string_equal(err.msg, "mem:0:0: duplicate port name 'p' (first used at line 0)");
}

static void test_load_file_errors(void **state)
{
	struct cfg_err err;

	(void)state;
	assert_int_equal(cfg_load_file("configs/bad/no-such-file.yaml", &t_a, &err), -EINVAL);
	assert_string_equal(
		err.msg,
		"configs/bad/no-such-file.yaml:1:1: cannot open: No such file or directory");
	assert_int_equal(cfg_load_file("configs", &t_a, &err), -EINVAL);
	assert_string_equal(err.msg, "configs:1:1: cannot read: Is a directory");
}

static void test_role_names(void **state)
{
	(void)state;
	assert_string_equal(cfg_role_name(CFG_ROLE_HUB), "hub");
	assert_string_equal(cfg_role_name(CFG_ROLE_SPOKE), "spoke");
	assert_string_equal(cfg_port_role_name(CFG_PORT_WAN), "wan");
	assert_string_equal(cfg_port_role_name(CFG_PORT_LAN), "lan");
}

/* configure terminal's lines on a loaded config: what changes, and the
 * reason for each refusal. */
static void test_cfg_edit(void **state)
{
	static const struct {
		const char *line;
		const char *err; /* NULL: accepted */
	} cases[] = {
		{"ip route 10.9.0.0/24 10.255.0.11", NULL},
		{"ip route 10.8.0.0 255.255.0.0 192.0.2.2", NULL},
		{"ip route 10.7.0.5/24 192.0.2.2",
		 "10.7.0.5/24 has host bits set; did you mean 10.7.0.0/24?"},
		{"ip route 10.7.0.0/24x 192.0.2.2", "usage: [no] ip route"},
		{"ip route 10.7.0.0 255.0.255.0 192.0.2.2", "usage: [no] ip route"},
		{"no ip route 10.9.0.0/24 10.255.0.12", "no such static route"},
		{"ip route 10.9.0.0/24 10.255.0.12 0", "usage: [no] ip route"},
		{"ip route 10.9.0.0/24 10.255.0.12 250", NULL}, /* a backup */
		{"no ip route 10.9.0.0/24", NULL},              /* both go */
		{"ip nhrp holdtime 0", "holdtime must be 1..65535 seconds"},
		{"ip nhrp holdtime 45", NULL},
		{"ip nhrp authentication s\x01cret", "only printable ASCII"},
		{"ip nhrp authentication secret12", NULL},
		{"logging level loud", "not a configuration command"},
		{"logging level debug", NULL},
		{"logging level ike warning", NULL},
		{"logging level bogus debug", "no subsystem 'bogus'"},
		/* a word past what any command takes is refused, not dropped */
		{"no ip route 10.6.0.0 255.255.0.0 192.0.2.2 a b c d e f g", "too many words"},
		{"no ip route 10.6.0.0 255.255.0.0 192.0.2.2 a b c", "usage: [no] ip route"},
		{"crypto ikev2 psk short", "a PSK must be 16..128 bytes long, got 5"},
		{"crypto ikev2 psk 0123456789abcdef0", NULL},
		{"crypto ikev2 peer 192.0.2.12 psk 0123456789abcdefXY", NULL},
		{"crypto ikev2 peer 192.0.2.13 psk 0123456789abcdefXY", NULL},
		{"no crypto ikev2 peer 192.0.2.14", "no IKE peer with address 192.0.2.14"},
		{"no crypto ikev2 peer 192.0.2.13", NULL},
		{"crypto ikev2 proposal aes256gcm16-prfsha256-x25519 bogus",
		 "'bogus' is not a proposal"},
		{"crypto ikev2 proposal aes128gcm16-prfsha256-ecp256 aes256gcm16-prfsha384-ecp384",
		 NULL},
		{"crypto ikev2 peer 192.0.2.12", "usage: crypto ikev2"},
		{"ip nhrp network-id 0", "usage: ip nhrp network-id 1..4294967295"},
		{"ip nhrp network-id 4294967296", "usage: ip nhrp network-id"},
		{"ip nhrp network-id 4294967295", NULL},
		{"ip nhrp phase 4", "usage: ip nhrp phase 1|2|3"},
		{"ip nhrp phase 1", NULL},
		{"ip nhrp shortcut", "ip nhrp shortcut is for a spoke"},
		{"ip nhrp redirect", NULL},
		{"ip nhrp nhs 10.255.0.2 nbma 192.0.2.2 priority 256", "usage: ip nhrp nhs"},
		{"ip nhrp nhs 10.255.0.2 nbma", "usage: ip nhrp nhs"},
		{"ip nhrp nhs 10.255.0.2 nbma 192.0.2.2", NULL},
		{"ip nhrp nhs 10.255.0.3 nbma 192.0.2.3 priority 5", NULL},
		{"ip nhrp nhs 10.255.0.2 nbma 192.0.2.9", NULL}, /* the same NHS moves */
		{"no ip nhrp nhs 10.255.0.4", "no such NHS"},
		{"no ip nhrp nhs 10.255.0.3", NULL},
	};
	struct cfg_err err;
	struct strbuf msg;

	(void)state;
	if (t_load(T_MIN "tunnel: {address: 10.255.0.1/24, network-id: 1}\n", &t_a, &err) != 0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		strbuf_init(&msg);
		rc = cfg_edit_line(&t_a, cases[i].line, &msg);
		if (cases[i].err == NULL && rc != 0)
			fail_msg("'%s' refused: %s", cases[i].line, strbuf_str(&msg));
		if (cases[i].err != NULL &&
		    (rc == 0 || strstr(strbuf_str(&msg), cases[i].err) == NULL))
			fail_msg("'%s': want '%s', got rc %d '%s'", cases[i].line, cases[i].err, rc,
				 strbuf_str(&msg));
		strbuf_fini(&msg);
	}
	assert_int_equal(t_a.n_routes, 1);
	assert_int_equal(t_a.routes[0].prefix.len, 16);
	assert_int_equal(t_a.tunnel.holdtime, 45);
	assert_string_equal(t_a.tunnel.nhrp_auth, "secret12");
	assert_string_equal(t_a.eal.log_level, "debug");
	assert_string_equal(t_a.logging.levels[5], "warning");
	assert_int_equal(t_a.tunnel.network_id, 4294967295u);
	assert_int_equal(t_a.tunnel.phase, 3); /* redirect on a hub */
	assert_int_equal(t_a.tunnel.n_nhs, 1);
	assert_int_equal(t_a.tunnel.nhs[0].nbma, 0xc0000209);
	assert_int_equal(t_a.tunnel.nhs[0].priority, 0);
	assert_int_equal(t_a.tunnel.esp.ike.psk_len, 17);
	assert_int_equal(t_a.tunnel.esp.ike.n_peers, 1);
	assert_int_equal(t_a.tunnel.esp.ike.peers[0].psk_len, 18);
	assert_int_equal(t_a.tunnel.esp.ike.n_proposals, 2);
}

/* What the audit log shows of a configuration line: no secret. */
static void test_cfg_edit_redact(void **state)
{
	static const char *const cases[][2] = {
		{"crypto ikev2 psk s3cret-s3cret-s3cret", "crypto ikev2 psk <hidden>"},
		{"crypto ikev2 peer 192.0.2.12 psk abc def",
		 "crypto ikev2 peer 192.0.2.12 psk <hidden> def"},
		{"ip nhrp authentication pw", "ip nhrp authentication <hidden>"},
		{"ip route 10.0.0.0/8 10.255.0.1", "ip route 10.0.0.0/8 10.255.0.1"},
		{"crypto ikev2 psk", "crypto ikev2 psk"},
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg_edit_redact(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_edit),
		cmocka_unit_test(test_cfg_edit_redact),
		cmocka_unit_test(test_good_configs_load),
		cmocka_unit_test(test_hub_values),
		cmocka_unit_test(test_spoke1_values),
		cmocka_unit_test(test_node_values),
		cmocka_unit_test(test_roundtrip_configs),
		cmocka_unit_test(test_roundtrip_everything),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_inline_cases),
		cmocka_unit_test(test_nul_in_buffer),
		cmocka_unit_test(test_replay_window_off),
		cmocka_unit_test(test_ike_section),
		cmocka_unit_test(test_ike_peers),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_inet_parse),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_validate_direct),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_role_names),
	};
	const char *dir = getenv("DMVPND_SRCDIR");

	if (dir != NULL && dir[0] != '\0' && chdir(dir) != 0) {
		fprintf(stderr, "test_cfg: cannot chdir to DMVPND_SRCDIR=%s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
