// TextMate grammar for the kernel firewall log and conntrack listings. Source of
// syntaxes/netfilter-log.tmLanguage.json (node syntaxes/src/build.mjs).
//
// A line is one of:
//   - a kernel LOG-target line (nf_log_syslog.c) in any wrapper: bare, dmesg `[1229124.817624]`,
//     `dmesg -T`, `dmesg -x`, BSD syslog `Jan 27 15:21:36 host kernel:`, ISO/RFC 3339 rsyslog,
//     RFC 5424, journalctl short / short-precise / short-iso / short-full / short-unix /
//     short-monotonic; the log prefix is whatever stands between the wrapper and IN=, glued or not
//     (`[UFW BLOCK] IN=`, `Shorewall:net2fw:DROP:IN=`, `DROP(src wan)IN=`);
//   - a kernel message about conntrack (`nf_conntrack: table full, dropping packet`,
//     `net_ratelimit: N callbacks suppressed`);
//   - a conntrack entry (`conntrack -L`, `conntrack -E`, /proc/net/nf_conntrack);
//   - a sysctl line (`net.netfilter.nf_conntrack_max = 262144`).
//
// Performance: every line-level rule is anchored at `^`, and the log prefix (the only rule with a
// lazy scan) is anchored with \G right after the wrapper, so a line costs one pass whatever it holds.
//
// Scope scheme (all end in `.netfilter`):
//   constant.numeric.timestamp            wall-clock timestamps (syslog, ISO, journalctl, dmesg -T)
//   constant.numeric.timestamp.uptime     the kernel's [seconds.micros]
//   entity.name.tag.host                  syslog host
//   entity.name.function.program          syslog tag (kernel, ...) ; constant.numeric.pid
//   string.unquoted.log-prefix            the LOG prefix; keyword.other.action inside it (DROP, BLOCK...)
//   meta.log-entry                        from IN= to the end of the line
//   meta.field.<key>                      each KEY=value (key lower-cased: meta.field.src, meta.field.dpt)
//   entity.other.attribute-name.field     the key; punctuation.separator.key-value the `=`
//   variable.other.constant.interface     IN= OUT= PHYSIN= PHYSOUT= values
//   constant.numeric.mac-address.destination / .source, constant.numeric.ethertype (MAC=dst:src:type)
//   constant.numeric.address.ipv4 / .ipv6 SRC= DST= (and conntrack src= dst=)
//   constant.numeric.port                 SPT= DPT= (and sport= dport=)
//   constant.language.protocol            PROTO=TCP, conntrack `tcp`
//   constant.language.tcp-flag            CWR ECE URG ACK PSH RST SYN FIN
//   constant.language.ip-flag             CE DF MF
//   meta.embedded.packet                  the [SRC=... ] packet quoted inside an ICMP error
//   meta.conntrack-entry, meta.tuple.original, meta.tuple.reply
//   keyword.other.event.new / .update / .destroy, constant.numeric.timeout,
//   constant.language.tcp-state (constant.language.<proto>-state), constant.language.ct-status
//   meta.message.table-full + invalid.illegal.table-full, support.type.subsystem
//   meta.message.ratelimit + constant.numeric.count
//   meta.sysctl, variable.other.sysctl, keyword.operator.assignment
import { addressRules, MAC, MONTHS, WEEKDAYS } from './common.mjs';

const S = 'netfilter';
const sc = (name) => `${name}.${S}`;

const BSD_TS = String.raw`(?:${MONTHS})\s+\d{1,2}(?:\s+\d{4})?\s+\d{1,2}:\d{2}:\d{2}(?:\.\d+)?`;
const ISO_TS = String.raw`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?`;
const FULL_TS = String.raw`(?:${WEEKDAYS})\s+\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\s+(?:[A-Z]{2,5}|[+-]\d{4}))?`;
const UNIX_TS = String.raw`\d{9,10}\.\d{1,9}`;
/** ctime(3): dmesg -T, and OpenWrt logread (`Sat Jan 27 15:21:36 2024 kern.warn kernel: ...`) */
const CTIME_TS = String.raw`(?:${WEEKDAYS})\s+(?:${MONTHS})\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+\d{4}`;
/** optional ` [1229124.817624]` after the wrapper (some daemons glue it to `kernel:`): three captures */
const UPTIME = String.raw`(?:\s*(\[)\s*(\d+\.\d+)(\]))?`;
const uptimeCaptures = (n) => ({
  [n]: { name: sc('punctuation.definition.timestamp.begin') },
  [n + 1]: { name: sc('constant.numeric.timestamp.uptime') },
  [n + 2]: { name: sc('punctuation.definition.timestamp.end') },
});

const FACILITIES = 'kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7]';
const LEVELS = 'emerg|alert|crit|err|warn|notice|info|debug';

const TCP_FLAGS = 'CWR|ECE|URG|ACK|PSH|RST|SYN|FIN';
/** keys of LOG fields and conntrack fields that end a conntrack tuple */
const CT_TRAILER = String.raw`(?:mark|use|zone|secctx|labels|helper|delta-time|timeout|id)=`;

const key = (n) => ({ [n]: { name: sc('entity.other.attribute-name.field') } });
const eq = (n) => ({ [n]: { name: sc('punctuation.separator.key-value') } });
const NOT_IN_WORD = String.raw`(?<![\w-])`;
/** `IN=<interface> OUT=`, where every LOG line's fields start; interface names never hold `=` */
const IN_OUT = String.raw`IN=[^\s=]*+\s++OUT=`;

const addresses = addressRules(S);

export const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'Netfilter log',
  scopeName: 'text.log.netfilter',
  fileTypes: ['log'],
  patterns: [
    { include: '#conntrack-entry' },
    { include: '#conntrack-summary' },
    { include: '#sysctl' },
    { include: '#rfc5424-line' },
    { include: '#syslog-line' },
    { include: '#monotonic-line' },
    { include: '#bare-line' },
  ],
  repository: {
    // ---------------------------------------------------------------- wrappers
    'rfc5424-line': {
      // <4>1 2024-01-27T15:21:36.123Z host kernel - - - [1229124.817624] DROP IN=...
      begin: String.raw`^(<)(\d{1,3})(>)(\d{1,2})\s+(${ISO_TS}|-)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(-|(?:\[(?:[^\]\\"]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?=\s|$)${UPTIME}`,
      beginCaptures: {
        1: { name: sc('punctuation.definition.priority.begin') },
        2: { name: sc('constant.numeric.priority') },
        3: { name: sc('punctuation.definition.priority.end') },
        4: { name: sc('constant.numeric.version') },
        5: { name: sc('constant.numeric.timestamp') },
        6: { name: sc('entity.name.tag.host') },
        7: { name: sc('entity.name.function.program') },
        8: { name: sc('constant.numeric.pid') },
        9: { name: sc('string.unquoted.msgid') },
        10: { name: sc('meta.structured-data') },
        ...uptimeCaptures(11),
      },
      end: '$',
      name: sc('meta.line.rfc5424'),
      patterns: [{ include: '#message' }],
    },

    'syslog-line': {
      // Jan 27 15:21:36 host kernel: [1229124.817624] ...   (also <4> priority, ISO, journalctl
      // short-precise/short-iso/short-full/short-unix, OpenWrt logread, tag[pid]:, host without tag)
      begin: String.raw`^(?:(<)(\d{1,3})(>))?(${BSD_TS}|${ISO_TS}|${FULL_TS}|${CTIME_TS}|${UNIX_TS})(?:\s+(${FACILITIES})(\.)(warning|error|${LEVELS})(?=\s))?(?:\s+(?!kernel:)(?![A-Z][A-Z0-9]*=)([^\s\[]\S*))?(?:\s+([^\s:\[\]]+)(?:(\[)(\d+)(\]))?(:)(?=\s|$|\[\s*\d))?${UPTIME}`,
      beginCaptures: {
        1: { name: sc('punctuation.definition.priority.begin') },
        2: { name: sc('constant.numeric.priority') },
        3: { name: sc('punctuation.definition.priority.end') },
        4: { name: sc('constant.numeric.timestamp') },
        5: { name: sc('constant.language.facility') },
        6: { name: sc('punctuation.separator.facility') },
        7: { name: sc('constant.language.level') },
        8: { name: sc('entity.name.tag.host') },
        9: { name: sc('entity.name.function.program') },
        10: { name: sc('punctuation.definition.pid.begin') },
        11: { name: sc('constant.numeric.pid') },
        12: { name: sc('punctuation.definition.pid.end') },
        13: { name: sc('punctuation.separator.tag') },
        ...uptimeCaptures(14),
      },
      end: '$',
      name: sc('meta.line.syslog'),
      patterns: [{ include: '#message' }],
    },

    'monotonic-line': {
      // journalctl -o short-monotonic: [ 1229124.817624] host kernel: ...
      begin: String.raw`^(\[)\s*(\d+\.\d+)(\])\s+(?!kernel:)([^\s\[]\S*)\s+(kernel)(?:(\[)(\d+)(\]))?(:)(?=\s|$)`,
      beginCaptures: {
        ...uptimeCaptures(1),
        4: { name: sc('entity.name.tag.host') },
        5: { name: sc('entity.name.function.program') },
        6: { name: sc('punctuation.definition.pid.begin') },
        7: { name: sc('constant.numeric.pid') },
        8: { name: sc('punctuation.definition.pid.end') },
        9: { name: sc('punctuation.separator.tag') },
      },
      end: '$',
      name: sc('meta.line.syslog'),
      patterns: [{ include: '#message' }],
    },

    'bare-line': {
      // dmesg: [1229124.817624] DROP IN=...   dmesg -T: [Sat Jan 27 15:21:36 2024] ...
      // dmesg -x: kern  :warn  : [...] ...     bare: `kernel: ...`, `IN=eth0 OUT= ...`
      begin: String.raw`^(?:(${FACILITIES})\s*(:)\s*(${LEVELS})\s*(:)\s*)?(?:(kernel)(:)(?=\s|$)\s*)?(?:(\[)\s*(\d+\.\d+)(\])|(\[)(${CTIME_TS})(\]))?(?=.)`,
      beginCaptures: {
        1: { name: sc('constant.language.facility') },
        2: { name: sc('punctuation.separator.facility') },
        3: { name: sc('constant.language.level') },
        4: { name: sc('punctuation.separator.facility') },
        5: { name: sc('entity.name.function.program') },
        6: { name: sc('punctuation.separator.tag') },
        ...uptimeCaptures(7),
        10: { name: sc('punctuation.definition.timestamp.begin') },
        11: { name: sc('constant.numeric.timestamp') },
        12: { name: sc('punctuation.definition.timestamp.end') },
      },
      end: '$',
      name: sc('meta.line.kernel'),
      patterns: [{ include: '#message' }],
    },

    // ---------------------------------------------------------------- message bodies
    message: {
      patterns: [{ include: '#log-prefix' }, { include: '#kernel-message' }, { include: '#log-entry' }],
    },

    'log-prefix': {
      // Everything between the wrapper (\G) and IN=, trimmed. Only tried right after the wrapper.
      // The lazy part steps over a whole blank run at once (\s++ then a non-blank) and the lookahead
      // stops at the next `=`, so the scan stays linear on any line.
      match: String.raw`\G\s*+(?!${IN_OUT})(\S(?:\S|\s++(?=\S))*?)\s*+(?=${IN_OUT})`,
      captures: {
        1: { name: sc('string.unquoted.log-prefix'), patterns: [{ include: '#prefix-action' }] },
      },
    },

    'prefix-action': {
      match: String.raw`(?<![A-Za-z0-9])(?i:accept(?:ed)?|allow(?:ed)?|audit|block(?:ed)?|den(?:y|ied)|drop(?:ped)?|invalid|limit|reject(?:ed)?)(?![A-Za-z0-9])`,
      name: sc('keyword.other.action'),
    },

    'kernel-message': {
      patterns: [
        {
          // net/netfilter/nf_conntrack_core.c: the table is at nf_conntrack_max, packets are dropped
          match: String.raw`(?<!nf_conntrack:\s)((?:nf_conntrack:\s+)+)(table full, dropping packet\.?)`,
          name: sc('meta.message.table-full'),
          captures: {
            1: { patterns: [{ include: '#subsystem' }] },
            2: { name: sc('invalid.illegal.table-full') },
          },
        },
        {
          match: String.raw`(?<!nf_conntrack:\s)((?:nf_conntrack:\s+)+)(expectation table full)`,
          name: sc('meta.message.expectation-table-full'),
          captures: {
            1: { patterns: [{ include: '#subsystem' }] },
            2: { name: sc('invalid.illegal.expectation-table-full') },
          },
        },
        {
          match: String.raw`(net_ratelimit)(:)\s+(\d+|N)\s+(callbacks suppressed)`,
          name: sc('meta.message.ratelimit'),
          captures: {
            1: { name: sc('support.type.subsystem') },
            2: { name: sc('punctuation.separator.subsystem') },
            3: { name: sc('constant.numeric.count') },
          },
        },
        { include: '#subsystem' },
      ],
    },

    subsystem: {
      match: String.raw`(?<![\w])(nf_conntrack|nf_ct_\w+|nf_nat\w*|nf_tables|nft_\w+|x_tables|ip6?_tables|xt_\w+|ip6?t_\w+|ipset|IPVS)(:)`,
      captures: {
        1: { name: sc('support.type.subsystem') },
        2: { name: sc('punctuation.separator.subsystem') },
      },
    },

    'log-entry': {
      begin: String.raw`(IN)(=)([^\s=]*+)(?=\s++OUT=)`,
      beginCaptures: {
        0: { name: sc('meta.field.in') },
        ...key(1),
        ...eq(2),
        3: { name: sc('variable.other.constant.interface') },
      },
      end: '$',
      name: sc('meta.log-entry'),
      patterns: [{ include: '#log-fields' }],
    },

    'log-fields': {
      patterns: [
        {
          match: String.raw`(?<![\w])(OUT|PHYSIN|PHYSOUT)(=)(\S*)`,
          name: sc('meta.field.${1:/downcase}'),
          captures: { ...key(1), ...eq(2), 3: { name: sc('variable.other.constant.interface') } },
        },
        {
          // dst MAC : src MAC : ethertype, run together by the kernel
          match: String.raw`(?<![\w])(MAC)(=)(?:(${MAC})(:)(${MAC})(:)([0-9A-Fa-f]{2}:[0-9A-Fa-f]{2})(?!\S)|(\S*))`,
          name: sc('meta.field.mac'),
          captures: {
            ...key(1),
            ...eq(2),
            3: { name: sc('constant.numeric.mac-address.destination') },
            4: { name: sc('punctuation.separator.mac') },
            5: { name: sc('constant.numeric.mac-address.source') },
            6: { name: sc('punctuation.separator.mac') },
            7: { name: sc('constant.numeric.ethertype') },
            8: { name: sc('constant.numeric.mac-address') },
          },
        },
        {
          // --log-macdecode / nft `log flags ether`
          match: String.raw`(?<![\w])(MACSRC|MACDST)(=)(\S*)`,
          name: sc('meta.field.${1:/downcase}'),
          captures: { ...key(1), ...eq(2), 3: { name: sc('constant.numeric.mac-address') } },
        },
        {
          match: String.raw`(?<![\w])(MACPROTO)(=)(\S*)`,
          name: sc('meta.field.macproto'),
          captures: { ...key(1), ...eq(2), 3: { name: sc('constant.numeric.ethertype') } },
        },
        {
          match: String.raw`(?<![\w])(SRC|DST)(=)(\S*)`,
          name: sc('meta.field.${1:/downcase}'),
          captures: { ...key(1), ...eq(2), 3: { patterns: [{ include: '#address' }] } },
        },
        {
          match: String.raw`(?<![\w])(SPT|DPT)(=)(\d*)`,
          name: sc('meta.field.${1:/downcase}'),
          captures: { ...key(1), ...eq(2), 3: { name: sc('constant.numeric.port') } },
        },
        {
          match: String.raw`(?<![\w])(PROTO)(=)(?:(\d+)|(\S*))`,
          name: sc('meta.field.proto'),
          captures: {
            ...key(1),
            ...eq(2),
            3: { name: sc('constant.numeric.protocol') },
            4: { name: sc('constant.language.protocol') },
          },
        },
        {
          // OPT (020405B4): IP or TCP options in hex; IPv6 prints `OPT ( )`
          match: String.raw`(?<![\w])(OPT)\s+(\()([^)]*)(\))`,
          name: sc('meta.field.opt'),
          captures: {
            ...key(1),
            2: { name: sc('punctuation.definition.options.begin') },
            3: { name: sc('constant.numeric.hex.options') },
            4: { name: sc('punctuation.definition.options.end') },
          },
        },
        {
          match: String.raw`(?<![\w])(FRAG)(:)(\d+)`,
          name: sc('meta.field.frag'),
          captures: { ...key(1), ...eq(2), 3: { name: sc('constant.numeric') } },
        },
        {
          // ICMP errors quote the offending packet: [SRC=... DST=... PROTO=UDP SPT=53 DPT=1234 ... ]
          begin: String.raw`(\[)(?=[A-Z]+=)`,
          beginCaptures: { 1: { name: sc('punctuation.section.embedded.begin') } },
          end: String.raw`(\])|$`,
          endCaptures: { 1: { name: sc('punctuation.section.embedded.end') } },
          name: sc('meta.embedded.packet'),
          patterns: [{ include: '#log-fields' }],
        },
        { match: String.raw`(?<![\w=])(?:${TCP_FLAGS})(?![\w=])`, name: sc('constant.language.tcp-flag') },
        { match: String.raw`(?<![\w=])(?:CE|DF|MF)(?![\w=])`, name: sc('constant.language.ip-flag') },
        {
          match: String.raw`(?<![\w])([A-Z][A-Z0-9_]*)(=)(\S*)`,
          name: sc('meta.field.${1:/downcase}'),
          captures: { ...key(1), ...eq(2), 3: { patterns: [{ include: '#value' }] } },
        },
      ],
    },

    // ---------------------------------------------------------------- conntrack
    'conntrack-entry': {
      // [1706365296.123456] [NEW] ipv4 2 tcp 6 120 SYN_SENT src=... (every part before tcp optional)
      begin: String.raw`^\s*(?:(\[)(\d+\.\d+)(\])\s+)?(?:(\[)(NEW|UPDATE|DESTROY)(\])\s+)?(?:(ipv[46])\s+(\d+)\s+)?([a-z][a-z0-9-]*)\s+(\d+)(?:\s+(\d+))?(?:\s+([A-Z][A-Z0-9_]*))?(?=\s+src=)`,
      beginCaptures: {
        1: { name: sc('punctuation.definition.timestamp.begin') },
        2: { name: sc('constant.numeric.timestamp') },
        3: { name: sc('punctuation.definition.timestamp.end') },
        4: { name: sc('punctuation.definition.event.begin') },
        5: { name: sc('keyword.other.event.${5:/downcase}') },
        6: { name: sc('punctuation.definition.event.end') },
        7: { name: sc('constant.language.l3proto') },
        8: { name: sc('constant.numeric.l3proto') },
        9: { name: sc('constant.language.protocol') },
        10: { name: sc('constant.numeric.protocol') },
        11: { name: sc('constant.numeric.timeout') },
        12: { name: sc('constant.language.${9:/downcase}-state') },
      },
      end: '$',
      name: sc('meta.conntrack-entry'),
      patterns: [
        {
          // the first tuple, right after the header (\G): the original direction
          begin: String.raw`\G\s++(?=src=)`,
          end: String.raw`(?<!\s)(?=\s++(?:src=|\[|${CT_TRAILER}))|$`,
          name: sc('meta.tuple.original'),
          patterns: [{ include: '#conntrack-fields' }],
        },
        {
          begin: String.raw`(?<!\s)\s++(?=src=)`,
          end: String.raw`(?<!\s)(?=\s++(?:\[|${CT_TRAILER}))|$`,
          name: sc('meta.tuple.reply'),
          patterns: [{ include: '#conntrack-fields' }],
        },
        {
          match: String.raw`(\[)(start|stop)(=)([^\]]*)(\])`,
          captures: {
            1: { name: sc('punctuation.definition.timestamp.begin') },
            2: { name: sc('entity.other.attribute-name.field') },
            3: { name: sc('punctuation.separator.key-value') },
            4: { name: sc('constant.numeric.timestamp') },
            5: { name: sc('punctuation.definition.timestamp.end') },
          },
        },
        {
          match: String.raw`(\[)([A-Z][A-Z_]*)(\])`,
          captures: {
            1: { name: sc('punctuation.definition.status.begin') },
            2: { name: sc('constant.language.ct-status') },
            3: { name: sc('punctuation.definition.status.end') },
          },
        },
        { include: '#conntrack-fields' },
      ],
    },

    'conntrack-fields': {
      patterns: [
        {
          match: String.raw`${NOT_IN_WORD}(src|dst)(=)(\S*)`,
          name: sc('meta.field.$1'),
          captures: { ...key(1), ...eq(2), 3: { patterns: [{ include: '#address' }] } },
        },
        {
          match: String.raw`${NOT_IN_WORD}(sport|dport)(=)(\d*)`,
          name: sc('meta.field.$1'),
          captures: { ...key(1), ...eq(2), 3: { name: sc('constant.numeric.port') } },
        },
        {
          match: String.raw`${NOT_IN_WORD}([a-z][\w-]*)(=)(\S*)`,
          name: sc('meta.field.$1'),
          captures: { ...key(1), ...eq(2), 3: { patterns: [{ include: '#value' }] } },
        },
      ],
    },

    'conntrack-summary': {
      // conntrack v1.4.6 (conntrack-tools): 3 flow entries have been shown.
      match: String.raw`^\s*conntrack\s+v[\d.]+\s+\(conntrack-tools\):\s+(\d+)\s+flow entries have been shown\.?`,
      name: sc('comment.line.conntrack-summary'),
      captures: { 1: { name: sc('constant.numeric.count') } },
    },

    // ---------------------------------------------------------------- sysctl
    sysctl: {
      // net.netfilter.nf_conntrack_max = 262144   |   sysctl -w net.netfilter.nf_conntrack_max=262144
      match: String.raw`^\s*(?:(sysctl)(?:\s+-[A-Za-z]+)*\s+)?((?:net|kernel|vm|fs|dev|user|abi|debug|crypto|sunrpc)(?:[./][\w-]+)+)\s*(=)\s*((?:.*\S)?)\s*$`,
      name: sc('meta.sysctl'),
      captures: {
        1: { name: sc('support.function.program') },
        2: { name: sc('variable.other.sysctl') },
        3: { name: sc('keyword.operator.assignment') },
        4: { patterns: [{ include: '#value' }] },
      },
    },

    // ---------------------------------------------------------------- values
    address: {
      patterns: [
        { include: '#ipv6' },
        { include: '#ipv4' },
        { match: String.raw`\S+`, name: sc('constant.other.address') },
      ],
    },
    ipv4: addresses.ipv4,
    ipv6: addresses.ipv6,

    value: {
      patterns: [
        { include: '#ipv6' },
        { include: '#ipv4' },
        { match: String.raw`(?<![\w.])0[xX][0-9A-Fa-f]+(?![\w.])`, name: sc('constant.numeric.hex') },
        { match: String.raw`(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])`, name: sc('constant.numeric') },
        { match: String.raw`\S+`, name: sc('string.unquoted.value') },
      ],
    },
  },
};
