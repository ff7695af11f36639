// Cancel requests: the client gets a (pid, secret) Vigil made up, never the upstream's real key,
// so it can cancel only its own query through Vigil. A cancel request arrives on a fresh
// connection with no authentication; the key itself is the capability. A cancel changes what runs
// on the server, so the session it cancels records it (db.cancel) before the server gets it, and
// a cancel that cannot be recorded is not passed on (fail closed).
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { connect } from 'node:net';
import { toVigilError } from '../../core/errors.js';
import type { ModuleLogger } from '../../pipeline/module-context.js';
import type { UpstreamTarget } from './upstream-connect.js';
import { cancelRequest } from './wire-writer.js';

/** Where a cancel request came from: the peer of its own connection (null when not known). */
export interface CancelOrigin {
  readonly peer: string | null;
}

/**
 * The session a key belongs to hears of a cancel before the server does: it records the cancel
 * and withdraws a statement held for review. It resolves whether the cancel may go on to the
 * server (it rejects, or resolves false, when the cancel is not on record); a listener that answers
 * nothing has no session to record it in, so the cancel is kept back.
 */
export type CancelListener = (origin: CancelOrigin) => undefined | Promise<boolean>;

/** What became of a cancel request. */
export type CancelOutcome = 'forwarded' | 'unknown-key' | 'not-recorded';

/** Sends a CancelRequest to the upstream (cancelUpstream; replaced in unit tests). */
export type UpstreamCanceller = (target: UpstreamTarget, pid: number, secret: Buffer) => Promise<void>;

interface UpstreamKey {
  readonly secret: Buffer;
  readonly target: UpstreamTarget;
  readonly pid: number;
  readonly upstreamSecret: Buffer;
  readonly onCancel: CancelListener;
}

/**
 * Sends a CancelRequest for an upstream backend; resolves once the server has read it and closed
 * the connection (PostgreSQL answers a cancel by closing), or after `timeoutMs`.
 */
export function cancelUpstream(
  target: UpstreamTarget,
  pid: number,
  secret: Buffer,
  timeoutMs = 2000,
): Promise<void> {
  return new Promise((resolve) => {
    // PostgreSQL accepts a plain cancel request whatever its TLS settings (pg_hba does not apply).
    const socket = connect({ host: target.host, port: target.port }, () => {
      socket.end(cancelRequest(pid, secret));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => resolve());
    socket.setTimeout(timeoutMs, () => socket.destroy());
  });
}

const forwardToUpstream: UpstreamCanceller = (target, pid, secret) =>
  cancelUpstream(target, pid, secret, 10_000);

export class CancelKeys {
  readonly #byPid = new Map<number, UpstreamKey>();
  readonly #logger: Pick<ModuleLogger, 'warn'>;
  readonly #forward: UpstreamCanceller;

  constructor(logger: Pick<ModuleLogger, 'warn'>, forward: UpstreamCanceller = forwardToUpstream) {
    this.#logger = logger;
    this.#forward = forward;
  }

  /** A fresh client-facing key for an upstream backend's key. */
  issue(
    target: UpstreamTarget,
    pid: number,
    upstreamSecret: Buffer,
    onCancel: CancelListener,
  ): { pid: number; secret: Buffer } {
    let clientPid: number;
    do clientPid = randomInt(1, 0x7fffffff);
    while (this.#byPid.has(clientPid));
    const secret = randomBytes(4);
    this.#byPid.set(clientPid, { secret, target, pid, upstreamSecret, onCancel });
    return { pid: clientPid, secret };
  }

  release(clientPid: number): void {
    this.#byPid.delete(clientPid);
  }

  /**
   * A cancel request as it arrived: returns at once whether the key matched, and passes it on in
   * the background once its session has recorded it (`request` is the same, awaited). The client
   * is never told either way, as PostgreSQL tells it nothing.
   */
  cancel(clientPid: number, secret: Buffer, peer: string | null = null): boolean {
    const key = this.#match(clientPid, secret, peer);
    if (key) void this.#pass(key, { peer });
    return key !== null;
  }

  /** `cancel`, resolving once the request went to the server or was kept back. */
  request(clientPid: number, secret: Buffer, peer: string | null = null): Promise<CancelOutcome> {
    const key = this.#match(clientPid, secret, peer);
    return key ? this.#pass(key, { peer }) : Promise.resolve('unknown-key');
  }

  /** The live key a request names, or null (logged, without the secret it carried). */
  #match(clientPid: number, secret: Buffer, peer: string | null): UpstreamKey | null {
    const key = this.#byPid.get(clientPid);
    if (key && key.secret.length === secret.length && timingSafeEqual(key.secret, secret)) return key;
    // Someone guessing keys, or a client whose session ended: the secret is a credential, never logged.
    this.#logger.warn(
      { pid: clientPid, peer, reason: key ? 'wrong secret' : 'no live session has this key' },
      'postgres cancel request matches no session: not forwarded',
    );
    return null;
  }

  /** Asks the session first (write-ahead), then the server. Never rejects. */
  async #pass(key: UpstreamKey, origin: CancelOrigin): Promise<CancelOutcome> {
    let recorded: boolean;
    try {
      recorded = (await key.onCancel(origin)) === true;
    } catch (err) {
      this.#logger.warn(
        { peer: origin.peer, err: toVigilError(err).message },
        'postgres cancel request not recorded: not forwarded',
      );
      return 'not-recorded';
    }
    if (!recorded) {
      this.#logger.warn(
        { peer: origin.peer },
        'postgres cancel request has no session to record it: not forwarded',
      );
      return 'not-recorded';
    }
    await this.#forward(key.target, key.pid, key.upstreamSecret);
    return 'forwarded';
  }
}
