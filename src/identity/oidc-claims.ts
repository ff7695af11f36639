// From a verified id_token's claims to who the user is in Vigil: the subject (the configured claim,
// e-mail by default, never `sub` in its stead), their groups (the configured claim) and their admin API roles
// (identity.roles patterns; everyone signed in is at least a user).
import type { Role } from '../core/config.js';
import { VigilError } from '../core/errors.js';

export interface ClaimMapping {
  readonly subjectClaim: string;
  /** With the `email` claim as subject, the provider must have verified it (`email_verified`). */
  readonly requireVerifiedEmail: boolean;
  readonly groupsClaim: string;
  readonly roles: { readonly admin: readonly string[]; readonly auditor: readonly string[] };
}

export interface SignedInIdentity {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly Role[];
  /** For each role held only through groups, those groups (see `roleGroupsFor`). */
  readonly roleGroups: RoleGroups;
}

/**
 * The groups a role was granted through, for each role no `user:` or `*` pattern granted: the role
 * lasts only while one of them is held. SCIM may take a group away after sign-in (it is
 * authoritative for the groups it manages), and the role it gave must go with it.
 */
export type RoleGroups = Readonly<Partial<Record<Role, readonly string[]>>>;

/** A group name or a subject longer than this is refused rather than carried into every event. */
const MAX_NAME_LENGTH = 256;
const MAX_GROUPS = 256;

export function identityFromClaims(claims: Record<string, unknown>, mapping: ClaimMapping): SignedInIdentity {
  const subject = subjectFrom(claims, mapping);
  const groups = groupsFrom(readClaim(claims, mapping.groupsClaim));
  return {
    subject,
    groups,
    roles: rolesFor(subject, groups, mapping.roles),
    roleGroups: roleGroupsFor(subject, groups, mapping.roles),
  };
}

function subjectFrom(claims: Record<string, unknown>, mapping: ClaimMapping): string {
  const claimName = mapping.subjectClaim;
  const configured = readClaim(claims, claimName);
  // Refused, not passed over for `sub`: the provider says this is who they are.
  refuseLoneSurrogate(configured, claimName);
  if (isName(configured) && claimName === 'email' && mapping.requireVerifiedEmail && !emailVerified(claims)) {
    // Rules, roles and approvers name people by address (`user:cto@example.com`): a provider that
    // lets a user set an address it never checked would let them sign in as someone else.
    throw new VigilError(
      'auth_invalid',
      'the provider has not verified this e-mail address (email_verified is not true); ' +
        'verify addresses at the provider, or name users by a claim it controls (identity.oidc.subject_claim)',
    );
  }
  // A token without the configured claim names nobody, rather than the person its `sub` names:
  // whoever runs a flow with Vigil's public client chooses the scopes, so leaving out `email` would
  // make them their `sub`, a name in another namespace that no disable, SCIM deactivation or rule names.
  if (!isName(configured) && claimName !== 'sub')
    throw new VigilError(
      'auth_invalid',
      `the token carries no ${claimName} claim, which names users on this gateway ` +
        '(identity.oidc.subject_claim); sign in asking for the scope that brings it (identity.oidc.scopes)',
    );
  const subject = isName(configured) ? configured : claims.sub;
  refuseLoneSurrogate(subject, 'sub');
  if (!isName(subject))
    throw new VigilError('auth_invalid', `the id_token names no subject (neither ${claimName} nor sub)`);
  return subject;
}

/** `email_verified: true`; Amazon Cognito and a few others send the string "true". */
function emailVerified(claims: Record<string, unknown>): boolean {
  return claims.email_verified === true || claims.email_verified === 'true';
}

/**
 * Reads a claim by name; a dotted name that is not itself a claim walks nested objects, as
 * Keycloak's `realm_access.roles` needs.
 */
export function readClaim(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Groups arrive as an array of names (or, from some providers, one name); anything else, a name with
 * a lone surrogate included, is ignored, as it always was for a value that is not a name.
 */
export function groupsFrom(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const groups = [...new Set(list.filter(isName))];
  if (groups.length > MAX_GROUPS)
    throw new VigilError('auth_invalid', `the id_token carries more than ${MAX_GROUPS} groups`);
  return groups;
}

export function rolesFor(
  subject: string,
  groups: readonly string[],
  patterns: ClaimMapping['roles'],
): Role[] {
  const matches = (pattern: string) =>
    pattern === '*' ||
    pattern === `user:${subject}` ||
    (pattern.startsWith('group:') && groups.includes(pattern.slice('group:'.length)));
  const roles: Role[] = [];
  if (patterns.admin.some(matches)) roles.push('admin');
  if (patterns.auditor.some(matches)) roles.push('auditor');
  roles.push('user');
  return roles;
}

/** Which groups gave each role `rolesFor` grants only through groups (`user` needs none). */
export function roleGroupsFor(
  subject: string,
  groups: readonly string[],
  patterns: ClaimMapping['roles'],
): RoleGroups {
  const through: Partial<Record<Role, string[]>> = {};
  for (const role of ['admin', 'auditor'] as const) {
    const list = patterns[role];
    if (list.some((p) => p === '*' || p === `user:${subject}`)) continue;
    const via = list
      .filter((p) => p.startsWith('group:') && groups.includes(p.slice('group:'.length)))
      .map((p) => p.slice('group:'.length));
    if (via.length > 0) through[role] = [...new Set(via)];
  }
  return through;
}

/** The roles still held with `groups` as they are now: a role given only by groups needs one of them. */
export function rolesStillHeld(
  roles: readonly string[],
  roleGroups: RoleGroups,
  groups: readonly string[],
): string[] {
  return roles.filter((role) => {
    const via = (roleGroups as Readonly<Record<string, readonly string[] | undefined>>)[role];
    return via === undefined || via.some((g) => groups.includes(g));
  });
}

/**
 * A subject or group name: a string of 1 to 256 UTF-16 units that UTF-8 can encode. A lone
 * surrogate cannot be: a store writes it as other text, so events naming it would read as altered
 * to every verification after, and the recorder refuses them (`record_failed`). The name is
 * refused here, where it arrives, as the invalid name it is (SAML and SCIM use the same test).
 */
export function isName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_NAME_LENGTH &&
    !hasLoneSurrogate(value)
  );
}

/** Any UTF-16 surrogate: a cheap first look, since names nearly never hold one. */
const SURROGATE = /[\ud800-\udfff]/;
/** A surrogate outside a pair (with the `u` flag a pair is one code point, never Cs). */
const LONE_SURROGATE = /\p{Cs}/u;

export function hasLoneSurrogate(text: string): boolean {
  return SURROGATE.test(text) && LONE_SURROGATE.test(text);
}

/**
 * Until 6 December such a subject got as far as the recorder, and the sign-in failed with HTTP 503
 * `record_failed`, as though the gateway were at fault.
 */
function refuseLoneSurrogate(value: unknown, claim: string): void {
  if (typeof value === 'string' && hasLoneSurrogate(value))
    throw new VigilError(
      'auth_invalid',
      `the id_token's ${claim} claim holds a lone UTF-16 surrogate, which no Vigil name may hold`,
    );
}
