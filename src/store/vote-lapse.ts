// Whom a vote rests on, for the check every ApprovalStore makes inside the vote's own transaction
// (ApprovalStore.addVote): the reviewer, and for an approval also the requester and the reviewers
// whose approvals it already counts. A gateway checks them against its copy of the directory first
// (lapsed-approvals.ts, approval-approvers.ts), but that copy is one poll old at worst: a reviewer
// deprovisioned over SCIM on another replica a moment before, or taken out of the approver group
// there, could otherwise still complete a request. And when a vote comes too late for its request's
// deadline (votedAfterDeadline).
import { type Identity, subjectKey } from '../core/events.js';
import type { ApprovalRecord, ApprovalVote } from '../core/ports.js';

/**
 * Whether a vote comes at or after its request's deadline, judged inside the vote's own lock: a
 * request is open until `expiresAt` (as the gateways' expiry sweeps read it), not until a sweep
 * gets round to closing it. The time is the gateway's (`vote.at`, taken as it calls the store,
 * on the clock its deadlines come from) plus what the store spent before it held the request:
 * waiting for another replica's lock can carry a vote stamped before the deadline past it. A time
 * that does not parse counts as late (fail closed).
 */
export function votedAfterDeadline(expiresAt: string, vote: ApprovalVote, startedMs: number): boolean {
  const votedAt = Date.parse(vote.at) + (performance.now() - startedMs);
  return !(votedAt < Date.parse(expiresAt));
}

/** Someone a vote counts on, and why the request lapses when they are disabled. */
export interface VoteDependency {
  readonly identity: Identity;
  readonly reason: string;
}

/**
 * The people an approval counts on besides its reviewer. A denial only keeps the action from running,
 * and a break-glass use is still reviewed after whoever broke glass is offboarded.
 */
export function approvalDependsOn(record: ApprovalRecord, vote: ApprovalVote): VoteDependency[] {
  if (vote.decision !== 'approve' || record.kind === 'break-glass') return [];
  return [
    { identity: record.requester, reason: `the requester ${record.requester.subject} was disabled` },
    ...record.votes
      .filter((v) => v.decision === 'approve')
      .map((v) => ({
        identity: v.reviewer,
        reason: `an approval came from ${v.reviewer.subject}, who was disabled`,
      })),
  ];
}

/**
 * The arguments of a store's "is this identity disabled" query: its subject folded as subjects are
 * (ASCII case only), and whether SCIM's inactive users count (people only: a SCIM user says nothing
 * about a service account of the same name; a record stored without a kind is a person's).
 */
export function disabledLookup(identity: Identity): { readonly key: string; readonly person: boolean } {
  return { key: subjectKey(identity.subject), person: identity.kind !== 'service' };
}

/**
 * The approvals an approval counts, the reviewer's own among them, each of which must come from an
 * approver by the committed directory's groups (approverByDirectory). A denial only keeps the action
 * from running; a break-glass use was granted already, and its review is the look back at it.
 */
export function approversDependedOn(record: ApprovalRecord, vote: ApprovalVote): VoteDependency[] {
  if (vote.decision !== 'approve' || record.kind === 'break-glass') return [];
  return [vote.reviewer, ...record.votes.filter((v) => v.decision === 'approve').map((v) => v.reviewer)].map(
    (identity) => ({
      identity,
      reason: `an approval came from ${identity.subject}, no longer among its approvers`,
    }),
  );
}

/** The committed SCIM directory as one person's groups need it. */
export interface DirectoryGroups {
  /** Every group SCIM manages (its display name): held only by its SCIM members. */
  readonly managed: ReadonlySet<string>;
  /** The groups whose SCIM members include the person (their userName folded as subjectKey). */
  readonly given: readonly string[];
}

/**
 * Whether `identity` is among `approvers` with the groups the committed directory gives it, as a
 * gateway would judge it after reading that directory (identity/scim-directory.ts): its groups that
 * SCIM does not manage are kept, those SCIM manages come from SCIM membership only. Principals are
 * matched as matchesPrincipal (pipeline/authorize.ts) matches them, written out here because a store
 * does not import the pipeline. Service accounts hold no SCIM group, and are judged as they were.
 */
export function approverByDirectory(
  approvers: readonly string[],
  identity: Identity,
  directory: DirectoryGroups,
): boolean {
  if (identity.kind === 'service') return true;
  // A vote stored by an older release may lack groups: judged as holding none (fail closed).
  const held = Array.isArray(identity.groups) ? identity.groups : [];
  const groups = new Set([...held.filter((g) => !directory.managed.has(g)), ...directory.given]);
  return approvers.some((pattern) => {
    if (pattern === '*') return true;
    const colon = pattern.indexOf(':');
    const kind = pattern.slice(0, colon);
    const value = pattern.slice(colon + 1);
    if (kind === 'group') return groups.has(value);
    return kind === 'user' && identity.kind === 'user' && identity.subject === value;
  });
}
