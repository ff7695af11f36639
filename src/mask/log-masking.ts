// Vigil's own log lines and error messages pass through the masker too. Pino writes JSON lines:
// masking the serialized line keeps it valid JSON because replacements contain no quote, backslash
// or control character (only the secret part of a match is replaced).
import type { Masker } from './masker.js';

/** For pino's `hooks.streamWrite`: masks one serialized log line. */
export function logLineMasker(masker: Pick<Masker, 'maskText'>): (line: string) => string {
  return (line) => masker.maskText(line);
}

/** A copy of an error whose message (and stack) no longer carries a secret. */
export function maskError(masker: Pick<Masker, 'maskText'>, err: Error): Error {
  const masked = new Error(masker.maskText(err.message));
  masked.name = err.name;
  if (err.stack) masked.stack = masker.maskText(err.stack);
  return masked;
}
