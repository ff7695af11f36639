// The SCIM schema names and the attributes Vigil keeps (RFC 7643 §4): what a provider may send,
// canonical spelling for case-insensitive input, and which attributes a client may not write.
import { VigilError } from '../core/errors.js';

export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** The scimType values of RFC 7644 §3.12 that Vigil answers with. */
export type ScimType =
  | 'invalidFilter'
  | 'invalidValue'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'uniqueness'
  | 'mutability'
  | 'noTarget'
  | 'tooMany';

export function scimInvalid(scimType: ScimType, message: string): VigilError {
  return new VigilError('scim_invalid', message, { details: { scimType } });
}

/** User attributes a provider may write (core schema, and the enterprise extension as one object). */
const USER_ATTRIBUTES = [
  'userName',
  'externalId',
  'active',
  'name',
  'displayName',
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'emails',
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509Certificates',
  SCHEMA.enterpriseUser,
] as const;

/** Sent by providers but never kept: `password` (Vigil signs people in through their provider, and a password must not reach storage) and the read-only ones. */
const USER_IGNORED = ['schemas', 'id', 'meta', 'password', 'groups'] as const;

const GROUP_ATTRIBUTES = ['displayName', 'externalId', 'members'] as const;
const GROUP_IGNORED = ['schemas', 'id', 'meta'] as const;

/** Attributes a client can never change (RFC 7643 mutability readOnly or immutable once set). */
export const READ_ONLY = new Set(['id', 'meta', 'groups', 'schemas']);

export interface ResourceShape {
  readonly kind: 'User' | 'Group';
  readonly schema: string;
  /** Lower-cased name → canonical spelling, for the attributes kept. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly ignored: ReadonlySet<string>;
}

const canonical = (names: readonly string[]) => new Map(names.map((n) => [n.toLowerCase(), n]));

export const USER_SHAPE: ResourceShape = {
  kind: 'User',
  schema: SCHEMA.user,
  attributes: canonical(USER_ATTRIBUTES),
  ignored: new Set(USER_IGNORED.map((n) => n.toLowerCase())),
};

export const GROUP_SHAPE: ResourceShape = {
  kind: 'Group',
  schema: SCHEMA.group,
  attributes: canonical(GROUP_ATTRIBUTES),
  ignored: new Set(GROUP_IGNORED.map((n) => n.toLowerCase())),
};
