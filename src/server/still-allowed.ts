// Whether an identity, with the groups it holds now, may still use a live session's connection: the
// check a membership change (SCIM) re-runs on sessions admitted under the old groups.
import type { VigilConfig } from '../core/config.js';
import type { Identity } from '../core/events.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { LiveSession } from '../pipeline/sessions.js';

export function stillAllowedOn(
  config: VigilConfig,
  pipeline: Pipeline,
): (session: LiveSession, identity: Identity) => boolean {
  return (session, identity) => {
    const rules = config.connections.find((c) => c.name === session.connection);
    // Admin, sign-in and SCIM sessions have no allow list; offboarding still cuts them.
    if (!rules) return true;
    try {
      pipeline.authorize({ identity, roles: [], scope: null, expiresAt: null }, rules);
      return true;
    } catch {
      return false;
    }
  };
}
