// The connection type the MySQL module serves: a listener of its own speaking the MySQL protocol.
import { z } from 'zod';
import { connectionBase, hostPort, secretRef } from '../../core/config.js';

const mysqlConnection = {
  ...connectionBase,
  /** mysql://USER@HOST:PORT/DATABASE; the password is the connection's `credential`. */
  upstream: z.string().regex(/^(mysql|mariadb):\/\//, 'must be a mysql:// URL'),
  listen: hostPort,
  /** Offer TLS to clients (the SSL request); without it, only loopback clients can connect. */
  tls: z.strictObject({ cert: secretRef, key: secretRef }).optional(),
  /**
   * TLS to the upstream: `disable`, `require` (encrypted, certificate not checked) or `verify-full`
   * (checked against `upstream_ca` when given, else the system's CAs, and the host name).
   */
  upstream_tls: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  /** A CA (PEM) the upstream's certificate must chain to: pins the upstream to it. */
  upstream_ca: secretRef.optional(),
  allow_cleartext_on_loopback: z.boolean().default(true),
  /** The version reported to clients; default: the upstream's own, read once from its greeting. */
  server_version: z.string().min(1).optional(),
  record_rows: z.number().int().min(0).default(0),
  /** Run statements the parser cannot read (judged as UNKNOWN); off: they are refused (fail closed). */
  allow_unknown_statements: z.boolean().default(false),
  /**
   * Longest a statement's parse may take (ms), counted from when a parser worker takes it; a slower
   * one is refused (statement_too_complex). Statements seen in practice parse in a few ms.
   */
  parse_time_limit_ms: z.number().int().min(10).max(60_000).default(250),
  /**
   * Statements of one identity that may wait for a parser worker at once (each connection has at
   * most one waiting); past it the next is refused (parser_queue_full). Other identities' statements
   * take their turn before the rest of one identity's anyway.
   */
  parse_queue_per_identity: z.number().int().min(1).max(100_000).default(64),
  /**
   * Statements that show other sessions' statements (PROCESSLIST, performance_schema, sys,
   * INNODB STATUS: activity-tables.ts). Every identity shares one server user, so off they are
   * refused; on, they still count as reading every table for rules.
   */
  allow_session_activity: z.boolean().default(false),
  /** LOAD DATA LOCAL INFILE: off, the capability is never offered and the server refuses it. */
  allow_local_infile: z.boolean().default(false),
  /**
   * Largest client packet (a split packet counts whole). Matches MariaDB's default
   * max_allowed_packet; raise both for larger blobs.
   */
  max_message_bytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  guardrails: z
    .strictObject({
      deny_statements: z.array(z.string()).default([]),
      deny_unbounded_writes: z.boolean().default(false),
      read_only: z.boolean().default(false),
      allow_by_group: z.record(z.string(), z.array(z.string())).default({}),
    })
    .default({ deny_statements: [], deny_unbounded_writes: false, read_only: false, allow_by_group: {} }),
};

export const MYSQL_CONNECTION_TYPES = {
  mysql: z.strictObject({ type: z.literal('mysql'), ...mysqlConnection }),
} as const;

export type MysqlConnectionConfig = z.output<typeof MYSQL_CONNECTION_TYPES.mysql>;
