// Access administration: service-account tokens and offboarding. Admins only.
import { parseDuration } from '../../core/duration.js';
import { VigilError } from '../../core/errors.js';
import type { Identity } from '../../core/events.js';
import type { AccessStore } from '../../core/ports.js';
import { hasVisibleText } from '../../core/visible-text.js';
import { createServiceToken } from '../../identity/service-accounts.js';
import type { Route } from '../admin-route.js';

export interface AccessRouteDeps {
  readonly access: AccessStore;
  /** Applies an access change on this gateway at once (cuts live sessions) instead of at the next poll. */
  readonly applyNow: () => Promise<void>;
  readonly connectionNames: () => readonly string[];
  /**
   * Revokes the live grants of an identity being disabled, each recorded and stored as SCIM's
   * deprovisioning revokes them (src/policy/disabled-grants.ts): otherwise enabling it again inside a
   * grant's window would bring back access approved before the offboarding. Returns how many.
   */
  readonly revokeGrantsOf?: (subject: string, by: Identity) => Promise<number>;
}

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '')
    throw new VigilError('usage', `"${name}" must be a non-empty string`);
  return v;
};

/** A reason is optional here, but one that is given must say something visible. */
function disableReason(given: unknown): string {
  if (given === undefined || given === null) return 'disabled through the admin API';
  if (typeof given !== 'string') throw new VigilError('usage', '"reason" must be a string');
  if (!hasVisibleText(given))
    throw new VigilError('reason_required', '"reason", when given, must have visible text');
  return given;
}

export function accessRoutes(deps: AccessRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/tokens$/,
      roles: ['admin'],
      async handle() {
        const tokens = (await deps.access.listServiceTokens()).map(({ tokenHash: _hash, ...rest }) => rest);
        return { status: 200, body: { tokens } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/tokens$/,
      roles: ['admin'],
      async handle(ctx) {
        const name = str(ctx.body.service_account, 'service_account');
        const given = ctx.body.connections ?? [];
        if (!Array.isArray(given))
          throw new VigilError('usage', '"connections" must be a list of connection names');
        const connections = given.map((c) => str(c, 'connections'));
        const unknown = connections.filter((c) => !deps.connectionNames().includes(c));
        if (unknown.length) throw new VigilError('usage', `unknown connection(s): ${unknown.join(', ')}`);
        const ttlMs = parseDuration(
          typeof ctx.body.ttl === 'string' || typeof ctx.body.ttl === 'number' ? ctx.body.ttl : '24h',
        );
        // An expiry no date can spell (1e308 ms, 99999999999d) would fail in toISOString: a 500.
        if (ttlMs === null || ttlMs <= 0 || !Number.isFinite(new Date(Date.now() + ttlMs).getTime()))
          throw new VigilError('usage', '"ttl" must be a duration such as 24h');
        const { token, record } = await createServiceToken(deps.access, { name, connections, ttlMs });
        const { tokenHash: _hash, ...shown } = record;
        return { status: 201, body: { token, ...shown } };
      },
    },
    {
      method: 'DELETE',
      // Any token id the gateway checks, the provider's (`oidc:<jti>`, whose jti is the provider's to
      // spell) included: `vigil token revoke` ends those, and an admin at the API must be able to.
      pattern: /^\/api\/tokens\/([^/]{1,1024})$/,
      roles: ['admin'],
      async handle(ctx) {
        const revoked = await deps.access.revokeToken(ctx.params[0]!, new Date().toISOString());
        await deps.applyNow();
        return { status: 200, body: { id: ctx.params[0], revoked } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/users\/disabled$/,
      roles: ['admin'],
      async handle() {
        return { status: 200, body: { disabled: await deps.access.disabledIdentities() } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/users\/([^/]+)\/disable$/,
      roles: ['admin'],
      async handle(ctx) {
        const subject = ctx.params[0]!;
        // Stored, answered by GET /api/users/disabled and quoted when sessions are cut: masked first,
        // as the reasons of approvals are.
        const reason = ctx.maskText(disableReason(ctx.body.reason));
        await deps.access.disableIdentity(subject, new Date().toISOString(), reason);
        // After the disable is stored: a grant issued meanwhile (a last approval) is caught here, and
        // one issued later is refused (approval-service.ts closes the disabled requester's request).
        const revoked = deps.revokeGrantsOf ? await deps.revokeGrantsOf(subject, ctx.caller.identity) : null;
        await deps.applyNow();
        return {
          status: 200,
          body: { subject, disabled: true, ...(revoked === null ? {} : { grants_revoked: revoked }) },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/users\/([^/]+)\/enable$/,
      roles: ['admin'],
      async handle(ctx) {
        const enabled = await deps.access.enableIdentity(ctx.params[0]!);
        await deps.applyNow();
        return { status: 200, body: { subject: ctx.params[0], enabled } };
      },
    },
  ];
}
