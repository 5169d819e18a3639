/**
 * Kernel messages about conntrack (`nf_conntrack: table full, dropping packet`,
 * `net_ratelimit: N callbacks suppressed`...) and conntrack sysctl lines
 * (`net.netfilter.nf_conntrack_max = 262144`, `net.ipv4.netfilter.ip_conntrack_max=65536`).
 */
import { KERNEL_MESSAGES } from '../../knowledge/kernel-messages';
import { findSysctl, isLegacySysctlName } from '../../knowledge/sysctls';
import type { KernelMessage, LogNote, NumberToken, SysctlLine, Wrapper } from '../../model/log';
import * as scan from './scan';

// local bindings: resolved once, not through a module getter on every call (hot loops)
const { isBlank, isDigit, numberToken, parseUint, skipBlanks, span, token } = scan;

/** Subsystem tags the catalogue knows, longest first. */
export const KERNEL_SUBSYSTEMS: readonly string[] = [...new Set(KERNEL_MESSAGES.flatMap((m) => m.subsystems))].sort((a, b) => b.length - a.length);

/** Read `tag: ` at p; returns [tag, offset after the blanks] or undefined. */
function subsystemAt(text: string, p: number, end: number): [string, number] | undefined {
  for (const s of KERNEL_SUBSYSTEMS) {
    if (text.startsWith(s, p) && text.charCodeAt(p + s.length) === 0x3a) return [s, skipBlanks(text, p + s.length + 1, end)];
  }
  return undefined;
}

/** A known kernel message in text[body, end), or undefined. */
export function parseKernelMessage(text: string, line: number, body: number, end: number, wrapper: Wrapper): KernelMessage | undefined {
  const notes: LogNote[] = [];
  const full = span(line, 0, end);
  const message = token(text, line, body, end);
  // `nf_conntrack version 0.5.0 (65536 buckets, 262144 max)`
  if (text.startsWith('nf_conntrack version ', body)) {
    return { kind: 'kernel', line, span: full, wrapper, id: 'conntrack-version', message, notes };
  }
  const first = subsystemAt(text, body, end);
  if (!first) return undefined;
  const sub = first[0];
  let p = first[1];
  const again = subsystemAt(text, p, end);
  if (again && again[0] === sub) {
    p = again[1];
    notes.push({
      code: 'log/doubled-subsystem',
      severity: 'info',
      message: `\`${sub}:\` is written twice: this kernel adds the module name on its own and the message repeats it. Same message.`,
      span: span(line, body, p),
    });
  }
  if (sub === 'net_ratelimit') {
    // `N callbacks suppressed` (N may be a literal placeholder in documentation)
    let q = p;
    while (q < end && !isBlank(text.charCodeAt(q))) q++;
    const rest = skipBlanks(text, q, end);
    if (!text.startsWith('callbacks suppressed', rest)) return undefined;
    let allDigits = q > p;
    for (let i = p; i < q; i++) if (!isDigit(text.charCodeAt(i))) allDigits = false;
    const count: NumberToken = numberToken(text, line, p, q, allDigits ? parseUint(text, p, q) : NaN);
    if (!allDigits) {
      notes.push({ code: 'log/placeholder', severity: 'info', message: `\`${count.text}\` stands for a number here (copied from documentation?).`, span: count.span });
    }
    return { kind: 'kernel', line, span: full, wrapper, id: 'net-ratelimit', message, count, notes };
  }
  for (const m of KERNEL_MESSAGES) {
    if (m.subsystems.includes(sub) && text.startsWith(m.text, p)) {
      if (sub === 'ip_conntrack') {
        notes.push({ code: 'log/legacy-name', severity: 'info', message: 'Written by the old ip_conntrack module (kernels before 2.6.20); today it is nf_conntrack.', span: span(line, body, body + sub.length) });
      }
      return { kind: 'kernel', line, span: full, wrapper, id: m.id, message, notes };
    }
  }
  return undefined;
}

/** Prefixes that make a line a conntrack sysctl line. */
const SYSCTL_STARTS = ['net.netfilter.', 'net.ipv4.netfilter.', 'net.nf_conntrack_', 'net.ipv4.ip_conntrack_', '/proc/sys/net/netfilter/', '/proc/sys/net/ipv4/netfilter/'];

/**
 * `name = value`, `name=value`, `sysctl -w name=value`, or a bare name, for conntrack sysctls.
 * Returns undefined when the line is not one.
 */
export function parseSysctlLine(text: string, line: number, start: number, end: number): SysctlLine | undefined {
  let p = skipBlanks(text, start, end);
  if (text.startsWith('sysctl ', p)) {
    p = skipBlanks(text, p + 7, end);
    if (text.startsWith('-w ', p)) p = skipBlanks(text, p + 3, end);
  }
  if (!SYSCTL_STARTS.some((s) => text.startsWith(s, p))) return undefined;
  let q = p;
  while (q < end) {
    const c = text.charCodeAt(q);
    if (isBlank(c) || c === 0x3d || c === 0x3a) break;
    q++;
  }
  const nameText = text.slice(p, q);
  if (!nameText.includes('conntrack')) return undefined;
  const notes: LogNote[] = [];
  const name = token(text, line, p, q);
  let separator;
  let value;
  const s = skipBlanks(text, q, end);
  if (s < end && (text.charCodeAt(s) === 0x3d || text.charCodeAt(s) === 0x3a)) {
    const vs = skipBlanks(text, s + 1, end);
    separator = token(text, line, q, vs);
    let ve = end;
    while (ve > vs && isBlank(text.charCodeAt(ve - 1))) ve--;
    value = token(text, line, vs, ve);
    if (vs === ve) notes.push({ code: 'log/bad-value', severity: 'warning', message: 'The sysctl has no value after `=`.', span: separator.span });
  } else if (s < end) {
    notes.push({ code: 'log/unexpected-text', severity: 'warning', message: 'Expected `=` and a value after the sysctl name.', span: span(line, s, end) });
  }
  const legacy = isLegacySysctlName(nameText) || nameText.startsWith('net.nf_conntrack_');
  const doc = findSysctl(nameText);
  if (!doc) {
    notes.push({ code: 'log/unknown-sysctl', severity: 'info', message: `\`${nameText}\` is not a conntrack sysctl we know.`, span: name.span });
  } else if (legacy && doc.name !== nameText) {
    notes.push({
      code: 'log/legacy-name',
      severity: 'info',
      message: `\`${nameText}\` is an old name; current kernels call it \`${doc.name}\`.`,
      span: name.span,
    });
  }
  if (doc && value && value.text !== '' && doc.type !== 'enum' && !doc.readonly) {
    let numeric = true;
    for (let i = value.span.start; i < value.span.end; i++) if (!isDigit(text.charCodeAt(i))) numeric = false;
    if (!numeric) notes.push({ code: 'log/bad-value', severity: 'warning', message: `\`${value.text}\` is not a number; ${doc.name} takes a whole number.`, span: value.span });
  }
  return {
    kind: 'sysctl',
    line,
    span: span(line, 0, end),
    name,
    ...(separator ? { separator } : {}),
    ...(value ? { value } : {}),
    legacy,
    notes,
  };
}
