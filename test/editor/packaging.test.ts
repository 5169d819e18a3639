/**
 * `vsce package --no-dependencies` (through `vscode:prepublish`, a minified build) makes a .vsix
 * that holds only what runs, stays small, and declares what the Marketplace and VS Code need.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileSize, packageVsix, zipEntries } from '../support/code-server';
import { PROJECT_ROOT } from '../support/corpus';

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

describe('packaging: the .vsix', function () {
  this.timeout(180000);
  let vsix: string;
  let entries: ReturnType<typeof zipEntries>;

  before(async function () {
    vsix = await packageVsix((l) => console.log(`      ${l}`));
    entries = zipEntries(vsix);
  });

  it('contains only what runs, plus README, CHANGELOG, LICENSE and the icon', function () {
    const files = entries.map((e) => e.name).filter((n) => !n.endsWith('/')).sort();
    const allowed = [
      /^\[Content_Types\]\.xml$/,
      /^extension\.vsixmanifest$/,
      /^extension\/package\.json$/,
      /^extension\/readme\.md$/,
      /^extension\/changelog\.md$/,
      /^extension\/LICENSE\.txt$/,
      /^extension\/images\/icon\.png$/,
      /^extension\/dist\/(client|server|cli)\.js$/,
      /^extension\/syntaxes\/[a-z-]+\.tmLanguage\.json$/,
      /^extension\/language-configuration\/[a-z-]+\.json$/,
    ];
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepEqual(stray, [], `files that do not run: ${stray.join(', ')}`);
    for (const must of [
      'extension/dist/client.js',
      'extension/dist/server.js',
      'extension/syntaxes/iptables.tmLanguage.json',
      'extension/syntaxes/netfilter-log.tmLanguage.json',
      'extension/language-configuration/iptables.json',
      'extension/language-configuration/netfilter-log.json',
      'extension/readme.md',
      'extension/changelog.md',
      'extension/LICENSE.txt',
      'extension/images/icon.png',
    ])
      assert.ok(files.includes(must), `${must} is in the .vsix`);
    assert.ok(!files.some((f) => f.includes('node_modules/')), 'no node_modules (the bundles carry their dependencies)');
    assert.ok(!files.some((f) => f.endsWith('.map') || f.endsWith('.ts')), 'no sources or source maps');
  });

  it('stays under 1 MB, with minified bundles', function () {
    const size = fileSize(vsix);
    console.log(`      ${path.basename(vsix)}: ${(size / 1024).toFixed(0)} KiB, ${entries.length} entries`);
    assert.ok(size > 0 && size < 1024 * 1024, `${size} bytes`);
    for (const name of ['extension/dist/server.js', 'extension/dist/client.js']) {
      const entry = entries.find((e) => e.name === name)!;
      const text = entry.read().toString('utf8');
      assert.equal(Buffer.byteLength(text), entry.size);
      const lines = text.split('\n').length;
      assert.ok(text.length / lines > 400, `${name} is minified (${lines} lines for ${text.length} characters)`);
      assert.ok(!text.includes('sourceMappingURL'), `${name} has no source map reference`);
    }
    const manifest = JSON.parse(entries.find((e) => e.name === 'extension/package.json')!.read().toString('utf8')) as { main: string };
    assert.equal(manifest.main, './dist/client.js');
  });

  it('declares engine, categories, keywords, repository, icon and activates on the two languages only', function () {
    assert.match(String((pkg['engines'] as Record<string, string>)['vscode']), /^\^1\.\d+\.\d+$/);
    assert.ok((pkg['categories'] as string[]).includes('Programming Languages'));
    assert.ok((pkg['keywords'] as string[]).includes('iptables'));
    assert.match(String((pkg['repository'] as Record<string, string>)['url']), /^https:\/\//);
    assert.equal(pkg['icon'], 'images/icon.png');
    const png = readFileSync(path.join(PROJECT_ROOT, 'images', 'icon.png'));
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    assert.ok(png.readUInt32BE(16) >= 128 && png.readUInt32BE(20) >= 128, 'icon at least 128x128');
    assert.deepEqual([...(pkg['activationEvents'] as string[])].sort(), ['onLanguage:iptables', 'onLanguage:netfilter-log']);
    assert.equal((pkg['scripts'] as Record<string, string>)['vscode:prepublish'], 'node esbuild.mjs --production');
    assert.match((pkg['scripts'] as Record<string, string>)['package']!, /vsce package --no-dependencies/);
  });
});
