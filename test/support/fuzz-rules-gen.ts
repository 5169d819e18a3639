/**
 * fast-check arbitraries for realistic rulesets: the shapes administrators write (a baseline of
 * loopback and ESTABLISHED accepts, services by port, bans, LOG rules with and without limits,
 * REJECT, user chains, NOTRACK in raw, NAT), in iptables-save or `iptables -S` form, in an order
 * chosen at random so that the ordering checks and their quick fixes all get their turn.
 */
import fc from 'fast-check';

const ADDR4 = ['192.0.2.1', '192.0.2.0/24', '198.51.100.7/32', '203.0.113.0/24', '10.0.0.0/8', '0.0.0.0/0'];
const ADDR6 = ['2001:db8::1', '2001:db8::/32', '2001:db8:1::/48', '::/0', 'fe80::/10'];
const IFACES = ['eth0', 'eth1', 'lo', 'wg0', 'docker0', 'br+'];
const PORTS = ['22', '80', '443', '53', '8080', '1024:65535', '25'];
const STATES = ['NEW', 'ESTABLISHED', 'RELATED,ESTABLISHED', 'INVALID', 'NEW,ESTABLISHED', 'UNTRACKED', 'ESTABLISHED,RELATED'];
const PREFIXES = ['"DROP "', '"INPUT denied: "', '"fw"', '"A very long prefix that exceeds "', '"[UFW BLOCK] "', 'nospace'];

export interface GenOptions {
  readonly family: 'ipv4' | 'ipv6';
  readonly userChains: readonly string[];
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

/** The matches of one filter rule, as one string (may be empty). */
function matchesArb(o: GenOptions): fc.Arbitrary<string> {
  const addr = pick(o.family === 'ipv4' ? ADDR4 : ADDR6);
  const proto = fc.constantFrom('tcp', 'udp', o.family === 'ipv4' ? 'icmp' : 'ipv6-icmp', '');
  return fc
    .record({
      neg: fc.boolean(),
      iface: fc.option(fc.tuple(fc.constantFrom('-i', '-o'), pick(IFACES)), { nil: undefined }),
      src: fc.option(addr, { nil: undefined }),
      dst: fc.option(addr, { nil: undefined }),
      proto,
      port: fc.option(fc.tuple(fc.constantFrom('--dport', '--sport', '--dports'), pick(PORTS)), { nil: undefined }),
      syn: fc.boolean(),
      state: fc.option(fc.tuple(fc.constantFrom('conntrack', 'state'), pick(STATES)), { nil: undefined }),
      limit: fc.option(fc.constantFrom('-m limit --limit 5/min', '-m limit --limit 30/min --limit-burst 5', '-m hashlimit --hashlimit-upto 1/sec --hashlimit-name x'), { nil: undefined }),
      comment: fc.option(fc.constantFrom('-m comment --comment "ssh"', '-m comment --comment x'), { nil: undefined }),
      recent: fc.option(fc.constantFrom('-m recent --name bad --rcheck --seconds 60', '-m recent --name bad --set'), { nil: undefined }),
    })
    .map((m) => {
      const out: string[] = [];
      if (m.iface) out.push(m.iface[0], m.iface[1]);
      if (m.src) out.push(...(m.neg ? ['!'] : []), '-s', m.src);
      if (m.dst) out.push('-d', m.dst);
      if (m.proto) {
        out.push('-p', m.proto);
        if ((m.proto === 'tcp' || m.proto === 'udp') && m.port) {
          if (m.port[0] === '--dports') out.push('-m', 'multiport', '--dports', '80,443');
          else out.push('-m', m.proto, m.port[0], m.port[1]);
          if (m.proto === 'tcp' && m.syn) out.push('--syn');
        }
      }
      if (m.state) out.push('-m', m.state[0], m.state[0] === 'conntrack' ? '--ctstate' : '--state', m.state[1] === 'UNTRACKED' && m.state[0] === 'state' ? 'NEW' : m.state[1]);
      if (m.recent) out.push(m.recent);
      if (m.limit) out.push(m.limit);
      if (m.comment) out.push(m.comment);
      return out.join(' ');
    });
}

function filterTargetArb(o: GenOptions, chain: string): fc.Arbitrary<string> {
  const jumps = o.userChains.filter((c) => c !== chain);
  return fc.oneof(
    fc.constantFrom('-j ACCEPT', '-j DROP', '-j RETURN'),
    fc.constantFrom('-j REJECT', '-j REJECT --reject-with tcp-reset', o.family === 'ipv4' ? '-j REJECT --reject-with icmp-port-unreachable' : '-j REJECT --reject-with icmp6-port-unreachable'),
    pick(PREFIXES).map((p) => `-j LOG --log-prefix ${p}`),
    fc.constantFrom('-j LOG', '-j LOG --log-level 4', '-j NFLOG --nflog-prefix "nf "'),
    ...(jumps.length ? [pick(jumps).map((c) => `-j ${c}`), pick(jumps).map((c) => `-g ${c}`)] : []),
  );
}

/** A filter rule in `chain` (body after `-A chain`). */
function filterRuleArb(o: GenOptions, chain: string, bodies: readonly string[]): fc.Arbitrary<string> {
  const shapes: fc.Arbitrary<string>[] = [
    fc.tuple(matchesArb(o), filterTargetArb(o, chain)).map(([m, t]) => [m, t].filter(Boolean).join(' ')),
    fc.constantFrom('-i lo -j ACCEPT', '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-m conntrack --ctstate INVALID -j DROP', '-m state --state ESTABLISHED,RELATED -j ACCEPT', '-j DROP',
      '-s 198.51.100.7 -j DROP', '-m recent --name bad --rcheck --seconds 60 -j DROP', '-m set --match-set blacklist src -j DROP', '-p tcp --dprt 22 -j ACCEPT', '-p tcp --dport 22 -m conntrack --ctst NEW -j ACCEPT'),
  ];
  if (bodies.length) shapes.push(pick(bodies));
  return fc.oneof({ weight: 6, arbitrary: shapes[0]! }, { weight: 2, arbitrary: shapes[1]! }, ...(shapes[2] ? [{ weight: 1, arbitrary: shapes[2] }] : []));
}

const RAW_RULES = ['-p udp --dport 53 -j NOTRACK', '-p udp --sport 53 -j NOTRACK', '-p udp -m udp --dport 53 -j CT --notrack', '-i lo -j CT --notrack', '-p tcp --dport 80 -j NOTRACK'];
const NAT_RULES = ['-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80', '-o eth0 -j MASQUERADE', '-s 10.0.0.0/8 -o eth0 -j SNAT --to-source 192.0.2.1', '-p tcp --dport 80 -j REDIRECT --to-ports 8080'];
const MANGLE_RULES = ['-p tcp --dport 22 -j MARK --set-mark 1', '-j CONNMARK --restore-mark', '-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu'];

export interface GeneratedRuleset {
  readonly text: string;
  readonly family: 'ipv4' | 'ipv6';
}

/** A whole ruleset, save format (with tables, chain lines and COMMIT) or `iptables -S` commands. */
export function rulesetArb(bodies: readonly string[] = []): fc.Arbitrary<GeneratedRuleset> {
  return fc
    .record({
      family: fc.constantFrom('ipv4' as const, 'ipv6' as const),
      save: fc.boolean(),
      header: fc.boolean(),
      userChains: fc.subarray(['LOGDROP', 'BANNED', 'SERVICES', 'ssh_in'], { maxLength: 3 }),
      policies: fc.tuple(fc.constantFrom('ACCEPT', 'DROP'), fc.constantFrom('ACCEPT', 'DROP'), fc.constantFrom('ACCEPT', 'DROP')),
      raw: fc.option(fc.subarray(RAW_RULES, { minLength: 1 }), { nil: undefined }),
      nat: fc.option(fc.subarray(NAT_RULES, { minLength: 1 }), { nil: undefined }),
      mangle: fc.option(fc.subarray(MANGLE_RULES, { minLength: 1 }), { nil: undefined }),
      seed: fc.nat(),
    })
    .chain((c) => {
      const o: GenOptions = { family: c.family, userChains: c.userChains };
      const chains = ['INPUT', 'FORWARD', 'OUTPUT', ...c.userChains];
      return fc
        .array(fc.constantFrom(...chains).chain((chain) => filterRuleArb(o, chain, bodies.filter((b) => !/-[jg] (?!ACCEPT|DROP|RETURN|REJECT|LOG)/.test(b))).map((body) => `-A ${chain} ${body}`)), { minLength: 0, maxLength: 14 })
        .map((filterRules) => {
          const lines: string[] = [];
          const fam = c.family === 'ipv6' ? 'ip6tables' : 'iptables';
          if (c.save) {
            if (c.header) lines.push(`# Generated by ${fam}-save v1.8.9 on Sat Jan 27 15:00:00 2026`);
            const table = (name: string, builtins: string[], rules: readonly string[], user: readonly string[] = []) => {
              lines.push(`*${name}`);
              builtins.forEach((b, i) => lines.push(`:${b} ${name === 'filter' ? c.policies[i] ?? 'ACCEPT' : 'ACCEPT'} [0:0]`));
              for (const u of user) lines.push(`:${u} - [0:0]`);
              lines.push(...rules, 'COMMIT');
            };
            if (c.raw) table('raw', ['PREROUTING', 'OUTPUT'], c.raw.map((r) => `-A ${r.includes('-i ') ? 'PREROUTING' : c.seed % 2 ? 'PREROUTING' : 'OUTPUT'} ${r}`));
            if (c.mangle) table('mangle', ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], c.mangle.map((r) => `-A PREROUTING ${r}`));
            if (c.nat && c.family === 'ipv4') table('nat', ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], c.nat.map((r) => `-A ${/-o |SNAT|MASQ/.test(r) ? 'POSTROUTING' : 'PREROUTING'} ${r}`));
            table('filter', ['INPUT', 'FORWARD', 'OUTPUT'], filterRules, c.userChains);
            if (c.header) lines.push('# Completed on Sat Jan 27 15:00:00 2026');
          } else {
            lines.push(`-P INPUT ${c.policies[0]}`, `-P FORWARD ${c.policies[1]}`, `-P OUTPUT ${c.policies[2]}`);
            for (const u of c.userChains) lines.push(`-N ${u}`);
            lines.push(...filterRules);
          }
          return { text: lines.join('\n') + '\n', family: c.family };
        });
    });
}
