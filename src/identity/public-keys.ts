// Public keys registered to identities, read from OpenSSH authorized_keys lines. A key is compared
// by its wire encoding (the base64 part, decoded), which names the key's algorithm inside it, so
// the same key written with another comment or options still matches, and nothing else does.
import { createHash } from 'node:crypto';
import { VigilError } from '../core/errors.js';

const KEY_FIELD = /^AAAA[A-Za-z0-9+/]+=*$/;

/** The wire encoding of the key in an authorized_keys line (options and comment ignored). */
export function parseAuthorizedKey(line: string): Buffer {
  const fields = line.trim().split(/\s+/);
  // Options may precede the type: the key is the first base64 field that follows a field naming its own type.
  for (let i = 1; i < fields.length; i++) {
    const field = fields[i]!;
    if (!KEY_FIELD.test(field)) continue;
    const blob = Buffer.from(field, 'base64');
    if (blob.length >= 4) {
      const nameLength = blob.readUInt32BE(0);
      if (
        4 + nameLength <= blob.length &&
        blob.subarray(4, 4 + nameLength).toString('latin1') === fields[i - 1]
      )
        return blob;
    }
  }
  throw new VigilError('config_invalid', `not an OpenSSH public key line: ${line.slice(0, 40)}…`);
}

/** A short, stable name for a key that reveals nothing secret (the SHA-256 of its wire encoding). */
export function publicKeyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}
