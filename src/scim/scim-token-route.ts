// The admin API route that issues a SCIM token (admins only; the call is recorded like every admin
// call). The token is in this one answer and nowhere else: the store keeps its hash.
import type { Route } from '../api/admin-route.js';
import { VigilError } from '../core/errors.js';
import type { AccessStore } from '../core/ports.js';
import { issueScimToken } from './scim-tokens.js';

export function scimTokenRoutes(store: AccessStore, enabled: boolean): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/api\/scim\/tokens$/,
      roles: ['admin'],
      async handle(ctx) {
        if (!enabled)
          throw new VigilError(
            'usage',
            'SCIM provisioning is off: set identity.scim.enabled: true in vigil.yaml',
          );
        const name = ctx.body.name;
        if (typeof name !== 'string') throw new VigilError('usage', '"name" must be a string');
        const { token, record } = await issueScimToken(store, name);
        return {
          status: 201,
          body: { token, id: record.id, name: record.name, created_at: record.createdAt },
        };
      },
    },
  ];
}
