/**
 * Hover for the firewall log. On a field: what it is and what this value says (MAC split, TOS and
 * DSCP, TTL and hops, window, ports, the flag combination). Anywhere else on a LOG line: what the
 * packet is, the conntrack state it gets with no entry, the rule that logged it and why the packet
 * got there. On a conntrack listing, a kernel message or a sysctl: every column and remedy.
 */
import { wordsOf } from '../model/line-words';
import { findTcpConntrackState, ctstateWithoutEntry } from '../knowledge/conntrack-tcp';
import { findKernelMessage } from '../knowledge/kernel-messages';
import {
  classifyTcpFlags,
  decodeMac,
  decodeTos,
  decodeTrafficClass,
  decodeTtl,
  explainWindow,
  findConntrackField,
  findLogField,
  icmpTypeDoc,
  ipProtocolName,
  wellKnownPort,
} from '../knowledge/log-fields';
import { findSysctl, humanSeconds } from '../knowledge/sysctls';
import { type ConntrackLine, fieldAt, type KernelMessage, type LogField, type LogLine, type PacketLine, type Span, type SysctlLine } from '../model/log';
import type { HoverResult } from './hover';
import { explainPacketLine, type RulesSource, stepsUntil } from './log-explain';

function inSpan(s: Span | undefined, ch: number): boolean {
  return !!s && ch >= s.start && ch <= s.end;
}

function fieldHover(line: PacketLine, f: LogField, loose: boolean): string | undefined {
  const p = line.packet;
  const flagSet = p.tcpFlagBits;
  if (f.kind === 'flag' && f.layer === 'transport' && flagSet !== undefined) {
    const doc = findLogField(f, p.proto);
    const c = classifyTcpFlags(flagSet);
    const v = ctstateWithoutEntry(flagSet, { loose });
    return [
      `**${f.key}** — TCP flag${doc ? `: ${doc.summary}` : ''}`,
      '',
      `This packet's flags: **${c.name}** — ${c.text}`,
      '',
      `With no conntrack entry it is **${v.state}**: ${v.reason}`,
    ].join('\n');
  }
  const doc = findLogField(f, p.proto);
  const head = `**${f.key}${f.kind === 'pair' ? `=${f.value}` : ''}**${doc ? ` — ${doc.summary}` : f.unknown ? ' — not a field the kernel prints here' : ''}`;
  const extra: string[] = [];
  const num = Number(f.value);
  switch (f.key) {
    case 'MAC': {
      const m = decodeMac(f.value);
      if (m.kind === 'ethernet') {
        extra.push(`- destination: \`${m.destination}\`${m.destinationNote ? ` (${m.destinationNote})` : m.destinationKind && m.destinationKind !== 'unicast' ? ` (${m.destinationKind})` : ''}`);
        extra.push(`- source: \`${m.source}\``);
        extra.push(`- EtherType: \`${m.etherType}\`${m.etherTypeName ? ` = ${m.etherTypeName}` : ''}`);
      }
      extra.push('', m.text);
      break;
    }
    case 'TOS':
    case 'PREC':
      if (p.tos !== undefined || p.prec !== undefined) extra.push(decodeTos(p.tos ?? 0, p.prec ?? 0).text);
      break;
    case 'TC':
      if (p.tc !== undefined) extra.push(decodeTrafficClass(p.tc).text);
      break;
    case 'TTL':
    case 'HOPLIMIT': {
      const t = Number.isFinite(num) ? decodeTtl(num) : undefined;
      if (t) extra.push(t.text);
      break;
    }
    case 'WINDOW':
      if (Number.isFinite(num)) extra.push(explainWindow(num, flagSet));
      break;
    case 'SPT':
    case 'DPT': {
      const name = Number.isFinite(num) ? wellKnownPort(num, (p.proto ?? 'tcp').toLowerCase()) : undefined;
      if (name) extra.push(`Port ${num} is **${name}**.`);
      else if (f.key === 'SPT' && num >= 32768) extra.push('An ephemeral port: the client side of a connection.');
      break;
    }
    case 'PROTO': {
      const n = p.protoNumber;
      const name = n !== undefined ? ipProtocolName(n) : undefined;
      if (name) extra.push(`IP protocol ${n}: ${name}.`);
      break;
    }
    case 'TYPE':
    case 'CODE': {
      if (p.icmpType !== undefined) {
        const d = icmpTypeDoc(p.icmpType, p.icmpCode, p.family === 'ipv6');
        if (d) extra.push(`ICMP type ${p.icmpType}${p.icmpCode !== undefined ? ` code ${p.icmpCode}` : ''}: **${d.name}** — ${d.summary}`);
      }
      break;
    }
  }
  if (doc?.read) extra.unshift(doc.read);
  if (doc?.doc) extra.push('', doc.doc);
  return [head, '', ...extra].join('\n').trim();
}

function lineHover(line: PacketLine, sources: readonly RulesSource[], loose: boolean): string {
  const ex = explainPacketLine(line, sources, loose);
  const out: string[] = [`**${line.prefix.label ? `"${line.prefix.label}"` : 'LOG line'}** — ${ex.summary}`];
  const bits = line.packet.tcpFlagBits;
  if (bits !== undefined) {
    const v = ctstateWithoutEntry(bits, { loose });
    out.push('', `**Conntrack:** with no entry for this connection the packet is **${v.state}** — ${v.reason}${loose ? '' : ' (nf_conntrack_tcp_loose=0)'}`);
  }
  if (ex.loggers.length === 0) {
    out.push('', sources.length ? `No LOG rule with the prefix "${line.prefix.label}" in ${sources.map((s) => s.name).join(', ')}.` : 'Open the rules file (or set `iptablesLens.rulesFiles`) to see which rule logged this line.');
  } else {
    const l = ex.loggers[0]!;
    out.push('', `**Logged by** ${l.source.name} line ${l.rule.line + 1} (${l.rule.chain}): \`${wordsOf(l.rule).map((w) => (w.quoted ? `"${w.text}"` : w.text)).join(' ')}\``);
    if (ex.loggers.length > 1) {
      out.push('', `The prefix is shared by ${ex.loggers.length} rules (${ex.loggers.map((x) => `${x.source.name}:${x.rule.line + 1}`).join(', ')}): the log cannot say which one fired; the first is used below.`);
    }
    if (ex.withoutEntry) {
      const branch = ex.withoutEntry.branches.find((b) => b.steps.some((s) => s.rule === l.rule)) ?? ex.withoutEntry.branches[0]!;
      out.push('', `**Why it got there** (no conntrack entry: ${ex.withoutEntry.ctstate}):`);
      for (const s of stepsUntil(branch, l.rule)) {
        if (s.kind !== 'rule') continue;
        const verb = s.matched === true ? (s.rule === l.rule ? 'logged it' : s.target ? `matched → ${s.target}` : 'matched') : s.matched === 'maybe' ? `may match (${s.reason})` : `did not match: ${s.reason}`;
        out.push(`- line ${s.line! + 1} (${s.chain} #${s.position}${s.target ? ` -j ${s.target}` : ''}): ${verb}`);
      }
      out.push('', ex.verdict ?? '');
      const teardown = bits !== undefined && ctstateWithoutEntry(bits, { loose }).lateTeardown;
      if (teardown && ex.withoutEntry.ctstate === 'INVALID') {
        out.push('', 'This is late teardown noise: harmless. To stop logging it, drop INVALID packets before the LOG rule (quick fix on the LOG rule in the rules file).');
      }
    }
  }
  if (line.notes.length) out.push('', ...line.notes.map((n) => `*${n.message}*`));
  return out.join('\n');
}

function conntrackHover(line: ConntrackLine, ch: number): string {
  const field = fieldAt(line.fields, ch);
  if (field) {
    const d = findConntrackField(field.key);
    const inOrig = line.original && inSpan(line.original.span, ch);
    const dir = inOrig ? ' (original direction: as the first packet went)' : line.reply && inSpan(line.reply.span, ch) ? ' (reply direction: as conntrack expects the answer)' : '';
    if (d) return [`**${field.key}=${field.value}** — ${d.summary}${dir}`, d.doc ? `\n${d.doc}` : ''].join('\n');
  }
  for (const t of line.flags) {
    if (inSpan(t.span, ch)) {
      const d = findConntrackField(t.text);
      if (d) return [`**${t.text}** — ${d.summary}`, d.doc ? `\n${d.doc}` : ''].join('\n');
    }
  }
  if (line.timeout && inSpan(line.timeout.span, ch)) {
    const secs = line.timeout.value;
    const st = line.state ? findTcpConntrackState(line.state.text) : undefined;
    const from = st ? `\n\nEvery packet of the connection resets it to the ${st.name} timeout: ${st.timeout} s (${humanSeconds(st.timeout)}) by default, set by \`${st.sysctl}\`.` : '';
    return `**${secs}** — seconds left before this entry expires (${humanSeconds(secs)}) unless another packet of the connection arrives.${from}`;
  }
  if (line.state && inSpan(line.state.span, ch)) {
    const st = findTcpConntrackState(line.state.text);
    return st ? [`**${st.name}** — ${st.summary}`, st.doc ? `\n${st.doc}` : ''].join('\n') : `**${line.state.text}** — protocol state of the entry`;
  }
  if (line.event && inSpan(line.event.span, ch)) return `**[${line.event.text}]** — ${findConntrackField('event')?.summary ?? ''}`;
  // whole line
  const o = line.original;
  const parts = [`**Conntrack entry** — ${line.l4.text}${o ? ` ${o.src}${o.sport !== undefined ? `:${o.sport}` : ''} → ${o.dst}${o.dport !== undefined ? `:${o.dport}` : ''}` : ''}${line.state ? `, ${line.state.text}` : ''}`];
  if (line.timeout) parts.push(`- expires in ${humanSeconds(line.timeout.value)} without traffic`);
  parts.push(line.unreplied ? '- **UNREPLIED**: nothing has come back yet' : '- replies have been seen');
  if (line.assured) parts.push('- **ASSURED**: kept when the table fills up');
  const r = line.reply;
  if (o && r && (r.dst !== o.src || r.src !== o.dst)) parts.push(`- NAT: replies are expected from ${r.src} to ${r.dst}${r.dst !== o.src ? ' (source NAT)' : ''}${r.src !== o.dst ? ' (destination NAT)' : ''}`);
  return parts.join('\n');
}

function kernelHover(line: KernelMessage): string {
  const d = findKernelMessage(line.id);
  if (!d) return `**${line.message.text}**`;
  const out = [`**${line.message.text}** — ${d.summary}`];
  if (d.doc) out.push('', d.doc);
  if (d.sysctls?.length) {
    out.push('', 'Related settings:');
    for (const s of d.sysctls) {
      const sd = findSysctl(s);
      out.push(`- \`${s}\`${sd ? ` (default ${sd.defaultText ?? sd.default}): ${sd.summary}` : ''}`);
    }
  }
  return out.join('\n');
}

function sysctlHover(line: SysctlLine): string {
  const d = findSysctl(line.name.text);
  if (!d) return `**${line.name.text}** — not a conntrack setting we know`;
  const v = line.value?.text;
  const out = [`**${d.name}** — ${d.summary}`];
  if (line.legacy) out.push('', `*This is the old name; current kernels call it \`${d.name}\`.*`);
  out.push('', `Default: ${d.defaultText ?? d.default}${v !== undefined ? `; here: ${v}${d.type === 'seconds' && /^\d+$/.test(v) ? ` (${humanSeconds(Number(v))})` : ''}` : ''}.`);
  if (d.doc) out.push('', d.doc);
  if (d.tradeoff) out.push('', `**Trade-off:** ${d.tradeoff}`);
  return out.join('\n');
}

export function logHover(line: LogLine, ch: number, sources: readonly RulesSource[], loose: boolean): HoverResult | undefined {
  switch (line.kind) {
    case 'packet': {
      const f = fieldAt(line.fields, ch);
      if (f) {
        const md = fieldHover(line, f, loose);
        return md ? { markdown: md, span: f.span } : undefined;
      }
      return { markdown: lineHover(line, sources, loose), span: inSpan(line.prefix.span, ch) ? line.prefix.span : line.span };
    }
    case 'conntrack':
      return { markdown: conntrackHover(line, ch), span: line.span };
    case 'kernel':
      return { markdown: kernelHover(line), span: line.span };
    case 'sysctl':
      return { markdown: sysctlHover(line), span: line.span };
    case 'other':
      return undefined;
  }
}
