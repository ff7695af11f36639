// Cancel requests: the client gets a (pid, secret) Vigil made up, never the upstream's real key,
// so it can cancel only its own query through Vigil. A cancel request arrives on a fresh
// connection with no authentication; the key itself is the capability.
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { connect } from 'node:net';
import type { UpstreamTarget } from './upstream-connect.js';
import { cancelRequest } from './wire-writer.js';

interface UpstreamKey {
  readonly secret: Buffer;
  readonly target: UpstreamTarget;
  readonly pid: number;
  readonly upstreamSecret: Buffer;
  /** The client's session hears of its cancel first: a statement held for review is withdrawn. */
  readonly onCancel: () => void;
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

export class CancelKeys {
  readonly #byPid = new Map<number, UpstreamKey>();

  /** A fresh client-facing key for an upstream backend's key. */
  issue(
    target: UpstreamTarget,
    pid: number,
    upstreamSecret: Buffer,
    onCancel: () => void = () => undefined,
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

  /** Forwards a cancel to the upstream when the key matches; silently ignores it otherwise (as PostgreSQL does). */
  cancel(clientPid: number, secret: Buffer): boolean {
    const key = this.#byPid.get(clientPid);
    if (!key || key.secret.length !== secret.length || !timingSafeEqual(key.secret, secret)) return false;
    key.onCancel();
    void cancelUpstream(key.target, key.pid, key.upstreamSecret, 10_000);
    return true;
  }
}
