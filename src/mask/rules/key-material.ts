// Secrets without a label, found by the token-run pass (token-runs.ts, token-shape.ts) rather than
// by a pattern: key material in any part (PEM and OpenSSH body lines without their BEGIN line, base64
// DER and PKCS#12 blobs, JWK private members, hex keys) and bare generated tokens.
import { ALPHABETS, synth } from '../synthetic.js';
import { MAX_PIECE } from '../token-runs.js';
import type { DetectorRule } from '../types.js';

const pemLines = [synth(64, ALPHABETS.base64, 'km1'), synth(64, ALPHABETS.base64, 'km2')];
const derBlob = `MIIJQwIBADANBgkqhkiG9w0BAQEFAASCCS0wggkpAgEAAoICAQ${synth(150, ALPHABETS.base64, 'km-der')}`;
const jwkD = synth(43, ALPHABETS.urlSafe, 'km-jwk');
const hexKey = synth(64, ALPHABETS.hex, 'km-hex');
const bareAws = synth(40, ALPHABETS.base64, 'km-aws');
const bareAlnum = synth(32, ALPHABETS.alnum, 'km-alnum');
const labelledShort = synth(20, ALPHABETS.alnum, 'km-short');
const jwkK = synth(22, ALPHABETS.urlSafe, 'km-jwk-k');

export const KEY_MATERIAL_RULES: readonly DetectorRule[] = [
  {
    id: 'key-material',
    engine: 'token-runs',
    description:
      'Key material without a label: base64 blocks of two or more lines (PEM and OpenSSH bodies echoed in part), base64 DER/PKCS#12/OpenSSH blobs (MII…, b3BlbnNzaC1rZXktdjE…), and bare base64 tokens of 64 characters or more, above the entropy threshold of their character set',
    category: 'secret',
    pattern: '',
    maxLength: MAX_PIECE,
    vectors: {
      hits: [
        { text: `${pemLines.join('\n')}\n-----END EC PRIVATE KEY-----`, secret: pemLines.join('\n') },
        { text: `{"pem": "${pemLines.join('\\n')}"}`, secret: pemLines.join('\\n') },
        { text: `blob: ${derBlob}`, secret: derBlob },
      ],
      misses: [
        `-----BEGIN CERTIFICATE-----\n${pemLines.join('\n')}`,
        `data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA${synth(200, ALPHABETS.base64, 'km-img')}`,
        'see src/protocols/postgres/query-payloads.ts and AbstractSingletonProxyFactoryBean',
      ],
    },
  },
  {
    id: 'high-entropy-token',
    engine: 'token-runs',
    description:
      'A bare generated token: 32+ base64/alphanumeric characters or 64+ hex digits anywhere, or 16+ after a word such as key, secret, token, password or credential (JWK d/k members too), above the entropy threshold of its character set; UUIDs, named hashes (sha256:, commit, digest), public keys and data: media are left alone',
    category: 'secret',
    pattern: '',
    maxLength: MAX_PIECE,
    vectors: {
      hits: [
        { text: `the secret key is ${bareAws} ok`, secret: bareAws },
        { text: `${bareAlnum}`, secret: bareAlnum },
        { text: `{"kty":"EC","crv":"P-256","d":"${jwkD}"}`, secret: jwkD },
        { text: `signing key ${hexKey}`, secret: hexKey },
        { text: `my token is ${labelledShort}`, secret: labelledShort },
        { text: `{"kty":"oct","k":"${jwkK}"}`, secret: jwkK },
      ],
      misses: [
        'request 550e8400-e29b-41d4-a716-446655440000 done',
        'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
        `sha256:${hexKey}`,
        'getUserByIdentifierFromDatabaseConnectionPool',
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host',
      ],
    },
  },
];
