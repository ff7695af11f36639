// SAML sign-in routes, under /auth/saml/ (before authentication, like the OIDC ones):
//   GET  /auth/saml/metadata  this service provider's metadata, for the identity provider
//   GET  /auth/saml/login     → the provider with an AuthnRequest (HTTP-Redirect); with
//                             ?redirect_uri=<loopback>&code_challenge=<S256> for `vigil login --saml`
//   POST /auth/saml/acs       ← the provider's Response (HTTP-POST); answers the Vigil token (JSON or
//                             a page), or sends a CLI sign-in back to its loopback listener with a code
//   POST /auth/saml/token     {code, code_verifier} from the CLI → the Vigil token
//   GET  /auth/config         (only when OIDC is not configured) tells the CLI to use SAML
// Every sign-in is recorded as access.granted before the token leaves, every refusal as
// access.denied with its code (saml_signature_invalid, saml_replayed, ...).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentitySectionConfig } from '../core/config.js';
import { toVigilError, VigilError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { sendJson, sendJsonError } from '../http/json-response.js';
import { readRequestBody } from '../http/read-body.js';
import { CliHandoff } from '../identity/saml/cli-handoff.js';
import { readMaybeFile } from '../identity/saml/idp-metadata.js';
import { SamlSignIn } from '../identity/saml/saml-sign-in.js';
import { type UsedAssertionStore, UsedAssertions } from '../identity/saml/used-assertions.js';
import type { SignInStates } from '../identity/sign-in-states.js';
import type { VigilTokens } from '../identity/vigil-tokens.js';
import { isSecureUrl } from './console-session.js';
import { recordRefusal, recordSignIn, type SignInLedgerDeps } from './sign-in-ledger.js';
import { sendSignIn } from './sign-in-response.js';
import { newSamlBrowser, samlBrowserSecret } from './sign-in-saml-browser.js';

/** What only the server knows: where files are, and the resolved SP key. */
export interface SamlServerContext {
  readonly baseDir: string;
  /** Where used assertions are remembered: the store every replica shares. */
  readonly usedAssertions: UsedAssertionStore;
  readonly spPrivateKey: string | null;
}

export interface SamlRoutesDeps extends SignInLedgerDeps {
  readonly identity: IdentitySectionConfig;
  readonly publicUrl: () => string;
  readonly vigilTokens: VigilTokens;
  /** Sealed, one-time sign-in state, so any replica can answer any step. */
  readonly signInStates: SignInStates;
  readonly saml: SamlServerContext;
}

export interface SamlRoutes {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/** A Response is base64 of at most 256 KiB of XML, plus the RelayState. */
const MAX_ACS_BODY = 384 * 1024;
const MAX_TOKEN_BODY = 16 * 1024;

export function createSamlRoutes(deps: SamlRoutesDeps): SamlRoutes {
  const settings = deps.identity.saml!;
  if (settings.sign_requests && !deps.saml.spPrivateKey)
    throw new VigilError('config_invalid', 'identity.saml.sp_private_key is set but was not resolved');
  const signIn = new SamlSignIn({
    saml: settings,
    baseDir: deps.saml.baseDir,
    spPrivateKey: deps.saml.spPrivateKey,
    spCertificate: settings.sp_certificate ? readMaybeFile(settings.sp_certificate, deps.saml.baseDir) : null,
    publicUrl: deps.publicUrl,
    usedAssertions: new UsedAssertions(deps.saml.usedAssertions),
    states: deps.signInStates,
    roles: deps.identity.roles,
    vigilTokens: deps.vigilTokens,
    tokenTtlMs: deps.identity.token_ttl,
  });
  const handoff = new CliHandoff(deps.signInStates);
  // No warm-up: the ACS URL goes into every request and check, and the URL browsers reach us at is
  // known only once the server listens, so the metadata is loaded on the first request.

  return {
    async handle(req, res, url) {
      const method = req.method ?? 'GET';
      const route = `${method} ${url.pathname}`;
      let recordAs: string | null = null;
      try {
        switch (route) {
          case 'GET /auth/config':
            req.resume();
            return sendJson(res, 200, {
              saml: { login: '/auth/saml/login', metadata: '/auth/saml/metadata' },
            });
          case 'GET /auth/saml/metadata': {
            req.resume();
            const xml = await signIn.metadata();
            res.writeHead(200, { 'content-type': 'application/samlmetadata+xml; charset=utf-8' });
            res.end(xml);
            return;
          }
          case 'GET /auth/saml/login': {
            req.resume();
            const redirectUri = url.searchParams.get('redirect_uri');
            const relayState =
              redirectUri === null
                ? ''
                : handoff.start(redirectUri, url.searchParams.get('code_challenge') ?? '');
            // Only this browser can bring the answer back (sign-in-saml-browser.ts: login CSRF).
            const browser = newSamlBrowser(isSecureUrl(deps.publicUrl()));
            const location = await signIn.begin(relayState, browser.secret);
            res.writeHead(302, { location, 'cache-control': 'no-store', 'set-cookie': browser.cookie });
            res.end();
            return;
          }
          case 'POST /auth/saml/acs': {
            recordAs = 'acs';
            const form = new URLSearchParams((await readRequestBody(req, MAX_ACS_BODY)).toString('utf8'));
            const samlResponse = form.get('SAMLResponse');
            if (!samlResponse) throw new VigilError('saml_invalid', 'the POST carries no SAMLResponse');
            const result = await signIn.complete(
              samlResponse,
              samlBrowserSecret(req.headers, isSecureUrl(deps.publicUrl())),
            );
            // Only a Response answering this browser's own request goes back to a CLI. An
            // unsolicited one is bound to no browser: posted with a RelayState sealed for someone's
            // `vigil login --saml` (whoever saw its URL can ask for one), it would hand that CLI the
            // poster's sign-in (login CSRF at the terminal), so it is answered here, like any other.
            const cli = result.flow === 'sp_initiated' ? await handoff.take(form.get('RelayState')) : null;
            await recordSignIn(deps, result, {
              via: 'saml',
              flow: result.flow,
              binding: 'HTTP-POST',
              cli: cli !== null,
            });
            if (cli === null) return sendSignIn(req, res, result);
            res.writeHead(303, { location: handoff.handBack(cli, result), 'cache-control': 'no-store' });
            res.end();
            return;
          }
          case 'POST /auth/saml/token': {
            recordAs = 'token';
            const body = await readTokenBody(req);
            return sendSignIn(req, res, await handoff.redeem(body.code, body.verifier));
          }
          default:
            req.resume();
            throw new VigilError('route_unknown', `no sign-in route for ${route}`);
        }
      } catch (err) {
        const error = toVigilError(err);
        sendJsonError(res, error);
        if (recordAs !== null && error.code !== 'record_failed')
          await recordRefusal(deps, error, {
            via: 'saml',
            flow: recordAs,
            method,
            path: url.pathname,
          } as JsonObject);
      }
    },
  };
}

async function readTokenBody(req: IncomingMessage): Promise<{ code: string; verifier: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readRequestBody(req, MAX_TOKEN_BODY)).toString('utf8'));
  } catch {
    throw new VigilError('body_invalid_json', 'the request body is not valid JSON');
  }
  const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof body.code !== 'string' || typeof body.code_verifier !== 'string')
    throw new VigilError('usage', 'POST /auth/saml/token needs {"code": "...", "code_verifier": "..."}');
  return { code: body.code, verifier: body.code_verifier };
}
