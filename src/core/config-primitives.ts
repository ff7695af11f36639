// The value shapes every configuration section uses (secret references, durations, HOST:PORT), in
// a file of their own so that section schemas kept in other files import them without a cycle.
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A secret is never written into the file: it is referenced as env:NAME or file:PATH. */
export const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be a secret reference: env:NAME or file:PATH');

export const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 30s, 15m or 2h' });
    return z.NEVER;
  }
  return ms;
});

export const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be HOST:PORT');

/** Who may use a connection or decide a request: `user:alice`, `group:ai-eng`, `service:etl`, or `*`. */
export const principalPattern = z
  .string()
  .regex(/^(\*|(user|group|service):.+)$/, 'must be *, user:NAME, group:NAME or service:NAME');
