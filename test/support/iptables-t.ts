/**
 * Reading upstream iptables' .t rule tests (FORMAT.md in the corpus) and asking our analysis for
 * its verdict on one line: shared by the conformance test and by tools that list disagreements.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validityFindings } from '../../server/src/analysis/validity';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { CORPUS } from './corpus';

export interface Case {
  file: string;
  lineNo: number;
  rule: string;
  expected: 'OK' | 'FAIL';
  table: string;
  chains: string[];
  family: 'ipv4' | 'ipv6';
}

/** The result the nft backend must give, from the RESULT/VARIANT/ALT_RESULT columns. */
function nftResult(cols: string[]): 'OK' | 'FAIL' | undefined {
  const [, , result, variant, alt] = cols;
  const norm = (r: string | undefined) => (r === 'NOMATCH' || r === 'OK' ? 'OK' : r === 'FAIL' ? 'FAIL' : undefined);
  if (!variant || variant === 'NFT') return norm(result);
  if (alt !== undefined) return alt === '=' ? 'OK' : norm(alt);
  return result === 'OK' ? 'FAIL' : 'OK';
}

export function readCases(): Case[] {
  const dir = path.join(CORPUS, 'iptables-t', 'v1.8.9');
  const cases: Case[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.t')) continue;
    if (!/^(libipt_|libip6t_|libxt_|iptables\.t)/.test(file)) continue;
    const family = file.startsWith('libip6t_') ? 'ipv6' : 'ipv4';
    let chains: string[] = [];
    let table = 'filter';
    readFileSync(path.join(dir, file), 'utf8').split('\n').forEach((line, i) => {
      if (line === '' || line.startsWith('#') || line.startsWith('@') || line.startsWith('%')) return;
      if (line.startsWith(':')) {
        chains = line.slice(1).split(',');
        return;
      }
      if (line.startsWith('*')) {
        table = line.slice(1);
        return;
      }
      const cols = line.split(';');
      const expected = nftResult(cols);
      if (!expected || cols.length < 3) return;
      cases.push({ file, lineNo: i + 1, rule: cols[0]!, expected, table, chains, family });
    });
  }
  return cases;
}

/** Our verdict for one rule line in one chain: the errors we report, if any. */
export function verdict(c: Case, chain: string): string[] {
  const text = `*${c.table}\n-A ${chain} ${c.rule}\nCOMMIT\n`;
  const rs = parseRuleset(text, { family: c.family, familySource: 'setting' });
  return validityFindings(rs)
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.code}: ${f.message}`);
}

