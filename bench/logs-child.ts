/**
 * The summary of one log file measured in a fresh process, as `iptables-lens logs` runs (nothing
 * else parsed before it, the heap its own): bundled first (see children.ts), `node logs-child.js FILE [runs]`.
 * Prints one JSON object (SummaryResult) on stdout.
 */
import { measureSummary } from './logs-measure';

const [file, runs = '1'] = process.argv.slice(2);
if (!file) {
  console.error('usage: logs-child.ts FILE [runs]');
  process.exit(2);
}
process.stdout.write(JSON.stringify(measureSummary(file, Number(runs))) + '\n');
