/**
 * The processes the bench measures in (one rules file, or one log summary, each in a fresh
 * process) run their scripts bundled: the server's code as it ships, in one bundle made with
 * esbuild.mjs's options, as dist/server.js and dist/cli.js are. Run module by module through
 * esbuild-register, as they were until the thirty-second round, a process also held each module's
 * transformed code and source map (9.5 MB more of every heap a 100k-rule child measured, from the
 * heap after its cold open to its peaks), and reached every function of another module through a
 * getter.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { BENCH_DIR } from './data';

export interface ChildScripts {
  /** bench/rules-child.ts, bundled. */
  readonly rules: string;
  /** bench/logs-child.ts, bundled. */
  readonly logs: string;
  /** bench/floor-child.ts, bundled. */
  readonly floor: string;
}

/** Where the bundled scripts go in `dir`. */
export function childScripts(dir: string): ChildScripts {
  return { rules: path.join(dir, 'rules-child.js'), logs: path.join(dir, 'logs-child.js'), floor: path.join(dir, 'floor-child.js') };
}

/** Bundle the children's scripts to where `to` says. */
export async function bundleChildren(to: ChildScripts): Promise<void> {
  const esbuild = await import('esbuild');
  const { common } = (await import(pathToFileURL(path.join(BENCH_DIR, '..', 'esbuild.mjs')).href)) as { common: BuildOptions };
  for (const [name, outfile] of [['rules-child', to.rules], ['logs-child', to.logs], ['floor-child', to.floor]] as const) {
    await esbuild.build({ ...common, logLevel: 'warning', entryPoints: [path.join(BENCH_DIR, `${name}.ts`)], outfile });
  }
}
