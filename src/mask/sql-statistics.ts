// A column's statistics hold its values: PostgreSQL's `pg_stats.most_common_vals` and
// `histogram_bounds` (`pg_statistic.stavalues1`…, `pg_stats_ext_exprs`), MariaDB's
// `mysql.column_stats.min_value`, `max_value`, MySQL's `information_schema.COLUMN_STATISTICS`
// histogram. After ANALYZE, `SELECT most_common_vals FROM pg_stats WHERE attname = 'password'`
// answers with stored passwords under a column that names nothing secret, and which column the
// row describes is in another cell; they were recorded in clear until 7 December. A result of a
// statement that reads one of these relations keeps only the cells of the columns that describe
// the statistics (names, fractions, widths, counts); every other cell, whatever it is called
// (`histogram_bounds::text AS h`), is withheld. Errs on masking. The catalogs that keep a
// column's DEFAULT are read the same way (sql-column-catalogs.ts), and so is a statement that names
// one of them inside a string (`query_to_xml('SELECT most_common_vals FROM pg_stats', …)` answers
// with its rows as XML). A relation made from them on the connection is remembered
// (sql-session-relations.ts): `CREATE VIEW s AS SELECT … FROM pg_stats`, then `SELECT … FROM s`.
import { CATALOG_IN_TEXT, DESCRIBING_CATALOG, namesColumnCatalog } from './sql-column-catalogs.js';
import { readingsDiffer, type SqlReading, type SqlToken, tokenizeSql } from './sql-tokens.js';

/** A cheap first look: only statements that may name such a relation are tokenized. */
const MAY_READ =
  /pg_stat|column|pg_attr|pg_get_expr|adbin|adsrc|attmissingval|attribute|fields|desc|explain/i;
/** A relation of statistics named inside a string (a query run by a function, a routine's body). */
const STATISTICS_IN_TEXT = /pg_stats|pg_statistic|column_stat/i;

/** The relations (and views) that hold sample values of a table's columns. */
const STATISTICS = new Set([
  'pg_stats',
  'pg_statistic',
  'pg_stats_ext',
  'pg_stats_ext_exprs',
  'pg_statistic_ext_data',
  'column_stats',
  'column_statistics',
]);

/** Columns of those relations that describe, not sample, the values: kept. */
const DESCRIBING = new Set([
  'schemaname',
  'tablename',
  'attname',
  'inherited',
  'null_frac',
  'avg_width',
  'n_distinct',
  'most_common_freqs',
  'correlation',
  'most_common_elem_freqs',
  'elem_count_histogram',
  'statistics_schemaname',
  'statistics_name',
  'statistics_owner',
  'attnames',
  'exprs',
  'expr',
  'kinds',
  'most_common_base_freqs',
  'starelid',
  'staattnum',
  'stainherit',
  'stanullfrac',
  'stawidth',
  'stadistinct',
  'db_name',
  'table_name',
  'column_name',
  'schema_name',
  'nulls_ratio',
  'avg_length',
  'avg_frequency',
  'hist_size',
  'hist_type',
]);
/** pg_statistic's per-slot columns that describe: kinds, operators, collations, frequencies. */
const DESCRIBING_SLOT = /^(?:stakind|staop|stacoll|stanumbers)[1-5]$/;

/**
 * Whether `statement` reads a relation of column statistics, or a catalog that keeps a column's
 * default (sql-column-catalogs.ts), by name or inside a string.
 */
export function readsStatistics(statement: string, readings: readonly SqlReading[]): boolean {
  if (!MAY_READ.test(statement)) return false;
  for (const reading of readings.length > 1 && !readingsDiffer(statement) ? readings.slice(0, 1) : readings) {
    const tokens = tokenizeSql(statement, reading);
    for (let k = 0; k < tokens.length; k++) if (namesColumnValues(statement, tokens, k)) return true;
  }
  return false;
}

/**
 * Whether token `k` of `sql` names a relation that holds a column's values apart from its rows
 * (statistics, a default), or is a string that names one.
 */
export function namesColumnValues(sql: string, tokens: readonly SqlToken[], k: number): boolean {
  const t = tokens[k]!;
  if (t.kind === 'string') {
    const text = sql.slice(t.start, t.end);
    return STATISTICS_IN_TEXT.test(text) || CATALOG_IN_TEXT.test(text);
  }
  return (t.kind === 'ident' && STATISTICS.has(t.text)) || namesColumnCatalog(tokens, k);
}

/** Whether a result column of such a statement describes the statistics or the column (kept), by its name. */
export function describesStatistics(name: string | undefined): boolean {
  if (name === undefined) return false;
  const lower = name.toLowerCase();
  return DESCRIBING.has(lower) || DESCRIBING_SLOT.test(lower) || DESCRIBING_CATALOG.has(lower);
}
