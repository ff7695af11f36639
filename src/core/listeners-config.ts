// The `listeners` section of vigil.yaml: bounds every database and SSH listener puts on the
// connections still logging in (docs/protocols.md#connections-still-logging-in).
import { z } from 'zod';
import { duration } from './config-primitives.js';

/**
 * Connections still logging in beyond `max_pending_logins` are turned away, and a login unfinished
 * after `login_timeout` is closed; per listener.
 */
export const listenersSectionSchema = z
  .strictObject({
    max_pending_logins: z.number().int().min(1).default(100),
    login_timeout: duration.refine((ms) => ms >= 1000, 'must be at least 1s').default(120_000),
  })
  .default({ max_pending_logins: 100, login_timeout: 120_000 });
