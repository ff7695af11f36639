import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lexMysql, type Token } from './sql-lexer.js';
import { parseXa, XaOwners } from './xa-transactions.js';

const tokens = (sql: string): Token[][] => lexMysql(sql).statements.map((s) => [...s.tokens]);
const xa = (sql: string) => parseXa(tokens(sql)[0]!);
const ALICE = { subject: 'alice', kind: 'user' as const };
const BOB = { subject: 'bob', kind: 'user' as const };

test('an xid is read with the server defaults filled in, whatever the verb', () => {
  const key = JSON.stringify(['t1', '', '1']);
  for (const sql of [
    "XA START 't1'",
    "xa begin 't1', ''",
    "XA END 't1', '', 1 SUSPEND",
    "XA COMMIT 't1' ONE PHASE",
  ])
    assert.equal(xa(sql)?.xid, key, sql);
  assert.equal(xa("XA ROLLBACK 't1', 'b', 0007")?.xid, JSON.stringify(['t1', 'b', '7']));
  assert.deepEqual(xa('XA RECOVER'), { verb: 'recover', xid: null });
  assert.equal(xa("SELECT 'xa'"), null);
});

test('any other spelling of an xid is not read (never owned)', () => {
  for (const sql of [
    "XA COMMIT X'7431'",
    'XA COMMIT 0x7431',
    "XA COMMIT _binary't1'",
    "XA COMMIT 't' '1'",
    "XA COMMIT 't1', 'b', 1.0",
    "XA COMMIT 't1', 'b', 1, 2",
    "XA COMMIT 'tä'",
    "XA COMMIT 't1' TWO PHASE",
    'XA COMMIT @x',
  ])
    assert.equal(xa(sql)?.xid, null, sql);
});

test('an identity ends only the xids its starts were answered OK for, from any of its sessions', () => {
  const owners = new XaOwners();
  const alice = owners.session(ALICE, 's1');
  const alice2 = owners.session(ALICE, 's2');
  const bob = owners.session(BOB, 's3');
  const start = tokens("XA START 'a'");
  const commit = tokens("XA COMMIT 'a'");
  // Not yet answered: nobody's.
  alice.onOk(start);
  assert.ok(alice.refusal(commit));
  alice.onOk(start)!.get(0)!();
  assert.equal(alice.refusal(commit), null);
  assert.equal(alice2.refusal(commit), null);
  assert.match(bob.refusal(commit)?.message ?? '', /did not start/);
  assert.match(bob.refusal(tokens("XA ROLLBACK 'a'"))?.message ?? '', /did not start/);
  // A start earlier in the same text counts (the server stops the text at a refused start).
  assert.equal(bob.refusal(tokens("XA START 'b'; XA COMMIT 'b' ONE PHASE")), null);
  assert.ok(bob.refusal(tokens("XA START 'b'; XA COMMIT 'a'")));
  // Ended, then started again by Bob: his now.
  alice2.onOk(commit)!.get(0)!();
  bob.onOk(start)!.get(0)!();
  assert.ok(alice.refusal(commit));
  assert.equal(bob.refusal(commit), null);
  // A reset releases what that session's starts gave.
  bob.reset();
  assert.ok(bob.refusal(commit));
});
