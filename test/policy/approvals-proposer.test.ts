// A statement a model proposed, then run through Vigil and held for review: the approval request
// names the model turn that proposed it, so the reviewer sees the reasoning behind the action.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { runCli } from '../support/cli.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { PROPOSAL, type ProposerFixture, startProposerFixture } from '../support/proposer-fixture.js';

let fixture: ProposerFixture | undefined;
let gateway: TestGateway;

before(async () => {
  fixture = await startProposerFixture('vigil_proposer');
  ({ gateway } = fixture);
});
after(async () => {
  await fixture?.close();
});

test('the approval request names the model turn that proposed the held statement', async () => {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const reply = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'Please fix the balance of account 1' }],
  });
  assert.match(reply.choices[0]!.message.content ?? '', /UPDATE accounts/);

  const db = fixture!.client('alice', TOKENS.alice);
  await db.connect();
  const running = db.query(PROPOSAL);
  let held = null;
  for (let n = 0; n < 200 && !held; n++) {
    [held] = await gateway.store.approvals.listApprovals({ status: 'pending' });
    if (!held) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(held, 'the statement is held');
  const proposedBy = held.subject.proposed_by as Record<string, unknown>;
  const [modelSession] = await gateway.store.ledger.listSessions({ connection: 'oa' });
  assert.equal(proposedBy.session_id, modelSession!.id);
  assert.equal(proposedBy.evidence, 'code-block');
  const events = await gateway.store.ledger.readSession(modelSession!.id);
  const request = events.find((e) => e.type === 'llm.request');
  assert.equal(proposedBy.request_id, request?.payload?.requestId);

  const shown = await runCli([
    'approvals',
    'show',
    held.id,
    '--gateway',
    gateway.url,
    '--token',
    TOKENS.audrey,
  ]);
  assert.match(shown.stdout, new RegExp(`proposed +by model turn .* in session ${modelSession!.id}`));
  await runCli([
    'approvals',
    'approve',
    '--yes',
    held.id,
    '--reason',
    'the model was right',
    '--gateway',
    gateway.url,
    '--token',
    TOKENS.audrey,
  ]);
  assert.equal((await running).rowCount, 1);
  await db.end();
});
