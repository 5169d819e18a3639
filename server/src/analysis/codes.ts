/**
 * Every diagnostic code the project emits, with its default severity and the text of its
 * documentation section (docs/checks.md is generated from this table by scripts/gen-checks-doc.ts,
 * and a test keeps the two in sync). A code is shown to users as `iptables-lens/<id>`; the id never
 * changes once released.
 */
import type { Finding, Severity, Span } from '../model/ruleset';

export type CodeGroup = 'syntax' | 'validity' | 'ordering' | 'hygiene' | 'log';

export interface CodeInfo {
  readonly id: string;
  readonly group: CodeGroup;
  readonly severity: Severity;
  readonly title: string;
  /** Markdown: what it means, why it matters, what to do. */
  readonly doc: string;
}

const syntax = (id: string, title: string, doc: string, severity: Severity = 'error'): CodeInfo => ({ id, group: 'syntax', severity, title, doc });
const validity = (id: string, title: string, doc: string, severity: Severity = 'error'): CodeInfo => ({ id, group: 'validity', severity, title, doc });
const ordering = (id: string, title: string, doc: string, severity: Severity = 'warning'): CodeInfo => ({ id, group: 'ordering', severity, title, doc });
const log = (id: string, title: string, doc: string, severity: Severity = 'warning'): CodeInfo => ({ id, group: 'log', severity, title, doc });
const hygiene = (id: string, title: string, doc: string, severity: Severity = 'warning'): CodeInfo => ({ id, group: 'hygiene', severity, title, doc });

export const CODES: readonly CodeInfo[] = [
  syntax('syntax', 'Line iptables cannot read', 'A word that belongs to no option, a `!` in the wrong place, two commands on one line. iptables-restore stops at this line ("Bad argument"), and nothing of the file is loaded.'),
  syntax('missing-argument', 'Option without its value', 'The option needs one or more values after it and the line ends (or the next word is another option). iptables-restore refuses the line.'),
  syntax('unknown-option', 'Option nobody knows here', 'No loaded module has this option. Most often the module is missing (`--dport` needs `-p tcp` or `-p udp` before it, `--ctstate` needs `-m conntrack`), or the option is misspelt.'),
  syntax('abbreviated-option', 'Abbreviated option', 'iptables accepts unambiguous prefixes of long options (`--dpo` for `--dport`), but iptables-save always prints the full name; writing it out keeps the file the same as what the kernel holds.', 'hint'),
  syntax('unknown-match', 'Unknown match module', 'iptables 1.8.9 has no match module of that name for this family (IPv4 or IPv6). The load fails with "Couldn\'t load match".'),
  syntax('unknown-target', 'Target of the other family', 'The target exists only for the other address family (for example an IPv6-only target in an iptables file).'),
  syntax('duplicate-option', 'Built-in option given twice', 'Options such as -p, -s, -d, -i, -o and -j may appear once per rule.'),
  syntax('missing-command', 'Line without a command', 'Every rule line needs a command such as `-A CHAIN`. iptables-restore says "no command specified".'),
  syntax('outside-table', 'Line outside a table block', 'In an iptables-restore file every chain line and rule belongs between a `*table` header and its COMMIT.'),
  syntax('missing-commit', 'Table block without COMMIT', 'iptables-restore applies a table only when it reaches COMMIT. Without it the block is discarded and the restore fails ("COMMIT expected").'),
  syntax('unknown-table', 'Unknown table', 'iptables knows five tables: filter (the default), nat, mangle, raw and security. Any other name after `*` or `-t` makes iptables-restore fail ("table name invalid").'),
  syntax('chain-policy', 'Bad chain policy', 'A built-in chain\'s policy is ACCEPT or DROP (upper case). User chains have no policy: their line carries `-`.'),
  syntax('chain-name', 'Bad chain name', 'Chain names have at most 28 characters, may not start with `-`, and may not be the name of a target.'),
  syntax('counters', 'Malformed counters', 'Counters are written `[packets:bytes]` with two whole numbers.', 'warning'),
  syntax('ignored-text', 'Text iptables-restore ignores', 'iptables-restore reads only the table name on a `*` line and the name, policy and counters on a `:` line; anything after is silently dropped.', 'warning'),
  syntax('table-redefined', 'Table block repeated', 'Each `*table` block replaces the whole table (iptables-restore flushes it first unless run with --noflush), so an earlier block of the same table is lost.', 'warning'),
  syntax('table-option-in-restore', '-t inside a restore file', 'In an iptables-restore file the table comes from the `*table` header; iptables-restore refuses `-t` on a rule line.'),
  syntax('carriage-return', 'Windows line endings', 'iptables-restore does not strip the carriage return at the end of a line: it becomes part of the last word (`ACCEPT\\r` is no target) and the restore fails. Save the file with LF line endings.'),
  syntax('byte-order-mark', 'Byte-order mark', 'The three bytes of a UTF-8 BOM at the start of the file become part of the first line, which iptables-restore then cannot read.'),
  syntax('blank-line-with-spaces', 'Line of blanks', 'An empty line is fine, but a line holding only spaces or tabs makes iptables-restore fail with "no command specified".'),
  syntax('indented-comment', 'Indented comment', 'iptables-restore treats `#` as a comment only in the first column; an indented `#` is read as a word of a command.'),
  syntax('commit-trailing-blank', 'Blanks after COMMIT', 'iptables-restore recognises COMMIT only when nothing, not even a space, follows it.'),
  syntax('unterminated-quote', 'Quote never closed', 'iptables-restore accepts an unclosed quote and takes the rest of the line, options included, into the quoted value; the rule then does something else than it reads.', 'warning'),
  syntax('undefined-chain', 'Chain that does not exist', 'The command names a chain, or the rule jumps to a name, that is neither a target nor a chain declared in this table.'),
  syntax('goto-builtin', '-g to something that is not a user chain', '`-g` continues in a user-defined chain; it cannot go to a built-in chain or a target.'),
  syntax('jump-to-builtin', 'Jump to a built-in chain', '`-j` can name a target or a user-defined chain, never a built-in chain such as INPUT: built-in chains are entered only by packets on their hook.'),
  syntax('rule-number', 'Rule number out of range', '-I, -R and -D with a number need that position to exist in the chain at that point of the file ("Index of insertion too big").'),
  syntax('no-such-rule', '-D of a rule that is not there', 'Deleting by specification needs an identical rule in the chain at that point of the file; otherwise iptables-restore fails ("Bad rule").', 'warning'),
  syntax('chain-exists', 'Chain created twice', '-N (or -E to a taken name) fails when the chain already exists.'),
  syntax('builtin-chain', 'Command on a built-in chain that needs a user chain', 'Built-in chains cannot be deleted or renamed, and only they have policies.'),
  syntax('listing-command', 'Listing command in a rules file', '-L and -S only print the rules; inside a restore file or a rules script they change nothing and are probably left over from copying terminal output.', 'warning'),
  validity('invalid-argument', 'Value iptables refuses', 'The value of an option is not acceptable to iptables: a port above 65535, a malformed address or prefix, an unknown state or flag, a `!` where a value belongs.'),
  validity('suspicious-argument', 'Value that cannot be meant', 'iptables accepts the value, but the rule cannot do what it says: a reversed port range matches nothing, a host name is resolved only once at load time, an interface name with `/` never exists.', 'warning'),
  validity('not-negatable', 'Negation not supported', 'This option cannot be negated with `!`; iptables refuses the rule ("cannot be inverted"). Express the opposite condition another way, or split the rule in two.'),
  validity('wrong-family', 'Option of the other family', 'The option exists only for IPv4 (iptables) or only for IPv6 (ip6tables).'),
  validity('deprecated-option', 'Deprecated option', 'iptables still accepts the option but it is on its way out; the message names the current form.', 'warning'),
  validity('option-repeated', 'Option given twice in one module', 'Most module options may appear once per module; load the module a second time for a second condition.'),
  validity('missing-required-option', 'Required option missing', 'The module or target needs this option (for example `-m comment` needs `--comment`), or does nothing without at least one of its options.'),
  validity('option-conflict', 'Options that cannot be combined', 'Two options of the same module exclude each other, or one needs another.'),
  validity('module-check', 'Refused by the module', 'The module\'s own final check refuses this combination (for example `--reject-with tcp-reset` without `-p tcp`).'),
  validity('protocol-required', 'Module without its protocol', 'The kernel refuses protocol matches and some targets unless the rule names the protocol with `-p` (not negated): `-m tcp` needs `-p tcp`, `-m multiport` needs tcp, udp, udplite, sctp or dccp.'),
  validity('target-table', 'Target in the wrong table', 'Some targets exist only in one table (REJECT in filter, DNAT/SNAT/MASQUERADE in nat, NOTRACK/CT in raw...). The kernel refuses the rule elsewhere.'),
  validity('target-hook', 'Target in the wrong chain', 'Some targets are valid only on some hooks (MASQUERADE in POSTROUTING, REJECT in INPUT/FORWARD/OUTPUT). The kernel checks user chains by every built-in chain that reaches them.'),
  validity('match-hook', 'Match in the wrong chain', 'Some matches are valid only on some hooks (owner in OUTPUT/POSTROUTING, where packets have a local owner).'),
  validity('interface-direction', 'Interface option in the wrong direction', '-i has no meaning in OUTPUT/POSTROUTING and -o none in INPUT/PREROUTING; iptables refuses them in built-in chains, and in user chains they silently never match.'),
  validity('never-matches', 'Rule that can never match', 'The conditions exclude every packet (for example `! -p all`); iptables refuses such a rule.'),
  validity('jump-loop', 'Jump loop', 'A chain that can reach itself through jumps makes the kernel refuse the whole table ("Too many links").'),
  validity(
    'nft-backend-difference',
    'iptables-nft loads the rule with another meaning',
    'A few rule forms are translated by iptables-nft 1.8.9 (the default `iptables` of Debian 12) into nftables expressions that do not mean what the rule says, while iptables-legacy loads them faithfully: `! --sport A ! --dport B` in one tcp or udp match becomes "not (sport A and dport B)", because the two port comparisons are merged into one; `! --sport 0:65535` is dropped, so the rule matches every packet instead of none. Both were found by comparing the tracer with rule counters in a network namespace. Write the conditions so that both backends agree.',
    'warning',
  ),
  validity('obsolete-extension', 'Obsolete extension', 'The extension has been removed from current kernels or iptables; the message names the replacement.', 'warning'),
  ordering(
    'log-invalid',
    'INVALID packets reach a LOG rule',
    'Conntrack calls a packet INVALID when it cannot place it in a connection. The common case on a busy server is harmless: the FIN or RST that closes a connection arrives after conntrack has already removed its entry (a keep-alive timeout, a lost ACK), and a FIN or RST without an entry is INVALID, never NEW (kernel `nf_conntrack_proto_tcp.c`). INVALID is neither ESTABLISHED nor NEW, so such packets fall past `--ctstate ESTABLISHED,RELATED -j ACCEPT` and past `--ctstate NEW --dport 80 -j ACCEPT`, reach the LOG rule and fill the log with "blocked" packets to ports that are open.\n\n' +
      'Fix: drop INVALID packets before the rule (or the jump) through which they reach the LOG rule: `-m conntrack --ctstate INVALID -j DROP`. The quick fix inserts it right there, so every earlier rule still sees the same packets. A second quick fix drops only INVALID TCP packets carrying FIN or RST and keeps logging other INVALID traffic, which can be worth seeing (scans with impossible flag combinations).',
  ),
  ordering(
    'ban-after-established',
    'Ban placed after the ESTABLISHED accept',
    'A DROP or REJECT for some addresses that comes after `--ctstate ESTABLISHED -j ACCEPT` only stops new connections: every packet of a connection the host already has is accepted before the ban is reached, so an attacker who is already connected stays connected (and, when the ban is lifted, the connection simply resumes). Move the ban above the ESTABLISHED accept; for TCP, reject with `tcp-reset` so the connection ends at once.',
  ),
  ordering(
    'reject-without-tcp-reset',
    'REJECT answers TCP with ICMP',
    'By default REJECT answers with ICMP port-unreachable. For a connection attempt that usually works, but a peer with an established connection that gets ICMP (or nothing) keeps retransmitting for minutes. `--reject-with tcp-reset` sends a RST, which ends the connection immediately. It needs `-p tcp`; for a rule that covers other protocols too, the quick fix adds a TCP-only copy in front of it.',
    'hint',
  ),
  ordering(
    'reset-swallowed',
    'OUTPUT drops the resets of a REJECT',
    'The RST (or ICMP error) that REJECT sends is a packet of this host: it leaves through the OUTPUT chain. A rule there that drops or rejects traffic to the same peer (common when an address is banned in both directions) stops the reset, and the peer never learns that its connection is gone. Let the resets out: accept `--ctstate RELATED` (the kernel attaches the reset to the rejected connection as RELATED) before the OUTPUT ban, or ban only in INPUT.',
  ),
  ordering(
    'new-without-syn',
    'NEW TCP accepted without --syn',
    'With `net.netfilter.nf_conntrack_tcp_loose=1`, the kernel default, conntrack picks up connections in the middle: a plain ACK or ACK PSH for which it has no entry is NEW, not INVALID. A rule that accepts NEW TCP without asking for SYN therefore lets through mid-stream packets of connections conntrack forgot (after a reboot, a flush, or an expired timeout). Add `--syn` (SYN set, ACK, RST and FIN clear) to accept only real openings, or set `nf_conntrack_tcp_loose=0`.',
    'hint',
  ),
  ordering(
    'notrack-without-untracked',
    'Untracked packets are never accepted',
    'Packets exempted from connection tracking in the raw table (`-j NOTRACK`, `-j CT --notrack`) have the state UNTRACKED, which is neither NEW nor ESTABLISHED. If the filter chain they reach accepts only by state and never lists UNTRACKED, they fall to the policy or the final drop and the exempted service becomes unreachable. Add UNTRACKED to the state list of the accept rule (`--ctstate RELATED,ESTABLISHED,UNTRACKED`).',
  ),
  ordering(
    'one-way-notrack',
    'Only one direction untracked',
    'Exempting a service from tracking takes two raw rules: PREROUTING for the packets that arrive (`--dport 80`) and OUTPUT for the replies this host sends (`--sport 80`), or the reverse for a client. With only one, the other direction still creates conntrack entries, which keeps the table filling and makes those packets be judged against half a conversation.',
  ),
  ordering(
    'shadowed-rule',
    'Rule that never takes effect',
    'Earlier rules of the same chain with final verdicts (ACCEPT, DROP, REJECT, RETURN...) already decide every packet this rule matches, some or all with a different verdict: the rule is never the one that decides. The finding names those rules in order, each for the packets the ones before it left; a rule that would match some of them but comes after the ones that took them is not named. Either the rule is dead, or it was meant to come before them.',
  ),
  ordering(
    'redundant-rule',
    'Rule that changes nothing',
    'Every packet the rule matches gets the same verdict without it: from earlier rules, or from the rules after it and the policy. Removing it changes nothing (except its counters).',
    'information',
  ),
  ordering(
    'unreachable-rule',
    'Rule after an unconditional verdict',
    'An earlier rule without any condition accepts, drops, rejects or returns every packet, so no packet reaches the rules after it in that chain.',
  ),
  ordering(
    'missing-established-accept',
    'No ESTABLISHED accept in a dropping chain',
    'A chain that drops by default (policy DROP or a final drop) must accept the packets of connections that are already allowed, usually with `-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT` near the top. Without it, replies to connections this host opens (DNS answers, package downloads) are dropped, and RELATED ICMP errors (fragmentation needed) are lost.',
  ),
  ordering(
    'missing-loopback-accept',
    'No loopback accept in INPUT',
    'With INPUT dropping by default, traffic on `lo` must be accepted explicitly (`-A INPUT -i lo -j ACCEPT`), or programs on the host that talk to each other over 127.0.0.1 (databases, local DNS resolvers, caches, X11) are cut off.',
  ),
  hygiene(
    'log-without-limit',
    'LOG without a rate limit',
    'Every packet that reaches a LOG rule writes a line to the kernel log. A flood or a scan can then write thousands of lines per second, filling the disk and hiding everything else. Put `-m limit --limit 5/min --limit-burst 10` (or `-m hashlimit` for a budget per source) in front of `-j LOG`.',
    'information',
  ),
  hygiene(
    'log-prefix-too-long',
    'Log prefix longer than the kernel keeps',
    'The kernel stores at most 29 characters of `--log-prefix` (63 of `--nflog-prefix`); iptables cuts the rest without a word. Searches for the full prefix then find nothing.',
  ),
  hygiene(
    'log-prefix-no-space',
    'Log prefix without a trailing space',
    'The kernel prints the prefix immediately before `IN=`. Without a trailing space the line reads `DROPPEDIN=eth0`, which breaks searches for ` IN=` and many log parsers.',
    'information',
  ),
  hygiene(
    'log-prefix-duplicate',
    'Several rules share a log prefix',
    'The prefix is the only part of a log line that says which rule wrote it. When two rules share it, nobody can tell from the log which one fired.',
    'information',
  ),
  hygiene(
    'state-module',
    '`-m state` instead of `-m conntrack`',
    '`-m state --state` is the older spelling of `-m conntrack --ctstate`; for NEW, ESTABLISHED, RELATED, INVALID and UNTRACKED they match exactly the same packets. The quick fix converts the rule.',
    'hint',
  ),
  hygiene(
    'unused-chain',
    'User chain never used',
    'No rule jumps or goes to this chain, so its rules never run. Often a leftover after a refactoring, or a jump that was lost.',
    'information',
  ),
  ordering(
    'analysis-limit',
    'Ordering check limited on a huge chain',
    'The checks that follow packets through the chains (INVALID packets reaching a LOG rule, REJECT without a TCP reset, resets that OUTPUT drops, untracked packets nobody accepts, a missing ESTABLISHED or loopback accept) keep the packets that get past each rule as a set. A chain of tens of thousands of rules that each carve a piece out of that set (a blocklist of single addresses, say) makes the set and the work grow with every rule; past a fixed amount of work the walk stops. This diagnostic then says which check was not completed for which table and hook: nothing is reported for it there, rather than something that might be wrong. Every other check still runs. Splitting a long blocklist into an ipset (`-m set --match-set`) keeps it one rule.',
    'information',
  ),
  log(
    'log-line',
    'Log line read only in part',
    'A line of a firewall log that looks like a kernel LOG line, a conntrack listing, a kernel message or a sysctl, but has something the kernel never prints there: a line cut in half, text between fields, a field written twice, an unknown key (`URGn=0`), a value that is not a number. Everything readable is still used; the message says which part could not be read. The log parser\'s own code for the problem (`log/cut`, `log/unexpected-text`...) is in the message.',
  ),
];

const BY_ID = new Map(CODES.map((c) => [c.id, c]));

export function codeInfo(id: string): CodeInfo | undefined {
  return BY_ID.get(id);
}

export const CODE_PREFIX = 'iptables-lens/';
export const DOCS_URL = 'https://github.com/iptables-lens/iptables-lens/blob/main/docs/checks.md';

/** The anchor GitHub gives the `### <id>` heading of a code in docs/checks.md. */
export function docsLink(id: string): string {
  return `${DOCS_URL}#${id}`;
}

/** A code's full name as users see it (`iptables-lens/<id>`) and the link to its documentation. */
export interface CodeTexts {
  readonly fullCode: string;
  readonly docs: string;
}

/** The texts of each code, made once per code. */
const TEXTS = new Map<string, CodeTexts>();

export function codeTexts(id: string): CodeTexts {
  let t = TEXTS.get(id);
  if (!t) TEXTS.set(id, (t = { fullCode: CODE_PREFIX + id, docs: docsLink(id) }));
  return t;
}

/**
 * A finding made by a class that also answers its full code and documentation link: at its own
 * severity it is its own diagnostic (see service/diagnostics.ts), where any other finding gets a
 * copy with those two added. A check whose findings move with every line put in above them (the
 * shadowed-rule check's 7 000 on the Docker-like 100k file, half of them said again on their new
 * lines after each such edit) spares a copy of each, and the weak map entry that kept it.
 */
export abstract class CodedFinding implements Finding {
  abstract readonly code: string;
  abstract readonly severity: Severity;
  abstract readonly message: string;
  abstract readonly span: Span;

  get fullCode(): string {
    return codeTexts(this.code).fullCode;
  }

  get docs(): string {
    return codeTexts(this.code).docs;
  }
}
