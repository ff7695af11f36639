// The tables node-sql-parser's tree names, for the tables its own table list leaves out. The list
// misses every table of a parenthesized join group after a JOIN: `DELETE c FROM log a JOIN (log b
// JOIN payroll c ON 1) ON 1` deletes payroll's rows while the list says `delete::null::log`, and
// `SELECT * FROM log a JOIN (log b, payroll c) ON 1` reads payroll while it says only log. Until 7
// December those statements were judged as touching log alone, so a rule on payroll did not see
// them. The tree holds each table as an object with `table` and `db` (a column reference has a
// `column` too); an alias or a WITH query's name read as a table here can only add a name.
import { tableName } from '../../policy/table-patterns.js';

/** Deeper than this, a tree is not walked: the statement is not judged (the caller refuses it). */
const MAX_DEPTH = 400;

/**
 * Every table the tree names, as the classifier names tables (`db.table`, or `table` in the
 * session's database; a part holding a dot is quoted), or null when the tree is too deep to walk.
 */
export function treeTableNames(ast: unknown): string[] | null {
  const out = new Set<string>();
  return collect(ast, out, 0) ? [...out] : null;
}

function collect(value: unknown, out: Set<string>, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((v) => collect(v, out, depth + 1));
  const o = value as Record<string, unknown>;
  if (typeof o.table === 'string' && o.table && 'db' in o && !('column' in o))
    out.add(tableName(typeof o.db === 'string' && o.db ? [o.db, o.table] : [o.table], '`'));
  for (const k in o) if (!collect(o[k], out, depth + 1)) return false;
  return true;
}
