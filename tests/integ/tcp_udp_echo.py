#!/usr/bin/env python3
"""TCP and UDP across the DMVPN, for the netns tests.

  tcp_udp_echo.py serve ADDR PORT     answers one TCP connection (echoes
                                      what it reads until EOF) and one UDP
                                      datagram, then exits; 15 s at most
  tcp_udp_echo.py check ADDR PORT     sends 64 KiB over TCP and a datagram
                                      over UDP, exits 0 if both come back
                                      whole; 10 s at most
"""
import socket
import sys
import threading


def serve(addr, port):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(1)
    tcp.settimeout(15)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((addr, port))
    udp.settimeout(15)

    def udp_echo():
        try:
            data, peer = udp.recvfrom(2048)
            udp.sendto(data, peer)
        except OSError:
            pass

    t = threading.Thread(target=udp_echo)
    t.start()
    try:
        conn, _ = tcp.accept()
        conn.settimeout(15)
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.close()
    except OSError:
        pass
    t.join()


def check(addr, port):
    payload = bytes(range(256)) * 256  # 64 KiB: many full-size segments
    tcp = socket.create_connection((addr, port), timeout=10)
    tcp.sendall(payload)
    tcp.shutdown(socket.SHUT_WR)
    back = b""
    while len(back) < len(payload):
        data = tcp.recv(65536)
        if not data:
            break
        back += data
    tcp.close()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.settimeout(5)
    udp.sendto(b"dmvpnd-udp-check", (addr, port))
    ubytes, _ = udp.recvfrom(2048)
    ok_tcp, ok_udp = back == payload, ubytes == b"dmvpnd-udp-check"
    print("tcp %d of %d bytes back%s, udp %s" % (len(back), len(payload),
          "" if ok_tcp else " (DIFFERENT)", "ok" if ok_udp else "wrong"))
    return 0 if ok_tcp and ok_udp else 1


if __name__ == "__main__":
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "serve":
        serve(addr, port)
    else:
        try:
            sys.exit(check(addr, port))
        except OSError as e:
            print("failed: %s" % e)
            sys.exit(1)
