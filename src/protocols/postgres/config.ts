// The connection type the PostgreSQL module serves: a listener of its own speaking the wire protocol.
import { z } from 'zod';
import { connectionBase, duration, hostPort, secretRef } from '../../core/config.js';

const postgresConnection = {
  ...connectionBase,
  upstream: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  listen: hostPort,
  tls: z.strictObject({ cert: secretRef, key: secretRef }).optional(),
  upstream_tls: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  allow_cleartext_on_loopback: z.boolean().default(true),
  record_rows: z.number().int().min(0).default(0),
  /**
   * Run statements whose text Vigil cannot be certain of (a portal bound to a statement prepared by
   * SQL PREPARE, a fast-path function call), judged as UNKNOWN. Off: they are refused (fail closed).
   */
  allow_unknown_statements: z.boolean().default(false),
  /**
   * Largest client message. Parsing, classifying, masking and recording a statement each hold copies
   * of it, so a statement in flight costs about 15 times its size (a 60 MiB query took the gateway
   * from 102 MB to 978 MB): 16 MiB bounds that near 250 MB per connection.
   */
  max_message_bytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /**
   * Upstream reuse (upstream-pool.ts): a server connection a client leaves quiet is reset and kept
   * for the next session with the same startup parameters. max_idle 0 turns it off.
   */
  pool: z
    .strictObject({
      max_idle: z.number().int().min(0).default(8),
      max_lifetime: duration.default(3_600_000),
      idle_timeout: duration.default(300_000),
      reset_query: z.string().min(1).default('DISCARD ALL'),
    })
    .default({ max_idle: 8, max_lifetime: 3_600_000, idle_timeout: 300_000, reset_query: 'DISCARD ALL' }),
  guardrails: z
    .strictObject({
      /** strict: the preset in src/policy/sql-presets.ts; the fields below only add denials to it. */
      preset: z.enum(['strict']).optional(),
      /** Lets CALL through a preset that denies it. */
      allow_call: z.boolean().default(false),
      deny_statements: z.array(z.string()).default([]),
      deny_unbounded_writes: z.boolean().default(false),
      read_only: z.boolean().default(false),
      allow_by_group: z.record(z.string(), z.array(z.string())).default({}),
    })
    .default({
      allow_call: false,
      deny_statements: [],
      deny_unbounded_writes: false,
      read_only: false,
      allow_by_group: {},
    }),
};

export const POSTGRES_CONNECTION_TYPES = {
  postgres: z.strictObject({ type: z.literal('postgres'), ...postgresConnection }),
} as const;

export type PostgresConnectionConfig = z.output<typeof POSTGRES_CONNECTION_TYPES.postgres>;
