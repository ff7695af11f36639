// The statement a connection is submitting to the pipeline (policy, masking, write-ahead record),
// and what may end its wait: a statement held for review is withdrawn when its client cancels or
// leaves. One per connection; the common path allocates nothing per statement.
import type { JsonObject } from '../../core/events.js';
import { type EchoMasker, type EchoScope, echoMasker, SqlConnectionState } from '../../mask/index.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { HeldNotice } from '../../pipeline/pipeline.js';

export class StatementSubmission {
  readonly #session: ModuleSession;
  readonly #onHeld: (held: HeldNotice) => void;
  /** What the server's messages and cells about a statement may echo: secret names, what the connection remembers. */
  readonly #echo: EchoScope;
  /** Aborted to withdraw the statement being submitted; replaced only after a cancel used it. */
  #withdraw = new AbortController();
  #active = false;
  #held = false;

  /** What the server will run a held statement against, asked only when one is held (session-probe.ts). */
  readonly #reviewFacts: () => Promise<JsonObject>;

  /** `onHeld`: the statement waits for review (the client is told so); `secretName`: the masker's. */
  constructor(
    session: ModuleSession,
    onHeld: (held: HeldNotice) => void,
    secretName: (name: string) => boolean,
    reviewFacts: () => Promise<JsonObject>,
  ) {
    this.#session = session;
    this.#onHeld = onHeld;
    this.#reviewFacts = reviewFacts;
    this.#echo = { secretName, connection: new SqlConnectionState('postgres') };
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
   * Resolves with what may be recorded of the server's messages and result cells about the
   * statement (value-echoes.ts); rejects when it is refused.
   */
  async submit(payload: JsonObject, digest: (() => string) | undefined): Promise<EchoMasker> {
    this.#active = true;
    try {
      const recorded = await this.#session.submit('db.query', payload, {
        signal: this.#withdraw.signal,
        onHeld: (held: HeldNotice) => {
          this.#held = true;
          this.#onHeld(held);
        },
        ...(digest ? { actionDigest: digest } : {}),
        reviewFacts: this.#reviewFacts,
      });
      return echoMasker(payload, recorded?.payload ?? null, this.#echo);
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
