// Bundles the three entry points into dist/: the VS Code client, the language server and the
// command-line tool. Type checking is separate (`npm run typecheck`); esbuild only strips types.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/**
 * How every bundle is made (the bench bundles the processes it measures with these too, so that
 * they run the server's code bundled as dist/server.js is: bench/children.ts).
 * @type {import('esbuild').BuildOptions}
 */
export const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  define: { IPTABLES_LENS_VERSION: JSON.stringify(pkg.version) },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

// (run as a script; imported, it only gives its options)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (watch) {
    for (const e of entries) {
      const ctx = await esbuild.context({ ...common, ...e });
      await ctx.watch();
    }
  } else {
    await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
  }
}
