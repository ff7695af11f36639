// The JSON-RPC reader takes client bytes: every input either reads as one message or is refused
// with a stable Vigil code, never another exception; what it reads round-trips through toWire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isVigilError } from '../../core/errors.js';
import { parseJsonRpcBody, readJsonRpcMessage, toWire } from './jsonrpc.js';

const REFUSALS = new Set(['body_invalid_json', 'body_too_deep', 'protocol_violation']);

function readsOrRefuses(bytes: Uint8Array): void {
  try {
    const m = parseJsonRpcBody(bytes);
    assert.deepEqual(readJsonRpcMessage(toWire(m) as never), m);
  } catch (err) {
    assert.ok(isVigilError(err), `not a VigilError: ${String(err)}`);
    assert.ok(REFUSALS.has(err.code), err.code);
  }
}

const jsonRpcish = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.string()),
    id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double(), fc.object()),
    method: fc.oneof(
      fc.constantFrom('tools/call', 'tools/list', 'initialize', ''),
      fc.string(),
      fc.integer(),
    ),
    params: fc.oneof(fc.object(), fc.array(fc.anything()), fc.string()),
    result: fc.oneof(fc.object(), fc.string()),
    error: fc.oneof(fc.object(), fc.constant(null)),
  },
  { requiredKeys: [] },
);

test('arbitrary bytes read as one message or are refused with a stable code', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), readsOrRefuses), { numRuns: 2000 });
});

test('JSON-RPC-shaped values, as JSON and cut at every byte, never escape as other errors', () => {
  fc.assert(
    fc.property(fc.oneof(jsonRpcish, fc.array(jsonRpcish, { maxLength: 3 }), fc.jsonValue()), (value) => {
      const bytes = Buffer.from(JSON.stringify(value) ?? 'null');
      readsOrRefuses(bytes);
      for (let cut = 0; cut < bytes.length; cut++) readsOrRefuses(bytes.subarray(0, cut));
    }),
    { numRuns: 500 },
  );
});

test('deep nesting is refused before parsing', () => {
  const deep = Buffer.from(
    `{"jsonrpc":"2.0","id":1,"method":"x","params":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
  );
  assert.throws(
    () => parseJsonRpcBody(deep),
    (e: unknown) => isVigilError(e) && e.code === 'body_too_deep',
  );
});

test('the kinds of message', () => {
  assert.equal(readJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'ping' }).kind, 'request');
  assert.equal(
    readJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/initialized' }).kind,
    'notification',
  );
  assert.equal(readJsonRpcMessage({ jsonrpc: '2.0', id: 'a', result: {} }).kind, 'response');
  assert.equal(
    readJsonRpcMessage({ jsonrpc: '2.0', id: null, error: { code: 1, message: 'x' } }).kind,
    'error',
  );
  for (const bad of [
    [{ jsonrpc: '2.0', id: 1, method: 'ping' }],
    { jsonrpc: '2.0', id: 1, result: {}, error: {} },
    { jsonrpc: '2.0', id: null, method: 'ping' },
    { jsonrpc: '2.0', id: 1.5, method: 'ping' },
    { jsonrpc: '2.0', id: 1 },
  ]) {
    assert.throws(
      () => readJsonRpcMessage(bad as never),
      (e: unknown) => isVigilError(e) && e.code === 'protocol_violation',
    );
  }
});
