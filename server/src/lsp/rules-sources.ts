/**
 * The rules files a log line can be explained with: every open rules document, the files named in
 * `iptablesLens.rulesFiles`, and rules files found in the workspace by their usual names. Files are
 * only read, never written (SECURITY.md). What may be read:
 * - files found in a workspace folder, and relative entries of the setting, only where their real
 *   path (symbolic links followed) is inside that folder: a link `evil.rules -> ~/.ssh/id_rsa` or
 *   an entry `../../etc/shadow` is not read, and links to directories are never walked;
 * - an absolute entry of the setting, as the user named it. VS Code ignores workspace values of
 *   this setting in Restricted Mode (package.json restrictedConfigurations), so an absolute path
 *   reaches the server only from the user's settings or a workspace the user trusts;
 * - regular files only, at most MAX_SIZE bytes (never a FIFO or a device that would block a read).
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
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

  const realFolders = (): string[] => workspaceFolders().map((f) => realpath(f)).filter((f): f is string => !!f);
  /** The file's real path if it lies inside one of `folders` (real paths). */
  const inside = (file: string, folders: readonly string[]): boolean => {
    const real = realpath(file);
    return !!real && folders.some((f) => within(real, f));
  };

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
          st = lstatSync(p);
        } catch {
          continue;
        }
        if (st.isSymbolicLink()) {
          // a link is followed only to a regular file inside the workspace, never into a directory
          try {
            if (RULES_NAMES.test(e) && inside(p, folders) && statSync(p).isFile()) files.push(p);
          } catch {
            /* a dangling link */
          }
        } else if (st.isDirectory()) {
          if (!SKIP_DIRS.has(e) && !e.startsWith('.')) walk(p, depth + 1);
        } else if (st.isFile() && RULES_NAMES.test(e)) files.push(p);
      }
    };
    // walk the folders as the editor names them (so found files match open documents' URIs); contain by real paths
    const folders = realFolders();
    for (const f of workspaceFolders()) walk(f, 0);
    found = { at: Date.now(), files };
    return files;
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
    const configured = configuredFiles(ctx.settings().rulesFiles, workspaceFolders(), inside);
    for (const file of [...configured, ...discover()]) {
      const uri = pathToFileURL(file).toString();
      if (seen.has(uri)) continue;
      seen.add(uri);
      const s = readSource(file);
      if (s) out.push(s);
    }
    return out;
  };
}

/**
 * The files the setting names that may be read: absolute entries as named (the user's choice),
 * relative entries in each workspace folder where they really are inside it.
 */
function configuredFiles(entries: readonly string[], folders: readonly string[], inside: (file: string, folders: readonly string[]) => boolean): string[] {
  const out: string[] = [];
  for (const f of entries) {
    if (typeof f !== 'string' || !f || f.includes('\0')) continue;
    if (path.isAbsolute(f)) {
      out.push(path.normalize(f));
      continue;
    }
    for (const w of folders) {
      const real = realpath(w);
      if (real && inside(path.join(w, f), [real])) out.push(path.join(w, f));
    }
  }
  return out;
}

function realpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

function within(file: string, folder: string): boolean {
  return file === folder || file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}

export function folderPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

