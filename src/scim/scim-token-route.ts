// The admin API routes for SCIM tokens (admins only; each call is recorded like every admin call):
// issue one (its secret is in that one answer and nowhere else: the store keeps its hash), list
// them without their secrets, revoke one. Listing and revoking work with provisioning off, so
// tokens left from before it was turned off can still be seen and revoked.
import type { Route } from '../api/admin-route.js';
import { VigilError } from '../core/errors.js';
import type { AccessStore } from '../core/ports.js';
import { issueScimToken, scimTokenTtl, shownScimToken } from './scim-tokens.js';

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
        const ttlMs = scimTokenTtl(ctx.body.ttl);
        const now = Date.now();
        const { token, record } = await issueScimToken(store, name, ttlMs, now);
        const { state: _state, revoked_at: _revoked, ...shown } = shownScimToken(record, now);
        return { status: 201, body: { token, ...shown } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/scim\/tokens$/,
      roles: ['admin'],
      async handle() {
        const now = Date.now();
        const tokens = (await store.listScimTokens()).map((t) => shownScimToken(t, now));
        return { status: 200, body: { tokens } };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/scim\/tokens\/([A-Za-z0-9_-]{1,64})$/,
      roles: ['admin'],
      async handle(ctx) {
        const id = ctx.params[0]!;
        const outcome = await store.revokeScimToken(id, new Date().toISOString());
        if (outcome === 'unknown')
          throw new VigilError('scim_token_unknown', `no SCIM token has the id ${id}`);
        return { status: 200, body: { id, revoked: outcome === 'revoked' } };
      },
    },
  ];
}
