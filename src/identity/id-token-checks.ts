// What makes a verified JWT an id_token for this gateway, beyond its signature, issuer, audience
// and times (oidc-client.ts checks those with jose): a provider signs its access tokens with the
// same keys and issuer, and some put a client's id in their audience (Keycloak lists every client
// whose roles the token carries; Entra ID names the API's own client id). Such an access token,
// held by any other application the person signed in to, must not be traded for a Vigil token as
// that person. So: an `azp` names this client whenever it is present (OpenID Connect Core 3.1.3.7
// step 5), not only beside several audiences; a `client_id` claim (RFC 9068 access tokens) names
// this client too; and a token typed as an access token (`typ: at+jwt` in the header, RFC 9068
// §2.1; Keycloak's `typ` claim other than `ID`) is refused outright.
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import { VigilError } from '../core/errors.js';

const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

export function assertIdTokenFor(header: JWTHeaderParameters, payload: JWTPayload, clientId: string): void {
  if (typeof header.typ === 'string' && ACCESS_TOKEN_TYPES.has(header.typ.toLowerCase()))
    throw new VigilError('auth_invalid', 'the token is an access token (typ at+jwt), not an id_token');
  if (payload.typ !== undefined && payload.typ !== 'ID')
    throw new VigilError(
      'auth_invalid',
      `the token is typed ${JSON.stringify(payload.typ)}, not as an id_token`,
    );
  // Several audiences: the azp must be there and name this client (Core 3.1.3.7 step 4).
  const severalAudiences = Array.isArray(payload.aud) && payload.aud.length > 1;
  if ((payload.azp !== undefined || severalAudiences) && payload.azp !== clientId)
    throw new VigilError('auth_invalid', `the id_token was not issued to ${clientId} (azp)`);
  if (payload.client_id !== undefined && payload.client_id !== clientId)
    throw new VigilError(
      'auth_invalid',
      `the token was issued to another client, not ${clientId} (client_id)`,
    );
}
