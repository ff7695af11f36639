// A database's error message may quote a value of the statement it refuses: PostgreSQL's `invalid
// input syntax for type integer: "…"`, MySQL's `Duplicate entry '…' for key …` and `Incorrect
// integer value: '…' for column …`. The masker finds a value bound to a secret-named column by its
// column, in the statement; quoted in an error message it is bare text that no rule recognises.
// So the values the masker replaced in the recorded statement and parameters are replaced in the
// message too, by the same replacements: what the statement's record hides, its result's hides.
import type { JsonObject, JsonValue } from '../core/events.js';
import { listsWarnings, maskQuotedValues, namesSecretColumn, valueReplacer } from './error-values.js';
import { type SecretNameMatcher, secretNameMatcher } from './secret-names.js';
import { describesTableColumns } from './sql-column-catalogs.js';
import type { SqlConnectionState } from './sql-connection-state.js';
import {
  ALL_POSITIONS,
  type DerivedPositions,
  type Positions,
  unitePositions,
} from './sql-derived-columns.js';
import { BOTH_READINGS, derivedRead, STANDARD_ONLY } from './sql-derived-readings.js';
import type { RelationReading } from './sql-session-relations.js';
import { describesStatistics, readsStatistics } from './sql-statistics.js';
import { withheldSqlLiterals } from './sql-text-cells.js';
import type { SqlReading } from './sql-tokens.js';
import type { SecretVariables } from './sql-variables.js';

/** Said in place of a message whose echoes cannot be told apart (fail closed). */
export const WITHHELD_MESSAGE = "(withheld: the server's message may quote a value Vigil masked)";

/**
 * Said in place of a result cell derived from a secret-named column under another name
 * (sql-derived-columns.ts): the masker sees only the name the server gives it (`p`, `concat`).
 */
export const WITHHELD_CELL = '(withheld: derived from a secret column)';

/** The default secret names, for a caller that has no masker's (`masking.secret_names`) to give. */
const defaultSecretName = secretNameMatcher();

/**
 * The derived positions of statements seen lately, per set of secret names: a statement runs again
 * and again (a prepared one, a loop), and reading its select list each time would cost a
 * tokenization per execution.
 */
const derivedByNames = new WeakMap<
  SecretNameMatcher,
  Map<readonly SqlReading[], Map<string, DerivedPositions | null>>
>();
const DERIVED_CACHE = 1024;

function derivedOf(
  statement: string,
  secretName: SecretNameMatcher,
  readings: readonly SqlReading[],
): DerivedPositions | null {
  let byReadings = derivedByNames.get(secretName);
  if (byReadings === undefined) {
    byReadings = new Map();
    derivedByNames.set(secretName, byReadings);
  }
  let byStatement = byReadings.get(readings);
  if (byStatement === undefined) {
    byStatement = new Map();
    byReadings.set(readings, byStatement);
  }
  const known = byStatement.get(statement);
  if (known !== undefined) return known;
  const found = derivedRead(statement, secretName, [], readings);
  if (byStatement.size >= DERIVED_CACHE) byStatement.clear();
  byStatement.set(statement, found);
  return found;
}

/**
 * What an echo needs of its connection: its secret names and what it remembers of its earlier
 * statements (sql-connection-state.ts: cursors, user variables, relations), read at once for the
 * statement.
 */
export interface EchoScope {
  readonly secretName?: SecretNameMatcher;
  readonly connection?: SqlConnectionState;
}

/**
 * The derived positions of a statement that may read a user variable holding a secret: not cached,
 * since what the connection's variables hold changes from one statement to the next.
 */
function derivedWithVariables(
  statement: string,
  secretName: SecretNameMatcher,
  variables: SecretVariables,
  through: RelationReading | null,
  readings: readonly SqlReading[],
): DerivedPositions | null {
  if (variables.overflowed) return ALL_POSITIONS;
  if (through === null) return derivedRead(statement, secretName, variables.names, readings);
  return readingThrough(statement, secretName, through, variables, readings);
}

/**
 * The derived positions of a statement that reads views or tables the connection made from a
 * secret: their names are taken for derived ones, or every cell is withheld. Not cached, as above.
 */
function readingThrough(
  statement: string,
  secretName: SecretNameMatcher,
  through: RelationReading,
  variables: SecretVariables | undefined,
  readings: readonly SqlReading[],
): DerivedPositions | null {
  if (through.all || variables?.overflowed) return ALL_POSITIONS;
  return derivedRead(statement, secretName, [...through.names, ...(variables?.names ?? [])], readings);
}

/** The texts behind the prepared statements a db.query runs by name (`named_statements`), if any. */
function namedTexts(submitted: JsonObject): string[] {
  const named = submitted.named_statements;
  if (!Array.isArray(named)) return [];
  const texts: string[] = [];
  for (const n of named)
    if (n !== null && typeof n === 'object' && !Array.isArray(n) && typeof n.statement === 'string')
      texts.push(n.statement);
  return texts;
}

/**
 * What a statement's echo is called with: a message, or a result cell with its position, its row's
 * width and its column's name.
 */
export type EchoMasker = (
  text: string,
  cell?: boolean,
  column?: number,
  width?: number,
  name?: string,
) => string;

/** The masker's replacement in its default form (the structure-aware rules always use it). */
const REPLACEMENT = /\[MASKED:[A-Za-z0-9_.-]+:[0-9a-f]{6}\]/g;

/** A value echoed cut short (a long key in a duplicate-entry message) is still found by this much of it. */
const MIN_PREFIX = 12;

/**
 * What to record of a server's text about the statement submitted as `submitted` and recorded
 * (masked) as `recorded`, or null when its record was lost (fail-open). An error message (`cell`
 * false) is withheld when the replaced values cannot be told. A result cell (`cell` true) gets the
 * same replacements: `SELECT set_config('my.api_key', '…', false)` answers with the value the
 * statement's record masked, under a column (`set_config`) that names nothing; a cell is left to
 * the text rules when the values cannot be told. Computed once, on first call: most statements
 * never fail and have no masked value. `scope.secretName` says which columns are secret: the
 * masker's (`PayloadMasker.isSecretName`), so that configured `masking.secret_names` withhold cells
 * too; `scope.connection` is what the connection remembers (sql-connection-state.ts), read at once.
 */
export function echoMasker(
  submitted: JsonObject,
  recorded: JsonObject | null,
  scope: EchoScope = {},
): EchoMasker {
  const secretName = scope.secretName ?? defaultSecretName;
  const statement = typeof submitted.statement === 'string' ? submitted.statement : null;
  let pairs: Pair[] | null | undefined;
  const connection = scope.connection;
  // PostgreSQL declares cursors in SQL; MySQL has user variables at the top level.
  const cursors = connection?.dialect === 'postgres' ? connection.cursors : undefined;
  const variables = connection?.dialect === 'mysql' ? connection.variables : undefined;
  // A PostgreSQL connection's statements are read as PostgreSQL reads strings; a MySQL connection's
  // (or one not known) both ways, where they differ (sql-derived-readings.ts).
  const readings = cursors ? STANDARD_ONLY : BOTH_READINGS;
  const cellReading = cursors ? 'standard' : 'both';
  if (statement !== null) variables?.note(statement, secretName);
  // Views and tables this connection made from a secret, which the statement may read
  // (sql-session-relations.ts): remembered first, so that a text that makes one and reads it is read.
  const relations = connection?.relations;
  if (statement !== null) relations?.note(statement, secretName, readings);
  const through = statement !== null ? (relations?.reading(statement, readings) ?? null) : null;
  const deriveOne = (s: string): DerivedPositions | null => {
    const via = s === statement ? through : (relations?.reading(s, readings) ?? null);
    return via === null
      ? derivedOf(s, secretName, readings)
      : readingThrough(s, secretName, via, variables, readings);
  };
  // SQL `EXECUTE s` answers with the rows of the text prepared under `s` (db.query
  // `named_statements`): `PREPARE s AS SELECT password AS p …` then `EXECUTE s` named the column
  // `p`, and its cells were recorded in clear until 6 December.
  const executed = namedTexts(submitted);
  const derive = (s: string): DerivedPositions | null =>
    s !== statement || executed.length === 0
      ? deriveOne(s)
      : [s, ...executed]
          .map(deriveOne)
          .reduce<DerivedPositions | null>(
            (a, b) => (b === null ? a : unitePositions(a ?? undefined, b)),
            null,
          );
  let derived: DerivedPositions | null | undefined =
    statement !== null && cursors
      ? (cursors.positionsFor(statement, derive) ?? undefined)
      : statement !== null &&
          variables !== undefined &&
          (variables.names.size > 0 || variables.overflowed) &&
          statement.includes('@')
        ? derivedWithVariables(statement, secretName, variables, through, readings)
        : undefined;
  // A column's statistics hold its values (sql-statistics.ts): read once, on the first cell.
  let statistics: boolean | undefined;
  // MySQL's SHOW WARNINGS answers an earlier statement's messages as rows (error-values.ts).
  let warnings: boolean | undefined;
  const echo: EchoMasker = (text, cell = false, column, width, name) => {
    if (cell && column !== undefined && width !== undefined) {
      derived ??= statement !== null ? derive(statement) : null;
      if (derived && withheld(derived, column, width, text, name)) return WITHHELD_CELL;
      statistics ??= statement !== null && readsStatistics(statement, readings);
      if (statistics && !describesStatistics(name)) return WITHHELD_CELL;
      warnings ??= statement !== null && listsWarnings(statement);
      if (warnings && name?.toLowerCase() === 'message')
        text = maskQuotedValues(text, valueReplacer(secretName));
    }
    if (pairs === undefined) pairs = recorded === null ? null : replacedValues(submitted, recorded);
    if (pairs === null) return cell ? withheldSqlLiterals(text, secretName, cellReading) : WITHHELD_MESSAGE;
    if (!cell) {
      const echoed = pairs.length === 0 ? text : replaceEchoes(text, pairs, MIN_PREFIX);
      // A value the statement never held (one read from a secret column, or copied into one) has no
      // pair: a message about a secret column has every value it quotes replaced (error-values.ts).
      const about = [...(statement !== null ? [statement] : []), ...executed, text];
      return about.some((t) => namesSecretColumn(t, secretName))
        ? maskQuotedValues(echoed, valueReplacer(secretName))
        : echoed;
    }
    // A message may cut a value short; a cell holds it whole, and replacing a prefix there would
    // leave the rest for the rules to miss (a known secret is found only whole). A cell may hold
    // SQL text written earlier (a view's definition): its secret literals are read there too.
    const echoed = pairs.length === 0 ? text : replaceEchoes(text, pairs, Number.POSITIVE_INFINITY);
    return withheldSqlLiterals(echoed, secretName, cellReading);
  };
  if (statement !== null && !cursors && describesTableColumns(statement)) describing.set(echo, secretName);
  return echo;
}

/**
 * Whether the cell at `column` (named `name`) of a row `width` wide is withheld: derived from a
 * secret column, by its position or its name, or a whole row at a position that reads one, when it
 * may hold one. PostgreSQL writes a row as
 * `(…)`, also inside an array; a cell that is not text (`''`: a digest, a number) or binary
 * (`\x…`) may hold one; a plain value under the same name (`SELECT tag FROM tag`, where the column
 * wins over the row) is kept.
 */
function withheld(
  derived: DerivedPositions,
  column: number,
  width: number,
  text: string,
  name: string | undefined,
): boolean {
  const at = (p: Positions) => p.fromStart.has(column) || p.fromEnd.has(width - 1 - column);
  if (derived.all || at(derived)) return true;
  if (name !== undefined && derived.names?.has(name.toLowerCase())) return true;
  return (
    derived.rows !== undefined &&
    at(derived.rows) &&
    (text === '' || text.includes('(') || text.startsWith('\\x'))
  );
}

/**
 * A result's rows with each cell passed through `echo` (see echoMasker), for the db.result record:
 * text cells, and any other cell (a number, a digest of a long value) the echo withholds whole.
 * `columns` are the result's column names.
 */
export function echoedRows(
  rows: JsonValue[][],
  echo: EchoMasker | undefined,
  columns: readonly string[] = [],
): JsonValue[][] {
  if (echo === undefined || rows.length === 0) return rows;
  const keep = keptDefault(echo, columns);
  return rows.map((row) =>
    row.map((v, i) => {
      if (i === keep?.value && typeof row[keep.field] === 'string' && !keep.secret(row[keep.field] as string))
        return v;
      if (typeof v === 'string') return echo(v, true, i, row.length, columns[i]);
      if (v === null) return v;
      return echo('', true, i, row.length, columns[i]) === WITHHELD_CELL ? WITHHELD_CELL : v;
    }),
  );
}

/**
 * The echoes of statements that describe a table's columns (`SHOW COLUMNS`, `DESCRIBE`:
 * sql-column-catalogs.ts), with the secret names they were read with: such a row's `Default` is
 * kept when its `Field` names no secret column.
 */
const describing = new WeakMap<EchoMasker, SecretNameMatcher>();

function keptDefault(
  echo: EchoMasker,
  columns: readonly string[],
): { field: number; value: number; secret: SecretNameMatcher } | null {
  const secret = describing.get(echo);
  if (secret === undefined) return null;
  const lower = columns.map((c) => c.toLowerCase());
  const field = lower.indexOf('field');
  const value = lower.indexOf('default');
  // Exactly the server's columns, each once: a result shaped otherwise is read as before.
  if (
    field < 0 ||
    value < 0 ||
    lower.lastIndexOf('field') !== field ||
    lower.lastIndexOf('default') !== value
  )
    return null;
  return { field, value, secret };
}

type Pair = readonly [secret: string, replacement: string];

/** Each value the masker replaced in the statement and parameters, with its replacement; null if unclear. */
export function replacedValues(submitted: JsonObject, recorded: JsonObject): Pair[] | null {
  const pairs: Pair[] = [];
  const texts: [JsonValue | undefined, JsonValue | undefined][] = [[submitted.statement, recorded.statement]];
  const raw = Array.isArray(submitted.parameters) ? submitted.parameters : [];
  const masked = Array.isArray(recorded.parameters) ? recorded.parameters : [];
  for (const [i, p] of raw.entries()) texts.push([p, masked[i]]);
  for (const [before, after] of texts) {
    if (typeof before !== 'string' && typeof before !== 'number') continue;
    const text = String(before);
    if (after === text) continue;
    if (typeof after !== 'string') return null;
    const found = alignReplacements(text, after);
    if (found === null) return null;
    pairs.push(...found);
  }
  return pairs;
}

/**
 * Where `masked` (`raw` with spans replaced) differs from `raw`: the replaced spans of `raw`, each
 * with its replacement. The text between replacements is identical in both, which locates each
 * span; null when the two cannot be aligned so (a custom rule's own replacement format).
 */
export function alignReplacements(raw: string, masked: string): Pair[] | null {
  const tokens = [...masked.matchAll(REPLACEMENT)];
  const pairs: Pair[] = [];
  let r = 0;
  let m = 0;
  for (const [t, token] of tokens.entries()) {
    const before = masked.slice(m, token.index);
    if (!raw.startsWith(before, r)) return null;
    r += before.length;
    m = token.index + token[0].length;
    const next = tokens[t + 1];
    const following = masked.slice(m, next ? next.index : masked.length);
    let end: number;
    if (next === undefined) {
      end = raw.length - following.length;
      if (end <= r || raw.slice(end) !== following) return null;
    } else {
      // Two replacements side by side leave nothing to tell where the first secret ends.
      if (following === '') return null;
      // A replacement stands for one character at least.
      end = raw.indexOf(following, r + 1);
      if (end < 0) return null;
    }
    pairs.push([raw.slice(r, end), token[0]]);
    r = end;
  }
  if (tokens.length === 0 && raw !== masked) return null;
  return pairs;
}

/** One pass over the message: at each place the longest secret (or a cut-short echo of one) is replaced. */
function replaceEchoes(message: string, pairs: readonly Pair[], minPrefix: number): string {
  const secrets = [...pairs].sort((a, b) => b[0].length - a[0].length);
  let out = '';
  let at = 0;
  outer: while (at < message.length) {
    for (const [secret, replacement] of secrets) {
      const same = commonPrefix(message, at, secret);
      if (same === secret.length || same >= minPrefix) {
        out += replacement;
        at += same;
        continue outer;
      }
    }
    out += message[at];
    at++;
  }
  return out;
}

function commonPrefix(text: string, at: number, secret: string): number {
  let n = 0;
  while (n < secret.length && at + n < text.length && text[at + n] === secret[n]) n++;
  return n;
}
