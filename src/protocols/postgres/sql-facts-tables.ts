// The tables a statement names, for `tables` policy rules: every RangeVar, wherever it sits, except
// the references that PostgreSQL resolves to a WITH query (CTE) rather than a table. That exception
// follows the server's scoping exactly, because a name read as a CTE that the server reads as the
// table would hide the table from a rule:
// - a CTE is visible only inside the statement whose WITH defines it (and its subqueries), not in
//   the rest of an enclosing query: `SELECT * FROM payroll WHERE EXISTS (WITH payroll AS ...)`
//   reads the table;
// - a CTE of a plain WITH is visible only to the CTEs after it, not in its own body:
//   `WITH payroll AS (SELECT * FROM payroll) ...` reads the table (WITH RECURSIVE sees them all);
// - only a FROM item can name a CTE: the target of INSERT, UPDATE, DELETE or MERGE, and every
//   RangeVar held bare in a field (`relation`, `view`, `table`, `pktable`, ...), is a table;
// - a schema-qualified name is never a CTE.
import { EVERY_TABLE, everyTableOf, tableName } from '../../policy/table-patterns.js';
import { relationTextsOf } from './sql-facts-relations.js';
import { asNode, type Node } from './sql-facts-tree.js';

/** DROP of objects that belong to a table, whose name list ends with the object's own name. */
const DROPPED_ON_TABLE = new Set(['OBJECT_POLICY', 'OBJECT_TRIGGER', 'OBJECT_RULE']);
/** COMMENT ON and SECURITY LABEL: objects named as a relation's own name list. */
const RELATION_OBJECTS = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_FOREIGN_TABLE',
  'OBJECT_SEQUENCE',
  'OBJECT_INDEX',
]);
/** …and objects named after their table: the table's name list, then the object's own name. */
const OBJECTS_ON_TABLE = new Set([...DROPPED_ON_TABLE, 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT']);

type Scope = ReadonlySet<string>;

/** `schema.name` with its parts kept apart: a quoted part may hold dots (table-patterns.ts). */
function rangeVarName(node: Node): string {
  const relname = String(node.relname);
  return tableName(typeof node.schemaname === 'string' ? [node.schemaname, relname] : [relname]);
}

function cteNames(withClause: Node): string[] {
  const ctes = Array.isArray(withClause.ctes) ? withClause.ctes : [];
  return ctes.map((c) => {
    const name = asNode(asNode(c)?.CommonTableExpr)?.ctename;
    return typeof name === 'string' ? name : '';
  });
}

function collect(value: unknown, key: string, scope: Scope, tables: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, key, scope, tables);
    return;
  }
  const node = asNode(value);
  if (!node) return;
  if (typeof node.relname === 'string') {
    // Only a RangeVar has a relname. Wrapped ({RangeVar: ...}) it is a FROM item and may name a
    // CTE in scope; held bare in a field it is a statement's target or an object's table.
    const isCte = key === 'RangeVar' && typeof node.schemaname !== 'string' && scope.has(node.relname);
    if (!isCte) tables.add(rangeVarName(node));
    return;
  }
  const withClause = asNode(node.withClause);
  let inner = scope;
  if (withClause) {
    const names = cteNames(withClause);
    const recursive = withClause.recursive === true;
    const ctes = Array.isArray(withClause.ctes) ? withClause.ctes : [];
    ctes.forEach((c, i) => {
      const visible = recursive ? names : names.slice(0, i);
      collect(c, 'ctes', new Set([...scope, ...visible]), tables);
    });
    inner = new Set([...scope, ...names]);
  }
  for (const k in node) {
    if (k === 'withClause') continue;
    const child = node[k];
    if (child !== null && typeof child === 'object') collect(child, k, inner, tables);
  }
}

/** The strings of a name list (`{List: {items: [{String: …}]}}`), or null when it is not one. */
function nameList(value: unknown): string[] | null {
  const items = asNode(asNode(value)?.List)?.items;
  return Array.isArray(items) ? items.map((i) => String(asNode(asNode(i)?.String)?.sval ?? '')) : null;
}

export function tablesOf(root: Node): string[] {
  const tables = new Set<string>();
  collect(root, '', new Set(), tables);
  // Relations named by a regclass text (nextval('s'), 'x'::regclass): sql-facts-relations.ts.
  for (const name of relationTextsOf(root)) tables.add(name);
  // DROP names its objects as lists of strings rather than RangeVars. A policy, trigger or rule
  // is named after its table (`DROP POLICY p ON payroll` is [payroll, p]): the table is the rest.
  if (Array.isArray(root.objects)) {
    const onTable = typeof root.removeType === 'string' && DROPPED_ON_TABLE.has(root.removeType);
    for (const o of root.objects as Node[]) {
      const names = nameList(o);
      if (names) tables.add(tableName(onTable ? names.slice(0, -1) : names));
    }
  }
  // COMMENT ON and SECURITY LABEL name theirs the same way: `COMMENT ON COLUMN hr.payroll.salary`
  // is [hr, payroll, salary].
  const object = nameList(root.object);
  if (object && typeof root.objtype === 'string') {
    if (RELATION_OBJECTS.has(root.objtype)) tables.add(tableName(object));
    else if (OBJECTS_ON_TABLE.has(root.objtype)) tables.add(tableName(object.slice(0, -1)));
  }
  // `ALTER SCHEMA hr RENAME TO x` moves every table of hr under another name, and which tables
  // those are the text does not say: it names them all (table-patterns.ts).
  if (root.renameType === 'OBJECT_SCHEMA' && typeof root.subname === 'string')
    tables.add(everyTableOf(root.subname));
  // `ALTER EXTENSION e SET SCHEMA x` moves every member of e (tables among them, and the functions
  // that read them) from the extension's schema to x. The text names neither that schema nor the
  // members, and an extension's schema can be any schema: it names every table (table-patterns.ts).
  if (root.objectType === 'OBJECT_EXTENSION' && typeof root.newschema === 'string') tables.add(EVERY_TABLE);
  return [...tables];
}
