// The digest of exactly what an adapter will send to its target if an action is allowed: a held
// action's approval is bound to it, so a reviewer's "yes" can release only what they saw.
// Parts are length-prefixed so that ["ab", "c"] and ["a", "bc"] never collide; null is distinct
// from the empty string.
import { createHash } from 'node:crypto';

export type DigestPart = string | Uint8Array | null;

export function actionDigest(parts: readonly DigestPart[]): string {
  const h = createHash('sha256');
  const len = Buffer.alloc(5);
  for (const part of parts) {
    if (part === null) {
      len.writeUInt8(0, 0);
      len.writeUInt32BE(0, 1);
      h.update(len);
      continue;
    }
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    len.writeUInt8(1, 0);
    len.writeUInt32BE(bytes.length, 1);
    h.update(len);
    h.update(bytes);
  }
  return h.digest('hex');
}
