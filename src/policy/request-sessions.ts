// The sessions this gateway opened for access requests and break-glass uses, each until its request
// is settled. Any replica may settle a request (a reviewer's vote, a withdrawal, a deadline), and
// the one that does records the outcome and the session's end. The replica that opened the session
// learns of it from the store (the approvals poll, or the store's notice) and lets go of the
// session without recording anything: kept live, its shutdown or the requester's offboarding would
// record a second session.end, and an access.revoked, in a session the ledger had closed already.
import type { JsonObject } from '../core/events.js';
import type { ApprovalKind, ApprovalRecord, ApprovalStatus } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import { approvalContext } from './grant-issuer.js';

/** A request's session as the gateway hands it out: `release` lets go of it without recording. */
export interface RequestSession extends EventContext {
  release(): void;
}

export interface RequestSessionsDeps {
  readonly endSession: (ctx: EventContext, facts: JsonObject) => Promise<void>;
  readonly logger: { warn(obj: object, msg: string): void };
}

interface Tracked {
  readonly session: RequestSession;
  readonly kind: ApprovalKind;
}

export class RequestSessions {
  readonly #deps: RequestSessionsDeps;
  /**
   * Opened, and not yet known by the request recorded in it (by session id). A request that fails
   * after its session opened leaves it here, as it stays live until this gateway ends it.
   */
  readonly #opened = new Map<string, RequestSession>();
  /** By request id: what this gateway still holds. */
  readonly #byRequest = new Map<string, Tracked>();

  constructor(deps: RequestSessionsDeps) {
    this.#deps = deps;
  }

  opened(session: RequestSession): RequestSession {
    this.#opened.set(session.sessionId, session);
    return session;
  }

  /** The request recorded in a session opened here: from now on it is watched by request id. */
  bind(record: ApprovalRecord): void {
    const session = this.#opened.get(record.sessionId);
    if (!session) return;
    this.#opened.delete(record.sessionId);
    this.#byRequest.set(record.id, { session, kind: record.kind });
  }

  /** The requests whose sessions this gateway holds, for the poll to read their statuses. */
  ids(): string[] {
    return [...this.#byRequest.keys()];
  }

  has(id: string): boolean {
    return this.#byRequest.has(id);
  }

  /** Ends the session of a request settled on this gateway, with its outcome. */
  async end(record: ApprovalRecord, outcome: string): Promise<void> {
    this.#byRequest.delete(record.id);
    try {
      await this.#deps.endSession(approvalContext(record, record.requester), {
        outcome,
        approval_id: record.id,
      });
    } catch (err) {
      this.#deps.logger.warn(
        { err: (err as Error).message, approval_id: record.id },
        'could not end an access-request session',
      );
    }
  }

  /**
   * A request the store says is settled, and whose session this gateway still holds: it was settled
   * on another replica (those settled here have let go already, inside the request's queue). Whoever
   * settled an access request recorded its session's end; so did whoever reviewed a break-glass use,
   * but a break-glass review that expired or was withdrawn ends nothing, and its session stays
   * here until this gateway ends it.
   */
  settledElsewhere(id: string, status: ApprovalStatus): void {
    const tracked = this.#byRequest.get(id);
    if (!tracked || status === 'pending') return;
    this.#byRequest.delete(id);
    const ended = tracked.kind === 'access' || status === 'approved' || status === 'denied';
    if (ended) tracked.session.release();
  }
}
