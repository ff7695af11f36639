// The password transforms of MySQL's two auth plugins, client side (Vigil logging in upstream) and
// the RSA exchange caching_sha2_password uses without TLS. Vigil cannot check a client's fast-path
// scramble (it holds only a hash of each token, or verifies a signed token), so on its server side
// it always asks for full authentication, and the token arrives in cleartext over TLS or
// RSA-encrypted with the nonce mixed in.
import {
  constants,
  createHash,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';

const sha1 = (...parts: Buffer[]) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};
const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i % b.length]!;
  return out;
}

/** mysql_native_password: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))). */
export function nativeScramble(password: string, nonce: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  return xor(stage1, sha1(nonce, sha1(stage1)));
}

/** caching_sha2_password fast path: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce). */
export function cachingSha2Scramble(password: string, nonce: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  return xor(stage1, sha256(sha256(stage1), nonce));
}

/** Full authentication without TLS: (password + NUL) XOR nonce, RSA-OAEP encrypted with the server's key. */
export function rsaEncryptPassword(password: string, nonce: Buffer, publicKeyPem: string): Buffer {
  const plain = xor(Buffer.from(`${password}\0`, 'utf8'), nonce);
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, plain);
}

/** The server's side of it: the password a client sent, or null when the ciphertext is not ours. */
export function rsaDecryptPassword(cipher: Buffer, nonce: Buffer, key: KeyObject): string | null {
  let plain: Buffer;
  try {
    plain = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING }, cipher);
  } catch {
    return null;
  }
  const clear = xor(plain, nonce);
  const end = clear.indexOf(0);
  return clear.subarray(0, end === -1 ? clear.length : end).toString('utf8');
}

export interface RsaKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
}

/** One key pair per module start: only a client without TLS uses it, to hide its token. */
export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A nonce of printable bytes without NUL, as MySQL servers make them (clients treat it as a C string). */
export function newNonce(): Buffer {
  const b = randomBytes(20);
  for (let i = 0; i < b.length; i++) b[i] = 0x21 + (b[i]! % 0x5e);
  return b;
}
