import type { ValueDoc } from '../types';

/**
 * DiffServ class names iptables knows (extensions/dscp_helper.c), with their DSCP values. iptables
 * compares only as many characters as the class name has, case-insensitively, so `ef` and even
 * `EFfoo` both mean EF.
 */
export const DSCP_CLASSES: readonly (ValueDoc & { readonly dscp: number })[] = [
  { name: 'CS0', dscp: 0x00, summary: '0: class selector 0, best effort.' },
  { name: 'CS1', dscp: 0x08, summary: '8: class selector 1, often "lower effort" / scavenger traffic.' },
  { name: 'CS2', dscp: 0x10, summary: '16: class selector 2 (network operations, OAM).' },
  { name: 'CS3', dscp: 0x18, summary: '24: class selector 3 (broadcast video, call signalling).' },
  { name: 'CS4', dscp: 0x20, summary: '32: class selector 4 (real-time interactive).' },
  { name: 'CS5', dscp: 0x28, summary: '40: class selector 5 (signalling).' },
  { name: 'CS6', dscp: 0x30, summary: '48: class selector 6, routing protocols between routers.' },
  { name: 'CS7', dscp: 0x38, summary: '56: class selector 7, reserved for network control.' },
  { name: 'BE', dscp: 0x00, summary: '0: best effort, the default (same value as CS0).' },
  { name: 'AF11', dscp: 0x0a, summary: '10: assured forwarding class 1, low drop precedence.' },
  { name: 'AF12', dscp: 0x0c, summary: '12: assured forwarding class 1, medium drop precedence.' },
  { name: 'AF13', dscp: 0x0e, summary: '14: assured forwarding class 1, high drop precedence.' },
  { name: 'AF21', dscp: 0x12, summary: '18: assured forwarding class 2, low drop precedence.' },
  { name: 'AF22', dscp: 0x14, summary: '20: assured forwarding class 2, medium drop precedence.' },
  { name: 'AF23', dscp: 0x16, summary: '22: assured forwarding class 2, high drop precedence.' },
  { name: 'AF31', dscp: 0x1a, summary: '26: assured forwarding class 3, low drop precedence.' },
  { name: 'AF32', dscp: 0x1c, summary: '28: assured forwarding class 3, medium drop precedence.' },
  { name: 'AF33', dscp: 0x1e, summary: '30: assured forwarding class 3, high drop precedence.' },
  { name: 'AF41', dscp: 0x22, summary: '34: assured forwarding class 4, low drop precedence.' },
  { name: 'AF42', dscp: 0x24, summary: '36: assured forwarding class 4, medium drop precedence.' },
  { name: 'AF43', dscp: 0x26, summary: '38: assured forwarding class 4, high drop precedence.' },
  { name: 'EF', dscp: 0x2e, summary: '46: expedited forwarding, low-latency traffic such as voice.' },
];

/** The class iptables picks for a `--dscp-class`/`--set-dscp-class` word (first prefix match), if any. */
export function findDscpClass(word: string): (ValueDoc & { readonly dscp: number }) | undefined {
  const w = word.toLowerCase();
  return DSCP_CLASSES.find((c) => w.startsWith(c.name.toLowerCase()));
}
