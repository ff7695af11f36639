// What a membership change means for a live session's groups (src/scim/membership-change.ts), on real
// ScimDirectory values: the token's claims SCIM does not manage are kept across changes, the groups
// SCIM gave follow SCIM, and a group SCIM stops managing (deleted, renamed) is not kept as a claim.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Identity } from '../../src/core/events.js';
import type { ScimGroupRecord, ScimUserRecord } from '../../src/core/ports.js';
import { ScimDirectory } from '../../src/identity/scim-directory.js';
import { approvalStands, groupsAfterChange, membershipVerdict } from '../../src/scim/membership-change.js';

const at = '2026-12-05T00:00:00.000Z';
const user = (id: string, userName: string): ScimUserRecord => ({
  id,
  userName,
  externalId: null,
  active: true,
  attributes: {},
  tokensRevokedAt: null,
  createdAt: at,
  updatedAt: at,
  version: 1,
});
const group = (id: string, displayName: string, members: string[]): ScimGroupRecord => ({
  id,
  displayName,
  externalId: null,
  members,
  createdAt: at,
  updatedAt: at,
  version: 1,
});

const users = [user('u1', 'ana@example.com'), user('u2', 'ben@example.com')];
const before = new ScimDirectory(users, [group('g1', 'eng', ['u1']), group('g2', 'dba', ['u1'])]);
// The token claimed `laptop-users` (not managed) and `dba` (managed: it counted through SCIM only).
const admitted = before.groupsFor('Ana@Example.com', ['laptop-users', 'dba']);
const ana: Identity = { subject: 'Ana@Example.com', kind: 'user', groups: admitted };
const everyone = () => true;

test('no change, or a change to someone else: the session keeps its groups', () => {
  assert.deepEqual(new Set(groupsAfterChange(before, before, ana.subject, admitted)), new Set(admitted));
  assert.equal(membershipVerdict(before, before, ana, everyone), null);
  const benJoins = new ScimDirectory(users, [group('g1', 'eng', ['u1', 'u2']), group('g2', 'dba', ['u1'])]);
  assert.equal(membershipVerdict(before, benJoins, ana, everyone), null);
});

test('leaving, joining, a rename and a deletion each change the groups; the unmanaged claim stays', () => {
  const cases: [string, ScimGroupRecord[], string[]][] = [
    ['left dba', [group('g1', 'eng', ['u1']), group('g2', 'dba', [])], ['laptop-users', 'eng']],
    [
      'joined ops',
      [group('g1', 'eng', ['u1']), group('g2', 'dba', ['u1']), group('g3', 'ops', ['u1'])],
      ['laptop-users', 'eng', 'dba', 'ops'],
    ],
    [
      'dba renamed',
      [group('g1', 'eng', ['u1']), group('g2', 'dba-old', ['u1'])],
      ['laptop-users', 'eng', 'dba-old'],
    ],
    ['dba deleted', [group('g1', 'eng', ['u1'])], ['laptop-users', 'eng']],
  ];
  for (const [what, groups, expected] of cases) {
    const after = new ScimDirectory(users, groups);
    assert.deepEqual(
      new Set(groupsAfterChange(before, after, ana.subject, admitted)),
      new Set(expected),
      what,
    );
    assert.equal(membershipVerdict(before, after, ana, everyone), 'group-changed', what);
    assert.equal(
      membershipVerdict(before, after, ana, () => false),
      'group-removed',
      what,
    );
  }
});

test('a person SCIM does not provision keeps the groups it does not manage; services are not judged', () => {
  const stranger: Identity = { subject: 'cy@example.com', kind: 'user', groups: ['laptop-users'] };
  const service: Identity = { subject: 'ana@example.com', kind: 'service', groups: ['dba'] };
  const after = new ScimDirectory(users, [group('g1', 'eng', ['u2'])]);
  assert.equal(
    membershipVerdict(before, after, stranger, () => false),
    null,
  );
  assert.equal(
    membershipVerdict(before, after, service, () => false),
    null,
  );
  assert.equal(approvalStands(before, after, stranger, ['group:laptop-users']), true);
});

test('a group SCIM starts managing leaves a person it does not provision, whatever their token claimed', () => {
  const cy: Identity = { subject: 'cy@example.com', kind: 'user', groups: ['qa', 'laptop-users'] };
  const after = new ScimDirectory(users, [
    group('g1', 'eng', ['u1']),
    group('g2', 'dba', ['u1']),
    group('g3', 'qa', ['u2']),
  ]);
  assert.deepEqual(groupsAfterChange(before, after, cy.subject, cy.groups), ['laptop-users']);
  assert.equal(membershipVerdict(before, after, cy, everyone), 'group-changed');
  assert.equal(approvalStands(before, after, cy, ['group:qa']), false);
});

test('an approval stands while the reviewer is still among the approvers', () => {
  const after = new ScimDirectory(users, [group('g1', 'eng', ['u1']), group('g2', 'dba', [])]);
  assert.equal(approvalStands(before, before, ana, ['group:dba']), true);
  assert.equal(approvalStands(before, after, ana, ['group:dba']), false);
  assert.equal(approvalStands(before, after, ana, ['group:dba', 'group:laptop-users']), true);
  assert.equal(approvalStands(before, after, ana, ['user:Ana@Example.com']), true);
});
