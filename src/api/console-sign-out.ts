// Signing out of the console revokes the token its cookie held when the console's own sign-in
// issued it (claim `console`): that token was never shown to anyone, so nothing else relies on it,
// and a copy of the cookie (a shared machine, a browser profile copied off it) is dead once the
// browser signs out rather than until it expires. A token the user pasted is theirs (their CLI may
// hold it): signing out only takes it out of the browser.
import type { VigilTokenClaims, VigilTokens } from '../identity/vigil-tokens.js';
import { authSession, type SignInLedgerDeps } from './sign-in-ledger.js';

export interface ConsoleSignOutDeps extends SignInLedgerDeps {
  readonly tokens: Pick<VigilTokens, 'verify'>;
  /** The store's revocation (`access.revokeToken`). */
  readonly revoke: (tokenId: string, at: string) => Promise<unknown>;
  /** Makes the revocation hold on this replica now, not at the next poll. */
  readonly applyNow: () => Promise<void>;
}

/** Revokes `token` if the console issued it; true when it did. Throws if the revocation fails. */
export async function revokeConsoleToken(deps: ConsoleSignOutDeps, token: string): Promise<boolean> {
  let claims: VigilTokenClaims;
  try {
    claims = await deps.tokens.verify(token);
  } catch {
    // Expired, or not a token this gateway issued: nothing left to revoke.
    return false;
  }
  if (!claims.console) return false;
  await deps.revoke(claims.tokenId, new Date().toISOString());
  await deps.applyNow();
  await recordSignOut(deps, claims);
  return true;
}

/** Recorded after the revocation: a record that fails does not keep a signed-out token alive. */
async function recordSignOut(deps: SignInLedgerDeps, claims: VigilTokenClaims): Promise<void> {
  try {
    const session = await authSession(deps, {
      subject: claims.subject,
      kind: 'user',
      groups: claims.groups,
      tokenId: claims.tokenId,
    });
    await deps.pipeline.observe(session, 'access.revoked', {
      token_id: claims.tokenId,
      reason: 'signed out of the console',
    });
  } catch {
    // The pipeline logs recording failures; the token is revoked either way.
  }
}
