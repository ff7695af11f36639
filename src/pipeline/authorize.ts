// Authorization of an identity for a connection: deny rules win over allow rules, and a
// connection nobody is allowed on is closed to everyone (deny by default).

import { VigilError } from '../core/errors.js';
import type { Identity } from '../core/events.js';
import type { AuthenticatedIdentity } from '../identity/authenticator.js';

export interface AccessRules {
  readonly name: string;
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Only an access grant (or break-glass) admits; the allow list says who may ask for one. */
  readonly requires_grant?: boolean;
}

/** The active grant of an identity on a connection, if any (an approved access request or break-glass). */
export interface ActiveGrant {
  readonly id: string;
  readonly breakGlass: boolean;
  readonly expiresAt: string;
}

/** Who a grant is looked up for: a subject of one kind (a user and a service account may share a name). */
export type GrantHolder = Pick<Identity, 'subject' | 'kind'>;

export interface GrantLookup {
  activeGrant(identity: GrantHolder, connection: string): ActiveGrant | null;
}

export const NO_GRANTS: GrantLookup = { activeGrant: () => null };

/** Whether a principal pattern (`*`, `user:NAME`, `group:NAME`, `service:NAME`) covers the identity. */
export function matchesPrincipal(pattern: string, identity: Identity): boolean {
  if (pattern === '*') return true;
  const colon = pattern.indexOf(':');
  const kind = pattern.slice(0, colon);
  const value = pattern.slice(colon + 1);
  switch (kind) {
    case 'user':
      return identity.kind === 'user' && identity.subject === value;
    case 'service':
      return identity.kind === 'service' && identity.subject === value;
    case 'group':
      return identity.groups.includes(value);
    default:
      return false;
  }
}

/**
 * Throws `forbidden_connection` unless the identity may use the connection: its credential must be
 * scoped to it (a service-account token names its connections), no deny rule may match, and then an
 * active grant or (unless the connection requires grants) an allow rule admits it. Returns the grant
 * that admitted it, so the session can be cut when the grant ends.
 */
export function authorizeConnection(
  authenticated: AuthenticatedIdentity,
  rules: AccessRules,
  grants: GrantLookup = NO_GRANTS,
): ActiveGrant | null {
  const { identity } = authenticated;
  if (authenticated.scope !== null && !authenticated.scope.includes(rules.name)) {
    throw new VigilError('forbidden_connection', `this token is not valid for connection ${rules.name}`, {
      details: { connection: rules.name },
    });
  }
  const denied = rules.deny.find((p) => matchesPrincipal(p, identity));
  if (denied) {
    throw new VigilError(
      'forbidden_connection',
      `${identity.subject} is denied on connection ${rules.name}`,
      {
        details: { connection: rules.name, rule: `deny ${denied}` },
      },
    );
  }
  const grant = grants.activeGrant(identity, rules.name);
  if (grant) return grant;
  if (rules.requires_grant) {
    throw new VigilError(
      'forbidden_connection',
      `connection ${rules.name} needs an access grant: vigil request-access ${rules.name} --reason ...`,
      { details: { connection: rules.name, requires_grant: true } },
    );
  }
  if (!rules.allow.some((p) => matchesPrincipal(p, identity))) {
    throw new VigilError(
      'forbidden_connection',
      `${identity.subject} is not allowed on connection ${rules.name}`,
      {
        details: { connection: rules.name },
      },
    );
  }
  return null;
}
