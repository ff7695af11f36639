// Ed25519 keys that sign checkpoints. The active private key lives in <data>/keys (mode 0600) unless
// one is supplied (config `ledger.signing_key` or the environment); every public key ever active is
// kept in a keyring file, so checkpoints signed before a rotation still verify.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519FromSeed, newEd25519Key } from '../core/ed25519-seed-key.js';
import { VigilError } from '../core/errors.js';

export interface LedgerSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A public key as the keyring file, `vigil keys public --json` and bundles carry it. */
export interface PublicKeyEntry {
  readonly keyId: string;
  /** The raw 32-byte Ed25519 public key, base64. */
  readonly publicKey: string;
  /** ISO time the key was first seen as active. */
  readonly created: string;
}

const KEYS_DIR = 'keys';
const PRIVATE_KEY_FILE = 'ledger-signing-key.pem';
const KEYRING_FILE = 'ledger-keyring.json';
// DER prefix of an SPKI Ed25519 public key; the raw 32-byte key follows.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Hex of the first 8 bytes of SHA-256 of the raw 32-byte public key. */
export function keyIdOf(publicRaw: Uint8Array): string {
  return createHash('sha256').update(publicRaw).digest('hex').slice(0, 16);
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new VigilError('bundle_invalid', 'an Ed25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The public keys that checkpoints may be signed with, by key id. */
export class Keyring {
  readonly #keys = new Map<string, { entry: PublicKeyEntry; key: KeyObject }>();

  constructor(entries: readonly PublicKeyEntry[] = []) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: PublicKeyEntry): void {
    const raw = Buffer.from(entry.publicKey, 'base64');
    if (raw.length !== 32 || raw.toString('base64') !== entry.publicKey || keyIdOf(raw) !== entry.keyId) {
      throw new VigilError('config_invalid', `keyring entry ${entry.keyId} does not match its public key`);
    }
    if (!this.#keys.has(entry.keyId)) this.#keys.set(entry.keyId, { entry, key: publicKeyFromRaw(raw) });
  }

  get(keyId: string): KeyObject | undefined {
    return this.#keys.get(keyId)?.key;
  }

  entry(keyId: string): PublicKeyEntry | undefined {
    return this.#keys.get(keyId)?.entry;
  }

  entries(): PublicKeyEntry[] {
    return [...this.#keys.values()].map((k) => k.entry);
  }
}

export function signingKeyFromPrivate(privateKey: KeyObject): LedgerSigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new VigilError('config_invalid', 'the ledger signing key must be an Ed25519 key');
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(rawPublicKey(publicKey)), privateKey, publicKey };
}

/** Parses a supplied key: PKCS#8 PEM, or the 32-byte seed as base64 or hex. */
export function parseSigningKey(text: string): LedgerSigningKey {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return signingKeyFromPrivate(createPrivateKey(trimmed));
    const seed = /^[0-9a-fA-F]{64}$/.test(trimmed)
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
    if (seed.length !== 32) throw new Error(`a seed has 32 bytes, not ${seed.length}`);
    return signingKeyFromPrivate(ed25519FromSeed(seed));
  } catch (err) {
    if (err instanceof VigilError) throw err;
    throw new VigilError(
      'config_invalid',
      'the ledger signing key is not an Ed25519 PEM key or 32-byte seed',
      {
        cause: err,
      },
    );
  }
}

export function entryOf(key: LedgerSigningKey, created: string = new Date().toISOString()): PublicKeyEntry {
  return { keyId: key.keyId, publicKey: rawPublicKey(key.publicKey).toString('base64'), created };
}

export interface LedgerKeys {
  readonly signer: LedgerSigningKey;
  readonly keyring: Keyring;
}

/**
 * The active signing key and the keyring. `supplied` (a resolved secret) wins over the key file;
 * otherwise a key is generated at first start. The active public key is always added to the keyring.
 */
export function loadLedgerKeys(dataDir: string, supplied?: string): LedgerKeys {
  const dir = join(dataDir, KEYS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let signer: LedgerSigningKey;
  if (supplied !== undefined) {
    signer = parseSigningKey(supplied);
  } else {
    const file = join(dir, PRIVATE_KEY_FILE);
    if (!existsSync(file)) {
      const { privateKey } = newEd25519Key();
      try {
        // 'wx': never overwrite a key another process created a moment ago.
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    signer = signingKeyFromPrivate(createPrivateKey(readFileSync(file)));
  }
  const keyring = loadKeyring(dataDir);
  if (!keyring.get(signer.keyId)) {
    keyring.add(entryOf(signer));
    saveKeyring(dataDir, keyring);
  }
  return { signer, keyring };
}

/** The public keys only: all that verification needs. An absent file is an empty keyring. */
export function loadKeyring(dataDir: string): Keyring {
  const file = join(dataDir, KEYS_DIR, KEYRING_FILE);
  if (!existsSync(file)) return new Keyring();
  let parsed: { keys?: { key_id: string; public_key: string; created: string }[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new VigilError('config_invalid', `cannot read the ledger keyring ${file}`, { cause: err });
  }
  return new Keyring(
    (parsed.keys ?? []).map((k) => ({ keyId: k.key_id, publicKey: k.public_key, created: k.created })),
  );
}

/**
 * Keys a verifier holds, from a file it got out of band: `vigil keys public --json` (an array) or a
 * keyring file (`{"keys": [...]}`). Each entry is checked against its key id.
 */
export function parsePublishedKeys(text: string): Keyring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new VigilError('usage', 'the trusted keys are not JSON (vigil keys public --json)', { cause: err });
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new VigilError('usage', 'the trusted keys file holds no keys (vigil keys public --json)');
  }
  return new Keyring(
    list.map((k: { key_id?: unknown; public_key?: unknown; created?: unknown }) => ({
      keyId: String(k?.key_id),
      publicKey: String(k?.public_key),
      created: typeof k?.created === 'string' ? k.created : '',
    })),
  );
}

function saveKeyring(dataDir: string, keyring: Keyring): void {
  const file = join(dataDir, KEYS_DIR, KEYRING_FILE);
  const keys = keyring
    .entries()
    .map((e) => ({ key_id: e.keyId, public_key: e.publicKey, created: e.created }));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

/**
 * Makes a new active key. The old private key is replaced (that is what rotating is for); its public
 * half stays in the keyring. A running gateway picks the new key up at its next start.
 */
export function rotateLedgerKey(dataDir: string): LedgerKeys {
  const before = loadLedgerKeys(dataDir);
  const file = join(dataDir, KEYS_DIR, PRIVATE_KEY_FILE);
  const { privateKey } = newEd25519Key();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'w' });
  renameSync(tmp, file);
  const signer = signingKeyFromPrivate(privateKey);
  before.keyring.add(entryOf(signer));
  saveKeyring(dataDir, before.keyring);
  return { signer, keyring: before.keyring };
}
