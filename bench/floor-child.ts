/**
 * The read floor of one rules file (see read-floor.ts) in a fresh process, as cold as the cold
 * open it is compared with: `node floor-child.js FILE ipv4|ipv6`. Prints one JSON object: the
 * CPU and wall time of reading the file and reading it to the floor, and what it counted.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Family } from '../server/src/knowledge/types';
import { readToFloor } from './read-floor';

const [file, family = 'ipv4'] = process.argv.slice(2);
if (!file || (family !== 'ipv4' && family !== 'ipv6')) {
  console.error('usage: floor-child.js FILE [ipv4|ipv6]');
  process.exit(2);
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const counts = readToFloor(readFileSync(file, 'utf8'), family as Family);
const wall = performance.now() - t0;
const used = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ cpu: Math.round((used.user + used.system) / 10) / 100, wall: Math.round(wall * 100) / 100, ...counts }) + '\n');
