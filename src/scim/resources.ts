// SCIM Users and Groups: a request body read into what Vigil stores (canonical attribute names,
// Entra's "True"/"False" booleans, unknown attributes refused), and a stored record rendered back
// as the resource a provider reads (RFC 7643 §4 with `meta`).
import type { JsonObject, JsonValue } from '../core/events.js';
import type { ScimGroupRecord, ScimUserRecord } from '../core/ports.js';
import { hasLoneSurrogate } from '../identity/oidc-claims.js';
import { GROUP_SHAPE, type ResourceShape, SCHEMA, scimInvalid, USER_SHAPE } from './scim-schema.js';

const MAX_NAME_LENGTH = 256;
export const MAX_GROUP_MEMBERS = 10_000;

export interface UserInput {
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly attributes: JsonObject;
}

export interface GroupInput {
  readonly displayName: string;
  readonly externalId: string | null;
  readonly members: readonly string[];
}

/** Entra ID sends booleans as the strings "True" and "False"; SCIM's own form is a JSON boolean. */
export function readBoolean(value: JsonValue | undefined, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw scimInvalid('invalidValue', `"${name}" must be a boolean`);
}

/** A name that becomes a Vigil principal: non-empty, bounded, no control characters. */
function readName(value: JsonValue | undefined, name: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw scimInvalid('invalidValue', `"${name}" is required and must be a non-empty string`);
  if (value.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(value))
    throw scimInvalid('invalidValue', `"${name}" must be at most ${MAX_NAME_LENGTH} printable characters`);
  refuseLoneSurrogate(value, name);
  return value;
}

function readOptionalString(value: JsonValue | undefined, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH)
    throw scimInvalid('invalidValue', `"${name}" must be a string of at most ${MAX_NAME_LENGTH} characters`);
  refuseLoneSurrogate(value, name);
  return value;
}

/**
 * A lone UTF-16 surrogate (JSON may spell `\ud800`) is no text UTF-8 can hold: a store keeps it as
 * other text (U+FFFD), so the user or group read back is not the one the provider named, and a
 * subject so named cannot be recorded (the recorder refuses it). Until 6 December it was taken.
 */
function refuseLoneSurrogate(value: string, name: string): void {
  if (hasLoneSurrogate(value))
    throw scimInvalid('invalidValue', `"${name}" holds a lone UTF-16 surrogate, which no name may hold`);
}

/**
 * The attributes of a body under their canonical names; unknown ones are refused (a provider's
 * attribute mapping that sends one is a configuration mistake worth seeing), ignored ones dropped.
 */
export function canonicalAttributes(body: JsonObject, shape: ResourceShape): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (shape.ignored.has(lower)) continue;
    const name = shape.attributes.get(lower);
    if (name === undefined)
      throw scimInvalid(
        'invalidSyntax',
        `attribute "${key.slice(0, 64)}" is not in the ${shape.kind} schema`,
      );
    if (value !== null) out[name] = normaliseBooleans(value);
  }
  return out;
}

/** `primary` in multi-valued attributes, like `active`, may come as "True"/"False". */
function normaliseBooleans(value: JsonValue): JsonValue {
  if (!Array.isArray(value)) return value;
  return value.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || !('primary' in item)) return item;
    return { ...item, primary: readBoolean(item.primary, 'primary') };
  });
}

function requireSchema(body: JsonObject, schema: string): void {
  const schemas = body.schemas;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === schema.toLowerCase())
  )
    throw scimInvalid('invalidSyntax', `"schemas" must include ${schema}`);
}

/**
 * `activeWhenAbsent` is what a body without `active` means: true for a new user (providers often
 * leave it out), the user's current state for a PUT or PATCH, so a change that never mentions the
 * status (a profile update, a PATCH that removes `active`) cannot re-activate someone deprovisioned.
 */
export function readUserInput(
  body: JsonObject,
  opts: { requireSchemas: boolean; activeWhenAbsent: boolean },
): UserInput {
  if (opts.requireSchemas) requireSchema(body, SCHEMA.user);
  const attrs = canonicalAttributes(body, USER_SHAPE);
  const { userName, externalId, active, ...rest } = attrs;
  return {
    userName: readName(userName, 'userName'),
    externalId: readOptionalString(externalId, 'externalId'),
    active: active === undefined ? opts.activeWhenAbsent : readBoolean(active, 'active'),
    attributes: rest,
  };
}

export function readGroupInput(body: JsonObject, opts: { requireSchemas: boolean }): GroupInput {
  if (opts.requireSchemas) requireSchema(body, SCHEMA.group);
  const attrs = canonicalAttributes(body, GROUP_SHAPE);
  const members = attrs.members ?? [];
  if (!Array.isArray(members)) throw scimInvalid('invalidValue', '"members" must be an array');
  if (members.length > MAX_GROUP_MEMBERS)
    throw scimInvalid('tooMany', `a group holds at most ${MAX_GROUP_MEMBERS} members`);
  const ids = members.map((m) => {
    const value = typeof m === 'object' && m !== null && !Array.isArray(m) ? m.value : undefined;
    if (typeof value !== 'string' || value === '')
      throw scimInvalid('invalidValue', 'each member needs a "value" naming a user id');
    return value;
  });
  return {
    displayName: readName(attrs.displayName, 'displayName'),
    externalId: readOptionalString(attrs.externalId, 'externalId'),
    members: [...new Set(ids)],
  };
}

function meta(
  kind: 'User' | 'Group',
  r: { id: string; createdAt: string; updatedAt: string; version: number },
  base: string,
): JsonObject {
  return {
    resourceType: kind,
    created: r.createdAt,
    lastModified: r.updatedAt,
    location: `${base}/${kind}s/${r.id}`,
    version: `W/"${r.version}"`,
  };
}

/** The writable form of a user: what a PATCH edits before it is read back like a PUT body. */
export function userDocument(r: ScimUserRecord): JsonObject {
  return {
    schemas: [SCHEMA.user],
    userName: r.userName,
    ...(r.externalId === null ? {} : { externalId: r.externalId }),
    active: r.active,
    ...r.attributes,
  };
}

export function renderUser(r: ScimUserRecord, groups: readonly ScimGroupRecord[], base: string): JsonObject {
  const { schemas: _schemas, ...doc } = userDocument(r);
  return {
    schemas: [SCHEMA.user, ...(SCHEMA.enterpriseUser in r.attributes ? [SCHEMA.enterpriseUser] : [])],
    id: r.id,
    ...doc,
    groups: groups.map((g) => ({
      value: g.id,
      display: g.displayName,
      $ref: `${base}/Groups/${g.id}`,
      type: 'direct',
    })),
    meta: meta('User', r, base),
  };
}

export function groupDocument(r: ScimGroupRecord): JsonObject {
  return {
    schemas: [SCHEMA.group],
    displayName: r.displayName,
    ...(r.externalId === null ? {} : { externalId: r.externalId }),
    members: r.members.map((value) => ({ value })),
  };
}

export function renderGroup(
  r: ScimGroupRecord,
  userNames: ReadonlyMap<string, string>,
  base: string,
): JsonObject {
  return {
    schemas: [SCHEMA.group],
    id: r.id,
    displayName: r.displayName,
    ...(r.externalId === null ? {} : { externalId: r.externalId }),
    members: r.members.map((value) => ({
      value,
      ...(userNames.has(value) ? { display: userNames.get(value)! } : {}),
      $ref: `${base}/Users/${value}`,
      type: 'User',
    })),
    meta: meta('Group', r, base),
  };
}
