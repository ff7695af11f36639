// Builds the masker: the detector catalogue and custom rules from the configuration, every secret
// Vigil holds (injected credentials, configured literals, the OIDC client secret, the SAML SP key,
// the scrape token, tracing and SIEM headers, webhook secrets, MCP servers' env) as a known
// secret, and a fingerprint key kept in the data directory so fingerprints correlate across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VigilConfig } from '../core/config.js';
import { createMaskerFromConfig, type Masker, type SqlReading } from '../mask/index.js';
import { resolveSecret } from './load-config.js';

export interface KnownSecretInput {
  readonly value: string;
  readonly label: string;
}

/**
 * Every secret the configuration makes Vigil hold, as references: injected credentials (labelled by
 * connection), configured literals, and every other secret reference of the file but the store's
 * and the object store's (gateway-secrets.ts adds those, with the parts of the store's URL) and TLS
 * files (a certificate is public; a PEM key is found by its rule). The gateway and `vigil rerun`
 * (which must mask a request exactly as the gateway did) both take them from here.
 */
export function knownSecretRefs(
  config: Pick<
    VigilConfig,
    'masking' | 'connections' | 'identity' | 'ledger' | 'metrics' | 'tracing' | 'siem' | 'approvals'
  >,
): { ref: string; label: string }[] {
  return [
    ...config.connections.flatMap((c) => (c.credential ? [{ ref: c.credential, label: c.name }] : [])),
    ...config.masking.secrets.map((ref) => ({ ref, label: 'configured-secret' })),
    ...(config.identity.oidc?.client_secret
      ? [{ ref: config.identity.oidc.client_secret, label: 'oidc-client-secret' }]
      : []),
    ...(config.identity.saml?.sp_private_key
      ? [{ ref: config.identity.saml.sp_private_key, label: 'saml-sp-key' }]
      : []),
    ...(config.ledger.signing_key ? [{ ref: config.ledger.signing_key, label: 'ledger-signing-key' }] : []),
    ...(config.masking.fingerprint_key
      ? [{ ref: config.masking.fingerprint_key, label: 'fingerprint-key' }]
      : []),
    ...(config.metrics.scrape_token
      ? [{ ref: config.metrics.scrape_token, label: 'metrics-scrape-token' }]
      : []),
    // Every other reference the configuration holds is a secret the gateway sends somewhere: an
    // API key to the trace backend, a SIEM collector's token (a Splunk HEC token is shaped like a
    // UUID, which no rule takes for a secret), a webhook's signing secret, an MCP server's env.
    ...Object.values(config.tracing?.headers ?? {}).map((ref) => ({ ref, label: 'tracing-header' })),
    ...config.siem.sinks.flatMap((sink) =>
      'headers' in sink
        ? Object.values(sink.headers).map((ref) => ({ ref, label: `siem-${sink.name}` }))
        : [],
    ),
    ...config.approvals.webhooks.flatMap((w) =>
      w.secret ? [{ ref: w.secret, label: 'webhook-secret' }] : [],
    ),
    ...config.connections.flatMap((c) =>
      'env' in c && c.env ? Object.values(c.env).map((ref) => ({ ref, label: `${c.name}-env` })) : [],
    ),
  ];
}

export function buildMasker(
  config: Pick<VigilConfig, 'masking' | 'connections'>,
  dataDir: string,
  baseDir: string,
  knownSecrets: readonly KnownSecretInput[],
  onReplaced?: (ruleId: string) => void,
  /** The protocol modules: each says how its server reads SQL strings (ProtocolModule.sqlReading). */
  protocols?: { moduleFor(connectionType: string): { readonly sqlReading?: SqlReading } | undefined },
): Masker {
  const fingerprintKey = config.masking.fingerprint_key
    ? resolveSecret(config.masking.fingerprint_key, baseDir)
    : loadOrCreateFingerprintKey(dataDir);
  return createMaskerFromConfig({
    config,
    fingerprintKey,
    knownSecrets,
    ...(onReplaced ? { onReplaced } : {}),
    ...(protocols ? { sqlReadingOf: (type: string) => protocols.moduleFor(type)?.sqlReading } : {}),
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
