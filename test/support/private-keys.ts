// Real private keys generated for each test run (never stored): P-256, RSA, Ed25519 in PEM, and
// OpenSSH Ed25519 (Vigil's encoder) and ECDSA (ssh2) keys, with their body lines and the decoded
// secret bytes a leak scan looks for.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import ssh2 from 'ssh2';
import { newEd25519Key } from '../../src/core/ed25519-seed-key.js';
import { generateEd25519OpenSsh } from '../../src/protocols/ssh/openssh-key.js';

export interface TestKey {
  readonly kind: string;
  readonly pem: string;
  /** The base64 lines between BEGIN and END. */
  readonly bodyLines: readonly string[];
  readonly endLine: string;
  /** The private scalar or exponent, decoded: no stored byte sequence may contain it. */
  readonly secretBytes: Buffer;
}

function fromPem(kind: string, pem: string, secretBytes: Buffer): TestKey {
  const lines = pem.trim().split('\n');
  return { kind, pem, bodyLines: lines.slice(1, -1), endLine: lines[lines.length - 1]!, secretBytes };
}

function jwkSecret(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url');
}

export function generateTestKeys(): TestKey[] {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // From a seed: a generated key's export can hang Node 20 (src/core/ed25519-seed-key.ts).
  const ed = newEd25519Key();
  const sshEd = generateEd25519OpenSsh();
  const sshEc = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const openssh = (kind: string, pem: string) => {
    const lines = pem.trim().split('\n');
    const body = Buffer.from(lines.slice(1, -1).join(''), 'base64');
    // The private part is the last third of the blob; its middle bytes are secret.
    return fromPem(
      kind,
      pem,
      body.subarray(Math.floor(body.length * 0.6), Math.floor(body.length * 0.6) + 24),
    );
  };
  return [
    fromPem(
      'P-256 (SEC1)',
      p256.privateKey.export({ type: 'sec1', format: 'pem' }) as string,
      jwkSecret(p256.privateKey),
    ),
    fromPem(
      'P-256 (PKCS#8)',
      p256.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      jwkSecret(p256.privateKey),
    ),
    fromPem(
      'RSA 2048 (PKCS#1)',
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      jwkSecret(rsa.privateKey),
    ),
    fromPem(
      'Ed25519 (PKCS#8)',
      ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      jwkSecret(ed.privateKey),
    ),
    openssh('OpenSSH Ed25519', sshEd.private),
    openssh('OpenSSH ECDSA', sshEc.private),
  ];
}

/** Every run of two or more consecutive body lines (capped at `limit` per key, spread evenly). */
export function fragments(
  key: TestKey,
  limit = Number.POSITIVE_INFINITY,
): { lines: string[]; withEnd: boolean }[] {
  const out: { lines: string[]; withEnd: boolean }[] = [];
  const n = key.bodyLines.length;
  for (let len = 2; len <= n; len++) {
    for (let i = 0; i + len <= n; i++)
      out.push({ lines: key.bodyLines.slice(i, i + len), withEnd: i + len === n });
  }
  if (out.length <= limit) return out;
  const step = out.length / limit;
  return Array.from({ length: limit }, (_, k) => out[Math.floor(k * step)]!);
}
