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
    knownSecrets: knownSecretRefs(config).map(({ ref, label }) => ({ value: resolve(ref), label })),
  };
}
