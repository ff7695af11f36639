// The catalogs keep a column's DEFAULT apart from its rows: PostgreSQL's
// `information_schema.columns.column_default`, `pg_attrdef.adbin` (read as text through
// `pg_get_expr(adbin, adrelid)`, as psql's `\d users` does), `pg_attribute.attmissingval` (the value
// rows older than `ALTER TABLE … ADD COLUMN password text DEFAULT '…'` take); MariaDB's and MySQL's
// `information_schema.COLUMNS.COLUMN_DEFAULT`, `SHOW [FULL] COLUMNS | FIELDS` and `DESCRIBE` (the
// `Default` column). A secret column's DEFAULT is a password every new row gets; the statement that
// set it is masked (sql-column-defaults.ts), but read back it came under a column that names nothing
// secret (`column_default`, `Default`, `pg_get_expr`), which column it belongs to was in another
// cell, and it was recorded in clear until 7 December. A result of a statement that reads one of
// these keeps only the cells of the columns that describe (names, types, nullability, keys); every
// other cell, whatever it is called, is withheld (sql-statistics.ts applies it). Errs on masking: a
// harmless default (`now()`, `0`) is withheld too, since only the cell's column name is known here;
// except in MySQL's `SHOW [FULL] COLUMNS` and `DESCRIBE`, whose rows carry the column's name in
// `Field`, which the server writes and no statement can alias (describesTableColumns).
import type { SqlToken } from './sql-tokens.js';

/** Relations, columns and functions that hold or read a column's default, wherever they are named. */
const CATALOG_WORDS = new Set([
  'pg_attrdef',
  'pg_attribute',
  'pg_get_expr',
  'adbin',
  'adsrc',
  'attmissingval',
  'column_default',
  'attribute_default',
  // `information_schema.columns` (and `COLUMNS`), and MySQL's `SHOW [FULL] COLUMNS FROM t`.
  'columns',
]);
/** `information_schema.attributes` (a composite type's attributes and their defaults), qualified only. */
const QUALIFIED_WORDS = new Set(['attributes']);
/** Words that follow MySQL's EXPLAIN when it explains a statement rather than describes a table. */
const EXPLAIN_STATEMENT = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'replace',
  'with',
  'values',
  'table',
  'analyze',
  'verbose',
  'costs',
  'format',
  'extended',
  'partitions',
  'for',
  'execute',
  'declare',
  'create',
  'merge',
]);

/** Whether token `k` names a catalog that holds a column's default (see CATALOG_WORDS). */
export function namesColumnCatalog(tokens: readonly SqlToken[], k: number): boolean {
  const t = tokens[k]!;
  if (t.kind !== 'ident') return false;
  if (CATALOG_WORDS.has(t.text)) return true;
  if (QUALIFIED_WORDS.has(t.text))
    return tokens[k - 1]?.text === '.' && tokens[k - 2]?.text === 'information_schema';
  const before = tokens[k - 1];
  const first = before === undefined || before.text === ';';
  // MySQL's `SHOW [FULL] FIELDS FROM t`, `DESCRIBE t`, `DESC t` and `EXPLAIN t`.
  if (t.text === 'fields') return before?.text === 'show' || before?.text === 'full';
  if (t.text === 'describe' || t.text === 'desc') return first;
  if (t.text === 'explain') {
    const next = tokens[k + 1];
    return first && next?.kind === 'ident' && !EXPLAIN_STATEMENT.has(next.text);
  }
  return false;
}

/** Names of catalog strings that say so inside a string (`query_to_xml('SELECT … FROM pg_attrdef …')`). */
export const CATALOG_IN_TEXT =
  /pg_attrdef|pg_attribute|pg_get_expr|adbin|adsrc|attmissingval|column_default|attribute_default|information_schema\W{0,3}(?:columns|attributes)/i;

/** Columns of those catalogs (and of psql's `\d` query) that describe a column, not its default: kept. */
export const DESCRIBING_CATALOG = new Set([
  // information_schema.columns (PostgreSQL, MariaDB, MySQL)
  'table_catalog',
  'table_schema',
  'table_name',
  'column_name',
  'ordinal_position',
  'is_nullable',
  'data_type',
  'character_maximum_length',
  'character_octet_length',
  'numeric_precision',
  'numeric_precision_radix',
  'numeric_scale',
  'datetime_precision',
  'interval_type',
  'interval_precision',
  'character_set_catalog',
  'character_set_schema',
  'character_set_name',
  'collation_catalog',
  'collation_schema',
  'collation_name',
  'domain_catalog',
  'domain_schema',
  'domain_name',
  'udt_catalog',
  'udt_schema',
  'udt_name',
  'dtd_identifier',
  'is_self_referencing',
  'is_identity',
  'identity_generation',
  'is_generated',
  'is_updatable',
  'column_type',
  'column_key',
  'extra',
  'privileges',
  'column_comment',
  // information_schema.attributes
  'attribute_name',
  'attribute_udt_name',
  // pg_attribute, every column but attmissingval; pg_attrdef's keys; psql's `\d` query
  'attrelid',
  'attname',
  'atttypid',
  'attstattarget',
  'attlen',
  'attnum',
  'attndims',
  'attcacheoff',
  'atttypmod',
  'attbyval',
  'attalign',
  'attstorage',
  'attcompression',
  'attnotnull',
  'atthasdef',
  'atthasmissing',
  'attidentity',
  'attgenerated',
  'attisdropped',
  'attislocal',
  'attinhcount',
  'attcollation',
  'oid',
  'adrelid',
  'adnum',
  'format_type',
  'col_description',
  'relname',
  'nspname',
  'typname',
  // MySQL's SHOW [FULL] COLUMNS and DESCRIBE, every column but Default
  'field',
  'type',
  'null',
  'key',
  'collation',
  'comment',
]);

/**
 * MySQL's and MariaDB's `SHOW [FULL] COLUMNS | FIELDS FROM t` and `DESCRIBE t` / `DESC t` as a whole
 * text (one statement): their rows name the column they describe in `Field`, and no select list
 * can rename another cell to it, so a row's `Default` is withheld only when `Field` is secret
 * (value-echoes.ts). Until 7 December every default so read was withheld, `0` and `now()` too.
 */
const DESCRIBES_COLUMNS =
  /^\s*(?:SHOW\s+(?:FULL\s+)?(?:COLUMNS|FIELDS)\s+(?:FROM|IN)\s|DESC(?:RIBE)?\s+)[^;'"]*;?\s*$/i;

export function describesTableColumns(statement: string): boolean {
  return DESCRIBES_COLUMNS.test(statement);
}
