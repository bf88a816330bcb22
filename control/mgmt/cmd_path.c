/* show dmvpn path A.B.C.D: how a packet to that address travels now, and
 * what would change it. It reads what the workers read (the FIB, the NHRP
 * cache, the ESP SAs) on the control thread and says it in words: the
 * route and its source, the next hop, the NHRP entry and its type, the
 * NBMA address and NAT port, the SA, hub or shortcut and why. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "esp_mgr.h"
#include "esp_sa.h"
#include "inet.h"
#include "kernel_routes.h"
#include "nhrp.h"
#include "nhrp_cache.h"
#include "node.h"

static void path_duration(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / CLK_NS_PER_S;

	snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
}

/* The NHS a spoke sends through while it has no entry (the first one up,
 * else the first), or 0 on a hub. */
static const struct nhrp_nhs *path_nhs(const struct nhrp *nh)
{
	for (unsigned i = 0; i < nh->nh_n_nhs; i++)
		if (nh->nh_nhs[i].ns_state == NHRP_NHS_UP)
			return &nh->nh_nhs[i];
	return nh->nh_n_nhs > 0 ? &nh->nh_nhs[0] : NULL;
}

static void path_crypto(struct node *nd, uint32_t nbma, struct strbuf *out)
{
	const struct cfg_tunnel *t = &nd->nd_cfg->tunnel;
	const struct esp_sa *sa;
	char a[INET_ADDRSTR];

	if (t->protection != CFG_PROT_ESP) {
		strbuf_printf(out, "  protection  none: GRE in the clear (tunnel.protection)\n");
		return;
	}
	sa = esp_mgr_ref_peek(&nd->nd_ctl, nbma);
	if (sa == NULL) {
		strbuf_printf(
			out,
			"  protection  ESP, but no SA with %s yet%s: packets wait or are dropped (fail closed)\n",
			inet_v4_str(nbma, a),
			t->esp.keying == CFG_KEYING_IKE ? " (IKE is negotiating it)" : "");
		return;
	}
	strbuf_printf(out, "  protection  ESP out SPI 0x%08x, %s, %s mode", sa->sa_spi,
		      cfg_esp_alg_name((enum cfg_esp_alg)sa->sa_alg),
		      sa->sa_flags & ESP_SA_F_TUNNEL ? "tunnel" : "transport");
	if (sa->sa_flags & ESP_SA_F_NATT)
		strbuf_printf(out, ", NAT-T UDP %u -> %u", rte_be_to_cpu_16(sa->sa_natt_sport),
			      rte_be_to_cpu_16(sa->sa_natt_dport));
	strbuf_printf(out, "\n");
}

/* The overlay next hop ov: its NHRP entry, the underlay, the SA. */
static void path_overlay(struct node *nd, uint32_t dst, uint32_t ov, struct strbuf *out)
{
	struct ctl *ct = &nd->nd_ctl;
	const struct nhrp *nh = ct->ct_nhrp;
	const struct nhrp_cache_entry *e = nhrp_cache_lookup(ct, ov);
	const struct nhrp_nhs *s;
	uint64_t now = clock_now(ct->ct_clock);
	char a[INET_ADDRSTR], b[INET_ADDRSTR], d[16];

	if (e != NULL && e->nc_type != NC_INCOMPLETE && e->nc_type != NC_LOCAL) {
		strbuf_printf(out, "  NHRP        %s is at NBMA %s (%s", inet_v4_str(ov, a),
			      inet_v4_str(e->nc_nbma_seen, b), nhrp_cache_type_name(e->nc_type));
		if (e->nc_expires_ns != 0) {
			path_duration(e->nc_expires_ns > now ? e->nc_expires_ns - now : 0, d,
				      sizeof(d));
			strbuf_printf(out, ", expires in %s", d);
		}
		if (e->nc_flags & NC_F_NAT)
			strbuf_printf(out, ", behind NAT: it claims %s",
				      inet_v4_str(e->nc_nbma, b));
		strbuf_printf(out, ")\n");
		strbuf_printf(out, "  underlay    GRE %s -> %s\n", inet_v4_str(nh->nh_nbma, a),
			      inet_v4_str(e->nc_nbma_seen, b));
		path_crypto(nd, e->nc_nbma_seen, out);
		if (nh->nh_is_hub)
			strbuf_printf(out, "  so          hub to spoke %s, registered with us\n",
				      inet_v4_str(ov, a));
		else if (e->nc_type == NC_SHORTCUT)
			strbuf_printf(
				out,
				"  so          spoke to spoke: a shortcut (phase %u) resolved from the hub\n"
				"  changes     when the shortcut expires or is purged: then through the NHS again\n",
				nh->nh_phase);
		else if (e->nc_type == NC_STATIC)
			strbuf_printf(out, "  so          to the hub (an NHS)%s\n",
				      ov == dst ? "" : ", which forwards it");
		else
			strbuf_printf(out, "  so          to the peer %s directly\n",
				      inet_v4_str(ov, a));
		return;
	}
	if (nh->nh_is_hub) {
		strbuf_printf(
			out,
			"  NHRP        no entry for %s: no spoke registered it; packets are dropped (drop no_peer)\n",
			inet_v4_str(ov, a));
		return;
	}
	s = path_nhs(nh);
	strbuf_printf(out, "  NHRP        no entry for %s%s\n", inet_v4_str(ov, a),
		      e != NULL ? ": a resolution request is out" : "");
	if (s == NULL)
		return;
	strbuf_printf(out, "  so          through the NHS %s (NBMA %s, %s)",
		      inet_v4_str(s->ns_overlay, a), inet_v4_str(s->ns_nbma, b),
		      nhrp_nhs_state_name(s->ns_state));
	if (nh->nh_phase == 3)
		strbuf_printf(out, "; phase 3: the hub's Traffic Indication starts a resolution, "
				   "and a shortcut then takes over\n");
	else if (nh->nh_phase == 2)
		strbuf_printf(out, "; phase 2: the first packet starts a resolution\n");
	else
		strbuf_printf(out, "; phase 1: always through the hub\n");
	path_crypto(nd, s->ns_nbma, out);
}

void cmd_path(struct node *nd, const char *arg, struct strbuf *out)
{
	const struct fib_route *rt;
	const struct fib_nh *nh;
	/* clang-format off */
	static const char *const src[] = { [FIB_SRC_CONNECTED] = "connected",
					   [FIB_SRC_LOCAL] = "local",
					   [FIB_SRC_STATIC] = "static, from the config",
					   [FIB_SRC_NHRP] = "NHRP: a shortcut route",
					   [FIB_SRC_KERNEL] = "learned" };
	/* clang-format on */
	char a[INET_ADDRSTR], p[INET_ADDRSTR];
	const char *tun = nd->nd_cfg->tunnel.present ? nd->nd_cfg->tunnel.name : "tunnel";
	uint32_t dst;

	if (inet_v4_parse(arg, &dst) != 0) {
		strbuf_printf(out, "%% Invalid input: %s\n", arg);
		return;
	}
	strbuf_printf(out, "Path to %s now:\n", inet_v4_str(dst, a));
	rt = node_route_to(nd, dst);
	if (rt == NULL) {
		strbuf_printf(
			out,
			"  route       none: packets are dropped (drop no_route)\n"
			"  changes     with a route that covers it (static, connected, NHRP, or\n"
			"              learned from a routing daemon)\n");
		return;
	}
	nh = &nd->nd_dp.dp_fib.fb_nh[rt->rt_nh_idx];
	strbuf_printf(out, "  route       %s/%u (%s", inet_v4_str(rt->rt_prefix, p), rt->rt_len,
		      rt->rt_source < sizeof(src) / sizeof(src[0]) ? src[rt->rt_source] : "?");
	if (rt->rt_source == FIB_SRC_KERNEL) {
		const char *proto = "?";
		uint32_t metric = 0;

		kroutes_describe(nd->nd_ctl.ct_kroutes, rt->rt_prefix, rt->rt_len, &proto, &metric);
		strbuf_printf(out, " from the kernel's table: proto %s, metric %u, via %s", proto,
			      metric, kroutes_ifname(nd->nd_ctl.ct_kroutes));
	}
	strbuf_printf(out, ")\n");
	switch (nh->nh_type) {
	case FIB_NH_LOCAL:
		strbuf_printf(out, "  so          this node: it answers itself\n");
		return;
	case FIB_NH_DROP:
		strbuf_printf(out, "  so          a broadcast address: dropped\n");
		return;
	case FIB_NH_CONNECTED:
		strbuf_printf(out, "  next hop    %s itself, on %s (ARP resolves it: show arp)\n",
			      a, nd->nd_dp.dp_ports[nh->nh_port].pt_name);
		return;
	case FIB_NH_GATEWAY:
		strbuf_printf(out, "  next hop    gateway %s on %s\n", inet_v4_str(nh->nh_gw, p),
			      nd->nd_dp.dp_ports[nh->nh_port].pt_name);
		return;
	default:
		break;
	}
	if (nd->nd_ctl.ct_nhrp == NULL) {
		strbuf_printf(out, "  next hop    the tunnel, which is not configured\n");
		return;
	}
	strbuf_printf(out, "  next hop    %s on %s (overlay)\n",
		      inet_v4_str(nh->nh_gw ? nh->nh_gw : dst, p), tun);
	path_overlay(nd, dst, nh->nh_gw ? nh->nh_gw : dst, out);
}
