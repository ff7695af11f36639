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
import { tableName } from '../../policy/table-patterns.js';

export function impliedStatementsOf(
  ast: Readonly<Record<string, unknown>>,
  tableList: readonly string[],
  /** Tables the tree names and the table list left out (tree-tables.ts): counted as read. */
  lost: readonly string[] = [],
): StatementFacts[] {
  const type = String(ast.type ?? '').toLowerCase();
  const reads = type === 'select' ? [] : [...new Set([...tableListNames(tableList, ast, 'select'), ...lost])];
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

/** The (database, table) pairs the tree names, keyed as `db\0table` (`null` for no database). */
function treeTables(value: unknown, out: Set<string>, depth: number): Set<string> {
  if (depth > 200 || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    for (const v of value) treeTables(v, out, depth + 1);
    return out;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.table === 'string' && 'db' in o && !('column' in o))
    out.add(`${typeof o.db === 'string' && o.db ? o.db : 'null'}\0${o.table}`);
  for (const k in o) treeTables(o[k], out, depth + 1);
  return out;
}

/**
 * The tables of node-sql-parser's table list (`op::db::table`, `null` for no database), named as
 * the classifier names tables: parts kept apart, a part with a dot quoted (`` `db.t` `` is one
 * table, not `t` in database `db`). A name holding `::` makes an entry ambiguous; the tree settles
 * which split it is, and when it cannot, every split is listed. With `op`, only that operation's.
 */
export function tableListNames(
  tableList: readonly string[],
  ast: Readonly<Record<string, unknown>>,
  op?: string,
): string[] {
  const out = new Set<string>();
  let known: Set<string> | null = null;
  for (const entry of tableList) {
    const [entryOp, ...rest] = entry.split('::');
    if ((op !== undefined && entryOp !== op) || rest.length < 2) continue;
    let splits: [string, string][] = [];
    for (let i = 1; i < rest.length; i++)
      splits.push([rest.slice(0, i).join('::'), rest.slice(i).join('::')]);
    if (splits.length > 1) {
      known ??= treeTables(ast, new Set(), 0);
      const inTree = splits.filter(([db, table]) => known!.has(`${db}\0${table}`));
      if (inTree.length > 0) splits = inTree;
    }
    for (const [db, table] of splits) {
      if (!table || table === 'null') continue;
      out.add(tableName(db && db !== 'null' ? [db, table] : [table], '`'));
    }
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
  return [tableName(typeof first.db === 'string' && first.db ? [first.db, first.table] : [first.table], '`')];
}
