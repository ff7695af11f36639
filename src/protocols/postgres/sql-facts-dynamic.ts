// SQL that a function call runs from a text argument: `query_to_xml('select pg_read_file(...)', ...)`
// or `ts_stat('select ...')` run the string as a query when the outer statement runs, so a guard
// that judged only the outer SELECT would never see what they run (a server file read, a
// set_config('role', ...)). The classifier judges such a string as nested statements, as it does a
// LANGUAGE sql function body; a text computed at run time cannot be judged and counts as UNKNOWN.
// Names are matched as functionsOf matches them (lower-cased, without schema), erring toward
// reading a look-alike's argument too.
import { asNode, constantOf, type Node, unqualifiedName, walk } from './sql-facts-tree.js';

/**
 * Where a function takes SQL text: by position and by argument name; a table it reads whole, named
 * by a regclass text (`table`); or always opaque.
 */
type DynamicSqlArgument =
  | {
      readonly position: number;
      readonly name: string | null;
      readonly arity?: number;
      readonly table?: true;
    }
  | 'opaque';

const DYNAMIC_SQL_FUNCTIONS: Readonly<Record<string, readonly DynamicSqlArgument[]>> = {
  // core: the XML export of a query's result, and text-search statistics over a query
  query_to_xml: [{ position: 0, name: 'query' }],
  query_to_xmlschema: [{ position: 0, name: 'query' }],
  query_to_xml_and_xmlschema: [{ position: 0, name: 'query' }],
  ts_stat: [{ position: 0, name: 'query' }],
  // ts_rewrite(tsquery, text) runs its second argument; the three-argument form runs nothing.
  ts_rewrite: [{ position: 1, name: null, arity: 2 }],
  // tablefunc: crosstab's source and category queries; connectby builds its query from names it
  // does not quote. xml2's xpath_table builds one from a relation and a WHERE clause.
  crosstab: [
    { position: 0, name: null },
    { position: 1, name: null },
  ],
  crosstab2: [{ position: 0, name: null }],
  crosstab3: [{ position: 0, name: null }],
  crosstab4: [{ position: 0, name: null }],
  connectby: ['opaque'],
  xpath_table: ['opaque'],
  // The XML export of a whole table reads it as `TABLE name` would; of a schema or the database,
  // every table in it; of a cursor, whatever the portal of that name runs (a protocol-bound
  // DELETE ... RETURNING, say), which a text cannot show.
  table_to_xml: [{ position: 0, name: 'tbl', table: true }],
  table_to_xmlschema: [{ position: 0, name: 'tbl', table: true }],
  table_to_xml_and_xmlschema: [{ position: 0, name: 'tbl', table: true }],
  schema_to_xml: ['opaque'],
  schema_to_xmlschema: ['opaque'],
  schema_to_xml_and_xmlschema: ['opaque'],
  database_to_xml: ['opaque'],
  database_to_xmlschema: ['opaque'],
  database_to_xml_and_xmlschema: ['opaque'],
  cursor_to_xml: ['opaque'],
  cursor_to_xmlschema: ['opaque'],
};

/**
 * The table a regclass argument names, as text a `TABLE` statement reads alike (regclass input
 * splits and folds a qualified name as SQL does), or null when it is not a constant. An OID gives
 * `TABLE 16384`, which does not parse: UNKNOWN, as it should be.
 */
function tableNameOf(arg: unknown): string | null {
  let node = asNode(arg);
  const cast = asNode(node?.TypeCast);
  if (cast && unqualifiedName(asNode(cast.typeName)?.names) === 'regclass') node = asNode(cast.arg);
  const c = constantOf(node);
  return c === undefined || c.text === null ? null : c.text;
}

/** The argument at a position or with a name; undefined when the call has none there. */
function argumentOf(args: readonly unknown[], position: number, name: string | null): unknown {
  if (name !== null) {
    for (const a of args) {
      const named = asNode(asNode(a)?.NamedArgExpr);
      if (named?.name === name) return named.arg;
    }
  }
  const positional = args[position];
  // Positional arguments come before named ones; a named one here is another argument.
  return asNode(asNode(positional)?.NamedArgExpr) ? undefined : positional;
}

/** A number or boolean constant (possibly cast): an argument of another overload, not a text. */
function isOtherConstant(arg: unknown): boolean {
  let node = asNode(arg);
  while (node && asNode(node.TypeCast)) node = asNode(asNode(node.TypeCast)?.arg);
  const c = asNode(node?.A_Const);
  return c !== undefined && (c.ival !== undefined || c.fval !== undefined || c.boolval !== undefined);
}

/**
 * The SQL texts the function calls below `root` would run: a string, or null where the text is
 * not a constant (or the function builds its query in ways Vigil does not read).
 */
export function dynamicSqlOf(root: Node): (string | null)[] {
  const out: (string | null)[] = [];
  walk(root, (key, node) => {
    if (key !== 'FuncCall') return true;
    const name = unqualifiedName(node.funcname);
    const slots = name ? DYNAMIC_SQL_FUNCTIONS[name] : undefined;
    if (!slots) return true;
    const args = Array.isArray(node.args) ? node.args : [];
    // A variadic call or one whose arguments are spread could put the text anywhere.
    const spread = node.func_variadic === true || node.agg_star === true;
    for (const slot of slots) {
      if (slot === 'opaque' || spread) {
        out.push(null);
        continue;
      }
      if (slot.arity !== undefined && args.length !== slot.arity) continue;
      const arg = argumentOf(args, slot.position, slot.name);
      if (arg === undefined) continue;
      if (slot.table) {
        const table = tableNameOf(arg);
        out.push(table === null ? null : `TABLE ${table}`);
        continue;
      }
      if (isOtherConstant(arg)) continue; // crosstab(text, int): the number is no query
      const text = constantOf(arg);
      if (text === undefined) out.push(null);
      else if (text.text !== null) out.push(text.text); // NULL runs nothing
    }
    return true;
  });
  return out;
}
