/* The startup configuration as a plain struct: what the YAML file says,
 * decoded and validated, before anything acts on it. cfg_load.c fills it
 * from libyaml (pure: no EAL, no sockets, no logging), cfg_validate.c checks
 * ranges and contradictions; nothing here touches the running node. */
#ifndef DMVPND_CFG_H
#define DMVPND_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_NAME_MAX 32
#define CFG_DEVARGS_MAX 256
#define CFG_PATH_MAX 256
#define CFG_HASH_MAX 160
#define CFG_MAX_WORKERS 16
#define CFG_MAX_PORTS 8
#define CFG_MAX_NHS 8
#define CFG_MAX_MAPS 32
#define CFG_MAX_ROUTES 256
#define CFG_MAX_USERS 16
#define CFG_MAX_USER_KEYS 4  /* ssh public keys per user */
#define CFG_SSH_KEY_MAX 1024 /* one OpenSSH public key line (RSA-4096 fits) */
#define CFG_ERR_MAX 512
#define CFG_FILE_MAX (1024 * 1024) /* cfg_load_file refuses bigger files */

/* Where a value stood in the file (1-based, as editors count). Every field
 * that validation can complain about carries one. */
struct cfg_pos {
	uint32_t line;
	uint32_t col;
};

struct cfg_err {
	char msg[CFG_ERR_MAX]; /* "file:line:col: what is wrong" */
};

enum cfg_role { CFG_ROLE_HUB, CFG_ROLE_SPOKE };
enum cfg_port_role { CFG_PORT_WAN, CFG_PORT_LAN };
enum cfg_mem_mode { CFG_MEM_NO_HUGE, CFG_MEM_HUGEPAGES };

/* IPv4 addresses and prefixes are kept in host byte order. */
struct cfg_prefix {
	uint32_t addr;
	uint8_t len;
};

struct cfg_port {
	char name[CFG_NAME_MAX];
	char devargs[CFG_DEVARGS_MAX];
	enum cfg_port_role role;
	struct cfg_prefix address;
	uint16_t mtu; /* default 1500 */
	struct cfg_pos pos, pos_name, pos_devargs, pos_address;
	struct cfg_pos pos_role;
};

struct cfg_nhs {
	uint32_t nbma;    /* the NHS's underlay (public) address */
	uint32_t overlay; /* its tunnel address */
	uint8_t priority; /* 0 (most preferred, the default) .. 255, as Cisco's */
	struct cfg_pos pos, pos_nbma, pos_address;
};

/* tunnel.maps[]: a static NHRP binding (Cisco's ip nhrp map, FRR's nhrp
 * map): a peer reachable at a fixed NBMA address without registering, such
 * as another hub of the same DMVPN. Tunnel multicast is sent to it too. */
struct cfg_nhrp_map {
	uint32_t nbma;    /* the peer's underlay address */
	uint32_t overlay; /* its tunnel address */
	struct cfg_pos pos, pos_nbma, pos_address;
};

/* tunnel.registration-allow[]: on a hub, which tunnel addresses may be
 * registered from which NBMA addresses (Cisco's NHRP registration ACLs).
 * A registration passes when an entry holds both; none listed: any
 * address of the tunnel's network from anywhere. */
#define CFG_MAX_REG_ALLOW 64
struct cfg_reg_allow {
	struct cfg_prefix address; /* tunnel addresses; default 0.0.0.0/0 */
	struct cfg_prefix nbma;    /* registered from (as seen, after NAT); default any */
	struct cfg_pos pos;
};

enum cfg_protection { CFG_PROT_NONE, CFG_PROT_ESP };
enum cfg_esp_alg {
	CFG_ESP_AES_GCM_128,
	CFG_ESP_AES_GCM_256,
	CFG_ESP_AES_CBC_128_SHA256,
	CFG_ESP_AES_CBC_256_SHA256,
};
enum cfg_keying { CFG_KEYING_IKE, CFG_KEYING_GROUP, CFG_KEYING_STATIC };
enum cfg_natt { CFG_NATT_AUTO, CFG_NATT_FORCE, CFG_NATT_OFF };

#define CFG_MAX_SAS 64
#define CFG_KEY_MAX 64 /* KEYMAT bytes: AES-CBC-256 key + HMAC-SHA-256 key */
#define CFG_GROUP_KEY_LEN 32

/* One IKE SA proposal as its transform IDs (IANA "IKEv2 Parameters"):
 * "aes256gcm16-prfsha256-x25519" is {20, 256, 0, 5, 31}. */
struct cfg_ike_prop {
	uint16_t ip_encr, ip_bits, ip_integ, ip_prf, ip_dh;
};

#define CFG_IKE_MAX_PROPOSALS 8
#define CFG_IKE_PSK_MAX 128
#define CFG_IKE_ID_MAX 255 /* octets of an ID payload's data */
#define CFG_IKE_MAX_PEERS 256

/* An IKE identity as the operator wrote it, in strongSwan's notation:
 * "198.51.100.1" (IPv4 address), "hub.example.net" or "@hub" (FQDN),
 * "ops@example.net" (RFC 822 address), "@#0a1b2c" (key ID, hex) or
 * "CN=hub, O=Example" (distinguished name). type is the ID payload's
 * (proto_ike.h IKE_ID_*), 0 when none was given. */
struct cfg_ike_id {
	uint8_t type;
	char text[2 * CFG_IKE_ID_MAX + 8];
};

/* How a side proves who it is: a pre-shared key or an X.509 certificate
 * with RFC 7427 signatures. */
enum cfg_ike_auth { CFG_IKE_AUTH_PSK, CFG_IKE_AUTH_CERT };

/* tunnel.esp.ike.peers[]: what is known about one peer. It applies to an
 * exchange when its address (if given) is the peer's and its id (if given)
 * is the identity the peer sends. */
struct cfg_ike_peer {
	uint32_t addr;        /* NBMA address, host order; 0 = any */
	struct cfg_ike_id id; /* type 0 = any */
	bool has_auth;
	enum cfg_ike_auth auth; /* default: psk if it has one, else the tunnel's */
	uint8_t psk_len;
	uint8_t psk[CFG_IKE_PSK_MAX]; /* a secret: never printed */
	char psk_file[CFG_PATH_MAX];
	struct cfg_pos pos, pos_id, pos_psk;
};

/* tunnel.esp.ike: keying by IKE-lite. */
struct cfg_ike {
	unsigned n_proposals;
	struct cfg_ike_prop proposals[CFG_IKE_MAX_PROPOSALS]; /* preferred first */
	uint8_t psk_len;
	uint8_t psk[CFG_IKE_PSK_MAX]; /* a secret: never printed */
	char psk_file[CFG_PATH_MAX];  /* or read from here (mode 0600 or stricter) */
	bool tunnel_mode;             /* CHILD_SAs in tunnel mode; default transport */
	uint32_t lifetime_s;          /* IKE SA rekey; default 14400, 0 = never */
	uint32_t child_lifetime_s;    /* CHILD_SA rekey; default 3600, 0 = never */
	uint32_t dpd_s;               /* liveness check after silence; default 30, 0 = off */
	uint32_t idle_s;              /* spoke-to-spoke SAs unused this long go; default 300 */
	uint32_t cookie_threshold;    /* half-open SAs from which COOKIEs are asked; default 64 */
	uint32_t max_half_open;       /* default 1024 */
	uint32_t source_rate;         /* new IKE SAs per second per address; default 20, 0 = any */
	char key_log[CFG_PATH_MAX];   /* Wireshark ikev2_decryption_table; "" = off */
	struct cfg_ike_id local_id;   /* type 0: the certificate's subject, else our address */
	enum cfg_ike_auth auth;       /* default cert when cert is set, else psk */
	char cert[CFG_PATH_MAX];      /* our certificate (PEM or DER) */
	char key[CFG_PATH_MAX];       /* its private key (PEM, mode 0600 or stricter) */
	char ca[CFG_PATH_MAX];        /* trusted CA certificates (PEM, one or more) */
	char crl[CFG_PATH_MAX];       /* revocation list (PEM or DER); "" = none */
	uint16_t pfs;                 /* DH group of CHILD_SA rekeys (2.17); 0 = none (default) */
	bool fragmentation;           /* RFC 7383; default true */
	uint16_t fragment_size;       /* largest IP datagram of a fragment; default 1280 */
	unsigned n_peers;
	struct cfg_ike_peer peers[CFG_IKE_MAX_PEERS];
	struct cfg_pos pos, pos_psk, pos_local_id, pos_auth, pos_cert;
};

/* "hub.example.net" -> {IKE_ID_FQDN, text}; 0, or -EINVAL with *why set
 * (common/cfg_ike_id.c). Checks the syntax only: a DN becomes DER, and a
 * key ID bytes, where the IKE code needs them. */
int cfg_ike_id_parse(const char *s, struct cfg_ike_id *out, const char **why);
/* "@#0a1b" -> its octets; the count, or -EINVAL. */
int cfg_ike_id_keyid(const char *text, uint8_t *out, size_t cap);

/* "aes256gcm16-prfsha256-x25519" -> IDs; 0 or -EINVAL (common/cfg_ike.c). */
int cfg_ike_prop_parse(const char *s, struct cfg_ike_prop *out);
/* The same name back, as the config and strongSwan write it. */
void cfg_ike_prop_name(const struct cfg_ike_prop *p, char *buf, size_t len);
/* A DH group's name ("x25519", "ecp256", "ecp384", "modp2048") to its
 * transform ID and back ("none" for 0). */
int cfg_ike_dh_parse(const char *s, uint16_t *dh);
const char *cfg_ike_dh_name(uint16_t dh);

/* Static keying: one SA pair with a peer, named by its NBMA address. */
struct cfg_esp_sa {
	uint32_t peer; /* NBMA address, host order */
	uint32_t spi_in, spi_out;
	uint8_t key_in[CFG_KEY_MAX], key_out[CFG_KEY_MAX]; /* KEYMAT per RFC 4106/4868 */
	struct cfg_pos pos, pos_spi_in;
};

struct cfg_esp {
	enum cfg_esp_alg alg;   /* default aes-gcm-128 */
	bool esn;               /* default true */
	uint32_t replay_window; /* 64..4096, default 1024; 0 = anti-replay off */
	uint32_t life_packets;  /* hard limit, 0 = none */
	uint32_t life_kbytes;   /* hard limit, 0 = none */
	uint8_t soft_percent;   /* soft limit, % of hard; default 90 */
	enum cfg_keying keying; /* default ike */
	struct cfg_ike ike;     /* keying: ike */
	bool has_group_key;
	uint8_t group_key[CFG_GROUP_KEY_LEN];
	unsigned n_sas;
	struct cfg_esp_sa sas[CFG_MAX_SAS];
	enum cfg_natt natt;         /* default auto */
	uint16_t natt_keepalive_s;  /* default 20, 0 = off */
	char key_log[CFG_PATH_MAX]; /* Wireshark esp_sa UAT file; "" = off */
	struct cfg_pos pos, pos_keying;
};

/* KEYMAT length of an algorithm: key (+ salt for GCM, + auth key for CBC). */
static inline unsigned cfg_esp_keymat_len(enum cfg_esp_alg a)
{
	switch (a) {
	case CFG_ESP_AES_GCM_128:
		return 16 + 4;
	case CFG_ESP_AES_GCM_256:
		return 32 + 4;
	case CFG_ESP_AES_CBC_128_SHA256:
		return 16 + 32;
	case CFG_ESP_AES_CBC_256_SHA256:
		return 32 + 32;
	}
	return 0;
}

struct cfg_tunnel {
	bool present;
	char name[CFG_NAME_MAX];   /* default "tunnel0" */
	struct cfg_prefix address; /* overlay address/prefix */
	bool has_gre_key;
	uint32_t gre_key;
	uint32_t network_id; /* 1..4294967295, required */
	uint16_t holdtime;   /* seconds, default 600, 1..65535 */
	/* seconds between a spoke's registrations (Cisco's ip nhrp
	 * registration timeout); 0 = holdtime / 3. Shorter than holdtime. */
	uint16_t reg_interval;
	/* NHSes a spoke keeps registered at once, the most preferred first
	 * (Cisco's max-connections); 0 = all of them. */
	uint8_t nhs_max;
	/* seconds a spoke keeps a less preferred NHS after a preferred one
	 * came back (Cisco's ip nhrp nhs fallback); default 0 */
	uint16_t nhs_fallback;
	/* hub: the longest holding time a registration may ask for; longer
	 * ones are shortened to it, and the reply says so; default 7200 */
	uint16_t reg_holdtime_max;
	/* spoke: registrations ask for a unique binding (the U flag; Cisco's
	 * ip nhrp registration no-unique turns it off); default true */
	bool reg_unique;
	uint8_t phase;                  /* 1, 2 or 3; default 3 */
	uint16_t mtu;                   /* tunnel MTU, default 1400 */
	bool copy_dscp;                 /* inner DSCP copied to the outer header; default true */
	char nhrp_auth[9];              /* Cisco cleartext auth, at most 8 bytes; "" = off */
	char kernel_if[CFG_NAME_MAX];   /* TAP towards the kernel; "" = none */
	enum cfg_protection protection; /* default none */
	struct cfg_esp esp;             /* when protection is esp */
	/* A hub writes each registered spoke's tunnel address into the
	 * kernel's main table (a /32 out of kernel_if, proto dmvpnd) for a
	 * routing daemon to redistribute; default false */
	bool export_registrations;
	unsigned n_nhs;
	struct cfg_nhs nhs[CFG_MAX_NHS];
	unsigned n_maps;
	struct cfg_nhrp_map maps[CFG_MAX_MAPS];
	unsigned n_reg_allow;
	struct cfg_reg_allow reg_allow[CFG_MAX_REG_ALLOW];
	struct cfg_pos pos_reg_allow;
	struct cfg_pos pos, pos_address, pos_nhs, pos_kernel_if, pos_mtu, pos_reg_interval;
	struct cfg_pos pos_maps, pos_export;
};

/* routes[]: a static route. Several for one prefix are a primary and its
 * backups (IOS's floating static routes): the one with the lowest distance
 * whose next hop is usable is in the routing table. */
#define CFG_ROUTE_DISTANCE 1 /* the default distance */
struct cfg_route {
	struct cfg_prefix prefix;
	uint32_t via;     /* next hop: on a LAN port's subnet or an overlay address */
	uint8_t distance; /* 1..255 */
	struct cfg_pos pos, pos_prefix, pos_via, pos_distance;
};

/* Privilege levels, as IOS numbers them: 1 runs show commands, 15 also
 * clear and debug. 0 (a zeroed struct) counts as 15. */
#define CFG_PRIV_READ_ONLY 1
#define CFG_PRIV_ADMIN 15

struct cfg_user {
	char name[CFG_NAME_MAX];
	char hash[CFG_HASH_MAX]; /* crypt(3) string: $6$, $5$, $y$, $gy$, $2b$;
				  * "" = no password login (keys only) */
	unsigned privilege;      /* CFG_PRIV_*, default admin */
	unsigned n_keys;
	/* "type base64 [comment]", as in authorized_keys */
	char ssh_keys[CFG_MAX_USER_KEYS][CFG_SSH_KEY_MAX];
	struct cfg_pos pos, pos_name;
	struct cfg_pos pos_keys[CFG_MAX_USER_KEYS];
};

struct cfg_cli {
	uint32_t telnet_addr;            /* default 127.0.0.1 */
	uint16_t telnet_port;            /* default 2323; 0 disables telnet */
	uint32_t ssh_addr;               /* default 127.0.0.1 */
	uint16_t ssh_port;               /* default 0 (off); 2222 once cli.ssh is given */
	char ssh_host_key[CFG_PATH_MAX]; /* made at first start, kept 0600 */
	uint32_t max_sessions;           /* logged-in sessions per listener, default 16 */
	uint32_t login_timeout;          /* seconds from connect to login, default 30 */
	uint32_t idle_timeout;           /* seconds without input, default 600; 0 never */
	unsigned n_users;
	struct cfg_user users[CFG_MAX_USERS];
	struct cfg_pos pos, pos_ssh;
};

/* Logging (docs/operations.md). Subsystems, in this order: */
#define CFG_LOG_SUBSYS 7
extern const char *const cfg_log_subsys[CFG_LOG_SUBSYS]; /* main ctl dp arp mgmt ike nhrp */
enum cfg_log_dest { CFG_LOG_STDERR, CFG_LOG_SYSLOG };

struct cfg_logging {
	enum cfg_log_dest dest;          /* default stderr */
	uint32_t buffer_lines;           /* show logging keeps these, default 1000 */
	char levels[CFG_LOG_SUBSYS][16]; /* "" = eal.log-level */
	struct cfg_pos pos;
};

/* IPFIX flow export of the tunnel's traffic (docs/operations.md). */
struct cfg_flow_export {
	uint32_t collector;      /* 0 = off */
	uint16_t port;           /* default 4739 */
	uint32_t sampling;       /* 1 in N packets, default 1 */
	uint32_t idle_timeout;   /* seconds, default 15 */
	uint32_t active_timeout; /* seconds, default 60 */
	struct cfg_pos pos;
};

/* What the node exposes for monitoring (docs/operations.md). */
struct cfg_telemetry {
	bool dpdk;          /* DPDK's telemetry socket with /dmvpn/..., default on */
	uint32_t prom_addr; /* default 127.0.0.1 */
	uint16_t prom_port; /* default 0 (off); 9550 once prometheus is given */
	struct cfg_pos pos;
};

struct cfg_lcores {
	unsigned main; /* default 0 */
	unsigned n_workers;
	unsigned workers[CFG_MAX_WORKERS]; /* default [1] */
	/* Worker idle back-off: poll_sleep_adaptive (the default) pauses, then
	 * sleeps with growing intervals capped at poll_sleep_max_us; otherwise a
	 * fixed sleep of poll_sleep_us after an empty poll (0 = pure polling). */
	bool poll_sleep_adaptive;
	uint32_t poll_sleep_us;     /* 0..100000 */
	uint32_t poll_sleep_max_us; /* default 1000 */
	struct cfg_pos pos, pos_main;
	struct cfg_pos pos_workers[CFG_MAX_WORKERS];
};

struct cfg_eal {
	enum cfg_mem_mode mem_mode;     /* default no-huge */
	uint32_t mem_mb;                /* default 256, 64..65536 */
	char file_prefix[CFG_NAME_MAX]; /* default "dmvpnd-<node name>" */
	char log_level[16];             /* error|warning|notice|info|debug */
	struct cfg_pos pos;
};

/* Table sizes, fixed at start: what the node can hold. */
#define CFG_MAX_PEERS_MIN 16u
#define CFG_MAX_PEERS_MAX 1048576u
#define CFG_MAX_PEERS_DEFAULT 100000u
#define CFG_MAX_ROUTES_MIN 64u
#define CFG_MAX_ROUTES_MAX 4194304u
#define CFG_MAX_ROUTES_DEFAULT 200000u

struct cfg_limits {
	uint32_t max_peers;  /* NHRP cache, peer table, SAs, per-peer counters */
	uint32_t max_routes; /* FIB routes of every source */
	/* a hub's registrations from one NBMA address (spokes behind one NAT
	 * share one); 0 = no cap; default 1024 */
	uint32_t max_peers_per_nbma;
	/* a hub's registrations a second from one NBMA address (burst twice
	 * that); 0 = no limit; default 50 */
	uint32_t registration_rate_per_nbma;
	/* NHRP packets a second this node sends in all (Cisco's ip nhrp
	 * max-send), burst as many; 0 = no limit; default 10000 */
	uint32_t nhrp_send_rate;
	struct cfg_pos pos, pos_max_peers, pos_max_routes;
};

struct cfg {
	char file[CFG_PATH_MAX]; /* the path it was read from, for messages */
	char name[CFG_NAME_MAX];
	enum cfg_role role;
	struct cfg_lcores lcores;
	struct cfg_eal eal;
	unsigned n_ports;
	struct cfg_port ports[CFG_MAX_PORTS];
	struct cfg_tunnel tunnel;
	unsigned n_routes;
	struct cfg_route routes[CFG_MAX_ROUTES];
	struct cfg_cli cli;
	struct cfg_telemetry telemetry;
	struct cfg_logging logging;
	struct cfg_flow_export flow_export;
	struct cfg_limits limits;
	struct cfg_pos pos_node, pos_role;
	struct cfg_pos pos_name; /* node.name */
};

/* cfg_load.c */
/* Decode YAML text into *cfg with defaults applied. Returns 0, or -EINVAL with
 * err->msg set to "FILE:LINE:COL: message". Pure: no I/O beyond the buffer. */
int cfg_load_buf(const char *buf, size_t len, const char *fname, struct cfg *cfg,
		 struct cfg_err *err);
/* Read FILE and call cfg_load_buf, then cfg_validate. */
int cfg_load_file(const char *path, struct cfg *cfg, struct cfg_err *err);

/* cfg_esp.c (internal to the loader; see cfg_yaml.h) */
const char *cfg_esp_alg_name(enum cfg_esp_alg a);

/* cfg_edit.c */
struct strbuf;
/* One configure-mode line applied to *c: "[no] ip route A.B.C.D/LEN|A.B.C.D
 * M.M.M.M [A.B.C.D]", "ip nhrp holdtime N", "[no] ip nhrp authentication
 * [WORD]", "logging level [SUBSYS] LEVEL", "no logging level SUBSYS". 0, or -errno with the reason in msg; *c
 * may then be partly changed (callers edit a copy). Not validated. */
int cfg_edit_line(struct cfg *c, const char *line, struct strbuf *msg);
/* Words cfg_edit_line takes at most. */
#define CFG_EDIT_WORDS 12
/* The line with the secret words (after psk, authentication) replaced by
 * <hidden>, for logs. */
void cfg_edit_redact(const char *line, char *out, size_t len);

/* cfg_validate.c */
/* Cross-field checks: duplicates, contradictions, references. */
int cfg_validate(const struct cfg *cfg, struct cfg_err *err);
/* The routes a node installs at start for this config: connected, local and
 * broadcast ones per port, the tunnel's two, the static routes. */
unsigned cfg_startup_routes(const struct cfg *cfg);
/* The largest IPv4 datagram the tunnel puts on its wan port for an inner
 * packet of `inner` bytes: outer IPv4 and GRE, and with protection: esp
 * the ESP overhead at its worst for the algorithm (UDP 4500 unless NAT-T
 * cannot happen, the tunnel-mode IPv4 header whenever IKE-lite keys the
 * SAs, the most padding). The sizes are dataplane/esp_sa.h's. */
unsigned cfg_tunnel_wire_len(const struct cfg_tunnel *t, unsigned inner);
/* Set err->msg to "FILE:LINE:COL: <fmt...>" on one line (control characters
 * become '?') and return -EINVAL. Shared by the loader and the validator. */
int cfg_err_at(struct cfg_err *err, const char *file, struct cfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* cfg_dump.c */
struct strbuf;
/* Render the config back as YAML (passwords stay hashed): show running-config. */
void cfg_dump(const struct cfg *cfg, struct strbuf *out);
/* The same; with secrets false, ESP keys print as "<hidden>" (CLI). */
void cfg_dump_opts(const struct cfg *cfg, struct strbuf *out, bool secrets);

/* Names for enums, for messages and dumps. */
const char *cfg_role_name(enum cfg_role r);
const char *cfg_port_role_name(enum cfg_port_role r);

#endif
