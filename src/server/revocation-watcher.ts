// Offboarding on the live path: polls the access state and cuts every live session of a disabled
// identity or a revoked token (open streams, database connections), each recorded as access.revoked.
import type { AccessState } from '../identity/access-state.js';
import type { SessionManager } from '../pipeline/sessions.js';

export class RevocationWatcher {
  readonly #access: AccessState;
  readonly #sessions: SessionManager;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(
    access: AccessState,
    sessions: SessionManager,
    intervalMs: number,
    onError: (err: unknown) => void,
  ) {
    this.#access = access;
    this.#sessions = sessions;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** One pass: refresh the access state and cut what it now forbids. */
  async check(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#access.refresh();
      const cuts = this.#sessions.liveSessions().flatMap((session) => {
        const { subject, tokenId } = session.identity;
        if (this.#access.isDisabled(subject))
          return [this.#sessions.revoke(session, { reason: 'identity-disabled', subject })];
        if (this.#access.isRevoked(tokenId)) {
          return [
            this.#sessions.revoke(session, { reason: 'token-revoked', subject, token_id: tokenId ?? null }),
          ];
        }
        return [];
      });
      await Promise.all(cuts);
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#running = false;
    }
  }
}
