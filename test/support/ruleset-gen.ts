/**
 * fast-check generators of realistic rulesets, built from the kinds of rules the checks reason
 * about (state accepts, port accepts with and without --syn, bans, REJECTs, LOG rules, user
 * chains, raw-table NOTRACK), in the two file formats: iptables-save (optionally with counters,
 * comments and blank lines) and a command list as `iptables -S` prints it.
 *
 * Every generated file is meant to be accepted by the real iptables-restore (or, for command
 * lists, by iptables run line by line); the fix-safety test checks that, too.
 */
import fc from 'fast-check';

export interface GeneratedRuleset {
  readonly format: 'save' | 'commands';
  readonly text: string;
}

type Spec = string; // a rule without `-A CHAIN`

const port = fc.constantFrom(22, 25, 53, 80, 443, 2222, 5432, 8080);
const host = fc.integer({ min: 1, max: 254 }).map((n) => `203.0.113.${n}`);
const prefix = fc.constantFrom('denied: ', 'Firewall: *TCP_IN Blocked* ', 'DROP', 'in-drop ', 'a prefix that is far too long for the kernel: ', 'IPT ');

const stateAccept: fc.Arbitrary<Spec> = fc.constantFrom(
  '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  '-m state --state RELATED,ESTABLISHED -j ACCEPT',
  '-m conntrack --ctstate ESTABLISHED -j ACCEPT',
  '-m state --state RELATED,ESTABLISHED,UNTRACKED -j ACCEPT',
  '-p tcp -m conntrack --ctstate ESTABLISHED -j ACCEPT',
);

const serviceAccept: fc.Arbitrary<Spec> = fc.oneof(
  port.map((p) => `-p tcp -m conntrack --ctstate NEW -m tcp --dport ${p} -j ACCEPT`),
  port.map((p) => `-p tcp -m state --state NEW -m tcp --dport ${p} -j ACCEPT`),
  port.map((p) => `-p tcp -m tcp --dport ${p} -j ACCEPT`),
  port.map((p) => `-p tcp -m tcp --syn --dport ${p} -j ACCEPT`),
  fc.constant('-p tcp -m conntrack --ctstate NEW -m multiport --dports 80,443 -j ACCEPT'),
  fc.tuple(host, port).map(([h, p]) => `-s ${h}/32 -p tcp -m conntrack --ctstate NEW -m tcp --dport ${p} -j ACCEPT`),
  fc.constant('-p icmp -m icmp --icmp-type 8 -j ACCEPT'),
  port.map((p) => `-p udp -m udp --dport ${p} -j ACCEPT`),
);

const ban: fc.Arbitrary<Spec> = fc.oneof(
  host.map((h) => `-s ${h}/32 -j REJECT`),
  host.map((h) => `-s ${h}/32 -j DROP`),
  host.map((h) => `-s ${h}/32 -p tcp -j REJECT --reject-with tcp-reset`),
  host.map((h) => `-s ${h}/32 -p tcp -j REJECT`),
  host.map((h) => `-s ${h}/32 -p udp -j REJECT --reject-with icmp-port-unreachable`),
  fc.constant('-m iprange --src-range 198.51.100.10-198.51.100.20 -j DROP'),
);

const log: fc.Arbitrary<Spec> = fc.oneof(
  prefix.map((p) => `-m limit --limit 15/min -j LOG --log-prefix "${p}" --log-level 7`),
  prefix.map((p) => `-p tcp -m limit --limit 30/min --limit-burst 5 -j LOG --log-prefix "${p}" --log-level 4`),
  prefix.map((p) => `-j LOG --log-prefix "${p}"`),
  fc.constant('-j LOG'),
  fc.constant('-j NFLOG --nflog-prefix dropped --nflog-group 1'),
);

const misc: fc.Arbitrary<Spec> = fc.constantFrom(
  '-i lo -j ACCEPT',
  '-m conntrack --ctstate INVALID -j DROP',
  '-p udp -m udp --dport 137 -j DROP',
  '-p tcp -m tcp --tcp-flags ALL NONE -j DROP',
  '-m conntrack --ctstate NEW -j ACCEPT',
  '-p tcp -j REJECT --reject-with tcp-reset',
  '-j REJECT',
);

const finalRule: fc.Arbitrary<Spec | undefined> = fc.constantFrom(undefined, '-j DROP', '-j REJECT --reject-with icmp-host-prohibited', '-j ACCEPT');

const inputRule: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 3, arbitrary: stateAccept },
  { weight: 4, arbitrary: serviceAccept },
  { weight: 2, arbitrary: ban },
  { weight: 2, arbitrary: log },
  { weight: 2, arbitrary: misc },
);

const outputRule: fc.Arbitrary<Spec> = fc.oneof(
  host.map((h) => `-d ${h}/32 -j REJECT`),
  host.map((h) => `-d ${h}/32 -j DROP`),
  fc.constantFrom('-m conntrack --ctstate RELATED -j ACCEPT', '-o lo -j ACCEPT', '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-p tcp -m tcp --sport 80 -j ACCEPT', '-p udp -m udp --dport 53 -j ACCEPT'),
);

const forwardRule: fc.Arbitrary<Spec> = fc.oneof(
  stateAccept,
  fc.constantFrom('-s 198.51.100.0/24 -j DROP', '-i eth0 -o eth1 -j ACCEPT', '-p tcp -m conntrack --ctstate NEW -m tcp --dport 80 -j ACCEPT'),
  log,
);

const rawPre: fc.Arbitrary<Spec> = fc.constantFrom(
  '-p tcp -m multiport --dports 80 -j NOTRACK',
  '-p tcp -m tcp --dport 80 -j NOTRACK',
  '-p tcp -m tcp --dport 8080 -j CT --notrack',
  '-i lo -j NOTRACK',
  '-p udp -m udp --dport 53 -j NOTRACK',
);
const rawOut: fc.Arbitrary<Spec> = fc.constantFrom(
  '-p tcp -m multiport --sports 80 -j NOTRACK',
  '-p tcp -m tcp --sport 80 -j NOTRACK',
  '-o lo -j NOTRACK',
  '-p udp -m udp --sport 53 -j NOTRACK',
);

interface Shape {
  readonly policies: { INPUT: string; FORWARD: string; OUTPUT: string };
  readonly input: Spec[];
  readonly inputFinal: Spec | undefined;
  readonly output: Spec[];
  readonly forward: Spec[];
  /** A user chain for logging and dropping, and whether INPUT jumps to it (else it is unused). */
  readonly logChain: { rules: Spec[]; jumped: boolean } | undefined;
  readonly rawPre: Spec[];
  readonly rawOut: Spec[];
  readonly counters: boolean;
  readonly comments: boolean;
  /** For command lists: write some INPUT rules as -I at the top instead of -A. */
  readonly inserts: number;
}

const shape: fc.Arbitrary<Shape> = fc.record({
  policies: fc.record({ INPUT: fc.constantFrom('ACCEPT', 'DROP'), FORWARD: fc.constantFrom('ACCEPT', 'DROP'), OUTPUT: fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP') }),
  input: fc.array(inputRule, { minLength: 1, maxLength: 9 }),
  inputFinal: finalRule,
  output: fc.array(outputRule, { maxLength: 3 }),
  forward: fc.array(forwardRule, { maxLength: 2 }),
  logChain: fc.option(fc.record({ rules: fc.tuple(log, fc.constantFrom('-j DROP', '-j REJECT')).map(([l, d]) => [l, d]), jumped: fc.boolean() }), { nil: undefined }),
  rawPre: fc.array(rawPre, { maxLength: 2 }),
  rawOut: fc.array(rawOut, { maxLength: 2 }),
  counters: fc.boolean(),
  comments: fc.boolean(),
  inserts: fc.integer({ min: 0, max: 2 }),
});

function saveText(s: Shape): string {
  const c = s.counters ? '[0:0] ' : '';
  const out: string[] = [];
  if (s.comments) out.push('# Generated by iptables-save v1.8.9 (generated test ruleset)');
  if (s.rawPre.length || s.rawOut.length) {
    out.push('*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]');
    for (const r of s.rawPre) out.push(`${c}-A PREROUTING ${r}`);
    for (const r of s.rawOut) out.push(`${c}-A OUTPUT ${r}`);
    out.push('COMMIT');
  }
  out.push('*filter', `:INPUT ${s.policies.INPUT} [0:0]`, `:FORWARD ${s.policies.FORWARD} [0:0]`, `:OUTPUT ${s.policies.OUTPUT} [0:0]`);
  if (s.logChain) out.push(':LOGDROP - [0:0]');
  s.input.forEach((r, i) => {
    if (s.comments && i === 1) out.push('# services');
    out.push(`${c}-A INPUT ${r}`);
  });
  if (s.logChain?.jumped) out.push(`${c}-A INPUT -j LOGDROP`);
  if (s.inputFinal) out.push(`${c}-A INPUT ${s.inputFinal}`);
  for (const r of s.forward) out.push(`${c}-A FORWARD ${r}`);
  for (const r of s.output) out.push(`${c}-A OUTPUT ${r}`);
  for (const r of s.logChain?.rules ?? []) out.push(`${c}-A LOGDROP ${r}`);
  out.push('COMMIT');
  if (s.comments) out.push('# Completed');
  return out.join('\n') + '\n';
}

function commandsText(s: Shape): string {
  const out = [`-P INPUT ${s.policies.INPUT}`, `-P FORWARD ${s.policies.FORWARD}`, `-P OUTPUT ${s.policies.OUTPUT}`];
  if (s.logChain) out.push('-N LOGDROP');
  const n = Math.min(s.inserts, s.input.length - 1);
  s.input.slice(n).forEach((r) => out.push(`-A INPUT ${r}`));
  if (s.logChain?.jumped) out.push('-A INPUT -j LOGDROP');
  if (s.inputFinal) out.push(`-A INPUT ${s.inputFinal}`);
  // the first rules arrive last, inserted at the top (`-I INPUT` without a number, or with 1)
  s.input.slice(0, n).reverse().forEach((r, i) => out.push(i % 2 ? `-I INPUT 1 ${r}` : `-I INPUT ${r}`));
  for (const r of s.forward) out.push(`-A FORWARD ${r}`);
  for (const r of s.output) out.push(`-A OUTPUT ${r}`);
  for (const r of s.logChain?.rules ?? []) out.push(`-A LOGDROP ${r}`);
  for (const r of s.rawPre) out.push(`-t raw -A PREROUTING ${r}`);
  for (const r of s.rawOut) out.push(`-t raw -A OUTPUT ${r}`);
  return out.join('\n') + '\n';
}

export const generatedRuleset: fc.Arbitrary<GeneratedRuleset> = fc
  .tuple(shape, fc.constantFrom('save', 'save', 'save', 'commands') as fc.Arbitrary<'save' | 'commands'>)
  .map(([s, format]) => ({ format, text: format === 'save' ? saveText(s) : commandsText(s) }));

/** `count` rulesets, always the same ones for the same seed. */
export function sampleRulesets(seed: number, count: number): GeneratedRuleset[] {
  return fc.sample(generatedRuleset, { seed, numRuns: count });
}
