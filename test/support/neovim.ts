/**
 * Neovim as a second, independent LSP client: headless, `-u NONE`, driven by a Lua script that
 * writes what it saw to a JSON file. Everything Neovim would keep (logs, state, shada) goes to a
 * throwaway directory.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './corpus';

export const NVIM = process.env.NVIM_PATH ?? 'nvim';

/** `nvim --version`'s first line, or undefined when Neovim is not installed. */
export function neovimVersion(): string | undefined {
  const r = spawnSync(NVIM, ['--version'], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\n')[0];
}

/** The first ```lua block after `**Neovim**` in README.md: the setup the README tells users to paste. */
export function readmeNeovimSnippet(): string {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('**Neovim**');
  if (at < 0) throw new Error('README.md has no **Neovim** section');
  const m = /```lua\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error('README.md has no ```lua block in its Neovim section');
  return m[1]!;
}

export interface NeovimRun<T> {
  result: T;
  stderr: string;
  ms: number;
}

/**
 * Run `nvim --headless -u NONE -i NONE -c 'luafile DRIVER'` with the given environment and the
 * built server on PATH as `iptables-lens-server` (what `npm install -g` gives), and return the
 * JSON the driver wrote to $IPTABLES_LENS_OUT.
 */
export function runNeovim<T>(driver: string, env: Record<string, string>, timeoutMs = 60000): NeovimRun<T> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'iptables-lens-nvim-'));
  try {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    const server = path.join(bin, 'iptables-lens-server');
    writeFileSync(server, `#!/bin/sh\nexec '${process.execPath}' '${path.join(PROJECT_ROOT, 'dist', 'server.js')}' "$@"\n`);
    chmodSync(server, 0o755);
    const xdg: Record<string, string> = {};
    for (const k of ['CONFIG', 'DATA', 'STATE', 'CACHE']) {
      xdg[`XDG_${k}_HOME`] = path.join(tmp, k.toLowerCase());
      mkdirSync(xdg[`XDG_${k}_HOME`]!);
    }
    const outFile = path.join(tmp, 'out.json');
    const t0 = Date.now();
    const r = spawnSync(NVIM, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${driver}`], {
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
      throw new Error(`Neovim wrote no result (exit ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
    return { result: JSON.parse(text) as T, stderr: r.stderr, ms };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
