/**
 * What the summary counts for a kernel line that is not a LOG line but needs the parser: a
 * conntrack listing (by its state), a known kernel message (by its id, and the callbacks
 * `net_ratelimit` says it suppressed), or an other line. Such lines start their message with a
 * lower-case letter, `[` or `/` (`nf_conntrack: table full, dropping packet`,
 * `audit: type=1400 ...`, `e1000e 0000:00:19.0 eth0: NIC Link is Up`).
 *
 * Behind the byte reader's wrapper (log-line-bytes.ts: a timestamp, a host, `kernel:`, an optional
 * uptime) the parser's answer for such a line depends on the message alone: the classifier finds
 * no `IN=`, and the conntrack test and the kernel-message catalogue read nothing but the message.
 * So the summary keeps the answer per distinct message (MessageMemo) and a log repeating a few
 * messages a hundred thousand times parses each once. A message whose first word is `name:`
 * with a name the catalogue does not know (`audit:`, unique on every line) is an other line
 * without parsing: that is what the classifier concludes from the same word.
 */
import { Buffer } from 'node:buffer';
import type { LogLine } from '../model/log';
import * as kernelParser from '../parser/log/kernel';
import { sameAscii } from './log-line-bytes';

const { KERNEL_SUBSYSTEMS } = kernelParser;

/** What a non-LOG line adds to the summary. */
export interface MessageOutcome {
  readonly kind: 'conntrack' | 'kernel' | 'sysctl' | 'other' | 'blank';
  /** The conntrack state (or layer-4 name) for `conntrack`, the message id for `kernel`. */
  readonly key: string;
  /** Callbacks suppressed, for `net_ratelimit` messages. */
  readonly suppressed: number;
}

const SYSCTL: MessageOutcome = Object.freeze({ kind: 'sysctl', key: '', suppressed: 0 });
const OTHER: MessageOutcome = Object.freeze({ kind: 'other', key: '', suppressed: 0 });
const BLANK: MessageOutcome = Object.freeze({ kind: 'blank', key: '', suppressed: 0 });

/** The outcome of a parsed line that is not a LOG line (undefined for a LOG line). */
export function outcomeOf(line: LogLine): MessageOutcome | undefined {
  switch (line.kind) {
    case 'packet':
      return undefined;
    case 'conntrack':
      return { kind: 'conntrack', key: line.state ? line.state.text : line.l4.text, suppressed: 0 };
    case 'kernel': {
      const n = line.id === 'net-ratelimit' && line.count && !Number.isNaN(line.count.value) ? line.count.value : 0;
      return { kind: 'kernel', key: line.id, suppressed: n };
    }
    case 'sysctl':
      return SYSCTL;
    default:
      return line.blank ? BLANK : OTHER;
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

/**
 * Whether the message b[s, e) (ASCII) is an other line by its first word alone: the word starts
 * with a lower-case letter, holds a colon, and what comes before the first colon is no subsystem
 * of the catalogue. The classifier then finds no conntrack listing (conntrack's first words are
 * protocol names, which hold no colon) and no kernel message (each starts `subsystem:`; the one
 * that does not, `nf_conntrack version`, has no colon in its first word).
 */
export function isUnknownTagged(b: Uint8Array, s: number, e: number): boolean {
  // `[EVENT]` may come before a conntrack listing's first word: not decided here
  const first = b[s];
  if (first === undefined || first < 0x61 || first > 0x7a) return false;
  let colon = -1;
  for (let p = s; p < e; p++) {
    const c = b[p];
    if (c === SPACE || c === TAB) break;
    if (c === COLON) {
      colon = p;
      break;
    }
  }
  if (colon < 0) return false;
  const len = colon - s;
  for (let i = 0; i < KERNEL_SUBSYSTEMS.length; i++) {
    const sub = KERNEL_SUBSYSTEMS[i]!;
    if (sub.length === len && sameAscii(b, s, sub)) return false;
  }
  return true;
}

/** Distinct messages kept at most: past that, new ones are parsed every time (memory stays small). */
const MAX_KEPT = 4096;

interface Kept {
  readonly text: string;
  readonly outcome: MessageOutcome;
}

/** Outcomes by message text, looked up from the bytes without making a string. */
export class MessageMemo {
  private readonly slots = new Map<number, Kept[]>();
  private size = 0;

  /** The outcome kept for the message b[s, e), or undefined. */
  find(b: Uint8Array, s: number, e: number): MessageOutcome | undefined {
    const bucket = this.slots.get(hashOf(b, s, e));
    if (bucket === undefined) return undefined;
    const len = e - s;
    for (let i = 0; i < bucket.length; i++) {
      const k = bucket[i]!;
      if (k.text.length === len && sameAscii(b, s, k.text)) return k.outcome;
    }
    return undefined;
  }

  /** Keep the outcome of the message b[s, e) (not kept yet). */
  keep(b: Uint8Array, s: number, e: number, outcome: MessageOutcome): void {
    if (this.size >= MAX_KEPT) return;
    this.size++;
    const h = hashOf(b, s, e);
    const text = Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
    const bucket = this.slots.get(h);
    if (bucket === undefined) this.slots.set(h, [{ text, outcome }]);
    else bucket.push({ text, outcome });
  }
}

function hashOf(b: Uint8Array, s: number, e: number): number {
  let h = e - s;
  for (let p = s; p < e; p++) h = (Math.imul(h, 31) + b[p]!) | 0;
  return h;
}
