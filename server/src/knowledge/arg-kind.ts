/**
 * What kind of value an argument type holds, for hover decoding and semantic colouring, read from
 * the type's id (every port type has `port` in its id, every address type `address` or `host`...).
 */
import type { ArgType } from './types';

export type ArgKind = 'port' | 'address' | 'interface' | 'number' | 'rate' | 'mark' | 'protocol' | 'icmp' | 'choice' | 'text';

export function argKind(t: ArgType): ArgKind {
  let k = KINDS.get(t);
  if (k === undefined) KINDS.set(t, (k = kindOf(t)));
  return k;
}

/**
 * The kind of each type read so far: the types are the knowledge's own objects, and colouring a
 * 100k-line file reads a type for each of its arguments, up to nine regular expressions each
 * (about 60 ms of the first whole-file request for semantic tokens, in a profile of it).
 */
const KINDS = new WeakMap<ArgType, ArgKind>();

function kindOf(t: ArgType): ArgKind {
  const id = t.id;
  if (id === 'protocol') return 'protocol';
  if (/icmp/.test(id) && !/reject/.test(id)) return 'icmp';
  if (/port/.test(id)) return 'port';
  if (/address|host|prefix|ip-range|net/.test(id)) return 'address';
  if (id === 'interface' || /iface/.test(id)) return 'interface';
  if (id === 'rate' || /rate$/.test(id)) return 'rate';
  if (/mark/.test(id)) return 'mark';
  if (t.values) return 'choice';
  if (/^(uint|int|u?int64|number)|range|size|count|time|len|ttl|hl|mss|dscp|tos/.test(id)) return 'number';
  return 'text';
}
