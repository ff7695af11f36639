// Statements run one after another on one mysql2 connection, each one's outcome kept rather than the
// first refusal thrown: the tests that send a list of attacks compare every outcome at once.
import mysql from 'mysql2/promise';

/** Runs each statement on one connection opened with `options`; the error messages (null: it ran). */
export async function statementErrors(
  options: mysql.ConnectionOptions,
  statements: readonly string[],
): Promise<(string | null)[]> {
  const c = await mysql.createConnection(options);
  try {
    const out: (string | null)[] = [];
    for (const sql of statements)
      out.push(
        await c.query(sql).then(
          () => null,
          (e: Error) => e.message,
        ),
      );
    return out;
  } finally {
    await c.end();
  }
}
