// The MCP half of a re-run, on ledger events built in memory: what recordedMcp reads (listings old
// and new, results, JSON-RPC and Vigil errors, refusals, calls never answered) and how McpMatcher
// answers (argument key order ignored, identical calls in recorded order, misses explained).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../src/core/errors.js';
import type { JsonObject, JsonValue, StoredEvent } from '../../src/core/events.js';
import { payloadHash } from '../../src/ledger/chain.js';
import { McpMatcher } from '../../src/rerun/mcp-matcher.js';
import { recordedMcp, toolCallKey } from '../../src/rerun/mcp-recorded.js';

let seq = 0;
function event(type: string, payload: JsonObject, sessionId = 's1'): StoredEvent {
  seq++;
  return {
    type,
    sessionId,
    connection: 'tools',
    identity: { subject: 'alice', kind: 'user', groups: [] },
    time: '2026-01-01T00:00:00.000Z',
    payload,
    seq,
    index: seq,
    // recordedMcp holds every payload against its hash, as the ledger committed to it.
    payloadHash: payloadHash(payload),
    prevHash: '',
    hash: '',
  } as unknown as StoredEvent;
}

const call = (id: string, tool: string, args: JsonObject, extra: JsonObject = {}, session = 's1') =>
  event(
    'mcp.call',
    { call_id: id, request_id: id, tool, arguments: args, tool_digest: null, ...extra },
    session,
  );
const result = (id: string, tool: string, text: string, session = 's1') =>
  event('mcp.result', { call_id: id, tool, isError: false, content: [{ type: 'text', text }] }, session);

test('recordedMcp: tools as the client saw them, results, errors and refusals in recorded order', () => {
  const recorded = recordedMcp([
    [
      // Recorded before definitions were: the name alone.
      event('mcp.tools', { request_id: '1', tools: [{ name: 'old', digest: 'd0', status: 'pinned' }] }),
      event('mcp.tools', {
        request_id: '2',
        tools: [
          { name: 'add', digest: 'd1', status: 'pinned', definition: { name: 'add', description: 'Adds.' } },
          { name: 'secret_tool', digest: 'd2', status: 'pinned', hidden: true },
        ],
      }),
      call('c1', 'add', { a: 1 }),
      result('c1', 'add', '1'),
      call('c2', 'add', { a: 2 }),
      event('mcp.result', {
        call_id: 'c2',
        tool: 'add',
        isError: true,
        error: { code: -32602, message: 'bad' },
      }),
      call('c3', 'add', { a: 3 }),
      event('mcp.result', {
        call_id: 'c3',
        tool: 'add',
        error: { code: 'upstream_failed', message: 'gone' },
      }),
      call('c4', 'add', { a: 4 }),
      event('policy.decision', {
        action: 'deny',
        rule: 'no-add',
        reason: 'not today',
        subject_type: 'mcp.call',
      }),
      call('c5', 'add', { a: 5 }, { refused: 'tool_unapproved' }),
      event('policy.decision', {
        action: 'deny',
        rule: 'tool_unapproved',
        reason: 'tool add changed',
        subject_type: 'mcp.call',
      }),
      // The client left before the answer: nothing to serve.
      call('c6', 'add', { a: 6 }),
    ],
    [call('c7', 'add', { a: 7 }, {}, 's2'), result('c7', 'add', '7', 's2')],
  ]);
  assert.deepEqual(
    recorded.tools.map((t) => t.definition),
    [
      { name: 'old', inputSchema: { type: 'object' } },
      { name: 'add', description: 'Adds.' },
    ],
  );
  assert.deepEqual(
    recorded.calls.map((c) => [c.position, c.session, c.outcome]),
    [
      [1, 's1', { kind: 'result', result: { content: [{ type: 'text', text: '1' }] } }],
      [2, 's1', { kind: 'error', code: -32602, message: 'bad', data: null }],
      [3, 's1', { kind: 'error', code: -32002, message: 'gone', data: { code: 'upstream_failed' } }],
      [
        4,
        's1',
        {
          kind: 'error',
          code: -32001,
          message: 'denied by rule no-add: not today',
          data: { code: 'policy_denied', rule: 'no-add' },
        },
      ],
      [
        5,
        's1',
        { kind: 'error', code: -32001, message: 'tool add changed', data: { code: 'tool_unapproved' } },
      ],
      [7, 's2', { kind: 'result', result: { content: [{ type: 'text', text: '7' }] } }],
    ],
  );
  assert.deepEqual(recorded.unanswerable, [6]);
});

test('McpMatcher: identical calls in recorded order, then exhausted; a miss names the closest call', () => {
  const { calls } = recordedMcp([
    [
      call('c1', 'add', { a: 2, b: 3 }),
      result('c1', 'add', 'first'),
      call('c2', 'read_file', { path: 'x' }),
      result('c2', 'read_file', 'x'),
      call('c3', 'add', { a: 2, b: 3 }),
      result('c3', 'add', 'second'),
    ],
  ]);
  const m = new McpMatcher(calls);
  const first = m.match('add', { b: 3, a: 2 });
  assert.equal(first.kind === 'answer' && first.call.callId, 'c1', 'argument key order does not matter');
  const miss = m.match('add', { a: 2, b: 4 });
  assert.deepEqual(miss.kind === 'unmatched' && miss.unmatched, {
    position: 2,
    tool: 'add',
    reason: 'no_match',
    closest: { position: 3, tool: 'add', callId: 'c3' },
    differs: { tool: false, arguments: ['b'] },
  });
  const other = m.match('read', { path: 'x' });
  assert.deepEqual(other.kind === 'unmatched' && other.unmatched.differs, { tool: true, arguments: [] });
  assert.equal(other.kind === 'unmatched' && other.unmatched.closest?.callId, 'c2');
  const second = m.match('add', { a: 2, b: 3 });
  assert.equal(second.kind === 'answer' && second.call.callId, 'c3');
  const third = m.match('add', { a: 2, b: 3 });
  assert.equal(third.kind === 'unmatched' && third.unmatched.reason, 'exhausted');
  assert.deepEqual(m.unserved(), [2]);
  assert.equal(m.requests, 5);
});

test('a tool call key ignores the order of argument keys at every depth, and nothing else', () => {
  const shuffled = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(shuffled);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, shuffled(x)]),
    );
  };
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (args, extra) => {
      const a = args as JsonObject;
      assert.equal(toolCallKey('t', a), toolCallKey('t', shuffled(a) as JsonObject));
      const key = `${extra}~`;
      fc.pre(a[key] !== 'x');
      const changed = { ...a, [key]: 'x' };
      assert.notEqual(toolCallKey('t', a), toolCallKey('t', changed));
    }),
  );
});

test('recordedMcp refuses a tool result rewritten after recording (ledger_tampered), never serves it', () => {
  const answer = result('t1', 'add', '3');
  const rewritten = { ...answer, payload: { ...answer.payload!, content: [{ type: 'text', text: '4' }] } };
  assert.throws(
    () => recordedMcp([[call('t1', 'add', { a: 1, b: 2 }), rewritten]]),
    (err: unknown) => err instanceof VigilError && err.code === 'ledger_tampered',
  );
});

test('recordedMcp: a resource subscription (an mcp.read naming its method) is not served as a read', () => {
  const { reads } = recordedMcp([
    [
      event('mcp.read', { read_id: 'r1', request_id: '1', uri: 'demo://a', method: 'resources/subscribe' }),
      event('mcp.result', { read_id: 'r1', method: 'resources/subscribe', result: {} }),
      event('mcp.read', { read_id: 'r2', request_id: '2', uri: 'demo://a' }),
      event('mcp.result', {
        read_id: 'r2',
        method: 'resources/read',
        result: { contents: [{ uri: 'demo://a', text: 'A' }] },
      }),
    ],
  ]);
  assert.deepEqual(
    reads.map((r) => [r.callId, r.outcome.kind === 'result' ? r.outcome.result : null]),
    [['r2', { contents: [{ uri: 'demo://a', text: 'A' }] }]],
  );
});
