/**
 * Driving the VS Code workbench (code-server in headless Chromium) the way a person does: the
 * keyboard, the mouse, and what is on the screen. Only the loopback address is reachable: the
 * browser's flags make every host name unresolvable, and every other request is aborted here.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../support/code-server';

// The page's globals as the callbacks passed to page.evaluate see them in the browser (the project
// compiles without the DOM library).
interface PageElement {
  textContent: string | null;
  className: string;
  style: { top: string };
  parentElement: PageElement | null;
}
declare const document: { querySelector(s: string): PageElement | null; querySelectorAll(s: string): ArrayLike<PageElement> & Iterable<PageElement> };
declare function getComputedStyle(e: PageElement): { color: string };

export class Workbench {
  /** Requests the page tried to send anywhere but 127.0.0.1 (all aborted). */
  readonly blocked: string[] = [];
  private shot = 0;

  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly screenshots: string,
  ) {}

  static async open(url: string, screenshots: string): Promise<Workbench> {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 });
    const wb = new Workbench(browser, context, await context.newPage(), screenshots);
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
      wb.blocked.push(u.href);
      return route.abort();
    });
    mkdirSync(screenshots, { recursive: true });
    await wb.page.goto(url);
    await wb.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90000 });
    await wb.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    return wb;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  /** Save a numbered screenshot; returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = path.join(this.screenshots, `${String(++this.shot).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  get editor(): Locator {
    return this.page.locator('.part.editor .editor-instance .monaco-editor').first();
  }

  async press(keys: string, waitMs = 150): Promise<void> {
    await this.page.keyboard.press(keys);
    await this.page.waitForTimeout(waitMs);
  }

  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text, { delay: 15 });
  }

  /** Open a workspace file with Quick Open (Ctrl+P) and wait until its editor has focus. */
  async openFile(name: string): Promise<void> {
    await this.press('Control+P');
    await this.page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible' });
    await this.type(name);
    // (the row Enter opens is the focused one: while the list still filters, that can be another
    // file whose name starts the same, web-server.rules for web-server.log)
    await this.page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${name}"]`, { timeout: 15000 });
    await this.press('Enter', 300);
    await this.page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 15000 });
    await this.page.waitForSelector('.part.editor .monaco-editor.focused', { timeout: 15000 });
  }

  /** Run a command from the palette (F1) by its title. */
  async command(title: string): Promise<void> {
    await this.press('F1');
    await this.page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible' });
    await this.type(title);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 15000 });
    await this.press('Enter', 300);
  }

  /** Put the cursor at a 1-based line and column with Go to Line (Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.press('Control+G');
    await this.page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible' });
    await this.type(`${line}:${column}`);
    await this.press('Enter', 200);
    await this.page.waitForFunction((want) => document.querySelector('#status\\.editor\\.selection')?.textContent?.includes(want), `Ln ${line}, Col ${column}`, { timeout: 5000 });
  }

  /** The cursor position from the status bar: [line, column], 1-based. */
  async cursor(): Promise<[number, number]> {
    const t = await this.page.locator('#status\\.editor\\.selection').innerText();
    const m = /Ln (\d+), Col (\d+)/.exec(t);
    if (!m) throw new Error(`no cursor position in the status bar: ${t}`);
    return [Number(m[1]), Number(m[2])];
  }

  /** The language mode shown in the status bar. */
  async languageMode(): Promise<string> {
    return (await this.page.locator('#status\\.editor\\.mode').innerText()).trim();
  }

  /** The rendered line (1-based) whose text starts with `prefix`: its locator and 1-based number. */
  async viewLine(prefix: string): Promise<Locator> {
    const line = this.editor.locator('.view-lines .view-line').filter({ hasText: new RegExp(`^${escapeRe(prefix).replace(/ /g, '[ \\u00a0]')}`) }).first();
    await line.waitFor({ timeout: 10000 });
    return line;
  }

  /** The token span reading exactly `text` (or matching a RegExp) in a rendered line, and its class and colour. */
  async token(line: Locator, text: string | RegExp): Promise<{ span: Locator; className: string; color: string }> {
    const span = line.locator(':scope > span > span').filter({ hasText: typeof text === 'string' ? new RegExp(`^${escapeRe(text)}$`) : text }).first();
    await span.waitFor({ timeout: 5000 });
    const [className, color] = await span.evaluate((s) => [(s as unknown as PageElement).className, getComputedStyle(s as unknown as PageElement).color]);
    return { span, className: className!, color: color! };
  }

  /**
   * "Developer: Inspect Editor Tokens and Scopes" at the cursor: the TextMate scopes (innermost
   * first), the foreground the theme gives them, and the semantic token type if any.
   */
  async inspectToken(line: number, column: number): Promise<{ scopes: string[]; textmateForeground: string; semanticType?: string; text: string }> {
    await this.goTo(line, column);
    await this.command('Developer: Inspect Editor Tokens and Scopes');
    const widget = this.page.locator('.token-inspect-widget');
    await widget.waitFor({ timeout: 10000 });
    await this.page.waitForFunction(() => document.querySelector('.token-inspect-widget')?.textContent?.includes('textmate scopes'), undefined, { timeout: 10000 });
    const text = await widget.innerText();
    await this.press('Escape');
    const lines = text.split('\n').map((l) => l.trim());
    const at = lines.findIndex((l) => l.startsWith('textmate scopes'));
    const scopes = [lines[at]!.replace(/^textmate scopes\s*/, '')];
    let i = at + 1;
    for (; i < lines.length && !lines[i]!.startsWith('foreground'); i++) scopes.push(lines[i]!);
    const fg = lines.slice(i).join('\n').match(/#[0-9A-Fa-f]{6}/)?.[0] ?? '';
    const sem = /semantic token type\s+(\S+)/.exec(text)?.[1];
    return { scopes: scopes.filter(Boolean), textmateForeground: fg.toUpperCase(), ...(sem ? { semanticType: sem } : {}), text };
  }

  /** The visible hover widget's text, after hovering the mouse over `target`. */
  async hover(target: Locator, expect: RegExp, timeoutMs = 15000): Promise<string> {
    const t0 = Date.now();
    let last = '';
    while (Date.now() - t0 < timeoutMs) {
      await this.page.mouse.move(0, 0);
      await target.hover();
      const hover = this.page.locator('.monaco-editor .monaco-hover:not(.hidden)').first();
      try {
        await hover.waitFor({ state: 'visible', timeout: 4000 });
        await this.page.waitForTimeout(300);
        last = await hover.innerText();
        if (expect.test(last)) return last;
      } catch {
        /* not yet: the server may still be starting */
      }
    }
    throw new Error(`no hover matching ${expect} (last: ${last})`);
  }

  /** The vertical position of a rendered line or overlay (px), to tell which line it is on. */
  async top(el: Locator, ofParent = false): Promise<number> {
    return el.evaluate((e, parent) => parseFloat(((parent ? (e as unknown as PageElement).parentElement : e) as PageElement).style.top), ofParent);
  }

  /** Wait until a rendered line reads exactly `text`. */
  async waitForLine(text: string, timeoutMs = 10000): Promise<void> {
    await this.page.waitForFunction((want) => [...document.querySelectorAll('.part.editor .view-line')].some((l) => l.textContent?.replace(/\u00a0/g, ' ') === want), text, { timeout: timeoutMs });
  }

  /** Wait until no warning squiggle is left in the editor. */
  async waitForNoWarningSquiggle(timeoutMs = 15000): Promise<void> {
    await this.page.waitForFunction(() => !document.querySelector('.part.editor .view-overlays .squiggly-warning'), undefined, { timeout: timeoutMs });
  }

  /** Wait until the cursor is on a 1-based line. */
  async waitForCursorLine(line: number, timeoutMs = 10000): Promise<void> {
    await this.page.waitForFunction((want) => document.querySelector('#status\\.editor\\.selection')?.textContent?.startsWith(want), `Ln ${line},`, { timeout: timeoutMs });
  }

  /** The editor's text as the workbench would save it, read back from the visible lines. */
  async visibleText(): Promise<string[]> {
    return this.editor.locator('.view-lines .view-line').evaluateAll((lines) =>
      (lines as unknown as PageElement[])
        .map((l) => ({ top: parseFloat(l.style.top), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
