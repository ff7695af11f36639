// Offboarding: `vigil users disable` (a separate process writing the shared store) cuts a disabled
// identity's open stream within a second, refuses its new requests, and records access.revoked.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { openSharedStore, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

const run = promisify(execFile);
let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  // A slow stream: 1,200 chunks, 50 ms apart (a minute), so it is still open when access is taken
  // away even when the CLI's start takes seconds on a loaded machine.
  model = await startDemoModel({
    host: '127.0.0.1',
    port: 0,
    chunkDelayMs: 50,
    respond: () => ({ text: 'gateways keep watch. '.repeat(400) }),
  });
  gateway = await startTestGateway({
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] }],
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

test('a disabled user is cut mid-stream within 1 s and refused afterwards', async () => {
  const res = await request(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.bob}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'demo',
      stream: true,
      messages: [{ role: 'user', content: 'Write a long story about gateways.' }],
    }),
  });
  assert.equal(res.statusCode, 200);
  const iterator = res.body[Symbol.asyncIterator]();
  await iterator.next(); // the stream is flowing

  const cliArgs = [
    '--import',
    'tsx',
    'src/cli/run.ts',
    '--data',
    gateway.dataDir,
    'users',
    'disable',
    'bob',
    '--reason',
    'contract ended',
  ];
  const streamStart = performance.now();
  await run(process.execPath, cliArgs);
  const disabledAt = performance.now();

  let cutAt = 0;
  try {
    for (;;) {
      const { done } = await iterator.next();
      if (done) break;
    }
    cutAt = performance.now();
  } catch {
    cutAt = performance.now();
  }
  // Measured from the moment the CLI has written the change and exited; the stream itself would run a minute.
  assert.ok(
    cutAt - disabledAt < 1000,
    `the stream ended ${(cutAt - disabledAt).toFixed(0)} ms after the disable`,
  );
  assert.ok(cutAt - streamStart < 50_000, 'the stream was cut, not finished');

  const again = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.bob}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(again.status, 401);
  assert.equal(again.headers.get('x-vigil-error'), 'auth_revoked');

  const sessions = await gateway.store.ledger.listSessions({ identity: 'bob' });
  const events = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  const revoked = events.find((e) => e.type === 'access.revoked');
  assert.equal(revoked?.payload?.reason, 'identity-disabled');
  const response = events.find((e) => e.type === 'llm.response');
  assert.equal(response?.payload?.partial, true, 'the cut stream is recorded as partial');
});

test('the cut follows the write to the shared store within 1 s', async () => {
  const res = await request(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'demo',
      stream: true,
      messages: [{ role: 'user', content: 'Another long story.' }],
    }),
  });
  const iterator = res.body[Symbol.asyncIterator]();
  await iterator.next();
  // A second connection to the store, as the CLI or another replica has.
  const other = await openSharedStore(gateway);
  await other.access.disableIdentity('audrey', new Date().toISOString(), 'test');
  const writtenAt = performance.now();
  await other.close();
  try {
    while (!(await iterator.next()).done);
  } catch {
    // a cut stream may end with an error
  }
  const elapsed = performance.now() - writtenAt;
  assert.ok(elapsed < 1000, `cut ${elapsed.toFixed(0)} ms after the write`);
  assert.equal(model.requests.at(-1)?.outcome, 'aborted');
});
