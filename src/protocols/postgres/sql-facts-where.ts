// When a WHERE clause bounds an UPDATE or DELETE. Only a clause that refers to at least one column
// (a ColumnRef anywhere in it, subqueries included) or to a cursor position (WHERE CURRENT OF)
// counts: `WHERE true`, `WHERE 1=1`, `WHERE 'a'='a'`, `WHERE NOT false` or `WHERE $1` are constant
// for every row, so they select all rows or none, which is what "unbounded" guards against. This is
// a tripwire for the easy ways around a "has a WHERE" check, not a proof: `WHERE id = id` or
// `WHERE id > 0 OR true` refer to a column and still count as bounded.
import { walk } from './sql-facts-tree.js';

export function whereBoundsRows(whereClause: unknown): boolean {
  if (whereClause === undefined || whereClause === null) return false;
  let bounded = false;
  walk({ whereClause }, (key) => {
    if (key === 'ColumnRef' || key === 'CurrentOfExpr') bounded = true;
    return !bounded;
  });
  return bounded;
}
