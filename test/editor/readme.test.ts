/**
 * The README's editor documentation stays true to the manifest: its first lines are the two
 * commands, every setting (but the generated per-code ones, documented in docs/checks.md) and
 * every command is described, and every image it shows exists.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../support/corpus';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default: unknown }> }; commands: { command: string; title: string; category?: string }[] };
};

describe('README: the editor documentation', function () {
  it('starts with exactly the two commands', function () {
    const lines = readme.split('\n');
    assert.deepEqual(lines.slice(0, 6), ['# iptables-lens', '', '```sh', 'npm ci && npm start', 'npm test', '```']);
  });

  it('documents every setting with its default', function () {
    for (const [key, p] of Object.entries(pkg.contributes.configuration.properties)) {
      if (key.startsWith('iptablesLens.diagnostics.')) continue; // generated, one per code: docs/checks.md
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
      assert.ok(row, `a settings row for ${key}`);
      assert.ok(row!.includes(`\`${JSON.stringify(p.default)}\``) || row!.includes(`\`${String(p.default)}\``), `${key}'s default ${JSON.stringify(p.default)} in: ${row}`);
    }
    assert.ok(readme.includes('`iptablesLens.diagnostics.<code>`'));
  });

  it('documents every command', function () {
    for (const c of pkg.contributes.commands) {
      assert.ok(readme.includes(`\`${c.command}\``), `${c.command} in the README`);
      assert.ok(readme.includes(`${c.category ? `${c.category}: ` : ''}${c.title}`), `its title "${c.title}" as the palette shows it`);
    }
  });

  it('shows only images that exist', function () {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length >= 3, 'screenshots');
    for (const img of images) assert.ok(existsSync(path.join(PROJECT_ROOT, img)), `${img} exists`);
  });
});
