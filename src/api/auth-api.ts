// Sign-in routes under /auth/: they are how a caller without a Vigil token gets one.
// Without `identity.oidc` in the configuration there is no sign-in, and these routes say so.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentitySectionConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { VigilTokens } from '../identity/vigil-tokens.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { sendApiError } from './http-json.js';

export interface AuthApiDeps {
  readonly identity: IdentitySectionConfig;
  /** This gateway's base URL as browsers reach it (for the redirect URI); known once it listens. */
  readonly publicUrl: () => string;
  readonly vigilTokens: VigilTokens;
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
}

export interface AuthApi {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  close(): Promise<void>;
}

export async function createAuthApi(deps: AuthApiDeps): Promise<AuthApi> {
  if (!deps.identity.oidc) {
    return {
      async handle(req, res) {
        req.resume();
        sendApiError(
          res,
          new VigilError('route_unknown', 'sign-in is not configured on this gateway (identity.oidc)'),
        );
      },
      async close() {},
    };
  }
  throw new VigilError('config_invalid', 'identity.oidc sign-in is not available in this build');
}
