// The tables a statement reads rows of when it is not itself a SELECT, so that a rule on reading a
// table (`statement_kinds: [SELECT], tables: [payroll]`) holds however the rows leave it:
// `INSERT INTO copy SELECT * FROM payroll`, `CREATE TABLE copy AS SELECT …`, `SELECT … INTO copy
// FROM payroll`, `COPY payroll TO STDOUT`, `DECLARE c CURSOR FOR SELECT …` (fetched later),
// `UPDATE t SET v = p.salary FROM payroll p …`, `DELETE FROM payroll … RETURNING *`, and the
// queries kept to run later under another statement's name: a rule's SELECT actions and condition
// (`CREATE RULE r AS ON INSERT TO log DO INSTEAD SELECT * FROM payroll` answers every later
// `INSERT INTO log` with payroll's rows; an ON SELECT rule makes a table a view), and the SELECTs of
// a `LANGUAGE sql` body written inline (`BEGIN ATOMIC SELECT … END`, `RETURN (SELECT …)`), which a
// later `SELECT f()` returns. And `EXPLAIN ANALYZE SELECT …` runs its query: the row counts it
// reports and the errors it meets come from the rows (`EXPLAIN ANALYZE SELECT salary::int FROM
// payroll` fails quoting a salary). The classifier records them as a nested SELECT entry, with
// the tables whose rows a statement shows through its errors and counts or moves under another
// name (a write's own target, CREATE INDEX, ALTER TABLE …: sql-facts-exposed.ts).
// A statement that reads the planner's statistics, a SELECT included, reads every table's sampled
// values: its nested SELECT names EVERY_TABLE too (sql-facts-statistics.ts). So does code Vigil
// cannot read, which may read any table: a DO block (`DO $$BEGIN RAISE NOTICE '%', (SELECT salary
// FROM payroll); END$$`, or `EXECUTE format('SELECT … FROM %I', …)`), and a function or procedure
// in a language other than sql, whose body a later `SELECT f()` runs (until 7 December a rule on
// reading payroll held neither; only `strict` refused them).
import { EVERY_TABLE } from '../../policy/table-patterns.js';
import { tablesExposedBy } from './sql-facts-exposed.js';
import { functionLanguage } from './sql-facts-flags.js';
import { isStatisticsName, isStatisticsRelation, withStatisticsReads } from './sql-facts-statistics.js';
import { tablesOf } from './sql-facts-tables.js';
import { asNode, type Node, walk } from './sql-facts-tree.js';

const WRITES_WITH_TARGET = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
/**
 * Statements that run, or keep to run later, the query they hold; a query that writes is a nested
 * write with reads of its own. (EXPLAIN returns a plan, not rows.)
 */
const HOLDS_QUERY = new Set(['CreateTableAsStmt', 'ViewStmt', 'DeclareCursorStmt', 'PrepareStmt']);

export function tablesReadBy(nodeType: string, node: Node): string[] {
  if (nodeType === 'DoStmt' || (nodeType === 'CreateFunctionStmt' && functionLanguage(node) !== 'sql'))
    return [EVERY_TABLE];
  const exposed = tablesExposedBy(nodeType, node);
  const read = rowsRead(nodeType, node);
  const tables = exposed.length === 0 ? read : [...new Set([...read, ...exposed])];
  // A SELECT's own tables are its entry's; only the statistics it reads add a nested read. The
  // walk looks first, so the common SELECT pays no second tablesOf (which keeps CTEs named like
  // the catalogs, `WITH pg_stats AS (…)`, apart).
  if (nodeType === 'SelectStmt' && !node.intoClause)
    return namesStatistics(node) && tablesOf(node).some(isStatisticsRelation)
      ? [...tables, EVERY_TABLE]
      : tables;
  return withStatisticsReads(tables);
}

/** Whether any table reference below `node` carries a statistics relation's name. */
function namesStatistics(node: Node): boolean {
  let found = false;
  walk(node, (_, child) => {
    if (typeof child.relname === 'string' && isStatisticsName(child.relname)) found = true;
    return !found;
  });
  return found;
}

function rowsRead(nodeType: string, node: Node): string[] {
  if (WRITES_WITH_TARGET.has(nodeType)) {
    if (returnsRows(node)) return tablesOf(node);
    // The target as the statement's own query names it is read like any table there: `INSERT INTO
    // payroll SELECT … FROM payroll WHERE …` reports the count of its rows (until 7 December the
    // target was left out wherever it appeared).
    const { relation: _target, ...rest } = node;
    return tablesOf(rest);
  }
  if (HOLDS_QUERY.has(nodeType)) return asNode(node.query)?.SelectStmt ? tablesOf({ query: node.query }) : [];
  // SELECT … INTO copy FROM payroll creates copy with payroll's rows.
  if (nodeType === 'SelectStmt' && node.intoClause) {
    const created = new Set(tablesOf({ relation: asNode(node.intoClause)?.rel }));
    return tablesOf(node).filter((t) => !created.has(t));
  }
  // COPY … TO reads its table or query; COPY … FROM writes.
  if (nodeType === 'CopyStmt') return node.is_from ? [] : tablesOf(node);
  // A rule's write actions are nested writes, with reads of their own; its SELECTs answer the
  // statements that fire it. Its condition is read at each of them.
  if (nodeType === 'RuleStmt')
    return tablesOf({ whereClause: node.whereClause, actions: selectsIn(node.actions) });
  if (nodeType === 'CreateFunctionStmt') return tablesOf({ body: inlineBodyQueries(asNode(node.sql_body)) });
  // EXPLAIN ANALYZE runs its query; a plain EXPLAIN reads the planner's statistics of its tables,
  // whose estimates answer questions about their rows (`rows=1` for one salary, `rows=300` for
  // another). The writes an EXPLAIN ANALYZE runs are nested writes already, with their reads.
  // (A SELECT … INTO under it is a nested CREATE with its reads, above.)
  if (nodeType !== 'ExplainStmt') return [];
  const explained = asNode(asNode(node.query)?.SelectStmt);
  return (explained && !explained.intoClause) || !analyzes(node) ? tablesOf({ query: node.query }) : [];
}

/** EXPLAIN with ANALYZE in any spelling (`ANALYSE`, `(ANALYZE on)`); `(ANALYZE off)` counts too. */
function analyzes(explain: Node): boolean {
  const options = Array.isArray(explain.options) ? explain.options : [];
  return options.some((o) => asNode(asNode(o)?.DefElem)?.defname === 'analyze');
}

function selectsIn(statements: unknown): Node[] {
  return (Array.isArray(statements) ? statements : []).flatMap((s) => {
    const select = asNode(asNode(s)?.SelectStmt);
    return select ? [{ SelectStmt: select }] : [];
  });
}

/**
 * What a `LANGUAGE sql` body written inline returns rows from: the expression of `RETURN expr`, or
 * the SELECTs of `BEGIN ATOMIC ... END` (a list holding the list of its statements; their writes
 * are nested writes already). The string form (`AS '...'`) is classified as statements of its own.
 */
function inlineBodyQueries(body: Node | undefined): unknown {
  if (!body) return [];
  const returned = asNode(body.ReturnStmt);
  if (returned) return returned.returnval;
  const outer = asNode(body.List)?.items;
  return (Array.isArray(outer) ? outer : []).map((inner) => selectsIn(asNode(asNode(inner)?.List)?.items));
}

function returnsRows(node: Node): boolean {
  // PostgreSQL 17's trees name it returningClause, older ones returningList.
  const returning = node.returningClause ?? node.returningList;
  return Array.isArray(returning) ? returning.length > 0 : returning !== undefined && returning !== null;
}
