/**
 * Checks each command line the way iptables and the kernel do when the rule is loaded: argument
 * values, negation, options used twice, required and conflicting options, the protocol a match
 * needs, the table and hooks a target or match is valid in, interfaces in the wrong direction.
 * Everything here is an error iptables-restore (or the kernel at commit time) would also report,
 * except `suspicious-argument`, which iptables accepts but which cannot be what was meant.
 */
import { protocolName, protocolNumber } from '../knowledge/generic';
import type { ArgContext, ExtensionUse, Family, Hook, MatchSpec, OptionSpec, Problem, TargetSpec } from '../knowledge/types';
import type { CommandLine, Finding, MatchNode, OptionNode, Range, Ruleset, Word } from '../model/ruleset';
import { genericOption, spanAt } from '../model/ruleset';
import { LineFindings } from './line-findings';
import type { Steps } from './steps';

function finding(line: number, code: string, message: string, at: Range, severity: Finding['severity'] = 'error'): Finding {
  return { code, severity, message, span: spanAt(line, at) };
}

const BUILTIN_HOOKS: ReadonlySet<string> = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

/** The context argument checks are given, one object per family (the checks only read it). */
const ARG_CONTEXTS: Readonly<Record<Family, ArgContext>> = { ipv4: { family: 'ipv4' }, ipv6: { family: 'ipv6' } };

export function checkArguments(line: number, opt: OptionNode, family: Family, out: Finding[]): void {
  const spec = opt.spec;
  if (!spec) return;
  const ctx = ARG_CONTEXTS[family];
  for (let k = 0; k < spec.args.length; k++) {
    const type = spec.args[k]!;
    const w = opt.args[k];
    if (!w) continue;
    if (w.text === '!' && !w.quoted) {
      out.push(finding(line, 'invalid-argument', `iptables reads this \`!\` as the value of ${spec.name}; to negate, put it in front: \`! ${spec.name} ...\``, w));
      continue;
    }
    const problem = type.check(w.text, ctx);
    if (problem) {
      out.push(finding(line, 'invalid-argument', `${spec.name}: ${problem}`, w));
      continue;
    }
    const warn = type.warn?.(w.text, ctx);
    if (warn) out.push(finding(line, 'suspicious-argument', `${spec.name}: ${warn}`, w, 'warning'));
  }
}

function checkOptionUse(line: number, opt: OptionNode, family: Family, out: Finding[]): void {
  const spec = opt.spec;
  if (!spec) return;
  if (opt.negated && !spec.negatable && opt.bang) {
    out.push(finding(line, 'not-negatable', `${spec.name} cannot be negated with \`!\``, opt.bang));
  }
  if (spec.families && !spec.families.includes(family)) {
    out.push(finding(line, 'wrong-family', `${spec.name} exists only for ${spec.families.includes('ipv4') ? 'IPv4 (iptables)' : 'IPv6 (ip6tables)'}`, opt.nameSpan));
  }
  if (spec.deprecated) out.push({ code: 'deprecated-option', severity: 'warning', message: `${spec.name}: ${spec.deprecated}`, span: spanAt(line, opt.nameSpan), tags: ['deprecated'] });
  checkArguments(line, opt, family, out);
}

/** The last of the options with this name (with a spec), or undefined. */
function lastNamed(used: readonly OptionNode[], name: string): OptionNode | undefined {
  for (let k = used.length - 1; k >= 0; k--) if (used[k]!.spec?.name === name) return used[k];
  return undefined;
}

/** Options given more than once, required options missing, exclusions and requirements. */
export function checkOptionSet(line: number, owner: string, anchor: Range, specs: readonly OptionSpec[], used: readonly OptionNode[], needsOneOf: readonly string[] | undefined, out: Finding[]): void {
  if (used.length > SCAN_AT_MOST) {
    checkLongOptionSet(line, owner, anchor, specs, used, needsOneOf, out);
    return;
  }
  // a match or a target has a handful of options: scanning them finds what a map would, without a
  // map per match of every line
  for (let k = 0; k < used.length; k++) {
    const spec = used[k]!.spec;
    if (!spec || spec.multi) continue;
    for (let j = 0; j < k; j++) {
      if (used[j]!.spec?.name === spec.name) {
        out.push(finding(line, 'option-repeated', `${owner}: ${spec.name} can only be given once`, used[k]!.nameSpan));
        break;
      }
    }
  }
  for (const s of specs) {
    if (s.required && !lastNamed(used, s.name)) out.push(finding(line, 'missing-required-option', `${owner} needs ${s.name} ${s.args.map((a) => `<${a.label}>`).join(' ')}`.trim(), anchor));
  }
  // each name once, where it first stands, with the last option of that name (as a map's values)
  for (let k = 0; k < used.length; k++) {
    const name = used[k]!.spec?.name;
    if (name === undefined) continue;
    let first = true;
    for (let j = 0; j < k && first; j++) if (used[j]!.spec?.name === name) first = false;
    if (!first) continue;
    const o = lastNamed(used, name)!;
    const spec = o.spec!;
    if (spec.excludes) {
      for (const x of spec.excludes) {
        const other = lastNamed(used, x);
        if (other && used.indexOf(other) > used.indexOf(o)) {
          out.push(finding(line, 'option-conflict', `${owner}: ${spec.name} and ${x} cannot be used together`, other.nameSpan));
        }
      }
    }
    if (spec.requires) {
      for (const x of spec.requires) if (!lastNamed(used, x)) out.push(finding(line, 'option-conflict', `${owner}: ${spec.name} needs ${x} as well`, o.nameSpan));
    }
  }
  if (needsOneOf) checkNeedsOneOf(line, owner, anchor, specs, used, needsOneOf, out);
}

/** Most options of one match or target checkOptionSet scans; more (a hostile line) go through a map. */
const SCAN_AT_MOST = 12;

function checkNeedsOneOf(line: number, owner: string, anchor: Range, specs: readonly OptionSpec[], used: readonly OptionNode[], needsOneOf: readonly string[], out: Finding[]): void {
  if (!used.some((o) => o.spec && (needsOneOf.length === 0 || needsOneOf.includes(o.spec.name)))) {
    const list = needsOneOf.length ? needsOneOf : specs.map((s) => s.name);
    out.push(finding(line, 'missing-required-option', `${owner} does nothing without one of its options (${list.join(', ')})`, anchor));
  }
}

/** checkOptionSet for a match or target with many options, through a map (exported for its test: it must say the same). */
export function checkLongOptionSet(line: number, owner: string, anchor: Range, specs: readonly OptionSpec[], used: readonly OptionNode[], needsOneOf: readonly string[] | undefined, out: Finding[]): void {
  const seen = new Map<string, OptionNode>();
  for (const o of used) {
    if (!o.spec) continue;
    const prev = seen.get(o.spec.name);
    if (prev && !o.spec.multi) out.push(finding(line, 'option-repeated', `${owner}: ${o.spec.name} can only be given once`, o.nameSpan));
    seen.set(o.spec.name, o);
  }
  for (const s of specs) {
    if (s.required && !seen.has(s.name)) out.push(finding(line, 'missing-required-option', `${owner} needs ${s.name} ${s.args.map((a) => `<${a.label}>`).join(' ')}`.trim(), anchor));
  }
  for (const o of seen.values()) {
    for (const x of o.spec!.excludes ?? []) {
      const other = seen.get(x);
      if (other && used.indexOf(other) > used.indexOf(o)) {
        out.push(finding(line, 'option-conflict', `${owner}: ${o.spec!.name} and ${x} cannot be used together`, other.nameSpan));
      }
    }
    for (const x of o.spec!.requires ?? []) {
      if (!seen.has(x)) out.push(finding(line, 'option-conflict', `${owner}: ${o.spec!.name} needs ${x} as well`, o.nameSpan));
    }
  }
  if (needsOneOf) checkNeedsOneOf(line, owner, anchor, specs, used, needsOneOf, out);
}

/**
 * What a module's own check is told about its use on this line. Written out field by field (it is
 * made for every match and target that has a check, on every line: spreads of optional parts made
 * an object more for each).
 */
function extensionUse(cmd: CommandLine, family: Family, options: readonly OptionNode[], self?: MatchNode): ExtensionUse {
  const p = genericOption(cmd, '-p');
  const pw = p?.args[0];
  const used: ExtensionUse['options'][number][] = new Array(options.length);
  for (let k = 0; k < options.length; k++) {
    const o = options[k]!;
    const args: string[] = new Array(o.args.length);
    for (let j = 0; j < o.args.length; j++) args[j] = o.args[j]!.text;
    used[k] = p ? { name: o.name, negated: o.negated, args, protocolSeen: p.word.start < o.word.start } : { name: o.name, negated: o.negated, args };
  }
  const otherMatches: string[] = [];
  for (const m of cmd.matches) if (m !== self) otherMatches.push(m.name);
  return {
    family,
    table: cmd.table,
    hook: cmd.chain && BUILTIN_HOOKS.has(cmd.chain) ? (cmd.chain as Hook) : undefined,
    protocol: pw ? { name: protocolName(pw.text), negated: p!.negated } : undefined,
    options: used,
    otherMatches,
  };
}

function reportProblems(line: number, problems: readonly Problem[], anchor: Range, options: readonly OptionNode[], out: Finding[]): void {
  for (const p of problems) {
    const opt = p.option ? options.find((o) => o.name === p.option) : undefined;
    const at: Range = opt ? (p.argIndex !== undefined ? opt.args[p.argIndex] ?? opt.nameSpan : opt.nameSpan) : anchor;
    out.push(finding(line, p.severity === 'warning' ? 'suspicious-argument' : 'module-check', p.message, at, p.severity ?? 'error'));
  }
}

/** Does the rule's -p satisfy a module that needs one of `protocols`? */
function protocolSatisfies(cmd: CommandLine, protocols: readonly string[]): boolean {
  const p = genericOption(cmd, '-p');
  if (!p || p.negated || !p.args[0]) return false;
  const n = protocolNumber(p.args[0].text);
  return protocols.some((q) => protocolNumber(q) === n);
}

function checkMatch(cmd: CommandLine, m: MatchNode, family: Family, out: Finding[]): void {
  const spec: MatchSpec | undefined = m.spec;
  if (!spec) return;
  const anchor: Range = m.mWord ? { start: m.mWord.start, end: m.nameWord.end } : m.nameWord;
  if (spec.obsolete) out.push(finding(cmd.line, 'obsolete-extension', `the ${spec.name} match: ${spec.obsolete}`, anchor, 'warning'));
  if (spec.tables && !spec.tables.includes(cmd.table as never)) {
    out.push(finding(cmd.line, 'match-hook', `the ${spec.name} match is only valid in the ${spec.tables.join(' or ')} table${spec.tables.length > 1 ? 's' : ''}, not in ${cmd.table}`, anchor));
  }
  if (spec.protocols && !protocolSatisfies(cmd, spec.protocols)) {
    const p = genericOption(cmd, '-p');
    const need = spec.protocols.map((x) => `-p ${x}`).join(' or ');
    const why = p?.negated ? `\`! -p ${p.args[0]?.text}\` is not enough` : p ? `this rule has -p ${p.args[0]?.text}` : 'this rule has no -p';
    out.push(finding(cmd.line, 'protocol-required', `the ${spec.name} match needs ${need} (${why}); the kernel refuses the rule otherwise`, m.implicit ? m.nameWord : anchor));
  }
  if (spec.name === 'multiport' && m.options[0] && spec.protocols && protocolSatisfies(cmd, spec.protocols)) {
    // libxt_multiport checks -p while it reads its own options, so a later -p comes too late
    const p = genericOption(cmd, '-p')!;
    const first = m.options[0];
    if (p.word.start > first.word.start) {
      out.push(finding(cmd.line, 'protocol-required', `-p ${p.args[0]?.text} comes after ${first.name}: iptables checks the protocol of -m multiport while reading ${first.name}, so put -p first`, first.nameSpan));
    }
  }
  checkOptionSet(cmd.line, `-m ${spec.name}`, anchor, spec.options, m.options, spec.needsOneOf, out);
  if (spec.check) reportProblems(cmd.line, spec.check(extensionUse(cmd, family, m.options, m)), anchor, m.options, out);
}

function checkTarget(cmd: CommandLine, family: Family, out: Finding[]): void {
  const tg = cmd.target;
  if (!tg) return;
  const spec: TargetSpec | undefined = tg.spec;
  const anchor = tg.nameWord;
  if (!spec) return;
  if (spec.obsolete) out.push(finding(cmd.line, 'obsolete-extension', `the ${spec.name} target: ${spec.obsolete}`, anchor, 'warning'));
  if (tg.goto && spec) out.push(finding(cmd.line, 'goto-builtin', `-g needs a user-defined chain; use -j ${spec.name}`, tg.jWord));
  if (spec.tables && !spec.tables.includes(cmd.table as never)) {
    out.push(finding(cmd.line, 'target-table', `${spec.name} is only valid in the ${spec.tables.join(' or ')} table${spec.tables.length > 1 ? 's' : ''}, not in ${cmd.table}`, anchor));
  }
  if (spec.protocols && !protocolSatisfies(cmd, spec.protocols)) {
    out.push(finding(cmd.line, 'protocol-required', `${spec.name} needs ${spec.protocols.map((x) => `-p ${x}`).join(' or ')}; the kernel refuses the rule otherwise`, anchor));
  }
  checkOptionSet(cmd.line, `-j ${spec.name}`, anchor, spec.options, tg.options, spec.needsOneOf, out);
  if (spec.check) reportProblems(cmd.line, spec.check(extensionUse(cmd, family, tg.options)), anchor, tg.options, out);
}

function checkHooks(cmd: CommandLine, out: Finding[]): void {
  const chain = cmd.chain;
  if (!chain || !BUILTIN_HOOKS.has(chain)) return; // user chains: see ruleset-validity
  const hook = chain as Hook;
  for (const o of cmd.options) {
    if (o.owner !== 'generic') continue;
    if (o.name === '-i' && (hook === 'OUTPUT' || hook === 'POSTROUTING')) {
      out.push(finding(cmd.line, 'interface-direction', `-i cannot be used in ${hook}: locally sent packets have no incoming interface there`, o.nameSpan));
    }
    if (o.name === '-o' && (hook === 'INPUT' || hook === 'PREROUTING')) {
      out.push(finding(cmd.line, 'interface-direction', `-o cannot be used in ${hook}: the outgoing interface is not known yet`, o.nameSpan));
    }
  }
  for (const m of cmd.matches) {
    if (m.spec?.hooks && !m.spec.hooks.includes(hook)) {
      out.push(finding(cmd.line, 'match-hook', `the ${m.name} match is only valid in ${m.spec.hooks.join(', ')} (and user chains reached only from them), not in ${hook}`, m.nameWord));
    }
    for (const o of m.options) {
      if (o.spec?.hooks && !o.spec.hooks.includes(hook)) {
        out.push(finding(cmd.line, 'match-hook', `${o.spec.name} of the ${m.name} match is only valid in ${o.spec.hooks.join(', ')} (and user chains reached only from them), not in ${hook}`, o.nameSpan));
      }
    }
  }
  const ts = cmd.target?.spec;
  if (ts?.hooks && !ts.hooks.includes(hook)) {
    out.push(finding(cmd.line, 'target-hook', `${ts.name} is only valid in ${ts.hooks.join(', ')} (and user chains reached only from them), not in ${hook}`, cmd.target!.nameWord));
  }
  for (const o of cmd.target?.options ?? []) {
    if (o.spec?.hooks && !o.spec.hooks.includes(hook)) {
      out.push(finding(cmd.line, 'target-hook', `${o.spec.name} of ${ts?.name ?? 'the target'} is only valid in ${o.spec.hooks.join(', ')}, not in ${hook}: the kernel refuses the rule`, o.nameSpan));
    }
  }
}

/** `! -s a,b`: iptables refuses to negate a list of addresses. */
function checkAddresses(cmd: CommandLine, out: Finding[]): void {
  for (const o of cmd.options) {
    if (o.owner !== 'generic') continue;
    if ((o.name === '-s' || o.name === '-d') && o.negated && o.args[0]?.text.includes(',')) {
      out.push(finding(cmd.line, 'not-negatable', `\`! ${o.name}\` cannot take several addresses (iptables: "! not allowed with multiple source or destination IP addresses"): one rule per address, or an ipset`, o.bang ?? o.nameSpan));
    }
  }
}

function checkProtocol(cmd: CommandLine, out: Finding[]): void {
  const p = genericOption(cmd, '-p');
  const w: Word | undefined = p?.args[0];
  if (!p || !w) return;
  if (p.negated && protocolNumber(w.text) === 0) {
    out.push(finding(cmd.line, 'never-matches', `\`! -p ${w.text}\` excludes every protocol, so the rule could never match; iptables refuses it`, p.nameSpan));
  }
  const implicit = cmd.matches.find((m) => m.implicit);
  if (implicit && p.negated) {
    out.push(finding(cmd.line, 'protocol-required', `options of the ${implicit.name} match after \`! -p ${w.text}\`: the match needs the protocol to be ${w.text}, and the kernel refuses the rule`, w));
  }
}

/** All per-line checks for one command line. */
export function checkCommandLine(cmd: CommandLine, family: Family, out: Finding[]): void {
  for (const o of cmd.options) checkOptionUse(cmd.line, o, family, out);
  checkProtocol(cmd, out);
  checkAddresses(cmd, out);
  for (const m of cmd.matches) checkMatch(cmd, m, family, out);
  checkTarget(cmd, family, out);
  checkHooks(cmd, out);
  const letter = cmd.command?.spec.letter;
  for (const o of cmd.options) {
    const allowed = OPTION_COMMANDS[o.name];
    if (letter && allowed && !allowed.includes(letter)) {
      const use = o.name === '-c' ? 'it sets the counters of a rule added with -A, -I or -R (or of a policy with -P)' : 'it only changes how -L lists rules';
      out.push(finding(cmd.line, 'syntax', `${o.name} cannot be used with ${cmd.command!.spec.name} (iptables: "Illegal option with this command"): ${use}`, o.nameSpan));
    }
  }
  if (cmd.command && !cmd.command.spec.takesRule) {
    const ruleOpts = cmd.options.filter((o) => o.owner !== 'command' && !ANY_COMMAND.has(o.name) && !OPTION_COMMANDS[o.name]);
    if (ruleOpts.length) {
      out.push(finding(cmd.line, 'syntax', `${cmd.command.spec.name} takes no rule options`, ruleOpts[0]!.nameSpan));
    }
  }
}

/**
 * Generic options iptables accepts only with some commands (xshared.c commands_v_options; each
 * pair measured with iptables-restore --test 1.8.9): the command letters that allow them.
 */
const OPTION_COMMANDS: Readonly<Record<string, string>> = { '-n': 'L', '-x': 'L', '--line-numbers': 'L', '-c': 'AIRP' };
/** Generic options every command accepts. */
const ANY_COMMAND: ReadonlySet<string> = new Set(['-4', '-6', '-v', '-w', '-W', '--modprobe']);

/**
 * Every check here looks at the line alone (and the family): after an edit, the lines it left
 * alone keep their findings (see LineFindings).
 */
const KEPT = LineFindings.ofCommands((c, rs, out) => checkCommandLine(c, rs.family, out));

export function checkRulesetLines(rs: Ruleset): Finding[] {
  return KEPT.findings(rs);
}

/** checkRulesetLines in steps (see LineFindings.findingSteps). */
export function rulesetLineSteps(rs: Ruleset): Steps<Finding[]> {
  return KEPT.findingSteps(rs);
}
