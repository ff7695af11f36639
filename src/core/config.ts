// The configuration schema (vigil.yaml). Validation only: reading the file and resolving secret
// references happen in server/load-config.ts.

import { z } from 'zod';
import { ACTION_EVENT_TYPES } from './actions.js';
import { approvalsSectionSchema } from './approvals-config.js';
import { duration, hostPort, principalPattern, secretRef } from './config-primitives.js';
import { listenersSectionSchema } from './listeners-config.js';
import { payloadsSectionSchema } from './payloads-config.js';
import { samlSectionSchema } from './saml-config.js';
import { siemSectionSchema } from './siem-config.js';

export { approvalsSectionSchema } from './approvals-config.js';
export { duration, hostPort, secretRef } from './config-primitives.js';

export const ROLES = ['admin', 'auditor', 'user'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A name the ledger keeps as text: no lone UTF-16 surrogate, which YAML's `\ud800` escape can spell
 * and which UTF-8 cannot hold (every event of such an identity would be refused, record_failed).
 */
const storableName = z
  .string()
  .min(1)
  .refine((s) => !/\p{Cs}/u.test(s), 'must not hold a lone UTF-16 surrogate (half of a pair)');

const identitySchema = z.strictObject({
  name: storableName,
  kind: z.enum(['user', 'service']).default('user'),
  groups: z.array(storableName).default([]),
  roles: z.array(z.enum(ROLES)).default(['user']),
  /** SHA-256 (hex) of the identity's token: the token itself is never in the file. `vigil token hash` makes one. */
  token_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (vigil token hash)'),
  /** Public keys that sign in as this identity (OpenSSH authorized_keys lines, e.g. `ssh-ed25519 AAAA… alice@laptop`). */
  ssh_keys: z
    .array(
      z
        .string()
        .regex(
          /(^|\s)(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)\s+AAAA[A-Za-z0-9+/]+=*(\s|$)/,
          'must be an OpenSSH public key line (TYPE BASE64 [COMMENT])',
        ),
    )
    .default([]),
});

const identitySection = z
  .strictObject({
    /** Lifetime of the Vigil tokens that sign-in issues. */
    token_ttl: duration.default(3_600_000),
    /** The `aud` of Vigil tokens: a token minted for another audience is refused. */
    audience: z.string().min(1).default('vigil'),
    /** Where browsers reach this gateway (for the OIDC redirect); defaults to http://LISTEN. */
    public_url: z.url().optional(),
    oidc: z
      .strictObject({
        issuer: z.url(),
        client_id: z.string().min(1),
        client_secret: secretRef.optional(),
        scopes: z.string().default('openid email profile groups'),
        /** The claim that names the user (their Vigil subject). */
        subject_claim: z.string().default('email'),
        /**
         * With `subject_claim: email`, sign in only when the provider says it verified the address
         * (`email_verified: true`): an unverified address is whatever the user typed at the provider.
         */
        require_verified_email: z.boolean().default(true),
        groups_claim: z.string().default('groups'),
        /** Allow an http:// issuer (development and tests only). */
        allow_insecure_http: z.boolean().default(false),
        /**
         * Accept access tokens this provider issues for a resource Vigil serves (an MCP connection's
         * URL as audience), so standard MCP clients can sign in with the provider directly.
         */
        accept_access_tokens: z.boolean().default(false),
      })
      .optional(),
    /** SAML 2.0 sign-in (src/core/saml-config.ts); may sit beside oidc. */
    saml: samlSectionSchema.optional(),
    /** Admin API roles by principal (user:, group:, service:); everyone else is a user. */
    roles: z
      .strictObject({
        admin: z.array(principalPattern).default([]),
        auditor: z.array(principalPattern).default([]),
      })
      .default({ admin: [], auditor: [] }),
    /** How often a gateway re-reads revocations and disabled identities written by others. */
    revocation_poll: duration.default(250),
    /** SCIM 2.0 provisioning at /scim/v2 (docs/identity.md#scim-provisioning); off unless enabled. */
    scim: z
      .strictObject({
        enabled: z.boolean().default(false),
        /** Largest request body accepted (a group with thousands of members is a few hundred KiB). */
        max_body_bytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
      })
      .default({ enabled: false, max_body_bytes: 1024 * 1024 }),
  })
  .default({
    token_ttl: 3_600_000,
    audience: 'vigil',
    roles: { admin: [], auditor: [] },
    revocation_poll: 250,
    scim: { enabled: false, max_body_bytes: 1024 * 1024 },
  });

const customRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes'),
  description: z.string().default(''),
  pattern: z.string().min(1),
  /** Which capture group holds the secret (0 = the whole match). */
  group: z.number().int().min(0).default(0),
  validator: z.enum(['luhn', 'iban', 'entropy']).optional(),
  replacement: z.string().optional(),
});

const connectionMaskingSchema = z.strictObject({
  disabled_rules: z.array(z.string()).default([]),
  enabled_rules: z.array(z.string()).default([]),
});

/** The fields every connection has, whatever its protocol; a protocol module's schema extends them. */
export const connectionBase = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, dashes and underscores'),
  upstream: z.string().min(1),
  credential: secretRef.optional(),
  allow: z.array(principalPattern).default([]),
  deny: z.array(principalPattern).default([]),
  masking: connectionMaskingSchema.default({ disabled_rules: [], enabled_rules: [] }),
  /**
   * Just-in-time access: the allow list says who may ask, an approved access request (a time-bound
   * grant) or break-glass lets them in. Without it, a grant admits an identity the allow list does not.
   */
  requires_grant: z.boolean().default(false),
};

/** What a policy rule looks at; every field given must match (an absent field matches anything). */
const ruleMatchSchema = z.strictObject({
  /** Connection names; `*` wildcards allowed. */
  connections: z.array(z.string().min(1)).optional(),
  /** Who acts: user:NAME, group:NAME, service:NAME or *. */
  principals: z.array(principalPattern).optional(),
  /** Event types of actions (ACTION_EVENT_TYPES in core/actions.ts). */
  events: z.array(z.enum(ACTION_EVENT_TYPES)).optional(),
  /** A regular expression over the action's text (prompt, statement, command); `(?i)` prefix for case-insensitive. */
  pattern: z
    .string()
    .min(1)
    .superRefine((p, ctx) => {
      try {
        // Compiled as policy/policy-rules.ts does: a leading `(?i)` stands for the i flag (JS has no inline flags).
        new RegExp(p.replace(/^\(\?i\)/, ''));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(err as Error).message}` });
      }
    })
    .optional(),
  /** Statement kinds from the SQL parser (UPDATE, DELETE, DROP ...): any statement of the string may match. */
  statement_kinds: z.array(z.string().min(1)).optional(),
  /** Tables the statement touches (name or schema.name; `*` wildcards). */
  tables: z.array(z.string().min(1)).optional(),
  /** Model names (`*` wildcards). */
  models: z.array(z.string().min(1)).optional(),
  /** Tool names offered to or called by the model, or the MCP tool called (`*` wildcards). */
  tools: z.array(z.string().min(1)).optional(),
});

/** Who must approve a held action, how many of them, and how long the action may wait. */
const reviewSchema = z.strictObject({
  approvers: z.array(principalPattern).min(1),
  required: z.number().int().min(1).default(1),
  timeout: duration.default(300_000),
});

const policyRuleSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, dots and dashes'),
    description: z.string().default(''),
    match: ruleMatchSchema.default({}),
    /** allow and deny decide; review holds the action for approval; alert lets it through and notifies. */
    action: z.enum(['allow', 'deny', 'review', 'alert']),
    /** Shown to the requester and reviewers. */
    reason: z.string().optional(),
    review: reviewSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.action === 'review' && !rule.review)
      ctx.addIssue({ code: 'custom', path: ['review'], message: 'a review rule needs review.approvers' });
    if (rule.action !== 'review' && rule.review)
      ctx.addIssue({ code: 'custom', path: ['review'], message: 'only a review rule takes review settings' });
  });

export const policySectionSchema = z
  .strictObject({
    /** Evaluated in order: the first allow, deny or review rule that matches decides; alert rules add to it. */
    rules: z.array(policyRuleSchema).default([]),
    /** What happens to an action no rule decides. */
    default: z.enum(['allow', 'deny']).default('allow'),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.rules.forEach((rule, i) => {
      if (seen.has(rule.name))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'name'],
          message: `duplicate rule "${rule.name}"`,
        });
      seen.add(rule.name);
    });
  })
  .default({ rules: [], default: 'allow' });

/** The embedded default: one SQLite file under the data directory. */
const sqliteStoreSchema = z.strictObject({ type: z.literal('sqlite') });

/** PostgreSQL, for several gateway replicas on one ledger (docs/scale-out.md). */
const postgresStoreSchema = z.strictObject({
  type: z.literal('postgres'),
  /** The connection URL holds a password, so it is referenced like every other secret. */
  url: secretRef,
  pool: z.strictObject({ max: z.number().int().min(1).max(1000).default(10) }).default({ max: 10 }),
  /** Where Vigil's tables live; created by `vigil migrate` (or at start) when missing. */
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier (letters, digits, _)')
    .default('vigil'),
});

/** The `store` section: one backend, chosen by `type`. */
const storeSection = z
  .discriminatedUnion('type', [sqliteStoreSchema, postgresStoreSchema])
  .default({ type: 'sqlite' });

/** A connection as the protocol-neutral layers see it; its module reads the rest with its own schema. */
export const connectionBaseSchema = z.object({ type: z.string(), ...connectionBase });
export type ConnectionConfig = z.output<typeof connectionBaseSchema>;

function configObject(connection: z.ZodType<ConnectionConfig>) {
  return z
    .strictObject({
      listen: hostPort.default('127.0.0.1:8080'),
      data: z.string().min(1).default('./.vigil'),
      log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      on_record_failure: z.enum(['fail-closed', 'fail-open']).default('fail-closed'),
      /**
       * `full`: fsync on every group commit; `normal`: survives a process crash, not a power loss.
       * SQLite only: a PostgreSQL store commits as the server's synchronous_commit says.
       */
      durability: z.enum(['full', 'normal']).default('full'),
      /** Commit the ledger in a worker thread so fsync never blocks the data path (off: on the main thread). */
      append_in_worker: z.boolean().default(true),
      /** Where the ledger, identities' access state and approvals live (one bundle of ports). */
      store: storeSection,
      /** Large payloads in object storage (docs/object-storage.md); off unless the section is present. */
      payloads: payloadsSectionSchema,
      max_body_bytes: z
        .number()
        .int()
        .min(1024)
        .default(32 * 1024 * 1024),
      /** Bounds on connections still logging in at each database and SSH listener. */
      listeners: listenersSectionSchema,
      sessions: z
        .strictObject({ idle_timeout: duration.default(15 * 60_000) })
        .default({ idle_timeout: 15 * 60_000 }),
      /**
       * This gateway process as one replica of several on one store: it holds a lease, renewed every
       * third of `lease`; once a replica's lease lapses another adopts and closes its open sessions.
       */
      replica: z
        .strictObject({ lease: duration.refine((ms) => ms >= 1000, 'must be at least 1s').default(10_000) })
        .default({ lease: 10_000 }),
      /** Static identities with configured tokens: for bootstrap and the demo; sign-in issues short-lived tokens. */
      identities: z.array(identitySchema).default([]),
      identity: identitySection,
      ledger: z
        .strictObject({
          checkpoint_interval: duration.default(1000),
          signing_key: secretRef.optional(),
          anchor_file: z.string().optional(),
          anchor_webhook: z.url().optional(),
          /**
           * The log's name in its C2SP checkpoint notes (also the note key's name): a schema-less URL
           * such as `vigil.example.com/audit`. Defaults to one naming the ledger's first key.
           */
          origin: z
            .string()
            .regex(/^[^\s+]+$/, 'must be one word without spaces or plus signs, e.g. vigil.example.com/audit')
            .optional(),
          /**
           * Transparency-log witnesses (c2sp.org/tlog-witness) asked to cosign every checkpoint:
           * `url` is the submission prefix, `vkey` the witness's cosignature verifier key.
           */
          witnesses: z.array(z.strictObject({ url: z.url(), vkey: z.string().min(1) })).default([]),
        })
        .default({ checkpoint_interval: 1000, witnesses: [] }),
      masking: z
        .strictObject({
          fingerprint_key: secretRef.optional(),
          rules: z.array(customRuleSchema).default([]),
          disabled_rules: z.array(z.string()).default([]),
          /** Rules off unless enabled (globally here or per connection), such as ip-address. */
          enabled_rules: z.array(z.string()).default([]),
          /** Values never masked (exact strings), such as a well-known test key. */
          allow: z.array(z.string()).default([]),
          /** Further known secrets to mask wherever they appear, by reference. */
          secrets: z.array(secretRef).default([]),
          /**
           * Column, JSON key, form field and variable names whose values are masked whole (by their
           * last words: user_password matches password). Absent: the built-in list; []: none.
           */
          secret_names: z.array(z.string().min(1)).optional(),
        })
        .default({ rules: [], disabled_rules: [], enabled_rules: [], allow: [], secrets: [] }),
      /**
       * Prometheus metrics at GET /metrics on `listen` (docs/metrics.md): off unless enabled. An admin
       * or the holder of `scrape_token` (a secret reference) may scrape.
       */
      metrics: z
        .strictObject({
          enabled: z.boolean().default(false),
          scrape_token: secretRef.optional(),
        })
        .default({ enabled: false }),
      /**
       * The web console (docs/console/sessions.md). A reasoning session's tree is built ahead of its first
       * reader once this gateway has recorded `prebuild_min_calls` model calls in it and it has
       * been quiet for `prebuild_quiet`; 0 calls turns it off.
       */
      console: z
        .strictObject({
          prebuild_min_calls: z.number().int().min(0).default(500),
          prebuild_quiet: duration.default(2000),
        })
        .default({ prebuild_min_calls: 500, prebuild_quiet: 2000 }),
      connections: z.array(connection).default([]),
      /**
       * OpenTelemetry traces over OTLP/HTTP (docs/tracing.md): off unless the section is present.
       * Spans are built from the ledger when a session ends; `content` adds the masked prompts,
       * replies and statements, never anything unmasked.
       */
      tracing: z
        .strictObject({
          /** The collector's traces URL, such as http://collector:4318/v1/traces. */
          otlp_endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
          /** Headers sent with every export (an API key for a hosted backend), by reference. */
          headers: z
            .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'), secretRef)
            .default({}),
          service_name: z.string().min(1).default('vigil'),
          content: z.boolean().default(false),
        })
        .optional(),
      /** Guardrail rules; reloaded without a restart when the file changes. */
      policy: policySectionSchema,
      /** Approvals, access requests and break-glass; reloaded with the policy. */
      approvals: approvalsSectionSchema,
      /** Streaming every ledger event to SIEM sinks (docs/siem.md). */
      siem: siemSectionSchema,
    })
    .superRefine((config, ctx) => {
      const seen = new Map<string, number>();
      config.connections.forEach((c, i) => {
        if (seen.has(c.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['connections', i, 'name'],
            message: `duplicate connection name "${c.name}"`,
          });
        }
        seen.set(c.name, i);
      });
      const names = new Set<string>();
      config.identities.forEach((identity, i) => {
        if (names.has(identity.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['identities', i, 'name'],
            message: `duplicate identity "${identity.name}"`,
          });
        }
        names.add(identity.name);
      });
    });
}

/**
 * The configuration schema for a set of connection types (each protocol module contributes its
 * own, extending `connectionBase`), so errors still name the key and the line.
 */
export function buildConfigSchema(connectionTypes: readonly z.ZodObject[]): ReturnType<typeof configObject> {
  const union = z.discriminatedUnion(
    'type',
    connectionTypes as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>],
  );
  return configObject(union as unknown as z.ZodType<ConnectionConfig>);
}

export type VigilConfig = z.output<ReturnType<typeof configObject>>;
export type IdentityConfig = VigilConfig['identities'][number];
export type IdentitySectionConfig = VigilConfig['identity'];
export type PolicyConfig = VigilConfig['policy'];
export type PolicyRuleConfig = PolicyConfig['rules'][number];
export type ApprovalsConfig = VigilConfig['approvals'];
export type CustomRuleConfig = VigilConfig['masking']['rules'][number];
export type SiemConfig = VigilConfig['siem'];
export type SiemSinkConfig = SiemConfig['sinks'][number];
