// TextMate grammar for iptables-save / iptables-restore files and `iptables -S` output (IPv4 and
// IPv6). Source of syntaxes/iptables.tmLanguage.json (node syntaxes/src/build.mjs).
//
// Shape of a file, as iptables-restore reads it: `#` comment lines, `*table` headers,
// `:CHAIN POLICY [packets:bytes]` declarations, rules (`[p:b] -A CHAIN ...`), `COMMIT`.
// `iptables -S` output has no headers: `-P INPUT ACCEPT`, `-N DOCKER`, `-A ...`.
//
// Quoting is iptables-restore's, not the shell's: only double quotes group words, a backslash
// inside them takes the next character literally (`\"`), and single quotes are ordinary characters.
//
// Scope scheme (all end in `.iptables`), the names other parts of the project rely on:
//   keyword.other.table              `*filter` header (and the value of -t)
//   keyword.control.commit           COMMIT
//   keyword.control.command          -A -I -D -R -N -X -F -P -Z -E -C -L -S and long forms
//   entity.name.type.chain.builtin   INPUT OUTPUT FORWARD PREROUTING POSTROUTING
//   entity.name.function.chain.user  every other chain name (declaration, -A, -j/-g target)
//   keyword.control.verdict          ACCEPT DROP RETURN QUEUE (after -j, and as chain policy)
//   support.function.target          extension targets after -j (LOG REJECT DNAT MASQUERADE ...)
//   support.type.module              the module after -m
//   variable.parameter.option.generic  -p -s -d -i -o -f -j -g -m -c -t ... (and long forms)
//   variable.parameter.option        match / target options (--dport, --log-prefix ...)
//   meta.match / meta.target         from -m MODULE / -j TARGET to the next generic option
//   keyword.operator.negation        `!`
//   constant.numeric.address.ipv4/.ipv6, constant.numeric.prefix-length, constant.numeric.netmask
//   constant.numeric.port, support.constant.service (port names), punctuation.separator.range
//   constant.language.ctstate / ctstatus / ctdir / tcp-flag / protocol / log-level / reject-with / icmp-type
//   constant.numeric, constant.numeric.hex, constant.numeric.rate (+ keyword.other.unit),
//   constant.numeric.time / .date, constant.language.weekday (-m time)
//   constant.numeric.mac-address, constant.numeric.counter.packets / .bytes in meta.counters
//   variable.other.constant.interface (+ keyword.operator.wildcard for `+`)
//   string.quoted.double (+ constant.character.escape), string.unquoted, meta.log-prefix
//   comment.line.number-sign
import { addressRules, MAC } from './common.mjs';

const S = 'iptables';
const sc = (name) => `${name}.${S}`;

const START = String.raw`(?:^|(?<=\s))`;
const END = String.raw`(?=\s|$)`;
/** an argument word: not an option, not a negation, not a quote */
const ARG = String.raw`[^\s"!-][^\s"]*`;

const TABLES = 'filter|nat|mangle|raw|security';
const BUILTIN_CHAINS = 'INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING';
const VERDICTS = 'ACCEPT|DROP|RETURN|QUEUE';
// Every target extension shipped with iptables 1.8 (libxt_/libipt_/libip6t_ upper-case names),
// plus the ones older kernels had (MIRROR, SAME, ULOG). Anything else after -j is a user chain.
const EXTENSION_TARGETS = [
  'AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNMARK', 'CONNSECMARK', 'CT', 'DNAT', 'DNPT', 'DSCP',
  'ECN', 'HL', 'HMARK', 'IDLETIMER', 'LED', 'LOG', 'MARK', 'MASQUERADE', 'MIRROR', 'NETMAP', 'NFLOG',
  'NFQUEUE', 'NOTRACK', 'RATEEST', 'REDIRECT', 'REJECT', 'SAME', 'SECMARK', 'SET', 'SNAT', 'SNPT',
  'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TRACE', 'TTL', 'ULOG',
].join('|');

const CTSTATES = 'NEW|ESTABLISHED|RELATED|INVALID|UNTRACKED|SNAT|DNAT';
const CTSTATUS = 'NONE|EXPECTED|SEEN_REPLY|ASSURED|CONFIRMED';
const TCP_FLAGS = 'SYN|ACK|FIN|RST|URG|PSH|ECE|CWR|ALL|NONE';
const LOG_LEVELS = 'emerg|alert|crit|error|err|warning|warn|notice|info|debug|panic';

const CMD_CHAIN_ONLY = String.raw`-[ACNXF]|--(?:append|check|new-chain|new|delete-chain|flush)`;
const CMD_CHAIN_NUM = String.raw`-[IDRZLS]|--(?:insert|delete|replace|zero|list-rules|list)`;
const CMD_POLICY = String.raw`-P|--policy`;
const CMD_RENAME = String.raw`-E|--rename-chain`;
const COMMANDS = `${CMD_CHAIN_ONLY}|${CMD_CHAIN_NUM}|${CMD_POLICY}|${CMD_RENAME}`;

// Options iptables itself parses (not a match or target extension). A meta.match / meta.target
// container ends in front of any of them.
const GENERIC_OPTIONS = String.raw`-[psdiofjgmct46wWvnx]|--(?:protocol|source|src|destination|dst|in-interface|out-interface|fragment|jump|goto|match|set-counters|table|ipv4|ipv6|wait|wait-interval|verbose|numeric|exact|line-numbers|modprobe)`;
// (?<!\s) + possessive \s++: the lookahead runs once per whitespace run, not once per blank in it,
// so a line with a long run of blanks stays linear.
const CONTAINER_END = String.raw`(?<!\s)(?=\s++(?:!\s++)?(?:${GENERIC_OPTIONS}|${COMMANDS})${END})|$`;

/** a chain name in argument position: two captures, built-in then user */
const CHAIN = String.raw`(?:(${BUILTIN_CHAINS})${END}|(?![-!])([^\s"]+))`;
const chainCaptures = (builtin, user) => ({
  [builtin]: { name: sc('entity.name.type.chain.builtin') },
  [user]: { name: sc('entity.name.function.chain.user') },
});

const opt = (n) => ({ [n]: { name: sc('variable.parameter.option') } });
const generic = (n) => ({ [n]: { name: sc('variable.parameter.option.generic') } });
const neg = (n) => ({ [n]: { name: sc('keyword.operator.negation') } });

/** `--option [!] VALUE` where VALUE is tokenised by the given repository rule */
function optionWithValue(options, include, valueName) {
  return {
    match: String.raw`${START}(${options})${END}(?:\s+(!)${END})?(?:\s+(${ARG}))?`,
    captures: {
      ...opt(1),
      ...neg(2),
      3: { ...(valueName ? { name: valueName } : {}), patterns: [{ include }] },
    },
  };
}

export const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'iptables',
  scopeName: 'source.iptables',
  fileTypes: ['rules', 'v4', 'v6'],
  patterns: [
    { include: '#comment' },
    { include: '#table-header' },
    { include: '#chain-declaration' },
    { include: '#commit' },
    { include: '#rule' },
  ],
  repository: {
    comment: {
      // iptables-restore only accepts `#` in column 1; `#` lines are coloured wherever they start.
      match: String.raw`^\s*(#).*$`,
      name: sc('comment.line.number-sign'),
      captures: { 1: { name: sc('punctuation.definition.comment') } },
    },

    'table-header': {
      match: String.raw`^\s*((\*)(?:(?:${TABLES})${END}|(\S+)))(.*)$`,
      name: sc('meta.table-header'),
      captures: {
        1: { name: sc('keyword.other.table') },
        2: { name: sc('punctuation.definition.table') },
        3: { name: sc('invalid.illegal.unknown-table') },
      },
    },

    commit: {
      match: String.raw`^\s*(COMMIT)${END}`,
      captures: { 1: { name: sc('keyword.control.commit') } },
    },

    'chain-declaration': {
      match: String.raw`^\s*(:)${CHAIN}(?:\s+(?:(ACCEPT|DROP)|(-)|([^\s\[]+))${END})?(?:\s+(\[)(\d+)(:)(\d+)(\]))?`,
      name: sc('meta.chain-declaration'),
      captures: {
        1: { name: sc('punctuation.definition.chain') },
        ...chainCaptures(2, 3),
        4: { name: sc('keyword.control.verdict') },
        5: { name: sc('constant.language.policy.none') },
        6: { name: sc('invalid.illegal.policy') },
        7: { name: sc('punctuation.definition.counters.begin') },
        8: { name: sc('constant.numeric.counter.packets') },
        9: { name: sc('punctuation.separator.counters') },
        10: { name: sc('constant.numeric.counter.bytes') },
        11: { name: sc('punctuation.definition.counters.end') },
      },
    },

    rule: {
      // a rule or command line: `[0:0] -A ...`, `-t raw -A ...`, `-P INPUT DROP`, `iptables -I ...`
      begin: String.raw`^\s*(?=-|\[\d|!|(?:sudo\s+)?ip6?tables)`,
      end: '$',
      name: sc('meta.rule'),
      patterns: [
        { include: '#counters' },
        { include: '#string' },
        { include: '#program' },
        { include: '#command' },
        { include: '#target' },
        { include: '#match' },
        { include: '#generic-option' },
        { include: '#negation' },
        { include: '#extension-option' },
        { include: '#option' },
        { include: '#values' },
      ],
    },

    counters: {
      match: String.raw`(\[)(\d+)(:)(\d+)(\])`,
      name: sc('meta.counters'),
      captures: {
        1: { name: sc('punctuation.definition.counters.begin') },
        2: { name: sc('constant.numeric.counter.packets') },
        3: { name: sc('punctuation.separator.counters') },
        4: { name: sc('constant.numeric.counter.bytes') },
        5: { name: sc('punctuation.definition.counters.end') },
      },
    },

    program: {
      // pasted shell commands: `iptables -A ...`, `sudo ip6tables-legacy -I ...`
      match: String.raw`${START}(?:(sudo)\s+)?(ip6?tables(?:-legacy|-nft)?(?:-save|-restore)?)${END}`,
      captures: {
        1: { name: sc('support.function.program.sudo') },
        2: { name: sc('support.function.program') },
      },
    },

    command: {
      patterns: [
        {
          match: String.raw`${START}(${CMD_CHAIN_ONLY})${END}(?:\s+${CHAIN})?`,
          captures: { 1: { name: sc('keyword.control.command') }, ...chainCaptures(2, 3) },
        },
        {
          match: String.raw`${START}(${CMD_CHAIN_NUM})${END}(?:\s+${CHAIN}(?:\s+(\d+)${END})?)?`,
          captures: {
            1: { name: sc('keyword.control.command') },
            ...chainCaptures(2, 3),
            4: { name: sc('constant.numeric.rule-number') },
          },
        },
        {
          match: String.raw`${START}(${CMD_POLICY})${END}(?:\s+${CHAIN}(?:\s+(?:(ACCEPT|DROP)|(${ARG}))${END})?)?`,
          captures: {
            1: { name: sc('keyword.control.command') },
            ...chainCaptures(2, 3),
            4: { name: sc('keyword.control.verdict') },
            5: { name: sc('invalid.illegal.policy') },
          },
        },
        {
          match: String.raw`${START}(${CMD_RENAME})${END}(?:\s+${CHAIN}(?:\s+${CHAIN})?)?`,
          captures: { 1: { name: sc('keyword.control.command') }, ...chainCaptures(2, 3), ...chainCaptures(4, 5) },
        },
      ],
    },

    target: {
      begin: String.raw`${START}(-j|--jump|-g|--goto)${END}(?:\s+(?:(${VERDICTS})|(${EXTENSION_TARGETS})|(${BUILTIN_CHAINS})|(?![-!])([^\s"]+))${END})?`,
      beginCaptures: {
        ...generic(1),
        2: { name: sc('keyword.control.verdict') },
        3: { name: sc('support.function.target') },
        ...chainCaptures(4, 5),
      },
      end: CONTAINER_END,
      name: sc('meta.target'),
      patterns: [
        { include: '#string' },
        { include: '#negation' },
        { include: '#extension-option' },
        { include: '#option' },
        { include: '#values' },
      ],
    },

    match: {
      begin: String.raw`${START}(-m|--match)${END}(?:\s+(${ARG}))?`,
      beginCaptures: { ...generic(1), 2: { name: sc('support.type.module') } },
      end: CONTAINER_END,
      name: sc('meta.match'),
      patterns: [
        { include: '#string' },
        { include: '#negation' },
        { include: '#extension-option' },
        { include: '#option' },
        { include: '#values' },
      ],
    },

    'generic-option': {
      patterns: [
        {
          match: String.raw`${START}(-p|--protocol)${END}(?:\s+(!)${END})?(?:\s+(?:(\d+)|([A-Za-z][\w.+-]*))${END})?`,
          captures: {
            ...generic(1),
            ...neg(2),
            3: { name: sc('constant.numeric.protocol') },
            4: { name: sc('constant.language.protocol') },
          },
        },
        {
          match: String.raw`${START}(-s|-d|--source|--src|--destination|--dst)${END}(?:\s+(!)${END})?(?:\s+(${ARG}))?`,
          captures: { ...generic(1), ...neg(2), 3: { patterns: [{ include: '#address-list' }] } },
        },
        {
          match: String.raw`${START}(-i|-o|--in-interface|--out-interface)${END}(?:\s+(!)${END})?(?:\s+([^\s"!][^\s"]*))?`,
          captures: { ...generic(1), ...neg(2), 3: { patterns: [{ include: '#interface' }] } },
        },
        {
          match: String.raw`${START}(-c|--set-counters)${END}(?:\s+(\d+)(?:(?:\s+|,)(\d+))?${END})?`,
          captures: {
            ...generic(1),
            2: { name: sc('constant.numeric.counter.packets') },
            3: { name: sc('constant.numeric.counter.bytes') },
          },
        },
        {
          match: String.raw`${START}(-t|--table)${END}(?:\s+(?:(${TABLES})|(${ARG}))${END})?`,
          captures: {
            ...generic(1),
            2: { name: sc('keyword.other.table') },
            3: { name: sc('invalid.illegal.unknown-table') },
          },
        },
        {
          match: String.raw`${START}(${GENERIC_OPTIONS})${END}`,
          captures: generic(1),
        },
      ],
    },

    negation: {
      match: String.raw`${START}(!)${END}`,
      captures: neg(1),
    },

    'extension-option': {
      patterns: [
        optionWithValue(String.raw`--(?:dports?|sports?|ports|destination-ports?|source-ports?|to-ports?|on-port|ctorigsrcport|ctorigdstport|ctreplsrcport|ctrepldstport)`, '#port-list'),
        optionWithValue(String.raw`--(?:ctstate|state)`, '#ctstate-list'),
        optionWithValue('--ctstatus', '#ctstatus-list'),
        optionWithValue('--ctdir', '#ctdir'),
        {
          match: String.raw`${START}(--tcp-flags)${END}(?:\s+(!)${END})?(?:\s+(${ARG})(?:\s+(${ARG}))?)?`,
          captures: {
            ...opt(1),
            ...neg(2),
            3: { patterns: [{ include: '#tcp-flag-list' }] },
            4: { patterns: [{ include: '#tcp-flag-list' }] },
          },
        },
        {
          // LOG/NFLOG/ULOG prefixes: what later shows up in the kernel log before IN=
          match: String.raw`${START}(--(?:log-prefix|nflog-prefix|ulog-prefix))${END}(?:\s+("(?:[^"\\]|\\.)*(?:"|$)|[^\s"]+))?`,
          captures: {
            ...opt(1),
            2: { name: sc('meta.log-prefix'), patterns: [{ include: '#string' }, { include: '#unquoted-string' }] },
          },
        },
        {
          match: String.raw`${START}(--(?:comment|helper|nfacct-name|name|set-name|log-label|nflog-group-name|algo))${END}(?:\s+(!)${END})?(?:\s+("(?:[^"\\]|\\.)*(?:"|$)|[^\s"]+))?`,
          captures: {
            ...opt(1),
            ...neg(2),
            3: { patterns: [{ include: '#string' }, { include: '#unquoted-string' }] },
          },
        },
        {
          match: String.raw`${START}(--log-level)${END}(?:\s+(?:(\d+)|(${LOG_LEVELS}))${END})?`,
          captures: {
            ...opt(1),
            2: { name: sc('constant.numeric.log-level') },
            3: { name: sc('constant.language.log-level') },
          },
        },
        {
          match: String.raw`${START}(--reject-with)${END}(?:\s+([\w-]+)${END})?`,
          captures: { ...opt(1), 2: { name: sc('constant.language.reject-with') } },
        },
        {
          match: String.raw`${START}(--(?:icmp-type|icmpv6-type))${END}(?:\s+(!)${END})?(?:\s+(?:(\d+(?:/\d+)?)|([A-Za-z][\w-]*))${END})?`,
          captures: {
            ...opt(1),
            ...neg(2),
            3: { name: sc('constant.numeric.icmp-type') },
            4: { name: sc('constant.language.icmp-type') },
          },
        },
        optionWithValue(String.raw`--(?:to-destination|to-source|to|src-range|dst-range|gateway|on-ip|ctorigsrc|ctorigdst|ctreplsrc|ctrepldst|ctexpect|tproxy-mark-ip)`, '#address-list'),
        optionWithValue(String.raw`--time(?:start|stop)`, '#time-of-day'),
        optionWithValue(String.raw`--date(?:start|stop)`, '#date'),
        optionWithValue('--weekdays', '#weekday-list'),
        optionWithValue('--mac-source', '#mac'),
        optionWithValue(String.raw`--physdev-(?:in|out)`, '#interface'),
      ],
    },

    option: {
      patterns: [
        { match: String.raw`${START}(--[A-Za-z0-9][\w-]*)(?=\s|$|=)`, captures: opt(1) },
        { match: String.raw`${START}(-[A-Za-z0-9])${END}`, captures: opt(1) },
      ],
    },

    string: {
      begin: '"',
      beginCaptures: { 0: { name: sc('punctuation.definition.string.begin') } },
      end: '(")|$',
      endCaptures: { 1: { name: sc('punctuation.definition.string.end') } },
      name: sc('string.quoted.double'),
      patterns: [{ match: String.raw`\\.`, name: sc('constant.character.escape') }],
    },

    'unquoted-string': {
      match: String.raw`[^\s"]+`,
      name: sc('string.unquoted'),
    },

    values: {
      patterns: [
        { include: '#mac' },
        { include: '#ipv6' },
        { include: '#ipv4-endpoint' },
        { include: '#hex' },
        { include: '#rate' },
        { include: '#number' },
      ],
    },

    'address-list': {
      // -s/-d values, DNAT/SNAT --to-*, iprange --src-range: addresses, ranges, ports, lists
      patterns: [
        {
          match: String.raw`(\[)`,
          name: sc('punctuation.definition.address.begin'),
        },
        {
          match: String.raw`(\])`,
          name: sc('punctuation.definition.address.end'),
        },
        { include: '#ipv6' },
        { include: '#ipv4-endpoint' },
        { include: '#port-suffix' },
        { match: ',', name: sc('punctuation.separator.list') },
        { match: '-', name: sc('punctuation.separator.range') },
        { include: '#number' },
        { match: String.raw`[A-Za-z][\w.-]*`, name: sc('string.unquoted.hostname') },
      ],
    },

    'ipv4-endpoint': {
      // 10.0.0.0/8, 10.0.0.0/255.0.0.0, 192.0.2.1:8080, 192.0.2.1:8080-8090
      match: String.raw`(?<![\w.:])(\d{1,3}(?:\.\d{1,3}){3}(?:(/)(?:(\d{1,3}(?:\.\d{1,3}){3})|(\d{1,2})))?)(?:(:)(\d{1,5})(?:([-:])(\d{1,5}))?)?(?![\w.])`,
      captures: {
        1: { name: sc('constant.numeric.address.ipv4') },
        2: { name: sc('punctuation.separator.prefix') },
        3: { name: sc('constant.numeric.netmask') },
        4: { name: sc('constant.numeric.prefix-length') },
        5: { name: sc('punctuation.separator.port') },
        6: { name: sc('constant.numeric.port') },
        7: { name: sc('punctuation.separator.range') },
        8: { name: sc('constant.numeric.port') },
      },
    },

    ipv6: addressRules(S).ipv6,

    'port-suffix': {
      // `]:80` after a bracketed IPv6 address
      match: String.raw`(?<=\])(:)(\d{1,5})(?:([-:])(\d{1,5}))?`,
      captures: {
        1: { name: sc('punctuation.separator.port') },
        2: { name: sc('constant.numeric.port') },
        3: { name: sc('punctuation.separator.range') },
        4: { name: sc('constant.numeric.port') },
      },
    },

    'port-list': {
      // 80 | 1024:65535 | 80,443 | 8080-8090 (--to-ports) | ssh,http
      patterns: [
        { match: String.raw`\d+`, name: sc('constant.numeric.port') },
        { match: String.raw`[:-](?=\d)`, name: sc('punctuation.separator.range') },
        { match: ',', name: sc('punctuation.separator.list') },
        { match: String.raw`[A-Za-z][\w.+]*(?:-[A-Za-z][\w.+]*)*`, name: sc('support.constant.service') },
      ],
    },

    'ctstate-list': {
      patterns: [
        { match: String.raw`(?<![\w-])(?:${CTSTATES})(?![\w-])`, name: sc('constant.language.ctstate') },
        { match: ',', name: sc('punctuation.separator.list') },
        { match: String.raw`[^\s,]+`, name: sc('invalid.illegal.ctstate') },
      ],
    },

    'ctstatus-list': {
      patterns: [
        { match: String.raw`(?<![\w-])(?:${CTSTATUS})(?![\w-])`, name: sc('constant.language.ctstatus') },
        { match: ',', name: sc('punctuation.separator.list') },
        { match: String.raw`[^\s,]+`, name: sc('invalid.illegal.ctstatus') },
      ],
    },

    ctdir: {
      patterns: [
        { match: String.raw`(?<![\w-])(?:ORIGINAL|REPLY)(?![\w-])`, name: sc('constant.language.ctdir') },
        { match: String.raw`[^\s,]+`, name: sc('invalid.illegal.ctdir') },
      ],
    },

    'tcp-flag-list': {
      patterns: [
        { match: String.raw`(?<![\w-])(?:${TCP_FLAGS})(?![\w-])`, name: sc('constant.language.tcp-flag') },
        { match: ',', name: sc('punctuation.separator.list') },
        { match: String.raw`[^\s,]+`, name: sc('invalid.illegal.tcp-flag') },
      ],
    },

    interface: {
      // eth0, eth+ (prefix wildcard), veth1234@if5 is not valid but keep it whole
      match: String.raw`(?=[^\s"])([^\s"+]*)(\+)?`,
      captures: {
        1: { name: sc('variable.other.constant.interface') },
        2: { name: sc('keyword.operator.wildcard') },
      },
    },

    mac: {
      match: String.raw`(?<![\w:])${MAC}(?:(/)(${MAC}))?(?![\w:])`,
      name: sc('constant.numeric.mac-address'),
      captures: { 1: { name: sc('punctuation.separator.mask') } },
    },

    hex: {
      // marks and masks: 0x4000/0x4000
      match: String.raw`(?<![\w.])(0[xX][0-9A-Fa-f]+)(?:(/)(0[xX][0-9A-Fa-f]+|\d+))?(?![\w.])`,
      captures: {
        1: { name: sc('constant.numeric.hex') },
        2: { name: sc('punctuation.separator.mask') },
        3: { name: sc('constant.numeric.hex') },
      },
    },

    rate: {
      // --limit 30/min, --hashlimit-upto 50/sec, --hashlimit-upto 4kb/s; sizes: --hashlimit-burst 400kb
      patterns: [
        {
          match: String.raw`(?<![\w.])(\d+)(b|kb|mb)?(/)(second|sec|s|minute|min|m|hour|h|day|d)(?![\w])`,
          name: sc('constant.numeric.rate'),
          captures: {
            2: { name: sc('keyword.other.unit') },
            3: { name: sc('punctuation.separator.rate') },
            4: { name: sc('keyword.other.unit') },
          },
        },
        {
          match: String.raw`(?<![\w.])(\d+)(b|kb|mb)(?![\w.])`,
          name: sc('constant.numeric'),
          captures: { 2: { name: sc('keyword.other.unit') } },
        },
      ],
    },

    'time-of-day': {
      // -m time --timestart 08:00[:00]
      match: String.raw`\d{1,2}:\d{2}(?::\d{2})?`,
      name: sc('constant.numeric.time'),
    },

    date: {
      // -m time --datestart 2001-02-03T04:05:06
      match: String.raw`\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?`,
      name: sc('constant.numeric.date'),
    },

    'weekday-list': {
      patterns: [
        { match: String.raw`(?<![\w-])(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|[1-7])(?![\w-])`, name: sc('constant.language.weekday') },
        { match: ',', name: sc('punctuation.separator.list') },
        { match: String.raw`[^\s,]+`, name: sc('invalid.illegal.weekday') },
      ],
    },

    number: {
      match: String.raw`(?<![\w.])\d+(?:\.\d+)?(?![\w.])`,
      name: sc('constant.numeric'),
    },
  },
};
