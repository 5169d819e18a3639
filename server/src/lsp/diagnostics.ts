/**
 * Publishes diagnostics: when a document opens, after a short quiet period while it is being
 * edited, and again for every open document when settings change; a big rules document once the
 * slices of its analysis are done, with requests answered between them (see analyse). Results are
 * cached per document version so code actions can reuse them.
 */
import { type Diagnostic as LspDiagnostic, DiagnosticTag } from 'vscode-languageserver/node';
import { codeTexts } from '../analysis/codes';
import { traceJobs } from '../analysis/tracer';
import { diagnose, type Diagnostic } from '../service/diagnostics';
import type { ServerContext } from '../server';
import { analyseUntil } from '../service/analysis-in-steps';
import type { RulesDocument } from '../service/document';
import { toRange, toSeverity } from './convert';

/** How long a rules document stays unchanged after its diagnostics before the server prepares its traces. */
const PREPARE_AFTER_MS = 750;
/** How long each slice of the analysis of a rules document runs before the server answers what came meanwhile (see analyse). */
const SLICE_MS = 15;
/**
 * Documents from this many lines on are analysed in slices; shorter ones at once (tens of
 * milliseconds at most), their diagnostics published as soon as they are asked for.
 */
const SLICED_FROM_LINES = 2000;

/** Whether the server analyses this document in slices (see SLICED_FROM_LINES). */
export function analysedInSlices(doc: RulesDocument): boolean {
  return doc.lines.length >= SLICED_FROM_LINES;
}

/**
 * The diagnostics of each document's last analysed version, and that version itself: the next
 * version's analysis starts from what was kept for it (see rulesetEdit), and versions only hold
 * the ones they were read from weakly, so without this the versions parsed in between (one per
 * keystroke, for semantic tokens) would be all that held it.
 */
const cache = new Map<string, { version: number; items: Diagnostic[]; doc: RulesDocument }>();

/** The diagnostics of a rules document at its current version (computed if needed). */
export function currentDiagnostics(ctx: ServerContext, uri: string): Diagnostic[] {
  const doc = ctx.rules(uri);
  if (!doc) return [];
  const hit = cache.get(uri);
  if (hit && hit.version === doc.version) return hit.items;
  const items = ctx.guard('diagnostics', [] as Diagnostic[], () => diagnose(doc.ruleset, doc.lines, { severities: ctx.settings().diagnostics }));
  cache.set(uri, { version: doc.version, items, doc });
  return items;
}

/**
 * The protocol form of each diagnostic, for the document it was made for: a diagnostic an edit
 * left alone is the previous version's object (see service/diagnostics.ts), so each publish
 * converts only what the edit changed.
 */
const CONVERTED = new WeakMap<Diagnostic, { readonly uri: string; readonly lsp: LspDiagnostic }>();

export function toLspDiagnostic(uri: string, d: Diagnostic): LspDiagnostic {
  const kept = CONVERTED.get(d);
  if (kept && kept.uri === uri) return kept.lsp;
  const lsp = convert(uri, d);
  CONVERTED.set(d, { uri, lsp });
  return lsp;
}

function convert(uri: string, d: Diagnostic): LspDiagnostic {
  const tags: DiagnosticTag[] = [];
  if (d.tags?.includes('unnecessary')) tags.push(DiagnosticTag.Unnecessary);
  if (d.tags?.includes('deprecated')) tags.push(DiagnosticTag.Deprecated);
  return {
    range: toRange(d.span),
    severity: toSeverity(d.severity),
    code: d.fullCode,
    codeDescription: { href: d.docs },
    source: 'iptables-lens',
    message: d.message,
    ...(tags.length ? { tags } : {}),
    ...(d.related?.length ? { relatedInformation: d.related.map((r) => ({ location: { uri, range: toRange(r.span) }, message: r.message })) } : {}),
  };
}

/** Logs larger than this get no whole-file diagnostics (hover still explains every line). */
const MAX_LOG_DIAGNOSTIC_BYTES = 4 * 1024 * 1024;
const MAX_LOG_DIAGNOSTICS = 500;

function logDiagnostics(ctx: ServerContext, uri: string): LspDiagnostic[] {
  const d = ctx.documents.get(uri);
  if (!d || d.getText().length > MAX_LOG_DIAGNOSTIC_BYTES) return [];
  const setting = ctx.settings().diagnostics['log-line'];
  if (setting === 'off') return [];
  const doc = ctx.logs.document(uri);
  const texts = codeTexts('log-line');
  const out: LspDiagnostic[] = [];
  for (const l of doc?.lines ?? []) {
    if (!('notes' in l)) continue;
    for (const n of l.notes) {
      if (n.severity === 'info' || out.length >= MAX_LOG_DIAGNOSTICS) continue;
      const sev = setting && setting !== 'default' ? setting : n.severity === 'error' ? 'error' : 'warning';
      out.push({
        range: toRange(n.span),
        severity: toSeverity(sev),
        code: texts.fullCode,
        codeDescription: { href: texts.docs },
        source: 'iptables-lens',
        message: `${n.message} (${n.code})`,
      });
    }
  }
  return out;
}

export function registerDiagnostics(ctx: ServerContext): void {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The version whose diagnostics were last published, per document. */
  const sent = new Map<string, number>();

  // guarded: one document that cannot be analysed must not stop the others being published
  const publish = (uri: string) => ctx.guard('publishDiagnostics', undefined, () => publishNow(uri));
  const publishNow = (uri: string) => {
    timers.delete(uri);
    const d = ctx.documents.get(uri);
    if (!d) return;
    // (the documents manager reports an opened document as changed too: once per version is enough)
    if (sent.get(uri) === d.version) return;
    const kind = ctx.kind(uri);
    if (kind === 'rules') {
      // (marked sent once analysed: a publish of the same version meanwhile goes on where the
      // analysis is)
      stopAnalysing(uri);
      analyse(uri, d.version);
      return;
    }
    sent.set(uri, d.version);
    if (kind === 'log') void ctx.connection.sendDiagnostics({ uri, version: d.version, diagnostics: logDiagnostics(ctx, uri) });
    else void ctx.connection.sendDiagnostics({ uri, diagnostics: [] });
  };

  // a big rules document is analysed in slices of about SLICE_MS, each in a turn of the event loop of
  // its own, so that the requests that come meanwhile (hover, tokens, the outline of the file just
  // opened) are answered between them rather than after the whole analysis (about three seconds
  // over stdio for a 100 000-rule file just opened); its diagnostics go out when the last slice is done
  const analysing = new Map<string, ReturnType<typeof setImmediate>>();
  const stopAnalysing = (uri: string) => {
    const next = analysing.get(uri);
    if (next) clearImmediate(next);
    analysing.delete(uri);
  };
  const analyse = (uri: string, version: number) => {
    analysing.delete(uri);
    // a newer version came: its own publish (after the validation delay) goes on with the steps
    // left of this one's analysis, then analyses it
    if (ctx.documents.get(uri)?.version !== version) return;
    const doc = ctx.rules(uri);
    if (!doc) return;
    const deadline = analysedInSlices(doc) ? performance.now() + SLICE_MS : Infinity;
    const done = ctx.guard('diagnostics', true, () => analyseUntil(doc.ruleset, deadline));
    if (!done) {
      analysing.set(uri, setImmediate(() => ctx.guard('publishDiagnostics', undefined, () => analyse(uri, version))));
      return;
    }
    sent.set(uri, version);
    const items = currentDiagnostics(ctx, uri);
    void ctx.connection.sendDiagnostics({ uri, version, diagnostics: items.map((i) => toLspDiagnostic(uri, i)) });
    prepareTraces(uri, version);
  };

  // once a version's diagnostics are out and the document has not changed for a while, the
  // server builds, while idle, what the first packet trace through its long chains would
  // otherwise build (at 100 000 rules a few hundred ms), a slice of a chain (~10-40 ms) per turn
  // of the event loop; it stops as soon as the document has a newer version or closes. (Started at
  // once, it was begun after every keystroke and given up at the next: at 100k Docker-like rules
  // about 100 ms of work per line put in, thrown away, that requests waited behind.)
  const preparing = new Map<string, { timer?: ReturnType<typeof setTimeout>; next?: ReturnType<typeof setImmediate> }>();
  const stopPreparing = (uri: string) => {
    const p = preparing.get(uri);
    if (p?.timer) clearTimeout(p.timer);
    if (p?.next) clearImmediate(p.next);
    preparing.delete(uri);
  };
  const prepareTraces = (uri: string, version: number) => {
    stopPreparing(uri);
    const start = () => {
      preparing.delete(uri);
      const doc = ctx.rules(uri);
      if (!doc || doc.version !== version || ctx.documents.get(uri)?.version !== version) return;
      const jobs = ctx.guard('prepareTraces', [] as (() => void)[], () => traceJobs(doc.ruleset));
      let next = 0;
      const step = () => {
        preparing.delete(uri);
        if (next >= jobs.length || ctx.documents.get(uri)?.version !== version || ctx.rules(uri) !== doc) return;
        ctx.guard('prepareTraces', undefined, jobs[next++]!);
        preparing.set(uri, { next: setImmediate(step) });
      };
      preparing.set(uri, { next: setImmediate(step) });
    };
    const timer = setTimeout(start, PREPARE_AFTER_MS);
    timer.unref();
    preparing.set(uri, { timer });
  };

  const schedule = (uri: string, delay: number) => {
    const t = timers.get(uri);
    if (t) clearTimeout(t);
    if (delay <= 0) {
      publish(uri);
      return;
    }
    timers.set(uri, setTimeout(() => publish(uri), delay));
  };

  ctx.documents.onDidOpen((e) => schedule(e.document.uri, 0));
  ctx.documents.onDidChangeContent((e) => {
    stopPreparing(e.document.uri);
    schedule(e.document.uri, ctx.settings().validationDelay);
  });
  ctx.documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    stopPreparing(e.document.uri);
    stopAnalysing(e.document.uri);
    cache.delete(e.document.uri);
    sent.delete(e.document.uri);
    void ctx.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  ctx.onSettingsChanged(() => {
    cache.clear();
    sent.clear();
    for (const d of ctx.documents.all()) schedule(d.uri, 0);
  });
}
