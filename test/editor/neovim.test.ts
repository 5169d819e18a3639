/**
 * The same server in a second, independent client: Neovim headless with the README's setup
 * (vim.lsp.start_client on `iptables-lens-server --stdio`, i.e. `node dist/server.js --stdio`),
 * on the story-1 rules file: diagnostics, hover, completion and the LOG quick fix.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT, skipOrFail } from '../support/corpus';
import { fixture } from '../support/fixtures';
import { positionOf, SERVER_JS } from '../support/lsp-client';
import { neovimVersion, readmeSnippet, runNeovim } from '../support/editors';

interface Result {
  error?: string;
  steps: string[];
  nvim: { major: number; minor: number; patch: number };
  filetype: string;
  diagnostics: { range: { start: { line: number; character: number } }; message: string; code?: string; severity: number }[];
  hover: { contents: { kind: string; value: string } | string } | null;
  completion: string[];
  actions: string[];
  afterFix?: string;
  logFiletype: string;
  logSameClient: boolean;
  clients: number;
  logHover: { contents: { kind: string; value: string } | string } | null;
}

const FIX_CODE = 'iptables-lens/log-invalid';
const DROP_INVALID = '-A INPUT -m conntrack --ctstate INVALID -j DROP';

describe('editor: Neovim with the README setup', function () {
  this.timeout(90000);
  let result: Result;
  const text = fixture('story1.rules');
  let dir: string;

  before(function () {
    const v = neovimVersion();
    if (!v) return skipOrFail(this, 'Neovim is not installed (apt-get install -y neovim)');
    if (!existsSync(SERVER_JS)) return skipOrFail(this, `${SERVER_JS} is missing (npm run build)`);
    console.log(`      ${v}`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'iptables-lens-nvim-ws-'));
    const file = path.join(dir, 'story1.rules');
    writeFileSync(file, text);
    const snippet = path.join(dir, 'readme-snippet.lua');
    writeFileSync(snippet, readmeSnippet('Neovim', 'lua'));
    const log = fixture('story1.log');
    writeFileSync(path.join(dir, 'firewall.log'), log);
    const lines = text.split('\n');
    const input = {
      hover: positionOf(text, '--ctstate', 3),
      completionLine: lines.indexOf('COMMIT'),
      completionText: '-A INPUT -p tcp -m ',
      fixCode: FIX_CODE,
      fixTitle: 'Drop INVALID packets in INPUT',
      logHover: positionOf(log, ' FIN ', 2),
    };
    writeFileSync(path.join(dir, 'input.json'), JSON.stringify(input));
    const run = runNeovim<Result>(path.join(PROJECT_ROOT, 'test', 'editor', 'neovim-driver.lua'), {
      IPTABLES_LENS_SNIPPET: snippet,
      IPTABLES_LENS_FILE: file,
      IPTABLES_LENS_INPUT: path.join(dir, 'input.json'),
      IPTABLES_LENS_LOG: path.join(dir, 'firewall.log'),
    });
    result = run.result;
    console.log(`      Neovim session: ${run.ms} ms, steps: ${result.steps.join(' > ')}`);
    if (result.error) throw new Error(`the Lua driver failed after "${result.steps.at(-1)}": ${result.error}\n${run.stderr}`);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('detects the file type with the README snippet and attaches the server', function () {
    assert.equal(result.filetype, 'iptables');
    assert.ok(result.steps.includes('client attached'));
  });

  it('shows the LOG warning with its code on the LOG rule', function () {
    const d = result.diagnostics.find((x) => x.code === FIX_CODE);
    assert.ok(d, `a ${FIX_CODE} diagnostic among ${JSON.stringify(result.diagnostics.map((x) => x.code))}`);
    assert.equal(d!.range.start.line, text.split('\n').findIndex((l) => l.includes('-j LOG ')));
    assert.equal(d!.severity, 2, 'a warning');
    assert.match(d!.message, /INVALID/);
  });

  it('explains --ctstate on hover', function () {
    assert.ok(result.hover, 'a hover');
    const c = result.hover!.contents;
    const value = typeof c === 'string' ? c : c.value;
    assert.match(value, /--ctstate/);
    assert.match(value, /INVALID/);
  });

  it('completes match modules after `-m `', function () {
    assert.ok(result.completion.includes('conntrack'), `conntrack among ${result.completion.slice(0, 20).join(', ')}`);
  });

  it('treats a firewall log as netfilter-log, served by the same server', function () {
    assert.equal(result.logFiletype, 'netfilter-log');
    assert.ok(result.logSameClient, 'the log buffer is attached to the same client');
    assert.equal(result.clients, 1, 'one server for both buffers');
  });

  it('explains a story-1 log line on hover: the late FIN is INVALID', function () {
    assert.ok(result.logHover, 'a hover on the log line');
    const c = result.logHover!.contents;
    assert.match(typeof c === 'string' ? c : c.value, /FIN[\s\S]*INVALID/);
  });

  it('offers the INVALID drop and applies it exactly', function () {
    assert.ok(result.actions.some((t) => t.startsWith('Drop INVALID packets in INPUT')), result.actions.join(' | '));
    const expected = text.replace('-A INPUT -j LOGDROPIN\n', `${DROP_INVALID}\n-A INPUT -j LOGDROPIN\n`);
    assert.equal(result.afterFix, expected);
  });
});
