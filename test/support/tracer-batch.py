#!/usr/bin/env python3
"""Batch driver for the tracer's kernel tests: one process runs a whole list of steps across the
namespaces of a pair, so that a thousand probes cost a thousand counter reads, not a thousand
interpreter starts.

  tracer-batch.py < '{"ns": {"A": "<netns>", "B": "<netns>"}, "steps": [...]}'

Runs from the host namespace (as root) and enters a namespace only to open a raw socket there or
to run a command there (setns, no `ip netns exec`). Packets are built by send-packet.py's
build_packet (same fields). Steps, each answered by one entry of the output list:

  {"op": "exec", "ns": "B", "argv": [...], "input": "..."}
      -> {"status": n, "stdout": "...", "stderr": "..."}
  {"op": "send", "from": "A", "packets": [spec, ...]}
      -> {"sent": n}
  {"op": "probe", "from": "A", "packet": spec, "reads": {"B": [argv], "A": [argv]},
   "arrival": {"ns": "B", "marker": "text on the sentinel line"}, "timeoutMs": 2000}
      Sends one packet, then reads (argv run in each namespace, e.g. iptables-save -c) until the
      sentinel line of the arrival namespace counts one packet more than at the previous read.
      -> {"reads": {"B": "...", "A": "..."}, "arrived": bool, "polls": n, "refused": null | "..."}
      (sendto fails with EPERM when a rule in the sender's OUTPUT drops the packet: "refused")
  {"op": "read", "reads": {...}, "arrival": {...}}
      -> {"reads": {...}}   (also resets the sentinel baseline)

Prints one JSON object: {"ok": true, "results": [...]} or {"ok": false, "error": "...", "results": [...]}.
"""
import ctypes
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location('send_packet', os.path.join(HERE, 'send-packet.py'))
send_packet = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(send_packet)

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
HOST_NS = os.open('/proc/self/ns/net', os.O_RDONLY)
NS_FDS = {}


def enter(ns):
    if ns not in NS_FDS:
        NS_FDS[ns] = os.open(f'/run/netns/{ns}', os.O_RDONLY)
    if libc.setns(NS_FDS[ns], CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), f'setns({ns}) failed')


def leave():
    if libc.setns(HOST_NS, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns(host) failed')


def run_in(ns, argv, stdin=''):
    enter(ns)
    try:
        r = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=20)
    finally:
        leave()
    return {'status': r.returncode, 'stdout': r.stdout, 'stderr': r.stderr}


SOCKS = {}


def raw_socket(ns, fam):
    key = (ns, fam)
    if key not in SOCKS:
        enter(ns)
        try:
            SOCKS[key] = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
        finally:
            leave()
    return SOCKS[key]


def send(ns, spec):
    pkt = send_packet.build_packet(spec)
    fam = send_packet.family_of(spec['dst'])
    target = (spec['dst'], 0) if fam == socket.AF_INET else (spec['dst'], 0, 0, 0)
    raw_socket(ns, fam).sendto(pkt, target)
    return len(pkt)


COUNT = re.compile(r'^\[(\d+):(\d+)\]')
BASELINE = {}


def sentinel_count(text, marker):
    for line in text.split('\n'):
        if marker in line:
            m = COUNT.match(line)
            if m:
                return int(m.group(1))
    return None


def read_all(reads, names):
    return {k: run_in(names[k], argv)['stdout'] for k, argv in reads.items()}


def main():
    req = json.load(sys.stdin)
    names = req['ns']
    results = []
    try:
        for step in req['steps']:
            op = step['op']
            if op == 'exec':
                results.append(run_in(names[step['ns']], step['argv'], step.get('input', '')))
            elif op == 'send':
                for p in step['packets']:
                    send(names[step['from']], p)
                results.append({'sent': len(step['packets'])})
            elif op == 'read':
                out = read_all(step['reads'], names)
                arr = step.get('arrival')
                if arr:
                    BASELINE[(arr['ns'], arr['marker'])] = sentinel_count(out[arr['ns']], arr['marker'])
                results.append({'reads': out})
            elif op == 'probe':
                arr = step['arrival']
                key = (arr['ns'], arr['marker'])
                try:
                    send(names[step['from']], step['packet'])
                    refused = None
                except PermissionError as e:  # a rule in B's OUTPUT dropped a packet B sends: EPERM
                    refused = str(e)
                deadline = time.monotonic() + step.get('timeoutMs', 2000) / 1000
                polls = 0
                while True:
                    polls += 1
                    out = read_all(step['reads'], names)
                    now = sentinel_count(out[arr['ns']], arr['marker'])
                    before = BASELINE.get(key)
                    arrived = now is not None and before is not None and now > before
                    if arrived or time.monotonic() > deadline:
                        break
                    time.sleep(0.005)
                BASELINE[key] = now
                results.append({'reads': out, 'arrived': arrived, 'polls': polls, 'refused': refused})
            else:
                raise ValueError(f'unknown op {op!r}')
    except Exception as e:  # report what ran so far
        print(json.dumps({'ok': False, 'error': f'{type(e).__name__}: {e}', 'results': results}), flush=True)
        return
    print(json.dumps({'ok': True, 'results': results}), flush=True)


if __name__ == '__main__':
    main()
