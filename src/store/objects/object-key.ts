// Object keys are content addresses: the payload hash the ledger already holds names the object, so
// identical payloads share one object and the hash chain commits to what the object must contain.
// Two hex characters of fan-out keep a folder (or an S3 listing page) from holding every object.

const OBJECT_KEY = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

/** The key of the object holding the payload whose canonical text hashes to `payloadHash` (hex). */
export function objectKeyFor(payloadHash: string): string {
  return `sha256/${payloadHash.slice(0, 2)}/${payloadHash}`;
}

/**
 * Whether `key` is a key this gateway writes. The column holding it is not covered by the event
 * hash, so a key read back is checked before it names a file or a URL (no `../`, no other bucket).
 */
export function isObjectKey(key: string): boolean {
  const match = OBJECT_KEY.exec(key);
  return match !== null && match[2]!.startsWith(match[1]!);
}
