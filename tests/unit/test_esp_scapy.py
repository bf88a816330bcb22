#!/usr/bin/python3
"""scapy's ESP (scapy.layers.ipsec) as an independent implementation of
RFC 4303/4106/3602/4868/3948 against ours (esp_tool):

  ours -> scapy: esp_tool encrypts IPv4/GRE/IPv4/ICMP packets; scapy's
                 SecurityAssociation decrypts them and must give back the
                 same GRE payload.
  scapy -> ours: scapy encrypts the same packets; esp_tool decrypts them.

For AES-GCM-128/256 and AES-CBC-128/256 + HMAC-SHA-256-128, each with and
without ESN (sequence numbers crossing 2^32) and with and without UDP 4500,
in transport mode and in tunnel mode (scapy's tunnel_header): there our
ESP is also compared byte for byte with what scapy seals from the same
keys, sequence number and IV (the IV computed here, independently: the
sequence number for GCM, AES_K(seq | SPI | 0) for CBC), and scapy's
malformed or misaddressed tunnel packets must be refused by reason.

scapy's own conventions, checked rather than adjusted to us:
  - GCM (RFC 4106): nonce = salt | 8-byte IV from the packet; scapy picks a
    random IV, we use the sequence number; both are valid, each side reads
    the IV from the wire. AAD = SPI | seq, or SPI | seq-high | seq-low with
    esn_en (RFC 4106 section 5): scapy does this right.
  - HMAC with ESN: scapy 2.5.0 leaves the high 32 bits out of the ESP ICV
    (its sign()/verify() ignore esn for ESP), against RFC 4303 2.2.1 /
    RFC 4868. For CBC+ESN the ICV is therefore computed here with Python's
    hmac exactly as the RFC says, and scapy is used for the cipher only.
  - NAT-T: scapy 2.5.0 writes UDP length 8 (header only) in front of the
    ESP packet, against RFC 768. Linux would trim such a datagram to
    nothing; ours refuses it (esp_bad_encap), which is checked, and then
    the length is corrected to what RFC 768/3948 say.
  - scapy cannot be asked for sequence number 0 (seq_num=0 and esn=0 are
    taken as "unset"), so its counters are set directly instead.

Usage: test_esp_scapy.py ESP_TOOL TMPDIR. Prints "N passed, N failed".
"""
import hashlib
import hmac
import os
import struct
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from scapy.all import GRE, ICMP, IP, UDP, Ether, Raw, rdpcap, wrpcap
from scapy.layers.ipsec import ESP, IPSecIntegrityError, SecurityAssociation

TOOL, TMP = sys.argv[1], sys.argv[2]
SPI = 0x2000BEEF
A, B = "198.51.100.1", "198.51.100.11"  # the GRE packets' sender and receiver
TUNNEL = f"tunnel:{A}:{B}"  # esp_tool's tunnel-mode SA: the header inside A -> B
PASS = FAIL = 0
ALGS = {  # name: (scapy crypt_algo, keymat bytes, HMAC?)
    "gcm128": ("AES-GCM", 16 + 4, False),
    "gcm256": ("AES-GCM", 32 + 4, False),
    "cbc128": ("AES-CBC", 16, True),
    "cbc256": ("AES-CBC", 32, True),
}


def check(cond, what):
    global PASS, FAIL
    if cond:
        PASS += 1
    else:
        FAIL += 1
        print("FAIL:", what)


def packets():
    """Outer IPv4/GRE around an inner ping; payloads 0..1200 bytes."""
    out = []
    for i, n in enumerate((0, 1, 2, 3, 13, 14, 15, 16, 17, 31, 64, 100, 255, 1200)):
        data = bytes((i * 7 + k) & 0xFF for k in range(n))
        inner = IP(src="10.0.1.1", dst="10.0.2.1") / ICMP(id=7, seq=i) / Raw(data)
        out.append(Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01") /
                   IP(src=A, dst=B, id=i) / GRE() / inner)
    return out


def run_tool(mode, alg, esn, natt, seq_base, keymat, auth, fin, fout, quiet=False, tunnel=False):
    cmd = [TOOL, mode, alg, str(int(esn)), str(int(natt)), hex(SPI), str(seq_base),
           keymat.hex(), auth.hex(), fin, fout] + ([TUNNEL] if tunnel else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0 and not quiet:
        print(" ".join(cmd), "->", r.returncode, r.stdout, r.stderr)
    return r.returncode == 0, r.stderr


def make_sa(alg, keymat, auth, esn, natt, tunnel=False):
    algo, _, has_hmac = ALGS[alg]
    kw = dict(spi=SPI, crypt_algo=algo, crypt_key=keymat, esn_en=esn)
    if has_hmac:
        kw.update(auth_algo="SHA2-256-128", auth_key=auth)
    if natt:
        kw["nat_t_header"] = UDP(sport=4500, dport=4500)
    if tunnel:
        kw["tunnel_header"] = IP(src=A, dst=B)
    return SecurityAssociation(ESP, **kw)


def rfc_icv(auth, esp_wo_icv, hi):
    """RFC 4303 2.2.1 / RFC 4868: HMAC-SHA-256 over the ESP packet, then
    the high 32 bits of the ESN, truncated to 128 bits."""
    return hmac.new(auth, esp_wo_icv + struct.pack("!I", hi), hashlib.sha256).digest()[:16]


def ours_to_scapy(alg, esn, natt, keymat, auth, base, plain, tag):
    fin, fout = f"{TMP}/{tag}-plain.pcap", f"{TMP}/{tag}-ours.pcap"
    wrpcap(fin, plain)
    if not run_tool("enc", alg, esn, natt, base, keymat, auth, fin, fout)[0]:
        check(False, f"{tag}: esp_tool enc")
        return
    enc = rdpcap(fout)
    check(len(enc) == len(plain), f"{tag}: {len(enc)} of {len(plain)} encrypted")
    sa = make_sa(alg, keymat, auth, esn, natt)
    for i, (e, p) in enumerate(zip(enc, plain)):
        seq = base + 1 + i
        ip = e[IP]
        check(ip.proto == (17 if natt else 50), f"{tag}#{i}: outer protocol {ip.proto}")
        if natt:
            check(e[UDP].sport == 4500 and e[UDP].dport == 4500 and e[UDP].chksum == 0,
                  f"{tag}#{i}: UDP header")
        check(e[ESP].seq == seq & 0xFFFFFFFF, f"{tag}#{i}: seq {e[ESP].seq}")
        verify = True
        if esn and ALGS[alg][2]:  # scapy's ICV lacks the ESN high half
            raw_esp = bytes(e[ESP])
            check(hmac.compare_digest(raw_esp[-16:], rfc_icv(auth, raw_esp[:-16], seq >> 32)),
                  f"{tag}#{i}: ICV per RFC 4303 2.2.1")
            verify = False
        try:
            d = sa.decrypt(IP(bytes(ip)), verify=verify, esn_en=esn, esn=seq >> 32)
        except IPSecIntegrityError as ex:
            check(False, f"{tag}#{i}: scapy integrity: {ex}")
            continue
        check(d.proto == 47 and bytes(d[GRE]) == bytes(p[GRE]), f"{tag}#{i}: GRE payload")


def scapy_encrypt(sa, alg, esn, natt, auth, p, seq, iv=None):
    sa.seq_num, sa.esn = seq & 0xFFFFFFFF, seq >> 32
    raw = bytes(sa.encrypt(IP(bytes(p[IP])), iv=iv, esn_en=esn))
    if esn and ALGS[alg][2]:  # put the RFC ICV where scapy's ESN-less one is
        off = (raw[0] & 15) * 4 + (8 if natt else 0)
        esp = raw[off:-16]
        raw = raw[:off] + esp + rfc_icv(auth, esp, seq >> 32)
    return IP(raw)


def natt_fix(frames, tag, args, tunnel=False):
    """scapy's UDP length: refused as it is, then corrected (RFC 768)."""
    bad = f"{TMP}/{tag}-udplen.pcap"
    wrpcap(bad, frames[:1])
    ok, err = run_tool("dec", *args, bad, bad + ".out", quiet=True, tunnel=tunnel)
    check(not ok and "esp_bad_encap" in err, f"{tag}: UDP length 8 refused as esp_bad_encap")
    for f in frames:
        f[UDP].len = len(bytes(f[UDP]))


def chksum_of(ip):
    """The IPv4 header checksum scapy computes for ip's header."""
    good = IP(bytes(ip))
    del good.chksum
    return IP(bytes(good)).chksum


def scapy_to_ours(alg, esn, natt, keymat, auth, base, plain, tag, tunnel=False):
    sa = make_sa(alg, keymat, auth, esn, natt, tunnel)
    tag += " tunnel" if tunnel else ""
    name = tag.replace(" ", "-")
    frames = [Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:02") /
              scapy_encrypt(sa, alg, esn, natt, auth, p, base + 1 + i) for i, p in enumerate(plain)]
    args = (alg, esn, natt, base, keymat, auth)
    if natt and frames[0][UDP].len != len(bytes(frames[0][UDP])):
        natt_fix(frames, name, args, tunnel)
    fin, fout = f"{TMP}/{name}-scapy.pcap", f"{TMP}/{name}-dec.pcap"
    wrpcap(fin, frames)
    ok, _ = run_tool("dec", *args, fin, fout, tunnel=tunnel)
    check(ok, f"{tag}: esp_tool dec accepted every scapy packet")
    dec = rdpcap(fout) if os.path.exists(fout) else []
    check(len(dec) == len(plain), f"{tag}: {len(dec)} of {len(plain)} decrypted")
    for i, (d, p) in enumerate(zip(dec, plain)):
        ip = d[IP]
        # Both modes give the outer header (in tunnel mode scapy's), now GRE.
        check(ip.proto == 47 and ip.src == A and ip.dst == B and ip.len == len(bytes(ip)) and
              ip.chksum == chksum_of(ip) and bytes(ip[GRE]) == bytes(p[GRE]),
              f"{tag}#{i}: decapsulated GRE")


# ---- tunnel mode (RFC 4303 3.1.2) ----

def marked(plain):
    """The packets with TOS and DF set on some, which the header inside
    must repeat (TOS as DSCP only)."""
    out = []
    for i, p in enumerate(plain):
        q = p.copy()
        q[IP].tos, q[IP].flags = (i * 37) & 0xFF, "DF" if i & 1 else 0
        del q[IP].chksum
        out.append(Ether(bytes(q)))
    return out


def our_iv(alg, keymat, seq):
    """Our IV, computed here: GCM the 64-bit sequence number (RFC 4106
    3.1); CBC AES_K(seq | SPI | 0) (SP 800-38A appendix C)."""
    nonce = struct.pack("!Q", seq)
    if not ALGS[alg][2]:
        return nonce
    klen = ALGS[alg][1]
    enc = Cipher(algorithms.AES(keymat[:klen]), modes.ECB()).encryptor()
    return enc.update(nonce + struct.pack("!II", SPI, 0)) + enc.finalize()


def inside(p):
    """The header inside as we must write it, around p's GRE packet."""
    return IP(src=A, dst=B, proto=47, ttl=64, id=0, tos=p[IP].tos & 0xFC,
              flags=p[IP].flags) / Raw(bytes(p[GRE]))


def esp_bytes(ip, natt):
    """The ESP packet behind an IPv4 header (and UDP): scapy's own NAT-T
    packets say UDP length 8, so its dissector would not find ESP."""
    raw = bytes(ip)[:ip.len]
    return raw[(raw[0] & 15) * 4 + (8 if natt else 0):]


def tun_check_one(sa, alg, esn, natt, keymat, auth, e, p, seq, tag):
    ip = e[IP]
    check(ip.proto == (17 if natt else 50) and ip.src == A and ip.dst == B and
          ip.tos == p[IP].tos and ip.flags == p[IP].flags, f"{tag}: outer header")
    # Byte for byte: scapy seals the same header inside with our IV.
    ref = scapy_encrypt(sa, alg, esn, natt, auth, Ether() / inside(p), seq,
                        iv=our_iv(alg, keymat, seq))
    ours_esp, ref_esp = esp_bytes(ip, natt), esp_bytes(ref, natt)
    check(ours_esp == ref_esp, f"{tag}: ESP byte for byte with scapy's "
          f"({len(ours_esp)} and {len(ref_esp)} bytes)")
    verify = not (esn and ALGS[alg][2])  # scapy's own CBC+ESN ICV is wrong
    try:
        d = sa.decrypt(IP(bytes(ip)), verify=verify, esn_en=esn, esn=seq >> 32)
    except IPSecIntegrityError as ex:
        check(False, f"{tag}: scapy integrity: {ex}")
        return
    check(d.version == 4 and d.ihl == 5 and d.src == A and d.dst == B and d.proto == 47 and
          d.ttl == 64 and d.id == 0 and d.tos == p[IP].tos & 0xFC and d.flags == p[IP].flags and
          d.frag == 0 and d.len == 20 + len(bytes(p[GRE])) and d.chksum == chksum_of(d),
          f"{tag}: the header inside ({d.summary()})")
    check(bytes(d.payload) == bytes(p[GRE]), f"{tag}: GRE inside")


def ours_to_scapy_tunnel(alg, esn, natt, keymat, auth, base, plain, tag):
    plain = marked(plain)
    fin, fout = f"{TMP}/{tag}-tplain.pcap", f"{TMP}/{tag}-tours.pcap"
    wrpcap(fin, plain)
    if not run_tool("enc", alg, esn, natt, base, keymat, auth, fin, fout, tunnel=True)[0]:
        check(False, f"{tag}: esp_tool enc (tunnel)")
        return
    enc = rdpcap(fout)
    check(len(enc) == len(plain), f"{tag}: {len(enc)} of {len(plain)} encrypted (tunnel)")
    sa = make_sa(alg, keymat, auth, esn, natt, tunnel=True)
    for i, (e, p) in enumerate(zip(enc, plain)):
        tun_check_one(sa, alg, esn, natt, keymat, auth, e, p, base + 1 + i, f"{tag}#{i} tunnel")


def refused(alg, keymat, auth, frame, reason, tag, tunnel=True):
    fin = f"{TMP}/{tag}.pcap"
    wrpcap(fin, [frame])
    ok, err = run_tool("dec", alg, False, False, 0, keymat, auth, fin, fin + ".out",
                       quiet=True, tunnel=tunnel)
    check(not ok and reason in err, f"{tag}: refused as {reason} ({err.strip()})")


def tunnel_refusals(alg, plain):
    """scapy's packets that a tunnel-mode SA A -> B must refuse, by reason."""
    keymat, auth = os.urandom(ALGS[alg][1]), os.urandom(32)
    p = plain[3]
    eth = Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:02")
    tun = make_sa(alg, keymat, auth, False, False, tunnel=True)
    tra = make_sa(alg, keymat, auth, False, False)
    cases = [
        (IP(src="198.51.100.2", dst=B) / p[GRE], "esp_tunnel_bad_addr", "wrong source"),
        (IP(src=A, dst="198.51.100.12") / p[GRE], "esp_tunnel_bad_addr", "wrong destination"),
        (IP(src=B, dst=A) / p[GRE], "esp_tunnel_bad_addr", "reflected"),
        (IP(src=A, dst=B) / ICMP(), "esp_tunnel_not_gre", "ICMP inside"),
        (IP(src=A, dst=B, flags="MF") / p[GRE], "esp_tunnel_bad_ip", "a fragment inside"),
        (IP(src=A, dst=B, chksum=0x1234) / p[GRE], "esp_tunnel_bad_ip", "bad checksum inside"),
    ]
    for seq, (pkt, reason, what) in enumerate(cases, 1):
        tun.seq_num = seq
        refused(alg, keymat, auth, eth / tun.encrypt(IP(bytes(pkt))), reason, f"{alg}: {what}")
    tra.seq_num = 10
    refused(alg, keymat, auth, eth / tra.encrypt(IP(bytes(p[IP]))), "esp_mode_mismatch",
            f"{alg}: transport-mode packet on a tunnel-mode SA")
    tun.seq_num = 11
    refused(alg, keymat, auth, eth / tun.encrypt(IP(bytes(p[IP]))), "esp_mode_mismatch",
            f"{alg}: tunnel-mode packet on a transport-mode SA", tunnel=False)


def main():
    plain = packets()
    for alg, (_, klen, _) in ALGS.items():
        for esn in (False, True):
            for natt in (False, True):
                keymat, auth = os.urandom(klen), os.urandom(32)
                base = (1 << 32) - 5 if esn else 0  # ESN: cross the 2^32 boundary
                tag = f"{alg}-esn{int(esn)}-natt{int(natt)}"
                ours_to_scapy(alg, esn, natt, keymat, auth, base, plain, tag)
                scapy_to_ours(alg, esn, natt, keymat, auth, base, plain, tag)
                ours_to_scapy_tunnel(alg, esn, natt, keymat, auth, base, plain, tag)
                scapy_to_ours(alg, esn, natt, keymat, auth, base, plain, tag, tunnel=True)
        tunnel_refusals(alg, plain)
    # The deviation we work around, shown rather than assumed: scapy's own
    # ICV for CBC+ESN differs from RFC 4303's (informational, not counted).
    sa = make_sa("cbc128", b"k" * 16, b"a" * 32, True, False)
    sa.esn = 1
    e = IP(bytes(sa.encrypt(IP(bytes(plain[0][IP])), seq_num=1, esn_en=True)))
    raw_esp = bytes(e[ESP])
    same = raw_esp[-16:] == rfc_icv(b"a" * 32, raw_esp[:-16], 1)
    print("note: scapy's HMAC ICV with ESN", "matches" if same else "omits the high half, unlike",
          "RFC 4303 2.2.1")
    print(f"{PASS} passed, {FAIL} failed")
    return 1 if FAIL else 0


if __name__ == "__main__":
    sys.exit(main())
