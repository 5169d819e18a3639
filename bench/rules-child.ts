/**
 * One rules file, measured in a fresh process (so the cold open is really cold and the memory is
 * this file's), bundled first (see children.ts): `node --expose-gc rules-child.js FILE [edits]
 * [positions] [traces] [warm opens] [line edits]` (or through esbuild-register, `node --expose-gc
 * -r esbuild-register bench/rules-child.ts ...`, which holds more heap, see children.ts).
 * Prints one JSON object (RulesetResult) on stdout.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { measureRuleset } from './rules-measure';

const [file, edits = '40', positions = '300', traces = '20', warm = '2', lineEdits = '0'] = process.argv.slice(2);
if (!file) {
  console.error('usage: rules-child.ts FILE [edits] [positions] [traces] [warm opens] [line edits]');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
void measureRuleset({ uri: pathToFileURL(file).toString(), text, edits: Number(edits), positions: Number(positions), traces: Number(traces), warmOpens: Number(warm), lineEdits: Number(lineEdits) }).then((r) => {
  process.stdout.write(JSON.stringify(r) + '\n');
});
