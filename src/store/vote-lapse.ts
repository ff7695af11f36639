// Whom a vote rests on, for the check every ApprovalStore makes inside the vote's own transaction
// (ApprovalStore.addVote): the reviewer, and for an approval also the requester and the reviewers
// whose approvals it already counts. A gateway checks them against its copy of the directory first
// (lapsed-approvals.ts), but that copy is one poll old at worst: a reviewer deprovisioned over SCIM
// on another replica a moment before could otherwise still complete a request.
import { type Identity, subjectKey } from '../core/events.js';
import type { ApprovalRecord, ApprovalVote } from '../core/ports.js';

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
