// A real OpenID provider for tests (the oidc-provider package) on 127.0.0.1:0, with two public
// clients (`vigil` and `other-app`), the authorization-code and device grants, e-mail and groups
// claims, and interactions that complete on their own: whoever `signInAs` names logs in and
// consents. A small cookie-keeping browser drives the redirects and the device user-code form.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';

export interface TestAccount {
  readonly email: string;
  readonly groups: readonly string[];
  /** Whether the provider vouches for the address (`email_verified`); true unless set. */
  readonly emailVerified?: boolean;
}

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface TestProvider {
  readonly issuer: string;
  /** Accounts by id (the provider's `sub`). */
  readonly accounts: Map<string, TestAccount>;
  /** The account id the next interaction logs in as. */
  signInAs: string;
  close(): Promise<void>;
}

// oidc-provider ships no type declarations: the few members used here, typed locally.
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
interface InteractionDetails {
  readonly prompt: {
    name: string;
    details: {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
  };
  readonly params: Record<string, unknown>;
  readonly session?: { accountId: string };
  readonly grantId?: string;
}
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: object): Promise<void>;
  Grant: { new (init: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant> };
}
type ProviderConstructor = new (issuer: string, configuration: object) => OidcProvider;

const CLIENT_DEFAULTS = {
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', DEVICE_GRANT],
  response_types: ['code'],
  // Native clients may use any port on a loopback redirect (RFC 8252 §7.3).
  redirect_uris: ['http://127.0.0.1/auth/callback', 'http://127.0.0.1/callback'],
};

export async function startTestProvider(accounts: Record<string, TestAccount>): Promise<TestProvider> {
  const moduleName = 'oidc-provider';
  const { default: Provider, errors } = (await import(moduleName)) as {
    default: ProviderConstructor;
    errors: { InvalidTarget: new () => Error };
  };
  const { InvalidTarget } = errors;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key' };

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const known = new Map(Object.entries(accounts));
  const state: TestProvider = {
    issuer,
    accounts: known,
    signInAs: Object.keys(accounts)[0] ?? '',
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const provider = new Provider(issuer, {
    clients: [
      { ...CLIENT_DEFAULTS, client_id: 'vigil' },
      { ...CLIENT_DEFAULTS, client_id: 'other-app' },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['vigil-test-cookie-key'] },
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    // Put scope-requested claims (email, groups) in the id_token, which is what Vigil reads.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    // Access tokens for resources (RFC 8707), as JWTs (RFC 9068) carrying the e-mail, whether it is
    // verified, and groups (as Keycloak's do), as an MCP client gets them for a Vigil MCP connection.
    // Any loopback http URL is a resource here.
    extraTokenClaims: async (_ctx: unknown, token: { accountId?: string; kind?: string }) => {
      const account =
        token.kind === 'AccessToken' && token.accountId ? known.get(token.accountId) : undefined;
      return account
        ? { email: account.email, email_verified: account.emailVerified ?? true, groups: [...account.groups] }
        : undefined;
    },
    features: {
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string | string[]) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (!/^http:\/\/127\.0\.0\.1(:\d+)?\//.test(resource)) throw new InvalidTarget();
          return {
            scope: 'mcp',
            audience: resource,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx: { body: string }, form: string) => {
          ctx.body = `<!DOCTYPE html><body>${form}</body>`;
        },
        userCodeConfirmSource: async (ctx: { body: string }, form: string) => {
          ctx.body = `<!DOCTYPE html><body>${form}</body>`;
        },
        successSource: async (ctx: { body: string }) => {
          ctx.body = '<!DOCTYPE html><body>signed in</body>';
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, id: string) => {
      const account = known.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          name: id,
          groups: [...account.groups],
        }),
      };
    },
  });

  const providerCallback = provider.callback();
  handler = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      finishInteraction(provider, state, req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
      return;
    }
    providerCallback(req, res);
  };
  return state;
}

/** Logs in as `signInAs` and grants whatever the client asked for, without a page. */
async function finishInteraction(
  provider: OidcProvider,
  state: TestProvider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: state.signInAs } });
    return;
  }
  const accountId = details.session!.accountId;
  const clientId = String(details.params.client_id);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } });
}

/** A browser in miniature: keeps cookies by name and follows redirects by hand. */
export class TestBrowser {
  readonly #cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#cookies.size > 0)
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.#keep(line);
    return res;
  }

  /** Follows redirects until one points at `stopAt` (not fetched) or a page answers. */
  async follow(url: string, stopAt?: string): Promise<{ url: string; response: Response | null }> {
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      if (stopAt && current.startsWith(stopAt)) return { url: current, response: null };
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      await response.arrayBuffer();
      current = new URL(location, current).toString();
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Opens a device verification URL and confirms the code, as a person at a browser would. */
  async approveDevice(verificationUriComplete: string): Promise<string> {
    // GET /device?user_code=… answers a self-submitting form; submitting it asks for confirmation.
    const first = await this.request(verificationUriComplete);
    const action = new URL(verificationUriComplete);
    action.search = '';
    const submitted = await this.request(action.toString(), {
      method: 'POST',
      form: formFields(await first.text()),
    });
    const confirmed = await this.request(action.toString(), {
      method: 'POST',
      form: formFields(await submitted.text()),
    });
    const location = confirmed.headers.get('location');
    await confirmed.arrayBuffer();
    if (!location) throw new Error(`the device confirmation did not redirect (${confirmed.status})`);
    const done = await this.follow(new URL(location, action).toString());
    return done.response ? await done.response.text() : '';
  }

  #keep(line: string) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
    if (expired || value === '') this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}

/** The hidden inputs of the first form on a page (xsrf, user_code, confirm). */
function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
  return fields;
}

/**
 * An access token for `resource` by the authorization-code flow with PKCE, as a public client
 * (an MCP client) gets one: `signInAs` logs in and consents; the token is a JWT whose audience is
 * the resource.
 */
export async function accessTokenFor(
  provider: TestProvider,
  resource: string,
  clientId = 'vigil',
): Promise<{ accessToken: string; idToken: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirect = 'http://127.0.0.1/callback';
  const auth = new URL('/auth', provider.issuer);
  auth.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirect,
    scope: 'openid email groups mcp',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource,
    state: 'test',
  }).toString();
  const browser = new TestBrowser();
  const landed = await browser.follow(auth.toString(), redirect);
  const code = new URL(landed.url).searchParams.get('code');
  if (!code) throw new Error(`no authorization code: ${landed.url}`);
  const res = await browser.request(new URL('/token', provider.issuer).toString(), {
    method: 'POST',
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: clientId,
      code_verifier: verifier,
      resource,
    },
  });
  const body = (await res.json()) as {
    access_token?: string;
    id_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!body.access_token || !body.id_token)
    throw new Error(`no access token: ${body.error} ${body.error_description}`);
  return { accessToken: body.access_token, idToken: body.id_token };
}
