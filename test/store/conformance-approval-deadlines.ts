// The ApprovalStore contract for deadlines and the per-requester cap: overdue requests earliest
// deadline first, paged by a cursor, whatever the number of newer ones; no vote counted at or after
// a request's deadline, closed by a sweep or not; and one requester's pending count, case-folded as
// sameSubject folds it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approval, at, type StoreFactory, vote, withStore } from './conformance-support.js';

export function approvalDeadlineConformance(factory: StoreFactory): void {
  test('listOverdueApprovals: pending requests due by a time, earliest deadline first, in pages', () =>
    withStore(factory, async ({ approvals }) => {
      // Created newest-last but due in another order; one decided, one not due yet.
      await approvals.createApproval(approval('b', { createdAt: at(1), expiresAt: at(20) }));
      await approvals.createApproval(approval('a', { createdAt: at(2), expiresAt: at(10) }));
      await approvals.createApproval(approval('c', { createdAt: at(3), expiresAt: at(20) }));
      await approvals.createApproval(approval('decided', { createdAt: at(4), expiresAt: at(5) }));
      await approvals.createApproval(approval('later', { createdAt: at(5), expiresAt: at(99) }));
      // Decided well before its deadline: a vote is judged by when the store holds the request.
      await approvals.addVote('decided', vote('carol', 'deny', -60_000));
      // Newer requests, not due, fill a page of the newest many times over.
      for (let n = 0; n < 30; n++)
        await approvals.createApproval(approval(`new-${n}`, { createdAt: at(10 + n), expiresAt: at(500) }));

      const ids = async (limit: number, after?: { expiresAt: string; id: string }) =>
        (await approvals.listOverdueApprovals(at(20), limit, after)).map((r) => r.id);
      assert.deepEqual(await ids(10), ['a', 'b', 'c'], 'due at or before the time, ties by id');
      assert.deepEqual(await ids(2), ['a', 'b']);
      assert.deepEqual(await ids(2, { expiresAt: at(20), id: 'b' }), ['c'], 'after the cursor');
      assert.deepEqual(await ids(2, { expiresAt: at(20), id: 'c' }), []);
      assert.deepEqual(await ids(5, { expiresAt: at(10), id: 'a' }), ['b', 'c']);
      const [first] = await approvals.listOverdueApprovals(at(20), 1);
      assert.deepEqual(first, await approvals.getApproval('a'), 'whole records, votes included');

      await approvals.closeApproval('a', 'expired', at(21));
      assert.deepEqual(await ids(10), ['b', 'c'], 'closed requests are not overdue');
    }));

  test('addVote: a vote at or after the deadline is refused as closed and stored nowhere, sweep or no sweep', () =>
    withStore(factory, async ({ approvals }) => {
      for (const id of ['late', 'due', 'denied-late'])
        await approvals.createApproval(approval(id, { expiresAt: at(100) }));
      await approvals.createApproval(approval('on-time', { expiresAt: at(60_000) }));
      // No sweep has closed them yet: the store itself knows the request's deadline.
      assert.deepEqual(await approvals.addVote('late', vote('carol', 'approve', 101)), { outcome: 'closed' });
      assert.deepEqual(await approvals.addVote('due', vote('carol', 'approve', 100)), { outcome: 'closed' });
      assert.deepEqual(await approvals.addVote('denied-late', vote('carol', 'deny', 150)), {
        outcome: 'closed',
      });
      for (const id of ['late', 'due', 'denied-late']) {
        const record = await approvals.getApproval(id);
        assert.deepEqual([record?.status, record?.votes], ['pending', []], id);
      }
      const overdue = (await approvals.listOverdueApprovals(at(100), 10)).map((r) => r.id).sort();
      assert.deepEqual(overdue, ['denied-late', 'due', 'late'], 'left to the sweep to close');
      // A vote before the deadline counts.
      const onTime = await approvals.addVote('on-time', vote('carol', 'approve', 50));
      assert.equal(onTime.outcome === 'recorded' && onTime.record.status, 'approved');
    }));

  test('countPendingApprovals: one requester, any ASCII case, pending held actions and access requests', () =>
    withStore(factory, async ({ approvals }) => {
      const bob = { subject: 'Bob@Example.com', kind: 'user' as const, groups: [] };
      await approvals.createApproval(approval('p1', { requester: bob }));
      await approvals.createApproval(approval('p2', { requester: { ...bob, subject: 'bob@example.com' } }));
      await approvals.createApproval(approval('p3', { requester: bob, kind: 'access', rule: null }));
      await approvals.createApproval(approval('bg', { requester: bob, kind: 'break-glass', rule: null }));
      await approvals.createApproval(approval('done', { requester: bob }));
      await approvals.closeApproval('done', 'withdrawn', at(1));
      await approvals.createApproval(approval('other'));
      // The Kelvin sign is not a k: only ASCII letters fold (core/events.ts subjectKey).
      await approvals.createApproval(approval('kelvin', { requester: { ...bob, subject: '\u212Aate' } }));

      assert.equal(await approvals.countPendingApprovals('BOB@example.COM'), 3);
      assert.equal(await approvals.countPendingApprovals('alice'), 1);
      assert.equal(await approvals.countPendingApprovals('kate'), 0);
      assert.equal(await approvals.countPendingApprovals('nobody'), 0);
    }));
}
