// What every channel of one client connection shares: the admitted session, the connection's
// configuration, the upstream login (connecting, or failed), and one way to record what happened.
import type { EventType, JsonObject } from '../../core/events.js';
import type { ModuleLogger, ModuleSession } from '../../pipeline/module-context.js';
import type { SshConnectionConfig } from './config.js';
import type { Upstream } from './upstream-connect.js';

export interface ConnectionState {
  readonly session: ModuleSession;
  readonly config: SshConnectionConfig;
  readonly logger: ModuleLogger;
  /** Resolves once logged in to the host; rejects with the VigilError that refused it. */
  readonly upstream: Promise<Upstream>;
  /** Aborted when the client connection ends: held actions are withdrawn. */
  readonly signal: AbortSignal;
  /** performance.now() when the session started: asciicast times count from here. */
  readonly startedAt: number;
  /** Numbers channels in the order they open (the ledger's channel ids). */
  nextChannel(): number;
  /** Records an observation; a failure to record is logged, the session goes on. */
  record(type: EventType, payload: JsonObject): void;
  /** Called when the connection ends (cut, client gone, upstream lost): channels close themselves. */
  onEnd(close: (message: string | null) => void): void;
}
