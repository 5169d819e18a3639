/**
 * Packet spaces written out for comparisons in tests: each box's dimensions with their ranges, as
 * the space holds them (not normalised: two spaces of the same packets held otherwise differ).
 */
import type { Space } from '../../server/src/analysis/packet-space';

/** A space box by box (`|`), each dimension (`;`) as `dim=lo-hi,lo-hi`. */
export function spaceText(s: Space): string {
  return s.boxes.map((b) => [...b].map(([d, x]) => `${d}=${x.ranges.map(([lo, hi]) => `${lo}-${hi}`).join(',')}`).join(';')).join('|');
}

/** What each rule a walk recorded takes, `line:space`, one per line, sorted; `only` picks the rules. */
export function takenText<R extends { readonly line: number }>(taken: ReadonlyMap<R, Space>, only: (r: R) => boolean = () => true): string {
  return [...taken]
    .filter(([r]) => only(r))
    .map(([r, t]) => `${r.line}:${spaceText(t)}`)
    .sort()
    .join('\n');
}
