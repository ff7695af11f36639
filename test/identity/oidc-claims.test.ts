// Claims → Vigil identity: subject from the configured claim (else sub), groups from the configured
// claim (nested names walk objects), roles from identity.roles patterns; everyone is a user.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { groupsFrom, identityFromClaims, readClaim, rolesFor } from '../../src/identity/oidc-claims.js';

const mapping = {
  subjectClaim: 'email',
  groupsClaim: 'groups',
  roles: { admin: ['group:platform'], auditor: ['user:audrey@example.com'] },
};

test('subject from the configured claim, groups from the groups claim, roles from patterns', () => {
  const who = identityFromClaims(
    { sub: 'u1', email: 'dev@example.com', groups: ['platform', 'ai-eng'] },
    mapping,
  );
  assert.deepEqual(who, {
    subject: 'dev@example.com',
    groups: ['platform', 'ai-eng'],
    roles: ['admin', 'user'],
  });
  const auditor = identityFromClaims({ sub: 'u2', email: 'audrey@example.com' }, mapping);
  assert.deepEqual(auditor, { subject: 'audrey@example.com', groups: [], roles: ['auditor', 'user'] });
});

test('falls back to sub when the subject claim is missing or not a string', () => {
  assert.equal(identityFromClaims({ sub: 'u1' }, mapping).subject, 'u1');
  assert.equal(identityFromClaims({ sub: 'u1', email: 42 }, mapping).subject, 'u1');
  assert.throws(() => identityFromClaims({ email: '' }, mapping), { code: 'auth_invalid' });
});

test('a dotted claim name walks nested objects (Keycloak realm_access.roles)', () => {
  const claims = { sub: 'k', realm_access: { roles: ['platform', 7, 'ops'] } };
  const who = identityFromClaims(claims, { ...mapping, groupsClaim: 'realm_access.roles' });
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
          assert.ok(who.subject === claims.email || who.subject === claims.sub);
          assert.ok(who.groups.every((g) => typeof g === 'string' && g.length > 0));
          assert.equal(new Set(who.groups).size, who.groups.length);
        } catch (err) {
          assert.equal((err as { code?: string }).code, 'auth_invalid');
        }
      },
    ),
  );
});
