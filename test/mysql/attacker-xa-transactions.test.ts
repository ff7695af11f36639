// Every identity of a MySQL connection logs in upstream as one server user, and the server lets any
// session of that user end a prepared XA transaction by its xid. Through the gateway, Bob listed
// Alice's prepared XA transaction with XA RECOVER and committed (or rolled back) her work with
// XA COMMIT 'xid' once her session had ended, a change to what her recorded session did that her
// record never shows. Now an identity ends only the xids it started (from any of its sessions), and
// XA RECOVER is a read of other sessions' work. On a
// connection that allows unknown statements (XA is one), against a real MariaDB server, with mysql2
// (text and binary protocols) and the mariadb client.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { TOKENS } from '../support/gateway.js';
import { adminConnection } from '../support/mariadb-server.js';
import { clientArgs, mysqlFixtureForFile, rowCount, runClient, vigilOptions } from './mysql-gateway.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_xa', {
  connection: { allow_unknown_statements: true },
  prepare: ['create table ledger (id int primary key, note varchar(40)) engine=InnoDB'],
});

const NOT_STARTED = /XA (COMMIT|ROLLBACK) of a transaction you did not start/;

const connect = (token: string) => mysql.createConnection(vigilOptions(f(), token));

/** Alice's work, prepared under `xid` in a session of its own that then ends (the work stays). */
async function alicePrepares(xid: string, id: number): Promise<void> {
  const alice = await connect(TOKENS.alice);
  try {
    await alice.query(`XA START '${xid}'`);
    await alice.query(`INSERT INTO ledger VALUES (${id}, 'alice')`);
    await alice.query(`XA END '${xid}'`);
    await alice.query(`XA PREPARE '${xid}'`);
  } finally {
    await alice.end();
  }
}

/** The xids the server holds prepared, read as its administrator. */
async function prepared(): Promise<string[]> {
  const admin = await adminConnection(f().server);
  try {
    const [rows] = (await admin.query('XA RECOVER')) as unknown as [{ data: string }[]];
    return rows.map((r) => String(r.data)).sort();
  } finally {
    await admin.end();
  }
}

test("one identity cannot list, commit or roll back another identity's prepared XA transaction", {
  skip,
}, async () => {
  await alicePrepares('alice-raise', 1);
  await alicePrepares('alice-second', 2);
  const bob = await connect(TOKENS.bob);
  try {
    // The list of every session's prepared xids is a read of other sessions' work.
    await assert.rejects(bob.query('XA RECOVER'), (e: { errno: number; message: string }) => {
      assert.equal(e.errno, 1142);
      assert.match(e.message, /allow_session_activity/);
      return true;
    });
    for (const sql of [
      "XA COMMIT 'alice-raise'",
      "XA ROLLBACK 'alice-raise'",
      "xa commit 'alice-raise', '', 1",
      "/*!XA ROLLBACK 'alice-raise'*/",
      // Another spelling of the same xid is never read as owned.
      "XA COMMIT X'616c6963652d7261697365'",
      "XA COMMIT 'alice-' 'raise'",
    ]) {
      await assert.rejects(bob.query(sql), { errno: 1142 }, sql);
    }
    // The binary protocol is judged alike.
    await assert.rejects(bob.execute("XA ROLLBACK 'alice-second'"), (e: { message: string }) =>
      NOT_STARTED.test(e.message),
    );
    // The mariadb client too.
    const run = await runClient('mariadb', [
      ...clientArgs(vigilOptions(f(), TOKENS.bob)),
      f().database,
      '-e',
      "XA COMMIT 'alice-second'",
    ]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, NOT_STARTED);
    // A start the server refuses (Alice's xid is still there) does not make it Bob's.
    await assert.rejects(bob.query("XA START 'alice-raise'"), { errno: 1440 });
    await assert.rejects(bob.query("XA COMMIT 'alice-raise'"), (e: { message: string }) =>
      NOT_STARTED.test(e.message),
    );
    // Nothing of Alice's was ended.
    assert.equal(await rowCount(f(), 'ledger'), 0);
    assert.deepEqual(await prepared(), ['alice-raise', 'alice-second']);

    // Bob's own XA transactions work, in one text or several.
    await bob.query("XA START 'bob-1'");
    await bob.query("INSERT INTO ledger VALUES (10, 'bob')");
    await bob.query("XA END 'bob-1'");
    await bob.query("XA PREPARE 'bob-1'");
    await bob.query("XA COMMIT 'bob-1'");
    const multi = await mysql.createConnection({
      ...vigilOptions(f(), TOKENS.bob),
      multipleStatements: true,
    });
    try {
      await multi.query(
        "XA START 'bob-2'; INSERT INTO ledger VALUES (11, 'bob'); XA END 'bob-2'; XA COMMIT 'bob-2' ONE PHASE",
      );
      // Once ended, the xid is no longer Bob's to end again.
      await assert.rejects(multi.query("XA ROLLBACK 'bob-1'"), (e: { message: string }) =>
        NOT_STARTED.test(e.message),
      );
    } finally {
      await multi.end();
    }
    assert.equal(await rowCount(f(), 'ledger'), 2);
  } finally {
    await bob.end();
  }

  // Alice ends her own from new sessions, as a transaction manager recovering would.
  const alice = await connect(TOKENS.alice);
  try {
    await alice.query("XA COMMIT 'alice-raise'");
    await alice.execute("XA ROLLBACK 'alice-second'");
  } finally {
    await alice.end();
  }
  assert.equal(await rowCount(f(), 'ledger'), 3);
  assert.deepEqual(await prepared(), []);
});

test('a reset releases the xids its session started', { skip }, async () => {
  // Bob's transaction is rolled back by the reset, which frees the xid for Alice.
  const bob = await connect(TOKENS.bob);
  try {
    await bob.query("XA START 'shared-name'");
    await bob.reset();
    await alicePrepares('shared-name', 20);
    await assert.rejects(bob.query("XA COMMIT 'shared-name'"), (e: { message: string }) =>
      NOT_STARTED.test(e.message),
    );
  } finally {
    await bob.end();
  }
  assert.deepEqual(await prepared(), ['shared-name']);
  const alice = await connect(TOKENS.alice);
  try {
    await alice.query("XA ROLLBACK 'shared-name'");
  } finally {
    await alice.end();
  }
});
