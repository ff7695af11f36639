// Hostile HTTP input on the data path and the admin API: each is answered with its stable code,
// refusals are recorded as access.denied without a fragment of what was sent, nothing reaches the
// upstream, and the gateway keeps serving with a ledger that verifies.
import assert from 'node:assert/strict';
import { request as rawRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { MAX_JSON_DEPTH } from '../../src/http/json-depth.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    max_body_bytes: 1024 * 1024,
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] },
      { name: 'an', type: 'llm-anthropic', upstream: model.url, allow: ['group:ai-eng'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const KEY_FRAGMENTS = Array.from({ length: AWS_KEY_ID.length - 3 }, (_, i) => AWS_KEY_ID.slice(i, i + 4));
const asAlice = { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' };

/** The first 4-character piece of the key found in `text`, or null. */
function keyFragmentIn(text: string): string | null {
  return KEY_FRAGMENTS.find((f) => text.includes(f)) ?? null;
}

async function call(path: string, init: RequestInit) {
  const res = await fetch(gateway.url + path, init);
  const text = await res.text();
  const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
  return { status: res.status, code: body.error?.code, header: res.headers.get('x-vigil-error'), text };
}

interface EventRow {
  type: string;
  subject: string;
  connection: string;
  payload: string | null;
}

async function storedEvents(): Promise<EventRow[]> {
  await gateway.recorder.drain();
  return sqliteDatabase(gateway.store).prepare('SELECT * FROM events ORDER BY idx').all() as EventRow[];
}

async function deniedCodes(subject: string): Promise<string[]> {
  return (await storedEvents())
    .filter((e) => e.type === 'access.denied' && e.subject === subject && e.payload !== null)
    .map((e) => (JSON.parse(e.payload!) as { code: string }).code);
}

/** Bodies an attacker would send to make the JSON parser quote the key back in its error message. */
function brokenBodiesAroundTheKey(): string[] {
  const prefix = '{"model":"demo","messages":[{"role":"user","content":';
  const quoted = `${prefix}"${AWS_KEY_ID}"}]}`;
  const keyStart = prefix.length + 1;
  const bodies: string[] = [];
  // Truncated at every byte from the opening quote to just after the closing one.
  for (let cut = keyStart - 1; cut <= keyStart + AWS_KEY_ID.length + 1; cut++)
    bodies.push(quoted.slice(0, cut));
  // The key unquoted (V8 quotes the input around an unexpected token), whole and truncated.
  bodies.push(`${prefix}${AWS_KEY_ID}}]}`, `${prefix}${AWS_KEY_ID}`, `${prefix}${AWS_KEY_ID.slice(0, 12)}`);
  // A stray character right after the key, inside and outside the string.
  for (const stray of ['x', '\\', '\u0001', '}', ':', '"', ']', 'AKIA'])
    bodies.push(`${prefix}"${AWS_KEY_ID}${stray}`, `${prefix}"${AWS_KEY_ID}"${stray}}]}`);
  // A bad escape in the middle of the key, and trailing garbage after a complete body.
  bodies.push(`${prefix}"AKIA\\qIOSFODNN7EXAMPLE"}]}`, `${quoted}${AWS_KEY_ID}`, `${AWS_KEY_ID}${quoted}`);
  return bodies;
}

test('D8: invalid JSON around a key is refused without a fragment of the key in the answer or the ledger', async () => {
  const upstreamBefore = model.requests.length;
  for (const body of brokenBodiesAroundTheKey()) {
    const r = await call('/c/oa/v1/chat/completions', { method: 'POST', body, headers: asAlice });
    assert.deepEqual([r.status, r.code, r.header], [400, 'body_invalid_json', 'body_invalid_json'], body);
    assert.equal(keyFragmentIn(r.text), null, `the answer to ${JSON.stringify(body)} quotes the key`);
  }
  // The Anthropic connection shares the parser; its error shape must not quote the input either.
  const r = await call('/c/an/v1/messages', {
    method: 'POST',
    body: `{"model":"demo","max_tokens":5,"messages":[{"role":"user","content":${AWS_KEY_ID}}]}`,
    headers: { 'x-api-key': TOKENS.alice },
  });
  assert.deepEqual([r.status, r.code], [400, 'body_invalid_json']);
  assert.equal(keyFragmentIn(r.text), null);
  assert.equal(model.requests.length, upstreamBefore, 'nothing invalid reached the upstream');

  const events = await storedEvents();
  const denials = events.filter((e) => e.type === 'access.denied' && e.subject === 'alice');
  assert.ok(
    denials.filter((e) => e.payload?.includes('"body_invalid_json"')).length >=
      brokenBodiesAroundTheKey().length,
    'every refusal is recorded',
  );
  for (const e of events) {
    // Vigil's own random ids (base64url) could contain a 4-character piece of the key by chance.
    const row = JSON.stringify(e).replace(/\b(?:s|r|a|g|sa|ap|gr)_[A-Za-z0-9_-]{16}\b/g, '<id>');
    assert.equal(keyFragmentIn(row), null, `a recorded ${e.type} carries a piece of the key: ${row}`);
  }
});

test('D8: a syntax error reports where it is, never what is there', async () => {
  const r = await call('/c/oa/v1/chat/completions', {
    method: 'POST',
    body: `{"model":"demo","messages":[{"role":"user","content":"${AWS_KEY_ID}"x}]}`,
    headers: asAlice,
  });
  assert.equal(r.code, 'body_invalid_json');
  assert.match(r.text, /not valid JSON at character \d+/);
});

test('D9: a connection name that is not valid percent-encoding answers 400 uri_malformed', async () => {
  for (const path of [
    '/c/%ff/v1/models',
    '/c/%E0%A4%A/v1/chat/completions',
    '/c/%/v1/models',
    '/c/%C0%AF/v1/models',
  ]) {
    const r = await call(path, { method: path.endsWith('models') ? 'GET' : 'POST', headers: asAlice });
    assert.deepEqual([r.status, r.code, r.header], [400, 'uri_malformed', 'uri_malformed'], path);
  }
});

test('D9: a malformed path parameter of the admin API answers 400 uri_malformed and is recorded', async () => {
  const r = await call('/api/users/%ff/disable', { method: 'POST', body: '{}', headers: asAlice });
  assert.deepEqual([r.status, r.code, r.header], [400, 'uri_malformed', 'uri_malformed']);
  const recorded = (await storedEvents()).some(
    (e) =>
      e.type === 'admin.action' &&
      e.payload?.includes('"/api/users/%ff/disable"') &&
      e.payload.includes('400'),
  );
  assert.ok(recorded, 'the admin call is recorded with its 400');
});

test('D9: an unparseable absolute request target does not crash the gateway', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = rawRequest({
      host: '127.0.0.1',
      port: gateway.port,
      method: 'GET',
      path: 'http://[/c/oa/v1/models',
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.notEqual(status, 500);
  assert.ok(status >= 400 && status < 500, `answered ${status}`);
});

/**
 * A chat body whose nesting depth is exactly `depth`: the top object plus `depth - 1` arrays, after
 * a string full of openers (behind an escaped quote) that must not count.
 */
function chatNestedTo(depth: number): string {
  const pad = '['.repeat(depth - 1) + ']'.repeat(depth - 1);
  const decoy = `"\\"${'[{'.repeat(300)}"`;
  return `{"model":"demo","x_note":${decoy},"messages":[{"role":"user","content":"hi"}],"x_pad":${pad}}`;
}

test('D10: a body nested thousands deep answers 400 body_too_deep and is recorded as access.denied', async () => {
  const upstreamBefore = model.requests.length;
  const deniedBefore = (await deniedCodes('alice')).filter((c) => c === 'body_too_deep').length;
  const deep = [
    `{"model":"m","messages":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    `{"model":"m","messages":${'['.repeat(5000)}`,
    `{"model":"m","messages":[{"role":"user","content":"x"}],"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
    // Closers hidden in a string (after an escaped quote) must not let the real openers around it pass.
    `{"model":"m","messages":${'['.repeat(64)}"\\"${']'.repeat(64)}",${'['.repeat(MAX_JSON_DEPTH - 64)}${']'.repeat(MAX_JSON_DEPTH)}}`,
    chatNestedTo(MAX_JSON_DEPTH + 1),
  ];
  for (const body of deep) {
    const r = await call('/c/oa/v1/chat/completions', { method: 'POST', body, headers: asAlice });
    assert.deepEqual(
      [r.status, r.code, r.header],
      [400, 'body_too_deep', 'body_too_deep'],
      body.slice(0, 80),
    );
  }
  const r = await call('/c/an/v1/messages', {
    method: 'POST',
    body: `{"model":"m","max_tokens":1,"messages":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    headers: { 'x-api-key': TOKENS.alice },
  });
  assert.deepEqual([r.status, r.code], [400, 'body_too_deep']);
  assert.equal(model.requests.length, upstreamBefore, 'nothing too deep reached the upstream');
  const denied = (await deniedCodes('alice')).filter((c) => c === 'body_too_deep').length;
  assert.equal(denied - deniedBefore, deep.length + 1, 'each refusal is recorded as access.denied');
});

test('D10: a body exactly at the depth limit is recorded and forwarded', async () => {
  const upstreamBefore = model.requests.length;
  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    body: chatNestedTo(MAX_JSON_DEPTH),
    headers: asAlice,
  });
  await res.text();
  assert.equal(res.status, 200);
  assert.equal(model.requests.length, upstreamBefore + 1);
});

test('D10: a deeply nested admin API body answers 400 body_too_deep and changes nothing', async () => {
  const body = `{"reason":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const r = await call('/api/users/deep-probe/disable', { method: 'POST', body, headers: asAlice });
  // Needs src/api/admin-api.ts to read bodies with readJsonObject from src/api/http-json.ts.
  assert.deepEqual([r.status, r.code, r.header], [400, 'body_too_deep', 'body_too_deep'], r.text);
  const disabled = await call('/api/users/disabled', { method: 'GET', headers: asAlice });
  assert.doesNotMatch(disabled.text, /deep-probe/);
});

test('a body whose keys an upstream could read differently (repeated, or differing in case) is refused', async () => {
  const before = (await storedEvents()).filter((e) => e.type === 'llm.request').length;
  for (const body of [
    '{"model":"demo","MODEL":"expensive","messages":[{"role":"user","content":"hi"}]}',
    '{"model":"demo","messages":[{"role":"user","content":"hi"}],"messages":[{"role":"user","content":"other"}]}',
  ]) {
    const res = await call('/c/oa/v1/chat/completions', { method: 'POST', headers: asAlice, body });
    assert.equal(res.status, 400, body);
    assert.equal(res.header, 'body_invalid_json');
    assert.match(String(res.text), /differ only in case/);
  }
  const after = (await storedEvents()).filter((e) => e.type === 'llm.request').length;
  assert.equal(after, before, 'neither was recorded as a request, so neither was forwarded');
});

test('the gateway keeps serving, and the ledger verifies', async () => {
  const health = await fetch(`${gateway.url}/healthz`);
  assert.equal(health.status, 200);
  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'still there?' }] }),
    headers: asAlice,
  });
  await res.text();
  assert.equal(res.status, 200);
  await assertLedgerVerifies(gateway);
});
