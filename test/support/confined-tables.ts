// The policy the table-name attacker tests hold a database to: no deletes or drops in one schema
// (PostgreSQL) or database (MySQL), and bob confined to it by an allow-list. A name the server
// resolves inside it while Vigil reads it elsewhere then shows as a refused statement that ran.

/** Policy settings for a gateway: `tables` (`billing.*`) guarded on `connection`, `more` rules after the first. */
export function confinedTablesPolicy(connection: string, tables: string, more: readonly object[] = []) {
  return {
    policy: {
      default: 'allow',
      rules: [
        {
          name: 'no-billing-deletes',
          match: { connections: [connection], statement_kinds: ['DELETE', 'DROP'], tables: [tables] },
          action: 'deny',
        },
        ...more,
        // bob may touch these tables and nothing else: an allow-list.
        { name: 'bob-billing', match: { principals: ['user:bob'], tables: [tables] }, action: 'allow' },
        { name: 'bob-nothing-else', match: { principals: ['user:bob'] }, action: 'deny' },
      ],
    },
  };
}
