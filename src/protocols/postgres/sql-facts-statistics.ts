// The planner's statistics hold sampled values of every analyzed column of every table:
// `pg_stats.most_common_vals` and `histogram_bounds`, `pg_stats_ext`, `pg_stats_ext_exprs`, and the
// catalogs behind them (`pg_statistic.stavalues1`…, `pg_statistic_ext_data.stxdmcv`). After
// `ANALYZE payroll`, `SELECT most_common_vals FROM pg_stats WHERE tablename = 'payroll'` answers
// with payroll's salaries, yet names only pg_stats, so a rule denying reads of payroll did not
// hold it until 7 December. A statement that reads one of them is recorded as reading every table
// (EVERY_TABLE, table-patterns.ts): any rule that restricts reading a table holds it, and a rule
// allowing certain tables does not allow it.
// Matched on the relation's own name, in any schema and any case: `pg_catalog.pg_stats`,
// `"pg_stats"`, `PG_STATS`, and a table of that name in another schema too (a view over the
// catalog may be given the catalog's name), erring on holding. The masking of their cells in the
// result (src/mask/sql-statistics.ts) keeps a list of its own, with MySQL's names; this one is the
// PostgreSQL side for policy.
import { EVERY_TABLE, tableNameParts } from '../../policy/table-patterns.js';

/** The relations (views and catalogs) that hold sample values of a table's columns. */
const STATISTICS_RELATIONS: ReadonlySet<string> = new Set([
  'pg_stats',
  'pg_stats_ext',
  'pg_stats_ext_exprs',
  'pg_statistic',
  'pg_statistic_ext_data',
]);

/** Whether a relation's own name (a RangeVar's relname, unquoted) is one of the statistics relations'. */
export function isStatisticsName(relname: string): boolean {
  return STATISTICS_RELATIONS.has(relname.toLowerCase());
}

/** Whether a recorded table name (`pg_stats`, `pg_catalog."pg_stats"`) is one of the statistics relations. */
export function isStatisticsRelation(table: string): boolean {
  const parts = tableNameParts(table);
  return isStatisticsName(parts[parts.length - 1]!);
}

/** The tables read, with EVERY_TABLE added when one of them is a statistics relation. */
export function withStatisticsReads(tables: readonly string[]): string[] {
  if (tables.includes(EVERY_TABLE) || !tables.some(isStatisticsRelation)) return [...tables];
  return [...tables, EVERY_TABLE];
}
