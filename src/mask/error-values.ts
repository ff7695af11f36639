// A database's error message may quote a value the statement never held: one the server read from
// a secret column (`UPDATE accounts SET note = note WHERE password::int > 0` fails with `invalid
// input syntax for type integer: "<the stored password>"`), or one it copied into a unique secret
// column (`INSERT … SELECT api_token FROM users`: `Duplicate entry '<the stored key>' for key
// 'api_token'`). value-echoes.ts replaces only the values the statement's record masked, so these
// were recorded as the server wrote them. Here a message about a secret column (its statement or
// the message itself names one) has each value it quotes replaced; the names it quotes (a
// constraint, a column, a key) are kept. What is not known to be a name is taken for a value.
import type { SecretNameMatcher } from './secret-names.js';

/** The masker's replacement in its default form: a value already replaced is left as it is. */
const REPLACEMENT = /\[MASKED:[A-Za-z0-9_.-]+:[0-9a-f]{6}\]/;

/**
 * Messages whose value the server writes between a known head and tail (PostgreSQL, MySQL and
 * MariaDB): the value runs from the head to the tail's last place, so a value holding a quote, or
 * words shaped like the tail, is taken whole.
 */
const TEMPLATES: readonly RegExp[] = [
  // MySQL, MariaDB: `Duplicate entry '…' for key 'users.api_token'`.
  /^(Duplicate entry ')([\s\S]*)(' for key '[^']*')$/,
  // MySQL, MariaDB: `Truncated incorrect DOUBLE value: '…'` (also INTEGER, DECIMAL, datetime …).
  /^(Truncated incorrect [\w ]+ value: ')([\s\S]*)(')$/,
  // MySQL, MariaDB: `Incorrect integer value: '…' for column `db`.`t`.`pin` at row 1`.
  /^(Incorrect [\w ]+ value: ')([\s\S]*)(' for column (?:'[^']*'|(?:`[^`]*`\.?)+) at row \d+)$/,
  // PostgreSQL: `value "…" is out of range for type integer`.
  /^(value ")([\s\S]*)(" is out of range for type [\w ]+)$/,
  // PostgreSQL: `invalid input syntax for type integer: "…"`, `invalid input value for enum e: "…"`,
  // `date/time field value out of range: "…"`: a head without a quote, the value to the end.
  /^([^"]*: ")([\s\S]*)(")$/,
];

/**
 * Words after which the server quotes a name, not a value (`column "pin"`, `constraint "…_key"`,
 * `for key 'api_token'`, `relation "accounts"`): such a name is kept, to its next quote.
 */
const NAMING_WORD =
  /(?:^|[^\w])(?:column|constraint|key|index|relation|table|view|sequence|type|function|procedure|schema|database|role|user|trigger|operator|domain|extension|collation|variable|cursor|statement|savepoint|sqlstate)\s*$/i;

/**
 * `message` with each value it quotes replaced by `replace(value)`; a message of a known shape
 * (TEMPLATES) has its one value replaced, any other every quoted span that no naming word precedes,
 * from its opening quote to the last quote of the same kind (a value may hold that quote).
 */
export function maskQuotedValues(message: string, replace: (value: string) => string): string {
  for (const t of TEMPLATES) {
    const m = t.exec(message);
    if (m === null) continue;
    return `${m[1]}${maskValue(m[2]!, replace)}${m[3]}`;
  }
  let out = '';
  let at = 0;
  while (at < message.length) {
    const open = nextQuote(message, at);
    if (open < 0) break;
    const q = message[open]!;
    out += message.slice(at, open + 1);
    if (NAMING_WORD.test(message.slice(Math.max(0, open - 24), open))) {
      const close = message.indexOf(q, open + 1);
      if (close < 0) return out + message.slice(open + 1);
      out += message.slice(open + 1, close + 1);
      at = close + 1;
      continue;
    }
    const close = message.lastIndexOf(q);
    if (close <= open) return out + maskValue(message.slice(open + 1), replace);
    out += `${maskValue(message.slice(open + 1, close), replace)}${q}`;
    at = close + 1;
  }
  return out + message.slice(at);
}

/** The first `'` or `"` at or after `from` that opens a quote (not an apostrophe inside a word). */
function nextQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c !== "'" && c !== '"') continue;
    if (c === "'" && i > 0 && /\w/.test(text[i - 1]!) && i + 1 < text.length && /\w/.test(text[i + 1]!))
      continue;
    return i;
  }
  return -1;
}

function maskValue(value: string, replace: (value: string) => string): string {
  if (value === '' || REPLACEMENT.test(value)) return value;
  return replace(value);
}

/** Identifiers: plain, `"quoted"` (PostgreSQL, standard) and `` `quoted` `` (MySQL). */
const IDENTIFIER = /"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/g;

/**
 * Whether `text` (a statement, or the message itself) names a secret column: any identifier, or a
 * dotted name's last part, the masker takes for a secret name. A word inside a string literal
 * counts too (`WHERE note = 'password'`): that errs towards masking an error's values.
 */
export function namesSecretColumn(text: string, secretName: SecretNameMatcher): boolean {
  for (const m of text.matchAll(IDENTIFIER)) {
    const name = m[1] ?? m[2] ?? m[3]!;
    if (secretName(name)) return true;
    const dot = name.lastIndexOf('.');
    if (dot >= 0 && secretName(name.slice(dot + 1))) return true;
  }
  return false;
}

/**
 * MySQL's and MariaDB's `SHOW WARNINGS` and `SHOW ERRORS` (also `SHOW COUNT(*) WARNINGS` has no
 * message): the rows hold an earlier statement's messages, `Truncated incorrect DOUBLE value: '…'`
 * for `WHERE api_token > 0`, and which statement that was is not known here: every message of
 * theirs has its quoted values replaced (a name after a naming word is kept).
 */
const WARNINGS = /^\s*SHOW\s+(?:WARNINGS|ERRORS)\b/i;

export function listsWarnings(statement: string): boolean {
  return WARNINGS.test(statement);
}

/** Said in place of a quoted value when no masker fingerprints it (a caller without one). */
export const WITHHELD_VALUE = '(withheld)';

/**
 * The masker's replacement of a secret column's value, by the secret-name matcher it hands the
 * protocols (`Masker.isSecretName`, which they pass to echoMasker as `scope.secretName`): so the
 * value a message quotes gets the fingerprint its cell gets, without a further argument for every
 * protocol to thread through.
 */
const replacers = new WeakMap<SecretNameMatcher, (value: string) => string>();

export function registerValueReplacer(
  secretName: SecretNameMatcher,
  replace: (value: string) => string,
): void {
  replacers.set(secretName, replace);
}

export function valueReplacer(secretName: SecretNameMatcher): (value: string) => string {
  return replacers.get(secretName) ?? (() => WITHHELD_VALUE);
}
