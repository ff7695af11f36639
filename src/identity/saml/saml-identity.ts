// From a verified SAML profile to who the user is in Vigil: the subject (the configured attribute,
// else the NameID), groups (the configured attribute, one value or many) and admin API roles, mapped
// exactly as an OIDC sign-in maps its claims.
import type { Profile } from '@node-saml/node-saml';
import { VigilError } from '../../core/errors.js';
import {
  type ClaimMapping,
  groupsFrom,
  hasLoneSurrogate,
  isName,
  roleGroupsFor,
  rolesFor,
  type SignedInIdentity,
} from '../oidc-claims.js';

export interface AttributeMapping {
  readonly subjectAttribute: string | null;
  readonly groupsAttribute: string;
  readonly roles: ClaimMapping['roles'];
}

export function identityFromProfile(profile: Profile, mapping: AttributeMapping): SignedInIdentity {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const named = mapping.subjectAttribute === null ? profile.nameID : attributes[mapping.subjectAttribute];
  const subject = Array.isArray(named) ? named[0] : named;
  const source = mapping.subjectAttribute === null ? 'NameID' : `attribute ${mapping.subjectAttribute}`;
  // The same names as an OIDC sign-in takes (oidc-claims.ts): a lone surrogate, which XML's
  // character references cannot spell but a parser may still hand over, is refused here rather
  // than by the recorder (until 6 December an HTTP 503 `record_failed`).
  if (typeof subject === 'string' && hasLoneSurrogate(subject))
    throw new VigilError('saml_invalid', `the assertion's ${source} holds a lone UTF-16 surrogate`);
  if (!isName(subject)) throw new VigilError('saml_invalid', `the assertion names no subject (${source})`);
  const groups = groupsFrom(attributes[mapping.groupsAttribute]);
  return {
    subject,
    groups,
    roles: rolesFor(subject, groups, mapping.roles),
    roleGroups: roleGroupsFor(subject, groups, mapping.roles),
  };
}
