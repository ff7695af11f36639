import type Database from 'better-sqlite3';

// SQLite answers SQLITE_BUSY without waiting out `busy_timeout` in some cases of two connections
// writing one WAL database (seen here: a checkpoint's INSERT on the main connection failing after
// about 75 ms while the append worker committed under heavy load). Each write here is one
// transaction that rolled back whole, so trying it again is safe; a bounded number of tries keeps
// a stuck database failing (closed) rather than hanging the caller.
const TRIES = 20;
const PAUSE_MS = 25;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Runs `write` (one whole transaction) again while SQLite answers BUSY, blocking the thread between tries. */
export function retryBusySync<T>(write: () => T): T {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1; ; attempt++) {
    try {
      return write();
    } catch (err) {
      if (!isBusy(err) || attempt >= TRIES) throw err;
      Atomics.wait(pause, 0, 0, PAUSE_MS);
    }
  }
}

/**
 * One write transaction that takes the write lock at BEGIN (IMMEDIATE), so it waits out
 * `busy_timeout` there. A deferred one that reads first and then writes fails at once with
 * SQLITE_BUSY_SNAPSHOT when the append worker committed in between: SQLite cannot wait for a
 * snapshot that is already stale. BUSY answers are tried again as above.
 */
export function writeTransaction<T>(db: Database.Database, body: () => T): T {
  return retryBusySync(() => db.transaction(body).immediate());
}
