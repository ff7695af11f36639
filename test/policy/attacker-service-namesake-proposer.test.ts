// Attacker: the service account `alice` (made as `vigil token create --service-account alice` makes
// it) beside the user alice, one subject and two holders. A held statement's approval request names
// the model turn that proposed it, searched among the requester's model sessions; searched by
// subject alone, the service account's statement is shown to the reviewer as proposed by the user's
// model turn, with the user's reasoning behind it. Real parts: the gateway, PostgreSQL, the demo
// stand-in model, the official openai and pg clients.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { TOKENS } from '../support/gateway.js';
import { PROPOSAL, type ProposerFixture, startProposerFixture } from '../support/proposer-fixture.js';

let fixture: ProposerFixture;
let serviceAlice: string;

before(async () => {
  fixture = await startProposerFixture('vigil_namesake_proposer');
  serviceAlice = (
    await createServiceToken(fixture.gateway.store.access, {
      name: 'alice',
      connections: ['pg'],
      ttlMs: 3_600_000,
    })
  ).token;
});
after(async () => {
  await fixture?.close();
});

/** Runs the proposal as `token`'s holder; resolves with the request it is held on, left pending. */
async function heldFor(token: string, kind: string): Promise<{ held: ApprovalRecord; end(): Promise<void> }> {
  const db = fixture.client('alice', token);
  db.on('error', () => undefined);
  await db.connect();
  const running = db.query(PROPOSAL);
  running.catch(() => undefined);
  let held: ApprovalRecord | undefined;
  while (!held) {
    const pending = await fixture.gateway.store.approvals.listApprovals({
      status: 'pending',
      kind: 'action',
    });
    held = pending.find((r) => r.requester.kind === kind && r.requester.subject === 'alice');
    if (!held) await new Promise((r) => setTimeout(r, 50));
  }
  return { held, end: () => db.end() };
}

test("the service account alice's held statement is not shown as proposed by the user alice's model turn", async () => {
  const model = new OpenAI({
    baseURL: `${fixture.gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
  });
  const reply = await model.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'Please fix the balance of account 1' }],
  });
  assert.match(reply.choices[0]!.message.content ?? '', /UPDATE accounts/);
  await fixture.gateway.recorder.drain();

  const service = await heldFor(serviceAlice, 'service');
  assert.equal(
    service.held.subject.proposed_by ?? null,
    null,
    `another holder's model turn named: ${JSON.stringify(service.held.subject.proposed_by)}`,
  );
  await service.end();

  // The user alice's own statement is linked to her turn: the link is there to be found.
  const user = await heldFor(TOKENS.alice, 'user');
  const proposedBy = user.held.subject.proposed_by as Record<string, unknown> | undefined;
  const [modelSession] = await fixture.gateway.store.ledger.listSessions({ connection: 'oa' });
  assert.equal(proposedBy?.session_id, modelSession?.id);
  await user.end();
});

test("the user alice's reasoning tree does not link the service account alice's statement to her turn", async () => {
  // A second gateway where UPDATEs run unreviewed, so the service account's statement is recorded.
  const free = await startProposerFixture('vigil_namesake_tree', { reviewUpdates: false });
  try {
    const token = (
      await createServiceToken(free.gateway.store.access, {
        name: 'alice',
        connections: ['pg'],
        ttlMs: 3_600_000,
      })
    ).token;
    const model = new OpenAI({ baseURL: `${free.gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
    await model.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Please fix the balance of account 1' }],
    });
    const db = free.client('alice', token);
    await db.connect();
    assert.equal((await db.query(PROPOSAL)).rowCount, 1);
    await db.end();
    await free.gateway.recorder.drain();

    const [modelSession] = await free.gateway.store.ledger.listSessions({ connection: 'oa' });
    const res = await fetch(`${free.gateway.url}/api/sessions/${modelSession!.id}/tree`, {
      headers: { authorization: `Bearer ${TOKENS.audrey}` },
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const { actions } = JSON.parse(text) as { actions: { action: string }[] };
    assert.deepEqual(actions, [], "the service account's statement is not under the user's turn");
  } finally {
    await free.close();
  }
});
