import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { Identity } from '../../core/events.js';
import { admissionRequest } from './admission.js';
import { LLM_CONNECTION_TYPES } from './config.js';

const connection = LLM_CONNECTION_TYPES['llm-openai'].parse({
  name: 'oa',
  type: 'llm-openai',
  upstream: 'http://127.0.0.1:1',
});
const alice: Identity = { subject: 'alice', kind: 'user', groups: [] };
const mallory: Identity = { subject: 'mallory', kind: 'user', groups: [] };
const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: { remoteAddress: '127.0.0.9' } } as unknown as IncomingMessage;
}

function admission(headers: Record<string, string>) {
  const r = admissionRequest(request(headers), connection, 'POST', '/v1/chat/completions');
  assert.ok(r.sessionKey, 'model requests are grouped into sessions');
  return { ...r, keyOf: r.sessionKey };
}

test('the token comes from the header the SDK uses; session.start records the client, a refusal the request', () => {
  const r = admission({
    authorization: 'Bearer tok-1',
    'user-agent': 'OpenAI/JS 4.0',
    'x-vigil-session': 'run-42',
  });
  assert.equal(r.credential, 'tok-1');
  assert.equal(r.protocol, 'llm-openai');
  assert.equal(r.connection, connection);
  assert.deepEqual(r.refusalFacts, { method: 'POST', path: '/v1/chat/completions' });
  assert.deepEqual(r.facts, {
    client: '127.0.0.9',
    user_agent: 'OpenAI/JS 4.0',
    external_session: 'run-42',
    trace_id: null,
  });
  assert.equal(admission({ 'x-api-key': 'tok-2' }).credential, 'tok-2');
  assert.equal(admission({}).credential, null);
});

test('an explicit session wins over the trace; the trace groups when there is no explicit session', () => {
  const both = admission({ 'x-vigil-session': 'run-42', traceparent: TRACE });
  assert.equal(both.facts.external_session, 'run-42');
  assert.equal(both.facts.trace_id, null);
  const traced = admission({ traceparent: TRACE });
  assert.equal(traced.facts.trace_id, '0af7651916cd43dd8448eb211c80319c');
  assert.notEqual(both.keyOf(alice, null), traced.keyOf(alice, null));
  assert.equal(traced.keyOf(alice, null), admission({ traceparent: TRACE }).keyOf(alice, null));
  const plain = admission({});
  assert.notEqual(plain.keyOf(alice, null), traced.keyOf(alice, null));
});

test('a malformed explicit session or traceparent is ignored, not trusted as a key', () => {
  const odd = admission({ 'x-vigil-session': 'a b\u0000c', traceparent: 'ff-zz' });
  assert.deepEqual([odd.facts.external_session, odd.facts.trace_id], [null, null]);
  assert.equal(odd.keyOf(alice, null), admission({}).keyOf(alice, null));
});

test('no one joins another identity’s session, even naming the same explicit session or trace', () => {
  const variants: Record<string, string>[] = [{ 'x-vigil-session': 'shared' }, { traceparent: TRACE }, {}];
  for (const headers of variants) {
    const r = admission(headers);
    assert.notEqual(r.keyOf(alice, null), r.keyOf(mallory, null), JSON.stringify(headers));
  }
});

test('a grant-admitted session is not shared with requests admitted otherwise or by another grant', () => {
  const r = admission({ 'x-vigil-session': 'run-42' });
  const plain = r.keyOf(alice, null);
  const granted = r.keyOf(alice, 'g1');
  assert.notEqual(granted, plain);
  assert.notEqual(granted, r.keyOf(alice, 'g2'));
  assert.equal(granted, r.keyOf(alice, 'g1'));
});
