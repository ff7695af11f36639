// Identifiers Vigil hands out: random, URL-safe, prefixed by what they name.
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 12;
/**
 * Random bytes are drawn 4 KiB at a time: a call to the system's generator costs about as much for
 * 4 KiB as for 12 bytes, and the data path asks for an id per request.
 */
const pool = Buffer.alloc(ID_BYTES * 341);
let offset = pool.length;

export function newId(prefix: 's' | 'r' | 'a' | 'g' | 'sa' | 'ap' | 'gr' | 'mc' | 'mr' | 'scim'): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return `${prefix}_${id}`;
}
