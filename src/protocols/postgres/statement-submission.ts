// The statement a connection is submitting to the pipeline (policy, masking, write-ahead record),
// and what may end its wait: a statement held for review is withdrawn when its client cancels or
// leaves. One per connection; the common path allocates nothing per statement.
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { HeldNotice } from '../../pipeline/pipeline.js';

export class StatementSubmission {
  readonly #session: ModuleSession;
  readonly #onHeld: (held: HeldNotice) => void;
  /** Aborted to withdraw the statement being submitted; replaced only after a cancel used it. */
  #withdraw = new AbortController();
  #active = false;
  #held = false;

  /** `onHeld`: the statement waits for review (the client is told so). */
  constructor(session: ModuleSession, onHeld: (held: HeldNotice) => void) {
    this.#session = session;
    this.#onHeld = onHeld;
  }

  /** A statement is being judged and recorded. */
  get active(): boolean {
    return this.#active;
  }

  /** The statement being submitted waits for review (a cancel's record says so). */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Policy, masking, write-ahead recording; a hold waits here and ends with the client or its cancel.
   * Resolves with the statement's recorded (masked) payload, or null when its record was lost.
   */
  async submit(payload: JsonObject, digest: (() => string) | undefined): Promise<JsonObject | null> {
    this.#active = true;
    try {
      const recorded = await this.#session.submit('db.query', payload, {
        signal: this.#withdraw.signal,
        onHeld: (held: HeldNotice) => {
          this.#held = true;
          this.#onHeld(held);
        },
        ...(digest ? { actionDigest: digest } : {}),
      });
      return recorded?.payload ?? null;
    } finally {
      this.#active = false;
      this.#held = false;
    }
  }

  /** The client cancelled: a statement being submitted (held for review) is withdrawn. */
  withdraw(): void {
    if (!this.#active) return;
    this.#withdraw.abort();
    this.#withdraw = new AbortController();
  }

  /** The client left: whatever is being submitted is withdrawn, and nothing more will be. */
  close(): void {
    this.#withdraw.abort();
  }
}
