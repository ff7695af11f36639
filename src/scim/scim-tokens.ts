// SCIM bearer tokens: opaque, issued by an admin (`vigil scim token`, through the admin API), shown
// once, stored only as a SHA-256 hash. One per provisioning connector (okta, entra), named so that
// what each changed is recorded as `scim:<name>`. Each expires (90 days unless the admin chooses, at
// most 365) and can be revoked; the SCIM endpoint reads the token from the store on every request,
// so a revocation made on any replica or by the CLI refuses its very next use everywhere.
import { randomBytes } from 'node:crypto';
import { parseDuration } from '../core/duration.js';
import { VigilError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AccessStore, ScimTokenRecord } from '../core/ports.js';
import { hashToken } from '../identity/config-tokens.js';

export const SCIM_TOKEN_PREFIX = 'vscim_';

const DAY_MS = 86_400_000;
/**
 * A connector's token is pasted into the identity provider's provisioning settings, so a lifetime of
 * hours (service tokens default to 24h) would stop provisioning every day; 90 days is the rotation
 * period most credential policies ask for.
 */
export const SCIM_TOKEN_DEFAULT_TTL_MS = 90 * DAY_MS;
/** No SCIM token outlives a year: one leaked and forgotten stops working within that. */
export const SCIM_TOKEN_MAX_TTL_MS = 365 * DAY_MS;

export type ScimTokenState = 'active' | 'expired' | 'revoked';

/** Reads a requested lifetime ("30d", "12h", or milliseconds); absent means the default. */
export function scimTokenTtl(requested: unknown): number {
  if (requested === undefined || requested === null) return SCIM_TOKEN_DEFAULT_TTL_MS;
  const ms = typeof requested === 'string' || typeof requested === 'number' ? parseDuration(requested) : null;
  if (ms === null || ms <= 0)
    throw new VigilError('usage', '"ttl" must be a positive duration such as 90d or 12h');
  if (ms > SCIM_TOKEN_MAX_TTL_MS)
    throw new VigilError('usage', '"ttl" may be at most 365d: a SCIM token cannot live longer than a year');
  return ms;
}

export async function issueScimToken(
  store: AccessStore,
  name: string,
  ttlMs = SCIM_TOKEN_DEFAULT_TTL_MS,
  now = Date.now(),
): Promise<{ token: string; record: ScimTokenRecord }> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
    throw new VigilError('usage', 'a SCIM token name is 1-64 letters, digits, dots, dashes or underscores');
  if (!(ttlMs > 0 && ttlMs <= SCIM_TOKEN_MAX_TTL_MS))
    throw new VigilError('usage', 'a SCIM token lives more than 0 and at most 365 days');
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ScimTokenRecord = {
    id: newId('scim'),
    name,
    tokenHash: hashToken(token),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlMs).toISOString(),
    revokedAt: null,
  };
  await store.createScimToken(record);
  return { token, record };
}

/** Revocation wins over expiry; an expiry that cannot be read counts as passed (fail closed). */
export function scimTokenState(record: ScimTokenRecord, now: number): ScimTokenState {
  if (record.revokedAt !== null) return 'revoked';
  return Date.parse(record.expiresAt) > now ? 'active' : 'expired';
}

/** Why a token may no longer be used (auth_revoked, auth_expired), or null when it may. */
export function scimTokenRefusal(record: ScimTokenRecord, now: number): VigilError | null {
  const state = scimTokenState(record, now);
  if (state === 'revoked')
    return new VigilError(
      'auth_revoked',
      `the SCIM token ${record.id} (${record.name}) was revoked at ${record.revokedAt}`,
    );
  if (state === 'expired')
    return new VigilError(
      'auth_expired',
      `the SCIM token ${record.id} (${record.name}) expired at ${record.expiresAt}: issue a new one`,
    );
  return null;
}

/** A token as the admin API and the CLI show it: everything but its hash. */
export function shownScimToken(record: ScimTokenRecord, now: number) {
  return {
    id: record.id,
    name: record.name,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
    revoked_at: record.revokedAt,
    state: scimTokenState(record, now),
  };
}
