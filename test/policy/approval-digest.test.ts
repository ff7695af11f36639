// An approval releases only the action its reviewers saw: the held request is bound to the digest of
// exactly what will run, the digest is read back from the stored request when it is decided, and
// any difference refuses the action (approval_mismatch), recorded, with nothing forwarded.
// Real parts throughout: the SQLite store, the recorder, the masker, the approval service.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { actionDigest } from '../../src/core/action-digest.js';
import { approvalsSectionSchema } from '../../src/core/config.js';
import { isVigilError, type VigilError } from '../../src/core/errors.js';
import type { EventDraft, Identity, JsonObject, RecordedEvent, StoredEvent } from '../../src/core/events.js';
import { systemClock } from '../../src/core/ports.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { createMasker } from '../../src/mask/index.js';
import type { ActiveGrant } from '../../src/pipeline/authorize.js';
import { type EventContext, type HeldNotice, Pipeline } from '../../src/pipeline/pipeline.js';
import { ALLOW, Policy, type PolicyVerdict } from '../../src/pipeline/policy.js';
import type { ApprovalNotice } from '../../src/policy/approval-notifier.js';
import { ApprovalService } from '../../src/policy/approval-service.js';
import { GrantCache } from '../../src/policy/grant-cache.js';
import { configSchema, PROTOCOLS } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';

const ALICE: Identity = { subject: 'alice', kind: 'user', groups: ['dev'] };
const CAROL: Identity = { subject: 'carol', kind: 'user', groups: ['dba'] };

const INSERT = 'INSERT INTO t VALUES ($1)';
const DIGEST_A = actionDigest([INSERT, '3']);
const DIGEST_B = actionDigest(['DELETE FROM t WHERE true']);

/** Holds every db.query for one approval by group:dba; lets everything else through. */
const reviewQueries = {
  evaluate(draft: EventDraft): PolicyVerdict {
    if (draft.type !== 'db.query') return { decision: ALLOW, decidedBy: 'default', alerts: [] };
    return {
      decision: {
        action: 'review',
        rule: 'review-writes',
        reason: 'writes need a second pair of eyes',
        review: { approvers: ['group:dba'], required: 1, timeoutMs: 60_000 },
      },
      decidedBy: 'review-writes',
      alerts: [],
    };
  },
};

async function harness(options: { breakGlass?: ActiveGrant } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-approval-digest-'));
  const store = await openStore(configSchema.parse({ append_in_worker: false }), dataDir);
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  const notices: ApprovalNotice[] = [];
  const errors: string[] = [];
  const logger = { warn: () => undefined, error: (_: object, m: string) => void errors.push(m) };
  const approvals = approvalsSectionSchema.parse({});
  let pipeline: Pipeline | null = null;
  const service = new ApprovalService({
    describeAction: PROTOCOLS.describeAction,
    store: store.approvals,
    record: (ctx, type, payload) => pipeline!.observe(ctx, type, payload),
    openSession: () => Promise.reject(new Error('no access requests here')),
    endSession: async () => undefined,
    notifier: { notify: (n) => void notices.push(n) },
    maskText: (text, connection) => pipeline!.masker.maskText(text, connection),
    grants: new GrantCache(store.approvals, systemClock),
    clock: systemClock,
    config: () => approvals,
    logger,
  });
  pipeline = new Pipeline({
    approver: service,
    grants: { activeGrant: () => options.breakGlass ?? null },
    authenticator: { authenticate: () => Promise.reject(new Error('not used')), knowsPublicKey: () => false },
    masker: createMasker({ fingerprintKey: Buffer.alloc(32, 7) }),
    recorder,
    policy: new Policy([], reviewQueries),
    clock: systemClock,
    onRecordFailure: 'fail-closed',
    logger,
  });
  let sessions = 0;
  const ctx = (): EventContext => ({
    sessionId: `s-${++sessions}`,
    connection: 'pg',
    identity: ALICE,
    protocol: 'postgres',
  });

  /** Submits a statement and resolves with the approval id once it is held (the submit keeps waiting). */
  const hold = (context: EventContext, digest: string | undefined) => {
    let heldResolve: (n: HeldNotice) => void = () => undefined;
    const held = new Promise<HeldNotice>((resolve) => {
      heldResolve = resolve;
    });
    const released = pipeline!.submit(
      context,
      'db.query',
      { sql: INSERT, params: ['3'] },
      { onHeld: heldResolve, ...(digest === undefined ? {} : { actionDigest: digest }) },
    );
    // The outcome is asserted by each test; this keeps an early rejection from going unhandled.
    released.catch(() => undefined);
    return { held, released };
  };

  return {
    store,
    service,
    pipeline,
    notices,
    errors,
    ctx,
    hold,
    events: (sessionId: string): Promise<StoredEvent[]> => store.ledger.readSession(sessionId),
    setStoredDigest: (id: string, digest: string | null) =>
      // As an attacker with write access to the database: the row changes under the service.
      sqliteDatabase(store).prepare('UPDATE approvals SET action_digest = ? WHERE id = ?').run(digest, id),
    close: async () => {
      service.stop();
      await recorder.drain();
      await store.close();
    },
  };
}

function payloadOf(events: readonly StoredEvent[], type: string): JsonObject[] {
  return events.filter((e) => e.type === type).map((e) => e.payload ?? {});
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<VigilError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isVigilError(err), `expected a VigilError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

/** The refusal is in the ledger and no db.query was recorded as run (nothing named an approval). */
function assertRefusedInLedger(events: readonly StoredEvent[], approvalId: string, approved: unknown): void {
  const refusals = payloadOf(events, 'policy.decision').filter((d) => d.rule === 'approval_mismatch');
  assert.equal(refusals.length, 1, 'one recorded refusal');
  assert.equal(refusals[0]!.action, 'deny');
  assert.equal(refusals[0]!.approval_id, approvalId);
  assert.equal(refusals[0]!.subject_type, 'db.query');
  assert.equal(refusals[0]!.approved_digest, approved);
  assert.deepEqual(payloadOf(events, 'db.query'), [], 'the action was never recorded as run');
}

test('held with digest A, approved, released with A: allowed, and every record names A', async () => {
  const h = await harness();
  try {
    const ctx = h.ctx();
    const { held, released } = h.hold(ctx, DIGEST_A);
    const { approvalId } = await held;

    const stored = await h.store.approvals.getApproval(approvalId);
    assert.equal(stored?.actionDigest, DIGEST_A, 'stored with the request (and so in the API views)');
    const requested = payloadOf(await h.events(ctx.sessionId), 'approval.requested');
    assert.equal(requested.length, 1);
    assert.equal(requested[0]!.action_digest, DIGEST_A);
    assert.equal(h.notices[0]?.kind, 'approval.requested');
    assert.equal(h.notices[0]?.action_digest, DIGEST_A, 'webhooks are shown the digest');

    await h.service.decide(approvalId, CAROL, 'approve', 'ticket OPS-1');
    const recorded = await released;
    assert.ok(recorded);
    assert.deepEqual(recorded.payload.approval, {
      id: approvalId,
      approved_by: ['carol'],
      action_digest: DIGEST_A,
    });
    const run = payloadOf(await h.events(ctx.sessionId), 'db.query');
    assert.equal(run.length, 1);
    assert.deepEqual(run[0]!.approval, { id: approvalId, approved_by: ['carol'], action_digest: DIGEST_A });
    assert.equal(
      payloadOf(await h.events(ctx.sessionId), 'policy.decision').length,
      0,
      'no refusal was recorded',
    );

    // The adapter's last-moment check passes for the approved bytes.
    await h.pipeline.assertApproved(recorded, DIGEST_A);
  } finally {
    await h.close();
  }
});

test('a digest altered in the store before the approval: release refuses with approval_mismatch, recorded', async () => {
  const h = await harness();
  try {
    const ctx = h.ctx();
    const { held, released } = h.hold(ctx, DIGEST_A);
    const { approvalId } = await held;
    // Someone with write access to the database swaps what the reviewers will be approving.
    h.setStoredDigest(approvalId, DIGEST_B);
    await h.service.decide(approvalId, CAROL, 'approve', 'looks fine');

    const err = await rejectsWith(released, 'approval_mismatch');
    assert.equal(err.details?.approval_id, approvalId);
    assertRefusedInLedger(await h.events(ctx.sessionId), approvalId, DIGEST_B);
  } finally {
    await h.close();
  }
});

test('a decision taken on another replica is checked against the stored digest too (poll path)', async () => {
  const h = await harness();
  try {
    const ctx = h.ctx();
    const { held, released } = h.hold(ctx, DIGEST_A);
    const { approvalId } = await held;
    h.setStoredDigest(approvalId, DIGEST_B);
    // Another replica's vote lands in the shared store; this gateway learns of it by polling.
    const voted = await h.store.approvals.addVote(approvalId, {
      reviewer: CAROL,
      decision: 'approve',
      reason: 'from replica 2',
      at: new Date().toISOString(),
    });
    assert.equal(voted.outcome, 'recorded');
    await h.service.poll();

    await rejectsWith(released, 'approval_mismatch');
    assertRefusedInLedger(await h.events(ctx.sessionId), approvalId, DIGEST_B);
  } finally {
    await h.close();
  }
});

test('one side missing refuses: a stored request without a digest, or a digest the submit never gave', async () => {
  const h = await harness();
  try {
    const dropped = h.ctx();
    const first = h.hold(dropped, DIGEST_A);
    const firstId = (await first.held).approvalId;
    h.setStoredDigest(firstId, null);
    await h.service.decide(firstId, CAROL, 'approve', 'ok');
    await rejectsWith(first.released, 'approval_mismatch');
    assertRefusedInLedger(await h.events(dropped.sessionId), firstId, null);

    const added = h.ctx();
    const second = h.hold(added, undefined);
    const secondId = (await second.held).approvalId;
    assert.equal((await h.store.approvals.getApproval(secondId))?.actionDigest, null);
    h.setStoredDigest(secondId, DIGEST_B);
    await h.service.decide(secondId, CAROL, 'approve', 'ok');
    await rejectsWith(second.released, 'approval_mismatch');
    assertRefusedInLedger(await h.events(added.sessionId), secondId, DIGEST_B);
  } finally {
    await h.close();
  }
});

test('no digest on either side still releases (an adapter that binds nothing), and says so', async () => {
  const h = await harness();
  try {
    const ctx = h.ctx();
    const { held, released } = h.hold(ctx, undefined);
    const { approvalId } = await held;
    assert.equal(payloadOf(await h.events(ctx.sessionId), 'approval.requested')[0]!.action_digest, null);
    await h.service.decide(approvalId, CAROL, 'approve', 'ok');
    const recorded = await released;
    assert.ok(recorded);
    assert.deepEqual(recorded.payload.approval, {
      id: approvalId,
      approved_by: ['carol'],
    });
    // Bytes computed later cannot claim an approval that bound none.
    await rejectsWith(h.pipeline.assertApproved(recorded, DIGEST_A), 'approval_mismatch');
  } finally {
    await h.close();
  }
});

test('released with A, about to send something else: assertApproved refuses and records it', async () => {
  const h = await harness();
  try {
    const ctx = h.ctx();
    const { held, released } = h.hold(ctx, DIGEST_A);
    const { approvalId } = await held;
    await h.service.decide(approvalId, CAROL, 'approve', 'ok');
    const recorded = await released;

    await rejectsWith(h.pipeline.assertApproved(recorded, DIGEST_B), 'approval_mismatch');
    const refusals = payloadOf(await h.events(ctx.sessionId), 'policy.decision');
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]!.rule, 'approval_mismatch');
    assert.equal(refusals[0]!.approval_id, approvalId);
    assert.equal(refusals[0]!.approved_digest, DIGEST_A);
    assert.equal(refusals[0]!.action_digest, DIGEST_B);

    // A look-alike event (same fields, not the one submit returned) vouches for nothing held.
    const forged: RecordedEvent = { ...recorded!, payload: { ...recorded!.payload } };
    await h.pipeline.assertApproved(forged, DIGEST_B);
    assert.equal(payloadOf(await h.events(ctx.sessionId), 'policy.decision').length, 1);
  } finally {
    await h.close();
  }
});

test('without a review nothing is checked: an allowed action and a break-glass release', async () => {
  const h = await harness();
  try {
    const ctx = h.ctx();
    const allowed = await h.pipeline.submit(ctx, 'llm.request', { body: '{}' }, { actionDigest: DIGEST_A });
    await h.pipeline.assertApproved(allowed, DIGEST_B);
    assert.equal((await h.store.approvals.listApprovals()).length, 0, 'nothing was held');
  } finally {
    await h.close();
  }
  const glass = await harness({
    breakGlass: { id: 'gr_1', breakGlass: true, expiresAt: '2999-01-01T00:00:00.000Z' },
  });
  try {
    const ctx = glass.ctx();
    const recorded = await glass.pipeline.submit(
      ctx,
      'db.query',
      { sql: INSERT },
      { actionDigest: DIGEST_A },
    );
    assert.equal(recorded?.payload.break_glass, 'gr_1');
    await glass.pipeline.assertApproved(recorded, DIGEST_B);
    assert.equal((await glass.store.approvals.listApprovals()).length, 0, 'nothing was held');
  } finally {
    await glass.close();
  }
});
