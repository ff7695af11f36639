// Values SQL names secret by its grammar rather than by a column: a role's or user's password
// (`ALTER ROLE r PASSWORD '…'`, MySQL `IDENTIFIED BY '…'`, `SET PASSWORD FOR u = '…'`,
// `PASSWORD('…')`), a foreign server's or user mapping's options (`OPTIONS (password '…')`), a
// setting with a secret name (`SET my.api_key TO '…'`, `set_config('my.api_key', '…', …)`) and a
// quoted password inside a libpq connection string (`dblink_connect('… password=''…''')`). None of
// them is `column = value`, so sql-columns.ts bound nothing and a password of words (`summer dance
// party`), or a SCRAM verifier psql's \password sends, was recorded as typed. Tokens come from
// sql-columns.ts's lexer; each check here looks at a token or two, so a statement costs one pass.

import { embeddedFieldSpans, fieldSecret } from './embedded-fields.js';
import { isJsonCall, jsonCallSecrets } from './sql-json-calls.js';
import { matchingParens } from './sql-parens.js';

/** The lexer's token, as much of it as these checks read. */
export interface ClauseToken {
  readonly kind: 'ident' | 'string' | 'number' | 'param' | 'op' | 'punct';
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** A quoted identifier as written (its case names its words). */
  readonly name?: string;
}

export interface ClauseSpan {
  readonly start: number;
  readonly end: number;
  readonly column: string;
}

/**
 * Binds the values from a token to `column` (sql-columns.ts's bindValue); returns where it stopped.
 * With `to`, the value is tokens [from, to) exactly: a value written before its operator (`'…' =
 * (SELECT password …)`), whose natural end lies past the operator and what it compares with.
 */
export type BindFrom = (from: number, column: string, to?: number) => number;

/** How far `IDENTIFIED` may be from the `BY`/`AS`/`USING` that precedes its value (`WITH plugin BY`). */
const IDENTIFIED_REACH = 4;
/** How far `SET PASSWORD FOR 'u'@'h'` may be from its `=`. */
const SET_PASSWORD_REACH = 8;
/**
 * A libpq `password=` key inside a string literal, up to the quote that may open its value. Written
 * without spaces around `=`, as connection strings are: `password = '…'` inside a string is more
 * likely SQL quoted as text (a function body) than a connection string.
 */
const CONNINFO_PASSWORD = /\bpassword='/gi;

/**
 * Functions that take a password or key as an argument (1-based position): pgcrypto's
 * `crypt('…', gen_salt('bf'))`, `pgp_sym_encrypt(data, '…')`, `encrypt(data, '…', 'aes')`,
 * `hmac(data, '…', 'sha256')`, and MySQL's `AES_ENCRYPT(str, '…')`. The value goes to a column
 * whose name says hash (`password_hash`), or to none (`SELECT pgp_sym_decrypt(col, '…')`), so no
 * column binds it.
 */
const KEY_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  crypt: [1],
  pgp_sym_encrypt: [2],
  pgp_sym_decrypt: [2],
  pgp_sym_encrypt_bytea: [2],
  pgp_sym_decrypt_bytea: [2],
  pgp_pub_decrypt: [3],
  pgp_pub_decrypt_bytea: [3],
  encrypt: [2],
  decrypt: [2],
  encrypt_iv: [2],
  decrypt_iv: [2],
  hmac: [2],
  aes_encrypt: [2],
  aes_decrypt: [2],
};

/** Words before `name (` that make it a table, a column list or a definition, not a call. */
const NOT_A_CALL = new Set([
  'into',
  'table',
  'exists',
  'references',
  'on',
  'index',
  'function',
  'procedure',
  'copy',
  'view',
  'type',
  'trigger',
  'only',
  'update',
  'join',
]);

export function clauseSecrets(
  sql: string,
  tokens: readonly ClauseToken[],
  secret: (name: string) => boolean,
  bindFrom: BindFrom,
  out: ClauseSpan[],
): void {
  const push = (t: ClauseToken | undefined, column: string) => {
    if (t?.kind === 'string') out.push({ start: t.start, end: t.end, column });
  };
  /** Matching parentheses, found once when a call's arguments are first read. */
  let match: Int32Array | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'ident') continue;
    const next = tokens[k + 1];
    if (next?.kind === 'string' && secret(t.text)) {
      // PASSWORD '…', ENCRYPTED PASSWORD '…', OPTIONS (password '…'), OPTIONS (SET password '…').
      push(next, t.text);
      continue;
    }
    if (
      next?.text === '(' &&
      t.text.endsWith('password') &&
      tokens[k + 2]?.kind === 'string' &&
      tokens[k + 3]?.text === ')'
    ) {
      // MySQL's and MariaDB's PASSWORD('…'), OLD_PASSWORD('…'); one string argument, so a table
      // named password (`CREATE TABLE password (…)`) is not read as a call.
      push(tokens[k + 2], t.text);
      continue;
    }
    if (next?.text === '(' && isJsonCall(t.text)) {
      match ??= matchingParens(tokens);
      jsonCallSecrets(sql, tokens, match, k + 1, t.text, secret, bindFrom);
      continue;
    }
    if (next?.text === '(' && Object.hasOwn(KEY_ARGUMENTS, t.text)) {
      match ??= matchingParens(tokens);
      keyArguments(tokens, match, k + 1, KEY_ARGUMENTS[t.text]!, t.text, push);
      continue;
    }
    if (next?.text === '(' && secret(t.name ?? t.text) && !NOT_A_CALL.has(tokens[k - 1]?.text ?? '')) {
      // CALL set_password('ann', '…'), SELECT vault.create_secret('…', 'name'): which argument is
      // the secret is in the function's definition, which Vigil does not read, so every value
      // given to a function whose name says secret is masked (the user name too: errs on catching).
      for (let r = k + 2; r < tokens.length && tokens[r - 1]?.text !== ')'; r++) {
        r = bindFrom(r, t.name ?? t.text);
        if (tokens[r]?.text !== ',') break;
      }
      continue;
    }
    switch (t.text) {
      case 'identified':
        identifiedBy(tokens, k, push);
        break;
      case 'password':
        // SET PASSWORD FOR 'u'@'h' = '…' (SET PASSWORD = '…' is a comparison sql-columns binds).
        if (tokens[k - 1]?.text === 'set' && next?.text === 'for') {
          for (let q = k + 2; q < Math.min(tokens.length, k + 2 + SET_PASSWORD_REACH); q++) {
            if (tokens[q]!.kind === 'op' && tokens[q]!.text === '=') {
              bindFrom(q + 1, 'password');
              break;
            }
          }
        }
        break;
      case 'to':
        settingTo(tokens, k, secret, bindFrom);
        break;
      case 'set_config':
        if (next?.text === '(' && tokens[k + 2]?.kind === 'string' && tokens[k + 3]?.text === ',') {
          const name = sql.slice(tokens[k + 2]!.start, tokens[k + 2]!.end);
          // The value as a literal or a bind parameter ($2): up to the next argument.
          if (secret(name)) bindFrom(k + 4, name);
        }
        break;
    }
  }
  conninfoPasswords(sql, tokens, out);
  jsonLiteralFields(sql, tokens, secret, out);
}

/** The string arguments at `positions` of the call whose `(` is token `open`. */
function keyArguments(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  open: number,
  positions: readonly number[],
  name: string,
  push: (t: ClauseToken | undefined, column: string) => void,
): void {
  const last = Math.max(...positions);
  let position = 1;
  let first = open + 1;
  for (let q = open + 1; q < tokens.length && position <= last; q++) {
    const t = tokens[q]!;
    if (t.kind === 'punct' && t.text === '(') {
      // A group is stepped over whole: scanning into it from every call around it made nested
      // calls quadratic (pgp_sym_encrypt('a', pgp_sym_encrypt('a', …: 420 KB took 4.6 s).
      if (match[q]! < 0) return;
      q = match[q]!;
    } else if (t.kind === 'punct' && (t.text === ')' || t.text === ',')) {
      // The argument is the one string between its commas (`'…'`, also `'…'::text`).
      if (positions.includes(position) && tokens[first]?.kind === 'string')
        push(tokens[first], `${name} key`);
      if (t.text === ')') return;
      position++;
      first = q + 1;
    }
  }
}

/**
 * A JSON document written as a literal (`INSERT … VALUES ('{"api_key": "…"}')`, `'…'::jsonb`): the
 * values of its secret-named keys (embedded-fields.ts), whatever the column is called.
 */
function jsonLiteralFields(
  sql: string,
  tokens: readonly ClauseToken[],
  secret: (name: string) => boolean,
  out: ClauseSpan[],
): void {
  for (const t of tokens) {
    if (t.kind !== 'string' || t.end - t.start < 7) continue;
    const c = sql[t.start];
    if (c !== '{' && c !== '[' && c !== ' ' && c !== '\n') continue;
    const content = sql.slice(t.start, t.end);
    for (const f of embeddedFieldSpans(content, secret, fieldSecret, { json: true }))
      out.push({ start: t.start + f.start, end: t.start + f.end, column: f.name });
  }
}

/** IDENTIFIED [WITH plugin] BY '…' | AS '…' | VIA plugin USING '…', then REPLACE '…' (the current one). */
function identifiedBy(
  tokens: readonly ClauseToken[],
  k: number,
  push: (t: ClauseToken | undefined, column: string) => void,
): void {
  const last = Math.min(tokens.length - 1, k + IDENTIFIED_REACH);
  for (let q = k + 1; q <= last; q++) {
    const word = tokens[q]!.text;
    if (tokens[q]!.kind !== 'ident' || (word !== 'by' && word !== 'as' && word !== 'using')) continue;
    const value = tokens[q + 1];
    if (value?.kind !== 'string') return;
    push(value, 'password');
    if (tokens[q + 2]?.text === 'replace') push(tokens[q + 3], 'password');
    return;
  }
}

/**
 * `SET [SESSION | LOCAL] name TO value`, also after ALTER ROLE/DATABASE/SYSTEM: the name is read
 * back to `set` (qualified names too), so a `TO` elsewhere (GRANT … TO, RENAME TO) binds nothing.
 */
function settingTo(
  tokens: readonly ClauseToken[],
  k: number,
  secret: (name: string) => boolean,
  bindFrom: BindFrom,
): void {
  const last = tokens[k - 1];
  if (last?.kind !== 'ident' || !secret(last.text)) return;
  let p = k - 2;
  const parts = [last.text];
  while (tokens[p]?.text === '.' && tokens[p - 1]?.kind === 'ident') {
    parts.unshift(tokens[p - 1]!.text);
    p -= 2;
  }
  const before = tokens[p]?.text;
  if (before === 'session' || before === 'local') p--;
  if (tokens[p]?.text !== 'set') return;
  bindFrom(k + 1, parts.join('.'));
}

/**
 * A quoted value of a libpq connection string held in a literal: in a standard string the quote
 * around it is doubled (`'host=h password=''a b'''`), in a dollar-quoted one it is single. An
 * unquoted value is found by the text rules (password-assignment).
 */
function conninfoPasswords(sql: string, tokens: readonly ClauseToken[], out: ClauseSpan[]): void {
  CONNINFO_PASSWORD.lastIndex = 0;
  let t = 0;
  for (let hit = CONNINFO_PASSWORD.exec(sql); hit !== null; hit = CONNINFO_PASSWORD.exec(sql)) {
    const quote = hit.index + hit[0].length - 1;
    while (t < tokens.length && tokens[t]!.end <= quote) t++;
    const literal = tokens[t];
    if (literal?.kind !== 'string' || literal.start > hit.index) continue;
    const doubled = sql[literal.start - 1] === "'";
    if (doubled && sql[quote + 1] !== "'") continue;
    const from = quote + (doubled ? 2 : 1);
    let end = from;
    // A quote escaped for libpq (\') is \'' in a standard string.
    const escaped = doubled ? 3 : 2;
    while (end < literal.end) {
      if (sql[end] === '\\') end += escaped;
      else if (sql[end] === "'") break;
      else end++;
    }
    end = Math.min(end, literal.end);
    if (end > from) out.push({ start: from, end, column: 'password' });
    CONNINFO_PASSWORD.lastIndex = Math.max(CONNINFO_PASSWORD.lastIndex, end);
  }
}
