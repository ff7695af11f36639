// A function in a FROM clause whose arguments read a secret column or a whole row names its output
// columns itself: `jsonb_each_text(to_jsonb(u))` answers every column of the row, password included,
// under `key` and `value`; `LATERAL unnest(ARRAY[u.password])` under `unnest`;
// `json_populate_record(null::products, json_build_object('note', password))` under `note`. None of
// these names is in the statement where the function stands, and until 6 December such cells were
// recorded in clear. sql-renamed-columns.ts names the column after the function's alias (`… x`, a
// one-column function); here a result that may read such a function's columns by another name (a
// `*`, or an unqualified column that the statement does not name for a secret) is withheld whole by
// sql-derived-columns.ts. Errs on masking: which names the function gives is in its definition.
//
// Not taken: a function with a column list (`AS t(k, v)`, whose names sql-renamed-columns.ts takes),
// and one whose arguments read nothing secret (`unnest(tags)`, `jsonb_each(u.data)`).
import type { SelectList } from './sql-renamed-columns.js';
import type { SqlToken } from './sql-tokens.js';
import { readsWholeRow } from './sql-whole-rows.js';

/** Words that end a FROM list's relations (the join condition, the later clauses). */
const FROM_END = new Set([
  'on',
  'using',
  'where',
  'group',
  'having',
  'order',
  'limit',
  'offset',
  'fetch',
  'window',
  'union',
  'intersect',
  'except',
  'minus',
  'returning',
  'into',
  'set',
  'for',
]);
/** Words that start a list whose FROM is a clause (not `substring(x FROM 2)`, `EXTRACT(… FROM …)`). */
const QUERY_WORDS = new Set(['select', 'delete', 'update']);
/** Words between FROM or JOIN and a function, and before a function's parentheses, that are no call. */
const NOT_CALLS = new Set(['lateral', 'only', 'rows', 'select', 'values', 'table']);
/** Words a select item may hold that are not columns. */
const KEYWORDS = new Set([
  'as',
  'distinct',
  'case',
  'when',
  'then',
  'else',
  'end',
  'null',
  'true',
  'false',
  'and',
  'or',
  'not',
  'is',
  'in',
  'like',
  'ilike',
  'between',
  'over',
  'partition',
  'by',
  'order',
  'asc',
  'desc',
  'filter',
  'where',
  'within',
  'group',
  'interval',
  'current_date',
  'current_timestamp',
  'current_user',
]);

/** One FROM function that reads a secret: its alias, if any. */
interface SecretFunction {
  readonly alias: string | null;
}

/** What the statement's FROM functions that read a secret give: aliases to take for derived names, or the whole result. */
export interface SecretFunctions {
  /** Their aliases (`j` of `jsonb_each_text(to_jsonb(u)) j`): an item naming one reads the function. */
  readonly aliases: ReadonlySet<string>;
  /** Whether the result may read their columns under names the statement does not give. */
  readonly all: boolean;
}

/**
 * The statement's FROM functions whose arguments read a secret (`secretToken`; a string argument
 * holding SQL that names one, `secretText`: dblink's query) or a whole row of one of `relations`,
 * and whether its result may read their columns by other names: a `*`, or an unqualified column the
 * statement does not name for a secret. Also a `*` of a call's row that reads a secret
 * (`(jsonb_each_text(to_jsonb(u))).*`). Null when there are none.
 */
export function secretFunctions(
  tokens: readonly SqlToken[],
  match: Int32Array,
  lists: readonly SelectList[],
  secretToken: (q: number) => boolean,
  secretText: (q: number) => boolean,
  relations: ReadonlySet<string>,
): SecretFunctions | null {
  const reads = (q: number) => secretToken(q) || readsWholeRow(tokens, q, relations);
  for (const list of lists) {
    if (list.depth !== 0) continue;
    for (const item of list.items) {
      if (!item.star) continue;
      for (let q = item.from; q < item.to; q++)
        if (
          tokens[q + 1]?.text === '(' &&
          tokens[q]!.kind === 'ident' &&
          spanReads(item.from, item.to, reads)
        )
          return { aliases: new Set(), all: true };
    }
  }
  const functions = fromFunctions(tokens, match, (q) => reads(q) || secretText(q));
  if (functions.length === 0) return null;
  const aliases = new Set(functions.flatMap((f) => (f.alias === null ? [] : [f.alias])));
  for (const list of lists) {
    if (list.depth !== 0) continue;
    for (const item of list.items) {
      if (item.star) return { aliases, all: true };
      for (let q = item.from; q < item.to; q++) {
        const t = tokens[q]!;
        if (t.kind !== 'ident' || KEYWORDS.has(t.text) || aliases.has(t.text) || secretToken(q)) continue;
        const before = tokens[q - 1]?.text;
        const after = tokens[q + 1]?.text;
        // A qualified column (`u.name`), a qualifier, a call, a type after `::` or `AS` name no column.
        if (before === '.' || before === '::' || before === 'as' || after === '.' || after === '(') continue;
        return { aliases, all: true };
      }
    }
  }
  return { aliases, all: false };
}

function spanReads(from: number, to: number, reads: (q: number) => boolean): boolean {
  for (let q = from; q < to; q++) if (reads(q)) return true;
  return false;
}

/**
 * The functions of FROM clauses (at any depth) whose arguments hold a token that `reads`, except
 * those with a column list that names nothing but idents (sql-renamed-columns.ts takes its names).
 */
function fromFunctions(
  tokens: readonly SqlToken[],
  match: Int32Array,
  reads: (q: number) => boolean,
): SecretFunction[] {
  const found: SecretFunction[] = [];
  // Per open parenthesis: whether a query word was seen at its depth, and whether a FROM list is being read.
  const frames: { query: boolean; from: boolean }[] = [{ query: false, from: false }];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const frame = frames[frames.length - 1]!;
    if (t.kind === 'punct') {
      if (t.text === '(') frames.push({ query: false, from: false });
      else if (t.text === ')' && frames.length > 1) frames.pop();
      else if (t.text === ';') {
        frames.length = 1;
        frames[0] = { query: false, from: false };
      }
      continue;
    }
    if (t.kind !== 'ident') continue;
    if (QUERY_WORDS.has(t.text)) {
      frame.query = true;
      frame.from = false;
    } else if ((t.text === 'from' || t.text === 'join') && frame.query) frame.from = true;
    else if (FROM_END.has(t.text)) frame.from = false;
    else if (frame.from && !NOT_CALLS.has(t.text)) {
      // `schema.f(`: the call's name ends before its parenthesis.
      let name = k;
      while (tokens[name + 1]?.text === '.' && tokens[name + 2]?.kind === 'ident') name += 2;
      const open = name + 1;
      if (tokens[open]?.text !== '(' || match[open]! < 0) {
        k = name;
        continue;
      }
      const close = match[open]!;
      k = close;
      if (!spanReads(open + 1, close, reads)) continue;
      let a = close + 1;
      if (tokens[a]?.text === 'with' && tokens[a + 1]?.text === 'ordinality') a += 2;
      if (tokens[a]?.text === 'as') a++;
      const alias = tokens[a]?.kind === 'ident' && !FROM_END.has(tokens[a]!.text) ? tokens[a]!.text : null;
      // A column list names the columns (sql-renamed-columns.ts takes every one of them when an
      // argument names a secret); its alias is still taken, for `t.*` and a string's query.
      found.push({ alias });
    }
  }
  return found;
}
