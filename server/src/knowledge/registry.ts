/**
 * One place to look up match modules and targets by name and family. Every file under matches/
 * and targets/ contributes an array; adding a module means adding it to one of those arrays.
 */
import type { Family, MatchSpec, OptionSpec, TargetSpec } from './types';
import { ALL_MATCHES } from './matches/index';
import { ALL_TARGETS } from './targets/index';

export const MATCHES: readonly MatchSpec[] = ALL_MATCHES;
export const TARGETS: readonly TargetSpec[] = ALL_TARGETS;

function byName<T extends { name: string; aliases?: readonly string[]; families: readonly Family[] }>(list: readonly T[]) {
  const map = new Map<string, T[]>();
  for (const e of list) {
    for (const n of [e.name, ...(e.aliases ?? [])]) {
      const arr = map.get(n) ?? [];
      arr.push(e);
      map.set(n, arr);
    }
  }
  return (name: string, family: Family): T | undefined => {
    const arr = map.get(name);
    return arr?.find((e) => e.families.includes(family));
  };
}

const matchLookup = byName(MATCHES);
const targetLookup = byName(TARGETS);

/** A match module by name (as after `-m`), for this family. */
export function findMatch(name: string, family: Family): MatchSpec | undefined {
  return matchLookup(name, family);
}

/** A match module that exists, but only for the other family. */
export function findMatchOtherFamily(name: string, family: Family): MatchSpec | undefined {
  return matchLookup(name, family === 'ipv4' ? 'ipv6' : 'ipv4');
}

/** A target extension or standard verdict by name (as after `-j`), for this family. */
export function findTarget(name: string, family: Family): TargetSpec | undefined {
  return targetLookup(name, family);
}

export function findTargetOtherFamily(name: string, family: Family): TargetSpec | undefined {
  return targetLookup(name, family === 'ipv4' ? 'ipv6' : 'ipv4');
}

export function matchesFor(family: Family): MatchSpec[] {
  return MATCHES.filter((m) => m.families.includes(family));
}

export function targetsFor(family: Family): TargetSpec[] {
  return TARGETS.filter((t) => t.families.includes(family));
}

/** Find an option of an extension by any of its spellings. */
export function findOption(options: readonly OptionSpec[], word: string): OptionSpec | undefined {
  return options.find((o) => o.name === word || o.aliases?.includes(word));
}

/** The match a protocol name loads implicitly (`-p tcp` -> tcp, `-p icmpv6` -> icmp6). */
export function protocolMatchName(protocol: string, family: Family): string | undefined {
  const p = protocol.toLowerCase();
  if (p === 'icmpv6' || p === 'ipv6-icmp' || p === '58') return family === 'ipv6' ? 'icmp6' : undefined;
  const numeric: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '132': 'sctp', '33': 'dccp', '136': 'udplite', '50': 'esp', '51': 'ah', '135': 'mh' };
  const name = numeric[p] ?? p;
  return findMatch(name, family) ? name : undefined;
}
