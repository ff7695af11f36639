// Who the caller is, as Vigil sees them.
import type { Route } from '../admin-route.js';

export const whoamiRoute: Route = {
  method: 'GET',
  pattern: /^\/api\/whoami$/,
  roles: ['user'],
  async handle(ctx) {
    const { identity, roles, scope, expiresAt } = ctx.caller;
    return {
      status: 200,
      body: {
        identity,
        roles,
        scope,
        expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      },
    };
  },
};
