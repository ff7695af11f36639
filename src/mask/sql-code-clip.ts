// A text rule's match in a SQL statement never covers the statement's code. A rule may match past
// the secret it is shaped for: the private-key rule takes a header and then any run of base64-like
// characters and spaces, so a header written in a comment took the next line with it, and
// `… WHERE id = 1 -- -----BEGIN PRIVATE KEY-----⏎or true` was recorded, and shown to the reviewer
// of a held statement, as `… WHERE id = 1 -- [MASKED:private-key:…]`, while every row changed.
// Secrets in a statement sit in string literals and comments; a match that begins in one is cut
// where the statement's code resumes (a token that is not a string), so whatever runs stays in the
// record as it ran. A match that begins inside code is left as it is (a rule reading `password=…`).
import type { RawFinding } from './compiled-rules.js';
import { readingsDiffer, type SqlReading, tokenizeSql } from './sql-tokens.js';

/** A stretch of code: a token that is not a string literal. */
export interface CodeSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * The statement's code tokens, in order. Where the server's reading is not known (`both`) and the
 * readings differ, only tokens that are code in both readings: a stretch one reading takes for a
 * string may hold a secret, so a match is cut only where both see code.
 */
export function sqlCodeSpans(sql: string, reading: SqlReading | 'both'): CodeSpan[] {
  const code = (r: SqlReading) => tokenizeSql(sql, r).filter((t) => t.kind !== 'string');
  if (reading !== 'both') return code(reading);
  const standard = code('standard');
  if (!readingsDiffer(sql)) return standard;
  const mysql = new Set(code('mysql').map((t) => `${t.start}:${t.end}`));
  return standard.filter((t) => mysql.has(`${t.start}:${t.end}`));
}

/** The findings, each that begins outside code cut before the first code token after its start. */
export function clipToCode(
  text: string,
  findings: readonly RawFinding[],
  code: readonly CodeSpan[],
): RawFinding[] {
  return cutBeforeCode(text, findings, code, (f, end) => {
    const whole = f.secret === text.slice(f.start, f.end);
    return { ...f, end, secret: whole ? text.slice(f.start, end) : f.secret };
  });
}

/**
 * Spans, each that begins outside code cut before the first code span after its start (`cut` makes
 * the shorter one), and dropped when only blank lies between its start and the code.
 */
export function cutBeforeCode<S extends { readonly start: number; readonly end: number }>(
  text: string,
  spans: readonly S[],
  code: readonly CodeSpan[],
  cut: (span: S, end: number) => S,
): S[] {
  if (code.length === 0) return [...spans];
  const out: S[] = [];
  for (const s of spans) {
    const next = firstEndingAfter(code, s.start);
    if (next === null || next.start <= s.start || next.start >= s.end) {
      out.push(s);
      continue;
    }
    let end = next.start;
    while (end > s.start && /\s/.test(text[end - 1]!)) end--;
    // Only blank before the code: nothing of it is a secret.
    if (end > s.start) out.push(cut(s, end));
  }
  return out;
}

/** The first span whose end is past `at` (spans sorted and disjoint), by binary search. */
function firstEndingAfter(spans: readonly CodeSpan[], at: number): CodeSpan | null {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]!.end <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo < spans.length ? spans[lo]! : null;
}
