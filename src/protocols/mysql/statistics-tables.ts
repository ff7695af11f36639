// The optimizer's column statistics hold sampled values of the tables they describe: after
// `ANALYZE TABLE payroll PERSISTENT FOR ALL`, MariaDB's `mysql.column_stats` keeps each column's
// `min_value` and `max_value` (and a histogram; a JSON_HB one spells values out), and MySQL 8's
// `information_schema.COLUMN_STATISTICS` (over the dictionary's `mysql.column_statistics`) keeps a
// histogram of values. `SELECT max_value FROM mysql.column_stats WHERE table_name = 'payroll'`
// answers with a salary yet names only column_stats, so a rule denying reads of payroll did not
// hold it until 7 December. A statement that reads one of them is recorded as reading every table
// (EVERY_TABLE, policy/table-patterns.ts), as PostgreSQL's pg_stats is: any rule that restricts
// reading a table holds it, and a rule allowing certain tables does not allow it.
// Matched on the table's own name, in any database and any case (a view given the same name
// elsewhere is held too, erring on holding). The other statistics tables (`mysql.table_stats`,
// `mysql.index_stats`, `mysql.innodb_table_stats`, `mysql.innodb_index_stats`,
// `information_schema.STATISTICS`) hold counts and sizes, not values: the same counts that
// `information_schema.TABLES`, SHOW TABLE STATUS and SHOW INDEX show, so they are not held.
import { EVERY_TABLE, tableNameParts } from '../../policy/table-patterns.js';

/** The tables that hold sampled values of other tables' columns, lower-cased. */
const STATISTICS_TABLES: ReadonlySet<string> = new Set(['column_stats', 'column_statistics']);

/** Whether a recorded table name (`mysql.column_stats`, `` `mysql`.`COLUMN_STATS` ``) is one of them. */
export function isStatisticsTable(table: string): boolean {
  const parts = tableNameParts(table);
  return STATISTICS_TABLES.has(parts[parts.length - 1]!.toLowerCase());
}

/** EVERY_TABLE when a statement reading `tables` reads a statistics table, else nothing. */
export function statisticsReads(tables: readonly string[]): string[] {
  return !tables.includes(EVERY_TABLE) && tables.some(isStatisticsTable) ? [EVERY_TABLE] : [];
}
