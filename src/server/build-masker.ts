// Builds the masker: the detector catalogue and custom rules from the configuration, every secret
// Vigil holds (injected credentials, configured literals, the OIDC client secret, the scrape token, tracing and SIEM headers, the SAML SP key) as a known secret,
// and a fingerprint key kept in the data directory so fingerprints correlate across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VigilConfig } from '../core/config.js';
import { createMaskerFromConfig, type Masker } from '../mask/index.js';
import { resolveSecret } from './load-config.js';

export interface KnownSecretInput {
  readonly value: string;
  readonly label: string;
}

/**
 * Every secret the configuration makes Vigil hold, as references: injected credentials (labelled by
 * connection), configured literals, the OIDC client secret. The gateway and `vigil rerun` (which
 * must mask a request exactly as the gateway did) both take them from here.
 */
export function knownSecretRefs(
  config: Pick<VigilConfig, 'masking' | 'connections' | 'identity' | 'metrics' | 'tracing' | 'siem'>,
): { ref: string; label: string }[] {
  return [
    ...config.connections.flatMap((c) => (c.credential ? [{ ref: c.credential, label: c.name }] : [])),
    ...config.masking.secrets.map((ref) => ({ ref, label: 'configured-secret' })),
    ...(config.identity.oidc?.client_secret
      ? [{ ref: config.identity.oidc.client_secret, label: 'oidc-client-secret' }]
      : []),
    ...(config.metrics.scrape_token
      ? [{ ref: config.metrics.scrape_token, label: 'metrics-scrape-token' }]
      : []),
  ];
}

export function buildMasker(
  config: Pick<VigilConfig, 'masking' | 'connections'>,
  dataDir: string,
  baseDir: string,
  knownSecrets: readonly KnownSecretInput[],
  onReplaced?: (ruleId: string) => void,
): Masker {
  const fingerprintKey = config.masking.fingerprint_key
    ? resolveSecret(config.masking.fingerprint_key, baseDir)
    : loadOrCreateFingerprintKey(dataDir);
  return createMaskerFromConfig({
    config,
    fingerprintKey,
    knownSecrets,
    ...(onReplaced ? { onReplaced } : {}),
  });
}

function loadOrCreateFingerprintKey(dataDir: string): Buffer {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'fingerprint.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file);
}
