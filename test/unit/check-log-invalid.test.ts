/** iptables-lens/log-invalid: fires on stories 1 and 2, stays quiet on near misses; its fixes. */
import { strict as assert } from 'node:assert';
import { codeActions } from '../../server/src/service/code-actions';
import { applyServiceEdits, doc, findings } from '../support/analyse';
import { fixture } from '../support/fixtures';

const STORY1 = fixture('story1.rules');

describe('check: log-invalid', function () {
  it('fires on the LOG rule of story 1 and names the jump it comes through', function () {
    const f = findings(STORY1, 'log-invalid');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.span.line, 6);
    assert.match(f[0]!.message, /through `-A INPUT -j LOGDROPIN` \(line 6\)/);
  });

  it('fires on story 2 where the LOG rule is in INPUT itself', function () {
    const f = findings(fixture('story2.rules'), 'log-invalid');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.span.line, 13);
  });

  it('stays quiet when INVALID is dropped or accepted earlier, or the LOG rule cannot see INVALID', function () {
    const dropped = STORY1.replace('-A INPUT -j LOGDROPIN', '-A INPUT -m conntrack --ctstate INVALID -j DROP\n-A INPUT -j LOGDROPIN');
    assert.deepEqual(findings(dropped, 'log-invalid'), []);
    const acceptedAll = STORY1.replace('-A INPUT -j LOGDROPIN', '-A INPUT -j ACCEPT\n-A INPUT -j LOGDROPIN');
    assert.deepEqual(findings(acceptedAll, 'log-invalid'), []);
    const newOnly = STORY1.replace('-A LOGDROPIN -p tcp -m limit', '-A LOGDROPIN -p tcp -m conntrack --ctstate NEW -m limit');
    assert.deepEqual(findings(newOnly, 'log-invalid'), []);
    const raw = '*raw\n-A PREROUTING -j LOG\nCOMMIT\n';
    assert.deepEqual(findings(raw, 'log-invalid'), []);
  });

  it('still fires when the only INVALID drop depends on something the packet cannot decide', function () {
    const maybe = STORY1.replace('-A INPUT -j LOGDROPIN', '-A INPUT -m conntrack --ctstate INVALID -m recent --rcheck -j DROP\n-A INPUT -j LOGDROPIN');
    assert.equal(findings(maybe, 'log-invalid').length, 1);
  });

  it('fixes story 1 by inserting the INVALID drop right before the jump, touching nothing else', function () {
    const d = doc(STORY1);
    const f = findings(STORY1, 'log-invalid');
    const actions = codeActions(d, f);
    const main = actions.find((a) => a.preferred)!;
    const fixed = applyServiceEdits(STORY1, main.edits);
    assert.equal(fixed, STORY1.replace('-A INPUT -j LOGDROPIN', '-A INPUT -m conntrack --ctstate INVALID -j DROP\n-A INPUT -j LOGDROPIN'));
    assert.deepEqual(findings(fixed, 'log-invalid'), [], 'the warning is gone after the fix');
    const teardown = actions.find((a) => a.title.includes('teardown'))!;
    const fixed2 = applyServiceEdits(STORY1, teardown.edits);
    assert.match(fixed2, /-A INPUT -p tcp -m conntrack --ctstate INVALID -m tcp --tcp-flags FIN FIN -j DROP\n-A INPUT -p tcp -m conntrack --ctstate INVALID -m tcp --tcp-flags RST RST -j DROP\n-A INPUT -j LOGDROPIN/);
    assert.deepEqual(findings(fixed2).filter((x) => x.severity === 'error'), []);
  });

  it('uses -I with the final position in a command list that inserts', function () {
    const text = '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -j LOG\n-I INPUT 1 -i lo -j ACCEPT\n';
    const d = doc(text);
    const main = codeActions(d, findings(text, 'log-invalid')).find((a) => a.preferred)!;
    assert.equal(applyServiceEdits(text, main.edits), `${text}-I INPUT 3 -m conntrack --ctstate INVALID -j DROP\n`);
  });
});
