// The one pipeline every protocol goes through:
//   authenticate → authorize → policy → mask → record → (the adapter forwards)
// Adapters parse their wire format into event drafts and map VigilErrors back to it; they never
// decide policy, mask or record on their own.

import { isVigilError, VigilError } from '../core/errors.js';
import type { EventDraft, EventType, Identity, JsonObject, RecordedEvent } from '../core/events.js';
import { nowIso } from '../core/events.js';
import type { Clock, PayloadMasker } from '../core/ports.js';
import type { AuthenticatedIdentity, Authenticator, Credential } from '../identity/authenticator.js';
import type { AppendOptions, Recorder } from '../ledger/recorder.js';
import {
  type AccessRules,
  type ActiveGrant,
  authorizeConnection,
  type GrantLookup,
  NO_GRANTS,
} from './authorize.js';
import { type ActionClock, observeAction, type PipelineObserver } from './observer.js';
import type { Policy, PolicyAlert, PolicyDecision, ReviewRequirement } from './policy.js';

export type RecordFailureMode = 'fail-closed' | 'fail-open';

export interface PipelineLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** An action held for review: what the approval service needs to ask reviewers and wait. */
export interface HoldRequest {
  readonly ctx: EventContext;
  readonly type: EventType;
  /** Already masked: reviewers, webhooks and the ledger never see the raw action. */
  readonly payload: JsonObject;
  readonly rule: string;
  readonly reason: string;
  readonly review: ReviewRequirement;
  /** What reviewers approve: the digest of exactly what will run (SubmitOptions.actionDigest), or null. */
  readonly actionDigest: string | null;
  /** Aborted when the requester goes away: the request is withdrawn. */
  readonly signal?: AbortSignal;
  readonly onHeld?: (notice: HeldNotice) => void;
}

/** Who approved a held action: linked from the executed action's event. */
export interface HoldApproval {
  readonly approvalId: string;
  readonly approvedBy: readonly string[];
  /**
   * The digest the reviewers approved, read back from the stored request that was decided (never
   * the one held in memory), so a request changed in the store cannot release a different action.
   */
  readonly actionDigest: string | null;
}

/**
 * Holds actions for review (policy/approval-service.ts). `hold` records approval.requested, tells
 * reviewers and resolves once enough of them approve; it rejects with approval_denied,
 * approval_timeout or approval_withdrawn, each already recorded as approval.decided.
 */
export interface Approver {
  hold(request: HoldRequest): Promise<HoldApproval>;
  /** Tells reviewers about an alert rule that matched (best effort, never blocks the action). */
  alert(ctx: EventContext, type: EventType, payload: JsonObject, alerts: readonly PolicyAlert[]): void;
}

/** Without an approval service every review is refused: nothing held can ever be approved. */
const NO_APPROVER: Approver = {
  hold: async (r) => {
    throw new VigilError('approval_denied', `rule ${r.rule} needs a review and no approval service runs`);
  },
  alert: () => undefined,
};

/** What a requester can be told while their action waits. */
export interface HeldNotice {
  readonly approvalId: string;
  readonly expiresAt: string;
  readonly approvers: readonly string[];
  readonly required: number;
  readonly rule: string;
}

/**
 * How an adapter submits an action.
 *
 * `actionDigest` binds a review to what will actually run: the adapter's `actionDigest(parts)`
 * (core/action-digest.ts) of exactly what it will send if allowed — PostgreSQL: the statement text
 * and its parameters; LLM: the request body bytes. On `review` the digest is stored with the
 * request and shown to reviewers; on release the pipeline compares the digest the reviewers
 * approved (read back from the store) with this one, and any difference — including one side
 * missing — refuses the action with `approval_mismatch` (recorded as a `policy.decision`, nothing
 * forwarded). Without a review (allow, break-glass) the digest is not checked.
 *
 * If what the adapter finally writes is computed after `submit` resolves, it passes the event
 * `submit` resolved with and the digest of those final bytes to `Pipeline.assertApproved` just
 * before writing: that refuses (recorded) when the action was released by a review for another
 * digest.
 */
export interface SubmitOptions {
  /**
   * SHA-256 hex of exactly what will be sent if allowed (see above), or a function computing it:
   * it is only needed when the action is held for review, so the common path never hashes.
   */
  readonly actionDigest?: string | (() => string);
  /** Aborted when the client goes away while its action is held for review. */
  readonly signal?: AbortSignal;
  /** Called once the action is held (recorded, reviewers told), e.g. to show a notice to the client. */
  readonly onHeld?: (notice: HeldNotice) => void;
  /** Facts reviewers need that only the target knows (the session's search_path), asked only on review. */
  readonly reviewFacts?: () => Promise<JsonObject>;
}

export interface PipelineDeps {
  readonly approver?: Approver;
  readonly grants?: GrantLookup;
  readonly authenticator: Authenticator;
  readonly masker: PayloadMasker;
  readonly recorder: Recorder;
  readonly policy: Policy;
  readonly clock: Clock;
  readonly onRecordFailure: RecordFailureMode;
  readonly logger: PipelineLogger;
  /** Told each action's outcome and every record failure (metrics); absent, submit does no timing. */
  readonly observer?: PipelineObserver;
}

/** Where an event belongs: filled in by the session layer. */
export interface EventContext {
  readonly sessionId: string;
  readonly connection: string;
  readonly identity: Identity;
  readonly protocol: string;
}

/** A held action released by its reviewers: what `assertApproved` checks the final bytes against. */
interface ReleasedAction {
  readonly ctx: EventContext;
  readonly type: EventType;
  readonly approvalId: string;
  readonly digest: string | null;
}

export class Pipeline {
  readonly #deps: PipelineDeps;
  /**
   * Keyed by the event `submit` resolved with, so only this pipeline can vouch for a release (an
   * adapter cannot forge one) and masking of the recorded payload never affects the check.
   */
  readonly #released = new WeakMap<RecordedEvent, ReleasedAction>();

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  get masker(): PayloadMasker {
    return this.#deps.masker;
  }

  /** Who presented this credential. Throws auth_* VigilErrors. */
  authenticate(credential: Credential): Promise<AuthenticatedIdentity> {
    return this.#deps.authenticator.authenticate(credential);
  }

  /** Whether a public key is registered to an identity: lets a protocol say "sign with it" only for keys that could get in. */
  knowsPublicKey(key: Uint8Array): boolean {
    return this.#deps.authenticator.knowsPublicKey(key);
  }

  /** May this identity use the connection? Throws forbidden_connection; returns the grant that admitted it. */
  authorize(authenticated: AuthenticatedIdentity, rules: AccessRules): ActiveGrant | null {
    return authorizeConnection(authenticated, rules, this.#deps.grants ?? NO_GRANTS);
  }

  /**
   * An action on its way to the target (a prompt, a statement, a command): policy decides, then
   * the event is masked and durably recorded. Only when this resolves may the adapter forward.
   * A denial is recorded (the action and the decision) and thrown as `policy_denied`; an action
   * held for review waits here until reviewers decide, and the recorded action names its approval.
   */
  async submit(
    ctx: EventContext,
    type: EventType,
    payload: JsonObject,
    options: SubmitOptions = {},
  ): Promise<RecordedEvent | null> {
    const observer = this.#deps.observer;
    if (!observer) return this.#submit(ctx, type, payload, options, null);
    return observeAction(observer, ctx, type, (clock) => this.#submit(ctx, type, payload, options, clock));
  }

  async #submit(
    ctx: EventContext,
    type: EventType,
    payload: JsonObject,
    options: SubmitOptions,
    clock: ActionClock | null,
  ): Promise<RecordedEvent | null> {
    const draft = this.#draft(ctx, type, payload);
    const { decision, alerts } = this.#deps.policy.evaluate(draft);
    if (alerts.length > 0) await this.#recordAlerts(ctx, type, draft, alerts);
    if (decision.action === 'deny') {
      await this.#recordOrFail(draft, ctx.protocol);
      await this.#recordDecision(ctx, type, { action: 'deny', rule: decision.rule, reason: decision.reason });
      throw new VigilError('policy_denied', `denied by rule ${decision.rule}: ${decision.reason}`, {
        details: { rule: decision.rule },
      });
    }
    if (decision.action === 'review') {
      const breakGlass = this.#deps.grants?.activeGrant(ctx.identity, ctx.connection);
      if (breakGlass?.breakGlass) {
        // Emergency access skips the wait, never the record: the decision names the grant to review.
        await this.#recordDecision(ctx, type, {
          action: 'allow',
          rule: decision.rule,
          reason: decision.reason,
          break_glass: breakGlass.id,
        });
        return this.#recordOrFail(
          { ...draft, payload: { ...payload, break_glass: breakGlass.id } },
          ctx.protocol,
        );
      }
      const digest = options.actionDigest;
      const bound = digest === undefined ? null : typeof digest === 'function' ? digest() : digest;
      clock?.held();
      const shown = options.reviewFacts ? { ...payload, ...(await options.reviewFacts()) } : payload;
      const approval = await (this.#deps.approver ?? NO_APPROVER).hold({
        ctx,
        type,
        payload: this.#deps.masker.maskPayload(shown, ctx.connection),
        rule: decision.rule,
        reason: decision.reason,
        review: decision.review,
        actionDigest: bound,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onHeld ? { onHeld: options.onHeld } : {}),
      });
      clock?.released();
      const released: ReleasedAction = { ctx, type, approvalId: approval.approvalId, digest: bound };
      await this.#refuseMismatch(released, approval.actionDigest ?? null);
      await this.#refuseIfDeniedNow(draft, ctx, type, approval.approvalId);
      const approved = {
        ...shown,
        approval: {
          id: approval.approvalId,
          approved_by: [...approval.approvedBy],
          // approval.requested already says when nothing was bound; no key here means the same.
          ...(bound === null ? {} : { action_digest: bound }),
        },
      };
      const recorded = await this.#recordOrFail(
        { ...draft, time: nowIso(this.#deps.clock.now()), payload: approved },
        ctx.protocol,
      );
      if (recorded) this.#released.set(recorded, released);
      return recorded;
    }
    return this.#recordOrFail(draft, ctx.protocol);
  }

  /**
   * Policy judged again once reviewers released an action: a reload may have added a rule that
   * denies it while it waited (the same action sent now would be denied). Only a denial counts: the
   * approval answered the review. Recorded like any denial, naming the approval; nothing is forwarded.
   */
  async #refuseIfDeniedNow(
    draft: EventDraft,
    ctx: EventContext,
    type: EventType,
    approvalId: string,
  ): Promise<void> {
    const { decision } = this.#deps.policy.evaluate(draft);
    if (decision.action !== 'deny') return;
    await this.#recordOrFail(draft, ctx.protocol);
    await this.#recordDecision(ctx, type, {
      action: 'deny',
      rule: decision.rule,
      reason: decision.reason,
      approval_id: approvalId,
    });
    throw new VigilError('policy_denied', `denied by rule ${decision.rule}: ${decision.reason}`, {
      details: { rule: decision.rule },
    });
  }

  /**
   * The last-moment check (see SubmitOptions): `recorded` is what `submit` resolved with, `digest`
   * the digest of the bytes about to be written. An action a review released must carry the digest
   * the reviewers approved, else this records the refusal and throws `approval_mismatch`. Actions
   * not held for review pass. A null `recorded` (fail-open lost the record) carries no release to
   * check; the comparison at release time in `submit` has still been made.
   */
  async assertApproved(recorded: RecordedEvent | null, digest: string): Promise<void> {
    const released = recorded ? this.#released.get(recorded) : undefined;
    if (released) await this.#refuseMismatch({ ...released, digest }, released.digest);
  }

  /** Refuses, recorded, when what would run (`action.digest`) is not what the reviewers approved. */
  async #refuseMismatch(action: ReleasedAction, approvedDigest: string | null): Promise<void> {
    if (approvedDigest === action.digest) return;
    const { ctx, type, approvalId } = action;
    try {
      await this.#recordDecision(ctx, type, {
        action: 'deny',
        rule: 'approval_mismatch',
        reason: 'what would run differs from what the reviewers approved',
        approval_id: approvalId,
        approved_digest: approvedDigest,
        action_digest: action.digest,
      });
    } catch (err) {
      // Refused either way: nothing is forwarded, so an unrecorded refusal lets nothing through.
      this.#deps.logger.error(
        { err: (err as Error).message, approval_id: approvalId },
        'could not record an approval mismatch',
      );
    }
    throw new VigilError(
      'approval_mismatch',
      `${approvalId} approved a different action than the one that would run; it was not run`,
      { details: { approval_id: approvalId } },
    );
  }

  async #recordDecision(ctx: EventContext, type: EventType, facts: JsonObject): Promise<void> {
    await this.#recordOrFail(
      this.#draft(ctx, 'policy.decision', { ...facts, subject_type: type }),
      ctx.protocol,
    );
  }

  /** Alert rules let the action through; the match is recorded and reviewers are told. */
  async #recordAlerts(
    ctx: EventContext,
    type: EventType,
    draft: EventDraft,
    alerts: readonly PolicyAlert[],
  ): Promise<void> {
    for (const alert of alerts) {
      await this.#recordDecision(ctx, type, { action: 'alert', rule: alert.rule, reason: alert.reason });
    }
    (this.#deps.approver ?? NO_APPROVER).alert(
      ctx,
      type,
      this.#deps.masker.maskPayload(draft.payload, ctx.connection),
      alerts,
    );
  }

  /**
   * Something that happened (a response, a result, a session boundary): masked and recorded.
   * Rejects with `record_failed` in fail-closed mode so the adapter can withhold it from the client.
   */
  async observe(
    ctx: EventContext,
    type: EventType,
    payload: JsonObject,
    options?: AppendOptions,
  ): Promise<RecordedEvent | null> {
    return this.#recordOrFail(this.#draft(ctx, type, payload), ctx.protocol, options);
  }

  /**
   * What policy would decide for an action, recording nothing: for an action whose text must not be
   * stored (a line typed with echo off), judged all the same; the module records the outcome
   * without the text.
   */
  judge(ctx: EventContext, type: EventType, payload: JsonObject): PolicyDecision {
    return this.#deps.policy.evaluate(this.#draft(ctx, type, payload)).decision;
  }

  /**
   * An action the adapter refuses before policy can judge it, because it cannot know what the
   * target would run (unreadable text, a statement it cannot be certain of, a pinned setting): the
   * attempt is recorded (masked, marked `refused`) with its decision, as a policy denial would be.
   * Rejects with `record_failed` in fail-closed mode; the action is refused either way.
   */
  async refuseAction(
    ctx: EventContext,
    type: EventType,
    payload: JsonObject,
    err: VigilError,
  ): Promise<void> {
    try {
      await this.#recordOrFail(this.#draft(ctx, type, { ...payload, refused: err.code }), ctx.protocol);
      await this.#recordDecision(ctx, type, { action: 'deny', rule: err.code, reason: err.message });
    } catch (recordErr) {
      this.#deps.observer?.actionDecided(ctx, type, 'failed', 0);
      throw recordErr;
    }
    this.#deps.observer?.actionDecided(ctx, type, 'denied', 0);
  }

  /** Records an access attempt that was refused before any session existed. Never throws. */
  async recordDenial(ctx: EventContext, err: VigilError, facts: JsonObject): Promise<void> {
    try {
      await this.#recordOrFail(
        this.#draft(ctx, 'access.denied', { code: err.code, message: err.message, ...facts }),
        ctx.protocol,
      );
    } catch (recordErr) {
      this.#deps.logger.error({ err: recordErr }, 'could not record a denied access attempt');
    }
  }

  #draft(ctx: EventContext, type: EventType, payload: JsonObject): EventDraft {
    return {
      type,
      sessionId: ctx.sessionId,
      connection: ctx.connection,
      identity: ctx.identity,
      time: nowIso(this.#deps.clock.now()),
      payload,
    };
  }

  /** Mask, then record: nothing unmasked ever reaches the recorder. */
  async #recordOrFail(
    draft: EventDraft,
    protocol: string,
    options?: AppendOptions,
  ): Promise<RecordedEvent | null> {
    try {
      const masked = { ...draft, payload: this.#deps.masker.maskPayload(draft.payload, draft.connection) };
      return await this.#deps.recorder.append(masked, protocol, options);
    } catch (err) {
      const failure = isVigilError(err)
        ? err
        : new VigilError('record_failed', 'recording failed', { cause: err });
      this.#deps.observer?.recordFailed(draft.connection, draft.type);
      if (this.#deps.onRecordFailure === 'fail-open') {
        this.#deps.logger.warn({ code: failure.code, type: draft.type }, 'event not recorded (fail-open)');
        return null;
      }
      this.#deps.logger.error(
        { code: failure.code, type: draft.type },
        'event not recorded: refusing (fail-closed)',
      );
      throw new VigilError('record_failed', 'the event could not be recorded, so it was not forwarded', {
        cause: failure,
      });
    }
  }
}
