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

/**
 * The NameID formats that name a person by the identifier the provider is configured to send (the
 * address or user principal name the docs ask for). Anything else is refused as a subject: the
 * format is what the AuthnRequest's NameIDPolicy asks for, and an unsigned request is the
 * browser's to edit, so a person disabled by address could otherwise ask for a `transient` (a new
 * random name at every sign-in) or `persistent` (an opaque pairwise one) NameID and come back
 * under a name no disable, SCIM deactivation or `user:` rule names. Microsoft Entra ID honours
 * the requested format. A provider that names people otherwise is mapped by `subject_attribute`.
 */
const SUBJECT_NAME_ID_FORMATS: ReadonlySet<string> = new Set([
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
]);

export function identityFromProfile(profile: Profile, mapping: AttributeMapping): SignedInIdentity {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const format = profile.nameIDFormat;
  if (
    mapping.subjectAttribute === null &&
    typeof format === 'string' &&
    format !== '' &&
    !SUBJECT_NAME_ID_FORMATS.has(format)
  )
    throw new VigilError(
      'saml_invalid',
      `the assertion's NameID has the format ${format}, which names no lasting person here: ` +
        'send an emailAddress or unspecified NameID, or name users by an attribute (identity.saml.subject_attribute)',
    );
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
