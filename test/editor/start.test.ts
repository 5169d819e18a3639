/**
 * `npm start` as a person uses it: run scripts/start.mjs in its own process group (as a terminal
 * runs a foreground command), wait for the address it prints, open it in Chromium and open the
 * story-1 rules file (so the extension host and our language server run), close the browser
 * (code-server keeps them running for a reconnect), then press Ctrl+C: SIGINT to the group.
 * Nothing it started may be left.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { alive, CACHE, EXTENSION_ID, freePort, missingForEditorTests, portFree, processTree } from '../support/code-server';
import { PROJECT_ROOT, skipOrFail } from '../support/corpus';
import { Workbench } from './workbench';

const PROFILE = 'start-test';

/** Command line of a process, '' when it is gone. */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

describe('npm start: examples/ in a real VS Code', function () {
  this.timeout(20 * 60000);
  let child: ChildProcess | undefined;
  let wb: Workbench | undefined;

  after(async () => {
    if (wb) await wb.close();
    if (child?.pid && alive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  });

  it('prints a 127.0.0.1 address serving VS Code with the extension, and Ctrl+C leaves no process behind', async function () {
    const missing = missingForEditorTests();
    if (missing.length) return skipOrFail(this, missing.join('; '));
    const port = await freePort();
    const t0 = Date.now();
    child = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port), '--profile', PROFILE], {
      cwd: PROJECT_ROOT,
      detached: true, // its own process group, like a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));

    // first run: progress while code-server installs; then the address
    let url: string | undefined;
    while (!url) {
      if (code !== undefined) throw new Error(`npm start exited (${code}) before printing an address:\n${out}`);
      url = /Open\s+(http:\/\/\S+)/.exec(out)?.[1];
      await new Promise((r) => setTimeout(r, 250));
    }
    const ready = (Date.now() - t0) / 1000;
    console.log(`      npm start ready in ${ready.toFixed(1)} s`);
    const u = new URL(url);
    assert.equal(u.hostname, '127.0.0.1');
    assert.equal(u.port, String(port));
    assert.equal(u.searchParams.get('folder'), path.join(PROJECT_ROOT, 'examples'));
    assert.match(out, /Packaged \.cache\/iptables-lens\.vsix/);
    assert.match(out, /Ctrl\+C/);
    const installed = readdirSync(path.join(CACHE, 'profiles', PROFILE, 'extensions'));
    assert.ok(installed.some((d) => d.startsWith(`${EXTENSION_ID}-`)), `the .vsix is installed: ${installed.join(', ')}`);

    // use it: the rules file gets its diagnostics from our server
    wb = await Workbench.open(url, path.join(PROJECT_ROOT, 'test-results', 'start'));
    await wb.openFile('web-server.rules');
    assert.equal(await wb.languageMode(), 'iptables');
    await wb.editor.locator('.view-overlays .squiggly-warning').first().waitFor({ timeout: 30000 });
    await wb.screenshot('npm-start');
    await wb.close();
    wb = undefined;

    const tree = processTree(child.pid!).filter((p) => p !== child!.pid);
    const commands = tree.map(cmdline);
    assert.ok(commands.some((c) => c.includes('code-server')), 'code-server runs');
    assert.ok(commands.some((c) => c.includes(`${EXTENSION_ID}-`) && c.includes('server.js')), `our language server runs:\n${commands.join('\n')}`);

    // Ctrl+C: the terminal sends SIGINT to the whole foreground process group
    process.kill(-child.pid!, 'SIGINT');
    const exitCode = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20000))]);
    assert.notEqual(exitCode, 'timeout', `npm start did not stop on Ctrl+C:\n${out}`);
    assert.equal(exitCode, 0);
    await new Promise((r) => setTimeout(r, 200));
    const left = tree.filter(alive).map((p) => `${p} ${cmdline(p)}`);
    assert.deepEqual(left, [], 'processes left behind');
    assert.ok(await portFree(port), `port ${port} is free again`);
  });
});
