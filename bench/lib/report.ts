/**
 * Bench results: one entry per metric `{name, value, unit, reference, ratio}` (ratio = value /
 * reference value, so below 1 means faster than the reference for times), the targets of the
 * issue checked on them, and the table printed on the terminal or written as Markdown.
 */

export interface Reference {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface Metric {
  readonly name: string;
  readonly value: number | null;
  readonly unit: string;
  readonly reference: Reference | null;
  /** value / reference.value (null without a reference). */
  readonly ratio: number | null;
  readonly better: 'lower' | 'higher';
  readonly note?: string;
  readonly target?: string;
  readonly pass?: boolean;
}

export function metric(name: string, value: number | null, unit: string, o: { reference?: Reference | undefined; note?: string; better?: 'lower' | 'higher' } = {}): Metric {
  const ref = o.reference ?? null;
  const ratio = ref && value !== null && ref.value > 0 ? Math.round((value / ref.value) * 1000) / 1000 : null;
  return { name, value, unit, reference: ref, ratio, better: o.better ?? (unit.includes('/s') ? 'higher' : 'lower'), ...(o.note ? { note: o.note } : {}) };
}

interface Target {
  readonly match: RegExp;
  readonly text: string;
  readonly ok: (m: Metric) => boolean | undefined;
}

/** value / reference, unrounded (Metric.ratio is rounded for the table), or null without a reference. */
export function exactRatio(m: Metric): number | null {
  return m.reference && m.value !== null && m.reference.value > 0 ? m.value / m.reference.value : null;
}

/** The targets; `big` is the largest ruleset size measured (they are stated for 100k). */
function targets(big: number): Target[] {
  const at = (suffix: string) => new RegExp(`^rules/[a-z]+-ipv[46]-${big}/${suffix.replace('.', '\\.')}$`);
  const le = (n: number) => (m: Metric) => (m.value === null ? false : m.value <= n);
  // against the ratio itself: the one stored is rounded to three places, which would pass 0.10002
  const ratioAtMost = (n: number) => (m: Metric) => {
    const r = exactRatio(m);
    return r === null ? undefined : r <= n;
  };
  // CPU and wall alike: within a second, and no slower than the reference when there is one
  const coldOpen = (m: Metric) => m.value !== null && m.value <= 1000 && ratioAtMost(1)(m) !== false;
  return [
    { match: at('cold-open'), text: '<= 1000 ms and <= iptables-legacy-restore --test', ok: coldOpen },
    { match: at('cold-open.wall'), text: '<= 1000 ms and <= iptables-legacy-restore --test', ok: coldOpen },
    { match: at('edit.p95'), text: '<= 50 ms', ok: le(50) },
    // (an edit that inserts or deletes a line is a one-line edit too)
    { match: at('line-edit.p95'), text: '<= 50 ms', ok: le(50) },
    { match: at('line-edit.heap.peak'), text: '<= 300 MB', ok: le(300) },
    { match: at('hover.p99'), text: '<= 10 ms', ok: le(10) },
    { match: at('completion.p99'), text: '<= 10 ms', ok: le(10) },
    { match: at('trace.p99'), text: '< 50 ms', ok: (m) => m.value !== null && m.value < 50 },
    { match: at('heap.peak'), text: '<= 300 MB', ok: le(300) },
    { match: /^rules\/[a-z]+-ipv4\/slope-/, text: '<= 12x', ok: le(12) },
    { match: /^logs\/log-syslog-\d+\/summary$/, text: '>= 10x faster than fwlogwatch (ratio <= 0.1)', ok: ratioAtMost(0.1) },
    { match: /^logs\/log-syslog-\d+\/summary\.vs-grep$/, text: '>= 1/10 the speed of grep -c (ratio <= 10)', ok: ratioAtMost(10) },
    { match: /^logs\/log-mixed-\d+MB\/hover\.p99$/, text: '<= 20 ms', ok: le(20) },
    { match: /^lsp\/log-mixed-\d+MB\/hover\.p99$/, text: '<= 20 ms', ok: le(20) },
  ];
}

export function checkTargets(ms: readonly Metric[], big: number): Metric[] {
  const ts = targets(big);
  return ms.map((m) => {
    const t = ts.find((x) => x.match.test(m.name));
    if (!t) return m;
    const pass = t.ok(m);
    return { ...m, target: t.text, ...(pass !== undefined ? { pass } : {}) };
  });
}

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 100) return String(Math.round(x));
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function rows(ms: readonly Metric[]): string[][] {
  return ms.map((m) => [
    m.name,
    fmt(m.value),
    m.unit,
    m.reference ? `${fmt(m.reference.value)} ${m.reference.unit} ${m.reference.name}` : '',
    m.ratio === null ? '' : fmt(m.ratio),
    m.target ? `${m.pass === undefined ? '?' : m.pass ? 'PASS' : 'FAIL'} ${m.target}` : '',
  ]);
}

const HEAD = ['metric', 'value', 'unit', 'reference', 'ratio', 'target'];

export function formatTable(ms: readonly Metric[]): string {
  const all = [HEAD, ...rows(ms)];
  const w = HEAD.map((_, i) => Math.min(70, Math.max(...all.map((r) => r[i]!.length))));
  return all.map((r, k) => r.map((c, i) => (i === 1 || i === 4 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ') + (k === 0 ? `\n${w.map((x) => '-'.repeat(x)).join('  ')}` : '')).join('\n');
}

export function formatMarkdown(out: { machine: Record<string, unknown>; skipped: readonly string[]; metrics: readonly Metric[] }): string {
  const lines = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`];
  for (const r of rows(out.metrics)) lines.push(`| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  const notes = out.metrics.filter((m) => m.note).map((m) => `- \`${m.name}\`: ${m.note}`);
  return [
    `Machine: ${JSON.stringify(out.machine)}`,
    '',
    ...lines,
    '',
    'Notes:',
    ...notes,
    '',
    'Skipped or limited references:',
    ...out.skipped.map((s) => `- ${s}`),
    '',
  ].join('\n');
}
