// The connection pool every PostgreSQL port shares. Each connection starts in the configured schema
// (search_path), so the SQL names tables plainly. A connection lost while idle (the server restarted,
// an administrator cut it) is dropped by the pool and replaced on the next query: the error must be
// handled here, or node would end the process on an unhandled 'error' event.
import pg from 'pg';

export interface PoolSettings {
  readonly url: string;
  readonly max: number;
  readonly schema: string;
}

/** How long a request waits for a connection before its write fails (fail closed, not hang). */
const CONNECT_TIMEOUT_MS = 5_000;

export function createPool(settings: PoolSettings, onIdleError?: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // A server that vanishes without closing its connections is noticed by TCP keepalive, not
    // only when the kernel gives up on a write.
    keepAlive: true,
    application_name: 'vigil',
    // The schema name is checked by the configuration schema (a plain lower-case identifier).
    options: `-c search_path=${settings.schema}`,
  });
  pool.on('error', (err) => onIdleError?.(err));
  return pool;
}

/** Runs `body` in one transaction on one connection; rolls back (and drops a broken connection) on failure. */
export async function inTransaction<T>(
  pool: pg.Pool,
  body: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A checked-out client has no listener of the pool's: a connection cut mid-transaction (a
  // failover, an administrator) would emit an unhandled 'error' and end the process. Its query
  // fails all the same, so the transaction fails (closed) and the connection is dropped.
  const cut = () => {
    broken = true;
  };
  client.on('error', cut);
  try {
    await client.query(begin);
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.off('error', cut);
    client.release(broken);
  }
}

/** The SQLSTATE of a PostgreSQL error (23505 unique_violation, ...), or undefined. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
