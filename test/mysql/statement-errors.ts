// A list of attacks sent on one mysql2 connection, every outcome kept (test/support/statement-outcomes.ts).
import mysql from 'mysql2/promise';
import { statementOutcomes } from '../support/statement-outcomes.js';

/** Runs each statement on one connection opened with `options`; the error messages (null: it ran). */
export async function statementErrors(
  options: mysql.ConnectionOptions,
  statements: readonly string[],
): Promise<(string | null)[]> {
  const c = await mysql.createConnection(options);
  try {
    return await statementOutcomes((sql) => c.query(sql), statements);
  } finally {
    await c.end();
  }
}
