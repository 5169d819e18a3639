/**
 * Matches on what connection tracking records about a flow besides its state: connmark,
 * connlabel, connbytes, helper, and the IPVS load balancer's view (ipvs). Options follow
 * libxt_connmark.c, libxt_connlabel.c, libxt_connbytes.c, libxt_helper.c and libxt_ipvs.c of
 * iptables 1.8.9.
 */
import { choice, hostMaskArg, markMask, scanUnsigned, servicePort, uintRangeRC } from '../argtypes';
import { protocolArg } from '../generic';
import type { ArgType, MatchSpec, Problem } from '../types';

const BOTH: MatchSpec['families'] = ['ipv4', 'ipv6'];

/** libxt_connlabel: a bit number (strtoul base 0) or a name from /etc/xtables/connlabel.conf. */
const connLabel: ArgType = {
  id: 'connlabel',
  label: 'bit|name',
  check: (v) => {
    if (v === '') return 'expected a label bit number (0-127) or name';
    const n = scanUnsigned(v);
    if (n && n.rest === '') return n.value > 127n ? `label bit ${n.value} does not exist: the kernel keeps 128 labels, 0 to 127` : undefined;
    if (/^\s*-/.test(v)) return `\`${v}\` is not a label bit number (0-127)`;
    return undefined;
  },
  warn: (v) => {
    const n = scanUnsigned(v);
    if (n && n.rest === '') return undefined;
    return `\`${v}\` is looked up in /etc/xtables/connlabel.conf when the rules load; without that file (Debian does not ship one) iptables refuses the rule. A bit number always works`;
  },
};

const helperName: ArgType = {
  id: 'helper-name',
  label: 'name',
  check: () => undefined,
  warn: (v) => (v.length > 29 ? `only the first 29 characters of \`${v}\` are kept` : v === '' ? 'an empty helper name matches no helper' : undefined),
};

const CONNBYTES_DIRS = [
  { name: 'original', summary: 'Count only the direction of the first packet (client to server).' },
  { name: 'reply', summary: 'Count only the reply direction (server to client).' },
  { name: 'both', summary: 'Count both directions together.' },
];
const CONNBYTES_MODES = [
  { name: 'packets', summary: 'Count packets.' },
  { name: 'bytes', summary: 'Count bytes.' },
  { name: 'avgpkt', summary: 'Average packet size in bytes (bytes divided by packets).' },
];

function ipvsCheck(options: readonly { name: string; negated: boolean }[]): Problem[] {
  const ipvs = options.find((o) => o.name === '--ipvs');
  if (ipvs?.negated && options.length > 1) return [{ option: '--ipvs', message: '`! --ipvs` (not IPVS traffic) cannot be combined with the other ipvs options, which all describe IPVS traffic' }];
  return [];
}

export const CONNECTION_MATCHES: readonly MatchSpec[] = [
  {
    kind: 'match',
    name: 'connmark',
    families: BOTH,
    summary: 'The mark stored on the connection (set by -j CONNMARK).',
    doc:
      'Unlike the packet mark, the connection mark stays with the conntrack entry, so a decision taken on ' +
      'the first packet (say, which uplink a connection uses) can be recognised on every later packet in ' +
      'both directions. `value/mask` compares only the masked bits.',
    options: [{ name: '--mark', args: [markMask], negatable: true, required: true, summary: 'Match the connection mark `value[/mask]`.' }],
  },
  {
    kind: 'match',
    name: 'connlabel',
    families: BOTH,
    summary: 'One of the 128 label bits on the connection.',
    doc:
      'Conntrack entries carry 128 label bits besides the mark; this tests one (and with `--set`, turns it ' +
      'on). Labels let several independent rule sets tag connections without fighting over mark bits. Names ' +
      'need a mapping in /etc/xtables/connlabel.conf.',
    options: [
      { name: '--label', args: [connLabel], negatable: true, required: true, summary: 'The label, as a bit number 0-127 or a name.' },
      { name: '--set', args: [], summary: 'Set the label on the connection if it is not set yet (the match then succeeds).' },
    ],
  },
  {
    kind: 'match',
    name: 'connbytes',
    families: BOTH,
    summary: 'How much a connection has transferred so far (packets, bytes or average size).',
    doc:
      'Compares conntrack\'s counters for the connection with a range. `--connbytes 10485760: ' +
      '--connbytes-dir both --connbytes-mode bytes` finds connections past 10 MiB, for example to move bulk ' +
      'downloads to a lower traffic class. Turning it on enables conntrack accounting for all connections.',
    options: [
      {
        name: '--connbytes',
        args: [uintRangeRC(0xffffffffffffffffn, { label: 'from[:to]', what: 'a count', ordered: true })],
        negatable: true,
        required: true,
        summary: 'The range `from:to` (`from:` for no upper bound).',
      },
      { name: '--connbytes-dir', args: [choice(CONNBYTES_DIRS, { id: 'connbytes-dir' })], required: true, summary: 'Which direction to count: original, reply or both.' },
      { name: '--connbytes-mode', args: [choice(CONNBYTES_MODES, { id: 'connbytes-mode' })], required: true, summary: 'What to count: packets, bytes or avgpkt.' },
    ],
  },
  {
    kind: 'match',
    name: 'helper',
    families: BOTH,
    summary: 'Connections handled by a conntrack helper (ftp, sip, tftp...), usually their RELATED data flows.',
    doc:
      'Matches packets of connections that a helper created or watches. Since automatic helper ' +
      'assignment is off by default, helpers are attached with `-j CT --helper`; rules then accept the ' +
      'expected flows with `-m conntrack --ctstate RELATED -m helper --helper ftp` instead of any RELATED. ' +
      'The name may carry a port (`ftp-2121`) for helpers registered on other ports.',
    options: [{ name: '--helper', args: [helperName], negatable: true, required: true, summary: 'The helper name: ftp, tftp, sip, irc, pptp, amanda, snmp...' }],
  },
  {
    kind: 'match',
    name: 'ipvs',
    families: BOTH,
    needsOneOf: [],
    summary: 'Packets handled by the IPVS load balancer, by virtual service and forwarding method.',
    doc:
      'Matches the IPVS connection behind the packet: whether there is one (`--ipvs`), the virtual service ' +
      'address, port and protocol it was addressed to, the direction and the forwarding method. Used on ' +
      'IPVS directors (kube-proxy in ipvs mode, keepalived) to treat balanced traffic apart. Needs the ' +
      'ip_vs kernel module.',
    check: (use) => ipvsCheck(use.options),
    options: [
      { name: '--ipvs', args: [], negatable: true, summary: 'Match packets that belong to an IPVS connection.' },
      { name: '--vproto', args: [protocolArg], negatable: true, summary: 'Match the protocol of the virtual service.' },
      { name: '--vaddr', args: [hostMaskArg], negatable: true, summary: 'Match the virtual service address (address[/mask]).' },
      { name: '--vport', args: [servicePort], negatable: true, summary: 'Match the virtual service port.' },
      { name: '--vdir', args: [choice([{ name: 'ORIGINAL', summary: 'Client to service.' }, { name: 'REPLY', summary: 'Service to client.' }], { ignoreCase: true, id: 'ipvs-dir' })], summary: 'Match the direction: ORIGINAL or REPLY.' },
      {
        name: '--vmethod',
        args: [choice([{ name: 'GATE', summary: 'Direct routing.' }, { name: 'IPIP', summary: 'IP-in-IP tunnelling.' }, { name: 'MASQ', summary: 'NAT.' }], { ignoreCase: true, id: 'ipvs-method' })],
        negatable: true,
        summary: 'Match the forwarding method: GATE (direct routing), IPIP (tunnel) or MASQ (NAT).',
      },
      { name: '--vportctl', args: [servicePort], negatable: true, summary: 'Match the port of the controlling connection (FTP control for data connections).' },
    ],
  },
];
