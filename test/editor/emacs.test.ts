/**
 * The same server in Emacs with eglot, set up exactly as the README says: batch Emacs opens the
 * story-1 rules file through auto-mode-alist and eglot-ensure, gets diagnostics, hover, completion
 * at point after `-m ` and the LOG quick fix, then a firewall log in its own mode.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT, skipOrFail } from '../support/corpus';
import { emacsHasEglot, emacsVersion, readmeSnippet, runEmacs } from '../support/editors';
import { fixture } from '../support/fixtures';
import { positionOf, SERVER_JS } from '../support/lsp-client';

interface Result {
  error?: string;
  steps: string[];
  emacs: string;
  mode: string;
  languageId: string;
  diagnostics: { range: { start: { line: number } }; message: string; code?: string; severity: number }[];
  hover: { contents: { kind: string; value: string } } | null;
  completion: string[];
  actions: string[];
  afterFix?: string;
  logMode: string;
  logLanguageId: string;
  logHover: { contents: { kind: string; value: string } } | null;
}

const FIX_CODE = 'iptables-lens/log-invalid';

describe('editor: Emacs (eglot) with the README setup', function () {
  this.timeout(90000);
  let result: Result;
  let dir: string;
  const text = fixture('story1.rules');

  before(function () {
    const v = emacsVersion();
    if (!v) return skipOrFail(this, 'Emacs is not installed (apt-get install -y emacs-nox elpa-eglot)');
    if (!emacsHasEglot()) return skipOrFail(this, `${v} has no eglot (Emacs 29+, or apt-get install -y elpa-eglot)`);
    if (!existsSync(SERVER_JS)) return skipOrFail(this, `${SERVER_JS} is missing (npm run build)`);
    console.log(`      ${v}`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'iptables-lens-emacs-ws-'));
    const log = fixture('story1.log');
    writeFileSync(path.join(dir, 'story1.rules'), text);
    writeFileSync(path.join(dir, 'firewall.log'), log);
    writeFileSync(path.join(dir, 'readme-snippet.el'), readmeSnippet('Emacs', 'elisp'));
    writeFileSync(
      path.join(dir, 'input.json'),
      JSON.stringify({
        hover: positionOf(text, '--ctstate', 3),
        completionLine: text.split('\n').indexOf('COMMIT'),
        completionText: '-A INPUT -p tcp -m ',
        fixCode: FIX_CODE,
        fixTitle: 'Drop INVALID packets in INPUT',
        logHover: positionOf(log, ' FIN ', 2),
      }),
    );
    const run = runEmacs<Result>(path.join(PROJECT_ROOT, 'test', 'editor', 'emacs-driver.el'), {
      IPTABLES_LENS_SNIPPET: path.join(dir, 'readme-snippet.el'),
      IPTABLES_LENS_FILE: path.join(dir, 'story1.rules'),
      IPTABLES_LENS_LOG: path.join(dir, 'firewall.log'),
      IPTABLES_LENS_INPUT: path.join(dir, 'input.json'),
    });
    result = run.result;
    console.log(`      Emacs session: ${run.ms} ms, steps: ${result.steps.join(' > ')}`);
    if (result.error) throw new Error(`the Emacs Lisp driver failed after "${result.steps.at(-1)}": ${result.error}\n${run.stderr}`);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens the rules file in iptables-mode and eglot sends the language id iptables', function () {
    assert.equal(result.mode, 'iptables-mode');
    assert.equal(result.languageId, 'iptables');
  });

  it('gets the LOG warning with its code on the LOG rule', function () {
    const d = result.diagnostics.find((x) => x.code === FIX_CODE);
    assert.ok(d, `a ${FIX_CODE} diagnostic among ${JSON.stringify(result.diagnostics.map((x) => x.code))}`);
    assert.equal(d!.range.start.line, text.split('\n').findIndex((l) => l.includes('-j LOG ')));
    assert.equal(d!.severity, 2);
  });

  it('explains --ctstate on hover', function () {
    assert.match(result.hover!.contents.value, /--ctstate[\s\S]*INVALID/);
  });

  it('completes match modules after `-m ` at point', function () {
    assert.ok(result.completion.includes('conntrack'), result.completion.slice(0, 20).join(', '));
  });

  it('offers the INVALID drop and applies it exactly', function () {
    assert.ok(result.actions.some((t) => t.startsWith('Drop INVALID packets in INPUT')), result.actions.join(' | '));
    assert.equal(result.afterFix, text.replace('-A INPUT -j LOGDROPIN\n', '-A INPUT -m conntrack --ctstate INVALID -j DROP\n-A INPUT -j LOGDROPIN\n'));
  });

  it('opens a firewall log in netfilter-log-mode, sent as netfilter-log, and explains its late FIN', function () {
    assert.equal(result.logMode, 'netfilter-log-mode');
    assert.equal(result.logLanguageId, 'netfilter-log');
    assert.ok(result.logHover, 'a hover on the log line');
    assert.match(result.logHover!.contents.value, /FIN[\s\S]*INVALID/);
  });
});
