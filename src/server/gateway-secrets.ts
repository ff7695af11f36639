// Every secret the configuration makes the gateway hold, resolved once at start: the ones its parts
// use (injected credentials, the OIDC client secret, the SAML key, the scrape token, tracing
// headers) and, from the same references, the list the masker must know before anything is logged.
import type { VigilConfig } from '../core/config.js';
import { checkedScrapeToken } from '../metrics/scrape-access.js';
import { type KnownSecretInput, knownSecretRefs } from './build-masker.js';
import { resolveSecret } from './load-config.js';

export interface GatewaySecrets {
  /** Each connection's injected credential, or null for none. */
  readonly credentials: Map<string, string | null>;
  readonly oidcClientSecret: string | null;
  readonly samlPrivateKey: string | null;
  readonly scrapeToken: string | null;
  readonly tracingHeaders: Record<string, string>;
  readonly knownSecrets: readonly KnownSecretInput[];
}

export function resolveGatewaySecrets(config: VigilConfig, baseDir: string): GatewaySecrets {
  const resolve = (ref: string) => resolveSecret(ref, baseDir);
  const credentials = new Map<string, string | null>();
  for (const c of config.connections) credentials.set(c.name, c.credential ? resolve(c.credential) : null);
  return {
    credentials,
    oidcClientSecret: config.identity.oidc?.client_secret
      ? resolve(config.identity.oidc.client_secret)
      : null,
    samlPrivateKey: config.identity.saml?.sp_private_key
      ? resolve(config.identity.saml.sp_private_key)
      : null,
    scrapeToken:
      config.metrics.enabled && config.metrics.scrape_token
        ? checkedScrapeToken(resolve(config.metrics.scrape_token))
        : null,
    tracingHeaders: Object.fromEntries(
      Object.entries(config.tracing?.headers ?? {}).map(([name, ref]) => [name, resolve(ref)]),
    ),
    knownSecrets: [
      ...knownSecretRefs(config).map(({ ref, label }) => ({ value: resolve(ref), label })),
      ...storeSecrets(config, resolve),
      ...upstreamPasswords(config),
      ...objectStoreSecrets(config, resolve),
    ],
  };
}

/**
 * The store's URL and the password in it, when the store is a database reached by URL: should
 * either ever appear in recorded traffic or a log line, it is masked like any credential.
 */
function storeSecrets(config: VigilConfig, resolve: (ref: string) => string): KnownSecretInput[] {
  if (!('url' in config.store)) return [];
  const url = resolve(config.store.url);
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // The store refuses a URL it cannot read, without quoting it; the whole value is still known.
  }
  return [
    { value: url, label: 'store-url' },
    ...(password ? [{ value: password, label: 'store-password' }] : []),
  ];
}

/**
 * The password written in a connection's upstream URL (`postgres://app:…@db/app`), which a
 * database connection uses when it has no `credential`: Vigil injects it as it injects a
 * credential, so it is masked as one wherever it appears. It was not registered: a password of
 * words, quoted back by the database or typed by the user, was recorded in clear.
 */
function upstreamPasswords(config: VigilConfig): KnownSecretInput[] {
  return config.connections.flatMap((c) => {
    if (!c.upstream.includes('@')) return [];
    let password = '';
    try {
      password = decodeURIComponent(new URL(c.upstream).password);
    } catch {
      // Not a URL with a password (host:port, stdio): nothing to register.
    }
    return password ? [{ value: password, label: `${c.name}-upstream-password` }] : [];
  });
}

/** The object store's credentials: masked wherever they might appear, like the store's password. */
function objectStoreSecrets(config: VigilConfig, resolve: (ref: string) => string): KnownSecretInput[] {
  const objects = config.payloads?.objects;
  if (objects?.type !== 's3' || !objects.access_key_id || !objects.secret_access_key) return [];
  return [
    { value: resolve(objects.access_key_id), label: 'object-store-access-key-id' },
    { value: resolve(objects.secret_access_key), label: 'object-store-secret-access-key' },
  ];
}
