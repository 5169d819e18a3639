/** Parsers for the `netfilter-log` language: one line at a time, or a whole document. */
export { parseLogLine, parseLogDocument, parseLogLines, lineOffsets } from './line';
export { parseWrapper, scanWrapper, WrapperScan } from './wrapper';
export { parsePacketFields, PROTO_NUMBERS } from './packet';
export { decodePrefix, findIn } from './prefix';
export { parseConntrackLine, looksLikeConntrack } from './conntrack';
export { parseKernelMessage, parseSysctlLine } from './kernel';
