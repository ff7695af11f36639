// An id_token signs in once. It is a bearer credential the provider lets live for up to an hour,
// and it leaks where a URL, a log line or a shell history does (`vigil login` holds it in memory
// only, but a provider's logs, a proxy, a browser's history in the implicit flows do not): without
// this mark, whoever found one could trade it at /auth/exchange for a fresh Vigil token as often as
// they liked until it expired. Its use is marked in the store every replica shares
// (AccessStore.rememberAssertion, atomic), so two exchanges racing on two replicas sign in once.
import { createHash } from 'node:crypto';
import type { VerifiedIdToken } from './oidc-client.js';

/** What the mark is kept under, and until when (ms): past that the id_token is refused as expired anyway. */
export interface IdTokenUse {
  readonly key: string;
  readonly untilMs: number;
}

/** oidc-client.ts verifies `exp` with 5 s of tolerance; a minute more covers replicas' clocks drifting apart. */
const KEEP_PAST_EXP_MS = 65_000;

/**
 * By issuer and `jti` when the provider sets one (Keycloak, Okta, Entra ID), else by the signed
 * part (header and payload) of the token: never by the whole token, whose signature an attacker can
 * re-encode (an ECDSA signature (r, s) also verifies as (r, n - s)) into another string that
 * verifies as well.
 */
export function idTokenUse(verified: VerifiedIdToken): IdTokenUse {
  const { iss, jti, exp } = verified.claims;
  const hash = createHash('sha256')
    .update('vigil id_token use\u0000')
    .update(String(iss ?? ''));
  if (typeof jti === 'string' && jti !== '') hash.update('\u0000jti\u0000').update(jti);
  else hash.update('\u0000signed\u0000').update(signedPart(verified.idToken));
  // A verified id_token has an exp (required); without one it would be kept a day, not forever.
  const expMs = typeof exp === 'number' ? exp * 1000 : Date.now() + 86_400_000;
  return { key: hash.digest('hex'), untilMs: expMs + KEEP_PAST_EXP_MS };
}

function signedPart(compact: string): string {
  const dot = compact.lastIndexOf('.');
  return dot === -1 ? compact : compact.slice(0, dot);
}
