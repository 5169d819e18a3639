/**
 * Target knowledge: every verdict here was checked against iptables 1.8.9 (nft backend) and a real
 * kernel in a throwaway network namespace (iptables-nft-restore, not just --test), so a change
 * that flips one of them disagrees with the real thing.
 */
import { strict as assert } from 'node:assert';
import { validityFindings } from '../../server/src/analysis/validity';
import { TARGETS } from '../../server/src/knowledge/registry';
import type { Family } from '../../server/src/knowledge/types';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

interface Where {
  family?: Family;
  table?: string;
  chain?: string;
}

function findings(rule: string, where: Where = {}) {
  const text = `*${where.table ?? 'filter'}\n-A ${where.chain ?? 'INPUT'} ${rule}\nCOMMIT\n`;
  const rs = parseRuleset(text, { family: where.family ?? 'ipv4', familySource: 'setting' });
  return validityFindings(rs);
}

const errors = (rule: string, where?: Where) => findings(rule, where).filter((f) => f.severity === 'error');
const warnings = (rule: string, where?: Where) => findings(rule, where).filter((f) => f.severity === 'warning');

function accepts(rule: string, where?: Where): void {
  const e = errors(rule, where);
  assert.deepEqual(e.map((f) => `${f.code}: ${f.message}`), [], `expected \`${rule}\` to be accepted`);
}

function refuses(rule: string, where?: Where, pattern?: RegExp): void {
  const e = errors(rule, where);
  assert.ok(e.length > 0, `expected \`${rule}\` to be refused`);
  if (pattern) assert.ok(e.some((f) => pattern.test(`${f.code}: ${f.message}`)), `no error matching ${pattern} for \`${rule}\`: ${e.map((f) => f.message).join(' | ')}`);
}

const NAT_PRE = { table: 'nat', chain: 'PREROUTING' };
const NAT_POST = { table: 'nat', chain: 'POSTROUTING' };
const MANGLE = { table: 'mangle', chain: 'PREROUTING' };
const MANGLE_POST = { table: 'mangle', chain: 'POSTROUTING' };
const V6 = (w: Where): Where => ({ ...w, family: 'ipv6' });

describe('knowledge: targets', () => {
  describe('data integrity', () => {
    it('every target has a one-line summary, a doc, a termination and families', () => {
      for (const t of TARGETS) {
        assert.ok(t.summary.trim().length > 10 && !t.summary.includes('\n'), `${t.name}: summary`);
        assert.ok(t.doc.trim().length > 30, `${t.name}: doc`);
        assert.ok(['terminating', 'continue', 'depends'].includes(t.termination), `${t.name}: termination`);
        assert.ok(t.families.length > 0, `${t.name}: families`);
        assert.match(t.name, /^[A-Z][A-Z0-9]*$/, `${t.name}: targets are upper case`);
      }
    });

    it('one entry per target name and family', () => {
      const seen = new Set<string>();
      for (const t of TARGETS) {
        for (const f of t.families) {
          const key = `${t.name}/${f}`;
          assert.ok(!seen.has(key), `${key} defined twice`);
          seen.add(key);
        }
      }
    });

    it('option names and aliases are unique within a target, and every option is described', () => {
      for (const t of TARGETS) {
        const names = t.options.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
        assert.equal(new Set(names).size, names.length, `${t.name}: duplicate option name`);
        for (const o of t.options) {
          assert.match(o.name, /^--[a-z0-9-]+$/, `${t.name} ${o.name}`);
          assert.ok(o.summary.trim().length > 5 && !o.summary.includes('\n'), `${t.name} ${o.name}: summary`);
          for (const a of o.args) assert.equal(typeof a.check, 'function', `${t.name} ${o.name}: arg check`);
          for (const x of [...(o.excludes ?? []), ...(o.requires ?? [])]) {
            assert.ok(t.options.some((p) => p.name === x), `${t.name} ${o.name}: refers to unknown option ${x}`);
          }
        }
        for (const x of t.needsOneOf ?? []) assert.ok(t.options.some((p) => p.name === x), `${t.name}: needsOneOf ${x}`);
      }
    });

    it('covers every target of iptables 1.8.9', () => {
      const v4 = ['AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNMARK', 'CONNSECMARK', 'CT', 'DNAT', 'DSCP', 'ECN', 'HMARK', 'IDLETIMER', 'LED', 'LOG', 'MARK', 'MASQUERADE', 'NETMAP', 'NFLOG', 'NFQUEUE', 'NOTRACK', 'RATEEST', 'REDIRECT', 'REJECT', 'SECMARK', 'SET', 'SNAT', 'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TRACE', 'TTL', 'ULOG'];
      const v6 = ['AUDIT', 'CHECKSUM', 'CLASSIFY', 'CONNMARK', 'CONNSECMARK', 'CT', 'DNAT', 'DNPT', 'DSCP', 'HL', 'HMARK', 'IDLETIMER', 'LED', 'LOG', 'MARK', 'MASQUERADE', 'NETMAP', 'NFLOG', 'NFQUEUE', 'NOTRACK', 'RATEEST', 'REDIRECT', 'REJECT', 'SECMARK', 'SET', 'SNAT', 'SNPT', 'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TRACE'];
      const have = (f: Family) => TARGETS.filter((t) => t.families.includes(f)).map((t) => t.name);
      for (const n of v4) assert.ok(have('ipv4').includes(n), `missing IPv4 ${n}`);
      for (const n of v6) assert.ok(have('ipv6').includes(n), `missing IPv6 ${n}`);
      for (const n of ['TTL', 'ECN', 'CLUSTERIP', 'ULOG']) assert.ok(!have('ipv6').includes(n), `${n} is IPv4 only`);
      for (const n of ['HL', 'DNPT', 'SNPT']) assert.ok(!have('ipv4').includes(n), `${n} is IPv6 only`);
    });

    it('says which targets end the chain', () => {
      const term = (n: string) => TARGETS.find((t) => t.name === n)!.termination;
      for (const n of ['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'TPROXY', 'NFQUEUE', 'REJECT']) assert.equal(term(n), 'terminating', n);
      for (const n of ['MARK', 'CONNMARK', 'LOG', 'NFLOG', 'TEE', 'SET', 'TCPMSS', 'DNPT', 'SNPT', 'TRACE', 'AUDIT', 'CT']) assert.equal(term(n), 'continue', n);
      for (const n of ['SYNPROXY', 'CLUSTERIP']) assert.equal(term(n), 'depends', n);
    });
  });

  describe('tables and hooks the kernel accepts', () => {
    it('MASQUERADE: nat POSTROUTING only', () => {
      accepts('-o eth0 -j MASQUERADE', NAT_POST);
      refuses('-j MASQUERADE', { table: 'filter', chain: 'OUTPUT' }, /target-table/);
      refuses('-j MASQUERADE', NAT_PRE, /target-hook/);
      refuses('-j MASQUERADE', V6({ table: 'nat', chain: 'OUTPUT' }), /target-hook/);
    });

    it('DNAT/REDIRECT: PREROUTING and OUTPUT; SNAT: POSTROUTING and INPUT; NETMAP: all four', () => {
      accepts('-j DNAT --to-destination 10.0.0.1', { table: 'nat', chain: 'OUTPUT' });
      refuses('-j DNAT --to-destination 10.0.0.1', NAT_POST, /target-hook/);
      refuses('-j REDIRECT', { table: 'nat', chain: 'INPUT' }, /target-hook/);
      accepts('-j SNAT --to-source 10.0.0.1', { table: 'nat', chain: 'INPUT' });
      refuses('-j SNAT --to-source 10.0.0.1', NAT_PRE, /target-hook/);
      for (const chain of ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']) accepts('-j NETMAP --to 10.9.0.0/24', { table: 'nat', chain });
      refuses('-j NETMAP --to 10.9.0.0/24', MANGLE, /target-table/);
    });

    it('a user chain inherits the hooks that reach it', () => {
      const text = '*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:fwd - [0:0]\n-A POSTROUTING -j fwd\n-A fwd -j DNAT --to-destination 10.0.0.1\nCOMMIT\n';
      const rs = parseRuleset(text, { family: 'ipv4', familySource: 'setting' });
      const e = validityFindings(rs).filter((f) => f.severity === 'error');
      assert.ok(e.some((f) => f.code === 'target-hook' && /POSTROUTING/.test(f.message)), e.map((f) => f.message).join(' | '));
      const ok = parseRuleset(text.replace('-A POSTROUTING -j fwd', '-A PREROUTING -j fwd'), { family: 'ipv4', familySource: 'setting' });
      assert.deepEqual(validityFindings(ok).filter((f) => f.severity === 'error'), []);
    });

    it('mangle-only targets', () => {
      for (const rule of ['-j DSCP --set-dscp 1', '-j TOS --set-tos 1', '-j TTL --ttl-set 1', '-j CHECKSUM --checksum-fill', '-p tcp -j TCPOPTSTRIP', '-p tcp -j ECN --ecn-tcp-remove']) {
        accepts(rule, MANGLE_POST);
        refuses(rule, { table: 'filter', chain: 'FORWARD' }, /target-table/);
      }
      accepts('-j HL --hl-dec 1', V6(MANGLE));
      refuses('-j HL --hl-dec 1', V6({ table: 'raw', chain: 'PREROUTING' }), /target-table/);
    });

    it('TPROXY: mangle PREROUTING only, with -p tcp or udp', () => {
      accepts('-p tcp -j TPROXY --on-port 3128 --tproxy-mark 0x1/0x1', MANGLE);
      accepts('-p udp -j TPROXY --on-port 53', V6(MANGLE));
      refuses('-p tcp -j TPROXY --on-port 3128', { table: 'mangle', chain: 'INPUT' }, /target-hook/);
      refuses('-j TPROXY --on-port 3128', MANGLE, /protocol-required/);
      refuses('! -p udp -j TPROXY --on-port 3128', MANGLE, /protocol-required/);
      refuses('-p sctp -j TPROXY --on-port 3128', MANGLE, /protocol-required/);
      refuses('-p tcp -j TPROXY --on-ip 10.0.0.1', MANGLE, /needs --on-port/);
    });

    it('CLASSIFY: FORWARD, OUTPUT and POSTROUTING in any table', () => {
      accepts('-j CLASSIFY --set-class 1:10', MANGLE_POST);
      accepts('-j CLASSIFY --set-class 1:10', { table: 'raw', chain: 'OUTPUT' });
      refuses('-j CLASSIFY --set-class 1:10', { table: 'mangle', chain: 'INPUT' }, /target-hook/);
    });

    it('SYNPROXY: INPUT and FORWARD, -p tcp; DNPT/SNPT: their own hooks', () => {
      accepts('-p tcp -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --mss 1460 --wscale 7 --sack-perm --timestamp', { chain: 'FORWARD' });
      accepts('-p tcp -j SYNPROXY', { table: 'mangle', chain: 'INPUT' });
      refuses('-p tcp -j SYNPROXY', { chain: 'OUTPUT' }, /target-hook/);
      refuses('-j SYNPROXY', {}, /protocol-required/);
      accepts('-j DNPT --src-pfx 2001:db8::/64 --dst-pfx fd00::/64', V6({ table: 'mangle', chain: 'OUTPUT' }));
      refuses('-j DNPT --src-pfx 2001:db8::/64 --dst-pfx fd00::/64', V6({ table: 'mangle', chain: 'POSTROUTING' }), /target-hook/);
      accepts('-j SNPT --src-pfx fd00::/64 --dst-pfx 2001:db8::/64', V6({ table: 'mangle', chain: 'INPUT' }));
      refuses('-j SNPT --src-pfx fd00::/64 --dst-pfx 2001:db8::/64', V6(MANGLE), /target-hook/);
    });

    it('SECMARK/CONNSECMARK: mangle and security; TRACE: everywhere on nft, with a warning outside raw', () => {
      accepts('-j SECMARK --selctx system_u:object_r:http_packet_t:s0', { table: 'security' });
      accepts('-j CONNSECMARK --save', { table: 'mangle', chain: 'FORWARD' });
      refuses('-j CONNSECMARK --save', {}, /target-table/);
      accepts('-j TRACE', { table: 'raw', chain: 'PREROUTING' });
      assert.deepEqual(warnings('-j TRACE', { table: 'raw', chain: 'OUTPUT' }), []);
      accepts('-j TRACE', { table: 'filter' });
      assert.ok(warnings('-j TRACE', { table: 'filter' }).some((w) => /legacy/.test(w.message)));
    });

    it('targets valid everywhere', () => {
      for (const where of [{ table: 'raw', chain: 'PREROUTING' }, NAT_POST, { table: 'security', chain: 'FORWARD' }]) {
        for (const rule of ['-j MARK --set-mark 1', '-j CONNMARK --restore-mark', '-j NFLOG', '-j NFQUEUE', '-j TEE --gateway 10.0.0.9', '-j AUDIT --type drop', '-j IDLETIMER --timeout 60 --label lan']) {
          accepts(rule, where);
        }
      }
    });
  });

  describe('fixes outside knowledge (regressions)', () => {
    it('option-level hooks of targets: refused in the wrong built-in chain', () => {
      refuses('-p tcp -j TCPMSS --clamp-mss-to-pmtu', MANGLE, /--clamp-mss-to-pmtu of TCPMSS is only valid in FORWARD, OUTPUT, POSTROUTING/);
      accepts('-p tcp -j TCPMSS --clamp-mss-to-pmtu', { table: 'raw', chain: 'OUTPUT' });
      accepts('-p tcp -j TCPMSS --set-mss 1400', MANGLE);
      accepts('-j SET --map-set prio src --map-prio', MANGLE_POST);
      refuses('-j SET --map-set prio src --map-prio', MANGLE, /--map-prio of SET/);
    });

    it('option-level hooks in user chains: a warning, since iptables-nft loads them (legacy refuses)', () => {
      const text = '*mangle\n:PREROUTING ACCEPT [0:0]\n:clamp - [0:0]\n-A PREROUTING -j clamp\n-A clamp -p tcp -j TCPMSS --clamp-mss-to-pmtu\nCOMMIT\n';
      const all = validityFindings(parseRuleset(text, { family: 'ipv4', familySource: 'setting' }));
      assert.deepEqual(all.filter((f) => f.severity === 'error'), []);
      assert.ok(all.some((f) => f.severity === 'warning' && f.code === 'target-hook' && /legacy/.test(f.message)));
    });

    it('NAT ports need -p before the target; kernel-side protocol checks do not care about the order', () => {
      refuses('-j DNAT --to-destination 1.1.1.1:80 -p tcp', NAT_PRE, /comes after --to-destination/);
      refuses('-j MASQUERADE --to-ports 1024 -p udp', NAT_POST, /comes after --to-ports/);
      accepts('-j DNAT --to-destination 1.1.1.1 -p tcp', NAT_PRE);
      accepts('-j MASQUERADE --random -p udp --to-ports 1024', NAT_POST);
      accepts('-j REJECT --reject-with tcp-reset -p tcp');
      accepts('-j ECN --ecn-tcp-remove -p tcp', MANGLE);
    });
  });

  describe('NAT arguments', () => {
    it('accepts the address and port forms iptables accepts', () => {
      accepts('-j DNAT --to-destination 1.1.1.1-1.1.1.10', NAT_PRE);
      accepts('-p tcp -j DNAT --to-destination 1.1.1.1:ssh', NAT_PRE);
      accepts('-p tcp -j DNAT --to-destination 1.1.1.1:0x10-0x20', NAT_PRE);
      accepts('-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/ftp', NAT_PRE);
      accepts('-p udp -j DNAT --to-destination :53', NAT_PRE);
      accepts('-p icmp -j DNAT --to-destination 1.1.1.1:5', NAT_PRE);
      accepts('-p 6 -j DNAT --to 1.1.1.1:80', NAT_PRE);
      accepts('-p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/3000', V6(NAT_PRE));
      accepts('-j DNAT --to-destination dead::1:80', V6(NAT_PRE));
      accepts('-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/30 --random --random-fully --persistent', NAT_POST);
      accepts('-p tcp -j MASQUERADE --to-ports 1024-65535/2000', NAT_POST);
      accepts('-p udp -j REDIRECT --to-ports 512-512', NAT_PRE);
    });

    it('refuses near misses', () => {
      refuses('-j DNAT --to-destination 1.1.1.1:80', NAT_PRE, /needs `-p tcp`/);
      refuses('-p udplite -j DNAT --to-destination 1.1.1.1:80', NAT_PRE, /needs `-p tcp`/);
      refuses('-p tcp -j DNAT --to-destination 1.1.1.1:08', NAT_PRE);
      refuses('-p tcp -j DNAT --to-destination 1.1.1.1:80:90', NAT_PRE);
      refuses('-p tcp -j DNAT --to-destination 1.1.1.1:90-80', NAT_PRE, /ends below/);
      refuses('-p tcp -j DNAT --to-destination 1.1.1.1:echo-ssh', NAT_PRE);
      refuses('-p tcp -j DNAT --to-destination 1.1.1.1:10-ssh', NAT_PRE);
      refuses('-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/0', NAT_PRE);
      refuses('-p tcp -j DNAT --to-destination 1.1.1.1:65536', NAT_PRE);
      refuses('-j DNAT --to-destination 1.1.1', NAT_PRE);
      refuses('-j DNAT --to-destination localhost', NAT_PRE);
      refuses('-j DNAT --to-destination [1.1.1.1]', NAT_PRE, /brackets/);
      refuses('-j DNAT --to-destination 1.1.1.1 --to-destination 2.2.2.2', NAT_PRE, /once/);
      refuses('-j DNAT', NAT_PRE, /needs --to-destination/);
      refuses('-j DNAT --to-destination 1.2.3.4', V6(NAT_PRE), /IPv4 address/);
      refuses('-p tcp -j REDIRECT --to-ports 1000-2000/5', NAT_PRE, /offset/);
      refuses('-p tcp -j REDIRECT --to-ports 1000-2000/5', V6(NAT_PRE), /offset/);
      refuses('-p tcp -j MASQUERADE --to-ports 1000:2000', NAT_POST, /dash/);
      refuses('-j MASQUERADE --to-ports 1024', NAT_POST, /needs `-p tcp`/);
      refuses('-j MASQUERADE --persistent', NAT_POST, /unknown-option/);
      refuses('-j DNAT --to-destination 1.1.1.1 --random-fully', NAT_PRE, /unknown-option/);
    });

    it('warns about a reversed address range', () => {
      accepts('-j DNAT --to-destination 10.0.0.9-10.0.0.1', NAT_PRE);
      assert.ok(warnings('-j DNAT --to-destination 10.0.0.9-10.0.0.1', NAT_PRE).some((w) => /starts above/.test(w.message)));
    });

    it('NETMAP, DNPT and SNPT prefixes', () => {
      accepts('-j NETMAP --to 1.2.3.0/255.255.255.0', NAT_PRE);
      accepts('-j NETMAP --to dead::/64', V6(NAT_PRE));
      refuses('-j NETMAP --to /24', NAT_PRE);
      refuses('-j NETMAP --to dead::/129', V6(NAT_PRE));
      accepts('-j DNPT --src-pfx dead::/48 --dst-pfx 1c3::/64', V6(MANGLE));
      refuses('-j DNPT --src-pfx dead::beef --dst-pfx 1c3::/64', V6(MANGLE), /at most \/64/);
      refuses('-j DNPT --src-pfx dead::/65 --dst-pfx 1c3::/64', V6(MANGLE), /at most \/64/);
      refuses('-j DNPT --src-pfx dead::1/64 --dst-pfx 1c3::/64', V6(MANGLE), /bits set/);
      refuses('-j DNPT --src-pfx dead::/64', V6(MANGLE), /needs --dst-pfx/);
    });
  });

  describe('marking', () => {
    it('MARK and CONNMARK', () => {
      accepts('-j MARK --set-xmark 0xfeedcafe/0xfeedcafe');
      accepts('-j MARK --set-mark 0x100/0xff00');
      accepts('-j MARK --or-mark 4294967295');
      refuses('-j MARK --set-xmark 4294967296');
      refuses('-j MARK --set-xmark -1');
      refuses('-j MARK --set-mark 1 --and-mark 2', {}, /cannot be used together/);
      refuses('-j MARK', {}, /does nothing without/);
      accepts('-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff', MANGLE);
      accepts('-j CONNMARK --restore-mark --mask 0xff --right-shift-mark 8', MANGLE);
      refuses('-j CONNMARK --save-mark --mask 0xff --nfmask 1', MANGLE, /cannot be used together/);
      refuses('-j CONNMARK --set-mark 1 --save-mark', MANGLE, /cannot be used together/);
      refuses('-j CONNMARK --ctmask 1', MANGLE, /does nothing without/);
      refuses('-j CONNMARK --save-mark --left-shift-mark 32', MANGLE);
    });

    it('HMARK', () => {
      accepts('-j HMARK --hmark-tuple s,d,sp,dp,pr --hmark-mod 2 --hmark-rnd 1');
      accepts('-j HMARK --hmark-src-prefix 255.255.0.0 --hmark-rnd 0x4 --hmark-mod 42');
      accepts('-j HMARK --hmark-src-prefix ffff:: --hmark-rnd 4 --hmark-mod 42', V6({}));
      refuses('-j HMARK', {}, /needs --hmark-rnd|needs --hmark-mod/);
      refuses('-j HMARK --hmark-tuple src --hmark-mod 2', {}, /needs --hmark-rnd/);
      refuses('-j HMARK --hmark-tuple src --hmark-mod 0 --hmark-rnd 1');
      refuses('-j HMARK --hmark-tuple src, --hmark-mod 2 --hmark-rnd 1');
      refuses('-j HMARK --hmark-tuple sport --hmark-spi-mask 4 --hmark-mod 2 --hmark-rnd 1', {}, /SPI and ports/);
      refuses('-j HMARK --hmark-spi 4 --hmark-sport 3 --hmark-mod 2 --hmark-rnd 1', {}, /--hmark-spi together/);
      refuses('-j HMARK --hmark-mod 2 --hmark-rnd 1', {}, /needs something to hash/);
      refuses('-j HMARK --hmark-src-prefix 129 --hmark-rnd 4 --hmark-mod 42', V6({}));
    });

    it('CLASSIFY reads hexadecimal major:minor like sscanf', () => {
      accepts('-j CLASSIFY --set-class 0000:ffff', MANGLE_POST);
      accepts('-j CLASSIFY --set-class 1:-1', MANGLE_POST);
      accepts('-j CLASSIFY --set-class 0x:1', MANGLE_POST);
      refuses('-j CLASSIFY --set-class 1', MANGLE_POST);
      refuses('-j CLASSIFY --set-class g:1', MANGLE_POST);
      refuses('-j CLASSIFY', MANGLE_POST, /needs --set-class/);
      assert.ok(warnings('-j CLASSIFY --set-class 0:fffff', MANGLE_POST).length > 0);
    });
  });

  describe('packet rewriting', () => {
    it('DSCP and TOS', () => {
      accepts('-j DSCP --set-dscp 0x3f', MANGLE);
      accepts('-j DSCP --set-dscp-class af41', MANGLE);
      refuses('-j DSCP --set-dscp 0x40', MANGLE);
      refuses('-j DSCP --set-dscp-class AF4', MANGLE);
      refuses('-j DSCP --set-dscp 1 --set-dscp-class EF', MANGLE, /cannot be used together/);
      accepts('-j TOS --set-tos Minimize-Delay', MANGLE);
      accepts('-j TOS --set-tos minimize-cost', MANGLE);
      accepts('-j TOS --set-tos 0xff', MANGLE);
      accepts('-j TOS --set-tos 0x10/0x3f', V6(MANGLE));
      refuses('-j TOS --set-tos 0x100', MANGLE);
      refuses('-j TOS --set-tos 0x10/0x1ff', MANGLE);
      refuses('-j TOS', MANGLE, /does nothing without/);
    });

    it('TTL, HL and ECN', () => {
      accepts('-j TTL --ttl-dec 1', MANGLE);
      refuses('-j TTL --ttl-inc 0', MANGLE);
      refuses('-j TTL --ttl-set 256', MANGLE);
      refuses('-j TTL --ttl-dec 1 --ttl-inc 1', MANGLE, /cannot be used together/);
      refuses('-j TTL --ttl-set 1', V6(MANGLE), /only for iptables/);
      refuses('-j HL --hl-set 1', MANGLE, /only for ip6tables/);
      accepts('-j ECN --ecn-ip-ect 1', MANGLE);
      accepts('-p tcp -j ECN --ecn-tcp-cwr 1 --ecn-tcp-ece 0', MANGLE);
      refuses('-j ECN --ecn-tcp-remove', MANGLE, /-p tcp/);
      refuses('! -p tcp -j ECN --ecn-tcp-ece 1', MANGLE, /-p tcp/);
      refuses('-p tcp -j ECN', MANGLE, /does nothing without/);
      refuses('-j ECN --ecn-ip-ect 4', MANGLE);
    });

    it('TCPMSS and TCPOPTSTRIP', () => {
      accepts('-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --clamp-mss-to-pmtu', { table: 'mangle', chain: 'FORWARD' });
      accepts('-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 65495', V6({ chain: 'FORWARD' }));
      refuses('-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 65496', V6({ chain: 'FORWARD' }));
      refuses('-p tcp -j TCPMSS --set-mss 65516', { chain: 'FORWARD' });
      refuses('-j TCPMSS --set-mss 1400', { chain: 'FORWARD' }, /protocol-required/);
      refuses('-p tcp -j TCPMSS', { chain: 'FORWARD' }, /does nothing without/);
      accepts('-p tcp -j TCPMSS --set-mss 1400', { chain: 'FORWARD' });
      assert.ok(warnings('-p tcp -j TCPMSS --set-mss 1400', { chain: 'FORWARD' }).some((w) => /SYN/.test(w.message)));
      accepts('-p tcp -j TCPOPTSTRIP --strip-options wscale,sack-permitted,8,0x13', MANGLE);
      refuses('-p tcp -j TCPOPTSTRIP --strip-options MSS', MANGLE);
      refuses('-p tcp -j TCPOPTSTRIP --strip-options 1', MANGLE);
      refuses('-p tcp -j TCPOPTSTRIP --strip-options mss,2', MANGLE, /twice/);
      refuses('-j TCPOPTSTRIP', MANGLE, /protocol-required/);
    });
  });

  describe('logging and queueing', () => {
    it('LOG: long prefixes are cut, not refused; `panic` is a level', () => {
      accepts('-j LOG --log-prefix "0123456789012345678901234567890123: "');
      assert.ok(warnings('-j LOG --log-prefix "0123456789012345678901234567890123: "').some((w) => /29/.test(w.message)));
      accepts('-j LOG --log-level panic');
      refuses('-j LOG --log-level PANIC');
      refuses('-j LOG --log-level 8');
      refuses('-j LOG --log-prefix ""');
    });

    it('NFLOG and ULOG', () => {
      accepts('-j NFLOG --nflog-group 65535 --nflog-size 0 --nflog-threshold 0');
      refuses('-j NFLOG --nflog-group 65536');
      refuses('-j NFLOG --nflog-range 5 --nflog-size 6', {}, /cannot be used together/);
      assert.ok(findings('-j NFLOG --nflog-range 5').some((f) => f.code === 'deprecated-option'));
      refuses('-j ULOG', {}, /3\.17/);
      refuses('-j ULOG --ulog-nlgroup 1', V6({}), /unknown-target/);
    });

    it('NFQUEUE ranges', () => {
      accepts('-j NFQUEUE --queue-balance 0:65534');
      accepts('-j NFQUEUE --queue-balance 5:');
      accepts('-j NFQUEUE --queue-balance :5 --queue-cpu-fanout --queue-bypass');
      refuses('-j NFQUEUE --queue-balance 0:65535');
      refuses('-j NFQUEUE --queue-balance -1:65535');
      refuses('-j NFQUEUE --queue-balance 5');
      refuses('-j NFQUEUE --queue-balance 5:5');
      refuses('-j NFQUEUE --queue-cpu-fanout', {}, /needs --queue-balance/);
      refuses('-j NFQUEUE --queue-num 3 --queue-balance 1:3', {}, /cannot be used together/);
    });

    it('AUDIT', () => {
      accepts('-j AUDIT --type ACCEPT');
      refuses('-j AUDIT', {}, /needs --type/);
      refuses('-j AUDIT --type wrong');
    });
  });

  describe('steering and state', () => {
    it('TEE', () => {
      accepts('-j TEE --gateway 10.0.0.9 --oif eth1');
      accepts('-j TEE --gateway fe80::1', V6({}));
      refuses('-j TEE --gateway 0.0.0.0', {}, /all-zero/);
      refuses('-j TEE --gateway 10.0.0.0/24');
      refuses('-j TEE ! --gateway 1.1.1.1', {}, /negated/);
      refuses('-j TEE', {}, /needs --gateway/);
    });

    it('SET', () => {
      accepts('-j SET --add-set scanners src --exist --timeout 3600');
      accepts('-j SET --add-set pairs src,dst --del-set other dst');
      accepts('-j SET --map-set prio src --map-mark', MANGLE);
      refuses('-j SET --add-set scanners', {}, /needs 2 values/);
      refuses('-j SET --add-set scanners foo');
      refuses('-j SET --del-set x src --exist', {}, /needs --add-set/);
      refuses('-j SET --map-set prio src --map-mark', {}, /mangle/);
      refuses('-j SET --map-set prio src', MANGLE, /--map-mark/);
      refuses('-j SET --add-set 0123456789012345678901234567890123 src');
      refuses('-j SET', {}, /does nothing without/);
    });

    it('IDLETIMER, LED and RATEEST', () => {
      accepts('-j IDLETIMER --timeout 2147482 --label foo --alarm');
      refuses('-j IDLETIMER --timeout 2147483 --label foo');
      refuses('-j IDLETIMER --timeout 0 --label foo');
      refuses('-j IDLETIMER --timeout 5 --label a/b');
      refuses('-j IDLETIMER --timeout 42', {}, /needs --label/);
      accepts('-j LED --led-trigger-id "foo" --led-delay 42 --led-always-blink');
      accepts('-j LED --led-trigger-id foo --led-delay infinity');
      refuses('-j LED --led-trigger-id 12345678901234567');
      refuses('-j LED --led-trigger-id foo --led-delay x');
      accepts('-j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms');
      accepts('-j RATEEST --rateest-name RE1 --rateest-interval 8s --rateest-ewmalog 16s');
      refuses('-j RATEEST --rateest-name RE1 --rateest-interval 9s --rateest-ewmalog 16s', {}, /too long/);
      refuses('-j RATEEST --rateest-name RE1 --rateest-interval 1s --rateest-ewmalog 1s', {}, /averaging/);
      refuses('-j RATEEST --rateest-name RE1 --rateest-interval 1min --rateest-ewmalog 2s');
    });

    it('CLUSTERIP is refused: never usable from iptables-nft', () => {
      refuses('-d 10.31.3.236/32 -i lo -j CLUSTERIP --new --hashmode sourceip --clustermac 01:AA:7B:47:F7:D7 --total-nodes 2 --local-node 1 --hash-init 1', {}, /iptables-nft/);
      refuses('-j CLUSTERIP --new --clustermac 00:AA:7B:47:F7:D7', {}, /multicast/);
    });

    it('CT', () => {
      accepts('-j CT --zone MARK', { table: 'raw', chain: 'PREROUTING' });
      accepts('-j CT --zone-orig 5 --zone-reply mark', { table: 'raw', chain: 'OUTPUT' });
      refuses('-j CT --ctevents label', { table: 'raw', chain: 'PREROUTING' });
      refuses('-j CT --notrack', { table: 'mangle', chain: 'PREROUTING' }, /target-table/);
    });
  });
});
