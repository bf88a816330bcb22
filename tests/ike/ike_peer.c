/* ike_peer: IKE-lite's state machine on plain UDP sockets, for interop
 * tests against a stock strongSwan in a network namespace. It binds UDP
 * 500 and 4500, runs the real ike_mgr/ike_sa code with the monotonic clock,
 * and prints one line per event, keys included (test tool: the keys are
 * compared with what charon logs):
 *   established spi_i=.. spi_r=.. prf=.. sk_d=.. sk_ai=.. sk_ar=.. sk_ei=.. sk_er=.. sk_pi=.. sk_pr=..
 *     natt=0|1 auth=psk|cert frag=0|1 peer_id=<id>
 *   child spi_in=0x.. spi_out=0x.. key_in=.. key_out=.. mode=transport|tunnel natt=0|1 port=N
 *   child-removed spi_in=0x..
 *   dead error=<reason>
 * Usage: ike_peer --local A --remote B [--psk S] [--initiate] [--ike P,P..]
 *                 [--local-id ID] [--cert F --key F --ca F [--crl F]]
 *                 [--peer ADDR,ID,PSK]... [--no-frag] [--fragment-size N]
 *                 [--pfs GROUP]
 *                 [--esp P,P..] [--tunnel] [--dpd S] [--seconds S]
 *                 [--delete-after S] [--child-life S] [--ike-life S]
 *                 [--cookie-threshold N] [--max-sas N]
 *                 [--load N --inflight K --quiet]
 * --load: a load generator for the side-by-side handshake benchmark
 * (scripts/bench-ike): N IKE SAs, at most K under way, each dropped
 * without a Delete once established; prints handshakes per second. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike_mgr.h"

struct peer {
	int fd500, fd4500;
	bool quiet; /* --load: no line per event */
	uint64_t n_established, n_dead, n_dropped;
	uint32_t next_spi;
	struct clock ck;
	struct timer_heap th;
	bool dead;
};

static void hex(const char *name, const uint8_t *p, size_t n)
{
	printf(" %s=", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int peer_send(void *ctx, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		     const uint8_t *msg, size_t len)
{
	struct peer *p = ctx;
	struct sockaddr_in to = {
		.sin_family = AF_INET, .sin_port = htons(dport), .sin_addr.s_addr = htonl(dst)};
	uint8_t buf[IKE_MSG_BUF + 4] = {0};
	bool natt = sport == IKE_NATT_UDP_PORT;

	(void)src;
	if (len > IKE_MSG_BUF)
		return -EMSGSIZE;
	memcpy(buf + (natt ? 4 : 0), msg, len);
	if (sendto(natt ? p->fd4500 : p->fd500, buf, len + (natt ? 4 : 0), 0,
		   (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

static int peer_spi(void *ctx, uint32_t *spi)
{
	*spi = ((struct peer *)ctx)->next_spi++;
	return 0;
}

static int peer_install(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	if (((struct peer *)ctx)->quiet)
		return 0;
	printf("child spi_in=0x%08x spi_out=0x%08x", ch->ch_spi_in, ch->ch_spi_out);
	hex("key_in", ch->ch_key_in, ch->ch_keylen);
	hex("key_out", ch->ch_key_out, ch->ch_keylen);
	printf(" mode=%s natt=%d port=%u\n", ch->ch_tunnel ? "tunnel" : "transport",
	       sa->sa_nat_local || sa->sa_nat_remote, sa->sa_rport);
	fflush(stdout);
	return 0;
}

static void peer_activate(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)sa;
	if (((struct peer *)ctx)->quiet)
		return;
	printf("child-active spi_out=0x%08x\n", ch->ch_spi_out);
	fflush(stdout);
}

static void peer_remove(void *ctx, struct ike_sa *sa, const struct ike_child *ch)
{
	(void)sa;
	if (((struct peer *)ctx)->quiet)
		return;
	printf("child-removed spi_in=0x%08x\n", ch->ch_spi_in);
	fflush(stdout);
}

static void peer_changed(void *ctx, struct ike_sa *sa)
{
	const struct ike_kdf_keys *k = &sa->sa_keys;
	struct peer *pe = ctx;
	char prop[64], id[512];

	pe->n_established += sa->sa_state == IKE_SA_ESTABLISHED;
	pe->n_dead += sa->sa_state == IKE_SA_DEAD;
	if (pe->quiet)
		return;
	if (sa->sa_state == IKE_SA_DEAD) {
		printf("dead error=%s\n", ike_sa_error_name(sa->sa_error));
		((struct peer *)ctx)->dead = true;
	} else if (sa->sa_state == IKE_SA_ESTABLISHED) {
		ike_prop_ike_name(&sa->sa_prop, prop, sizeof(prop));
		printf("established prop=%s", prop);
		hex("spi_i", sa->sa_spi_i, IKE_SPI_LEN);
		hex("spi_r", sa->sa_spi_r, IKE_SPI_LEN);
		hex("sk_d", k->sk_d, k->sk_prf_len);
		hex("sk_ai", k->sk_ai, k->sk_integ_len);
		hex("sk_ar", k->sk_ar, k->sk_integ_len);
		hex("sk_ei", k->sk_ei, k->sk_encr_len);
		hex("sk_er", k->sk_er, k->sk_encr_len);
		hex("sk_pi", k->sk_pi, k->sk_prf_len);
		hex("sk_pr", k->sk_pr, k->sk_prf_len);
		printf(" natt=%d auth=%s frag=%d peer_id=%s\n",
		       sa->sa_nat_local || sa->sa_nat_remote,
		       sa->sa_auth == IKE_PA_CERT ? "cert" : "psk", sa->sa_frag,
		       ike_ident_str(&sa->sa_peer_id, id, sizeof(id)));
	}
	fflush(stdout);
}

static int udp_bind(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("ike_peer: bind");
		exit(2);
	}
	return fd;
}

static void rx(struct ike_mgr *mg, int fd, uint32_t local, uint16_t lport)
{
	uint8_t buf[IKE_MSG_BUF + 4];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

	if (n > 0)
		ike_mgr_input(mg, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port), local, lport,
			      buf, (size_t)n);
}

static void sa_drop(struct ike_sa *sa, void *arg)
{
	struct peer *p = arg;

	if (sa->sa_state == IKE_SA_ESTABLISHED) {
		p->n_dropped++;
		ike_sa_kill(sa, IKE_ERR_LOCAL);
	}
}

/* --load: keep `inflight` handshakes under way until `n` ended (made or
 * failed) or `seconds` passed; established SAs are dropped at once. */
static int load_run(struct peer *p, struct ike_mgr *mg, uint32_t local, uint32_t remote, unsigned n,
		    unsigned inflight, double seconds)
{
	uint64_t t0 = clock_now(&p->ck), end = t0 + (uint64_t)(seconds * 1e9), started = 0, t;

	/* failed = dead but not dropped by us */
	while (p->n_established + (p->n_dead - p->n_dropped) < n && clock_now(&p->ck) < end) {
		struct pollfd pf[2] = {{p->fd500, POLLIN, 0}, {p->fd4500, POLLIN, 0}};

		while (started < n && mg->mg_n_sas < inflight) {
			started++;
			ike_mgr_initiate(mg, local, remote);
		}
		poll(pf, 2, 1);
		for (int i = 0; i < 64 && (pf[0].revents & POLLIN); i++)
			rx(mg, p->fd500, local, IKE_UDP_PORT);
		for (int i = 0; i < 64 && (pf[1].revents & POLLIN); i++)
			rx(mg, p->fd4500, local, IKE_NATT_UDP_PORT);
		timer_run(&p->th, clock_now(&p->ck));
		ike_mgr_walk(mg, sa_drop, p);
		ike_mgr_reap(mg);
	}
	t = clock_now(&p->ck) - t0;
	printf("load: %" PRIu64 " handshakes established of %" PRIu64
	       " started in %.2f s: %.0f/s\n",
	       p->n_established, started, t / 1e9, p->n_established / (t / 1e9));
	ike_mgr_destroy(mg);
	return p->n_established == 0;
}

static void list_parse(const char *arg, bool esp, struct ike_conf *c)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		int rc = esp ? ike_prop_esp_parse(t, &c->ic_esp[c->ic_n_esp++])
			     : ike_prop_ike_parse(t, &c->ic_ike[c->ic_n_ike++]);

		if (rc != 0) {
			fprintf(stderr, "ike_peer: bad proposal '%s'\n", t);
			exit(2);
		}
	}
}

/* --peer ADDR,ID,PSK: a peers[] entry; any part may be empty. */
static int peer_arg(const char *arg, struct cfg_ike *k)
{
	char buf[1024], *f[3] = {NULL, NULL, NULL}, *t = buf;
	struct cfg_ike_peer *e = &k->peers[k->n_peers];
	const char *why;
	struct in_addr a;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (unsigned i = 0; i < 3; i++) {
		f[i] = strsep(&t, ",");
		if (f[i] == NULL)
			break;
	}
	if (k->n_peers >= CFG_IKE_MAX_PEERS || f[2] == NULL)
		return fprintf(stderr, "ike_peer: --peer ADDR,ID,PSK\n"), -1;
	if (f[0][0] != '\0' && inet_aton(f[0], &a) != 0)
		e->addr = ntohl(a.s_addr);
	if (f[1][0] != '\0' && cfg_ike_id_parse(f[1], &e->id, &why) != 0)
		return fprintf(stderr, "ike_peer: --peer id: %s\n", why), -1;
	e->psk_len = (uint8_t)strlen(f[2]);
	memcpy(e->psk, f[2], e->psk_len);
	k->n_peers++;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"local", 1, 0, 'l'},
					     {"remote", 1, 0, 'r'},
					     {"psk", 1, 0, 'p'},
					     {"initiate", 0, 0, 'i'},
					     {"ike", 1, 0, 'k'},
					     {"esp", 1, 0, 'e'},
					     {"tunnel", 0, 0, 't'},
					     {"dpd", 1, 0, 'd'},
					     {"seconds", 1, 0, 's'},
					     {"delete-after", 1, 0, 'x'},
					     {"child-life", 1, 0, 'c'},
					     {"ike-life", 1, 0, 'I'},
					     {"cookie-threshold", 1, 0, 'C'},
					     {"max-sas", 1, 0, 'm'},
					     {"load", 1, 0, 'L'},
					     {"inflight", 1, 0, 'K'},
					     {"quiet", 0, 0, 'Q'},
					     {"local-id", 1, 0, 'D'},
					     {"cert", 1, 0, 'E'},
					     {"key", 1, 0, 'Y'},
					     {"ca", 1, 0, 'A'},
					     {"crl", 1, 0, 'R'},
					     {"peer", 1, 0, 'P'},
					     {"no-frag", 0, 0, 'F'},
					     {"fragment-size", 1, 0, 'S'},
					     {"pfs", 1, 0, 'G'},
					     {0, 0, 0, 0}};
	static struct cfg_ike k; /* the policy as the config would give it */
	static struct ike_policy pol;
	const char *why;
	char err[256];
	struct ike_conf c = {.ic_retransmit_ms = 1000, .ic_retransmit_tries = 4};
	struct ike_mgr_limits lim = {
		.ml_max_sas = 64, .ml_max_half_open = 16, .ml_cookie_threshold = IKE_MGR_NO_COOKIE};
	struct peer p = {.next_spi = 0xc1000000u};
	struct in_addr a;
	uint32_t local = 0, remote = 0;
	double seconds = 10, del_after = -1;
	unsigned load = 0, inflight = 16;
	bool initiate = false;
	struct ike_sa *sa = NULL;
	struct ike_mgr *mg;
	struct ike_env env;
	uint64_t start, end;
	int o;

	k.fragmentation = true;
	k.fragment_size = 1280;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'l':
			inet_aton(optarg, &a);
			local = ntohl(a.s_addr);
			break;
		case 'r':
			inet_aton(optarg, &a);
			remote = ntohl(a.s_addr);
			break;
		case 'p':
			k.psk_len = (uint8_t)strlen(optarg);
			memcpy(k.psk, optarg, k.psk_len);
			break;
		case 'D':
			if (cfg_ike_id_parse(optarg, &k.local_id, &why) != 0) {
				fprintf(stderr, "ike_peer: --local-id: %s\n", why);
				return 2;
			}
			break;
		case 'E':
			snprintf(k.cert, sizeof(k.cert), "%s", optarg);
			break;
		case 'Y':
			snprintf(k.key, sizeof(k.key), "%s", optarg);
			break;
		case 'A':
			snprintf(k.ca, sizeof(k.ca), "%s", optarg);
			break;
		case 'R':
			snprintf(k.crl, sizeof(k.crl), "%s", optarg);
			break;
		case 'F':
			k.fragmentation = false;
			break;
		case 'G':
			if (cfg_ike_dh_parse(optarg, &c.ic_pfs) != 0)
				return 2;
			break;
		case 'S':
			k.fragment_size = (uint16_t)atoi(optarg);
			break;
		case 'P':
			if (peer_arg(optarg, &k) != 0)
				return 2;
			break;
		case 'i':
			initiate = true;
			break;
		case 'k':
			list_parse(optarg, false, &c);
			break;
		case 'e':
			list_parse(optarg, true, &c);
			break;
		case 't':
			c.ic_tunnel = true;
			break;
		case 'd':
			c.ic_dpd_s = (uint32_t)atoi(optarg);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'x':
			del_after = atof(optarg);
			break;
		case 'c':
			c.ic_child_lifetime_s = (uint32_t)atoi(optarg);
			break;
		case 'I':
			c.ic_ike_lifetime_s = (uint32_t)atoi(optarg);
			break;
		case 'C':
			lim.ml_cookie_threshold = (uint32_t)atoi(optarg);
			break;
		case 'm':
			lim.ml_max_sas = lim.ml_max_half_open = (uint32_t)atoi(optarg);
			break;
		case 'L':
			load = (unsigned)atoi(optarg);
			p.quiet = true;
			break;
		case 'K':
			inflight = (unsigned)atoi(optarg);
			break;
		case 'Q':
			p.quiet = true;
			break;
		default:
			return 2;
		}
	}
	k.auth = k.cert[0] != '\0' ? CFG_IKE_AUTH_CERT : CFG_IKE_AUTH_PSK;
	if (ike_policy_load(&pol, &k, err, sizeof(err)) != 0) {
		fprintf(stderr, "ike_peer: %s\n", err);
		return 2;
	}
	c.ic_policy = &pol;
	if (c.ic_n_ike == 0)
		list_parse("aes256gcm16-prfsha256-x25519", false, &c);
	if (c.ic_n_esp == 0)
		list_parse("aes256gcm16", true, &c);
	clock_init_monotonic(&p.ck);
	timer_heap_init(&p.th);
	p.fd500 = udp_bind(local, IKE_UDP_PORT);
	p.fd4500 = udp_bind(local, IKE_NATT_UDP_PORT);
	env = (struct ike_env){.ie_ctx = &p,
			       .ie_clock = &p.ck,
			       .ie_timers = &p.th,
			       .ie_send = peer_send,
			       .ie_spi_alloc = peer_spi,
			       .ie_child_install = peer_install,
			       .ie_child_remove = peer_remove,
			       .ie_child_activate = peer_activate,
			       .ie_sa_changed = peer_changed};
	mg = ike_mgr_create(&c, &env, &lim);
	if (load != 0)
		return load_run(&p, mg, local, remote, load, inflight, seconds);
	if (initiate)
		sa = ike_mgr_initiate(mg, local, remote);
	start = clock_now(&p.ck);
	end = start + (uint64_t)(seconds * 1e9);
	while (clock_now(&p.ck) < end && !(initiate && p.dead)) {
		struct pollfd pf[2] = {{p.fd500, POLLIN, 0}, {p.fd4500, POLLIN, 0}};

		poll(pf, 2, 20);
		if (pf[0].revents & POLLIN)
			rx(mg, p.fd500, local, IKE_UDP_PORT);
		if (pf[1].revents & POLLIN)
			rx(mg, p.fd4500, local, IKE_NATT_UDP_PORT);
		timer_run(&p.th, clock_now(&p.ck));
		ike_mgr_reap(mg);
		if (del_after >= 0 && clock_now(&p.ck) - start > (uint64_t)(del_after * 1e9)) {
			sa = ike_mgr_find_peer(mg, remote);
			if (sa != NULL && sa->sa_state == IKE_SA_ESTABLISHED)
				ike_sa_delete(sa, IKE_ERR_LOCAL);
			del_after = -1;
		}
	}
	ike_mgr_destroy(mg);
	timer_heap_fini(&p.th);
	close(p.fd500);
	close(p.fd4500);
	return 0;
}
