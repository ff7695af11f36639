import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseKill, planKill } from './kill-statement.js';
import { classifyMysql } from './sql-classifier.js';
import { lexMysql } from './sql-lexer.js';

const kill = (sql: string) => {
  const statements = lexMysql(sql).statements;
  return statements.length === 1 ? parseKill(statements[0]!.tokens) : null;
};

test('the plain forms map to a mode and a connection id', () => {
  assert.deepEqual(kill('KILL 7'), { mode: 'connection', connectionId: 7 });
  assert.deepEqual(kill('kill query 42;'), { mode: 'query', connectionId: 42 });
  assert.deepEqual(kill('KILL /* why */ HARD CONNECTION 9'), { mode: 'connection', connectionId: 9 });
  assert.deepEqual(kill('KILL SOFT QUERY 2147483647'), { mode: 'query', connectionId: 2147483647 });
});

test('any other KILL is not mapped (and so is refused, never forwarded)', () => {
  for (const sql of [
    'KILL USER bob',
    'KILL QUERY ID 5',
    'KILL 0x10',
    'KILL 4e3',
    'KILL 1+1',
    'KILL 0',
    'KILL 99999999999',
    'KILL @id',
    'KILL',
    'KILL QUERY',
    'KILL 5 6',
    "KILL '5'",
    'SELECT 5',
  ]) {
    assert.equal(kill(sql), null, sql);
  }
});

test('property: any text lexes and parses without throwing; a mapped id is a positive 32-bit integer', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), (tail) => {
      const result = kill(`KILL ${tail}`);
      if (result !== null) {
        assert.ok(Number.isInteger(result.connectionId));
        assert.ok(result.connectionId > 0 && result.connectionId <= 0xffff_ffff);
        assert.ok(result.mode === 'query' || result.mode === 'connection');
      }
    }),
    { numRuns: 2000 },
  );
});

test('planKill: a mapped KILL names the connection it reaches; others say why they are refused', () => {
  const bob = { subject: 'bob', kind: 'user' } as const;
  const target = { owner: bob, sessionId: 'ses_1', kill: async () => undefined };
  const kills = {
    find: (id: number, caller: { subject: string; kind: string }) =>
      id === 7 && caller.subject === 'bob' && caller.kind === 'user' ? target : undefined,
  };
  const plan = planKill(classifyMysql('KILL QUERY 7'), { statement: 'KILL QUERY 7' }, kills, bob);
  assert.ok(!('refusal' in plan));
  assert.equal(plan.mode, 'query');
  assert.deepEqual(plan.payload.kill, { mode: 'query', connection_id: 7, session: 'ses_1' });
  const other = planKill(classifyMysql('KILL 7'), {}, kills, { subject: 'alice', kind: 'user' });
  assert.equal('refusal' in other && other.refusal.code, 'session_unknown');
  const byUser = planKill(classifyMysql('KILL USER bob'), {}, kills, bob);
  assert.equal('refusal' in byUser && byUser.refusal.code, 'statement_uncertain');
  const twice = planKill(classifyMysql('KILL 7; KILL 7'), {}, kills, bob);
  assert.equal('refusal' in twice && twice.refusal.code, 'statement_uncertain');
});
