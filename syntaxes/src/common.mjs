// Regex fragments shared by both TextMate grammars (Oniguruma syntax, as vscode-textmate runs it).
// The grammars themselves are the generated syntaxes/*.tmLanguage.json; see build.mjs.
//
// Every fragment here is written to stay linear on hostile input: no nested unbounded
// quantifiers, alternatives that are told apart by their first character, and word boundaries
// done with look-arounds so that a failed attempt costs O(length of one token).

/** one to four hex digits: an IPv6 group */
const H = '[0-9A-Fa-f]{1,4}';

/** dotted quad, no range check (the parser and diagnostics judge validity; colour only needs the shape) */
export const DOTTED = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;

/**
 * An IPv6 address: eight groups, or anything with one `::` (including `::`, `::1`, `fe80::`,
 * `::ffff:192.0.2.1`), or six groups and a dotted quad. Deliberately NOT: a MAC address (six groups,
 * no `::`), a port range `1024:65535`, a time `15:21:36`, a counter `0:0`.
 */
export const IPV6 = String.raw`(?:(?:${H}:){7}${H}|(?=[0-9A-Fa-f:.]*::)(?:${H}(?::${H}){0,6})?::(?:(?:${H}:){0,5}${DOTTED}|${H}(?::${H}){0,6})?|(?:${H}:){6}${DOTTED})`;

/** six colon-separated octets */
export const MAC = String.raw`[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}`;

/** nothing address-like may stand right before an address */
export const ADDR_BEFORE = String.raw`(?<![\w:.])`;
/** nor right after it */
export const ADDR_AFTER = String.raw`(?![\w:.])`;

/**
 * Repository entries for IPv4/IPv6 addresses with an optional /prefix (or /dotted-mask), scoped
 * `constant.numeric.address.ipv4.<suffix>` / `...ipv6.<suffix>`; the prefix length is
 * `constant.numeric.prefix-length.<suffix>` nested inside the address scope, so an assertion on the
 * whole `10.0.0.0/8` sees the address scope on every character.
 */
export function addressRules(suffix) {
  return {
    ipv6: {
      match: String.raw`${ADDR_BEFORE}(${IPV6})(?:(/)(\d{1,3}))?${ADDR_AFTER}`,
      name: `constant.numeric.address.ipv6.${suffix}`,
      captures: {
        2: { name: `punctuation.separator.prefix.${suffix}` },
        3: { name: `constant.numeric.prefix-length.${suffix}` },
      },
    },
    ipv4: {
      match: String.raw`${ADDR_BEFORE}(${DOTTED})(?:(/)(?:(${DOTTED})|(\d{1,2})))?(?![\w.])`,
      name: `constant.numeric.address.ipv4.${suffix}`,
      captures: {
        2: { name: `punctuation.separator.prefix.${suffix}` },
        3: { name: `constant.numeric.netmask.${suffix}` },
        4: { name: `constant.numeric.prefix-length.${suffix}` },
      },
    },
  };
}

export const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
export const WEEKDAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
