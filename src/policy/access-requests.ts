// Access requests and break-glass: a request for a time-bound grant that reviewers decide like a
// held action, and emergency access granted at once but recorded, announced and queued for review.
// Each has a session of its own (protocol access-request) in which everything about it is recorded.
import type { ApprovalsConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { EventType, Identity, JsonObject } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { ApprovalRecord, ApprovalStore, Clock, GrantRecord } from '../core/ports.js';
import { hasVisibleText } from '../core/visible-text.js';
import { matchesPrincipal } from '../pipeline/authorize.js';
import type { EventContext } from '../pipeline/pipeline.js';
import type { ApprovalNotice, NoticeKind } from './approval-notifier.js';
import { checkDuration, formatMs, pendingApproval, requestFacts } from './approval-records.js';
import type { GrantIssuer } from './grant-issuer.js';
import { checkPendingCap } from './pending-cap.js';

export interface AccessRequestInput {
  readonly identity: Identity;
  readonly connection: string;
  readonly durationMs: number;
  readonly reason: string;
}

export interface AccessRequestsDeps {
  readonly store: ApprovalStore;
  readonly record: (ctx: EventContext, type: EventType, payload: JsonObject) => Promise<unknown>;
  readonly openSession: (identity: Identity, connection: string, facts: JsonObject) => Promise<EventContext>;
  readonly issuer: GrantIssuer;
  readonly notify: (
    record: ApprovalRecord,
    kind: NoticeKind,
    actor: string,
    extra?: Partial<ApprovalNotice>,
  ) => void;
  readonly clock: Clock;
  readonly config: () => ApprovalsConfig;
}

/** How long a break-glass use stays in the review queue. */
const BREAK_GLASS_REVIEW_MS = 7 * 86_400_000;

export class AccessRequests {
  readonly #deps: AccessRequestsDeps;

  constructor(deps: AccessRequestsDeps) {
    this.#deps = deps;
  }

  /** Asks for a time-bound grant; reviewers decide it like a held action. */
  async request(input: AccessRequestInput): Promise<ApprovalRecord> {
    const cfg = this.#deps.config().access_requests;
    const reason = input.reason.trim();
    // A reason of whitespace, controls or zero-width characters only tells a reviewer nothing.
    if (!hasVisibleText(reason))
      throw new VigilError(
        'reason_required',
        'an access request needs a reason with visible text (--reason)',
      );
    if (cfg.approvers.length === 0) {
      throw new VigilError(
        'usage',
        'access requests are not configured: approvals.access_requests.approvers is empty',
      );
    }
    checkDuration(input.durationMs, cfg.max_duration);
    await checkPendingCap(this.#deps.store, input.identity, cfg.max_pending);
    const ctx = await this.#deps.openSession(input.identity, input.connection, { kind: 'access-request' });
    const now = this.#deps.clock.now();
    const record = pendingApproval(now, cfg.timeout, {
      kind: 'access',
      requester: input.identity,
      connection: input.connection,
      sessionId: ctx.sessionId,
      rule: null,
      reason,
      subject: {
        duration_ms: input.durationMs,
        summary: `access to ${input.connection} for ${formatMs(input.durationMs)}`,
      },
      approvers: cfg.approvers,
      required: cfg.required,
    });
    await this.#deps.record(ctx, 'approval.requested', requestFacts(record));
    await this.#deps.store.createApproval(record);
    this.#deps.notify(record, 'approval.requested', input.identity.subject);
    return record;
  }

  /**
   * Emergency access without waiting: granted at once, recorded with its reason, announced, and
   * queued for review afterwards (a denial in that review revokes the grant if it still runs).
   */
  async breakGlass(input: AccessRequestInput): Promise<{ grant: GrantRecord; review: ApprovalRecord }> {
    const cfg = this.#deps.config().break_glass;
    const reason = input.reason.trim();
    if (!hasVisibleText(reason))
      throw new VigilError(
        'reason_required',
        'break-glass access needs a reason with visible text (--reason)',
      );
    if (!cfg.allowed.some((p) => matchesPrincipal(p, input.identity))) {
      throw new VigilError(
        'break_glass_forbidden',
        `${input.identity.subject} may not use break-glass access`,
      );
    }
    checkDuration(input.durationMs, cfg.max_duration);
    const reviewers =
      cfg.reviewers.length > 0 ? cfg.reviewers : this.#deps.config().access_requests.approvers;
    if (reviewers.length === 0) {
      throw new VigilError(
        'usage',
        'break-glass is not configured: approvals.break_glass.reviewers (or access_requests.approvers) must name who reviews it',
      );
    }
    const ctx = await this.#deps.openSession(input.identity, input.connection, { kind: 'break-glass' });
    // A review afterwards has no deadline that matters to the data path: a week to look at it.
    const review = pendingApproval(this.#deps.clock.now(), BREAK_GLASS_REVIEW_MS, {
      kind: 'break-glass',
      requester: input.identity,
      connection: input.connection,
      sessionId: ctx.sessionId,
      rule: null,
      reason,
      subject: {
        grant_id: newId('gr'),
        summary: `break-glass access to ${input.connection} for ${formatMs(input.durationMs)}`,
      },
      approvers: reviewers,
      required: 1,
    });
    const grant = await this.#deps.issuer.issue(review, input.identity, input.durationMs);
    await this.#deps.record(ctx, 'approval.requested', requestFacts(review));
    await this.#deps.store.createApproval(review);
    this.#deps.notify(review, 'break_glass.used', input.identity.subject, { expires_at: grant.expiresAt });
    return { grant, review };
  }
}
