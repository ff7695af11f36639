// The tables a statement reads rows of when it is not itself a SELECT, so that a rule on reading a
// table (`statement_kinds: [SELECT], tables: [payroll]`) holds however the rows leave it:
// `INSERT INTO copy SELECT * FROM payroll`, `CREATE TABLE copy AS SELECT …`, `SELECT … INTO copy
// FROM payroll`, `COPY payroll TO STDOUT`, `DECLARE c CURSOR FOR SELECT …` (fetched later),
// `UPDATE t SET v = p.salary FROM payroll p …`, `DELETE FROM payroll … RETURNING *`. The classifier
// records them as a nested SELECT entry. A write's own target is not counted as read unless the
// write returns its rows (RETURNING).
import { tablesOf } from './sql-facts-tables.js';
import { asNode, type Node } from './sql-facts-tree.js';

const WRITES_WITH_TARGET = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
/**
 * Statements that run, or keep to run later, the query they hold; a query that writes is a nested
 * write with reads of its own. (EXPLAIN returns a plan, not rows.)
 */
const HOLDS_QUERY = new Set(['CreateTableAsStmt', 'ViewStmt', 'DeclareCursorStmt', 'PrepareStmt']);

export function tablesReadBy(nodeType: string, node: Node): string[] {
  if (WRITES_WITH_TARGET.has(nodeType)) {
    const all = tablesOf(node);
    if (returnsRows(node)) return all;
    const target = new Set(tablesOf({ relation: node.relation }));
    return all.filter((t) => !target.has(t));
  }
  if (HOLDS_QUERY.has(nodeType)) return asNode(node.query)?.SelectStmt ? tablesOf({ query: node.query }) : [];
  // SELECT … INTO copy FROM payroll creates copy with payroll's rows.
  if (nodeType === 'SelectStmt' && node.intoClause) {
    const created = new Set(tablesOf({ relation: asNode(node.intoClause)?.rel }));
    return tablesOf(node).filter((t) => !created.has(t));
  }
  // COPY … TO reads its table or query; COPY … FROM writes.
  if (nodeType === 'CopyStmt') return node.is_from ? [] : tablesOf(node);
  return [];
}

function returnsRows(node: Node): boolean {
  // PostgreSQL 17's trees name it returningClause, older ones returningList.
  const returning = node.returningClause ?? node.returningList;
  return Array.isArray(returning) ? returning.length > 0 : returning !== undefined && returning !== null;
}
