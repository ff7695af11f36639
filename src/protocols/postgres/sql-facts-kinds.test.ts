import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create(2048, { byShape: false });
});

const kinds = (sql: string) => c.classify(sql).map((s) => s.kind);

test('statements the parser names otherwise are the kind they act as: every DROP is a DROP', () => {
  for (const [sql, kind] of [
    ['DROP DATABASE app', 'DROP'],
    ['DROP DATABASE IF EXISTS app WITH (FORCE)', 'DROP'],
    ['DROP ROLE r', 'DROP'],
    ['DROP USER u', 'DROP'],
    ['DROP GROUP g', 'DROP'],
    ['DROP OWNED BY CURRENT_USER', 'DROP'],
    ['DROP TABLESPACE ts', 'DROP'],
    ['DROP SUBSCRIPTION s', 'DROP'],
    ['DROP USER MAPPING FOR CURRENT_USER SERVER s', 'DROP'],
    ['DROP TABLE t', 'DROP'],
    ['REASSIGN OWNED BY a TO b', 'ALTER'],
    ['CREATE TYPE pair AS (a int, b int)', 'CREATE'],
    ['IMPORT FOREIGN SCHEMA public FROM SERVER s INTO local', 'CREATE'],
  ] as const) {
    assert.deepEqual(kinds(sql), [kind], sql);
  }
});

test('a DROP in the body of a sql function is a DROP too', () => {
  assert.ok(
    kinds("create function f() returns void language sql as 'drop owned by current_user'").includes('DROP'),
  );
});

test('a statement that adds or removes role members is a GRANT or REVOKE too', () => {
  for (const [sql, expected] of [
    ['ALTER GROUP admins ADD USER alice', ['ALTER', 'GRANT']],
    ['ALTER GROUP admins DROP USER alice', ['ALTER', 'REVOKE']],
    ['CREATE ROLE r IN ROLE admins', ['CREATE', 'GRANT']],
    ['CREATE USER u IN GROUP admins', ['CREATE', 'GRANT']],
    ['CREATE ROLE r ROLE alice', ['CREATE', 'GRANT']],
    ['CREATE ROLE r ADMIN alice', ['CREATE', 'GRANT']],
    ['CREATE ROLE r LOGIN', ['CREATE']],
    ['ALTER ROLE r NOLOGIN', ['ALTER']],
  ] as const) {
    assert.deepEqual(kinds(sql), expected, sql);
  }
});
