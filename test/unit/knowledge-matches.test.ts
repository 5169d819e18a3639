/**
 * Match knowledge: every verdict here was checked against iptables 1.8.9 (nft backend) and a real
 * kernel in a throwaway network namespace (rules loaded for real, not just `--test`), so a change
 * that flips one of them disagrees with the real thing. The few verdicts that depend on the
 * machine (kernel objects, name files) say so next to them.
 */
import { strict as assert } from 'node:assert';
import { validityFindings } from '../../server/src/analysis/validity';
import { findMatch, MATCHES } from '../../server/src/knowledge/registry';
import type { Family, Hook } from '../../server/src/knowledge/types';
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

function warns(rule: string, where?: Where, pattern?: RegExp): void {
  accepts(rule, where);
  const w = warnings(rule, where);
  assert.ok(w.length > 0, `expected a warning for \`${rule}\``);
  if (pattern) assert.ok(w.some((f) => pattern.test(f.message)), `no warning matching ${pattern} for \`${rule}\`: ${w.map((f) => f.message).join(' | ')}`);
}

const V6: Where = { family: 'ipv6' };
const at = (chain: Hook, table = 'filter', family: Family = 'ipv4'): Where => ({ chain, table, family });
const OUT = at('OUTPUT');

describe('knowledge: matches', () => {
  describe('data integrity', () => {
    it('every match has a one-line summary, a doc and families', () => {
      for (const m of MATCHES) {
        assert.ok(m.summary.trim().length > 10 && !m.summary.includes('\n'), `${m.name}: summary`);
        assert.ok(m.doc.trim().length > 60, `${m.name}: doc`);
        assert.ok(m.families.length > 0 && m.families.every((f) => f === 'ipv4' || f === 'ipv6'), `${m.name}: families`);
        assert.match(m.name, /^[a-z][a-z0-9]*$/, `${m.name}: match names are lower case`);
      }
    });

    it('one entry per match name and family', () => {
      const seen = new Set<string>();
      for (const m of MATCHES) {
        for (const f of m.families) {
          const key = `${m.name}/${f}`;
          assert.ok(!seen.has(key), `${key} defined twice`);
          seen.add(key);
        }
      }
    });

    it('option names and aliases are unique within a match, and every option is described', () => {
      for (const m of MATCHES) {
        const names = m.options.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
        assert.equal(new Set(names).size, names.length, `${m.name}: duplicate option name`);
        for (const o of m.options) {
          assert.match(o.name, /^--[a-z0-9-]+$/, `${m.name} ${o.name}`);
          assert.ok(o.summary.trim().length > 5 && !o.summary.includes('\n'), `${m.name} ${o.name}: summary`);
          for (const a of o.args) assert.equal(typeof a.check, 'function', `${m.name} ${o.name}: arg check`);
          for (const x of [...(o.excludes ?? []), ...(o.requires ?? [])]) {
            assert.ok(m.options.some((p) => p.name === x), `${m.name} ${o.name}: refers to unknown option ${x}`);
          }
        }
        for (const x of m.needsOneOf ?? []) assert.ok(m.options.some((p) => p.name === x), `${m.name}: needsOneOf ${x}`);
      }
    });

    it('knows every match module of iptables 1.8.9, for the right families', () => {
      const both = [
        'addrtype', 'bpf', 'cgroup', 'cluster', 'comment', 'connbytes', 'connlabel', 'connlimit', 'connmark', 'conntrack',
        'cpu', 'dccp', 'devgroup', 'dscp', 'ecn', 'esp', 'hashlimit', 'helper', 'iprange', 'ipcomp', 'ipvs', 'length',
        'limit', 'mac', 'mark', 'multiport', 'nfacct', 'owner', 'physdev', 'pkttype', 'policy', 'quota', 'rateest',
        'recent', 'rpfilter', 'sctp', 'set', 'socket', 'state', 'statistic', 'string', 'tcp', 'tcpmss', 'time', 'tos',
        'u32', 'udp', 'ah',
      ];
      const v4 = ['icmp', 'osf', 'realm', 'ttl'];
      const v6 = ['dst', 'eui64', 'frag', 'hbh', 'hl', 'icmp6', 'ipv6header', 'mh', 'rt', 'srh'];
      for (const n of both) for (const f of ['ipv4', 'ipv6'] as const) assert.ok(findMatch(n, f), `${n} for ${f}`);
      for (const n of v4) assert.ok(findMatch(n, 'ipv4') && !findMatch(n, 'ipv6'), `${n} is IPv4-only`);
      for (const n of v6) assert.ok(findMatch(n, 'ipv6') && !findMatch(n, 'ipv4'), `${n} is IPv6-only`);
      // iptables 1.8.9 has no userspace extension for these kernel matches
      for (const n of ['udplite', 'l2tp', 'unclean']) assert.ok(!findMatch(n, 'ipv4'), n);
    });
  });

  describe('validity engine (match tables, option hooks, hook-dependent checks)', () => {
    it('refuses a match outside its tables', () => {
      accepts('-m rpfilter --invert', at('PREROUTING', 'raw'));
      accepts('-m rpfilter --loose', at('PREROUTING', 'mangle'));
      refuses('-m rpfilter', at('PREROUTING', 'nat'), /only valid in the raw or mangle tables/);
    });
    it('refuses an option outside its hooks while the module itself is fine', () => {
      accepts('-m addrtype --src-type LOCAL --limit-iface-in');
      refuses('-m addrtype --src-type LOCAL --limit-iface-in', OUT, /--limit-iface-in of the addrtype match/);
      refuses('-m addrtype --src-type LOCAL --limit-iface-out', at('PREROUTING', 'mangle'), /--limit-iface-out/);
      accepts('-m devgroup --dst-group 1', OUT);
      refuses('-m devgroup --src-group 1', OUT, /--src-group/);
    });
    it('gives module checks the built-in chain', () => {
      refuses('-m physdev --physdev-out lo', OUT, /physdev-is-bridged/);
      accepts('-m physdev --physdev-out lo --physdev-is-bridged', OUT);
      accepts('-m physdev --physdev-out lo', at('POSTROUTING', 'mangle'));
      refuses('-m policy --dir in --pol none', OUT, /--dir in/);
      accepts('-m policy --dir out --pol none', OUT);
      refuses('-m policy --dir out --pol none', at('PREROUTING', 'mangle'), /--dir out/);
    });
  });

  describe('tcp, udp, icmp, icmp6, multiport, conntrack, limit', () => {
    it('reads tcp ports with xtables_parse_port and udp ports through getaddrinfo', () => {
      accepts('-p tcp --sport 0x10');
      accepts('-p tcp --dport ssh');
      refuses('-p tcp --dport bootps', undefined, /tcp service/);
      refuses('-p tcp --sport 5:3');
      accepts('-p udp --dport bootps');
      refuses('-p udp --sport 0x10');
      warns('-p udp --sport 5:3', undefined, /starts above its end/);
      warns('-p udp --sport 70000', undefined, /only its low 16 bits/);
      refuses('-p udp --sport -1');
    });
    it('takes ICMP names by unambiguous prefix and numbers with code ranges', () => {
      accepts('-p icmp --icmp-type echo-req');
      accepts('-p icmp --icmp-type 0x8');
      accepts('-p icmp --icmp-type 3:3/0:4');
      refuses('-p icmp --icmp-type echo', undefined, /ambiguous/);
      refuses('-p icmp --icmp-type 3:4', undefined, /ranges are not supported/);
      refuses('-p icmp --icmp-type 3/');
      accepts('-p icmpv6 --icmpv6-type neighbor-s', V6);
      accepts('-p icmpv6 --icmpv6-type 0x80', V6);
    });
    it('multiport: both ends, start below end, names for the rule\'s protocol', () => {
      accepts('-p tcp -m multiport --dports 1:2,3,4,5,6,7,8,9,10,11,12,13,14,15');
      refuses('-p tcp -m multiport --dports 1:2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', undefined, /at most 15/);
      refuses('-p tcp -m multiport --dports 1024:');
      refuses('-p tcp -m multiport --dports 80:80', undefined, /start below its end/);
      refuses('-p tcp -m multiport --dports bootps', undefined, /not a tcp service/);
      refuses('-p udp -m multiport --dports ssh', undefined, /not a udp service/);
      accepts('-p udp -m multiport --dports 0x10,domain');
    });
    it('conntrack ports, expiry and addresses', () => {
      accepts('-m conntrack --ctorigsrcport 5:3');
      refuses('-m conntrack --ctorigsrcport 0x10');
      accepts('-m conntrack --ctexpire 5:3');
      accepts('-m conntrack --ctorigsrc fe80::1/64', V6);
      refuses('-m conntrack --ctorigsrc 1.2.3.4,5.6.7.8');
    });
    it('limit burst 0 is accepted (iptables-nft)', () => {
      accepts('-m limit --limit-burst 0');
      refuses('-m limit --limit-burst 10001');
    });
  });

  describe('sctp, dccp, tcpmss, osf', () => {
    it('sctp', () => {
      accepts('-p sctp -m sctp --sport 0x10 --chunk-types any DATA:I,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA:e');
      accepts('-p sctp --dport amqp');
      refuses('-p sctp --sport http', undefined, /sctp service/);
      refuses('-p sctp --sport 5:3');
      refuses('-p sctp -m sctp --chunk-types any DATA:x', undefined, /not a flag/);
      refuses('-p sctp -m sctp --chunk-types any DATA:I,ABORT:T,SHUTDOWN_COMPLETE:t,I_DATA:e,INIT:-', undefined, /four chunk types/);
      refuses('-p sctp -m sctp --chunk-types any', undefined, /needs 2 values/);
      refuses('-p sctp -m sctp --chunk-types bogus DATA');
      refuses('-p sctp -m sctp --sport 1 --source-port 2', undefined, /only be given once/);
      refuses('-m sctp --dport 5', undefined, /needs -p sctp/);
    });
    it('dccp', () => {
      accepts('-p dccp -m dccp ! --dccp-types CLOSE --sport 1:2 --dport :80');
      accepts('-p dccp -m dccp --dccp-types ,REQUEST');
      warns('-p dccp -m dccp --sport 5:3');
      refuses('-p dccp -m dccp --sport 0x10');
      refuses('-p dccp -m dccp --sport 1:2:3');
      refuses('-p dccp -m dccp --dccp-types request,FOO');
      refuses('-p dccp -m dccp --dccp-option 0');
    });
    it('tcpmss and osf', () => {
      accepts('-p tcp -m tcpmss ! --mss 1:');
      refuses('-p tcp -m tcpmss --mss 5:3');
      refuses('-m tcpmss --mss 5', undefined, /needs -p tcp/);
      refuses('-p udp -m tcpmss --mss 1', undefined, /needs -p tcp/);
      accepts('-p tcp -m osf --genre linux --ttl 2 --log 0');
      refuses('-p tcp -m osf --genre linux --ttl 3');
      refuses('-p tcp -m osf --genre linux', OUT, /PREROUTING, INPUT, FORWARD/);
      refuses('-m osf --genre linux', undefined, /needs -p tcp/);
      refuses('-p tcp -m osf --genre linux', V6, /only for iptables/);
    });
  });

  describe('connmark, connlabel, connbytes, helper, ipvs', () => {
    it('connlabel bits and names', () => {
      accepts('-m connlabel --label 0x7f --set');
      refuses('-m connlabel --label 128', undefined, /0 to 127/);
      refuses('-m connlabel --label -1');
      refuses('-m connlabel ! --set --label 1', undefined, /cannot be negated/);
      // a name needs /etc/xtables/connlabel.conf on the loading machine
      warns('-m connlabel --label mylabel', undefined, /connlabel\.conf/);
    });
    it('connbytes, connmark, helper', () => {
      accepts('-m connbytes ! --connbytes 1: --connbytes-mode bytes --connbytes-dir reply');
      refuses('-m connbytes --connbytes 5:3 --connbytes-mode packets --connbytes-dir both');
      refuses('-m connbytes --connbytes 1 --connbytes-mode PACKETS --connbytes-dir both');
      refuses('-m connbytes --connbytes 0:18446744073709551616 --connbytes-mode avgpkt --connbytes-dir both');
      refuses('-m connbytes --connbytes 0:1000 --connbytes-dir original', undefined, /--connbytes-mode/);
      accepts('-m connmark ! --mark 0x1/0x1');
      refuses('-m connmark --mark 1/');
      accepts('-m helper ! --helper sip');
      refuses('-m helper', undefined, /--helper/);
    });
    it('ipvs', () => {
      // these load only where the ip_vs kernel module is available
      accepts('-m ipvs --vproto 6 --vaddr 1.2.3.4/16 --vport 22 --vdir ORIGINAL --vmethod GATE');
      accepts('-m ipvs ! --vport ssh ! --vmethod ipip --vdir reply');
      refuses('-m ipvs ! --ipvs --vport 22', undefined, /cannot be combined/);
      refuses('-m ipvs ! --vdir REPLY', undefined, /cannot be negated/);
      refuses('-m ipvs --vmethod DR');
      refuses('-m ipvs', undefined, /does nothing without/);
    });
  });

  describe('addrtype, iprange, set, mac, physdev, devgroup, realm, rpfilter', () => {
    it('addrtype', () => {
      accepts('-m addrtype --dst-type MULTICAST,BROADCAST');
      warns('-m addrtype --src-type loc', undefined, /read as LOCAL/);
      refuses('-m addrtype --src-type LOCAL,');
      refuses('-m addrtype --src-type wrong');
      refuses('-m addrtype --limit-iface-in', undefined, /--src-type/);
      refuses('-m addrtype --src-type BROADCAST', V6, /IPv6/);
      refuses('-m addrtype --src-type PROHIBIT', V6);
      accepts('-m addrtype --src-type UNREACHABLE', V6);
    });
    it('iprange takes numeric addresses only', () => {
      accepts('-m iprange --src-range 10 ! --dst-range 0x0a.0.0.1-10.0.0.2');
      accepts('-m iprange --src-range ::1-::2', V6);
      warns('-m iprange --src-range 1.1.1.10-1.1.1.1', undefined, /starts above its end/);
      refuses('-m iprange --src-range 167772161');
      refuses('-m iprange --src-range 1.1.1.1-');
      refuses('-m iprange --src-range 1.2.3.4/24');
      refuses('-m iprange --src-range localhost');
      refuses('-m iprange --src-range 1.2.3.4', V6);
    });
    it('set', () => {
      // whether the set exists is the kernel's business: iptables refuses a missing one
      accepts('-m set --match-set blocklist src ! --update-counters --packets-gt 10');
      refuses('-m set --match-set x', undefined, /needs 2 values/);
      refuses('-m set --match-set x src,dst,src,dst,src,dst,src', undefined, /at most 6/);
      refuses('-m set --match-set 01234567890123456789012345678901 src', undefined, /at most 31/);
      refuses('-m set --match-set x src --packets-eq 1 --packets-gt 2');
      refuses('-m set --match-set x src ! --packets-lt 1');
      refuses('-m set --match-set x src ! --return-nomatch');
    });
    it('mac, realm, devgroup', () => {
      accepts('-m mac ! --mac-source 1:2:3:4:5:6');
      accepts('-m mac --mac-source ::::1:');
      refuses('-m mac --mac-source 001:2:3:4:5:6');
      refuses('-m mac --mac-source aa-bb-cc-dd-ee-ff');
      refuses('-m mac --mac-source 42:01:02:03:04:05', OUT, /PREROUTING, INPUT, FORWARD/);
      accepts('-m realm --realm cosmos', OUT);
      accepts('-m realm --realm 0x1/0x2a');
      refuses('-m realm --realm 1', at('PREROUTING', 'mangle'));
      warns('-m realm --realm foo', undefined, /rt_realms/);
      refuses('-m realm --realm 1', V6);
      accepts('-m devgroup --src-group default');
      accepts('-m devgroup --src-group 5/0xf');
      refuses('-m devgroup --src-group 1 --dst-group 2', undefined, /--dst-group/);
    });
  });

  describe('length, ttl, tos, dscp, ecn, pkttype, string, u32, bpf', () => {
    it('header fields', () => {
      accepts('-m length ! --length :');
      warns('-m length --length 5:3');
      refuses('-m length --length 0:65536');
      refuses('-m length --length 1:2:3');
      accepts('-m ttl ! --ttl 5');
      refuses('-m ttl --ttl-eq 5 --ttl 6', undefined, /only be given once/);
      refuses('-m ttl --ttl-lt 5 --ttl-gt 3');
      refuses('-m ttl ! --ttl-gt 3');
      accepts('-m tos --tos minimize-delay');
      accepts('-m tos --tos 0x10/0x3f');
      refuses('-m tos --tos 256');
      refuses('-m tos --tos 0x10/0x100');
      accepts('-m dscp --dscp-class af11');
      warns('-m dscp --dscp-class EFX', undefined, /class EF/);
      refuses('-m dscp --dscp-class af1');
      refuses('-m dscp --dscp 64');
      refuses('-m dscp --dscp 0x3f --dscp-class EF');
      accepts('-m ecn ! --ecn-ip-ect 1');
      refuses('-m ecn --ecn-tcp-ece', undefined, /-p tcp/);
      refuses('! -p tcp -m ecn --ecn-tcp-ece', undefined, /-p tcp/);
      refuses('-m ecn --ecn-ip-ect 4');
      accepts('-m pkttype ! --pkt-type host');
      refuses('-m pkttype --pkt-type broadcast,multicast');
    });
    it('string', () => {
      accepts('-m string --algo bm --hex-string "a|0a 0b|b" --icase');
      accepts('-m string --algo kmp --string "ab\\\\|c" --from 0 --to 100');
      refuses('-m string --algo bm --hex-string "|0a0|"', undefined, /not closed/);
      refuses('-m string --algo bm --hex-string "|0g|"', undefined, /hex digit/);
      refuses('-m string --algo bm --string ""', undefined, /empty/);
      refuses(`-m string --algo bm --string "${'x'.repeat(129)}"`, undefined, /128/);
      refuses('-m string --algo bm --string x --from 10 --to 5', undefined, /--from 10/);
      refuses('-m string --algo wrong --string x');
      refuses('-m string --algo bm', undefined, /--string/);
    });
    it('u32 and bpf', () => {
      accepts('-m u32 ! --u32 "0>>22&0x3C@12>>26&0x3C@0=0x0:0xff,5"');
      refuses('-m u32 --u32 "0x0"', undefined, /ends after a location/);
      refuses('-m u32 --u32 "0<1=1"', undefined, /<</);
      refuses('-m u32 --u32 "0=1&&1=2&&2=3&&3=4&&4=5&&5=6&&6=7&&7=8&&8=9&&9=10&&10=11"', undefined, /10 tests/);
      accepts('-m bpf --bytecode "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0"');
      accepts('-m bpf --bytecode "1,6 0 0 1,"');
      refuses('-m bpf --bytecode "2,6 0 0 1"', undefined, /fewer than its count/);
      refuses('-m bpf --bytecode "1,4 0 0 1"', undefined, /must return/);
      refuses('-m bpf --bytecode "2,21 5 0 6,6 0 0 1"', undefined, /jumps past/);
      refuses('-m bpf --bytecode "2,52 0 0 0,6 0 0 1"', undefined, /divides by zero/);
      refuses('-m bpf --bytecode "65,6 0 0 1"', undefined, /at most 64/);
    });
  });

  describe('hashlimit, connlimit, quota, rateest, recent, statistic, nfacct', () => {
    it('hashlimit', () => {
      accepts('-m hashlimit --hashlimit-upto 1000000/sec --hashlimit-name a');
      accepts('-m hashlimit --hashlimit 1/sec --hashlimit-burst 5k --hashlimit-name a --hashlimit-mode srcip,dstport --hashlimit-srcmask 255.255.0.0');
      accepts('-m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name a');
      accepts('-m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name r --hashlimit-rate-match --hashlimit-rate-interval 10');
      refuses('-m hashlimit --hashlimit-upto 1000001/sec --hashlimit-name a', undefined, /too fast/);
      refuses('-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-burst 1m', undefined, /above 1000000/);
      refuses('-m hashlimit --hashlimit-upto 1kb/s --hashlimit-name a --hashlimit-burst 1', undefined, /1024 bytes/);
      refuses('-m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1000000 --hashlimit-name a', undefined, /overflow/);
      refuses('-m hashlimit --hashlimit-upto 100000mb/s --hashlimit-name a', undefined, /too high/);
      refuses('-m hashlimit --hashlimit-upto 2000000/min --hashlimit-name a --hashlimit-rate-match', undefined, /zero/);
      refuses('-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a/b', undefined, /\//);
      refuses('-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-srcmask 255.0.255.0', undefined, /contiguous/);
      refuses('-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-htable-expire 0');
      refuses('-m hashlimit --hashlimit 1/sec --hashlimit-upto 2/sec --hashlimit-name a', undefined, /only be given once/);
      refuses('-m hashlimit --hashlimit-upto 1/sec', undefined, /--hashlimit-name/);
      refuses('-m hashlimit --hashlimit-name a', undefined, /does nothing without/);
    });
    it('connlimit and quota', () => {
      accepts('-m connlimit ! --connlimit-upto 1 --connlimit-mask 64', V6);
      warns('-m connlimit --connlimit-above 1 --connlimit-mask 255.0.255.0', undefined, /contiguous/);
      refuses('-m connlimit --connlimit-upto 1 --connlimit-above 2');
      refuses('-m connlimit --connlimit-above 1 --connlimit-saddr --connlimit-daddr');
      refuses('-m connlimit --connlimit-above 4294967296');
      accepts('-m quota ! --quota 18446744073709551615');
      refuses('-m quota --quota 18446744073709551616');
    });
    it('rateest', () => {
      // the estimators themselves come from -j RATEEST rules loaded before
      accepts('-m rateest --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2');
      accepts('-m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9');
      accepts('-m rateest --rateest RE1 --rateest-gt --rateest-bps 5kbit');
      refuses('-m rateest --rateest RE1 --rateest-bps 8bit', undefined, /comparison/);
      refuses('-m rateest --rateest-lt --rateest-bps 8bit', undefined, /--rateest/);
      refuses('-m rateest --rateest RE1 --rateest-lt --rateest-bps 8foo', undefined, /rate unit/);
      refuses('-m rateest ! --rateest RE1 --rateest-lt --rateest-pps 5');
    });
    it('recent', () => {
      accepts('-m recent --update --seconds 60 --hitcount 4 --rttl --name SSH --rsource --mask 255.255.0.0');
      accepts('-m recent ! --rcheck --reap --seconds 5');
      refuses('-m recent --set --rttl');
      refuses('-m recent --set --seconds 5', undefined, /--rcheck and --update/);
      refuses('-m recent --rcheck --reap', undefined, /--seconds/);
      refuses('-m recent --rcheck --seconds 0');
      // refused by Linux 6.1 (Debian 12); kernels from 2024 on accept it
      refuses('-m recent --rcheck --hitcount 999', undefined, /255/);
      refuses('-m recent --rcheck --name .');
      refuses('-m recent --rcheck --mask 1.2.3.4/24');
      refuses('-m recent', undefined, /does nothing without/);
    });
    it('statistic and nfacct', () => {
      accepts('-m statistic --mode random ! --probability 0.5');
      accepts('-m statistic --mode random --probability 0x0.8');
      warns('-m statistic --mode random --probability nan', undefined, /NaN/);
      refuses('-m statistic --mode random ! --probability 1.1');
      refuses('-m statistic --mode Random --probability 0.5');
      accepts('-m statistic --mode nth ! --every 5 --packet 2');
      refuses('-m statistic --mode nth ! --every 5', undefined, /--packet/);
      refuses('-m statistic --mode nth --every 5 --packet 5', undefined, /minus one/);
      refuses('-m statistic --mode nth ! --packet 1 --every 3', undefined, /cannot be negated/);
      refuses('-m statistic --mode random --probability 0.5 --every 2 --packet 1');
      // the accounting object must exist in the kernel; that is not visible in the file
      accepts('-m nfacct --nfacct-name http-traffic');
      refuses('-m nfacct', undefined, /--nfacct-name/);
    });
  });

  describe('owner, socket, cgroup, cpu, cluster, time', () => {
    it('owner', () => {
      accepts('-m owner --uid-owner 0-10 --gid-owner root --suppl-groups --socket-exists', OUT);
      accepts('-m owner --uid-owner 0:5', at('POSTROUTING', 'mangle'));
      refuses('-m owner --uid-owner 0', undefined, /OUTPUT, POSTROUTING/);
      refuses('-m owner --uid-owner 10-5', OUT, /starts above its end/);
      refuses('-m owner --uid-owner 4294967295', OUT);
      refuses('-m owner --uid-owner 1x', OUT);
      refuses('-m owner --suppl-groups --gid-owner 0-10', OUT, /before it/);
      refuses('-m owner --gid-owner 5 ! --suppl-groups', OUT, /cannot be negated/);
      refuses('-m owner --pid-owner 5', OUT, /unknown option/);
    });
    it('socket, cgroup, cpu, cluster', () => {
      accepts('-m socket --transparent --nowildcard --restore-skmark', at('PREROUTING', 'raw'));
      refuses('-m socket', OUT, /PREROUTING, INPUT/);
      refuses('-m socket ! --transparent');
      accepts('-m cgroup ! --path /', OUT);
      refuses('-m cgroup --cgroup 1', at('FORWARD'), /INPUT, OUTPUT, POSTROUTING/);
      refuses('-m cgroup --path / ! --cgroup 2', OUT);
      refuses('-m cgroup', OUT);
      accepts('-m cpu ! --cpu 4294967295');
      refuses('-m cpu --cpu 4294967296');
      accepts('-m cluster --cluster-total-nodes 2 --cluster-local-nodemask 3 --cluster-hash-seed 1');
      refuses('-m cluster --cluster-total-nodes 2 --cluster-local-nodemask 4 --cluster-hash-seed 1', undefined, /beyond/);
      refuses('-m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed 1', undefined, /does not exist/);
      refuses('-m cluster --cluster-total-nodes 33 --cluster-local-node 1 --cluster-hash-seed 1');
      refuses('-m cluster --cluster-total-nodes 3 --cluster-hash-seed 1', undefined, /does nothing without/);
    });
    it('time', () => {
      accepts('-m time --timestart 23:00 --timestop 01:00 --contiguous --weekdays Monday,Tue --monthdays 1,123 --kerneltz');
      accepts('-m time --datestart 2001- --datestop 2038-12-31');
      accepts('-m time --timestart " 1:02"');
      warns('-m time --weekdays 8', undefined, /never matches/);
      refuses('-m time --contiguous', undefined, /wrap past midnight/);
      refuses('-m time --datestart 2039');
      refuses('-m time --datestart 1970-00-00', undefined, /before 1970/);
      refuses('-m time --timestart 24:00');
      refuses('-m time --timestart 01:02:60');
      refuses('-m time --weekdays Mon,,Tue');
      refuses('-m time --weekdays 0', undefined, /day 0/);
      refuses('-m time --weekdays W');
      refuses('-m time --monthdays 0x1f');
      refuses('-m time --monthdays 32');
      refuses('-m time --utc --kerneltz');
      warns('-m time --localtz', undefined, /kerneltz/);
    });
  });

  describe('esp, ah, ipcomp, policy', () => {
    it('IPsec headers', () => {
      accepts('-p 50 -m esp ! --espspi 1:5');
      accepts('-p esp --espspi 1');
      warns('-p esp -m esp --espspi 5:3');
      refuses('-p esp -m esp --espspi 1:2:3');
      refuses('-m esp', undefined, /needs -p esp/);
      accepts('-p ah -m ah --ahspi 0:4294967295');
      refuses('-m ah --ahspi 1', undefined, /needs -p ah/);
      accepts('-m ah --ahspi 1 --ahlen 5 --ahres', V6);
      refuses('-m ah ! --ahres', V6);
      refuses('-p ah -m ah --ahspi 0:invalid');
      accepts('-p ipcomp -m ipcomp ! --ipcompspi 18 --compres');
      refuses('-m ipcomp --ipcompspi 18', undefined, /needs -p ipcomp/);
    });
    it('policy', () => {
      accepts('-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel --tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2');
      accepts('-m policy --dir in --pol ipsec ! --mode transport --tunnel-src 1.2.3.4');
      accepts('-m policy --dir in --pol ipsec --strict --reqid 1 --next --reqid 2 --next --reqid 3 --next --reqid 4');
      refuses('-m policy --dir in --pol ipsec --strict --proto esp --next --proto ah --next --proto ipcomp --next --proto esp --next --proto esp', undefined, /four/);
      refuses('-m policy --dir in --pol ipsec --strict', undefined, /empty/);
      refuses('-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --tunnel-dst 10.0.0.0/8', undefined, /tunnel mode/);
      refuses('-m policy --dir in --pol ipsec --reqid 1 --reqid 2', undefined, /twice/);
      refuses('-m policy --dir in --pol ipsec --next', undefined, /--strict/);
      refuses('-m policy --dir in --pol ipsec --proto tcp', undefined, /ah, esp or ipcomp/);
      refuses('-m policy --dir in --pol none --strict');
      refuses('-m policy --pol ipsec', undefined, /--dir/);
      refuses('-m policy --dir IN');
    });
  });

  describe('ip6tables: hl, dst, hbh, frag, rt, srh, mh, ipv6header, eui64', () => {
    it('hl and extension header options', () => {
      accepts('-m hl ! --hl 3', V6);
      refuses('-m hl --hl-lt 5 --hl-gt 3', V6);
      refuses('-m hl ! --hl-lt 5', V6);
      refuses('-m hl', V6, /does nothing without/);
      refuses('-m hl --hl-eq 5', undefined, /only for ip6tables/);
      accepts('-m hbh --hbh-len 42 --hbh-opts 1:2,23:42,4:6,8:10,42,23,4:5', V6);
      warns('-m dst --dst-opts 300', V6, /low 8 bits/);
      refuses('-m dst --dst-opts 0:1', V6, /Pad1/);
      refuses('-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17', V6, /16/);
      refuses('-m hbh --hbh-opts 1,,2', V6);
      refuses('-m hbh ! --hbh-opts 1', V6);
      accepts('-m frag ! --fragid 1 ! --fraglen 42 --fragres --fragfirst', V6);
      refuses('-m frag --fragmore --fraglast', V6);
    });
    it('rt and srh', () => {
      accepts('-m rt --rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res --rt-0-addrs ::1,::2 --rt-0-not-strict', V6);
      refuses('-m rt --rt-0-res', V6, /--rt-type 0/);
      refuses('-m rt ! --rt-type 0 --rt-0-res', V6, /--rt-type 0/);
      refuses('-m rt --rt-0-not-strict', V6, /--rt-0-addrs/);
      refuses('-m rt --rt-type 0 --rt-0-addrs 1.2.3.4', V6);
      accepts('-m srh ! --srh-psid a::/64 ! --srh-nsid b::/128 ! --srh-lsid c::/0 --srh-hdr-len-eq 1 --srh-hdr-len-gt 2', V6);
      refuses('-m srh --srh-psid a::/129', V6);
      refuses('-m srh --srh-tag 65536', V6);
    });
    it('mh, ipv6header, eui64', () => {
      accepts('-p mh -m mh --mh-type binding-update:binding-error', V6);
      accepts('-p mobility-header -m mh --mh-type BU', V6);
      accepts('-p 135 -m mh --mh-type :5', V6);
      refuses('-m mh --mh-type 1', V6, /needs -p mh/);
      refuses('-p mh -m mh --mh-type 5:3', V6);
      refuses('-p mh -m mh --mh-type 300', V6);
      accepts('-m ipv6header ! --header hop,dst,route,frag,auth,esp,none,prot --soft', V6);
      accepts('-m ipv6header --header ipv6-frag,IPv6-Route,ip', V6);
      refuses('-m ipv6header --header HOP', V6);
      refuses('-m ipv6header --header tcp', V6, /not an IPv6 extension header/);
      refuses('-m ipv6header --header ""', V6);
      accepts('-m eui64', at('PREROUTING', 'raw', 'ipv6'));
      refuses('-m eui64', at('OUTPUT', 'filter', 'ipv6'), /PREROUTING, INPUT, FORWARD/);
    });
  });
});
