// Time-bound access on the live path: refreshes the active grants and cuts every live session a
// grant admitted once that grant has expired or been revoked, each cut recorded as access.revoked.
import type { SessionManager } from '../pipeline/sessions.js';
import type { GrantCache } from '../policy/grant-cache.js';

export class GrantWatcher {
  readonly #grants: GrantCache;
  readonly #sessions: SessionManager;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(
    grants: GrantCache,
    sessions: SessionManager,
    intervalMs: number,
    onError: (err: unknown) => void,
  ) {
    this.#grants = grants;
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

  async check(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#grants.refresh();
      const cuts = this.#sessions.liveSessions().flatMap((session) => {
        const grantId = session.grantId;
        if (grantId === null || this.#grants.isActive(grantId)) return [];
        return [
          this.#sessions.revoke(session, {
            reason: this.#grants.endReason(grantId),
            grant_id: grantId,
            subject: session.identity.subject,
          }),
        ];
      });
      await Promise.all(cuts);
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#running = false;
    }
  }
}
