// The implied statement a MySQL statement is recorded with when what it reads cannot be told
// from its text, or shows every table's contents: a nested SELECT of EVERY_TABLE
// (policy/table-patterns.ts), so that any rule restricting reads of a table holds it.
import type { StatementFacts } from '../../core/db-payloads.js';
import { EVERY_TABLE } from '../../policy/table-patterns.js';

/** A nested read of every table, with the flags that say why. */
export function everyTableRead(flags: readonly string[] = []): StatementFacts {
  return {
    kind: 'SELECT',
    hasWhere: false,
    tables: [EVERY_TABLE],
    writes: false,
    nested: true,
    functions: [],
    settings: [],
    flags: [...flags],
  };
}
