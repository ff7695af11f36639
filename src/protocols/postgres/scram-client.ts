// The client side of SCRAM-SHA-256 (RFC 5802 / RFC 7677) as PostgreSQL speaks it: no channel
// binding, the user name left empty (the server takes it from the startup message).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../../core/errors.js';

const MAX_ITERATIONS = 1_000_000;

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** SASLprep's common cases (RFC 4013): non-ASCII spaces to space, mapped-to-nothing removed, NFKC. */
function saslprep(password: string): string {
  return (
    password
      .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
      // biome-ignore lint/suspicious/noMisleadingCharacterClass: RFC 3454 B.1 lists exactly these joiners and selectors to drop
      .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu, '')
      .normalize('NFKC')
  );
}

export class ScramClient {
  readonly #password: string;
  readonly #nonce = randomBytes(18).toString('base64');
  #clientFirstBare = '';
  #serverSignature: Buffer | null = null;

  constructor(password: string) {
    this.#password = password;
  }

  firstMessage(): string {
    this.#clientFirstBare = `n=*,r=${this.#nonce}`;
    return `n,,${this.#clientFirstBare}`;
  }

  /** The client-final message for the server-first message. */
  finalMessage(serverFirst: string): string {
    const a = attributes(serverFirst);
    const nonce = a.get('r');
    const salt = a.get('s');
    const iterations = Number(a.get('i'));
    if (!nonce || !salt || !nonce.startsWith(this.#nonce) || nonce.length === this.#nonce.length) {
      throw new VigilError('upstream_failed', 'SCRAM: the server nonce is invalid');
    }
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new VigilError('upstream_failed', 'SCRAM: the iteration count is invalid');
    }
    const salted = pbkdf2Sync(
      saslprep(this.#password),
      Buffer.from(salt, 'base64'),
      iterations,
      32,
      'sha256',
    );
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.#serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server's signature: a server that does not know the password cannot fake it. */
  verifyFinal(serverFinal: string): void {
    const v = attributes(serverFinal).get('v');
    const expected = this.#serverSignature;
    const got = v ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    if (!expected || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new VigilError('upstream_failed', 'SCRAM: the server signature does not match');
    }
  }
}
