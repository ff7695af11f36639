// Every sign-in is recorded before its token is handed out (access.granted, under the signed-in
// identity) and every refused one as access.denied (anonymous, with the refusal's code), in the
// `auth` session of whoever it was, whichever provider (OIDC or SAML) it came through.
import type { VigilError } from '../core/errors.js';
import { VigilError as Refusal } from '../core/errors.js';
import { ANONYMOUS, type Identity, type JsonObject } from '../core/events.js';
import type { SignInResult } from '../identity/oidc-sign-in.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { LiveSession, SessionManager } from '../pipeline/sessions.js';

export interface SignInLedgerDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  /** Offboarded identities get no new token (their old ones are refused on use regardless). */
  readonly isDisabled?: (subject: string) => boolean;
  /**
   * Whether a credential issued at `issuedAtMs` predates the person's last SCIM deactivation: such
   * an id_token or assertion signs nobody in, though SCIM re-activated the account since.
   */
  readonly credentialPredatesDeactivation?: (subject: string, issuedAtMs: number) => boolean;
}

/** Records the sign-in (after refusing a disabled identity); throws record_failed if it cannot be. */
export async function recordSignIn(
  deps: SignInLedgerDeps,
  result: SignInResult,
  facts: JsonObject,
): Promise<void> {
  if (deps.isDisabled?.(result.subject))
    throw new Refusal('auth_revoked', `identity ${result.subject} has been disabled`);
  if (deps.credentialPredatesDeactivation?.(result.subject, result.credentialIssuedAt ?? 0))
    throw new Refusal(
      'auth_revoked',
      'this sign-in presents a credential issued before the identity was deactivated: sign in again',
    );
  const session = await authSession(deps, {
    subject: result.subject,
    kind: 'user',
    groups: result.groups,
    tokenId: result.tokenId,
  });
  await deps.pipeline.observe(session, 'access.granted', {
    ...facts,
    token_id: result.tokenId,
    expires_at: new Date(result.expiresAt).toISOString(),
    roles: [...result.roles],
  });
}

/** Records a refused sign-in; a recording failure is logged by the pipeline and the refusal stands. */
export async function recordRefusal(
  deps: SignInLedgerDeps,
  error: VigilError,
  facts: JsonObject,
): Promise<void> {
  try {
    const session = await authSession(deps, ANONYMOUS);
    await deps.pipeline.recordDenial(session, error, facts);
  } catch {
    // The pipeline logs recording failures; the refusal stands either way.
  }
}

/**
 * The `auth` session of an identity: its sign-ins, refusals and sign-outs, one session per identity
 * (kind and subject: a user whose subject is `anonymous` is not the anonymous refusals' session).
 */
export function authSession(deps: SignInLedgerDeps, identity: Identity): Promise<LiveSession> {
  return deps.sessions.open({
    connection: 'auth',
    protocol: 'auth',
    identity,
    key: `auth\u0000${identity.kind}\u0000${identity.subject}`,
  });
}
