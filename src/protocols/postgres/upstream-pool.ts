// Server connections kept for the next session, as pgbouncer's session mode keeps them: when a
// client says goodbye on a quiet connection (no statement in flight, outside a transaction), its
// upstream connection is reset (DISCARD ALL, or the configured query) and parked; the next client
// of the same connection with the same startup parameters gets it instead of a new backend.
// Sessions stay separate in the ledger: only the server connection is shared, one session at a time.
// A connection is parked only if the reset ends in ReadyForQuery with status idle; anything else
// (an error, a notice of something unexpected, a timeout, leftover bytes) closes it instead.
// Before the reset the server is asked what the database has installed: where an extension or a
// language can keep state in the backend that DISCARD ALL does not clear (a dblink connection,
// PL/Python's globals), no backend is kept (session-residue.ts).
import { parseDataRow, parseParameterStatus } from './backend-messages.js';
import { FrameReader } from './frame-reader.js';
import { databaseKeepsProcessState, RESIDUE_CHECK_SQL } from './session-residue.js';
import type { UpstreamConnection } from './upstream-connect.js';
import { query, terminate } from './wire-writer.js';

export interface PoolSettings {
  /** Parked connections kept per pool key; 0 turns reuse off. */
  readonly maxIdle: number;
  /** A connection older than this is closed instead of parked or reused (ms). */
  readonly maxLifetimeMs: number;
  /** A parked connection unused for this long is closed (ms). */
  readonly idleTimeoutMs: number;
  /** Run on a connection before it is parked. */
  readonly resetQuery: string;
}

/** A server connection as the pool keeps it: the connection and when it was opened. */
export interface PooledUpstream extends UpstreamConnection {
  readonly openedAt: number;
  /** How many sessions used it before this one. */
  readonly reuses: number;
}

interface Parked {
  readonly upstream: PooledUpstream;
  readonly timer: NodeJS.Timeout;
  readonly drop: () => void;
}

/** A parked socket's errors end in its close (and the pool's drop); unheard, they would crash the process. */
const ignore = () => undefined;

const RESET_TIMEOUT_MS = 5000;
const MAX_RESET_REPLY_BYTES = 1024 * 1024;

export class UpstreamPool {
  readonly #settings: PoolSettings;
  readonly #idle = new Map<string, Parked[]>();
  readonly #now: () => number;
  #closed = false;

  constructor(settings: PoolSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
  }

  get enabled(): boolean {
    return this.#settings.maxIdle > 0 && !this.#closed;
  }

  /** Parked connections, all keys together (for tests and metrics). */
  get idleCount(): number {
    let n = 0;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  /** A parked connection for `key`, newest first, or null: the caller then opens a new one. */
  take(key: string): PooledUpstream | null {
    const list = this.#idle.get(key);
    while (list && list.length > 0) {
      const parked = list.pop()!;
      clearTimeout(parked.timer);
      const { upstream, drop } = parked;
      const socket = upstream.socket;
      socket.off('close', drop);
      socket.off('error', drop);
      // Bytes that arrived while parked (the server ending the backend) make it unusable.
      if (socket.destroyed || socket.readableLength > 0 || this.#tooOld(upstream)) {
        closeUpstream(upstream);
        continue;
      }
      // Read again from the next tick, by the new session's relay.
      socket.resume();
      return { ...upstream, reuses: upstream.reuses + 1 };
    }
    return null;
  }

  /**
   * Resets `upstream` and parks it under `key`; closes it instead when reuse is off, the pool for
   * the key is full, the connection is too old, or the reset does not end cleanly. Never throws.
   */
  async give(key: string, upstream: PooledUpstream): Promise<boolean> {
    // Once per socket: a connection reused many times must not collect a listener per reuse.
    if (!upstream.socket.listeners('error').includes(ignore)) upstream.socket.on('error', ignore);
    if (!this.#hasRoom(key) || this.#tooOld(upstream)) {
      closeUpstream(upstream);
      return false;
    }
    const reset = await this.#reset(upstream);
    if (!reset || !this.#hasRoom(key)) {
      closeUpstream(upstream);
      return false;
    }
    const socket = upstream.socket;
    // Paused while parked: what the server sends meanwhile stays buffered, and is noticed by take.
    socket.pause();
    const drop = () => this.#drop(key, reset);
    socket.once('close', drop);
    socket.once('error', drop);
    const timer = setTimeout(drop, this.#settings.idleTimeoutMs);
    timer.unref();
    const list = this.#idle.get(key) ?? [];
    list.push({ upstream: reset, timer, drop });
    this.#idle.set(key, list);
    return true;
  }

  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) {
      for (const parked of list) {
        clearTimeout(parked.timer);
        closeUpstream(parked.upstream);
      }
    }
    this.#idle.clear();
  }

  #drop(key: string, upstream: PooledUpstream): void {
    const list = this.#idle.get(key);
    const at = list?.findIndex((p) => p.upstream === upstream) ?? -1;
    if (list && at >= 0) {
      clearTimeout(list[at]!.timer);
      list.splice(at, 1);
    }
    closeUpstream(upstream);
  }

  #hasRoom(key: string): boolean {
    return this.enabled && (this.#idle.get(key)?.length ?? 0) < this.#settings.maxIdle;
  }

  #tooOld(upstream: PooledUpstream): boolean {
    return this.#now() - upstream.openedAt >= this.#settings.maxLifetimeMs;
  }

  /**
   * Asks what the database has installed (RESIDUE_CHECK_SQL), then sends the reset query, both at
   * once, and reads the server's answers: parameters it reports are kept (the next client is told
   * them), and only a database that keeps no state past the reset and a clean ReadyForQuery 'I'
   * after each, with nothing after the second, park the connection.
   */
  #reset(upstream: PooledUpstream): Promise<PooledUpstream | null> {
    const { socket } = upstream;
    if (socket.destroyed || upstream.reader.buffered > 0) return Promise.resolve(null);
    const reader = new FrameReader(MAX_RESET_REPLY_BYTES);
    const parameters = new Map(upstream.parameters);
    const installed: [string, string][] = [];
    let answered = 0;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: PooledUpstream | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onGone);
        socket.off('error', onGone);
        resolve(result);
      };
      const onGone = () => finish(null);
      const onData = (chunk: Buffer) => {
        reader.push(chunk);
        try {
          for (let frame = reader.next(); frame; frame = reader.next()) {
            if (frame.code === 'S') {
              const [name, value] = parseParameterStatus(frame.body);
              parameters.set(name, value);
            } else if (frame.code === 'D' && answered === 0) {
              const [what, name] = parseDataRow(frame.body);
              installed.push([what?.toString('latin1') ?? '', name?.toString('latin1') ?? '']);
            } else if (frame.code === 'Z' && answered === 0) {
              answered++;
              if (frame.body.toString('latin1', 0, 1) !== 'I' || databaseKeepsProcessState(installed))
                return finish(null);
            } else if (frame.code === 'Z') {
              const idle = frame.body.toString('latin1', 0, 1) === 'I' && reader.buffered === 0;
              return finish(
                idle
                  ? {
                      ...upstream,
                      reader: new FrameReader(upstream.reader.maxBytes),
                      parameters: [...parameters],
                      status: 'I',
                    }
                  : null,
              );
            } else if (frame.code !== 'C' && !(frame.code === 'T' && answered === 0)) {
              // An error, a notice, or anything else: the reset did not go as planned.
              return finish(null);
            }
          }
        } catch {
          finish(null);
        }
      };
      const timer = setTimeout(() => finish(null), RESET_TIMEOUT_MS);
      timer.unref();
      socket.on('data', onData);
      socket.once('close', onGone);
      socket.once('error', onGone);
      socket.write(Buffer.concat([query(RESIDUE_CHECK_SQL), query(this.#settings.resetQuery)]));
    });
  }
}

/** The key of a pool: connections are shared only between sessions that would start them alike. */
export function poolKey(params: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function closeUpstream(upstream: UpstreamConnection): void {
  const { socket } = upstream;
  if (socket.destroyed) return;
  socket.end(terminate());
  setTimeout(() => socket.destroy(), 1000).unref();
}
