/**
 * The rules files a log line can be explained with: every open rules document, the files named in
 * `iptablesLens.rulesFiles`, and rules files found in the workspace by their usual names. Files are
 * only read, never written; paths outside the workspace folders are read only from the usual system
 * locations (/etc/iptables, /etc/sysconfig) or when the setting names them absolutely.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RulesSource } from '../service/log-explain';
import { createRulesDocument, fileName } from '../service/document';
import type { ServerContext } from '../server';

const RULES_NAMES = /^(rules\.v[46]|ip6?tables(\.rules|\.save|-save)?|.*\.rules)$/;
const SKIP_DIRS = new Set(['node_modules', '.git', '.cache', 'dist', 'out']);
const MAX_VISITS = 3000;
const MAX_FILES = 50;
const MAX_SIZE = 20 * 1024 * 1024;
const RESCAN_MS = 30_000;

interface Cached {
  readonly mtimeMs: number;
  readonly source: RulesSource;
}

export function createRulesSources(ctx: Pick<ServerContext, 'documents' | 'kind' | 'rules' | 'settings'>, workspaceFolders: () => readonly string[]) {
  const fileCache = new Map<string, Cached>();
  let found: { at: number; files: string[] } | undefined;

  const readSource = (file: string): RulesSource | undefined => {
    try {
      const st = statSync(file);
      if (!st.isFile() || st.size > MAX_SIZE) return undefined;
      const hit = fileCache.get(file);
      if (hit && hit.mtimeMs === st.mtimeMs) return hit.source;
      const uri = pathToFileURL(file).toString();
      const doc = createRulesDocument(uri, 0, readFileSync(file, 'utf8'), ctx.settings().family);
      const source: RulesSource = { uri, name: path.basename(file), ruleset: doc.ruleset };
      fileCache.set(file, { mtimeMs: st.mtimeMs, source });
      return source;
    } catch {
      return undefined;
    }
  };

  const discover = (): string[] => {
    if (found && Date.now() - found.at < RESCAN_MS) return found.files;
    const files: string[] = [];
    let visits = 0;
    const walk = (dir: string, depth: number) => {
      if (depth > 4 || visits > MAX_VISITS || files.length >= MAX_FILES) return;
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        return;
      }
      for (const e of entries) {
        if (++visits > MAX_VISITS || files.length >= MAX_FILES) return;
        const p = path.join(dir, e);
        let st;
        try {
          st = statSync(p);
        } catch {
          continue;
        }
        if (st.isDirectory()) {
          if (!SKIP_DIRS.has(e) && !e.startsWith('.')) walk(p, depth + 1);
        } else if (RULES_NAMES.test(e)) files.push(p);
      }
    };
    for (const f of workspaceFolders()) walk(f, 0);
    found = { at: Date.now(), files };
    return files;
  };

  const allowed = (file: string): boolean => {
    const abs = path.resolve(file);
    return workspaceFolders().some((f) => abs === f || abs.startsWith(f + path.sep)) || abs.startsWith('/etc/iptables/') || abs.startsWith('/etc/sysconfig/');
  };

  return (): RulesSource[] => {
    const out: RulesSource[] = [];
    const seen = new Set<string>();
    for (const d of ctx.documents.all()) {
      // one document that cannot be read must not take the others' explanations with it
      try {
        if (ctx.kind(d.uri) !== 'rules') continue;
        const doc = ctx.rules(d.uri);
        if (!doc) continue;
        seen.add(d.uri);
        out.push({ uri: d.uri, name: fileName(d.uri) || d.uri, ruleset: doc.ruleset });
      } catch {
        continue;
      }
    }
    const configured = ctx.settings().rulesFiles.flatMap((f) => {
      if (path.isAbsolute(f)) return [f];
      return workspaceFolders().map((w) => path.join(w, f));
    });
    for (const file of [...configured.filter((f) => path.isAbsolute(f) && (allowed(f) || ctx.settings().rulesFiles.includes(f))), ...discover()]) {
      const uri = pathToFileURL(file).toString();
      if (seen.has(uri)) continue;
      seen.add(uri);
      const s = readSource(file);
      if (s) out.push(s);
    }
    return out;
  };
}

export function folderPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

