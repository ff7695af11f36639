// The SQL text a dblink call sends to run in another session: `SELECT dblink_exec('dbname=app',
// 'DROP TABLE orders')` drops a table, and a rule on DROP must see the DROP, not only a SELECT.
// dblink already counts as a write and is flagged for `strict`, but a connection judged by policy
// rules alone (a DROP held for review) would otherwise let it through. The text is classified as
// nested statements, as a query_to_xml argument is (sql-facts-dynamic.ts); a text computed at run
// time, or one whose position Vigil cannot tell, is UNKNOWN. Names are matched as functionsOf
// matches them (lower-cased, without schema).
import { asNode, constantOf, type Node, unqualifiedName, walk } from './sql-facts-tree.js';

/**
 * dblink's functions that run a text, whose SQL is their last argument but an optional boolean
 * (fail_on_error): dblink([conn,] sql [, bool]), dblink_exec([conn,] sql [, bool]),
 * dblink_open([conn,] cursor, sql [, bool]), dblink_send_query(conn, sql).
 */
const RUNS_TEXT = new Set(['dblink', 'dblink_exec', 'dblink_open', 'dblink_send_query']);

function isBooleanConstant(arg: unknown): boolean {
  let node = asNode(arg);
  while (node && asNode(node.TypeCast)) node = asNode(asNode(node.TypeCast)?.arg);
  return asNode(node?.A_Const)?.boolval !== undefined;
}

/** The texts dblink calls below `root` send: a string, or null where it is not a constant. */
export function dblinkSqlOf(root: Node): (string | null)[] {
  const out: (string | null)[] = [];
  walk(root, (key, node) => {
    if (key !== 'FuncCall') return true;
    const name = unqualifiedName(node.funcname);
    if (!name || !RUNS_TEXT.has(name)) return true;
    const args = Array.isArray(node.args) ? [...node.args] : [];
    if (args.length > 0 && isBooleanConstant(args.at(-1))) args.pop();
    const sql = args.at(-1);
    // No arguments to read, a spread or named argument, or a last argument that may be the
    // boolean (a parameter): the text could be anything.
    if (sql === undefined || node.func_variadic === true || asNode(asNode(sql)?.NamedArgExpr)) {
      out.push(null);
      return true;
    }
    const text = constantOf(sql);
    if (text !== undefined) {
      if (text.text !== null) out.push(text.text); // NULL runs nothing
      return true;
    }
    // The last argument is computed (it may be the boolean, and the text one before it): every
    // constant argument is read as the text it may be, and the computed one is UNKNOWN.
    out.push(null);
    for (const arg of args.slice(0, -1)) {
      const c = constantOf(arg);
      if (c?.text) out.push(c.text);
    }
    return true;
  });
  return out;
}
