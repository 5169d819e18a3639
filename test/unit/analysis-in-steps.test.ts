/**
 * The analysis of a rules document in steps (service/analysis-in-steps.ts, analysis/all-checks.ts
 * findingSteps): what the language server does between requests while it analyses a big file it
 * just opened. Its findings must be those of the analysis done at once, however its steps are
 * interleaved with other versions of the document; and the steps must be small.
 */
import { strict as assert } from 'node:assert';
import { allFindings, findingSteps } from '../../server/src/analysis/all-checks';
import { shadowStats } from '../../server/src/analysis/checks/shadowed';
import type { Finding } from '../../server/src/model/ruleset';
import { analysed, analyseUntil, findingsOf } from '../../server/src/service/analysis-in-steps';
import { createRulesDocument } from '../../server/src/service/document';
import { editOneLine, generateRuleset } from '../../bench/gen/rulesets';
import { Rng } from '../../bench/gen/rng';
import { editInputs } from '../support/ruleset-edits';

/** A finding as text: its code, where it is, what it says, and what it points at. */
function said(f: Finding): string {
  return `${f.code} ${f.span.line}:${f.span.start}-${f.span.end} ${f.message} ${JSON.stringify(f.related ?? [])}`;
}

function allSaid(fs: readonly Finding[]): string[] {
  return fs.map(said);
}

/** The findings of `text` analysed at once, in a document of its own. */
function atOnce(text: string, name: string): string[] {
  return allSaid(allFindings(createRulesDocument(`file:///steps/at-once/${name}`, 1, text, 'auto').ruleset));
}

describe('analysis in steps', function () {
  this.timeout(120_000);

  it('finds what the analysis at once finds, with other documents analysed between its steps', function () {
    const inputs = editInputs();
    for (const kind of ['kube', 'docker', 'firewall'] as const) inputs.push({ name: `big ${kind}`, text: generateRuleset({ kind, family: 'ipv4', rules: 4000, seed: 21 }).text });
    // (between steps: every other input analysed at once, in turn, each in a document of its own;
    // they share the memos that hold no document, and the shared bodies of the one opened last)
    let other = 0;
    for (const input of inputs) {
      const doc = createRulesDocument(`file:///steps/stepped/${input.name}`, 1, input.text, 'auto');
      const steps = findingSteps(doc.ruleset);
      let r = steps.next();
      for (let k = 1; !r.done; k++) {
        if (k % 8 === 0) {
          const o = inputs[other++ % inputs.length]!;
          allFindings(createRulesDocument(`file:///steps/between/${other}/${o.name}`, 1, o.text, 'auto').ruleset);
        }
        r = steps.next();
      }
      assert.deepEqual(allSaid(r.value), atOnce(input.text, input.name), input.name);
    }
  });

  it('cuts the analysis of a big file into steps of a bounded size: twice the rules, twice the steps', function () {
    // firewall-like files: most of their rules in one blocklist chain, compiled and judged in slices
    const steps = (rules: number) => {
      const text = generateRuleset({ kind: 'firewall', family: 'ipv4', rules, seed: 22 }).text;
      const it = findingSteps(createRulesDocument(`file:///steps/count-${rules}.rules`, 1, text, 'auto').ruleset);
      let n = 0;
      while (!it.next().done) n++;
      return n;
    };
    const small = steps(4000);
    const big = steps(8000);
    // (a step per 2 048 lines checked, per 1 024 rules compiled and per 1 024 rules of the
    // blocklist judged: 10 more for 4 000 more rules, 7 without the blocklist judged in slices, 6
    // without the rules compiled in slices)
    assert.ok(big - small >= 9, `${small} steps for 4 000 rules, ${big} for 8 000`);
  });

  it('goes on with the analysis under way for the version an edit was read from, then analyses the edited one from it', function () {
    const rng = new Rng(23);
    for (const kind of ['docker', 'firewall', 'kube'] as const) {
      const lines = generateRuleset({ kind, family: 'ipv4', rules: 3000, seed: 24 }).text.split('\n');
      const uri = `file:///steps/edited-${kind}.rules`;
      const versions = [createRulesDocument(uri, 1, lines.join('\n'), 'auto')];
      const edited = () => {
        const e = editOneLine(lines, rng);
        lines[e.line] = e.text;
        const doc = createRulesDocument(uri, versions.length + 1, lines.join('\n'), 'auto', versions[versions.length - 1]);
        versions.push(doc);
        return doc.ruleset;
      };
      // a step of version 1, then of versions 2 and 3 read one from another: each goes on with
      // version 1's analysis
      assert.equal(analyseUntil(versions[0]!.ruleset, 0), false);
      assert.equal(analyseUntil(edited(), 0), false);
      assert.equal(analyseUntil(edited(), 0), false);
      // version 4: version 1's analysis taken to its end first, then version 4 analysed from it
      const v4 = edited();
      while (!analysed(versions[0]!.ruleset)) assert.equal(analyseUntil(v4, 0), false, `${kind}: version 4 analysed before version 1`);
      let whole = shadowStats.whole;
      const found4 = allSaid(findingsOf(v4));
      const fromVersion1 = shadowStats.whole - whole;
      whole = shadowStats.whole;
      assert.deepEqual(found4, atOnce(lines.join('\n'), `${kind}-4`), `${kind}, version 4`);
      // (chains judged whole, from nothing: 9 of the Docker-like file, 29 of the firewall-like one, 1 080 of the kube-like one)
      const fromNothing = shadowStats.whole - whole;
      assert.ok(fromVersion1 * 4 <= fromNothing, `${kind}: version 4 judged ${fromVersion1} chains whole, ${fromNothing} from nothing`);
      // versions 5 and 6: 5 under way when 6 comes; 2 and 3 never analysed (no one asked)
      analyseUntil(edited(), 0);
      const v6 = edited();
      assert.deepEqual(allSaid(findingsOf(v6)), atOnce(lines.join('\n'), `${kind}-6`), `${kind}, version 6`);
      assert.deepEqual(
        versions.map((d) => analysed(d.ruleset)),
        [true, false, false, true, true, true],
        kind,
      );
    }
  });
});
