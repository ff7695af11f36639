// The `listeners` section of vigil.yaml: bounds every database and SSH listener puts on the
// connections still logging in, and the bounds of the gateway's HTTP listener
// (docs/protocols.md#connections-still-logging-in).
import { z } from 'zod';
import { duration } from './config-primitives.js';

const atLeastOneSecond = duration.refine((ms) => ms >= 1000, 'must be at least 1s');

/**
 * Per database/SSH listener: connections still logging in beyond `max_pending_logins`, or beyond
 * `max_pending_logins_per_source` from one source address, are turned away, and a login
 * unfinished after `login_timeout` is closed. The HTTP listener holds at most
 * `http_max_connections` connections, closes one whose request headers are not in after
 * `http_headers_timeout`, and one whose request (headers and body, not the response) is not in
 * after `http_request_timeout`.
 */
export const listenersSectionSchema = z
  .strictObject({
    max_pending_logins: z.number().int().min(1).default(100),
    /** Absent: half of max_pending_logins (rounded up), so one source can never take every slot. */
    max_pending_logins_per_source: z.number().int().min(1).optional(),
    login_timeout: atLeastOneSecond.default(120_000),
    http_max_connections: z.number().int().min(1).default(4096),
    http_headers_timeout: atLeastOneSecond.default(30_000),
    http_request_timeout: atLeastOneSecond.default(300_000),
  })
  .superRefine((l, ctx) => {
    if (
      l.max_pending_logins_per_source !== undefined &&
      l.max_pending_logins_per_source > l.max_pending_logins
    )
      ctx.addIssue({
        code: 'custom',
        path: ['max_pending_logins_per_source'],
        message: `must be at most max_pending_logins (${l.max_pending_logins})`,
      });
    // Node refuses a headers timeout longer than the request timeout that contains it.
    if (l.http_headers_timeout > l.http_request_timeout)
      ctx.addIssue({
        code: 'custom',
        path: ['http_headers_timeout'],
        message: 'must be at most http_request_timeout',
      });
  })
  .transform((l) => ({
    ...l,
    max_pending_logins_per_source: l.max_pending_logins_per_source ?? Math.ceil(l.max_pending_logins / 2),
  }))
  // Absent, the section is parsed as {} so its defaults and the derived per-source cap apply.
  .prefault({});

export type ListenersSection = z.output<typeof listenersSectionSchema>;
