#!/usr/bin/env node
// `npm start`: show iptables-lens in a real VS Code. Packages the extension (.vsix), installs
// code-server 4.139.1 and the Node 24 it needs from the npm registry into .cache/ (first run
// only), installs the .vsix with --install-extension, opens the examples/ folder and prints the
// address to open in a browser (127.0.0.1 only). Ctrl+C stops code-server and everything it
// started (its whole process group).
//
//   npm start [-- --port N] [-- --profile NAME]     (or PORT_IPTABLES_LENS=N npm start)
//
// The logic lives in test/support/code-server.ts, which the editor tests use too.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const require = createRequire(import.meta.url);
let cs;
try {
  require('esbuild-register/dist/node').register({ target: `node${process.versions.node.split('.')[0]}` });
  cs = require('../test/support/code-server.ts');
} catch (e) {
  console.error(`npm start: cannot load the project's tools (${e.message.split('\n')[0]}). Run \`npm ci\` first.`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const portArg = argv.indexOf('--port');
const wanted = Number(portArg >= 0 ? argv[portArg + 1] : (process.env.PORT_IPTABLES_LENS ?? 8733));
const profileArg = argv.indexOf('--profile');
const profileName = profileArg >= 0 ? argv[profileArg + 1] : 'start';
const log = (line) => console.log(line);
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);

let server;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  cs.stopInstalls();
  if (server) {
    console.log('\nStopping code-server and everything it started...');
    await server.stop();
  }
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void stop(0));

try {
  if (!cs.codeServerInstalled()) {
    // say what the system lacks before minutes of downloading, not after
    const missing = cs.missingBuildPrerequisites();
    if (missing.length) throw new cs.PrerequisiteError(missing.join('\n'));
  }
  log('Building and packaging the extension...');
  const vsix = await cs.packageVsix(log);
  await cs.ensureNode24(log);
  await cs.ensureCodeServer(log);
  const profile = cs.profile(profileName, false);
  await cs.installExtension(profile, vsix, log);
  const port = Number.isInteger(wanted) && wanted > 0 && (await cs.portFree(wanted)) ? wanted : await cs.freePort();
  if (port !== wanted) log(`Port ${wanted} is taken; using ${port}.`);
  const folder = path.join(root, 'examples');
  server = await cs.startCodeServer(profile, folder, port, log);
  void server.exited.then(async (code) => {
    if (stopping) return;
    console.error(`\ncode-server stopped by itself (exit ${code}). Its output:\n${server.output()}`);
    await stop(1);
  });
  const url = `${server.url}?folder=${encodeURIComponent(folder)}`;
  console.log(`
Ready in ${secs()} s: code-server ${cs.CODE_SERVER_VERSION} with the iptables-lens extension installed from the .vsix, on examples/.

    Open  ${url}

Start with web-server.rules (the LOG rule's warning and its quick fix) and web-server.log.
Everything code-server keeps is under .cache/profiles/${profileName}. Press Ctrl+C to stop.`);
} catch (e) {
  if (e instanceof cs.PrerequisiteError) console.error(`\nnpm start cannot continue:\n${e.message}`);
  else console.error(`\nnpm start failed: ${e instanceof Error ? e.message : String(e)}`);
  await stop(1);
}
