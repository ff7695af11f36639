// Protocols that listen on ports of their own (databases, SSH), and the guards they contribute to
// the shared policy stage. The composition root calls these two functions; each protocol adds its
// case here and nowhere else in server/.
import type { VigilConfig } from '../core/config.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Guard } from '../pipeline/policy.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { SqlGuardrails, type SqlGuardrailsConfig } from '../policy/sql-guardrails.js';
import { CancelKeys } from '../protocols/postgres/cancel-keys.js';
import { startPostgresListener } from '../protocols/postgres/postgres-listener.js';
import { SqlClassifier } from '../protocols/postgres/sql-classifier.js';
import { resolveSecret } from './load-config.js';

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

export function buildGuards(config: VigilConfig): Guard[] {
  const sql = new Map<string, SqlGuardrailsConfig>();
  for (const c of config.connections) if (c.type === 'postgres') sql.set(c.name, c.guardrails);
  return sql.size > 0 ? [new SqlGuardrails(sql)] : [];
}

export async function startProtocolListeners(
  config: VigilConfig,
  deps: ListenerDeps,
): Promise<ProtocolListener[]> {
  const postgres = config.connections.filter((c) => c.type === 'postgres');
  if (postgres.length === 0) return [];
  const classifier = await SqlClassifier.create();
  const cancelKeys = new CancelKeys();
  const listeners: ProtocolListener[] = [];
  try {
    for (const c of postgres) {
      listeners.push(
        await startPostgresListener(c, {
          pipeline: deps.pipeline,
          sessions: deps.sessions,
          logger: deps.logger,
          credential: deps.credentials.get(c.name) ?? null,
          tls: c.tls ? { cert: resolveSecret(c.tls.cert), key: resolveSecret(c.tls.key) } : null,
          classifier,
          cancelKeys,
        }),
      );
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }
  return listeners;
}
