// Ed25519 key pairs in OpenSSH's own formats, generated with node:crypto.
// ssh2's generateKeyPairSync('ed25519') drops a leading zero byte of the public key about once in
// 256 keys, and ssh2 then refuses its own key as malformed; so Vigil encodes the key itself, from the
// fixed-length raw seed and public key (core/ed25519-seed-key.ts). Format: OpenSSH's PROTOCOL.key.
import { randomBytes } from 'node:crypto';
import { newEd25519Key } from '../../core/ed25519-seed-key.js';

const KEY_TYPE = 'ssh-ed25519';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
/** The private section is padded to the block size of cipher "none". */
const BLOCK = 8;

export interface OpenSshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` text, unencrypted. */
  readonly private: string;
  /** `ssh-ed25519 AAAA… comment`, as in an authorized_keys file. */
  readonly public: string;
}

/** A new Ed25519 key pair in OpenSSH formats. */
export function generateEd25519OpenSsh(comment = ''): OpenSshKeyPair {
  const { seed, publicKey } = newEd25519Key();
  return encodeEd25519OpenSsh(seed, publicKey, comment);
}

/** Encodes a raw Ed25519 key (32-byte seed, 32-byte public key) in OpenSSH formats. */
export function encodeEd25519OpenSsh(seed: Buffer, publicKey: Buffer, comment = ''): OpenSshKeyPair {
  if (seed.length !== 32 || publicKey.length !== 32) {
    throw new RangeError('an Ed25519 seed and public key are 32 bytes each');
  }
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
  const check = randomBytes(4);
  const section = Buffer.concat([
    check,
    check,
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  const padLength = (BLOCK - (section.length % BLOCK)) % BLOCK;
  const padding = Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1));
  const body = Buffer.concat([
    MAGIC,
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([section, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    private: ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join(
      '\n',
    ),
    public: `${KEY_TYPE} ${publicBlob.toString('base64')}${comment ? ` ${comment}` : ''}`,
  };
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}
