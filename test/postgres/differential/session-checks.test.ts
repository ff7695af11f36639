// The differential test's comparisons on hand-made inputs, so each can be seen to fail: a check
// that cannot fail would let the property pass whatever Vigil does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorResponse } from '../../../src/protocols/postgres/wire-writer.js';
import { executionOf } from './server-log.js';
import { compareExecutions, compareReplies, type RecordedStatement } from './session-checks.js';
import { verdictOf } from './tokenizer-check.js';
import type { BackendMessage } from './wire.js';

const rec = (statement: string | null, at: number, denied = false): RecordedStatement => ({
  statement,
  protocol: 'extended',
  at,
  denied,
});
const ran = (text: string, at: number) => ({ text, via: 'extended' as const, label: 'execute s1', at });

test('an execution matched by an earlier allowed record with the same text passes', () => {
  assert.deepEqual(compareExecutions([rec('SELECT 1', 10), rec('SELECT 2', 20)], [ran('SELECT 2', 25)]), []);
});

test('the server running a text Vigil recorded differently is a finding', () => {
  const findings = compareExecutions([rec('SELECT 1', 10)], [ran('DROP TABLE t', 11)]);
  assert.equal(findings.length, 1);
  assert.match(findings[0]!, /ran "DROP TABLE t".*no matching db\.query/);
});

test('the server running what Vigil denied is a finding', () => {
  const findings = compareExecutions([rec('DROP TABLE t', 10, true)], [ran('DROP TABLE t', 11)]);
  assert.match(findings[0]!, /recorded as denied/);
});

test('one record cannot account for two executions, nor a record that comes after them in order', () => {
  assert.equal(
    compareExecutions([rec('SELECT 1', 10)], [ran('SELECT 1', 11), ran('SELECT 1', 12)]).length,
    1,
  );
  assert.equal(compareExecutions([rec('B', 10), rec('A', 11)], [ran('A', 12), ran('B', 13)]).length, 1);
});

test('a record made after the server ran the statement is not write-ahead', () => {
  assert.match(compareExecutions([rec('SELECT 1', 50)], [ran('SELECT 1', 40)])[0]!, /not write-ahead/);
});

test('the log lines of the simple and extended protocol are read with their exact text', () => {
  const base = { error_severity: 'LOG', timestamp: '2026-12-01 17:48:58.713 UTC' };
  assert.deepEqual(
    executionOf({ ...base, message: "statement: SELECT 'a: b'\nSELECT 2" })?.text,
    "SELECT 'a: b'\nSELECT 2",
  );
  assert.equal(executionOf({ ...base, message: 'execute <unnamed>: SELECT $1' })?.text, 'SELECT $1');
  assert.equal(executionOf({ ...base, message: 'execute fetch from s1/c1: SELECT 1' })?.text, 'SELECT 1');
  assert.equal(
    executionOf({ ...base, message: 'execute s1: SELECT 1' })?.at,
    Date.parse('2026-12-01T17:48:58.713Z'),
  );
  assert.equal(executionOf({ ...base, message: 'disconnection: session time: 0:00:00.021' }), null);
  assert.equal(executionOf({ ...base, error_severity: 'ERROR', message: 'statement: x' }), null);
});

const msg = (code: string, body: Buffer | string): BackendMessage => ({
  code,
  body: typeof body === 'string' ? Buffer.from(`${body}\0`) : body,
});
const err = (code: string, message: string): BackendMessage => {
  const frame = errorResponse({ severity: 'ERROR', code, message });
  return { code: 'E', body: frame.subarray(5) };
};
const z = msg('Z', Buffer.from('I'));

test("Vigil's own error where the server failed anyway is transparent; in place of a success it is not", () => {
  const serverError = [err('34000', 'portal "" does not exist'), z];
  const vigilError = [err('42501', 'vigil: denied'), z];
  assert.deepEqual(compareReplies(serverError, vigilError), []);
  // A refusal where the server would have run the statement ends the comparison: the sessions differ by design after it.
  assert.deepEqual(compareReplies([msg('C', 'SELECT 1'), z], vigilError), []);
  assert.equal(
    compareReplies([msg('C', 'SELECT 1'), z, msg('C', 'SELECT 2')], [msg('C', 'SELECT 9'), ...vigilError])
      .length,
    1,
  );
  assert.equal(compareReplies([msg('C', 'SELECT 1'), z], [msg('C', 'SELECT 2'), z]).length, 1);
  assert.equal(compareReplies([msg('C', 'SELECT 1'), z], [msg('C', 'SELECT 1'), z, z]).length, 1);
});

test('a syntax error before any command is a rejection; an error after one is a run-time failure', () => {
  assert.deepEqual(verdictOf([err('42601', 'syntax error'), z]), {
    rejected: true,
    kinds: [],
    error: '42601 syntax error',
  });
  const runtime = verdictOf([msg('C', 'SELECT 1'), err('42601', 'syntax error'), z]);
  assert.equal(runtime.rejected, false);
  assert.deepEqual(runtime.kinds, ['SELECT']);
  assert.deepEqual(verdictOf([msg('C', 'RESET'), msg('C', 'SHOW'), z]).kinds, ['SET', 'SHOW']);
});
