// What a MySQL statement does under another kind's name, so that what guards UPDATE, DELETE and
// reads (deny_statements, unbounded writes, statement_kinds and tables rules, a group's
// allow-list) guards it here too:
// - `INSERT … ON DUPLICATE KEY UPDATE` updates the rows it collides with: an UPDATE;
// - `REPLACE` deletes the rows it collides with before inserting: a DELETE;
// - a statement that is not a SELECT but reads rows of tables (`INSERT INTO copy SELECT * FROM
//   payroll`, `CREATE TABLE copy AS SELECT …`, `UPDATE t JOIN payroll …`): a SELECT of them.
// `REPLACE INTO users SELECT id, 'x' FROM users` rewrites every row while reading as an INSERT.
// A write is bounded when the rows it can collide with are the ones it lists (VALUES, or the SET
// form); a query as the source can reach every row. Read from node-sql-parser's tree and its
// table list (`op::db::table`, where the op of a table read is `select`).
import type { StatementFacts } from '../../core/db-payloads.js';

export function impliedStatementsOf(
  ast: Readonly<Record<string, unknown>>,
  tableList: readonly string[],
): StatementFacts[] {
  const type = String(ast.type ?? '').toLowerCase();
  const reads = type === 'select' ? [] : tablesRead(tableList);
  const read: StatementFacts[] =
    reads.length > 0
      ? [
          {
            kind: 'SELECT',
            hasWhere: false,
            tables: reads,
            writes: false,
            nested: true,
            functions: [],
            settings: [],
            flags: [],
          },
        ]
      : [];
  if (type !== 'insert' && type !== 'replace') return read;
  const values = ast.values as { type?: unknown } | null | undefined;
  const listed = Boolean(ast.set) || values?.type === 'values';
  const tables = targetOf(ast.table);
  const out: StatementFacts[] = [];
  if (type === 'replace') out.push(write('DELETE', listed, tables));
  if (ast.on_duplicate_update) out.push(write('UPDATE', listed, tables));
  return [...out, ...read];
}

/** The tables the list says are read, named as the classifier names them. */
function tablesRead(tableList: readonly string[]): string[] {
  const out = new Set<string>();
  for (const entry of tableList) {
    const [op, db, table] = entry.split('::');
    if (op !== 'select' || !table || table === 'null') continue;
    out.add(db && db !== 'null' ? `${db}.${table}` : table);
  }
  return [...out];
}

function write(kind: string, hasWhere: boolean, tables: string[]): StatementFacts {
  return { kind, hasWhere, tables, writes: true, nested: true, functions: [], settings: [], flags: [] };
}

/** The target as the classifier names tables: `db.table`, or `table` in the session's database. */
function targetOf(table: unknown): string[] {
  const first = Array.isArray(table)
    ? (table[0] as { db?: unknown; table?: unknown } | undefined)
    : undefined;
  if (!first || typeof first.table !== 'string') return [];
  return [typeof first.db === 'string' && first.db ? `${first.db}.${first.table}` : first.table];
}
