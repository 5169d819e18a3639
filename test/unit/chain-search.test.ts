/** Chains found by name for workspace symbols (service/chain-search.ts). */
import { strict as assert } from 'node:assert';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';
import { chainsMatching, nameMatch } from '../../server/src/service/chain-search';

const TEXT = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':KUBE-SERVICES - [0:0]',
  ':KUBE-SVC-ABC - [0:0]',
  ':LOGDROP - [0:0]',
  '-A INPUT -j KUBE-SERVICES',
  '-A KUBE-SVC-ABC -j RETURN',
  'COMMIT',
  '*nat',
  '-A POSTROUTING -j MASQUERADE',
  '-N KUBE-SVC-XYZ',
  '-A KUBE-SVC-XYZ -j RETURN',
  'COMMIT',
  '',
].join('\n');

describe('chain search', () => {
  it('matches a name holding the query, or its letters in order, in any case', () => {
    assert.equal(nameMatch('KUBE-SVC-ABC', 'svc'), 2);
    assert.equal(nameMatch('KUBE-SVC-ABC', 'ksvc'), 1);
    assert.equal(nameMatch('KUBE-SVC-ABC', 'cvs'), 0);
    assert.equal(nameMatch('INPUT', ''), 2);
    assert.equal(nameMatch('INPUT', 'inputs'), 0);
  });

  it('finds the chains of every table, those holding the query first, each where it is declared or first named', () => {
    const rs = parseRuleset(TEXT);
    const found = chainsMatching(rs, 'svc');
    // (KUBE-SERVICES holds s, v and c in order, not "svc": after the names that hold it)
    assert.deepEqual(found.map((c) => `${c.table} ${c.name} ${c.span.line}:${c.span.start}-${c.span.end}`), ['filter KUBE-SVC-ABC 3:1-13', 'nat KUBE-SVC-XYZ 10:3-15', 'filter KUBE-SERVICES 2:1-14']);
    assert.deepEqual(
      chainsMatching(rs, 'ks').map((c) => c.name),
      ['KUBE-SERVICES', 'KUBE-SVC-ABC', 'KUBE-SVC-XYZ'],
    );
    assert.deepEqual(
      chainsMatching(rs, 'p').map((c) => c.name),
      ['INPUT', 'LOGDROP', 'POSTROUTING'],
    );
    // a built-in chain the file names only in a rule: found at that rule's chain name
    const post = chainsMatching(rs, 'postrouting')[0]!;
    assert.deepEqual([post.builtin, post.span.line, post.span.start, post.span.end], [true, 9, 3, 14]);
    assert.equal(chainsMatching(rs, '').length, 6, 'every chain for no query');
    assert.deepEqual(
      chainsMatching(rs, '', 2).map((c) => c.name),
      ['INPUT', 'KUBE-SERVICES'],
      'at most the limit, in order',
    );
    assert.deepEqual(
      chainsMatching(rs, 'svc', 1).map((c) => c.name),
      ['KUBE-SVC-ABC'],
      'the names holding the query first, also under the limit',
    );
  });
});
