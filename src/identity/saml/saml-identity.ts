// From a verified SAML profile to who the user is in Vigil: the subject (the configured attribute,
// else the NameID), groups (the configured attribute, one value or many) and admin API roles, mapped
// exactly as an OIDC sign-in maps its claims.
import type { Profile } from '@node-saml/node-saml';
import { VigilError } from '../../core/errors.js';
import {
  type ClaimMapping,
  groupsFrom,
  roleGroupsFor,
  rolesFor,
  type SignedInIdentity,
} from '../oidc-claims.js';

export interface AttributeMapping {
  readonly subjectAttribute: string | null;
  readonly groupsAttribute: string;
  readonly roles: ClaimMapping['roles'];
}

const MAX_NAME_LENGTH = 256;

export function identityFromProfile(profile: Profile, mapping: AttributeMapping): SignedInIdentity {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const named = mapping.subjectAttribute === null ? profile.nameID : attributes[mapping.subjectAttribute];
  const subject = Array.isArray(named) ? named[0] : named;
  if (typeof subject !== 'string' || subject === '' || subject.length > MAX_NAME_LENGTH)
    throw new VigilError(
      'saml_invalid',
      `the assertion names no subject (${mapping.subjectAttribute === null ? 'NameID' : `attribute ${mapping.subjectAttribute}`})`,
    );
  const groups = groupsFrom(attributes[mapping.groupsAttribute]);
  return {
    subject,
    groups,
    roles: rolesFor(subject, groups, mapping.roles),
    roleGroups: roleGroupsFor(subject, groups, mapping.roles),
  };
}
