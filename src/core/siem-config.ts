// The `siem` section: where every ledger event is streamed (docs/siem.md). Validation only; the
// sinks are built and secret references resolved at the edge (src/siem).
import { z } from 'zod';
import { duration, secretRef } from './config-primitives.js';

/** What every SIEM sink has: its name (which names its cursor file), batch size and format. */
const siemSinkBase = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, dashes and underscores'),
  /** Events per delivery; a failed batch is sent again whole. */
  batch_size: z.number().int().min(1).max(10_000).default(500),
  /** vigil: the ledger's own JSON; ecs: Elastic Common Schema (docs/siem.md has the mapping). */
  format: z.enum(['vigil', 'ecs']).default('ecs'),
};

const siemSinkSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('http'),
    ...siemSinkBase,
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    /** Header values are secret references (an Authorization token). */
    headers: z.record(z.string().min(1), secretRef).default({}),
    /** A request that takes longer has failed (and is retried). */
    timeout: duration.default(30_000),
  }),
  z.strictObject({
    type: z.literal('file'),
    ...siemSinkBase,
    /** JSON lines are appended; after logrotate moves the file it is reopened (SIGHUP, or noticed on the next write). */
    path: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('syslog'),
    ...siemSinkBase,
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    /** RFC 5425 (TLS); otherwise RFC 6587 octet-counted frames over plain TCP. */
    tls: z.boolean().default(false),
    /** PEM file of the CA that signed the collector's certificate (the system CAs otherwise). */
    ca: z.string().min(1).optional(),
    /** Syslog facility number (13 = log audit). */
    facility: z.number().int().min(0).max(23).default(13),
    /** APP-NAME of each message. */
    app_name: z
      .string()
      .regex(/^[!-~]{1,48}$/, 'must be 1 to 48 printable ASCII characters')
      .default('vigil'),
  }),
]);

export const siemSectionSchema = z
  .strictObject({
    sinks: z.array(siemSinkSchema).default([]),
    /** How often forwarders look for events another process appended (commits here wake them at once). */
    poll: duration.default(1000),
    /** The longest wait between retries of a failing sink (backoff doubles up to it, with jitter). */
    max_backoff: duration.default(30_000),
    /** How long closing Vigil waits for sinks to take what is recorded (the rest goes at the next start). */
    flush_timeout: duration.default(5000),
  })
  .superRefine((siem, ctx) => {
    const seen = new Set<string>();
    siem.sinks.forEach((sink, i) => {
      if (seen.has(sink.name))
        ctx.addIssue({
          code: 'custom',
          path: ['sinks', i, 'name'],
          message: `duplicate sink "${sink.name}"`,
        });
      seen.add(sink.name);
    });
  })
  .default({ sinks: [], poll: 1000, max_backoff: 30_000, flush_timeout: 5000 });
