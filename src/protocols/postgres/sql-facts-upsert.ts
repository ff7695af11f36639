// The UPDATE an upsert makes: `INSERT … ON CONFLICT … DO UPDATE` changes the rows it collides
// with, so what guards UPDATE (deny_statements, unbounded writes, statement_kinds rules, a group's
// allow-list) guards it here too. `INSERT INTO t SELECT * FROM t ON CONFLICT (id) DO UPDATE SET
// v = 0` rewrites every row of t while reading as an INSERT.
// Bounded when the rows it can collide with are the ones it lists (a VALUES list or DEFAULT
// VALUES), or when its own WHERE refers to a column (the tripwire of sql-facts-where.ts); a query
// as the source can reach every row.
import { asNode, type Node } from './sql-facts-tree.js';
import { whereBoundsRows } from './sql-facts-where.js';

/** The upsert's UPDATE as `{ hasWhere }`, or null when the INSERT updates nothing on conflict. */
export function upsertUpdateOf(insert: Node): { readonly hasWhere: boolean } | null {
  const conflict = asNode(insert.onConflictClause);
  if (conflict?.action !== 'ONCONFLICT_UPDATE') return null;
  const select = asNode(asNode(insert.selectStmt)?.SelectStmt);
  const listed = insert.selectStmt === undefined || (select !== undefined && isValuesList(select));
  return { hasWhere: listed || whereBoundsRows(conflict.whereClause) };
}

/** A bare VALUES list: no set operation, no query of a table around it. */
function isValuesList(select: Node): boolean {
  return Array.isArray(select.valuesLists) && select.valuesLists.length > 0 && select.op === 'SETOP_NONE';
}
