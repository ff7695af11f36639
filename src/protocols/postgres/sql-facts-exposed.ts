// Tables whose rows a statement shows without returning them: through the errors it meets, the
// row counts it reports, or by making them readable later under a name a rule does not hold. A
// rule on reading a table (`statement_kinds: [SELECT], tables: [payroll]`) must see these too, so
// the classifier records them as a nested SELECT (sql-facts-reads.ts). PostgreSQL 15, checked:
// - a write's own target: `UPDATE payroll SET note = note WHERE salary::int > 0` fails quoting a
//   salary, a NOT NULL or CHECK violation quotes the whole row (`Failing row contains (1, bob,
//   …)`) even for `UPDATE payroll SET note = NULL`, a foreign key quotes the key a DELETE would
//   orphan, and the count (`UPDATE 3`) answers whatever the WHERE asks; `INSERT … ON CONFLICT DO
//   NOTHING` answers whether a row with that key exists, and `… DO UPDATE SET note = NULL` fails
//   quoting the existing row;
// - CREATE INDEX and ALTER TABLE evaluate expressions over every row (`CREATE INDEX ON payroll
//   ((salary::int))`, `ADD CHECK`, `ALTER COLUMN … TYPE … USING`, a generated column, a foreign
//   key) and quote the row or key that fails; `ALTER TABLE payroll INHERIT mine` and `ALTER TABLE
//   mine ATTACH PARTITION payroll` make `SELECT * FROM mine` return payroll's rows; `ALTER TABLE
//   payroll RENAME TO p2` and `… SET SCHEMA` move them under another name;
// - CREATE TABLE … REFERENCES payroll answers whether a key exists there at each insert,
//   INHERITS and PARTITION OF check the parent's rows (a default partition's), and CREATE
//   STATISTICS publishes sampled values in pg_stats_ext;
// - a row-level security policy's USING and WITH CHECK run their subqueries at every later
//   statement on its table (`CREATE POLICY p ON t USING ((SELECT salary::int FROM payroll) > 0)`);
// - a rule or trigger on a table runs at every later write of it, by anyone, with its rows
//   (`CREATE RULE r AS ON UPDATE TO payroll DO ALSO INSERT INTO log VALUES (NEW.id, NEW.salary)`
//   copies each salary the application writes; a trigger calls a function made earlier, an audit
//   function, with each row), and a publication sends its tables' rows to a subscriber;
// - a foreign table reads the remote table its options name under its own name (`CREATE FOREIGN
//   TABLE ft (…) SERVER loopback OPTIONS (table_name 'payroll')`, or `ALTER FOREIGN TABLE ft
//   OPTIONS (SET table_name 'payroll')`): the named table is read, as `schema_name.table_name`.
// A plain INSERT is not counted: its errors quote the values it sends, though a unique violation
// does tell whether its key exists.
import { tableName } from '../../policy/table-patterns.js';
import { tablesOf } from './sql-facts-tables.js';
import { asNode, type Node, walk } from './sql-facts-tree.js';

/** Statements every table of which is exposed: their target and what they bind it to. */
const EXPOSES_ALL = new Set([
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'IndexStmt',
  'RenameStmt',
  'AlterObjectSchemaStmt',
  'CreateStatsStmt',
  'CreateTrigStmt',
  'CreatePublicationStmt',
  'AlterPublicationStmt',
]);

export function tablesExposedBy(nodeType: string, node: Node): string[] {
  if (nodeType === 'AlterTableStmt') {
    const options: unknown[] = [];
    walk(node.cmds, (key, child) => {
      if (key === 'DefElem') options.push({ DefElem: child });
      return true;
    });
    return [...tablesOf(node), ...remoteTable(options, asNode(node.relation)?.relname)];
  }
  if (EXPOSES_ALL.has(nodeType)) return tablesOf(node);
  if (nodeType === 'InsertStmt') {
    return node.onConflictClause ? tablesOf({ relation: node.relation }) : [];
  }
  // The new table itself holds no rows yet; the ones it references, inherits or partitions do.
  if (nodeType === 'CreateStmt') {
    const own = new Set(tablesOf({ relation: node.relation }));
    return tablesOf(node).filter((t) => !own.has(t));
  }
  if (nodeType === 'CreateForeignTableStmt') {
    // Its own name too: without options, the remote table is the one of that name.
    return [...tablesOf(node), ...remoteTable(node.options, asNode(asNode(node.base)?.relation)?.relname)];
  }
  // Its SELECT actions and condition are reads already (sql-facts-reads.ts); its table's rows are
  // read where the condition or an action names NEW or OLD.
  if (nodeType === 'RuleStmt')
    return namesNewOrOld({ where: node.whereClause, actions: node.actions })
      ? tablesOf({ relation: node.relation })
      : [];
  if (nodeType === 'CreatePolicyStmt' || nodeType === 'AlterPolicyStmt')
    return tablesOf({ qual: node.qual, with_check: node.with_check });
  return [];
}

/**
 * The remote table that `table_name` and `schema_name` options name (postgres_fdw's; the local
 * name when only the schema is given), or none: the local name then is the remote one.
 */
function remoteTable(options: unknown, localName: unknown): string[] {
  let table: string | undefined;
  let schema: string | undefined;
  for (const o of Array.isArray(options) ? options : []) {
    const def = asNode(asNode(o)?.DefElem);
    const value = asNode(asNode(def?.arg)?.String)?.sval;
    if (typeof value !== 'string') continue;
    if (def?.defname === 'table_name') table = value;
    if (def?.defname === 'schema_name') schema = value;
  }
  if (table === undefined && schema === undefined) return [];
  const name = table ?? (typeof localName === 'string' ? localName : '');
  return [tableName(schema === undefined ? [name] : [schema, name])];
}

/** Whether a column reference below starts with `new` or `old` (`NEW.salary`, `old.*`, `new`). */
function namesNewOrOld(root: Node): boolean {
  let found = false;
  walk(root, (key, child) => {
    if (found) return false;
    if (key === 'ColumnRef') {
      const first = asNode(asNode(Array.isArray(child.fields) ? child.fields[0] : undefined)?.String)?.sval;
      found = first === 'new' || first === 'old';
    }
    return !found;
  });
  return found;
}
