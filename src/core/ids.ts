// Identifiers Vigil hands out: random, URL-safe, prefixed by what they name.
import { randomBytes } from 'node:crypto';

export function newId(prefix: 's' | 'r' | 'a' | 'g' | 'sa' | 'ap' | 'gr' | 'mc' | 'mr'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
