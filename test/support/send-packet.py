#!/usr/bin/env python3
"""Packet and connection helper for the kernel tests (run inside a network namespace).

  send-packet.py send '<json>'      build one packet (or a JSON list of packets) byte by byte and
                                    send it through a raw socket, IP header included; prints
                                    {"ok": true, "sent": [{"bytes": n, "hex": "..."}...]}
  send-packet.py listen '<json>'    {"addr", "port"}: a TCP listener, driven by JSON lines on stdin
  send-packet.py connect '<json>'   {"dst", "port", "src"?, "sport"?, "timeout"?}: a TCP client,
                                    driven by JSON lines on stdin

Packet fields (all optional except src and dst; the family follows the addresses):
  proto      "tcp" (default) | "udp" | "icmp" | "icmpv6" (icmp with IPv6 addresses means icmpv6)
  sport, dport, seq, ack, window (64240), urgPtr, tcpOptions (hex), flags: ["SYN","ACK"] or
  "SYN,ACK" (names FIN SYN RST PSH ACK URG ECE CWR; [] or "NONE" for none)
  payload (utf-8 text) or payloadHex
  ttl (hop limit for IPv6, 64), tos (traffic class for IPv6), id, df (true), flowLabel
  icmpType (echo request), icmpCode (0), icmpId, icmpSeq, icmpRestHex (4 bytes after the checksum
  for non-echo types)
  badChecksum: true to spoil the layer-4 checksum; count: send the same packet n times

Connection ops (one JSON object per line on stdin, one JSON answer per line on stdout):
  {"op": "accept", "timeout": s}   listener only: take the next connection
  {"op": "send", "data": text}     write data (TCP_NODELAY: it leaves at once)
  {"op": "recv", "timeout": s}     read what has arrived: {"data": text, "eof": bool}
  {"op": "shutdown"}               shutdown(SHUT_WR): send our FIN, keep reading
  {"op": "close"}                  close the connection normally
  {"op": "reset"}                  SO_LINGER 0 then close: the kernel sends RST
  {"op": "info"}                   local/remote address and the socket's TCP state
  {"op": "quit"}                   close everything and exit
"""
import json
import select
import socket
import struct
import sys

FLAG_BITS = {'FIN': 0x01, 'SYN': 0x02, 'RST': 0x04, 'PSH': 0x08, 'ACK': 0x10, 'URG': 0x20, 'ECE': 0x40, 'CWR': 0x80}
PROTO_NUM = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58}
TCP_STATES = ['?', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE',
              'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV']


def ones_complement_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b'\x00'
    total = 0
    for (word,) in struct.iter_unpack('!H', data):
        total += word
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def internet_checksum(data: bytes) -> int:
    return ~ones_complement_sum(data) & 0xFFFF


def family_of(addr: str) -> int:
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def pseudo_header(fam: int, src: str, dst: str, proto: int, length: int) -> bytes:
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    if fam == socket.AF_INET:
        return s + d + struct.pack('!BBH', 0, proto, length)
    return s + d + struct.pack('!I3xB', length, proto)


def parse_flags(flags) -> int:
    if flags is None:
        return 0
    if isinstance(flags, int):
        return flags
    if isinstance(flags, str):
        flags = [f for f in flags.replace('+', ',').replace(' ', ',').split(',') if f]
    bits = 0
    for name in flags:
        name = name.upper()
        if name in ('NONE', ''):
            continue
        if name not in FLAG_BITS:
            raise ValueError(f'unknown TCP flag {name!r}')
        bits |= FLAG_BITS[name]
    return bits


def payload_of(spec: dict) -> bytes:
    if 'payloadHex' in spec:
        return bytes.fromhex(spec['payloadHex'])
    return spec.get('payload', '').encode()


def with_checksum(segment: bytes, offset: int, value: int) -> bytes:
    return segment[:offset] + struct.pack('!H', value) + segment[offset + 2:]


def build_l4(spec: dict, fam: int, proto: str) -> bytes:
    src, dst = spec['src'], spec['dst']
    data = payload_of(spec)
    if proto == 'tcp':
        options = bytes.fromhex(spec.get('tcpOptions', ''))
        options += b'\x00' * (-len(options) % 4)
        offset_words = 5 + len(options) // 4
        header = struct.pack('!HHIIBBHHH', spec.get('sport', 40000), spec.get('dport', 80),
                             spec.get('seq', 1000) & 0xFFFFFFFF, spec.get('ack', 0) & 0xFFFFFFFF,
                             offset_words << 4, parse_flags(spec.get('flags', ['SYN'])),
                             spec.get('window', 64240), 0, spec.get('urgPtr', 0))
        segment = header + options + data
        csum_at = 16
    elif proto == 'udp':
        segment = struct.pack('!HHHH', spec.get('sport', 40000), spec.get('dport', 53), 8 + len(data), 0) + data
        csum_at = 6
    else:  # icmp / icmpv6
        v6 = proto == 'icmpv6'
        icmp_type = spec.get('icmpType', 128 if v6 else 8)
        echo = icmp_type in ((128, 129) if v6 else (0, 8))
        rest = (struct.pack('!HH', spec.get('icmpId', 0x1234), spec.get('icmpSeq', 1)) if echo
                else bytes.fromhex(spec.get('icmpRestHex', '00000000')))
        segment = struct.pack('!BBH', icmp_type, spec.get('icmpCode', 0), 0) + rest + data
        csum_at = 2
    if proto == 'icmp':
        csum = internet_checksum(segment)
    else:
        csum = internet_checksum(pseudo_header(fam, src, dst, PROTO_NUM[proto], len(segment)) + segment)
        if proto == 'udp' and csum == 0:
            csum = 0xFFFF
    if spec.get('badChecksum'):
        csum ^= 0x5A5A
    return with_checksum(segment, csum_at, csum)


def build_packet(spec: dict) -> bytes:
    src, dst = spec['src'], spec['dst']
    fam = family_of(dst)
    if family_of(src) != fam:
        raise ValueError('src and dst are of different families')
    proto = spec.get('proto', 'tcp')
    if proto == 'icmp' and fam == socket.AF_INET6:
        proto = 'icmpv6'
    if proto not in PROTO_NUM:
        raise ValueError(f'unknown proto {proto!r}')
    l4 = build_l4(spec, fam, proto)
    if fam == socket.AF_INET:
        frag = 0x4000 if spec.get('df', True) else 0
        header = struct.pack('!BBHHHBBH4s4s', 0x45, spec.get('tos', 0), 20 + len(l4), spec.get('id', 0x4242), frag,
                             spec.get('ttl', 64), PROTO_NUM[proto], 0,
                             socket.inet_aton(src), socket.inet_aton(dst))
        header = with_checksum(header, 10, internet_checksum(header))
        return header + l4
    first = (6 << 28) | ((spec.get('tos', 0) & 0xFF) << 20) | (spec.get('flowLabel', 0) & 0xFFFFF)
    header = struct.pack('!IHBB', first, len(l4), PROTO_NUM[proto], spec.get('ttl', 64))
    return header + socket.inet_pton(fam, src) + socket.inet_pton(fam, dst) + l4


def cmd_send(arg: str) -> None:
    specs = json.loads(arg)
    if isinstance(specs, dict):
        specs = [specs]
    socks = {}
    sent = []
    try:
        for spec in specs:
            pkt = build_packet(spec)
            fam = family_of(spec['dst'])
            if fam not in socks:
                socks[fam] = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
            target = (spec['dst'], 0) if fam == socket.AF_INET else (spec['dst'], 0, 0, 0)
            for _ in range(int(spec.get('count', 1))):
                socks[fam].sendto(pkt, target)
            sent.append({'bytes': len(pkt), 'hex': pkt.hex()})
    finally:
        for s in socks.values():
            s.close()
    print(json.dumps({'ok': True, 'sent': sent}), flush=True)


class Conversation:
    """One TCP socket (plus the listener it came from) driven by JSON lines."""

    def __init__(self, listener=None, conn=None):
        self.listener = listener
        self.conn = conn

    def need_conn(self):
        if self.conn is None:
            raise RuntimeError('no connection (accept first)')
        return self.conn

    def op_accept(self, req):
        if self.listener is None:
            raise RuntimeError('not a listener')
        self.listener.settimeout(req.get('timeout', 5))
        self.conn, peer = self.listener.accept()
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return {'peer': list(peer[:2]), 'local': list(self.conn.getsockname()[:2])}

    def op_send(self, req):
        data = req.get('data', '').encode()
        self.need_conn().sendall(data)
        return {'sent': len(data)}

    def op_recv(self, req):
        conn = self.need_conn()
        deadline = req.get('timeout', 2)
        chunks, eof = [], False
        while True:
            ready, _, _ = select.select([conn], [], [], deadline)
            if not ready:
                break
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                return {'data': b''.join(chunks).decode(errors='replace'), 'eof': True, 'reset': True}
            if not chunk:
                eof = True
                break
            chunks.append(chunk)
            deadline = 0.05  # gather what is already queued, then answer
        return {'data': b''.join(chunks).decode(errors='replace'), 'eof': eof}

    def op_shutdown(self, _req):
        self.need_conn().shutdown(socket.SHUT_WR)
        return {}

    def op_close(self, _req):
        self.need_conn().close()
        self.conn = None
        return {}

    def op_reset(self, _req):
        conn = self.need_conn()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        conn.close()
        self.conn = None
        return {}

    def op_info(self, _req):
        conn = self.need_conn()
        info = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        state = info[0]
        return {'local': list(conn.getsockname()[:2]), 'remote': list(conn.getpeername()[:2]),
                'state': TCP_STATES[state] if state < len(TCP_STATES) else str(state)}

    def serve(self, first: dict) -> None:
        print(json.dumps({'ok': True, **first}), flush=True)
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            req = json.loads(line)
            op = req.get('op')
            if op == 'quit':
                print(json.dumps({'ok': True}), flush=True)
                break
            try:
                handler = getattr(self, f'op_{op}', None)
                if handler is None:
                    raise RuntimeError(f'unknown op {op!r}')
                answer = {'ok': True, **handler(req)}
            except Exception as e:  # report, keep serving
                answer = {'ok': False, 'error': f'{type(e).__name__}: {e}'}
            print(json.dumps(answer), flush=True)
        for s in (self.conn, self.listener):
            if s is not None:
                s.close()


def cmd_listen(arg: str) -> None:
    spec = json.loads(arg)
    fam = family_of(spec['addr'])
    listener = socket.socket(fam, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((spec['addr'], spec.get('port', 0)))
    listener.listen(8)
    Conversation(listener=listener).serve({'event': 'listening', 'port': listener.getsockname()[1]})


def cmd_connect(arg: str) -> None:
    spec = json.loads(arg)
    fam = family_of(spec['dst'])
    conn = socket.socket(fam, socket.SOCK_STREAM)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if spec.get('src') or spec.get('sport'):
        conn.bind((spec.get('src', '::' if fam == socket.AF_INET6 else '0.0.0.0'), spec.get('sport', 0)))
    conn.settimeout(spec.get('timeout', 5))
    try:
        conn.connect((spec['dst'], spec['port']))
    except OSError as e:
        print(json.dumps({'ok': False, 'error': f'{type(e).__name__}: {e}'}), flush=True)
        sys.exit(1)
    conn.settimeout(None)
    Conversation(conn=conn).serve({'event': 'connected', 'local': list(conn.getsockname()[:2]),
                                   'remote': list(conn.getpeername()[:2])})


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ('send', 'listen', 'connect'):
        sys.stderr.write(__doc__)
        sys.exit(2)
    try:
        {'send': cmd_send, 'listen': cmd_listen, 'connect': cmd_connect}[sys.argv[1]](sys.argv[2])
    except (ValueError, KeyError, OSError) as e:
        print(json.dumps({'ok': False, 'error': f'{type(e).__name__}: {e}'}), flush=True)
        sys.exit(1)


if __name__ == '__main__':
    main()
