// SQLITE_BUSY handling: a busy write is tried again, a stuck one fails; and with two connections on
// one WAL file (the gateway's main thread and its append worker), a read-then-write transaction holds
// the write lock from its start, or the other connection's commit between its read and its write
// makes it fail at once (SQLITE_BUSY_SNAPSHOT).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { retryBusySync, writeTransaction } from './busy-retry.js';

const busy = (): Error => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

function failing(times: number, error: () => Error) {
  let calls = 0;
  return {
    write: () => {
      calls++;
      if (calls <= times) throw error();
      return calls;
    },
    calls: () => calls,
  };
}

test('a write that met SQLITE_BUSY is tried again until it goes through', () => {
  const sync = failing(3, busy);
  assert.equal(retryBusySync(sync.write), 4);
});

test('any other error fails at once, and a database that stays busy fails in the end', () => {
  const other = failing(1, () => Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' }));
  assert.throws(() => retryBusySync(other.write), /constraint/);
  assert.equal(other.calls(), 1);
  const stuck = failing(Number.POSITIVE_INFINITY, busy);
  assert.throws(() => retryBusySync(stuck.write), /database is locked/);
  assert.equal(stuck.calls(), 20);
});

function twoConnections(): { main: Database.Database; worker: Database.Database; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-busy-'));
  const main = new Database(join(dir, 'db.sqlite'));
  main.pragma('journal_mode = WAL');
  main.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  main.prepare("INSERT INTO t VALUES ('n', 0)").run();
  const worker = new Database(join(dir, 'db.sqlite'));
  worker.pragma('busy_timeout = 0');
  return {
    main,
    worker,
    done: () => {
      main.close();
      worker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const bumpFromWorker = (worker: Database.Database) =>
  worker.prepare("UPDATE t SET v = v + 100 WHERE k = 'n'").run();

test('a deferred read-then-write fails at once when another connection commits in between', () => {
  const { main, worker, done } = twoConnections();
  try {
    const deferred = main.transaction(() => {
      const { v } = main.prepare("SELECT v FROM t WHERE k = 'n'").get() as { v: number };
      bumpFromWorker(worker);
      main.prepare("UPDATE t SET v = ? WHERE k = 'n'").run(v + 1);
    });
    assert.throws(() => deferred(), { code: 'SQLITE_BUSY_SNAPSHOT' });
  } finally {
    done();
  }
});

test('writeTransaction holds the write lock from BEGIN: the other writer waits, no update is lost', () => {
  const { main, worker, done } = twoConnections();
  try {
    writeTransaction(main, () => {
      const { v } = main.prepare("SELECT v FROM t WHERE k = 'n'").get() as { v: number };
      assert.throws(() => bumpFromWorker(worker), { code: 'SQLITE_BUSY' });
      main.prepare("UPDATE t SET v = ? WHERE k = 'n'").run(v + 1);
    });
    bumpFromWorker(worker);
    assert.equal((main.prepare("SELECT v FROM t WHERE k = 'n'").get() as { v: number }).v, 101);
  } finally {
    done();
  }
});
