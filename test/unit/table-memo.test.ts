/**
 * TableMemo (analysis/memo.ts): a value worked out over whole tables is kept while the tables hold
 * the same chains and the same rules, whether they are the same table objects or others with the
 * same content, and made again once a rule changes.
 */
import { strict as assert } from 'node:assert';
import { TableMemo } from '../../server/src/analysis/memo';
import type { Table } from '../../server/src/model/ruleset';
import { parseRuleset } from '../../server/src/parser/ruleset-parser';

const TEXT = [
  '*nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1', 'COMMIT',
  '*filter', ':INPUT DROP [0:0]', ':SSH - [0:0]', '-A INPUT -p tcp --dport 22 -j SSH', '-A SSH -s 10.0.0.0/8 -j ACCEPT', 'COMMIT', '',
].join('\n');

describe('TableMemo', () => {
  it('keeps a value for the same tables and for other table objects with the same chains and rules; makes it again when a rule changes', () => {
    const memo = new TableMemo<number>();
    let made = 0;
    const get = (tables: readonly (Table | undefined)[], extra = 'x') => memo.get(tables, extra, () => ++made);
    const rs = parseRuleset(TEXT);
    const filter = rs.tables.get('filter')!;
    assert.equal(get([filter]), 1);
    assert.equal(get([filter]), 1, 'the same table');
    // another table object, its own jump graph, the same chains and rule objects: compared rule by rule
    const copy: Table = { ...filter, jumps: {} };
    assert.equal(get([copy]), 1, 'the same content');
    // an edit of the nat table leaves filter's rules as they were
    const natEdited = parseRuleset(TEXT.replace('10.0.0.1', '10.0.0.2'), { previous: rs });
    assert.equal(get([natEdited.tables.get('filter')!]), 1, 'an edit elsewhere');
    // an edit of a filter rule: the rule's option list is new
    const edited = parseRuleset(TEXT.replace('-s 10.0.0.0/8', '-s 10.0.0.0/16'), { previous: rs });
    assert.equal(get([edited.tables.get('filter')!]), 2, 'a rule changed');
    assert.equal(get([filter], 'y'), 3, 'another extra');
  });
});
