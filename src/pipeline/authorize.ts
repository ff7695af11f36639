// Authorization of an identity for a connection: deny rules win over allow rules, and a
// connection nobody is allowed on is closed to everyone (deny by default).

import { VigilError } from '../core/errors.js';
import type { Identity } from '../core/events.js';
import type { AuthenticatedIdentity } from '../identity/authenticator.js';

export interface AccessRules {
  readonly name: string;
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

function matches(pattern: string, identity: Identity): boolean {
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
 * Throws `forbidden_connection` unless the identity is allowed on the connection and its credential
 * is scoped to it (a service-account token names its connections).
 */
export function authorizeConnection(authenticated: AuthenticatedIdentity, rules: AccessRules): void {
  const { identity } = authenticated;
  if (authenticated.scope !== null && !authenticated.scope.includes(rules.name)) {
    throw new VigilError('forbidden_connection', `this token is not valid for connection ${rules.name}`, {
      details: { connection: rules.name },
    });
  }
  const denied = rules.deny.find((p) => matches(p, identity));
  if (denied) {
    throw new VigilError(
      'forbidden_connection',
      `${identity.subject} is denied on connection ${rules.name}`,
      {
        details: { connection: rules.name, rule: `deny ${denied}` },
      },
    );
  }
  if (!rules.allow.some((p) => matches(p, identity))) {
    throw new VigilError(
      'forbidden_connection',
      `${identity.subject} is not allowed on connection ${rules.name}`,
      {
        details: { connection: rules.name },
      },
    );
  }
}
