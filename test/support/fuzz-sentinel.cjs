/**
 * Loaded into the server process with `node --require` (through NODE_OPTIONS) by the protocol
 * tests: wraps every Node API that runs a program, opens a network connection or writes a file,
 * and every file read, and reports each call on stderr as `SENTINEL <api> <path or args>`. The
 * test then checks that nothing was run, opened or written, and that only permitted files were
 * read. Calls still go through (the server must behave as it does in real use).
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload for node --require */
const fs = require('node:fs');
const cp = require('node:child_process');
const net = require('node:net');
const http = require('node:http');
const https = require('node:https');
const dgram = require('node:dgram');
const tls = require('node:tls');

const write = process.stderr.write.bind(process.stderr);
const report = (api, arg) => {
  let shown;
  try {
    shown = typeof arg === 'string' ? arg : arg instanceof URL ? arg.href : Buffer.isBuffer(arg) ? arg.toString() : JSON.stringify(arg);
  } catch {
    shown = String(arg);
  }
  write(`SENTINEL ${api} ${shown}\n`);
};

const wrap = (obj, name, label, pick = (args) => args[0]) => {
  const orig = obj[name];
  if (typeof orig !== 'function') return;
  obj[name] = function (...args) {
    report(label, pick(args));
    return orig.apply(this, args);
  };
};

// programs
for (const n of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) wrap(cp, n, `run:${n}`);
// network
for (const n of ['connect', 'createConnection', 'createServer']) wrap(net, n, `net:${n}`);
wrap(net.Socket.prototype, 'connect', 'net:Socket.connect');
for (const [m, label] of [
  [http, 'http'],
  [https, 'https'],
]) for (const n of ['request', 'get', 'createServer']) wrap(m, n, `${label}:${n}`);
wrap(dgram, 'createSocket', 'net:dgram');
wrap(tls, 'connect', 'net:tls');
// file writes
const WRITES = ['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream', 'mkdir', 'mkdirSync', 'mkdtemp', 'mkdtempSync', 'rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync', 'rename', 'renameSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync', 'chmod', 'chmodSync', 'chown', 'chownSync', 'symlink', 'symlinkSync', 'link', 'linkSync', 'truncate', 'truncateSync', 'utimes', 'utimesSync'];
for (const n of WRITES) wrap(fs, n, `write:${n}`);
for (const n of WRITES) if (fs.promises[n]) wrap(fs.promises, n, `write:promises.${n}`);
for (const n of ['open', 'openSync']) {
  const orig = fs[n];
  fs[n] = function (file, flags, ...rest) {
    const f = typeof flags === 'string' ? flags : typeof flags === 'number' ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR) ? 'w' : 'r') : 'r';
    report(/[wa+]/.test(f) ? `write:${n}` : `read:${n}`, file);
    return orig.call(this, file, flags, ...rest);
  };
}
// file reads (paths only: which files the server looks at)
for (const n of ['readFile', 'readFileSync', 'createReadStream', 'readdir', 'readdirSync', 'opendir', 'opendirSync']) wrap(fs, n, `read:${n}`);
for (const n of ['readFile', 'readdir', 'open']) if (fs.promises[n]) wrap(fs.promises, n, `read:promises.${n}`);
