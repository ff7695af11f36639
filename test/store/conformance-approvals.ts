// The ApprovalStore contract: requests and their votes (N-of-M, one deny denies, one vote per
// reviewer, nothing after closing), listings, statuses, grants and their version; and a reference
// model of the vote rules checked on generated sequences. SQLite-only cases (a row changed under
// the store, migrations, connections racing across threads) stay in src/store/sqlite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { actionDigest } from '../../src/core/action-digest.js';
import type { ApprovalStatus } from '../../src/core/ports.js';
import { approval, at, grant, type StoreFactory, vote, withStore } from './conformance-support.js';

type Step =
  | { readonly op: 'vote'; readonly reviewer: number; readonly decision: 'approve' | 'deny' }
  | { readonly op: 'close'; readonly status: 'expired' | 'withdrawn' };

/** The specification, as plainly as it can be written. */
function referenceModel(required: number, steps: readonly Step[]) {
  let status: ApprovalStatus = 'pending';
  const voted = new Set<number>();
  let approves = 0;
  const outcomes: string[] = [];
  for (const step of steps) {
    if (step.op === 'close') {
      outcomes.push(String(status === 'pending'));
      if (status === 'pending') status = step.status;
      continue;
    }
    if (status !== 'pending') outcomes.push('closed');
    else if (voted.has(step.reviewer)) outcomes.push('duplicate');
    else {
      outcomes.push('recorded');
      voted.add(step.reviewer);
      if (step.decision === 'deny') status = 'denied';
      else if (++approves >= required) status = 'approved';
    }
  }
  return { status, outcomes, votes: voted.size };
}

export function approvalConformance(factory: StoreFactory): void {
  test('an approval round-trips through create and get; unknown ids are null', () =>
    withStore(factory, async ({ approvals }) => {
      const record = approval('a1', { rule: null, kind: 'access', required: 2 });
      await approvals.createApproval(record);
      assert.deepEqual(await approvals.getApproval('a1'), record);
      assert.equal(await approvals.getApproval('nope'), null);
    }));

  test('a held action keeps its digest through create, list and the vote that decides it', () =>
    withStore(factory, async ({ approvals }) => {
      const digest = actionDigest(['DELETE FROM t WHERE id = $1', '7']);
      await approvals.createApproval(approval('held', { actionDigest: digest, required: 2 }));
      await approvals.createApproval(approval('bare'));
      assert.equal((await approvals.getApproval('held'))?.actionDigest, digest);
      assert.equal((await approvals.getApproval('bare'))?.actionDigest, null);
      assert.deepEqual((await approvals.listApprovals()).map((r) => [r.id, r.actionDigest]).sort(), [
        ['bare', null],
        ['held', digest],
      ]);
      await approvals.addVote('held', vote('carol', 'approve', 1));
      const decided = await approvals.addVote('held', vote('dave', 'approve', 2));
      assert.ok(decided.outcome === 'recorded');
      assert.equal(decided.record.status, 'approved');
      assert.equal(decided.record.actionDigest, digest, 'the decided record is read back with its digest');
    }));

  test('listApprovals is newest first, filters by status and kind, and limits (200 by default)', () =>
    withStore(factory, async ({ approvals }) => {
      await approvals.createApproval(approval('old', { createdAt: at(1) }));
      await approvals.createApproval(approval('mid', { createdAt: at(2), kind: 'access' }));
      await approvals.createApproval(approval('new', { createdAt: at(3), kind: 'break-glass' }));
      await approvals.addVote('mid', vote('carol', 'approve', 10));

      assert.deepEqual(
        (await approvals.listApprovals()).map((r) => r.id),
        ['new', 'mid', 'old'],
      );
      assert.deepEqual(
        (await approvals.listApprovals({ status: 'pending' })).map((r) => r.id),
        ['new', 'old'],
      );
      assert.deepEqual(
        (await approvals.listApprovals({ kind: 'access' })).map((r) => [r.id, r.status, r.votes.length]),
        [['mid', 'approved', 1]],
      );
      assert.deepEqual(await approvals.listApprovals({ status: 'approved', kind: 'action' }), []);
      assert.deepEqual(
        (await approvals.listApprovals({ limit: 2 })).map((r) => r.id),
        ['new', 'mid'],
      );

      for (let i = 0; i < 205; i++)
        await approvals.createApproval(approval(`bulk-${i}`, { createdAt: at(100 + i) }));
      const listed = await approvals.listApprovals();
      assert.equal(listed.length, 200);
      assert.equal(listed[0]!.id, 'bulk-204');
    }));

  test('N-of-M: the required-th approve approves, earlier ones leave it pending; votes keep their order', () =>
    withStore(factory, async ({ approvals }) => {
      await approvals.createApproval(approval('a', { required: 3 }));

      const first = await approvals.addVote('a', vote('carol', 'approve', 30));
      assert.equal(first.outcome, 'recorded');
      assert.equal(first.outcome === 'recorded' && first.record.status, 'pending');
      assert.equal(first.outcome === 'recorded' && first.record.decidedAt, null);

      const second = await approvals.addVote('a', vote('dave', 'approve', 10));
      assert.equal(second.outcome === 'recorded' && second.record.status, 'pending');

      const third = await approvals.addVote('a', vote('erin', 'approve', 20));
      assert.ok(third.outcome === 'recorded');
      assert.equal(third.record.status, 'approved');
      assert.equal(third.record.decidedAt, at(20));
      assert.deepEqual(
        third.record.votes.map((v) => v.reviewer.subject),
        ['dave', 'erin', 'carol'],
        'ordered by time, not by arrival',
      );
      assert.deepEqual(third.record.votes[0], vote('dave', 'approve', 10));
      assert.deepEqual(await approvals.getApproval('a'), third.record);
    }));

  test('a count raised since the request was made holds; a lower one does not release it sooner', () =>
    withStore(factory, async ({ approvals }) => {
      await approvals.createApproval(approval('a', { required: 1 }));
      const first = await approvals.addVote('a', vote('carol', 'approve', 1), 2);
      assert.equal(first.outcome === 'recorded' && first.record.status, 'pending');
      const second = await approvals.addVote('a', vote('dave', 'approve', 2), 2);
      assert.equal(second.outcome === 'recorded' && second.record.status, 'approved');

      await approvals.createApproval(approval('b', { required: 2 }));
      const lowered = await approvals.addVote('b', vote('carol', 'approve', 3), 1);
      assert.equal(lowered.outcome === 'recorded' && lowered.record.status, 'pending');
    }));

  test('a single deny denies, even after approvals', () =>
    withStore(factory, async ({ approvals }) => {
      await approvals.createApproval(approval('a', { required: 3 }));
      await approvals.addVote('a', vote('carol', 'approve', 1));
      const denied = await approvals.addVote('a', vote('dave', 'deny', 2));
      assert.ok(denied.outcome === 'recorded');
      assert.equal(denied.record.status, 'denied');
      assert.equal(denied.record.decidedAt, at(2));
      assert.deepEqual(
        denied.record.votes.map((v) => v.decision),
        ['approve', 'deny'],
      );
    }));

  test('a reviewer votes once; votes on closed or unknown requests are refused and not stored', () =>
    withStore(factory, async ({ approvals }) => {
      await approvals.createApproval(approval('a', { required: 2 }));
      await approvals.addVote('a', vote('carol', 'approve', 1));
      assert.deepEqual(await approvals.addVote('a', vote('carol', 'approve', 2)), { outcome: 'duplicate' });
      assert.deepEqual(await approvals.addVote('a', vote('carol', 'deny', 3)), { outcome: 'duplicate' });
      // The same person under another spelling of the subject's case (a second provider account).
      assert.deepEqual(await approvals.addVote('a', vote('Carol', 'approve', 3)), { outcome: 'duplicate' });
      assert.equal((await approvals.getApproval('a'))?.status, 'pending');

      await approvals.addVote('a', vote('dave', 'approve', 4));
      assert.deepEqual(await approvals.addVote('a', vote('erin', 'deny', 5)), { outcome: 'closed' });
      const after = await approvals.getApproval('a');
      assert.equal(after?.status, 'approved');
      assert.equal(after?.votes.length, 2);

      assert.deepEqual(await approvals.addVote('missing', vote('carol', 'approve', 6)), {
        outcome: 'unknown',
      });
    }));

  test('closeApproval only closes a pending request', () =>
    withStore(factory, async ({ approvals }) => {
      await approvals.createApproval(approval('a'));
      await approvals.createApproval(approval('b'));
      assert.equal(await approvals.closeApproval('a', 'expired', at(5)), true);
      assert.equal(await approvals.closeApproval('a', 'withdrawn', at(6)), false);
      const closed = await approvals.getApproval('a');
      assert.equal(closed?.status, 'expired');
      assert.equal(closed?.decidedAt, at(5));
      assert.deepEqual(await approvals.addVote('a', vote('carol', 'approve', 7)), { outcome: 'closed' });

      await approvals.addVote('b', vote('carol', 'approve', 8));
      assert.equal(await approvals.closeApproval('b', 'expired', at(9)), false);
      assert.equal((await approvals.getApproval('b'))?.status, 'approved');
      assert.equal((await approvals.getApproval('b'))?.decidedAt, at(8));

      assert.equal(await approvals.closeApproval('missing', 'expired', at(10)), false);
    }));

  test('approvalStatuses reports known ids only', () =>
    withStore(factory, async ({ approvals }) => {
      await approvals.createApproval(approval('a'));
      await approvals.createApproval(approval('b'));
      await approvals.closeApproval('b', 'withdrawn', at(1));
      assert.deepEqual(
        await approvals.approvalStatuses(['a', 'b', 'zzz']),
        new Map<string, ApprovalStatus>([
          ['a', 'pending'],
          ['b', 'withdrawn'],
        ]),
      );
      assert.deepEqual(await approvals.approvalStatuses([]), new Map());
    }));

  test('grants: round trip, active filtering, subject and connection filters, revocation, version', () =>
    withStore(factory, async ({ approvals }) => {
      const v0 = await approvals.grantsVersion();

      const active = grant('g-active', { createdAt: at(3) });
      const expired = grant('g-expired', { createdAt: at(1), expiresAt: at(50) });
      const other = grant('g-other', {
        createdAt: at(2),
        subject: 'bob',
        connection: 'ssh-bastion',
        approvalId: null,
        breakGlass: true,
      });
      for (const g of [active, expired, other]) await approvals.createGrant(g);
      assert.equal(await approvals.grantsVersion(), v0 + 3);

      assert.deepEqual(await approvals.getGrant('g-other'), other);
      assert.equal(await approvals.getGrant('missing'), null);
      assert.deepEqual(
        (await approvals.listGrants()).map((g) => g.id),
        ['g-active', 'g-other', 'g-expired'],
      );
      assert.deepEqual(
        (await approvals.listGrants({ activeAt: at(100) })).map((g) => g.id),
        ['g-active', 'g-other'],
      );
      assert.deepEqual(
        (await approvals.listGrants({ activeAt: at(50) })).map((g) => g.id),
        ['g-active', 'g-other'],
        'a grant is no longer active at its expiry instant',
      );
      assert.deepEqual(
        (await approvals.listGrants({ subject: 'alice' })).map((g) => g.id),
        ['g-active', 'g-expired'],
      );
      assert.deepEqual(
        (await approvals.listGrants({ subject: 'bob', connection: 'ssh-bastion' })).map((g) => g.id),
        ['g-other'],
      );
      assert.deepEqual(await approvals.listGrants({ subject: 'bob', connection: 'prod-db' }), []);

      assert.equal(await approvals.revokeGrant('g-active', at(200), 'carol'), true);
      assert.equal(await approvals.grantsVersion(), v0 + 4);
      assert.equal(await approvals.revokeGrant('g-active', at(300), 'dave'), false);
      assert.equal(await approvals.revokeGrant('missing', at(300), 'dave'), false);
      assert.equal(await approvals.grantsVersion(), v0 + 4, 'a refused revocation changes nothing');

      const revoked = await approvals.getGrant('g-active');
      assert.equal(revoked?.revokedAt, at(200));
      assert.equal(revoked?.revokedBy, 'carol');
      assert.deepEqual(
        (await approvals.listGrants({ activeAt: at(100) })).map((g) => g.id),
        ['g-other'],
      );
    }));

  test("grants: the grantee's kind round-trips and filters, a user and a service account of one name apart", () =>
    withStore(factory, async ({ approvals }) => {
      const user = grant('g-user-deploy', { subject: 'deploy', createdAt: at(1) });
      const service = grant('g-service-deploy', {
        subject: 'deploy',
        subjectKind: 'service',
        createdAt: at(2),
      });
      for (const g of [user, service]) await approvals.createGrant(g);
      assert.deepEqual(await approvals.getGrant('g-user-deploy'), user);
      assert.deepEqual(await approvals.getGrant('g-service-deploy'), service);
      assert.deepEqual(
        (await approvals.listGrants({ subject: 'deploy' })).map((g) => [g.id, g.subjectKind]),
        [
          ['g-service-deploy', 'service'],
          ['g-user-deploy', 'user'],
        ],
      );
      assert.deepEqual(
        (await approvals.listGrants({ subject: 'deploy', subjectKind: 'user' })).map((g) => g.id),
        ['g-user-deploy'],
      );
      assert.deepEqual(
        (await approvals.listGrants({ activeAt: at(100), subject: 'deploy', subjectKind: 'service' })).map(
          (g) => g.id,
        ),
        ['g-service-deploy'],
      );
      assert.deepEqual(await approvals.listGrants({ subject: 'deploy', subjectKind: 'anonymous' }), []);
    }));

  test('property: any sequence of votes and closes ends as the reference model says', () =>
    withStore(factory, async ({ approvals }) => {
      let run = 0;
      const stepArb: fc.Arbitrary<Step> = fc.oneof(
        {
          weight: 9,
          arbitrary: fc.record({
            op: fc.constant('vote' as const),
            reviewer: fc.integer({ min: 0, max: 5 }),
            decision: fc.constantFrom('approve' as const, 'deny' as const),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            op: fc.constant('close' as const),
            status: fc.constantFrom('expired' as const, 'withdrawn' as const),
          }),
        },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.array(stepArb, { maxLength: 12 }),
          async (required, steps) => {
            const id = `prop-${run++}`;
            await approvals.createApproval(approval(id, { required }));
            const outcomes: string[] = [];
            for (const [i, step] of steps.entries()) {
              if (step.op === 'close')
                outcomes.push(String(await approvals.closeApproval(id, step.status, at(i))));
              else {
                const result = await approvals.addVote(id, vote(`r${step.reviewer}`, step.decision, i));
                outcomes.push(result.outcome);
              }
            }
            const expected = referenceModel(required, steps);
            const record = (await approvals.getApproval(id))!;
            assert.deepEqual(outcomes, expected.outcomes);
            assert.equal(record.status, expected.status);
            assert.equal(record.votes.length, expected.votes);
            assert.equal(record.decidedAt === null, expected.status === 'pending');
          },
        ),
        { numRuns: 300 },
      );
    }));
}
