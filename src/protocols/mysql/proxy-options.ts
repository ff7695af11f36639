// What a running MySQL connection (proxy-session.ts) is given by its handshake: the connection's
// settings, what the client and server agreed on, and the means to stop the server's work.
import type { ConnectionIds } from './connection-ids.js';
import type { OffThreadParsing } from './sql-classifier.js';
import type { ServerDialect } from './version-comments.js';
import type { SessionXa } from './xa-transactions.js';

export interface ProxyOptions {
  readonly recordRows: number;
  /** Which result columns hold secrets (the masker's `masking.secret_names`), for cells derived from one. */
  readonly isSecretName: (name: string) => boolean;
  readonly allowUnknownStatements: boolean;
  readonly allowLocalInfile: boolean;
  /** Statements showing other sessions' statements may run (activity-tables.ts). */
  readonly allowSessionActivity: boolean;
  readonly deprecateEof: boolean;
  readonly extendedMetadata: boolean;
  readonly database: string | null;
  /** A read-only connection: its upstream session is kept read-only (session-checks.ts). */
  readonly readOnly: boolean;
  /** The upstream as its greeting names it: which version-gated comments it runs. */
  readonly server: ServerDialect | null;
  /** Where statements are parsed: the gateway's parser workers, with the connection's time limit. */
  readonly parsing: OffThreadParsing;
  readonly logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Ends what the server runs for this connection (a cut must commit nothing more). */
  readonly stopUpstream: () => Promise<void>;
  /** The live connections a KILL from this one may reach (connection-ids.ts). */
  readonly kills: Pick<ConnectionIds, 'find'>;
  /** The XA transactions this session's identity may end (xa-transactions.ts). */
  readonly xa: SessionXa;
  readonly onClosed: () => void;
}
