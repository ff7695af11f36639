// Values a JSON function puts under a secret-named key: `json_build_object('api_token', '…')`,
// MySQL's `JSON_OBJECT('password', '…')` (key, value pairs), `jsonb_set(data, '{password}',
// '"…"')` and MySQL's `JSON_SET(doc, '$.password', '…')` (a path whose last step names the key).
// The key is a string, not a column, so no `column = value` bound the value and a password of
// words was recorded as typed until 6 December. Works on sql-tokens.ts's tokens, from
// sql-clauses.ts; the value is bound whole (`to_jsonb('…'::text)` too) by sql-columns.ts.
import type { BindFrom, ClauseToken } from './sql-clauses.js';

/** Functions of (key, value, key, value, …). */
const OBJECT_BUILDERS = new Set(['json_build_object', 'jsonb_build_object', 'json_object']);
/** Functions of (document, path, value[, …]): PostgreSQL's take one path, MySQL's path, value pairs. */
const PATH_SETTERS = new Set([
  'jsonb_set',
  'jsonb_set_lax',
  'jsonb_insert',
  'json_set',
  'json_insert',
  'json_replace',
  'json_array_append',
  'json_array_insert',
]);

export function isJsonCall(name: string): boolean {
  return OBJECT_BUILDERS.has(name) || PATH_SETTERS.has(name);
}

/** Binds the values of the JSON call `name` whose `(` is token `open` that go under secret-named keys. */
export function jsonCallSecrets(
  sql: string,
  tokens: readonly ClauseToken[],
  match: Int32Array,
  open: number,
  name: string,
  secret: (name: string) => boolean,
  bindFrom: BindFrom,
): void {
  const args = argumentStarts(tokens, match, open);
  const keyOf = (k: number | undefined): string | null => {
    const t = k === undefined ? undefined : tokens[k];
    if (t?.kind !== 'string') return null;
    const next = tokens[k! + 1]?.text;
    return next === ',' || next === ')' ? sql.slice(t.start, t.end) : null;
  };
  if (OBJECT_BUILDERS.has(name)) {
    for (let a = 0; a + 1 < args.length; a += 2) {
      const key = keyOf(args[a]);
      if (key !== null && secret(key)) bindFrom(args[a + 1]!, key);
    }
    return;
  }
  for (let a = 1; a + 1 < args.length; a += 2) {
    const path = keyOf(args[a]);
    const key = path === null ? null : lastStep(path);
    if (key !== null && secret(key)) bindFrom(args[a + 1]!, key);
    // PostgreSQL's setters take one path; what follows is a flag (`create_if_missing`).
    if (name.startsWith('jsonb_')) return;
  }
}

/** The token index where each argument of the call whose `(` is `open` starts. */
function argumentStarts(tokens: readonly ClauseToken[], match: Int32Array, open: number): number[] {
  const close = match[open]!;
  if (close < 0 || close === open + 1) return [];
  const starts = [open + 1];
  for (let q = open + 1; q < close; q++) {
    const t = tokens[q]!;
    if (t.kind === 'punct' && t.text === '(' && match[q]! > 0) q = match[q]!;
    else if (t.kind === 'punct' && t.text === ',') starts.push(q + 1);
  }
  return starts;
}

/** The key a path ends with: `{a,password}` (PostgreSQL), `$.a.password`, `$."api_token"` (MySQL). */
export function lastStep(path: string): string | null {
  const p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) {
    const steps = p.slice(1, -1).split(',');
    return steps[steps.length - 1]!.trim().replace(/^"|"$/g, '') || null;
  }
  if (!p.startsWith('$')) return null;
  const m = /\.(?:"([^"]+)"|([A-Za-z_][\w$]*))(?:\[[^\]]*\])*$/.exec(p);
  return m ? (m[1] ?? m[2] ?? null) : null;
}
