#!/usr/bin/python3
"""Scripted telnet client for dmvpnd's CLI, for system tests.

    cli_client.py --host 127.0.0.1 --port 2323 --user admin --password dmvpnd \
        'show interfaces' 'show arp'

Logs in, runs each command, prints a transcript (prompt + command, then the
output) and logs out. Every read has a deadline, so it never hangs.

Exit status: 0 ok; 1 usage; 2 login refused; 3 timeout; 4 connection
failed or closed early; 5 a command printed an error (with --fail-on-error).
"""

import argparse
import re
import socket
import sys
import time

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
OPT_ECHO, OPT_SGA = 1, 3

EXIT_OK, EXIT_USAGE, EXIT_LOGIN, EXIT_TIMEOUT, EXIT_CONN, EXIT_CMD = range(6)

# Lines libcli or dmvpnd print when a command did not work.
ERROR_RE = re.compile(r'^(% |Invalid |Incomplete command|Ambiguous command)')


class CliError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


class Telnet:
    """Just enough of RFC 854: strip option negotiation from the stream and
    answer it so that the server echoes and we stay in line mode."""

    def __init__(self, host, port, timeout):
        self.timeout = timeout
        self.buf = bytearray()
        self.seen = 0  # bytes of buf already searched without a match
        self.pending = b''  # an IAC sequence cut by a recv() boundary
        try:
            self.sock = socket.create_connection((host, port), timeout)
        except OSError as e:
            raise CliError(EXIT_CONN, f'cannot connect to {host}:{port}: {e}')

    def close(self):
        self.sock.close()

    def send_line(self, text):
        self.sock.sendall(text.encode() + b'\r\n')

    def _negotiate(self, cmd, opt):
        if cmd == WILL:  # the server offers: accept echo/SGA, refuse others
            reply = DO if opt in (OPT_ECHO, OPT_SGA) else DONT
        elif cmd == DO:  # the server asks us: we do nothing
            reply = WONT
        else:
            return
        self.sock.sendall(bytes([IAC, reply, opt]))

    def _feed(self, data):
        data = self.pending + data
        self.pending = b''
        out = bytearray()
        i = 0
        while i < len(data):
            b = data[i]
            if b != IAC:
                out.append(b)
                i += 1
                continue
            if i + 1 >= len(data):
                self.pending = data[i:]
                break
            cmd = data[i + 1]
            if cmd == IAC:
                out.append(IAC)
                i += 2
            elif cmd in (WILL, WONT, DO, DONT):
                if i + 2 >= len(data):
                    self.pending = data[i:]
                    break
                self._negotiate(cmd, data[i + 2])
                i += 3
            elif cmd == SB:
                end = data.find(bytes([IAC, SE]), i)
                if end < 0:
                    self.pending = data[i:]
                    break
                i = end + 2
            else:
                i += 2
        self.buf += out

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        except OSError as e:
            raise CliError(EXIT_CONN, f'connection error: {e}')
        return data

    def expect(self, patterns, what):
        """Reads until one of the byte regexes matches; returns (index,
        text before the match, match). Raises on timeout or EOF."""
        deadline = time.monotonic() + self.timeout
        while True:
            # A match is short: what was searched before, but its last
            # 512 bytes, needs no search again (long outputs stay linear).
            start = max(0, self.seen - 512)
            for idx, pat in enumerate(patterns):
                m = pat.search(self.buf, start)
                if m:
                    at, end = m.span()
                    before = self.buf[:at].decode(errors='replace')
                    # the match again on a copy: buf changes under it next
                    m = pat.search(bytes(self.buf[at:end]))
                    del self.buf[:end]
                    self.seen = 0
                    return idx, before, m
            self.seen = len(self.buf)
            data = self._recv(deadline)
            if data is None:
                tail = self.buf[-200:].decode(errors='replace')
                raise CliError(EXIT_TIMEOUT,
                               f'timed out after {self.timeout}s waiting '
                               f'for {what}; last output: {tail!r}')
            if not data:
                tail = self.buf[-200:].decode(errors='replace')
                raise CliError(EXIT_CONN, f'connection closed while waiting '
                               f'for {what}; last output: {tail!r}')
            self._feed(data)

    def wait_eof(self):
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                data = self._recv(deadline)
            except CliError:
                # A reset here is a close too: the server may hang up with
                # bytes of ours still unread.
                return
            if data is None:
                raise CliError(EXIT_TIMEOUT, 'server did not close the '
                               'session after exit')
            if not data:
                return


USER_RE = re.compile(rb'Username: $')
PASS_RE = re.compile(rb'Password: $')
# libcli's prompt: "\r\n" + hostname + ("> " or "# "), then it waits.
PROMPT_RE = re.compile(rb'\r\n([^\r\n]*[>#] )$')
DENIED_RE = re.compile(rb'Access denied')


def login(tn, user, password):
    tn.expect([USER_RE], 'the Username: prompt')
    tn.send_line(user)
    tn.expect([PASS_RE], 'the Password: prompt')
    tn.send_line(password)
    idx, _, m = tn.expect([DENIED_RE, PROMPT_RE], 'the CLI prompt')
    if idx == 0:
        raise CliError(EXIT_LOGIN, f'login refused for user {user!r}')
    return m.group(1)


def run_command(tn, prompt, cmd):
    """Returns the prompt after cmd and cmd's output lines, without its
    echo. The prompt is the login one, or the same host in a mode
    (configure terminal: "hub(config)# ")."""
    tn.send_line(cmd)
    host = re.escape(prompt[:-2])
    end = re.compile(rb'\r\n(' + host + rb'(?:\([^)\r\n]*\))?[>#] )$')
    _, text, m = tn.expect([end], f'the prompt after {cmd!r}')
    lines = text.replace('\r\n', '\n').split('\n')
    if lines and lines[0].strip() == cmd.strip():
        lines = lines[1:]  # the server's echo of what we typed
    while lines and not lines[-1].strip():
        lines.pop()
    return m.group(1), lines


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse would exit 2, which here means "login refused".
        self.print_usage(sys.stderr)
        print(f'cli_client: {message}', file=sys.stderr)
        sys.exit(EXIT_USAGE)


def main():
    ap = Parser(description=__doc__.split('\n')[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=2323)
    ap.add_argument('--user', default='admin')
    ap.add_argument('--password', default='dmvpnd')
    ap.add_argument('--timeout', type=float, default=10.0,
                    help='seconds to wait for each answer (default 10)')
    ap.add_argument('--fail-on-error', action='store_true',
                    help='exit 5 if a command prints an error line')
    ap.add_argument('--linger', type=float, default=0.0,
                    help='after the commands, print what else arrives for this many '
                         'seconds (terminal monitor)')
    ap.add_argument('commands', nargs='*')
    args = ap.parse_args()

    failed = False
    tn = None
    try:
        tn = Telnet(args.host, args.port, args.timeout)
        prompt = login(tn, args.user, args.password)
        shown = prompt.decode(errors='replace')
        for cmd in args.commands:
            after, out = run_command(tn, prompt, cmd)
            print(shown + cmd)
            shown = after.decode(errors='replace')
            for line in out:
                print(line)
                failed = failed or bool(ERROR_RE.match(line))
        if args.linger > 0:
            end = time.monotonic() + args.linger
            while True:
                data = tn._recv(end)
                if not data:
                    break
                tn._feed(data)
            text = tn.buf.decode(errors='replace').replace('\r\n', '\n')
            tn.buf = b''
            for line in text.split('\n'):
                if line.strip():
                    print(line)
        sys.stdout.flush()
        # A bare CR: libcli acts on it, and no LF is left unread to turn
        # the server's close into a reset.
        tn.sock.sendall(b'exit\r')
        tn.wait_eof()
    except CliError as e:
        sys.stdout.flush()
        print(f'cli_client: {e}', file=sys.stderr)
        return e.code
    finally:
        if tn is not None:
            tn.close()
    if failed and args.fail_on_error:
        print('cli_client: a command reported an error', file=sys.stderr)
        return EXIT_CMD
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
