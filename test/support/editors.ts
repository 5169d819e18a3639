/**
 * Other editors as independent LSP clients, run headless on the README's setup for them: Neovim
 * (`-u NONE`, a Lua driver) and Emacs (`--batch`, an Emacs Lisp driver with eglot). Each driver
 * writes what it saw to a JSON file. Everything the editor would keep (logs, state, shada, HOME)
 * goes to a throwaway directory, and the built server is on PATH as `iptables-lens-server`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './corpus';

export const NVIM = process.env.NVIM_PATH ?? 'nvim';
export const EMACS = process.env.EMACS_PATH ?? 'emacs';

/** `nvim --version`'s first line, or undefined when Neovim is not installed. */
export function neovimVersion(): string | undefined {
  const r = spawnSync(NVIM, ['--version'], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\n')[0];
}

/** Emacs's version line, or undefined when Emacs is not installed. */
export function emacsVersion(): string | undefined {
  const r = spawnSync(EMACS, ['--version'], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\n')[0];
}

/** Whether Emacs has eglot (built in from 29, Debian's elpa-eglot before). */
export function emacsHasEglot(): boolean {
  const r = spawnSync(EMACS, ['--batch', '--eval', "(kill-emacs (if (require 'eglot nil t) 0 1))"], { encoding: 'utf8', timeout: 30000 });
  return r.status === 0;
}

/**
 * The first ```LANG block after `**EDITOR**` in README.md: the setup the README tells users to
 * paste, e.g. readmeSnippet('Neovim', 'lua').
 */
export function readmeSnippet(editor: string, lang: string): string {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`**${editor}**`);
  if (at < 0) throw new Error(`README.md has no **${editor}** section`);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme.slice(at));
  if (!m) throw new Error(`README.md has no \`\`\`${lang} block in its ${editor} section`);
  return m[1]!;
}

export interface EditorRun<T> {
  result: T;
  stderr: string;
  ms: number;
}

/** `nvim --headless -u NONE -i NONE -c 'luafile DRIVER'`: see runEditor. */
export function runNeovim<T>(driver: string, env: Record<string, string>, timeoutMs = 60000): EditorRun<T> {
  return runEditor<T>(NVIM, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${driver}`], env, timeoutMs);
}

/** `emacs --batch -l DRIVER`: see runEditor. */
export function runEmacs<T>(driver: string, env: Record<string, string>, timeoutMs = 60000): EditorRun<T> {
  return runEditor<T>(EMACS, ['--batch', '-l', driver], env, timeoutMs);
}

/**
 * Run an editor with the given environment, a throwaway HOME and XDG directories, and the built
 * server on PATH as `iptables-lens-server` (what `npm link` gives), and return the JSON its
 * driver wrote to $IPTABLES_LENS_OUT.
 */
export function runEditor<T>(cmd: string, args: string[], env: Record<string, string>, timeoutMs: number): EditorRun<T> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'iptables-lens-nvim-'));
  try {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    const server = path.join(bin, 'iptables-lens-server');
    writeFileSync(server, `#!/bin/sh\nexec '${process.execPath}' '${path.join(PROJECT_ROOT, 'dist', 'server.js')}' "$@"\n`);
    chmodSync(server, 0o755);
    const xdg: Record<string, string> = { HOME: path.join(tmp, 'home') };
    mkdirSync(xdg['HOME']!);
    for (const k of ['CONFIG', 'DATA', 'STATE', 'CACHE']) {
      xdg[`XDG_${k}_HOME`] = path.join(tmp, k.toLowerCase());
      mkdirSync(xdg[`XDG_${k}_HOME`]!);
    }
    const outFile = path.join(tmp, 'out.json');
    const t0 = Date.now();
    const r = spawnSync(cmd, args, {
      cwd: tmp,
      env: { ...process.env, ...xdg, ...env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, IPTABLES_LENS_OUT: outFile },
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ms = Date.now() - t0;
    let text: string;
    try {
      text = readFileSync(outFile, 'utf8');
    } catch {
      throw new Error(`${cmd} wrote no result (exit ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
    return { result: JSON.parse(text) as T, stderr: r.stderr, ms };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
