// Statements run one after another on one client, each one's outcome kept rather than the first
// refusal thrown: the tests that send a list of attacks compare every outcome at once (PostgreSQL
// and MySQL alike).

/** Runs each statement with `query`, in order; the error messages (null: it ran). */
export async function statementOutcomes(
  query: (sql: string) => Promise<unknown>,
  statements: readonly string[],
): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (const sql of statements)
    out.push(
      await query(sql).then(
        () => null,
        (e: Error) => e.message,
      ),
    );
  return out;
}
