// The gateway of the attacker tests that move hr.payroll out of its schema (ALTER SCHEMA … RENAME,
// ALTER EXTENSION … SET SCHEMA): alice may not read hr.payroll; bob may touch hr.payroll and
// nothing else (an allow-list). `direct` runs statements on the server itself, not through Vigil.
import type { Client } from 'pg';
import { directClient, type PgFixture, startPgFixture } from './pg-gateway.js';

export function startHrPayrollFixture(database: string): Promise<PgFixture> {
  return startPgFixture(
    database,
    {},
    {},
    {
      policy: {
        default: 'allow',
        rules: [
          {
            name: 'no-hr-payroll-reads',
            match: { principals: ['user:alice'], statement_kinds: ['SELECT'], tables: ['hr.payroll'] },
            action: 'deny',
          },
          {
            name: 'bob-payroll',
            match: { principals: ['user:bob'], tables: ['hr.payroll'] },
            action: 'allow',
          },
          { name: 'bob-nothing-else', match: { principals: ['user:bob'] }, action: 'deny' },
        ],
      },
    },
  );
}

export async function direct<T>(f: PgFixture, run: (c: Client) => Promise<T>): Promise<T> {
  const c = directClient(f);
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}
