// A result value as db.result records it: text-format values as text, binary-format ones as `\x`
// hex, and a value over RECORDED_VALUE_BYTES by its size and SHA-256 only, as the MySQL module
// records one. Each recorded row is masked, hashed and stored, so without a bound a client with
// SELECT could put most of a megabyte per recorded row into the ledger with every statement
// (`SELECT repeat('x', 1000000)`); and a prefix is no answer, since it could end in half a secret
// that masking no longer recognises.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../../core/events.js';

export const RECORDED_VALUE_BYTES = 64 * 1024;

export function recordedValue(bytes: Buffer, binary: boolean): JsonValue {
  if (bytes.length > RECORDED_VALUE_BYTES)
    return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  return binary ? `\\x${bytes.toString('hex')}` : bytes.toString('utf8');
}
