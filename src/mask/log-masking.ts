// Vigil's own log lines and error messages pass through the masker too. Pino writes JSON lines,
// and a secret in a JSON line is spelled with JSON's escapes: a newline before a value is `\n`,
// a quote in a password is `\"`. Masking the serialized text missed such secrets (the text rules
// read `\nsk_…` as one word, and `password=abc\nnext` as the value `abc\nnext`) and could split an
// escape (an email rule that took the `n` of `\n` left a lone backslash: the line was no longer
// JSON, and a log shipper drops it). So the line is parsed, every key and value is masked as the
// text it stands for, with the payload walk the ledger uses (secret-named fields whole), and the
// result serialized again: valid JSON whatever the replacements are.
import type { JsonObject } from '../core/events.js';
import type { Masker } from './masker.js';

/** Not a connection name: the global rule set applies, as for every log line. */
const NO_CONNECTION = '';

/** For pino's `hooks.streamWrite`: masks one serialized log line (a JSON object and its newline). */
export function logLineMasker(masker: Pick<Masker, 'maskText' | 'maskPayload'>): (line: string) => string {
  return (line) => {
    const record = parseRecord(line);
    // Not a JSON object (pino writes nothing else): the text is masked as it stands.
    if (record === null) return masker.maskText(line);
    const newline = line.endsWith('\n') ? '\n' : '';
    return JSON.stringify(masker.maskPayload(record, NO_CONNECTION)) + newline;
  };
}

function parseRecord(line: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as JsonObject)
      : null;
  } catch {
    return null;
  }
}

/** A copy of an error whose message (and stack) no longer carries a secret. */
export function maskError(masker: Pick<Masker, 'maskText'>, err: Error): Error {
  const masked = new Error(masker.maskText(err.message));
  masked.name = err.name;
  if (err.stack) masked.stack = masker.maskText(err.stack);
  return masked;
}
