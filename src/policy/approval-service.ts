// Just-in-time approvals: actions held on the data path until reviewers decide, access requests
// that become time-bound grants, and break-glass access reviewed afterwards.
//
// Every step is recorded in the ledger before it takes effect: the request (approval.requested),
// each reviewer's decision and the final outcome (approval.decided), and any grant (access.granted),
// all in the session the request belongs to, each attributed to whoever acted. The store holds the
// working state shared by gateway replicas; a gateway resolves the actions it holds from its own
// decisions at once and from decisions made elsewhere by polling, which also lets go of the sessions
// of requests settled elsewhere (request-sessions.ts).
import { VigilError } from '../core/errors.js';
import type { EventType, Identity, JsonObject } from '../core/events.js';
import { nowIso, sameSubject } from '../core/events.js';
import type { ApprovalRecord, ApprovalVote, GrantRecord } from '../core/ports.js';
import { hasVisibleText } from '../core/visible-text.js';
import { matchesPrincipal } from '../pipeline/authorize.js';
import type { Approver, EventContext, HoldApproval, HoldRequest } from '../pipeline/pipeline.js';
import type { PolicyAlert } from '../pipeline/policy.js';
import { type AccessRequestInput, AccessRequests } from './access-requests.js';
import { summarizeAction } from './action-summary.js';
import { isApproverNow, mintedCredentialRefusal, requiredNow } from './approval-approvers.js';
import type { ApprovalNotice, NoticeKind } from './approval-notifier.js';
import { closedRefusal, closeReason, denialRefusal, settledElsewhereRefusal } from './approval-outcomes.js';
import { noticeFor, pendingApproval, requestFacts, stripToken } from './approval-records.js';
import { type ApprovalServiceDeps, VIGIL_SYSTEM } from './approval-service-deps.js';
import { approvalContext, GrantIssuer } from './grant-issuer.js';
import { HeldActions } from './held-actions.js';
import { KeyedQueue } from './keyed-queue.js';
import { lapsedBy } from './lapsed-approvals.js';
import { forEachOverdue } from './overdue-approvals.js';
import { RequestSessions } from './request-sessions.js';
import { refuseUncounted } from './uncounted-decisions.js';

export type { AccessRequestInput } from './access-requests.js';
export type { ApprovalServiceDeps } from './approval-service-deps.js';
export { VIGIL_SYSTEM } from './approval-service-deps.js';

export class ApprovalService implements Approver {
  readonly #deps: ApprovalServiceDeps;
  readonly #grants: GrantIssuer;
  readonly #access: AccessRequests;
  readonly #held = new HeldActions();
  /** The sessions of access requests and break-glass uses opened here, until their request is settled. */
  readonly #requestSessions: RequestSessions;
  /** One decision at a time per request: a vote, a timeout and a withdrawal never interleave. */
  readonly #queue = new KeyedQueue();
  #poller: NodeJS.Timeout | null = null;
  #polling = false;
  #pollAgain = false;

  constructor(deps: ApprovalServiceDeps) {
    this.#deps = deps;
    this.#grants = new GrantIssuer(deps);
    const sessions = new RequestSessions(deps);
    this.#requestSessions = sessions;
    this.#access = new AccessRequests({
      ...deps,
      openSession: async (identity, connection, facts) =>
        sessions.opened(await deps.openSession(identity, connection, facts)),
      issuer: this.#grants,
      notify: (record, kind, actor, extra) => this.#notify(record, kind, actor, extra),
    });
  }

  start(): void {
    this.#poller = setInterval(() => void this.poll(), this.#deps.config().poll);
    this.#poller.unref();
  }

  stop(): void {
    if (this.#poller) clearInterval(this.#poller);
    this.#held.refuseAll(
      (id) => new VigilError('approval_withdrawn', `approval ${id}: the gateway is shutting down`),
    );
  }

  /**
   * As the gateway stops: lets go of the sessions of requests settled elsewhere (their settler records
   * the end) and ends the others (request-sessions.ts).
   */
  closeRequestSessions(): Promise<void> {
    return this.#requestSessions.shutDown((id, run) => this.#queue.run(id, run));
  }

  /** Held actions waiting on this gateway. */
  get holding(): number {
    return this.#held.size;
  }

  // Held actions.

  async hold(request: HoldRequest): Promise<HoldApproval> {
    const { ctx, review } = request;
    const proposedBy = await this.#proposer(request);
    const now = this.#deps.clock.now();
    const record = pendingApproval(now, review.timeoutMs, {
      kind: 'action',
      requester: ctx.identity,
      connection: ctx.connection,
      sessionId: ctx.sessionId,
      rule: request.rule,
      reason: request.reason,
      subject: {
        type: request.type,
        summary: summarizeAction(request.type, request.payload, this.#deps.describeAction),
        ...(proposedBy ? { proposed_by: proposedBy } : {}),
      },
      approvers: review.approvers,
      required: review.required,
      actionDigest: request.actionDigest,
    });
    if (request.signal?.aborted) {
      throw new VigilError('approval_withdrawn', 'the requester went away before the action was held');
    }
    // The request is in the ledger (with the held action itself) before anyone can act on it.
    await this.#deps.record(ctx, 'approval.requested', {
      ...requestFacts(record),
      action: request.payload,
      proposed_by: proposedBy,
    });
    await this.#deps.store.createApproval(record);
    this.#notify(record, 'approval.requested', ctx.identity.subject);
    request.onHeld?.({
      approvalId: record.id,
      expiresAt: record.expiresAt,
      approvers: record.approvers,
      required: record.required,
      rule: request.rule,
    });
    return new Promise<HoldApproval>((resolve, reject) => {
      const onAbort = () => void this.#close(record.id, 'withdrawn');
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => void this.#close(record.id, 'expired'), review.timeoutMs);
      timer.unref();
      this.#held.add(record.id, {
        resolve,
        reject,
        timer,
        detach: () => request.signal?.removeEventListener('abort', onAbort),
      });
      // The requester may have left while the request was being recorded.
      if (request.signal?.aborted) onAbort();
    });
  }

  /** Best effort: a failed lookup leaves the request without a proposer, never blocks it. */
  async #proposer(request: HoldRequest): Promise<JsonObject | null> {
    if (!this.#deps.findProposer) return null;
    try {
      return await this.#deps.findProposer(request.ctx, request.type, request.payload);
    } catch (err) {
      this.#deps.logger.warn({ err: (err as Error).message }, 'could not look up the proposing model turn');
      return null;
    }
  }

  alert(ctx: EventContext, type: EventType, payload: JsonObject, alerts: readonly PolicyAlert[]): void {
    for (const a of alerts) {
      this.#deps.notifier.notify({
        kind: 'policy.alert',
        connection: ctx.connection,
        session_id: ctx.sessionId,
        requester: ctx.identity.subject,
        summary: summarizeAction(type, payload, this.#deps.describeAction),
        rule: a.rule,
        reason: a.reason,
        time: nowIso(this.#deps.clock.now()),
      });
    }
  }

  // Decisions.

  /**
   * One reviewer's decision. Refused for the requester themself, for someone outside the approvers,
   * for a second vote, and once the request is closed. Recorded before it counts.
   */
  async decide(
    id: string,
    reviewer: Identity,
    decision: 'approve' | 'deny',
    reason: string,
  ): Promise<ApprovalRecord> {
    const why = reason.trim();
    if (!hasVisibleText(why)) {
      throw new VigilError('reason_required', 'a decision needs a reason with visible text (--reason)');
    }
    return this.#queue.run(id, async () => {
      const record = await this.#pending(id);
      if (sameSubject(reviewer.subject, record.requester.subject)) {
        throw new VigilError('approval_self', `${reviewer.subject} requested ${id} and cannot decide it`);
      }
      if (!record.approvers.some((p) => matchesPrincipal(p, reviewer))) {
        throw new VigilError(
          'approval_not_reviewer',
          `${reviewer.subject} is not among the approvers of ${id} (${record.approvers.join(', ')})`,
        );
      }
      // A reload that took the reviewer out (or turned the rule into a deny) holds for what still
      // waits: an approval counts only from someone who is an approver now as well. A denial only
      // keeps the action from running, so the approvers the request was made with may still give one.
      const { config, reviewApprovers } = this.#deps;
      if (decision === 'approve' && !isApproverNow(record, reviewer, config(), reviewApprovers)) {
        throw new VigilError(
          'approval_not_reviewer',
          `${reviewer.subject} is no longer among the approvers of ${id} under the policy in force`,
        );
      }
      // A denial only keeps the action from running, so any credential of an approver may give one.
      const minted = decision === 'approve' ? mintedCredentialRefusal(reviewer) : null;
      if (minted) throw new VigilError('approval_not_reviewer', `${id}: ${minted}`);
      if (record.votes.some((v) => sameSubject(v.reviewer.subject, reviewer.subject))) {
        throw new VigilError('approval_already_voted', `${reviewer.subject} has already decided ${id}`);
      }
      const lapsed = decision === 'approve' ? await lapsedBy(record, this.#deps.isDisabled) : null;
      if (lapsed) {
        await this.#closeNow(id, 'withdrawn', lapsed);
        throw new VigilError('approval_closed', `${id} was withdrawn: ${lapsed}`);
      }
      const approvals =
        record.votes.filter((v) => v.decision === 'approve').length + (decision === 'approve' ? 1 : 0);
      const required = requiredNow(record, config(), reviewApprovers);
      const outcome = decision === 'deny' ? 'denied' : approvals >= required ? 'approved' : 'pending';
      const shown = this.#deps.maskText(why, record.connection);
      await this.#deps.record(approvalContext(record, reviewer), 'approval.decided', {
        approval_id: id,
        kind: record.kind,
        decision,
        reason: shown,
        outcome,
        approvals,
        required,
      });
      const fromScim = this.#deps.scimGroupsOf?.(reviewer.subject).filter((g) => reviewer.groups.includes(g));
      // Stamped as it goes to the store, after the recording (which may have waited): the store
      // refuses a vote that comes at or after the deadline (ApprovalStore.addVote, vote-lapse.ts).
      const vote: ApprovalVote = {
        reviewer: stripToken(reviewer),
        decision,
        reason: shown,
        at: nowIso(this.#deps.clock.now()),
        ...(fromScim?.length ? { directoryGroups: fromScim } : {}),
      };
      const result = await this.#deps.store.addVote(id, vote, required);
      // Decided elsewhere first, or lapsed (ApprovalStore.addVote) since our read: our record said what we tried.
      if (result.outcome === 'lapsed') await this.#closeNow(id, 'withdrawn', result.reason);
      // Too late for its deadline: what waits on the request is refused here now, not at the next sweep.
      const late = result.outcome === 'closed' && Date.parse(record.expiresAt) <= this.#deps.clock.now();
      if (late) await this.#closeNow(id, 'expired');
      if (result.outcome !== 'recorded') {
        const refusal = await refuseUncounted(this.#deps, { record, reviewer, decision }, result);
        throw late ? new VigilError('approval_closed', `${id} expired at ${record.expiresAt}`) : refusal;
      }
      this.#notify(result.record, 'approval.decided', reviewer.subject, { outcome, reason: shown });
      if (result.record.status !== 'pending') await this.#settled(result.record, reviewer);
      return result.record;
    });
  }

  get(id: string): Promise<ApprovalRecord | null> {
    return this.#deps.store.getApproval(id);
  }

  // Access requests and break-glass.

  /** Asks for a time-bound grant; reviewers decide it like a held action. */
  async requestAccess(input: AccessRequestInput): Promise<ApprovalRecord> {
    const record = await this.#access.request(this.#masked(input));
    this.#requestSessions.bind(record);
    return record;
  }

  /** Emergency access at once, recorded, announced and queued for review afterwards. */
  async breakGlass(input: AccessRequestInput): Promise<{ grant: GrantRecord; review: ApprovalRecord }> {
    const used = await this.#access.breakGlass(this.#masked(input));
    this.#requestSessions.bind(used.review);
    return used;
  }

  #masked(input: AccessRequestInput): AccessRequestInput {
    return { ...input, reason: this.#deps.maskText(input.reason, input.connection) };
  }

  /**
   * Closes a pending request as withdrawn (its requester, or a reviewer whose approval it counts,
   * was offboarded): a held action is refused, never released, and a later vote finds it closed.
   */
  withdraw(id: string, reason: string): Promise<void> {
    return this.#close(id, 'withdrawn', reason);
  }

  /** Ends a grant early; sessions it admitted are cut by the grant watcher. */
  revokeGrant(id: string, by: Identity): Promise<GrantRecord> {
    return this.#grants.revoke(id, by);
  }

  // Closing and polling.

  /**
   * Picks up what changed elsewhere: decisions on another replica for actions held here, and
   * requests past their deadline that nobody holds (their gateway went away, or access requests).
   */
  async poll(): Promise<void> {
    // Asked mid-poll (a change notice): one more poll follows, for what this one may have read too early.
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = true;
    try {
      const watched = [...this.#held.ids(), ...this.#requestSessions.ids()];
      if (watched.length > 0) {
        const statuses = await this.#deps.store.approvalStatuses(watched);
        for (const [id, status] of statuses) {
          if (status === 'pending') continue;
          if (this.#held.has(id)) {
            const record = await this.#deps.store.getApproval(id);
            if (record) await this.#settled(record, null);
          }
          // In the request's queue: a decision or a close of our own that is under way lets go first.
          if (this.#requestSessions.has(id)) {
            await this.#queue.run(id, async () => this.#requestSessions.settledElsewhere(id, status));
          }
        }
      }
      // Every overdue request, not a page of the newest: see overdue-approvals.ts.
      await forEachOverdue(this.#deps.store, nowIso(this.#deps.clock.now()), async (r) => {
        if (!this.#held.has(r.id)) await this.#close(r.id, 'expired');
      });
    } catch (err) {
      this.#deps.logger.error({ err: (err as Error).message }, 'approval poll failed');
    } finally {
      this.#polling = false;
      if (this.#pollAgain) {
        this.#pollAgain = false;
        void this.poll();
      }
    }
  }

  /** A request closed by Vigil: the review timed out, or the requester went away. */
  #close(id: string, status: 'expired' | 'withdrawn', why?: string): Promise<void> {
    return this.#queue
      .run(id, () => this.#closeNow(id, status, why))
      .catch((err) => this.#logFailed(err, id, 'closing an approval failed'));
  }

  #logFailed(err: unknown, id: string, msg: string): void {
    this.#deps.logger.error({ err: (err as Error).message, approval_id: id }, msg);
  }

  /**
   * #close, inside the request's queue already. Closed in the store first, then recorded: of two
   * replicas closing one request at once (one access change, one sweep), or a close and a vote
   * elsewhere, only the one that closed it records. An unrecorded close refuses all the same.
   */
  async #closeNow(id: string, status: 'expired' | 'withdrawn', why?: string): Promise<void> {
    const record = await this.#deps.store.getApproval(id);
    if (record?.status !== 'pending') return;
    const closed = await this.#deps.store.closeApproval(id, status, nowIso(this.#deps.clock.now()));
    if (!closed) {
      const now = await this.#deps.store.getApproval(id);
      if (now) await this.#settled(now, null);
      return;
    }
    const outcome = status === 'expired' ? 'timeout' : 'withdrawn';
    try {
      await this.#deps.record(approvalContext(record, VIGIL_SYSTEM), 'approval.decided', {
        approval_id: id,
        kind: record.kind,
        decision: 'deny',
        reason: closeReason(status, why),
        outcome,
        approvals: record.votes.filter((v) => v.decision === 'approve').length,
        required: record.required,
      });
    } catch (err) {
      this.#logFailed(err, id, 'could not record a closed approval');
    }
    this.#notify({ ...record, status }, 'approval.decided', VIGIL_SYSTEM.subject, { outcome });
    this.#held.refuse(id, closedRefusal(id, status, why));
    if (record.kind === 'access') await this.#endRequestSession(record, outcome);
  }

  /** A request that reached approved or denied: release or refuse what waits on it, grant access. */
  async #settled(record: ApprovalRecord, decider: Identity | null): Promise<void> {
    if (record.status === 'approved') {
      const approvedBy = record.votes.filter((v) => v.decision === 'approve').map((v) => v.reviewer.subject);
      // `record` is the decided request as the store returned it: the pipeline checks this digest,
      // not the one it asked for, against what would run.
      this.#held.release(record.id, { approvalId: record.id, approvedBy, actionDigest: record.actionDigest });
      if (record.kind === 'access' && decider) await this.#grantAccess(record, decider);
      if (record.kind === 'break-glass' && decider) await this.#endRequestSession(record, 'reviewed');
      return;
    }
    if (record.status === 'denied') {
      this.#held.refuse(record.id, denialRefusal(record));
      if (record.kind === 'access' && decider) await this.#endRequestSession(record, 'denied');
      if (record.kind === 'break-glass' && decider) {
        const grantId = typeof record.subject.grant_id === 'string' ? record.subject.grant_id : null;
        if (grantId && this.#deps.grants.isActive(grantId)) await this.revokeGrant(grantId, decider);
        await this.#endRequestSession(record, 'reviewed');
      }
      return;
    }
    this.#held.refuse(record.id, settledElsewhereRefusal(record));
  }

  async #grantAccess(record: ApprovalRecord, approver: Identity): Promise<void> {
    const asked = typeof record.subject.duration_ms === 'number' ? record.subject.duration_ms : 0;
    // A reload that lowered max_duration while the request waited holds for it too.
    const durationMs = Math.min(asked, this.#deps.config().access_requests.max_duration);
    const grant = await this.#grants.issue(record, approver, durationMs);
    this.#notify(record, 'access.granted', approver.subject, { expires_at: grant.expiresAt });
    await this.#endRequestSession(record, 'approved');
  }

  /** The session of an access request ends with its outcome, recorded by the gateway that settled it. */
  #endRequestSession(record: ApprovalRecord, outcome: string): Promise<void> {
    return this.#requestSessions.end(record, outcome);
  }

  async #pending(id: string): Promise<ApprovalRecord> {
    const record = await this.#deps.store.getApproval(id);
    if (!record) throw new VigilError('approval_unknown', `no approval request ${id}`);
    if (record.status !== 'pending')
      throw new VigilError('approval_closed', `${id} is already ${record.status}`);
    if (Date.parse(record.expiresAt) <= this.#deps.clock.now()) {
      throw new VigilError('approval_closed', `${id} expired at ${record.expiresAt}`);
    }
    return record;
  }

  #notify(
    record: ApprovalRecord,
    kind: NoticeKind,
    actor: string,
    extra: Partial<ApprovalNotice> = {},
  ): void {
    this.#deps.notifier.notify(noticeFor(record, kind, actor, nowIso(this.#deps.clock.now()), extra));
  }
}
