// Sign-in state carried by the browser or the identity provider instead of kept in a replica's
// memory: a small JSON value sealed with AES-256-GCM under a key every replica derives from the
// Vigil token signing key they already share. The purpose is the GCM additional data, so a value
// sealed for one step (an OIDC state, a SAML request ID, a CLI RelayState or code) never opens as
// another; the expiry is inside the sealed value. Sealed: base64url(iv || ciphertext || tag).
// Opening anything tampered, truncated, expired or meant for another purpose answers null.
import { createCipheriv, createDecipheriv, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';

export const SEAL_PURPOSES = ['oidc-state', 'saml-request', 'saml-cli-relay', 'saml-cli-code'] as const;
export type SealPurpose = (typeof SEAL_PURPOSES)[number];

export interface OpenedState {
  readonly value: unknown;
  /** ms since the epoch; the value no longer opens from then on. */
  readonly expiresAt: number;
}

const KEY_INFO = 'vigil sign-in state v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Nothing Vigil seals comes near this; a longer input is refused before any work. */
const MAX_SEALED_CHARS = 16 * 1024;

export class SealedState {
  readonly #key: Buffer;
  readonly #now: () => number;

  /** `key`: 32 bytes; use `fromSigningKey` so every replica derives the same one. */
  constructor(key: Uint8Array, now: () => number = Date.now) {
    if (key.length !== 32) throw new RangeError('a sealing key is 32 bytes');
    this.#key = Buffer.from(key);
    this.#now = now;
  }

  /** The sealing key derived (HKDF-SHA256) from the Ed25519 token signing key's private bytes. */
  static fromSigningKey(privateKey: KeyObject, now?: () => number): SealedState {
    const d = privateKey.export({ format: 'jwk' }).d;
    if (typeof d !== 'string') throw new TypeError('the token signing key has no private part');
    const ikm = Buffer.from(d, 'base64url');
    return new SealedState(Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), KEY_INFO, 32)), now);
  }

  seal(purpose: SealPurpose, value: unknown, ttlMs: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const plain = Buffer.from(JSON.stringify({ v: value, exp: this.#now() + ttlMs }), 'utf8');
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The value sealed for `purpose`, or null when it was not (or no longer is) one. */
  open(purpose: SealPurpose, sealed: string): OpenedState | null {
    if (sealed.length > MAX_SEALED_CHARS || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
    const bytes = Buffer.from(sealed, 'base64url');
    // base64url decoding skips what it cannot read: only the canonical spelling of the bytes opens.
    if (bytes.length < IV_BYTES + TAG_BYTES + 1 || bytes.toString('base64url') !== sealed) return null;
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      plain = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      return null;
    }
    // Authentic, so written by a replica: still parsed defensively, a bad shape opens nothing.
    let parsed: unknown;
    try {
      parsed = JSON.parse(plain.toString('utf8'));
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { v, exp } = parsed as { v?: unknown; exp?: unknown };
    if (typeof exp !== 'number' || !(exp > this.#now())) return null;
    return { value: v, expiresAt: exp };
  }
}
