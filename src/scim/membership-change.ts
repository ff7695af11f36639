// What a change to SCIM membership means for a live session. A session keeps the identity it was
// admitted with, and policy judges every action of it with that identity's groups: a rule that lets
// `group:dba` skip review, a connection that denies `group:contractors`. So a session whose person
// SCIM now gives other groups is judged as someone the identity provider says they no longer are,
// and it ends; the client reconnects and is judged with the groups it holds now.
//
// A session's groups mix the token's claims with the groups SCIM gave, and only the directory as it
// was when they were last checked tells them apart: the claims it kept are those it did not manage.
// A claim SCIM managed then and no longer does (the group was deleted or renamed) is not restored
// here, so such a session ends too, and a new sign-in gets the claim back.
import type { Identity } from '../core/events.js';
import type { ScimDirectory } from '../identity/scim-directory.js';
import { matchesPrincipal } from '../pipeline/authorize.js';

/** The groups the person behind a live session holds after the change from `before` to `after`. */
export function groupsAfterChange(
  before: ScimDirectory,
  after: ScimDirectory,
  subject: string,
  held: readonly string[],
): string[] {
  // before.groupsFor(subject, held) is (held minus managed) plus SCIM's own groups (none for someone
  // SCIM does not provision); taking SCIM's own away leaves the claims it kept.
  const givenBefore = new Set(before.groupsFor(subject, []));
  const claims = before.groupsFor(subject, held).filter((g) => !givenBefore.has(g));
  return after.groupsFor(subject, claims);
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((g) => set.has(g));
}

export type MembershipVerdict = 'group-removed' | 'group-changed';

/**
 * Why a live session must end after a membership change, or null when the change leaves its groups
 * as they were (then it admits as it did): `group-removed` when the connection no longer admits the person (an allow group
 * left, a deny group joined), `group-changed` when it still does but policy would judge them
 * differently. Only people are affected, provisioned or not; service accounts hold no SCIM group.
 */
export function membershipVerdict(
  before: ScimDirectory,
  after: ScimDirectory,
  identity: Identity,
  stillAllowed: (identity: Identity) => boolean,
): MembershipVerdict | null {
  const { subject } = identity;
  // Not only provisioned people: a group SCIM starts managing leaves everyone SCIM does not list in it.
  if (identity.kind !== 'user') return null;
  const groups = groupsAfterChange(before, after, subject, identity.groups);
  // Unchanged groups admit as they did: a session that holds no access of its own (an access
  // request's, whose connection needs a grant) is not cut by someone else's change.
  if (sameGroups(groups, identity.groups)) return null;
  return stillAllowed({ ...identity, groups }) ? 'group-changed' : 'group-removed';
}

/**
 * Whether an approval still stands after the change: the reviewer, with the groups SCIM gives them
 * now, is still among the request's approvers. A vote counts towards a request until it closes, so
 * one cast by someone SCIM has since taken out of the approver group would let the next reviewer
 * complete the request on the word of someone who may no longer give it.
 */
export function approvalStands(
  before: ScimDirectory,
  after: ScimDirectory,
  reviewer: Identity,
  approvers: readonly string[],
): boolean {
  const { subject } = reviewer;
  if (reviewer.kind !== 'user') return true;
  // A vote stored by an older release may lack groups: judged as holding none (fail closed).
  const held = Array.isArray(reviewer.groups) ? reviewer.groups : [];
  const groups = groupsAfterChange(before, after, subject, held);
  return approvers.some((p) => matchesPrincipal(p, { ...reviewer, groups }));
}
