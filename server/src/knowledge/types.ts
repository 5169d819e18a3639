/**
 * Typed facts about iptables: match modules, targets, their options and the values those options
 * take. Everything the server says about an option comes from these entries; nothing here knows
 * about the parser's model or about LSP.
 */

export type Family = 'ipv4' | 'ipv6';
export const BOTH_FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export type TableName = 'filter' | 'nat' | 'mangle' | 'raw' | 'security';
export const TABLE_NAMES: readonly TableName[] = ['raw', 'mangle', 'nat', 'filter', 'security'];

/** Netfilter hooks, named after the built-in chains that sit on them. */
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export const HOOKS: readonly Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

/** What a validator knows about the place an argument appears in. */
export interface ArgContext {
  family: Family;
}

/** The result of checking one argument: nothing, or a message saying what is wrong. */
export type ArgCheck = string | undefined;

/**
 * The type of one argument word of an option. `check` returns a message in plain words when the
 * word is not acceptable to iptables; `values` lists the words completion can offer.
 */
export interface ArgType {
  readonly id: string;
  /** How the argument is shown in usage lines, e.g. `port[:port]`. */
  readonly label: string;
  check(value: string, ctx: ArgContext): ArgCheck;
  /** Accepted by iptables but almost certainly not what was meant (the rule never matches...). */
  warn?(value: string, ctx: ArgContext): ArgCheck;
  readonly values?: readonly ValueDoc[];
  /** Values that are comma-separated lists of `values` (states, flags). */
  readonly list?: boolean;
}

/** A documented value: a conntrack state, a TCP flag, a reject type, a log level... */
export interface ValueDoc {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  readonly doc?: string;
  readonly families?: readonly Family[];
}

export interface OptionSpec {
  /** Canonical name as iptables-save prints it, e.g. `--dport` or `-p`. */
  readonly name: string;
  /** Other spellings iptables accepts, e.g. `--destination-port`. */
  readonly aliases?: readonly string[];
  /** One entry per argument word; empty for a flag. */
  readonly args: readonly ArgType[];
  /** The last argument may be left out (only when the next word starts with `-` or `!`). */
  readonly lastArgOptional?: boolean;
  readonly negatable?: boolean;
  /** May appear more than once in the same module instance. */
  readonly multi?: boolean;
  readonly families?: readonly Family[];
  /** Must be given whenever the module is used. */
  readonly required?: boolean;
  /** Options of the same module this one cannot be combined with. */
  readonly excludes?: readonly string[];
  /** Options of the same module this one needs. */
  readonly requires?: readonly string[];
  /** One line, for completion lists. */
  readonly summary: string;
  /** Longer explanation in markdown, for hover. */
  readonly doc?: string;
  /** Shown as a warning when the option is used. */
  readonly deprecated?: string;
  /**
   * The kernel refuses this option outside chains reached from these hooks (addrtype
   * --limit-iface-in, devgroup --src-group...), even where the module itself is valid.
   */
  readonly hooks?: readonly Hook[];
}

/** A module's view of one use of it in a rule, for module-specific final checks. */
export interface ExtensionUse {
  readonly family: Family;
  readonly table: string;
  /** The built-in chain the rule is in, when it is one (user chains: undefined). */
  readonly hook?: Hook;
  /** The -p value and whether it was negated. */
  readonly protocol?: { readonly name: string; readonly negated: boolean };
  readonly options: readonly {
    readonly name: string;
    readonly negated: boolean;
    readonly args: readonly string[];
    /** The rule's -p stands before this option, so iptables had read it when it parsed the option. */
    readonly protocolSeen?: boolean;
  }[];
  /** The other match modules loaded on the same rule. */
  readonly otherMatches: readonly string[];
}

export interface Problem {
  readonly message: string;
  /** Blame this option (canonical name); otherwise the module name. */
  readonly option?: string;
  readonly argIndex?: number;
  readonly severity?: 'error' | 'warning';
}

interface ExtensionSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly families: readonly Family[];
  /** One line, for completion lists. */
  readonly summary: string;
  /** Markdown explanation for hover: what it does to a packet and when to use it. */
  readonly doc: string;
  readonly options: readonly OptionSpec[];
  /** Only valid in these tables (kernel check at load time). */
  readonly tables?: readonly TableName[];
  /** Only valid in chains reachable from these hooks (kernel check at load time). */
  readonly hooks?: readonly Hook[];
  /** At least one of these options must be given (empty list: any option of the module). */
  readonly needsOneOf?: readonly string[];
  /** Module-specific checks iptables or the kernel make once the whole rule is read. */
  check?(use: ExtensionUse): readonly Problem[];
  /** Only iptables-legacy or only iptables-nft knows this extension (1.8.9 on Debian is nft). */
  readonly backend?: 'legacy' | 'nft';
  /** Removed from current kernels/iptables: say so instead of explaining it. */
  readonly obsolete?: string;
}

export interface MatchSpec extends ExtensionSpec {
  readonly kind: 'match';
  /** The kernel refuses the match unless `-p` names one of these (not negated). */
  readonly protocols?: readonly string[];
}

export type TargetTermination =
  /** Decides the packet's fate (ACCEPT, DROP, REJECT, DNAT...). */
  | 'terminating'
  /** Does its work and the packet continues with the next rule (LOG, MARK...). */
  | 'continue'
  /** Depends on its options or on the packet (SYNPROXY lets non-SYN packets continue...). */
  | 'depends';

export interface TargetSpec extends ExtensionSpec {
  readonly kind: 'target';
  readonly termination: TargetTermination;
  /** Built into iptables itself rather than an extension (ACCEPT, DROP, RETURN, QUEUE). */
  readonly standard?: boolean;
  /** The kernel refuses the target unless `-p` names one of these (not negated). */
  readonly protocols?: readonly string[];
}

export type ExtensionSpecAny = MatchSpec | TargetSpec;
