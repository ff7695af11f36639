import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../core/events.js';
import type { PolicyDecision } from '../../pipeline/policy.js';
import { describeSshAction } from './action-facts.js';
import { strictestReading } from './file-judging.js';

/** A policy with `default: deny`, an allow on /srv/open/ (as text only, as allow rules match) and a review on /srv/held/. */
const session = {
  judge(_type: string, payload: JsonObject): PolicyDecision {
    const facts = describeSshAction('ssh.file', payload)!;
    if ([facts.text, ...facts.alternateTexts].some((t) => / \/srv\/held\//.test(t))) {
      return {
        action: 'review',
        rule: 'held',
        reason: 'held',
        review: { approvers: [], required: 1, timeoutMs: 1 },
      };
    }
    if (/^\w+ \/srv\/open\//.test(facts.text)) return { action: 'allow', rule: 'open' };
    return { action: 'deny', rule: 'default', reason: 'no rule allows it' };
  },
};

test('a file action is submitted as written when every reading of every end is allowed', () => {
  const payload = { operation: 'upload', path: '/srv/open/a', resolved_path: '/srv/open/dir/a' };
  assert.equal(strictestReading(session, payload).payload, payload);
  const rename = { operation: 'rename', path: '/srv/open/a', target: '/srv/open/b' };
  assert.equal(strictestReading(session, rename).payload, rename);
});

test('the reading that is not allowed decides, and is named in the payload', () => {
  const through = { operation: 'upload', path: '/srv/open/x/passwd', resolved_path: '/etc/passwd' };
  assert.deepEqual(strictestReading(session, through).payload, {
    ...through,
    judged_reading: 'resolved_path',
  });
  const out = { operation: 'rename', path: '/srv/open/a', target: '/etc/a' };
  assert.deepEqual(strictestReading(session, out).payload, { ...out, judged_reading: 'target' });
  const linked = {
    operation: 'rename',
    path: '/srv/open/a',
    target: '/srv/open/x/a',
    resolved_target: '/etc/a',
  };
  assert.deepEqual(strictestReading(session, linked).payload, {
    ...linked,
    judged_reading: 'resolved_target',
  });
  const held = { operation: 'upload', path: '/srv/open/h/f', resolved_path: '/srv/held/f' };
  const heldChoice = strictestReading(session, held);
  assert.equal(heldChoice.payload.judged_reading, undefined, 'the plain reading is held already');
  assert.equal(heldChoice.decision.action, 'review');
});

test('the judged reading is the text, and the written one stays among the readings', () => {
  const facts = describeSshAction('ssh.file', {
    operation: 'upload',
    path: '/srv/open/x/passwd',
    resolved_path: '/etc/passwd',
    judged_reading: 'resolved_path',
  })!;
  assert.equal(facts.text, 'upload /etc/passwd');
  assert.ok(facts.alternateTexts.includes('upload /srv/open/x/passwd'));
  // An unknown or empty reading leaves the text as written.
  for (const judged_reading of ['path', 'nonsense', 'target']) {
    const plain = describeSshAction('ssh.file', { operation: 'upload', path: '/srv/a', judged_reading })!;
    assert.equal(plain.text, 'upload /srv/a');
  }
});
