/** A packet from the tracer's short text form, or an exception (bench inputs are always valid). */
import { type Packet, parsePacketSpec } from '../../server/src/analysis/packet';

export function packetFromText(spec: string): Packet {
  const p = parsePacketSpec(spec);
  if ('error' in p) throw new Error(`bench packet \`${spec}\`: ${p.error}`);
  return p;
}
