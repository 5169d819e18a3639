/**
 * The log prefix: whatever stands between the wrapper and `IN=`. It is the `--log-prefix` (or
 * nft `log prefix`) of the rule that wrote the line, so it is the only way to tell rules apart.
 * Finding `IN=` must cope with prefixes glued to it (`Shorewall:net2fw:DROP:IN=`,
 * `DROP(src wan)IN=`) and with `IN=` appearing inside other words (`PHYSIN=`, `LOGIN=`).
 */
import type { LogPrefix, PrefixInfo } from '../../model/log';
import * as scan from './scan';

// local bindings: resolved once, not through a module getter on every call (hot loops)
const { isBlank, span } = scan;

/**
 * Offset of the `IN=` that starts the kernel's fields in text[start, end), or -1.
 * Prefers an `IN=<word> OUT=`; falls back to an `IN=` at a word boundary when the line was cut
 * before `OUT=`. One pass: for each candidate the end of its word is computed once and shared.
 * `first`, when given, is what `text.indexOf('IN=', start)` returns (a caller that already
 * searched, such as the summary going through a chunk of lines, saves the search).
 */
export function findIn(text: string, start: number, end: number, first = text.indexOf('IN=', start)): number {
  let fallback = -1;
  let blankAfter = -1; // first blank at or after the current candidate's value
  let srcAt = -2; // cached position of the next `SRC=`/`MAC=` (-1: none left), so the fallback stays linear
  let i = first;
  while (i >= 0 && i + 3 <= end) {
    const v = i + 3;
    if (blankAfter < v) {
      blankAfter = v;
      while (blankAfter < end && !isBlank(text.charCodeAt(blankAfter))) blankAfter++;
    }
    if (!interfaceName(text, v, blankAfter)) {
      i = text.indexOf('IN=', i + 1);
      continue;
    }
    let o = blankAfter;
    while (o < end && isBlank(text.charCodeAt(o))) o++;
    if (o + 4 <= end && text.charCodeAt(o) === 0x4f && text.startsWith('OUT=', o)) {
      // the first `IN=x OUT=` is the start (PHYSIN= only ever comes after it); a prefix may be glued to it
      return i;
    } else if (fallback < 0 && (i === start || isBlank(text.charCodeAt(i - 1)) || gluedPrefixEnd(text.charCodeAt(i - 1)))) {
      // cut before OUT=: accept an IN= at a boundary if nothing follows or SRC= does
      if (srcAt !== -1 && srcAt < v) {
        const a = text.indexOf('SRC=', v);
        const b = text.indexOf('MAC=', v);
        srcAt = a < 0 ? b : b < 0 ? a : Math.min(a, b);
      }
      if (blankAfter >= end || (srcAt >= 0 && srcAt < end)) fallback = i;
    }
    i = text.indexOf('IN=', i + 1);
  }
  return fallback >= 0 && fallback < end ? fallback : -1;
}

/**
 * Whether text[s, e) can be an interface name as the kernel prints it after `IN=`: empty (locally
 * sent packets) or at most 15 characters (IFNAMSIZ - 1) without brackets, braces, quotes, `%`,
 * `/`, `=` or `,`. Keeps grok patterns and other text with `IN=` in it from passing for LOG lines.
 */
function interfaceName(text: string, s: number, e: number): boolean {
  if (e - s > 15) return false;
  for (let k = s; k < e; k++) if (notInInterfaceName(text.charCodeAt(k))) return false;
  return true;
}

/** The characters interfaceName refuses: brackets, braces, quotes, `%`, `/`, `=`, `,`, backslash. */
export function notInInterfaceName(c: number): boolean {
  switch (c) {
    case 0x28: // (
    case 0x29: // )
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x25: // %
    case 0x2f: // /
    case 0x3d: // =
    case 0x2c: // ,
    case 0x22: // "
    case 0x27: // '
    case 0x5c: // backslash
      return true;
    default:
      return false;
  }
}

/** Characters a glued prefix typically ends with: `:` `)` `]` `-` `>` `*` `|`. */
function gluedPrefixEnd(c: number): boolean {
  return c === 0x3a || c === 0x29 || c === 0x5d || c === 0x2d || c === 0x3e || c === 0x2a || c === 0x7c || (c >= 0x61 && c <= 0x7a);
}

/** What a known prefix convention says. */
export function decodePrefix(label: string): PrefixInfo {
  // ufw: `[UFW BLOCK]`, `[UFW ALLOW]`, `[UFW AUDIT]`, `[UFW LIMIT BLOCK]`, `[UFW AUDIT INVALID]`
  if (label.startsWith('[UFW ') && label.endsWith(']')) return { style: 'ufw', action: label.slice(5, -1) };
  // Shorewall: `Shorewall:net2fw:DROP:` (chain, disposition)
  if (label.startsWith('Shorewall:')) {
    const parts = label.split(':');
    return { style: 'shorewall', ...(parts[1] ? { chain: parts[1] } : {}), ...(parts[2] ? { action: parts[2] } : {}) };
  }
  // SuSEfirewall2: `SFW2-INext-DROP-DEFLT`
  if (label.startsWith('SFW2-')) {
    const dash = label.indexOf('-', 5);
    if (dash > 0) return { style: 'suse', chain: label.slice(5, dash), action: label.slice(dash + 1) };
    return { style: 'suse' };
  }
  // OpenWrt fw3: `DROP(src wan)`, `REJECT(dest lan)`
  const paren = label.indexOf('(');
  if (paren > 0 && label.endsWith(')') && /^[A-Z]+$/.test(label.slice(0, paren))) {
    return { style: 'openwrt', action: label.slice(0, paren), chain: label.slice(paren + 1, -1) };
  }
  return { style: 'plain' };
}

/** The prefix as a model node: text[start, end) exactly as written, label trimmed. */
export function makePrefix(text: string, line: number, start: number, end: number): LogPrefix {
  const raw = text.slice(start, end);
  const label = raw.trim();
  return { text: raw, span: span(line, start, end), label, info: decodePrefix(label) };
}
