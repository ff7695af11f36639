// Tables whose rows a MySQL statement shows without returning them: through the errors and
// warnings it meets, the row counts it reports, or by putting them under a name a rule does not
// hold. A rule on reading a table (`statement_kinds: [SELECT], tables: [payroll]`) must see these
// too, so statement-facts.ts records them as a nested SELECT. MariaDB 10.11 in strict mode, checked
// (test/mysql/attacker-exposed.test.ts):
// - an UPDATE or DELETE's own tables: `UPDATE payroll SET note = note WHERE salary + 0 > 0` fails
//   with `Truncated incorrect DOUBLE value: '<salary>'` (a DELETE leaves it in SHOW WARNINGS), and
//   the row count answers whatever the WHERE asks (`… WHERE salary LIKE 'secret%'`: `Rows
//   matched: 1`);
// - `INSERT IGNORE`, `INSERT … ON DUPLICATE KEY UPDATE` and `REPLACE` answer whether a row with
//   the key they send exists (the affected-rows count: 0 or 1, 1 or 2), and an upsert's SET that
//   fails quotes the existing row's value;
// - ALTER TABLE evaluates its expressions over every row and quotes the value that fails
//   (`MODIFY salary INT`, `ADD CHECK (salary + 0 > 0)`: `Truncated incorrect … value:
//   '<salary>'`), and `… RENAME TO` moves the rows under a name a rule does not hold, as RENAME
//   TABLE does;
// - a trigger runs at every later write of its table, by anyone, with its rows (`CREATE TRIGGER tr
//   AFTER INSERT ON payroll FOR EACH ROW INSERT INTO log VALUES (NEW.salary)` copies each salary
//   the application writes); the parser reads few trigger bodies, so for one it cannot read the
//   table is found in its words (exposed-words.ts);
// - CREATE INDEX and CREATE VIEW evaluate their expressions over every row (most are reads in the
//   parser's list already).
// CREATE TABLE … LIKE / AS SELECT are reads already (implied-statements.ts); ALTER VIEW and
// `UPDATE IGNORE` are statements the parser cannot read: UNKNOWN, refused unless unknown
// statements are allowed. A plain INSERT is not counted: its errors quote the values it sends,
// though a duplicate key does tell whether its key exists.

/** Statement types every table of which is exposed: their targets and what they join them to. */
const EXPOSES_ALL = new Set(['update', 'delete', 'alter', 'rename']);

/** CREATE statements every table of which is exposed. */
const CREATES_OVER_ROWS = new Set(['index', 'trigger', 'view']);

/**
 * The tables of a statement (`tables`, as statement-facts.ts names them) that it exposes, given
 * node-sql-parser's tree of it.
 */
export function tablesExposedBy(ast: Readonly<Record<string, unknown>>, tables: readonly string[]): string[] {
  const type = String(ast.type ?? '').toLowerCase();
  if (EXPOSES_ALL.has(type)) return [...tables];
  if (type === 'replace') return [...tables];
  if (type === 'create' && CREATES_OVER_ROWS.has(String(ast.keyword ?? '').toLowerCase())) return [...tables];
  if (type === 'insert') {
    const ignore = typeof ast.prefix === 'string' && /\bignore\b/i.test(ast.prefix);
    // All its tables: a source query's are reads already, so only the target is added.
    return ignore || ast.on_duplicate_update ? [...tables] : [];
  }
  return [];
}
