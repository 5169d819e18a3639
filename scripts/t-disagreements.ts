// Lists where our verdict differs from upstream .t files: `node -r esbuild-register scripts/t-disagreements.ts [filter]`.
import { readCases, verdict } from '../test/support/iptables-t';
const cases = readCases();
const stats: Record<string, number[]> = { OK: [0, 0], FAIL: [0, 0] };
const bad: string[] = [];
for (const c of cases) {
  const errors = c.chains.map((ch) => verdict(c, ch));
  const ours = c.expected === 'OK' ? errors.every((e) => e.length === 0) : errors.some((e) => e.length > 0);
  stats[c.expected]![0]!++; if (ours) stats[c.expected]![1]!++;
  else bad.push(`${c.file} ${c.expected} ${c.rule} ${c.expected === 'OK' ? '=> ' + errors.flat()[0] : ''}`);
}
console.log(JSON.stringify(stats));
const byFile: Record<string, number> = {};
for (const b of bad) { const f = b.split(' ')[0]!; byFile[f] = (byFile[f] ?? 0) + 1; }
console.log(Object.entries(byFile).sort((a,b)=>b[1]-a[1]).map(([f,n])=>`${f}:${n}`).join(' '));
if (process.argv[2]) for (const b of bad) if (b.includes(process.argv[2])) console.log(b);
