/**
 * Sending crafted packets and holding real TCP connections between the two namespaces of a pair
 * (see netns.ts), through test/support/send-packet.py.
 *
 * Crafted packets are synchronous: `sendTcp(pair.a, {...})` returns once the packet has left the
 * raw socket. Real connections are child processes (a listener in B, a client in A) driven by JSON
 * lines; they are registered with their namespace and killed when it is deleted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { type Family, nsExec, type Peer, python3, registerChild } from './netns';

export const SEND_PACKET_PY = path.join(__dirname, 'send-packet.py');

export type TcpFlag = 'FIN' | 'SYN' | 'RST' | 'PSH' | 'ACK' | 'URG' | 'ECE' | 'CWR';

interface IpFields {
  /** Source address; default: the sending peer's own address of the family of `dst`. */
  readonly src?: string;
  /** Destination address (normally the other peer's `ip4` or `ip6`). */
  readonly dst: string;
  /** TTL / hop limit (64). */
  readonly ttl?: number;
  /** TOS / traffic class. */
  readonly tos?: number;
  readonly id?: number;
  readonly df?: boolean;
  readonly flowLabel?: number;
  readonly payload?: string;
  readonly payloadHex?: string;
  /** Spoil the layer-4 checksum. */
  readonly badChecksum?: boolean;
  /** Send the same packet this many times. */
  readonly count?: number;
}

export interface TcpPacket extends IpFields {
  readonly sport?: number;
  readonly dport?: number;
  /** Flags by name; [] sends none (a NULL segment). Default ['SYN']. */
  readonly flags?: readonly TcpFlag[];
  readonly seq?: number;
  readonly ack?: number;
  readonly window?: number;
  readonly urgPtr?: number;
  readonly tcpOptions?: string;
}

export interface UdpPacket extends IpFields {
  readonly sport?: number;
  readonly dport?: number;
}

export interface IcmpPacket extends IpFields {
  /** Default: echo request (8, or 128 for ICMPv6). */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly icmpId?: number;
  readonly icmpSeq?: number;
  readonly icmpRestHex?: string;
}

export type AnyPacket =
  | ({ readonly proto: 'tcp' } & TcpPacket)
  | ({ readonly proto: 'udp' } & UdpPacket)
  | ({ readonly proto: 'icmp' | 'icmpv6' } & IcmpPacket);

export interface SentPacket {
  readonly bytes: number;
  /** The packet as sent, IP header included. */
  readonly hex: string;
}

function familyOf(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

function withSrc<T extends IpFields>(from: Peer, p: T): T & { src: string } {
  return { ...p, src: p.src ?? (familyOf(p.dst) === 'ipv6' ? from.ip6 : from.ip4) };
}

/** Send packets from `from`'s namespace, in order, through one raw socket per family. */
export function sendPackets(from: Peer, packets: readonly AnyPacket[]): SentPacket[] {
  const specs = packets.map((p) => withSrc(from, p));
  const r = nsExec(from.ns, [python3(), SEND_PACKET_PY, 'send', JSON.stringify(specs)]);
  let answer: { ok: boolean; sent?: SentPacket[]; error?: string } | undefined;
  try {
    answer = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    /* reported below */
  }
  if (r.status !== 0 || !answer?.ok) {
    throw new Error(`send-packet.py failed in ${from.ns}: ${answer?.error ?? (r.stderr.trim() || r.stdout)}`);
  }
  return answer.sent!;
}

export function sendTcp(from: Peer, p: TcpPacket): SentPacket {
  return sendPackets(from, [{ proto: 'tcp', ...p }])[0]!;
}

export function sendUdp(from: Peer, p: UdpPacket): SentPacket {
  return sendPackets(from, [{ proto: 'udp', ...p }])[0]!;
}

/** ICMP, or ICMPv6 when `dst` is an IPv6 address. */
export function sendIcmp(from: Peer, p: IcmpPacket): SentPacket {
  return sendPackets(from, [{ proto: familyOf(p.dst) === 'ipv6' ? 'icmpv6' : 'icmp', ...p }])[0]!;
}

// ---------------------------------------------------------------------------------------------
// real TCP connections

interface Answer {
  ok: boolean;
  error?: string;
  [k: string]: unknown;
}

/** One python process holding a TCP socket, spoken to in JSON lines. */
export class TcpEndpoint {
  private readonly pending: ((a: Answer) => void)[] = [];
  private readonly early: Answer[] = [];
  private exited = false;
  private stderr = '';

  constructor(
    readonly ns: string,
    private readonly child: ChildProcess,
  ) {
    registerChild(ns, child);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let a: Answer;
      try {
        a = JSON.parse(line) as Answer;
      } catch {
        a = { ok: false, error: `not JSON: ${line}` };
      }
      const waiter = this.pending.shift();
      if (waiter) waiter(a);
      else this.early.push(a);
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    // a helper that has just exited (its connection refused or dropped) closed its end of the pipe:
    // a request or quit written in that moment fails with EPIPE, which its exit already reports
    child.stdin!.on('error', (e: Error) => (this.stderr += `(writing to the helper: ${e.message})\n`));
    child.once('exit', () => {
      this.exited = true;
      for (const w of this.pending.splice(0)) w({ ok: false, error: `helper exited${this.stderr ? `: ${this.stderr.trim()}` : ''}` });
    });
  }

  /** The next answer line (the greeting after start, or the answer to the last request). */
  next(timeoutMs = 8000): Promise<Answer> {
    const ready = this.early.shift();
    if (ready) return Promise.resolve(ready);
    if (this.exited) return Promise.resolve({ ok: false, error: `helper exited${this.stderr ? `: ${this.stderr.trim()}` : ''}` });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.pending.indexOf(done);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new Error(`no answer from the TCP helper in ${this.ns} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (a: Answer) => {
        clearTimeout(timer);
        resolve(a);
      };
      this.pending.push(done);
    });
  }

  /** Send one op and wait for its answer; throws when the helper reports an error. */
  async request(op: string, args: Record<string, unknown> = {}, timeoutMs = 8000): Promise<Answer> {
    if (this.exited) throw new Error(`TCP helper in ${this.ns} has exited: ${this.stderr.trim()}`);
    const answer = this.next(timeoutMs);
    this.child.stdin!.write(`${JSON.stringify({ op, ...args })}\n`);
    const a = await answer;
    if (!a.ok) throw new Error(`TCP helper ${op} failed in ${this.ns}: ${a.error}`);
    return a;
  }

  send(data: string): Promise<Answer> {
    return this.request('send', { data });
  }

  /** What has arrived within `timeoutS` seconds. */
  async recv(timeoutS = 2): Promise<{ data: string; eof: boolean; reset: boolean }> {
    const a = await this.request('recv', { timeout: timeoutS }, timeoutS * 1000 + 5000);
    return { data: String(a.data ?? ''), eof: !!a.eof, reset: !!a.reset };
  }

  /** Half-close: our FIN leaves, we can still read. */
  shutdown(): Promise<Answer> {
    return this.request('shutdown');
  }

  close(): Promise<Answer> {
    return this.request('close');
  }

  /** Abortive close: the kernel sends RST. */
  reset(): Promise<Answer> {
    return this.request('reset');
  }

  async info(): Promise<{ local: [string, number]; remote: [string, number]; state: string }> {
    const a = await this.request('info');
    return { local: a.local as [string, number], remote: a.remote as [string, number], state: String(a.state) };
  }

  /** End the helper process (closing its sockets). */
  async quit(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin!.write('{"op":"quit"}\n');
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }
}

function startHelper(ns: string, mode: 'listen' | 'connect', spec: object): TcpEndpoint {
  const child = spawn('ip', ['netns', 'exec', ns, python3(), SEND_PACKET_PY, mode, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new TcpEndpoint(ns, child);
}

export interface TcpConnection {
  /** The client, in A. */
  readonly client: TcpEndpoint;
  /** The accepted socket, in B. */
  readonly server: TcpEndpoint;
  readonly family: Family;
  readonly clientAddr: string;
  readonly clientPort: number;
  readonly serverAddr: string;
  readonly serverPort: number;
  /** End both helpers (their sockets close; does not wait for TCP to finish). */
  dispose(): Promise<void>;
}

export interface ConnectOptions {
  readonly family?: Family;
  /** Server port in B (0: any free port). */
  readonly port?: number;
  /** Client port in A (0: any). */
  readonly sport?: number;
  /** Seconds to wait for the handshake. */
  readonly timeout?: number;
}

/**
 * A real TCP connection from `client` (A) to `server` (B): a listener bound to B's address, a
 * client bound to A's, handshake done, connection accepted. Rules in B must let it through.
 */
export async function openTcpConnection(client: Peer, server: Peer, opts: ConnectOptions = {}): Promise<TcpConnection> {
  const family = opts.family ?? 'ipv4';
  const serverAddr = family === 'ipv6' ? server.ip6 : server.ip4;
  const clientAddr = family === 'ipv6' ? client.ip6 : client.ip4;
  const listener = startHelper(server.ns, 'listen', { addr: serverAddr, port: opts.port ?? 0 });
  const hello = await listener.next();
  if (!hello.ok) {
    await listener.quit();
    throw new Error(`listener in ${server.ns} did not start: ${hello.error}`);
  }
  const serverPort = Number(hello.port);
  const cl = startHelper(client.ns, 'connect', { src: clientAddr, dst: serverAddr, port: serverPort, sport: opts.sport ?? 0, timeout: opts.timeout ?? 5 });
  const connected = await cl.next((opts.timeout ?? 5) * 1000 + 5000);
  if (!connected.ok) {
    await Promise.all([cl.quit(), listener.quit()]);
    throw new Error(`could not connect ${clientAddr} -> [${serverAddr}]:${serverPort}: ${connected.error}`);
  }
  await listener.request('accept', { timeout: opts.timeout ?? 5 });
  const local = connected.local as [string, number];
  return {
    client: cl,
    server: listener,
    family,
    clientAddr,
    clientPort: local[1],
    serverAddr,
    serverPort,
    dispose: async () => {
      await Promise.all([cl.quit(), listener.quit()]);
    },
  };
}
