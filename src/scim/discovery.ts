// The discovery endpoints (RFC 7644 §4): what this service provider supports, its schemas and its
// resource types. Static, derived from what resources.ts, patch.ts and list.ts implement.
import type { JsonObject } from '../core/events.js';
import { MAX_FILTER_LENGTH } from './filter.js';
import { MAX_LIST_COUNT } from './list.js';
import { SCHEMA } from './scim-schema.js';

export function serviceProviderConfig(base: string): JsonObject {
  return {
    schemas: [SCHEMA.serviceProviderConfig],
    documentationUri: 'https://github.com/vigil/vigil/blob/main/docs/identity.md#scim-provisioning',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_LIST_COUNT },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: `A token issued with \`vigil scim token\`; filters up to ${MAX_FILTER_LENGTH} characters`,
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

const attr = (name: string, type: string, extra: JsonObject = {}): JsonObject => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const multi = (name: string, subAttributes: JsonObject[], extra: JsonObject = {}): JsonObject =>
  attr(name, 'complex', { multiValued: true, subAttributes, ...extra });

const valueAttrs = (): JsonObject[] => [
  attr('value', 'string'),
  attr('display', 'string'),
  attr('type', 'string'),
  attr('primary', 'boolean'),
];

function userSchema(): JsonObject {
  return {
    id: SCHEMA.user,
    name: 'User',
    description: 'A person; userName is their Vigil subject',
    attributes: [
      attr('userName', 'string', { required: true, uniqueness: 'server', mutability: 'immutable' }),
      attr('externalId', 'string', { caseExact: true }),
      attr('active', 'boolean'),
      attr('name', 'complex', {
        subAttributes: [
          'formatted',
          'familyName',
          'givenName',
          'middleName',
          'honorificPrefix',
          'honorificSuffix',
        ].map((n) => attr(n, 'string')),
      }),
      ...[
        'displayName',
        'nickName',
        'profileUrl',
        'title',
        'userType',
        'preferredLanguage',
        'locale',
        'timezone',
      ].map((n) => attr(n, 'string')),
      multi('emails', valueAttrs()),
      multi('phoneNumbers', valueAttrs()),
      multi('ims', valueAttrs()),
      multi('photos', valueAttrs()),
      multi(
        'addresses',
        ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((n) =>
          attr(n, 'string'),
        ),
      ),
      multi('entitlements', valueAttrs()),
      multi('roles', valueAttrs()),
      multi('x509Certificates', valueAttrs()),
      multi('groups', valueAttrs(), { mutability: 'readOnly' }),
    ],
    meta: { resourceType: 'Schema', location: `/Schemas/${SCHEMA.user}` },
  };
}

function groupSchema(): JsonObject {
  return {
    id: SCHEMA.group,
    name: 'Group',
    description: 'A group; its displayName is the Vigil group (group:<displayName>)',
    attributes: [
      attr('displayName', 'string', { required: true, uniqueness: 'server' }),
      attr('externalId', 'string', { caseExact: true }),
      multi('members', [
        attr('value', 'string', { caseExact: true, mutability: 'immutable' }),
        attr('display', 'string'),
        attr('type', 'string'),
      ]),
    ],
    meta: { resourceType: 'Schema', location: `/Schemas/${SCHEMA.group}` },
  };
}

function enterpriseSchema(): JsonObject {
  return {
    id: SCHEMA.enterpriseUser,
    name: 'EnterpriseUser',
    description: 'Kept as sent; Vigil does not act on it',
    attributes: ['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map((n) =>
      attr(n, 'string'),
    ),
    meta: { resourceType: 'Schema', location: `/Schemas/${SCHEMA.enterpriseUser}` },
  };
}

export function schemas(base: string): JsonObject[] {
  return [userSchema(), groupSchema(), enterpriseSchema()].map((s) => ({
    schemas: [SCHEMA.schema],
    ...s,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${s.id as string}` },
  }));
}

export function resourceTypes(base: string): JsonObject[] {
  return [
    {
      schemas: [SCHEMA.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: SCHEMA.user,
      schemaExtensions: [{ schema: SCHEMA.enterpriseUser, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [SCHEMA.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: SCHEMA.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}
