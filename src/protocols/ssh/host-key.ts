// Vigil's own SSH host key: generated once (Ed25519) and kept in the data directory, so clients
// that pinned it keep trusting the gateway across restarts. `vigil keys ssh-host` prints its
// fingerprint from the .pub file written here.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { generateEd25519OpenSsh } from './openssh-key.js';

export const HOST_KEY_FILE = join('ssh', 'host_ed25519');

export interface GatewayHostKey {
  /** OpenSSH private key text, for ssh2's server. */
  readonly privateKey: string;
  /** `SHA256:…` as ssh-keygen -l prints it. */
  readonly fingerprint: string;
}

/** Loads the host key, creating it (mode 0600) on first use. */
export function loadOrCreateHostKey(dataDir: string): GatewayHostKey {
  const path = join(dataDir, HOST_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(join(dataDir, 'ssh'), { recursive: true, mode: 0o700 });
    const pair = generateEd25519OpenSsh('vigil gateway host key');
    // Written under a temporary name and renamed, so two gateways starting at once never read half a key.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, pair.private, { mode: 0o600 });
    writeFileSync(`${path}.pub`, `${pair.public}\n`, { mode: 0o644 });
    renameSync(tmp, path);
  }
  const privateKey = readFileSync(path, 'utf8');
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw parsed;
  return { privateKey, fingerprint: fingerprintOf(parsed.getPublicSSH()) };
}

/** The OpenSSH fingerprint of a public key blob (the SSH wire encoding). */
export function fingerprintOf(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}
