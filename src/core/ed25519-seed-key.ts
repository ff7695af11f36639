// New Ed25519 keys made from a random seed, never by generateKeyPairSync. Node 20's key generation
// leaves a job object behind that shares the new key's lock; when the garbage collector frees that
// job while the key is being exported (JWK, PEM or DER: each export allocates under the key's lock),
// its destructor waits for the lock the export holds, and the process hangs for good (seen: a test
// generating keys in a loop stopped in `~KeyGenJob` under `ExportJWKEdKey`). A key made by
// createPrivateKey from its seed has no such job.
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes } from 'node:crypto';

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** The raw public key is the last 32 bytes of its SPKI DER. */
const RAW_LENGTH = 32;

/** The Ed25519 private key of a 32-byte seed. */
export function ed25519FromSeed(seed: Buffer): KeyObject {
  if (seed.length !== RAW_LENGTH) throw new RangeError('an Ed25519 seed has 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** A new Ed25519 key: its seed, its raw public key and the private KeyObject. */
export function newEd25519Key(): { seed: Buffer; publicKey: Buffer; privateKey: KeyObject } {
  const seed = randomBytes(RAW_LENGTH);
  const privateKey = ed25519FromSeed(seed);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { seed, publicKey: Buffer.from(spki.subarray(spki.length - RAW_LENGTH)), privateKey };
}
