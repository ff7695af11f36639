// Attacker: a person Vigil names by their SAML NameID (the default, no `subject_attribute`) is
// disabled by address, then signs in again asking for another NameID format. The format is what the
// AuthnRequest's NameIDPolicy asks for, and an unsigned HTTP-Redirect request is the browser's to
// edit before it reaches the provider (Microsoft Entra ID honours the format asked for): a
// `transient` NameID is a new random name at every sign-in, a `persistent` one an opaque pairwise
// id, and either used to become the subject, a name no disable or `user:` rule names. Only the
// formats that carry the identifier the provider is configured to send now name anyone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Profile } from '@node-saml/node-saml';
import { identityFromProfile } from '../../src/identity/saml/saml-identity.js';

const mapping = { subjectAttribute: null, groupsAttribute: 'groups', roles: { admin: [], auditor: [] } };
const FORMAT = 'urn:oasis:names:tc:SAML:';

function profile(nameID: string, nameIDFormat: string | undefined): Profile {
  return {
    issuer: 'https://idp.example.com',
    nameID,
    ...(nameIDFormat === undefined ? {} : { nameIDFormat }),
    attributes: { groups: ['ai-eng'] },
  } as unknown as Profile;
}

test('an emailAddress, unspecified or format-less NameID names the person', () => {
  for (const format of [
    `${FORMAT}1.1:nameid-format:emailAddress`,
    `${FORMAT}1.1:nameid-format:unspecified`,
    undefined,
  ])
    assert.equal(
      identityFromProfile(profile('dana@example.com', format), mapping).subject,
      'dana@example.com',
    );
});

test('a transient, persistent or other NameID names nobody: the requester chose that format', () => {
  for (const kind of [
    '2.0:nameid-format:transient',
    '2.0:nameid-format:persistent',
    '2.0:nameid-format:entity',
    '1.1:nameid-format:X509SubjectName',
    '1.1:nameid-format:WindowsDomainQualifiedName',
  ])
    assert.throws(
      () => identityFromProfile(profile('_3f9a0c5e1d', `${FORMAT}${kind}`), mapping),
      { code: 'saml_invalid', message: /NameID has the format/ },
      kind,
    );
});

test('with subject_attribute the NameID is not the subject, whatever its format', () => {
  const byAttribute = { ...mapping, subjectAttribute: 'email' };
  const p = {
    ...profile('_3f9a0c5e1d', `${FORMAT}2.0:nameid-format:transient`),
    attributes: { email: 'dana@example.com' },
  };
  assert.equal(identityFromProfile(p as Profile, byAttribute).subject, 'dana@example.com');
});
