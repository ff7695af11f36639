// Claims → Vigil identity: subject from the configured claim (else sub), groups from the configured
// claim (nested names walk objects), roles from identity.roles patterns; everyone is a user.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { groupsFrom, identityFromClaims, readClaim, rolesFor } from '../../src/identity/oidc-claims.js';

const mapping = {
  subjectClaim: 'email',
  requireVerifiedEmail: true,
  groupsClaim: 'groups',
  roles: { admin: ['group:platform'], auditor: ['user:audrey@example.com'] },
};

test('subject from the configured claim, groups from the groups claim, roles from patterns', () => {
  const who = identityFromClaims(
    { sub: 'u1', email: 'dev@example.com', email_verified: true, groups: ['platform', 'ai-eng'] },
    mapping,
  );
  assert.deepEqual(who, {
    subject: 'dev@example.com',
    groups: ['platform', 'ai-eng'],
    roles: ['admin', 'user'],
    // admin came only through the group: it lasts while SCIM (when it manages the group) agrees.
    roleGroups: { admin: ['platform'] },
  });
  const auditor = identityFromClaims(
    { sub: 'u2', email: 'audrey@example.com', email_verified: true },
    mapping,
  );
  assert.deepEqual(auditor, {
    subject: 'audrey@example.com',
    groups: [],
    roles: ['auditor', 'user'],
    roleGroups: {},
  });
});

test('a token without the subject claim, or with one that is not a name, names nobody (never its sub)', () => {
  assert.throws(() => identityFromClaims({ sub: 'u1' }, mapping), {
    code: 'auth_invalid',
    message: /no email claim/,
  });
  assert.throws(() => identityFromClaims({ sub: 'u1', email: 42 }, mapping), { code: 'auth_invalid' });
  assert.throws(() => identityFromClaims({ email: '' }, mapping), { code: 'auth_invalid' });
  assert.equal(identityFromClaims({ sub: 'u1' }, { ...mapping, subjectClaim: 'sub' }).subject, 'u1');
});

test('an e-mail the provider has not verified names nobody: sign-in is refused, unless configured otherwise', () => {
  // An unverified address is whatever the user typed at the provider: the CTO's, say.
  for (const verified of [false, 'false', undefined, null, 1]) {
    assert.throws(
      () =>
        identityFromClaims({ sub: 'attacker', email: 'cto@example.com', email_verified: verified }, mapping),
      { code: 'auth_invalid', message: /not verified/ },
      String(verified),
    );
  }
  assert.equal(
    identityFromClaims({ sub: 'u', email: 'cto@example.com', email_verified: 'true' }, mapping).subject,
    'cto@example.com',
    'Cognito sends the string',
  );
  const trusting = { ...mapping, requireVerifiedEmail: false };
  assert.equal(identityFromClaims({ sub: 'u', email: 'a@example.com' }, trusting).subject, 'a@example.com');
  // Another subject claim is the operator's choice: not held to email_verified.
  const byName = { ...mapping, subjectClaim: 'preferred_username' };
  assert.equal(
    identityFromClaims({ sub: 'u', preferred_username: 'ann', email: 'x@y' }, byName).subject,
    'ann',
  );
});

test('a dotted claim name walks nested objects (Keycloak realm_access.roles)', () => {
  const claims = { sub: 'k', realm_access: { roles: ['platform', 7, 'ops'] } };
  const who = identityFromClaims(claims, {
    ...mapping,
    subjectClaim: 'sub',
    groupsClaim: 'realm_access.roles',
  });
  assert.deepEqual(who.groups, ['platform', 'ops']);
  assert.deepEqual(who.roles, ['admin', 'user']);
  // A claim literally named with a dot wins over the walk.
  assert.deepEqual(readClaim({ 'a.b': 1, a: { b: 2 } }, 'a.b'), 1);
  assert.equal(readClaim({ a: [1] }, 'a.0'), undefined);
});

test('one group given as a string counts; duplicates and non-strings are dropped', () => {
  assert.deepEqual(groupsFrom('ops'), ['ops']);
  assert.deepEqual(groupsFrom(['a', 'a', null, { x: 1 }, 'b']), ['a', 'b']);
  assert.deepEqual(groupsFrom(undefined), []);
  assert.throws(() => groupsFrom(Array.from({ length: 300 }, (_, i) => `g${i}`)), { code: 'auth_invalid' });
});

test('* gives a role to everyone', () => {
  assert.deepEqual(rolesFor('x', [], { admin: [], auditor: ['*'] }), ['auditor', 'user']);
});

test('property: roles are always a subset of admin, auditor, user ending in user, and match the patterns', () => {
  const name = fc.string({ minLength: 1, maxLength: 12 });
  fc.assert(
    fc.property(
      name,
      fc.array(name, { maxLength: 6 }),
      fc.array(
        fc.oneof(
          name.map((n) => `group:${n}`),
          name.map((n) => `user:${n}`),
          fc.constant('*'),
        ),
        {
          maxLength: 4,
        },
      ),
      fc.array(
        fc.oneof(
          name.map((n) => `group:${n}`),
          name.map((n) => `user:${n}`),
        ),
        { maxLength: 4 },
      ),
      (subject, groups, admin, auditor) => {
        const roles = rolesFor(subject, groups, { admin, auditor });
        assert.equal(roles.at(-1), 'user');
        const expectAdmin = admin.some(
          (p) =>
            p === '*' || p === `user:${subject}` || (p.startsWith('group:') && groups.includes(p.slice(6))),
        );
        assert.equal(roles.includes('admin'), expectAdmin);
        const expectAuditor = auditor.some(
          (p) => p === `user:${subject}` || (p.startsWith('group:') && groups.includes(p.slice(6))),
        );
        assert.equal(roles.includes('auditor'), expectAuditor);
      },
    ),
  );
});

test('property: any claims object yields a non-empty subject and string groups, or auth_invalid', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom('sub', 'email', 'groups', 'other'), fc.jsonValue()),
      (claims) => {
        try {
          const who = identityFromClaims(claims, mapping);
          assert.ok(who.subject.length > 0);
          assert.equal(who.subject, claims.email);
          assert.ok(who.groups.every((g) => typeof g === 'string' && g.length > 0));
          assert.equal(new Set(who.groups).size, who.groups.length);
        } catch (err) {
          assert.equal((err as { code?: string }).code, 'auth_invalid');
        }
      },
    ),
  );
});
