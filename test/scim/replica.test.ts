// A membership change made on another replica (written to the shared store, as that replica's SCIM
// endpoint does) reaches this gateway through its revocation poll: a provisioned person removed from
// the group a connection's allow list needs loses their open stream within 1 s.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { openSharedStore, startTestGateway, type TestGateway } from '../support/gateway.js';
import { GROUP_SCHEMA, issueScimToken, ScimClient, USER_SCHEMA } from './scim-client.js';

let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({
    host: '127.0.0.1',
    port: 0,
    chunkDelayMs: 50,
    respond: () => ({ text: 'still streaming. '.repeat(200) }),
  });
  gateway = await startTestGateway({
    identity: { scim: { enabled: true } },
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] }],
  });
});
after(async () => {
  await gateway?.close();
  await model?.close();
});

test('a group removal written by another replica cuts the stream within 1 s', async () => {
  const scim = new ScimClient(gateway, await issueScimToken(gateway, 'okta'));
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'rey@example.com' });
  const group = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'ai-eng',
    members: [{ value: user.body.id }],
  });
  assert.equal(group.status, 201);
  const { token } = await gateway.vigilTokens.issue({
    subject: 'rey@example.com',
    groups: ['ai-eng'],
    roles: ['user'],
    ttlMs: 3_600_000,
  });
  const openai = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: token, maxRetries: 0 });
  const stream = await openai.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'go' }],
  });
  const chunks = stream[Symbol.asyncIterator]();
  await chunks.next();

  const other = await openSharedStore(gateway);
  const [stored] = await other.access.listScimGroups();
  await other.access.putScimGroup({ ...stored!, members: [], version: stored!.version + 1 });
  const writtenAt = performance.now();
  await other.close();
  try {
    while (!(await chunks.next()).done);
  } catch {
    // a cut stream may end with an error
  }
  const elapsed = performance.now() - writtenAt;
  assert.ok(elapsed < 1000, `cut ${elapsed.toFixed(0)} ms after the write`);
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ identity: 'rey@example.com' });
  const events = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  assert.equal(events.find((e) => e.type === 'access.revoked')?.payload?.reason, 'group-removed');
  // The token claimed ai-eng, but SCIM manages that group: the claim no longer counts.
  const again = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(again.status, 403);
});
