/**
 * Inputs and random one-line edits for the tests that check an edited document against a fresh
 * reading of its new text: fixtures, corpus dumps, generated and sampled rulesets, and small files
 * where most lines matter to some check; edits of every kind (rules changed, inserted, deleted;
 * jumps, gotos, policies, chain declarations, COMMIT and table headers).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { editOneLine, generateRuleset } from '../../bench/gen/rulesets';
import type { Rng } from '../../bench/gen/rng';
import { sampleRulesets } from './ruleset-gen';

const ROOT = join(__dirname, '..', '..');

export interface Input {
  readonly name: string;
  readonly text: string;
}

function filesUnder(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

/** The URI a test gives an input's document (under `folder`, which keeps its kept state apart from other tests'). */
export function inputUri(input: Input, folder = ''): string {
  return `file:///work/${folder}${input.name.replace(/[^\w.-]+/g, '_')}`;
}

export function editInputs(): Input[] {
  const out: Input[] = [];
  for (const p of filesUnder(join(ROOT, 'test', 'fixtures'))) if (p.endsWith('.rules')) out.push({ name: p.slice(ROOT.length + 1), text: readFileSync(p, 'utf8') });
  // the corpus dumps that are rules files (not XML or `iptables -L` listings), up to a size a test can afford
  const dumps = filesUnder(join(ROOT, '..', 'shared', 'corpus', 'dumps')).filter((p) => !p.endsWith('.xml') && !/\.L\.txt$|\.\d\.L\.txt$/.test(p));
  for (const p of dumps) {
    const text = readFileSync(p, 'utf8');
    if (text.length < 200_000 && /^(-A|\*|:)/m.test(text)) out.push({ name: p.slice(p.indexOf('corpus')), text });
  }
  for (const kind of ['kube', 'docker', 'firewall'] as const) {
    for (const family of ['ipv4', 'ipv6'] as const) out.push({ name: `generated ${kind} ${family}`, text: generateRuleset({ kind, family, rules: 150, seed: 7 }).text });
  }
  // small files where most lines matter to some check (probes, NOTRACK, resets, LOG), so random
  // edits often change a walk's start or what it reaches
  for (const [i, text] of SMALL.entries()) out.push({ name: `small ${i}`, text });
  sampleRulesets(0x51ce, 6).forEach((g, i) => out.push({ name: `sampled ${i} (${g.format})`, text: g.text }));
  return out;
}

const SMALL = [
  `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp --dport 53 -j NOTRACK
-A OUTPUT -p udp --sport 53 -j CT --notrack
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CHECKS - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -j CHECKS
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p udp --dport 53 -j ACCEPT
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A CHECKS -m conntrack --ctstate INVALID -j LOG --log-prefix "invalid: "
-A CHECKS -s 203.0.113.9 -j DROP
-A CHECKS -j RETURN
-A FORWARD -j CHECKS
-A FORWARD -p tcp --syn --dport 80 -j ACCEPT
-A OUTPUT -p tcp --tcp-flags RST RST -j DROP
COMMIT
`,
  `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 5432 -j ACCEPT
-A INPUT -p tcp --sport 443 -j ACCEPT
-A INPUT -s 198.51.100.0/24 -j DROP
-A INPUT -m state --state NEW -p tcp --dport 443 -j ACCEPT
-A INPUT -j LOG
COMMIT
`,
];

/** The chain names a file mentions (declared, appended to, or jumped to). */
function chainNames(lines: readonly string[]): string[] {
  const names = new Set<string>(['INPUT', 'FORWARD', 'OUTPUT']);
  for (const l of lines) {
    const m = /^:(\S+)/.exec(l) ?? /(?:^|\s)-[AIjg]\s+(\S+)/.exec(l);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

const RULE_BODIES = [
  '-p tcp --dport 22 -j ACCEPT',
  '-p tcp -m tcp --dport 443 -m conntrack --ctstate NEW -j ACCEPT',
  '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-m conntrack --ctstate INVALID -j DROP',
  '-s 203.0.113.7 -j DROP',
  '-i lo -j ACCEPT',
  '-p tcp -j REJECT --reject-with tcp-reset',
  '-j LOG --log-prefix "edit: "',
  '-j DROP',
  '-j RETURN',
  '-j ACCEPT',
  '-p udp --dport 53 -j NOTRACK',
  '-p tcp --dport 80',
  '-o eth0 -j MASQUERADE',
  '-i lo -p tcp --dport 5432 -j ACCEPT',
  '-p tcp --sport 443 -m conntrack --ctstate ESTABLISHED -j ACCEPT',
  '-p udp -j CT --notrack',
  '-p tcp --dport 22 -j NOTRACK',
  '-p tcp --tcp-flags RST RST -j DROP',
  // (refused by iptables-restore, held by the table it names, wherever the block it is in)
  '-t mangle -p udp -j DROP',
];

/** One random one-line edit of any kind: the new lines. */
export function randomEdit(lines: readonly string[], rng: Rng): string[] {
  const chains = chainNames(lines);
  const chain = () => rng.pick(chains);
  const ruleLine = (): string => {
    switch (rng.int(0, 4)) {
      case 0:
        return `-A ${chain()} -j ${chain()}`;
      case 1:
        return `-A ${chain()} -p tcp --dport ${rng.int(1, 9000)} -g ${chain()}`;
      default:
        return `-A ${chain()} ${rng.pick(RULE_BODIES)}`;
    }
  };
  const other = (): string =>
    rng.pick([
      `:${chain()} - [0:0]`,
      `:${rng.pick(['INPUT', 'FORWARD', 'OUTPUT'])} ${rng.pick(['ACCEPT', 'DROP'])} [0:0]`,
      `:NEW-${rng.int(1, 3)} - [0:0]`,
      'COMMIT',
      `*${rng.pick(['filter', 'nat', 'raw', 'mangle'])}`,
      `-P ${rng.pick(['INPUT', 'FORWARD'])} ${rng.pick(['ACCEPT', 'DROP'])}`,
      `-N ${chain()}`,
      '# iptables-lens-disable-next-line',
      '',
    ]);
  const at = rng.int(0, Math.max(0, lines.length - 1));
  const cur = lines[at] ?? '';
  switch (rng.int(0, 11)) {
    case 10:
    case 11: {
      // a jump back from the chain a jump leads to: a loop when that chain was reachable, and
      // the graph's reachability changed either way
      const jumps = lines.map((l, i) => ({ m: /^-A (\S+) .*-[jg] (\S+)/.exec(l), i })).filter((x) => x.m && !/^[A-Z]+$/.test(x.m[2]!));
      if (!jumps.length) return lines.slice();
      const { m, i } = rng.pick(jumps);
      return [...lines.slice(0, i + 1), `-A ${m![2]} ${rng.pick(['-p tcp -o eth1 ', '-i eth0 ', ''])}-j ${m![1]}`, ...lines.slice(i + 1)];
    }
    case 0:
    case 1: // insert a rule
      return [...lines.slice(0, at), ruleLine(), ...lines.slice(at)];
    case 2: // insert a declaration, policy, COMMIT, header...
      return [...lines.slice(0, at), other(), ...lines.slice(at)];
    case 3: // delete a line
      return lines.length > 1 ? [...lines.slice(0, at), ...lines.slice(at + 1)] : lines.slice();
    case 4: // replace a line by another of any kind
      return lines.map((l, i) => (i === at ? (rng.int(0, 1) ? ruleLine() : other()) : l));
    case 5: {
      // retarget a rule: another verdict or another chain
      const j = /\s-[jg]\s+\S+/.exec(cur);
      const next = rng.int(0, 1) ? ` -j ${chain()}` : ` -j ${rng.pick(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'LOG'])}`;
      return lines.map((l, i) => (i === at ? (j ? l.replace(j[0], next) : l + next) : l));
    }
    case 6: {
      // a policy flipped
      const p = /^(:\S+) (ACCEPT|DROP)/.exec(cur);
      return lines.map((l, i) => (i === at && p ? `${p[1]} ${p[2] === 'ACCEPT' ? 'DROP' : 'ACCEPT'}${l.slice(p[0].length)}` : l));
    }
    default: {
      // a small change inside a rule: a port, an address, a word dropped
      const words = cur.split(' ');
      if (words.length > 3 && rng.int(0, 2) === 0) words.splice(rng.int(2, words.length - 1), 1);
      else if (/--dport \d+/.test(cur)) return lines.map((l, i) => (i === at ? l.replace(/--dport \d+/, `--dport ${rng.int(1, 65535)}`) : l));
      else if (/-s \S+/.test(cur)) return lines.map((l, i) => (i === at ? l.replace(/-s \S+/, `-s 198.51.100.${rng.int(0, 255)}`) : l));
      else words.push('-m comment --comment "edited"');
      return lines.map((l, i) => (i === at ? words.join(' ') : l));
    }
  }
}

/**
 * Versions 2, 3... of a file, each one random edit (randomEdit) away from the one before; `also`
 * may change the lines further before each version is written out (it is called with the same rng
 * state every run, so the versions are reproducible).
 */
export function* editedVersions(text: string, rng: Rng, count: number, also?: (lines: string[]) => void): Generator<{ readonly version: number; readonly text: string }> {
  let lines = text.split('\n');
  for (let version = 2; version < 2 + count; version++) {
    lines = randomEdit(lines, rng);
    also?.(lines);
    yield { version, text: lines.join('\n') };
  }
}

/**
 * A line put in or taken out where editOneLine picks: its edited line put in after it, or the line
 * itself taken out (`takeOut`). Every line after it moves.
 */
export function putInOrTakeOut(lines: string[], rng: Rng, takeOut: boolean): void {
  const e = editOneLine(lines, rng);
  if (takeOut) lines.splice(e.line, 1);
  else lines.splice(e.line + 1, 0, e.text);
}
