// The witness's own Ed25519 key, generated in its directory at first start (mode 0600), and its
// cosignature verifier key (type 0x04) that logs and verifiers are configured with.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newEd25519Key } from '../core/ed25519-seed-key.js';
import { encodeVerifierKey, SIGNATURE_TYPE } from '../ledger/signed-note.js';

export interface WitnessKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const KEY_FILE = 'witness-key.pem';

export function loadOrCreateWitnessKey(dir: string): WitnessKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, KEY_FILE);
  if (!existsSync(file)) {
    const { privateKey } = newEd25519Key();
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function witnessVerifierKey(name: string, key: WitnessKey): string {
  return encodeVerifierKey(name, key.publicKey, SIGNATURE_TYPE.cosignatureV1);
}
