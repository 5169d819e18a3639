/**
 * The floor of reading a rules file in this language: the least any reader must do before it can
 * check a rule, done without an object per word, option or line. It splits the words (blanks,
 * double quotes, a backslash in quotes) into typed arrays of offsets, and gives every option word
 * its spec from the knowledge registry the way the parser does in the common case: the newest
 * module loaded by `-m`, `-j` or `-g` that has the name, else the generic options, else the
 * protocol's match after `-p`. It skips what the parser also does (abbreviations, `--opt=value`,
 * argument values, nodes for the analysis and the editor, findings) and every check.
 *
 * Measured in a fresh process like the cold open (floor-child.ts), it tells what part of the gap
 * to iptables-restore --test no design of the parser in JavaScript could close: see BENCHMARKS.md.
 */
import { GENERIC_OPTIONS } from '../server/src/knowledge/generic';
import { findMatch, findTarget, protocolMatchName } from '../server/src/knowledge/registry';
import type { Family, OptionSpec } from '../server/src/knowledge/types';

export interface FloorCounts {
  readonly lines: number;
  readonly words: number;
  /** Option words given a spec. */
  readonly options: number;
  /** Words that are neither a command, an option, nor a value the floor gave an option. */
  readonly other: number;
}

/** Growable columns of 32-bit integers (one array per column, doubled when full). */
class Columns {
  private cols: Int32Array[];
  size = 0;

  constructor(count: number, capacity = 1 << 16) {
    this.cols = Array.from({ length: count }, () => new Int32Array(capacity));
  }

  /** The index of a new row (its columns are written by the caller through col). */
  row(): number {
    if (this.size === this.cols[0]!.length) {
      this.cols = this.cols.map((c) => {
        const d = new Int32Array(c.length * 2);
        d.set(c);
        return d;
      });
    }
    return this.size++;
  }

  col(k: number): Int32Array {
    return this.cols[k]!;
  }
}

/** What names a module: `-m`, `-j`/`-g`, `-p`. */
type Naming = 'match' | 'target' | 'protocol';

/** An option name's spec, by module (-1: generic), found by the name's hash and compared in place. */
interface NameEntry {
  readonly name: string;
  /** Module ids that have the name, each with its spec. */
  readonly modules: number[];
  readonly specs: OptionSpec[];
}

function hashOf(s: string, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Reads `text` to the floor (see the file's comment) and counts what it found. */
export function readToFloor(text: string, family: Family): FloorCounts {
  const names = new Map<number, NameEntry[]>();
  const moduleIds = new Map<string, number>();
  const addNames = (module: number, options: readonly OptionSpec[]) => {
    for (const spec of options) {
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        const hash = hashOf(name, 0, name.length);
        const bucket = names.get(hash) ?? [];
        let e = bucket.find((x) => x.name === name);
        if (!e) bucket.push((e = { name, modules: [], specs: [] }));
        names.set(hash, bucket);
        if (!e.modules.includes(module)) {
          e.modules.push(module);
          e.specs.push(spec);
        }
      }
    }
  };
  addNames(-1, GENERIC_OPTIONS);
  /** The id of a module by name (its options filed under it the first time). */
  const moduleNamed = (kind: 'match' | 'target', name: string): number => {
    const key = `${kind} ${name}`;
    let id = moduleIds.get(key);
    if (id === undefined) {
      moduleIds.set(key, (id = moduleIds.size));
      const spec = kind === 'match' ? findMatch(name, family) : findTarget(name, family);
      addNames(id, spec?.options ?? []);
    }
    return id;
  };
  /** Module names seen, by kind and hash: a repeated `-m comment` costs no string. */
  const seen = new Map<number, { kind: Naming; name: string; id: number }[]>();
  /**
   * The id of the module the word text[s, e) names: after `-m` a match, after `-j`/`-g` a target,
   * after `-p` the protocol's match (-1 when the protocol has none).
   */
  const moduleAt = (kind: Naming, s: number, e: number): number => {
    const h = hashOf(text, s, e);
    const bucket = seen.get(h);
    if (bucket) for (const x of bucket) if (x.kind === kind && x.name.length === e - s && text.startsWith(x.name, s)) return x.id;
    const name = text.slice(s, e);
    const proto = kind === 'protocol' ? protocolMatchName(name, family) : undefined;
    const id = kind !== 'protocol' ? moduleNamed(kind, name) : proto ? moduleNamed('match', proto) : -1;
    if (bucket) bucket.push({ kind, name, id });
    else seen.set(h, [{ kind, name, id }]);
    return id;
  };

  const words = new Columns(2); // start, end (quotes included)
  const opts = new Columns(3); // word index, module id (-1 generic), value count
  const loaded: number[] = [];
  let lines = 0;
  let other = 0;
  const n = text.length;
  let i = 0;
  while (i <= n) {
    lines++;
    const first = words.size;
    // the words of one line
    for (;;) {
      let c = text.charCodeAt(i);
      while (c === 32 || c === 9) c = text.charCodeAt(++i);
      if (i >= n || c === 10) break;
      const w = words.row();
      words.col(0)[w] = i;
      let quoted = false;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c === 10 || (!quoted && (c === 32 || c === 9))) break;
        if (c === 34) quoted = !quoted;
        // (a backslash in quotes takes the next character, but never the line's end)
        else if (c === 92 && quoted && i + 1 < n && text.charCodeAt(i + 1) !== 10) i++;
        i++;
      }
      words.col(1)[w] = i;
    }
    i++;
    // its options, in the parser's common case
    loaded.length = 0;
    const starts = words.col(0);
    const ends = words.col(1);
    for (let w = first; w < words.size; ) {
      const s = starts[w]!;
      const len = ends[w]! - s;
      const c0 = text.charCodeAt(s);
      if (c0 !== 45 || len < 2) {
        other++;
        w++;
        continue;
      }
      const c1 = text.charCodeAt(s + 1);
      if (len === 2 && (c1 === 65 || c1 === 73 || c1 === 78 || c1 === 80 || c1 === 116)) {
        // -A -I -N -P -t and their word (and -P's policy)
        w += c1 === 80 ? 3 : 2;
        continue;
      }
      if (len === 2 && (c1 === 109 || c1 === 106 || c1 === 103) && w + 1 < words.size) {
        // -m, -j, -g: load the module the next word names
        loaded.push(moduleAt(c1 === 109 ? 'match' : 'target', starts[w + 1]!, ends[w + 1]!));
        w += 2;
        continue;
      }
      // (hashed here, not while scanning: only option words are looked up, and hashing every word
      // made the floor slower on files of addresses and comments; loops, not find: no closure per word)
      const bucket = names.get(hashOf(text, s, s + len));
      let entry: NameEntry | undefined;
      if (bucket) for (let k = 0; k < bucket.length && !entry; k++) if (bucket[k]!.name.length === len && text.startsWith(bucket[k]!.name, s)) entry = bucket[k];
      let at = -1;
      let module = -2;
      if (entry) {
        for (let k = loaded.length - 1; k >= 0 && at < 0; k--) at = entry.modules.indexOf(loaded[k]!);
        if (at < 0) at = entry.modules.indexOf(-1);
        if (at >= 0) module = entry.modules[at]!;
      }
      if (module === -1 && len === 2 && c1 === 112 && w + 1 < words.size) {
        // -p: its protocol's match takes the options that no module loaded knows
        const proto = moduleAt('protocol', starts[w + 1]!, ends[w + 1]!);
        if (proto >= 0) loaded.unshift(proto);
      }
      if (at < 0) {
        other++;
        w++;
        continue;
      }
      const values = entry!.specs[at]!.args.length;
      const o = opts.row();
      opts.col(0)[o] = w;
      opts.col(1)[o] = module;
      opts.col(2)[o] = values;
      w += 1 + values;
    }
  }
  return { lines, words: words.size, options: opts.size, other };
}
