// What a running PostgreSQL connection (proxy-session.ts) is given by its handshake: the
// connection's settings it applies and the means to stop or keep the server connection.
import type { Socket } from 'node:net';
import type { SqlClassifier } from './sql-classifier.js';

export interface ProxyDeps {
  readonly classifier: SqlClassifier;
  readonly recordRows: number;
  /** Which result columns hold secrets (the masker's `masking.secret_names`), for cells derived from one. */
  readonly isSecretName: (name: string) => boolean;
  /** Execute statements whose text Vigil cannot be certain of (judged as UNKNOWN) instead of refusing them. */
  readonly allowUnknownStatements: boolean;
  /** A read-only connection: the server's read-only default must stay on (read-only-settings.ts). */
  readonly readOnly: boolean;
  readonly logger: { warn(obj: object, msg: string): void };
  /** Stops whatever the server is running for this connection (a cut must commit nothing more). */
  readonly stopUpstream: () => Promise<void>;
  /**
   * Takes the server connection when the client says goodbye on a quiet connection (upstream reuse,
   * upstream-pool.ts). Absent: the goodbye is passed on and the server connection ends.
   */
  readonly keepUpstream?: (upstream: Socket) => void;
}
