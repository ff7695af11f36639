import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError } from '../core/errors.js';
import { HeldActions } from './held-actions.js';

function holdOne(held: HeldActions, id: string) {
  const seen = { resolved: 0, rejected: [] as string[], detached: 0, timerFired: false };
  const timer = setTimeout(() => {
    seen.timerFired = true;
  }, 20);
  held.add(id, {
    resolve: () => seen.resolved++,
    reject: (err) => seen.rejected.push(err.code),
    timer,
    detach: () => seen.detached++,
  });
  return seen;
}

test('a released action runs once; its deadline and abort hook are let go', async () => {
  const held = new HeldActions();
  const seen = holdOne(held, 'a1');
  assert.equal(held.size, 1);
  assert.equal(held.release('a1', { approvalId: 'a1', approvedBy: ['bob'], actionDigest: 'd' }), true);
  assert.equal(held.release('a1', { approvalId: 'a1', approvedBy: ['bob'], actionDigest: 'd' }), false);
  held.refuse('a1', new VigilError('approval_denied', 'late'));
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(seen, { resolved: 1, rejected: [], detached: 1, timerFired: false });
  assert.equal(held.has('a1'), false);
});

test('refuseAll refuses every held action with its own error, once', () => {
  const held = new HeldActions();
  const one = holdOne(held, 'a1');
  const two = holdOne(held, 'a2');
  held.refuseAll((id) => new VigilError('approval_withdrawn', `${id} stopped`));
  held.refuseAll((id) => new VigilError('approval_withdrawn', `${id} stopped`));
  assert.deepEqual(one.rejected, ['approval_withdrawn']);
  assert.deepEqual(two.rejected, ['approval_withdrawn']);
  assert.equal(held.size, 0);
});
