/**
 * The security posture of SECURITY.md, tested where it can be:
 * - the built bundles (dist/server.js, dist/client.js, dist/cli.js) use the APIs that run programs,
 *   open connections or write files only in the reviewed places listed here, and hold no eval,
 *   new Function, vm or dynamic require;
 * - the project's own code reads files only where reviewed, with read APIs only;
 * - workspace trust is declared, with every setting that names paths restricted;
 * - the server reads no file a workspace names outside its folders (links and `..` included).
 * The protocol suite (abuse.test.ts) checks the same at run time, on the real server process.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRulesSources } from '../../server/src/lsp/rules-sources';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/lsp/settings';
import { PROJECT_ROOT } from '../support/corpus';
import { makeHostileWorkspace } from '../support/hostile-workspace';

type Bundle = 'server' | 'client' | 'cli';

/**
 * Every reviewed use of an API that can run a program or open a connection, by bundle and module.
 * Anything not listed here fails the test: review it, then list it with the reason (and in SECURITY.md).
 */
const REVIEWED: Record<string, string> = {
  'server node_modules/vscode-jsonrpc/lib/node/main.js net':
    'socket and named-pipe transports; used only when the server is started with --socket=PORT or --pipe=NAME (the user\'s command line)',
  'server node_modules/vscode-languageserver/lib/node/files.js child_process':
    'Files.resolveGlobalNodePath/resolveGlobalYarnPath run npm/yarn to find global modules; the server never calls them (checked below)',
  'client node_modules/vscode-languageclient/lib/node/main.js child_process': 'starts the language server (dist/server.js) with Node over IPC: the one program the extension runs',
  'client node_modules/vscode-languageclient/lib/node/processes.js child_process':
    'on stop, ends the server process tree if it did not exit (taskkill on Windows, terminateProcess.sh elsewhere, which the bundle does not ship, so it fails harmlessly)',
  'client node_modules/vscode-jsonrpc/lib/node/main.js net': 'socket and pipe transports of the client library; the extension uses IPC (TransportKind.ipc) only',
};

/** Node modules that run programs, open connections or evaluate code. */
const RISKY_MODULES = /require\("(?:node:)?(child_process|net|http|https|http2|dgram|tls|dns|vm|worker_threads|cluster|inspector)"\)/g;
const FS_WRITES =
  /\.(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdir|mkdirSync|mkdtemp|mkdtempSync|rm|rmSync|rmdir|rmdirSync|unlink|unlinkSync|rename|renameSync|copyFile|copyFileSync|cpSync|chmod|chmodSync|chown|chownSync|symlink|symlinkSync|linkSync|truncate|truncateSync|utimes|utimesSync|writeSync|lchown|lchownSync|futimes)\)?\(/g;
const DYNAMIC_CODE = /(?:^|[^.\w$])eval\(|new Function\(|(?:^|[^.\w$])Function\(|\brequire\((?!")|(?:setTimeout|setInterval)\(\s*["'`]/g;
/** Read APIs the project's own modules may use. */
const FS_READS = new Set(['readFileSync', 'readFile', 'readdirSync', 'statSync', 'lstatSync', 'realpathSync', 'existsSync', 'openSync', 'readSync', 'closeSync', 'fstatSync', 'createReadStream', 'promises']);
/** Project modules that may touch the file system at all (reads only), and why. */
const PROJECT_FS: Record<string, string> = {
  'server/src/lsp/rules-sources.ts': 'reads the rules files that explain log lines (workspace, or named by the user)',
  'cli/src/commands/explain.ts': 'reads the files named on the command line',
  'cli/src/commands/lint.ts': 'reads the files named on the command line',
  'cli/src/commands/logs.ts': 'reads the files named on the command line',
  'cli/src/commands/trace.ts': 'reads the files named on the command line',
};

interface Section {
  readonly module: string;
  readonly text: string;
}

/** Split an esbuild bundle into its modules by the `// path` comments esbuild writes before each. */
function sections(file: string): Section[] {
  const out: Section[] = [];
  let module = '(bundle prelude)';
  let buf: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\/\/ ((?:node_modules|server|client|cli)\/\S+\.(?:js|ts|mjs|cjs|json))$/.exec(line);
    if (m) {
      out.push({ module, text: buf.join('\n') });
      module = m[1]!;
      buf = [];
    } else buf.push(line);
  }
  out.push({ module, text: buf.join('\n') });
  return out;
}

/** Strip string literals and comments, so a message that mentions eval( is not code. */
function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/g, (m) => (m.startsWith('"') && /^"(?:node:)?[a-z_]+"$/.test(m) ? m : '""'));
}

describe('security: what the extension, server and CLI may do', function () {
  const bundles: [Bundle, string][] = [
    ['server', path.join(PROJECT_ROOT, 'dist', 'server.js')],
    ['client', path.join(PROJECT_ROOT, 'dist', 'client.js')],
    ['cli', path.join(PROJECT_ROOT, 'dist', 'cli.js')],
  ];

  before(function () {
    for (const [, f] of bundles) assert.ok(existsSync(f), `${f} is missing: run \`npm run build\` first`);
  });

  it('runs programs and opens connections only in the reviewed library modules', function () {
    const found = new Set<string>();
    for (const [b, f] of bundles) {
      const secs = sections(f);
      assert.ok(secs.length > 20, `${f} is not an esbuild bundle with module comments (a minified build?)`);
      for (const s of secs) for (const m of s.text.matchAll(RISKY_MODULES)) found.add(`${b} ${s.module} ${m[1]}`);
    }
    const unreviewed = [...found].filter((k) => !(k in REVIEWED));
    assert.deepEqual(unreviewed, [], 'review these uses, then list them in REVIEWED and SECURITY.md');
  });

  it('writes no file, anywhere in any bundle', function () {
    for (const [b, f] of bundles) {
      for (const s of sections(f)) {
        const writes = [...codeOnly(s.text).matchAll(FS_WRITES)].map((m) => m[1]).filter((n) => n !== 'writeSync' || /\bfs\w*\.writeSync/.test(s.text));
        assert.deepEqual(writes, [], `${b}: ${s.module} writes files`);
      }
    }
  });

  it('evaluates no code: no eval, new Function, vm, string timers or dynamic require', function () {
    for (const [b, f] of bundles) {
      for (const s of sections(f)) {
        const hits = [...codeOnly(s.text).matchAll(DYNAMIC_CODE)].map((m) => m[0].trim());
        assert.deepEqual(hits, [], `${b}: ${s.module}`);
      }
    }
  });

  it("the project's own code reads files only where reviewed, with read APIs, and never calls Files.resolve*", function () {
    for (const [b, f] of bundles) {
      for (const s of sections(f)) {
        if (s.module.startsWith('node_modules/')) continue;
        const code = codeOnly(s.text);
        assert.doesNotMatch(code, RISKY_MODULES, `${b}: ${s.module} requires a module that runs programs or opens connections`);
        assert.doesNotMatch(code, /\bresolveGlobal(?:Node|Yarn)Path\b|\bresolveModulePath\b|\bFiles\.resolve/, `${b}: ${s.module} calls the Files helpers that run npm`);
        const fsVars = [...code.matchAll(/var (\w+) = (?:__toESM\()?require\("(?:node:)?fs(?:\/promises)?"\)/g)].map((m) => m[1]!);
        if (!fsVars.length) continue;
        assert.ok(s.module in PROJECT_FS, `${b}: ${s.module} uses the file system; review it and list it in PROJECT_FS and SECURITY.md`);
        for (const v of fsVars) {
          for (const m of code.matchAll(new RegExp(`\\b${v}\\.(\\w+)`, 'g'))) assert.ok(FS_READS.has(m[1]!), `${b}: ${s.module} calls fs.${m[1]}`);
        }
      }
    }
  });

  it('declares workspace trust: limited in Restricted Mode, every setting that names paths restricted', function () {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      capabilities?: { untrustedWorkspaces?: { supported: unknown; description?: string; restrictedConfigurations?: string[] } };
      contributes: { configuration: { properties: Record<string, { type?: string; markdownDescription?: string }> } };
    };
    const trust = pkg.capabilities?.untrustedWorkspaces;
    assert.ok(trust, 'capabilities.untrustedWorkspaces is missing');
    assert.equal(trust.supported, 'limited');
    assert.ok(trust.description && trust.description.length > 20);
    const pathSettings = Object.entries(pkg.contributes.configuration.properties)
      .filter(([k, v]) => v.type === 'array' || (v.type === 'string' && !('enum' in v)) || /(?:files?|paths?|dirs?|directory|directories|folders?)$/i.test(k))
      .map(([k]) => k);
    assert.ok(pathSettings.includes('iptablesLens.rulesFiles'));
    for (const k of pathSettings) assert.ok(trust.restrictedConfigurations?.includes(k), `${k} names files: list it in restrictedConfigurations`);
  });

  describe('the server reads no file a workspace names outside its folders', function () {
    let root = '';
    let ws = '';
    let outside = '';
    before(function () {
      ({ root, ws, outside } = makeHostileWorkspace('iptables-lens-sec-', (prefix) => `*filter\n-A INPUT -j LOG --log-prefix "${prefix}: "\nCOMMIT\n`));
      symlinkSync('/', path.join(ws, 'rootlink'));
      try {
        execFileSync('mkfifo', [path.join(ws, 'fifo.rules')]);
      } catch {
        /* no mkfifo: the FIFO case is skipped */
      }
    });
    after(function () {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    const sourcesWith = (rulesFiles: string[]) => {
      const settings: Settings = { ...DEFAULT_SETTINGS, rulesFiles };
      const ctx = {
        documents: { all: () => [] },
        kind: () => undefined,
        rules: () => undefined,
        settings: () => settings,
      } as unknown as Parameters<typeof createRulesSources>[0];
      return createRulesSources(ctx, () => [ws])().map((s) => decodeURIComponent(new URL(s.uri).pathname));
    };

    it('finds rules files inside the workspace, never through a link that leads out or a link to a directory', function () {
      const read = sourcesWith([]);
      assert.deepEqual(read.sort(), [path.join(ws, 'rules.v4'), path.join(ws, 'sub', 'other.rules')].sort());
    });

    it('reads a relative entry only inside the folder: not `..`, not a link out', function () {
      const read = sourcesWith(['../outside/unnamed.rules', 'evil.rules', 'linkdir/secret.rules', 'rootlink/etc/passwd', 'fifo.rules', 'sub/other.rules', 'no\0such']);
      for (const p of read) assert.ok(p.startsWith(ws + path.sep), `read ${p}`);
      assert.ok(!read.some((p) => /secret|unnamed|passwd/.test(p)), `read ${read.join(', ')}`);
    });

    it('reads an absolute entry as the user named it, but never a FIFO or a device', function () {
      const read = sourcesWith([path.join(outside, 'named.rules'), '/dev/zero', path.join(ws, 'fifo.rules')]);
      assert.ok(read.includes(path.join(outside, 'named.rules')));
      assert.ok(!read.includes('/dev/zero') && !read.includes(path.join(ws, 'fifo.rules')));
      assert.ok(!read.some((p) => /secret|unnamed/.test(p)));
      assert.equal(pathToFileURL(path.join(outside, 'named.rules')).protocol, 'file:');
    });
  });
});
