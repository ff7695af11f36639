// What the approval service is given by the composition root (server/approvals-wiring.ts): the
// store, the recording path, the sessions of access requests, the masker, the notifier and the
// settings read at each use. Kept apart from the service so that each file has one job.
import type { ActionDescriber } from '../core/actions.js';
import type { ApprovalsConfig } from '../core/config.js';
import type { EventType, Identity, JsonObject } from '../core/events.js';
import type { ApprovalStore, Clock } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import type { ReviewApprovers } from './approval-approvers.js';
import type { ApprovalNotice } from './approval-notifier.js';
import type { GrantCache } from './grant-cache.js';
import type { RequestSession, RequestSessionEnd } from './request-sessions.js';

/** Vigil itself, when it decides: a review that timed out, a requester who went away. */
export const VIGIL_SYSTEM: Identity = Object.freeze({ subject: 'vigil', kind: 'service', groups: [] });

export interface ApprovalServiceDeps {
  readonly store: ApprovalStore;
  /** Masks and records one event (Pipeline.observe): rejects when it cannot be recorded (fail-closed). */
  readonly record: (ctx: EventContext, type: EventType, payload: JsonObject) => Promise<unknown>;
  /**
   * Opens a session for an access request or break-glass use (they have no data-path session). The
   * session can be let go of without recording (request-sessions.ts): its request may be settled,
   * and its end recorded, on another replica.
   */
  readonly openSession: (
    identity: Identity,
    connection: string,
    facts: JsonObject,
  ) => Promise<RequestSession>;
  /**
   * Ends such a session once its request is settled (or, with `shutdown`, as the gateway stops):
   * called only when the store says the ledger holds no end of it yet (request-sessions.ts).
   */
  readonly endSession: (ctx: EventContext, facts: JsonObject, reason?: RequestSessionEnd) => Promise<void>;
  readonly notifier: { notify(notice: ApprovalNotice): void };
  /**
   * Masks text people write (a request's or a decision's reason) before it is stored or sent to a
   * webhook: the ledger's copy goes through the pipeline's masker, the approval tables, the API's
   * answers and the notices would otherwise hold it as typed (a reason that quotes a key).
   */
  readonly maskText: (text: string, connection: string) => string;
  readonly grants: GrantCache;
  readonly clock: Clock;
  /** Read at each use, so a configuration reload applies to the next request. */
  readonly config: () => ApprovalsConfig;
  readonly logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** How an action reads (each protocol module's own reading), for the one-line summary reviewers see. */
  readonly describeAction: ActionDescriber;
  /**
   * The approvers and approval count a review rule has under the policy in force now
   * (approval-approvers.ts). The
   * composition root always gives it; without it a held action's stored approvers are all checked.
   */
  readonly reviewApprovers?: ReviewApprovers;
  /** The model turn that proposed a held statement or command, when one did (for reviewers). */
  readonly findProposer?: (
    ctx: EventContext,
    type: EventType,
    payload: JsonObject,
  ) => Promise<JsonObject | null>;
  /**
   * The groups this gateway's copy of the SCIM directory gives a person (none it does not provision),
   * sent with their vote so the store can tell them from the groups their sign-in gave
   * (ApprovalVote.directoryGroups).
   */
  readonly scimGroupsOf?: (subject: string) => readonly string[];
  /** Whether an identity is disabled now: its approvals and requests lapse (lapsed-approvals.ts). */
  readonly isDisabled?: (identity: Identity) => Promise<boolean>;
}
