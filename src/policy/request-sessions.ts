// The sessions this gateway opened for access requests and break-glass uses, each until its request
// is settled. Any replica may settle a request (a reviewer's vote, a withdrawal, a deadline), and
// the one that does records the outcome and the session's end. The replica that opened the session
// learns of it from the store (the approvals poll, or the store's notice) and lets go of the
// session without recording anything: kept live, its shutdown or the requester's offboarding would
// record a second session.end, and an access.revoked, in a session the ledger had closed already.
// Every end goes through the store's settleRequestSession, which hands over the request's committed
// status and whether its session has ended, one replica at a time: a replica that shuts down before
// the store's notice reaches it lets go of a request settled elsewhere, and a request decided after
// its replica restarted (the restart ended its session) gets no second end.
import type { RequestSessionState } from '../core/approval-ports.js';
import type { JsonObject } from '../core/events.js';
import type { ApprovalKind, ApprovalRecord, ApprovalStatus, ApprovalStore } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import { approvalContext } from './grant-issuer.js';

/** A request's session as the gateway hands it out: `release` lets go of it without recording. */
export interface RequestSession extends EventContext {
  release(): void;
}

/** Why this gateway ends a request's session: its request was settled, or the gateway shuts down. */
export type RequestSessionEnd = 'closed' | 'shutdown';

export interface RequestSessionsDeps {
  readonly store: Pick<ApprovalStore, 'settleRequestSession'>;
  readonly endSession: (ctx: EventContext, facts: JsonObject, reason?: RequestSessionEnd) => Promise<void>;
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
  /**
   * One end at a time on this gateway: on PostgreSQL each holds its request's row, and a pool
   * connection with it, until the end is recorded (on another connection of the same pool).
   */
  #ending: Promise<unknown> = Promise.resolve();

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

  /**
   * Ends the session of a request settled on this gateway, with its outcome: unless the ledger holds
   * its end already (the gateway that opened it restarted, or shut down, since).
   */
  async end(record: ApprovalRecord, outcome: string): Promise<void> {
    const tracked = this.#byRequest.get(record.id);
    this.#byRequest.delete(record.id);
    await this.#settle(record.id, async ({ sessionEnded }) => {
      if (sessionEnded) return tracked?.session.release();
      await this.#deps.endSession(approvalContext(record, record.requester), {
        outcome,
        approval_id: record.id,
      });
    });
  }

  /**
   * The gateway shuts down: the sessions of requests it still holds end, unless the store says their
   * request was settled elsewhere (its settler records the end, or has) before the notice got here.
   * `inQueue` runs each in its request's queue, after a decision of this gateway's under way.
   */
  async shutDown(inQueue: (id: string, run: () => Promise<void>) => Promise<void>): Promise<void> {
    for (const [id, tracked] of [...this.#byRequest]) {
      this.#byRequest.delete(id);
      await inQueue(id, () =>
        this.#settle(id, async ({ status, sessionEnded }) => {
          if (sessionEnded || endedBySettler(tracked.kind, status)) return tracked.session.release();
          await this.#deps.endSession(tracked.session, {}, 'shutdown');
        }),
      );
    }
  }

  /** Runs `settle` under the store's settleRequestSession, one at a time; a failure is logged. */
  #settle(id: string, settle: (state: RequestSessionState) => Promise<void>): Promise<void> {
    const run = this.#ending.then(() => this.#deps.store.settleRequestSession(id, settle));
    this.#ending = run.catch(() => undefined);
    return run.then(
      () => undefined,
      (err) =>
        this.#deps.logger.warn(
          { err: (err as Error).message, approval_id: id },
          'could not end an access-request session',
        ),
    );
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
    if (endedBySettler(tracked.kind, status)) tracked.session.release();
  }
}

/**
 * Whether whoever settled a request records its session's end: every settled access request's, and
 * a break-glass use's once reviewed (one that expired or was withdrawn ends nothing).
 */
function endedBySettler(kind: ApprovalKind, status: ApprovalStatus): boolean {
  return status !== 'pending' && (kind === 'access' || status === 'approved' || status === 'denied');
}
