// Result columns renamed in one statement and read in a later one through a relation it made: a
// view or a table made from a select list that renames a secret column (`CREATE TEMP VIEW v AS
// SELECT password AS p FROM users`, `CREATE TABLE t AS SELECT …`, PostgreSQL's `SELECT … INTO TEMP
// t`, MySQL's `CREATE TABLE t SELECT …`), a table filled from one (`INSERT INTO t (note) SELECT
// password FROM users`), a column given one (`UPDATE users SET name = password`), a column or
// relation renamed (`ALTER TABLE users RENAME COLUMN password TO p`), a routine whose definition
// names one (`CREATE FUNCTION f() RETURNS TABLE(q text) AS $$ SELECT password … $$`), and the
// statement a SQL `PREPARE s AS …` holds. `SELECT p FROM v` names nothing secret, so its cells were recorded in clear until 6 December. A
// connection remembers, per relation it made or changed, the names its secret values go by; a later
// statement that mentions the relation has those names taken for derived ones (sql-derived-columns.ts),
// and one that mentions a relation whose names cannot be told (a star under a column list, an
// expression without an alias, an INSERT without a column list, a routine) has every cell withheld.
//
// A relation made from one that holds a column's values apart from its rows (statistics, a
// catalog's defaults: sql-statistics.ts), or a statement prepared over one, is remembered with every
// name unknown: `CREATE VIEW s AS SELECT … most_common_vals::text … FROM pg_stats`, then `SELECT
// most_common_vals FROM s WHERE attname = 'password'`, was recorded in clear until 7 December.
//
// Errs on masking: a relation is remembered when the statement is submitted (before the server runs
// it), is never forgotten (a DROP may fail), and any mention of its name counts. Only relations made
// on this connection are known: a view made by another connection is not read (docs/masking.md).
import { matchingParens } from './sql-parens.js';
import {
  lastName,
  namesOnly,
  type RelationReading,
  type Remembered,
  readingsOf,
  secretOutputs,
  statements,
} from './sql-relation-outputs.js';
import { columnNames } from './sql-renamed-columns.js';
import { namesColumnValues, readsStatistics } from './sql-statistics.js';
import { type SqlReading, type SqlToken, tokenizeSql } from './sql-tokens.js';

export type { RelationReading } from './sql-relation-outputs.js';

/** A cheap first look: only statements that may make, fill or rename a relation are tokenized. */
const MAY_MAKE = /\b(?:create|into|rename|update|alter|prepare)\b/i;
/** Relations a connection remembers; past this, every later result is withheld whole. */
const MAX_RELATIONS = 256;
/** Words between CREATE and VIEW or TABLE (`OR REPLACE TEMPORARY`, MySQL's `ALGORITHM = MERGE`). */
const CREATE_REACH = 24;
/** Words that start a query. */
const QUERY_STARTS = new Set(['select', 'with', 'values', 'table']);
/** Words between INSERT and the table's name. */
const INSERT_MODIFIERS = new Set(['into', 'ignore', 'low_priority', 'delayed', 'high_priority', 'overwrite']);
/** Words between UPDATE and the table's name. */
const UPDATE_MODIFIERS = new Set(['only', 'low_priority', 'ignore']);
/** Words of a join that may follow a relation where its alias would stand. */
const JOIN_WORDS = new Set([
  'join',
  'inner',
  'left',
  'right',
  'cross',
  'natural',
  'straight_join',
  'on',
  'using',
  'full',
  'outer',
]);
/** Words that end an UPDATE's SET list. */
const UPDATE_END = new Set(['from', 'where', 'returning', 'order', 'limit']);
/** Words between SELECT … INTO and the new table's name (PostgreSQL). */
const INTO_MODIFIERS = new Set(['temp', 'temporary', 'unlogged', 'table', 'global', 'local']);

export class SessionRelations {
  readonly #relations = new Map<string, Remembered>();
  #overflowed = false;
  /** How the statement being noted is read (see `note`). */
  #reading: SqlReading = 'standard';

  /**
   * Reads a submitted statement: relations it makes, fills or renames from a secret are
   * remembered. `readings`: how its strings may be read (a MySQL connection's both ways, where they
   * differ, so that nothing hides in what one reading takes for a string).
   */
  note(
    statement: string,
    secret: (name: string) => boolean,
    readings: readonly SqlReading[] = ['standard'],
  ): void {
    if (!MAY_MAKE.test(statement)) return;
    // Most statements (an INSERT of parameters) name nothing secret nor remembered, read no `*`, and
    // read no statistics.
    if (
      !statement.includes('*') &&
      !this.#namesSecret(statement, secret) &&
      !readsStatistics(statement, readings)
    )
      return;
    for (const reading of readingsOf(statement, readings)) {
      this.#reading = reading;
      const tokens = tokenizeSql(statement, reading);
      const match = matchingParens(tokens);
      for (const [from, to] of statements(tokens, match))
        this.#noteOne(statement, tokens, match, from, to, secret);
    }
    this.#reading = 'standard';
  }

  /** What the results of `statement` must withhold for the remembered relations it mentions, or null. */
  reading(statement: string, readings: readonly SqlReading[] = ['standard']): RelationReading | null {
    if (this.#overflowed) return { names: new Set(), all: true };
    if (this.#relations.size === 0) return null;
    const names = new Set<string>();
    let all = false;
    let mentioned = false;
    for (const reading of readingsOf(statement, readings))
      for (const t of tokenizeSql(statement, reading)) {
        if (t.kind !== 'ident') continue;
        const known = this.#relations.get(t.text);
        if (known === undefined) continue;
        mentioned = true;
        all ||= known.all;
        for (const n of known.names) names.add(n);
      }
    return mentioned ? { names, all } : null;
  }

  /** Whether a word of the text (strings and comments included) is a secret name or a remembered one. */
  #namesSecret(text: string, secret: (name: string) => boolean): boolean {
    for (const word of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g))
      if (secret(word[0]) || this.#knownName(word[0].toLowerCase())) return true;
    return false;
  }

  #noteOne(
    sql: string,
    tokens: readonly SqlToken[],
    match: Int32Array,
    from: number,
    to: number,
    secret: (name: string) => boolean,
  ): void {
    const first = tokens[from]!.text;
    if (first === 'create') {
      for (let k = from + 1; k < Math.min(to, from + CREATE_REACH); k++) {
        const w = tokens[k]!.text;
        if (w === 'view' || w === 'table') {
          this.#made(sql, tokens, match, k + 1, to, secret, false);
          return;
        }
        if (w === 'function' || w === 'procedure') {
          this.#routine(sql, tokens, k + 1, from, to, secret);
          return;
        }
        if (w === '(' || w === 'as') return;
      }
    } else if (first === 'insert' || first === 'replace') {
      let k = from + 1;
      while (INSERT_MODIFIERS.has(tokens[k]?.text ?? '')) k++;
      this.#made(sql, tokens, match, k, to, secret, true);
    } else if (first === 'alter' || first === 'rename') this.#renamed(tokens, from, to, secret);
    else if (first === 'update') this.#updated(sql, tokens, match, from, to, secret);
    else if (first === 'select' || first === 'with') this.#selectedInto(sql, tokens, match, from, to, secret);
    else if (first === 'prepare') {
      // `PREPARE s [(types)] AS …`: the statement it holds is read now (errs on masking: it may never
      // run); one that reads statistics has `EXECUTE s` withheld whole.
      for (let k = from + 1; k < Math.min(to, from + CREATE_REACH); k++)
        if (tokens[k]!.text === 'as') {
          if (k + 1 >= to) return;
          const held = sql.slice(tokens[k + 1]!.start, tokens[to - 1]!.end);
          if (tokens[from + 1]?.kind === 'ident' && readsStatistics(held, [this.#reading]))
            this.#remember(tokens[from + 1]!.text, { names: new Set(), all: true });
          this.#noteOne(sql, tokens, match, k + 1, to, secret);
          return;
        }
    }
  }

  /**
   * `CREATE FUNCTION f() RETURNS TABLE(q text) AS $$ SELECT password … $$`, then `SELECT * FROM
   * f()` or `SELECT g()`: what the function returns is named in its definition, not where it is
   * called. A routine whose definition names a secret (its body's words included) is remembered
   * with every name unknown, so a statement that mentions it has every cell withheld.
   */
  #routine(
    sql: string,
    tokens: readonly SqlToken[],
    n: number,
    from: number,
    to: number,
    secret: (name: string) => boolean,
  ): void {
    if (tokens[n]?.kind !== 'ident') return;
    const { name } = lastName(tokens, n);
    const text = sql.slice(tokens[from]!.start, tokens[to - 1]!.end);
    if (readsStatistics(text, [this.#reading])) {
      this.#remember(name, { names: new Set(), all: true });
      return;
    }
    for (const word of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g))
      if (secret(word[0]) || this.#knownName(word[0].toLowerCase())) {
        this.#remember(name, { names: new Set(), all: true });
        return;
      }
  }

  /** Whether a name is a remembered relation, or a column name a remembered relation gives a secret. */
  #knownName(word: string): boolean {
    if (this.#relations.has(word)) return true;
    for (const r of this.#relations.values()) if (r.names.has(word)) return true;
    return false;
  }

  /**
   * PostgreSQL's `SELECT … INTO [TEMP] [TABLE] t FROM …`, and an INSERT after WITH (`WITH s AS (…)
   * INSERT INTO t (note) SELECT p FROM s`): read whole, so that the CTE's names are known.
   */
  #selectedInto(
    sql: string,
    tokens: readonly SqlToken[],
    match: Int32Array,
    from: number,
    to: number,
    secret: (name: string) => boolean,
  ): void {
    for (let k = from; k < to; k++) {
      const t = tokens[k]!;
      if (t.text === '(' && match[k]! > k) k = match[k]!;
      else if (t.kind === 'ident' && t.text === 'into') {
        const insert = tokens[k - 1]?.text === 'insert' || tokens[k - 1]?.text === 'replace';
        if (insert) {
          this.#made(sql, tokens, match, k + 1, to, secret, true, from);
          return;
        }
        let n = k + 1;
        while (INTO_MODIFIERS.has(tokens[n]?.text ?? '')) n++;
        const name = tokens[n];
        if (name?.kind !== 'ident' || name.text === 'outfile' || name.text === 'dumpfile') return;
        const query = sql.slice(tokens[from]!.start, tokens[to - 1]!.end);
        if (readsStatistics(query, [this.#reading])) {
          this.#remember(lastName(tokens, n).name, { names: new Set(), all: true });
          return;
        }
        const outputs = secretOutputs(query, secret, null, false, this.reading(query), this.#reading);
        if (outputs !== null) this.#remember(lastName(tokens, n).name, outputs);
        return;
      }
    }
  }

  /**
   * A relation named from token `n` (`IF NOT EXISTS` skipped), with its column list if any, made or
   * filled by the query after it; `insert`: the names are the table's own when no list is given;
   * `whole`: the token the query is read from (a WITH before the INSERT).
   */
  #made(
    sql: string,
    tokens: readonly SqlToken[],
    match: Int32Array,
    n: number,
    to: number,
    secret: (name: string) => boolean,
    insert: boolean,
    whole?: number,
  ): void {
    if (tokens[n]?.text === 'if' && tokens[n + 1]?.text === 'not') n += 3;
    if (tokens[n]?.kind !== 'ident') return;
    const { name, end } = lastName(tokens, n);
    let q = end;
    let columns: string[] | null = null;
    if (tokens[q]?.text === '(' && match[q]! > q && !QUERY_STARTS.has(tokens[q + 1]?.text ?? '')) {
      // A list of names renames the query's columns; one of definitions (`(id int)`, MySQL's
      // `CREATE TABLE t (id int) SELECT …`) keeps the query's names.
      if (namesOnly(tokens, q, match[q]!)) columns = columnNames(tokens, match, q, match[q]!);
      q = match[q]! + 1;
    }
    // The query: the first query word after the name (a view's or PostgreSQL's table's AS, MySQL's
    // `CREATE TABLE t SELECT …`, an INSERT's SELECT), groups that do not start one stepped over.
    let start = -1;
    for (let k = q; k < to; k++) {
      if (QUERY_STARTS.has(tokens[k]!.text)) {
        start = k;
        break;
      }
      if (tokens[k]!.text === '(' && match[k]! > k && !QUERY_STARTS.has(tokens[k + 1]?.text ?? ''))
        k = match[k]!;
    }
    if (start < 0) return;
    const query = sql.slice(tokens[whole ?? start]!.start, tokens[to - 1]!.end);
    // Made from statistics or a catalog's defaults: which of its columns hold values is not told.
    if (readsStatistics(query, [this.#reading])) {
      this.#remember(name, { names: new Set(), all: true });
      return;
    }
    const outputs = secretOutputs(query, secret, columns, insert, this.reading(query), this.#reading);
    if (outputs !== null) this.#remember(name, outputs);
  }

  /**
   * `ALTER TABLE t RENAME [COLUMN] a TO b`, `ALTER VIEW v RENAME TO w`, MySQL's `RENAME TABLE v TO
   * w` and `CHANGE a b …`: a remembered relation's entry follows its new name, and a secret (or
   * remembered) column's new name is remembered.
   */
  #renamed(tokens: readonly SqlToken[], from: number, to: number, secret: (name: string) => boolean): void {
    let relation: string | null = null;
    for (let k = from + 1; k < to; k++) {
      const t = tokens[k]!;
      if (t.kind !== 'ident') continue;
      if ((t.text === 'table' || t.text === 'view') && tokens[k + 1]?.kind === 'ident') {
        const at = tokens[k + 1]!.text === 'if' ? k + 3 : k + 1;
        if (tokens[at]?.kind === 'ident') relation = lastName(tokens, at).name;
        continue;
      }
      if (relation === null) continue;
      const old = t.text;
      const renamedTo = tokens[k + 1]?.text === 'to' && tokens[k + 2]?.kind === 'ident';
      const changed =
        tokens[k - 1]?.text === 'change' ||
        (tokens[k - 1]?.text === 'column' && tokens[k - 2]?.text === 'change');
      if (!renamedTo && !changed) continue;
      const next = renamedTo ? tokens[k + 2]! : tokens[k + 1];
      if (next?.kind !== 'ident') continue;
      const known = this.#relations.get(relation);
      if ((old === relation || old === 'rename') && renamedTo) {
        // The relation itself renamed: its entry follows it.
        if (known !== undefined) this.#remember(next.text, { names: new Set(known.names), all: known.all });
        relation = next.text;
      } else if (secret(tokens[k]!.name ?? old) || known?.names.has(old)) {
        this.#remember(relation, { names: new Set([(next.name ?? next.text).toLowerCase()]), all: false });
      }
    }
  }

  /**
   * `UPDATE t SET note = password`, `SET note = upper(u.password)` (MySQL's `UPDATE a JOIN b … SET
   * a.note = b.password` too): the column given a secret's value is remembered for the relation
   * named first (and for the target's qualifier), so that `RETURNING note` and a later `SELECT note
   * FROM t` are withheld. A row assignment (`SET (a, b) = (…)`) that reads a secret has every
   * column remembered.
   */
  #updated(
    sql: string,
    tokens: readonly SqlToken[],
    match: Int32Array,
    from: number,
    to: number,
    secret: (name: string) => boolean,
  ): void {
    let k = from + 1;
    while (UPDATE_MODIFIERS.has(tokens[k]?.text ?? '')) k++;
    if (tokens[k]?.kind !== 'ident') return;
    // The relations the head names (MySQL's `UPDATE a JOIN b …`), each by its alias too.
    const relations = new Map<string, string>();
    let set = -1;
    for (let q = k; q < to; q++) {
      const t = tokens[q]!;
      if (t.text === '(' && match[q]! > q) q = match[q]!;
      else if (t.kind === 'ident' && t.text === 'set') {
        set = q;
        break;
      } else if (
        t.kind === 'ident' &&
        (q === k || tokens[q - 1]!.text === 'join' || tokens[q - 1]!.text === ',')
      ) {
        const { name, end } = lastName(tokens, q);
        relations.set(name, name);
        const alias = tokens[tokens[end]?.text === 'as' ? end + 1 : end];
        if (alias?.kind === 'ident' && alias.text !== 'set' && !JOIN_WORDS.has(alias.text))
          relations.set(alias.text, name);
        q = end - 1;
      }
    }
    if (set < 0) return;
    const known = this.#relations;
    const readsSecret = (a: number, b: number) => {
      for (let q = a; q < b; q++) {
        const t = tokens[q]!;
        if (namesColumnValues(sql, tokens, q)) return true;
        if (t.kind !== 'ident') continue;
        const name = t.name ?? t.text;
        if (secret(name)) return true;
        for (const r of known.values()) if (r.names.has(name.toLowerCase())) return true;
      }
      return false;
    };
    for (let q = set + 1; q < to; ) {
      // The target: `col`, `t.col`, or a row `(a, b)`; then `=` and the value, up to a `,` or an end word.
      let targets: { column: string; qualifier: string | null }[] = [];
      if (tokens[q]!.text === '(' && match[q]! > q) {
        targets = columnNames(tokens, match, q, match[q]!).map((column) => ({ column, qualifier: null }));
        q = match[q]! + 1;
      } else {
        let last = q;
        while (tokens[last + 1]?.text === '.' && tokens[last + 2]?.kind === 'ident') last += 2;
        const t = tokens[last];
        if (t?.kind !== 'ident') return;
        targets = [
          { column: (t.name ?? t.text).toLowerCase(), qualifier: last > q ? tokens[last - 2]!.text : null },
        ];
        q = last + 1;
      }
      if (tokens[q]?.text !== '=') return;
      const value = q + 1;
      let end = value;
      while (end < to && tokens[end]!.text !== ',' && !UPDATE_END.has(tokens[end]!.text)) {
        if (tokens[end]!.text === '(' && match[end]! > end) end = match[end]!;
        end++;
      }
      if (readsSecret(value, end))
        for (const { column, qualifier } of targets) {
          if (secret(column)) continue;
          const of = qualifier === null ? undefined : relations.get(qualifier);
          // An unqualified column (or an unknown qualifier) may be any named relation's.
          for (const r of of === undefined ? new Set(relations.values()) : [of])
            this.#remember(r, { names: new Set([column]), all: false });
        }
      if (tokens[end]?.text !== ',') return;
      q = end + 1;
    }
  }

  #remember(name: string, outputs: Remembered): void {
    const known = this.#relations.get(name);
    if (known === undefined) {
      if (this.#relations.size >= MAX_RELATIONS) {
        this.#overflowed = true;
        return;
      }
      this.#relations.set(name, outputs);
      return;
    }
    for (const n of outputs.names) known.names.add(n);
    known.all ||= outputs.all;
  }
}
