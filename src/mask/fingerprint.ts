// The suffix of a replacement: the first 6 hex of HMAC-SHA256(key, secret). The same secret gets the
// same suffix in every event, so an auditor can correlate without the secret being recoverable.
import { createHmac } from 'node:crypto';

const CACHE_LIMIT = 4096;

export type Fingerprinter = (secret: string) => string;

export function createFingerprinter(key: string | Uint8Array): Fingerprinter {
  // Secrets repeat (the same key in every request), so recent fingerprints are remembered.
  const cache = new Map<string, string>();
  return (secret) => {
    const hit = cache.get(secret);
    if (hit !== undefined) return hit;
    const fp = createHmac('sha256', key).update(secret, 'utf8').digest('hex').slice(0, 6);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(secret, fp);
    return fp;
  };
}
