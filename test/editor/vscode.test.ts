/**
 * End to end in the real VS Code: code-server 4.139.1 with the packaged .vsix installed by
 * `--install-extension`, driven in headless Chromium by keyboard and mouse, on a copy of the
 * examples/ folder that `npm start` opens. Story 1 is examples/web-server.rules and
 * examples/web-server.log. Each step leaves a screenshot in test-results/vscode/.
 */
import { strict as assert } from 'node:assert';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import {
  CODE_SERVER_VERSION,
  ensureCodeServer,
  freePort,
  installExtension,
  missingForEditorTests,
  packageVsix,
  processGroupMembers,
  profile,
  type RunningCodeServer,
  startCodeServer,
} from '../support/code-server';
import { PROJECT_ROOT, skipOrFail } from '../support/corpus';
import { Workbench } from './workbench';

const OUT = path.join(PROJECT_ROOT, 'test-results', 'vscode');
const WORKSPACE = path.join(OUT, 'workspace');
const RULES = 'web-server.rules';
const LOG = 'web-server.log';
const DROP_INVALID = '-A INPUT -m conntrack --ctstate INVALID -j DROP';
const log = (l: string) => console.log(`      ${l}`);

describe('editor: VS Code (code-server) end to end', function () {
  this.timeout(60000);
  let server: RunningCodeServer | undefined;
  let wb: Workbench | undefined;
  const original = readFileSync(path.join(PROJECT_ROOT, 'examples', RULES), 'utf8');
  /** 1-based line of the first line starting with `prefix` in `text`. */
  const lineOf = (prefix: string, text = original) => text.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
  /** 1-based column of `needle` in that line. */
  const colOf = (line: number, needle: string, text = original) => text.split('\n')[line - 1]!.indexOf(needle) + 1;

  before(async function () {
    this.timeout(20 * 60000);
    const missing = missingForEditorTests();
    if (missing.length) return skipOrFail(this, missing.join('; '));
    const t0 = Date.now();
    rmSync(OUT, { recursive: true, force: true });
    cpSync(path.join(PROJECT_ROOT, 'examples'), WORKSPACE, { recursive: true });
    const vsix = await packageVsix(log);
    await ensureCodeServer(log);
    const p = profile('e2e', true);
    await installExtension(p, vsix, log);
    server = await startCodeServer(p, WORKSPACE, await freePort(), log);
    wb = await Workbench.open(`${server.url}?folder=${encodeURIComponent(WORKSPACE)}`, OUT);
    log(`code-server ${CODE_SERVER_VERSION} and the workbench ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  afterEach(async function () {
    if (wb && this.currentTest?.state === 'failed') await wb.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });

  after(async function () {
    this.timeout(30000);
    if (wb) {
      if (wb.blocked.length) log(`requests blocked (not to 127.0.0.1): ${[...new Set(wb.blocked)].join(', ')}`);
      await wb.close();
    }
    if (server) await server.stop();
  });

  it('opens the story-1 rules file as iptables, coloured by the grammar', async function () {
    await wb!.openFile(RULES);
    assert.equal(await wb!.languageMode(), 'iptables');
    const header = lineOf('*filter');
    const rule = lineOf('-A INPUT -s ');
    const table = await wb!.inspectToken(header, 2);
    const target = await wb!.inspectToken(rule, colOf(rule, 'ACCEPT'));
    const address = await wb!.inspectToken(rule, colOf(rule, '203.0.113.0'));
    assert.equal(table.scopes[0], 'keyword.other.table.iptables', table.text);
    assert.equal(target.scopes[0], 'keyword.control.verdict.iptables', target.text);
    assert.equal(address.scopes[0], 'constant.numeric.address.ipv4.iptables', address.text);
    for (const t of [table, target, address]) assert.equal(t.scopes.at(-1), 'source.iptables');
    const colours = new Set([table.textmateForeground, target.textmateForeground, address.textmateForeground]);
    assert.equal(colours.size, 3, `three grammar colours: ${[...colours].join(' ')}`);
    // and on the screen: three different token classes and colours
    const spans = [
      await wb!.token(await wb!.viewLine('*filter'), /^\*?filter$/), // one span, or `*` and `filter` once semantic tokens arrive
      await wb!.token(await wb!.viewLine('-A INPUT -s '), 'ACCEPT'),
      await wb!.token(await wb!.viewLine('-A INPUT -s '), /^203\.0\.113\.0/),
    ];
    assert.equal(new Set(spans.map((s) => s.className)).size, 3, spans.map((s) => s.className).join(' '));
    assert.equal(new Set(spans.map((s) => s.color)).size, 3, spans.map((s) => s.color).join(' '));
    log(`grammar colours: table ${table.textmateForeground}, target ${target.textmateForeground}, address ${address.textmateForeground}`);
    await wb!.goTo(1, 1);
    await wb!.screenshot('rules-coloured');
  });

  it('shows the LOG warning as a squiggle and in the Problems panel with its code', async function () {
    const logLine = lineOf('-A LOGDROPIN -p tcp');
    const squiggle = wb!.editor.locator('.view-overlays .squiggly-warning').first();
    await squiggle.waitFor({ timeout: 30000 });
    const lineTop = await wb!.top(await wb!.viewLine('-A LOGDROPIN -p tcp'));
    const squiggleTop = await wb!.top(squiggle, true);
    assert.equal(squiggleTop, lineTop, `the squiggle is on line ${logLine}`);
    await wb!.press('Control+Shift+M', 500);
    const row = wb!.page.locator('.markers-panel .monaco-list-row', { hasText: 'INVALID reach this LOG rule' }).first();
    await row.waitFor({ timeout: 15000 });
    const text = await row.innerText();
    assert.match(text, /iptables-lens\/log-invalid/);
    assert.match(text, new RegExp(`\\[Ln ${logLine}, Col \\d+\\]`));
    await wb!.screenshot('problems-panel');
    await wb!.press('Control+J', 300); // close the panel again
  });

  it('explains --ctstate on hover', async function () {
    const line = await wb!.viewLine('-A INPUT -m conntrack --ctstate RELATED');
    const { span } = await wb!.token(line, '--ctstate');
    const text = await wb!.hover(span, /--ctstate[\s\S]*INVALID/);
    assert.match(text, /ESTABLISHED/);
    await wb!.screenshot('hover-ctstate');
    await wb!.page.mouse.move(5, 5);
    await wb!.press('Escape');
  });

  it('fixes the LOG warning with Ctrl+. and "Drop INVALID packets..."', async function () {
    const logLine = lineOf('-A LOGDROPIN -p tcp');
    await wb!.goTo(logLine, colOf(logLine, '-j LOG') + 3);
    await wb!.press('Control+.', 300);
    const menu = wb!.page.locator('.action-widget:not(.action-list-submenu-panel)');
    await menu.waitFor({ state: 'visible', timeout: 15000 });
    const item = menu.locator('.monaco-list-row', { hasText: 'Drop INVALID packets in INPUT' }).first();
    await item.waitFor({ timeout: 10000 });
    await item.hover();
    await wb!.screenshot('quick-fix-menu');
    await item.click();
    const expected = original.replace('-A INPUT -j LOGDROPIN\n', `${DROP_INVALID}\n-A INPUT -j LOGDROPIN\n`);
    assert.notEqual(expected, original);
    await wb!.waitForLine(DROP_INVALID);
    await wb!.press('Control+S', 800);
    const saved = readFileSync(path.join(WORKSPACE, RULES), 'utf8');
    assert.equal(saved, expected);
    const visible = await wb!.visibleText();
    assert.deepEqual(visible.slice(0, expected.split('\n').length), expected.split('\n'));
    await wb!.waitForNoWarningSquiggle();
    await wb!.screenshot('quick-fix-applied');
  });

  it('completes `conntrack` after `-m `', async function () {
    const now = readFileSync(path.join(WORKSPACE, RULES), 'utf8');
    await wb!.goTo(lineOf('COMMIT', now), 1);
    await wb!.press('Enter');
    await wb!.press('ArrowUp');
    await wb!.type('-A INPUT -p tcp -m ');
    const suggest = wb!.page.locator('.editor-widget.suggest-widget.visible');
    try {
      await suggest.waitFor({ timeout: 5000 });
    } catch {
      await wb!.press('Control+Space', 300); // the trigger character may have been typed before the server was asked
      await suggest.waitFor({ timeout: 10000 });
    }
    const row = suggest.locator('.monaco-list-row', { hasText: /^conntrack/ }).first();
    await row.waitFor({ timeout: 10000 });
    const labels = await suggest.locator('.monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.includes('conntrack'), labels.join(', '));
    await wb!.screenshot('completion-m');
    await wb!.press('Escape');
    await wb!.press('Control+Shift+K'); // delete the line again
    await wb!.press('Control+S', 500);
    assert.equal(readFileSync(path.join(WORKSPACE, RULES), 'utf8'), now);
  });

  it('lists the chains in the outline', async function () {
    // open the Outline section of the Explorer, as a person would: click its header (and fold the
    // file list so the outline has the height of the side bar)
    const files = wb!.page.locator('.pane', { has: wb!.page.locator('.explorer-folders-view') }).first().locator('.pane-header').first();
    if ((await files.getAttribute('aria-expanded')) === 'true') await files.click();
    const pane = wb!.page.locator('.pane', { has: wb!.page.locator('.pane-header', { hasText: /^Outline/ }) }).first();
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    await pane.locator('.monaco-list-row', { hasText: 'LOGDROPIN' }).first().waitFor({ timeout: 15000 });
    const names = (await pane.locator('.monaco-list-row .label-name').allInnerTexts()).map((l) => l.trim());
    const chains = names.filter((n) => /^[A-Z][A-Z0-9_-]*$/.test(n));
    log(`outline: ${names[0]} > chains ${chains.join(', ')}`);
    assert.equal(names[0], '*filter');
    assert.deepEqual(chains, ['INPUT', 'FORWARD', 'OUTPUT', 'LOGDROPIN']);
    await wb!.screenshot('outline');
  });

  it('goes to the chain declaration from a jump (F12)', async function () {
    const now = readFileSync(path.join(WORKSPACE, RULES), 'utf8');
    const jump = lineOf('-A INPUT -j LOGDROPIN', now);
    await wb!.openFile(RULES);
    await wb!.goTo(jump, colOf(jump, 'LOGDROPIN', now) + 2);
    await wb!.press('F12', 500);
    const decl = lineOf(':LOGDROPIN', now);
    await wb!.waitForCursorLine(decl);
    assert.equal((await wb!.cursor())[0], decl);
    await wb!.screenshot('go-to-definition');
  });

  it('opens the story-1 log as netfilter-log', async function () {
    await wb!.openFile(LOG);
    assert.equal(await wb!.languageMode(), 'Netfilter log');
    await wb!.screenshot('log-open');
  });

  it('explains a story-1 log line on hover: the late FIN is INVALID', async function () {
    await wb!.openFile(LOG);
    // the first FIN on screen is the first line's (log lines wrap)
    const fin = wb!.editor.locator('.view-lines .view-line > span > span', { hasText: /^FIN$/ }).first();
    const text = await wb!.hover(fin, /FIN[\s\S]*INVALID/, 30000);
    assert.match(text, /conntrack/);
    await wb!.screenshot('hover-log-line');
    await wb!.page.mouse.move(5, 5);
  });

  it('stops without leaving a process behind', async function () {
    if (!server) return this.skip();
    await wb!.close();
    wb = undefined;
    const pid = server.pid;
    assert.ok(processGroupMembers(pid).length > 1, 'code-server, its extension host and our server run in one group');
    await server.stop();
    server = undefined;
    assert.deepEqual(processGroupMembers(pid), []);
  });
});
