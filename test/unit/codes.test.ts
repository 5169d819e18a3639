/**
 * The diagnostic code table: every code the analysis emits is registered and documented, the
 * generated docs/checks.md and package.json settings are up to date, and docs anchors exist.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CODES } from '../../server/src/analysis/codes';
import { checksMarkdown, updatedManifest } from '../../scripts/gen-docs';
import { PROJECT_ROOT } from '../support/corpus';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('diagnostic codes', function () {
  it('registers every code the server emits', function () {
    const ids = new Set(CODES.map((c) => c.id));
    const used = new Set<string>();
    for (const f of [...sources(path.join(PROJECT_ROOT, 'server/src/parser')), ...sources(path.join(PROJECT_ROOT, 'server/src/analysis'))]) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bcode: '([a-z-]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\b(?:err|f|finding)\(\s*'([a-z-]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\?\s*'([a-z-]+-rule)'\s*:\s*'([a-z-]+-rule)'/g)) used.add(m[1]!).add(m[2]!);
    }
    const missing = [...used].filter((u) => !ids.has(u));
    assert.deepEqual(missing, [], 'codes used in the source but absent from codes.ts');
    assert.equal(ids.size, CODES.length, 'code ids are unique');
  });

  it('keeps docs/checks.md and the package.json settings generated from the table', function () {
    assert.equal(readFileSync(path.join(PROJECT_ROOT, 'docs/checks.md'), 'utf8'), checksMarkdown(), 'run: node -r esbuild-register scripts/gen-docs.ts');
    const manifest = readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8');
    assert.equal(updatedManifest(manifest), manifest, 'run: node -r esbuild-register scripts/gen-docs.ts');
  });

  it('documents every code in its own words', function () {
    for (const c of CODES) {
      assert.ok(c.doc.length > 60, `${c.id} has a real explanation`);
      assert.match(checksMarkdown(), new RegExp(`^### ${c.id}$`, 'm'));
    }
  });
});
