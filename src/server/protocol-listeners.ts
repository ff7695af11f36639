// Protocols that listen on ports of their own (databases, SSH), and the guards they contribute to
// the shared policy stage. The composition root calls these two functions; each protocol adds its
// case here and nowhere else in server/.
import type { VigilConfig } from '../core/config.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Guard } from '../pipeline/policy.js';
import type { SessionManager } from '../pipeline/sessions.js';

export interface ProtocolListener {
  readonly connection: string;
  /** host:port actually bound. */
  readonly address: string;
  close(): Promise<void>;
}

export interface ListenerDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly logger: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Resolved upstream credentials by connection name (null when none is configured). */
  readonly credentials: ReadonlyMap<string, string | null>;
  readonly dataDir: string;
}

export function buildGuards(_config: VigilConfig): Guard[] {
  return [];
}

export async function startProtocolListeners(
  _config: VigilConfig,
  _deps: ListenerDeps,
): Promise<ProtocolListener[]> {
  return [];
}
