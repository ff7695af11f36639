// The one pipeline every protocol goes through:
//   authenticate → authorize → policy → mask → record → (the adapter forwards)
// Adapters parse their wire format into event drafts and map VigilErrors back to it; they never
// decide policy, mask or record on their own.

import { isVigilError, VigilError } from '../core/errors.js';
import type { EventDraft, EventType, Identity, JsonObject, RecordedEvent } from '../core/events.js';
import { nowIso } from '../core/events.js';
import type { Clock, PayloadMasker } from '../core/ports.js';
import type { AuthenticatedIdentity, Authenticator } from '../identity/authenticator.js';
import type { Recorder } from '../ledger/recorder.js';
import { type AccessRules, authorizeConnection } from './authorize.js';
import type { Policy } from './policy.js';

export type RecordFailureMode = 'fail-closed' | 'fail-open';

export interface PipelineLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PipelineDeps {
  readonly authenticator: Authenticator;
  readonly masker: PayloadMasker;
  readonly recorder: Recorder;
  readonly policy: Policy;
  readonly clock: Clock;
  readonly onRecordFailure: RecordFailureMode;
  readonly logger: PipelineLogger;
}

/** Where an event belongs: filled in by the session layer. */
export interface EventContext {
  readonly sessionId: string;
  readonly connection: string;
  readonly identity: Identity;
  readonly protocol: string;
}

export class Pipeline {
  readonly #deps: PipelineDeps;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  get masker(): PayloadMasker {
    return this.#deps.masker;
  }

  /** Who presented this credential. Throws auth_* VigilErrors. */
  authenticate(credential: string | null): Promise<AuthenticatedIdentity> {
    return this.#deps.authenticator.authenticate(credential);
  }

  /** May this identity use the connection? Throws forbidden_connection. */
  authorize(authenticated: AuthenticatedIdentity, rules: AccessRules): void {
    authorizeConnection(authenticated, rules);
  }

  /**
   * An action on its way to the target (a prompt, a statement, a command): policy decides, then
   * the event is masked and durably recorded. Only when this resolves may the adapter forward.
   * A denial is recorded (the action and the decision) and thrown as `policy_denied`.
   */
  async submit(ctx: EventContext, type: EventType, payload: JsonObject): Promise<RecordedEvent | null> {
    const draft = this.#draft(ctx, type, payload);
    const decision = this.#deps.policy.evaluate(draft);
    if (decision.action === 'deny') {
      await this.#recordOrFail(draft, ctx.protocol);
      await this.#recordOrFail(
        this.#draft(ctx, 'policy.decision', {
          action: 'deny',
          rule: decision.rule,
          reason: decision.reason,
          subject_type: type,
        }),
        ctx.protocol,
      );
      throw new VigilError('policy_denied', `denied by rule ${decision.rule}: ${decision.reason}`, {
        details: { rule: decision.rule },
      });
    }
    return this.#recordOrFail(draft, ctx.protocol);
  }

  /**
   * Something that happened (a response, a result, a session boundary): masked and recorded.
   * Rejects with `record_failed` in fail-closed mode so the adapter can withhold it from the client.
   */
  async observe(ctx: EventContext, type: EventType, payload: JsonObject): Promise<RecordedEvent | null> {
    return this.#recordOrFail(this.#draft(ctx, type, payload), ctx.protocol);
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
  async #recordOrFail(draft: EventDraft, protocol: string): Promise<RecordedEvent | null> {
    try {
      const masked = { ...draft, payload: this.#deps.masker.maskPayload(draft.payload, draft.connection) };
      return await this.#deps.recorder.append(masked, protocol);
    } catch (err) {
      const failure = isVigilError(err)
        ? err
        : new VigilError('record_failed', 'recording failed', { cause: err });
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
