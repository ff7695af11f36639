// The `identity.saml` section: sign-in with a SAML 2.0 identity provider. Validation only; the
// metadata is fetched or read, and the key resolved, at the edge (src/identity/saml).
import { z } from 'zod';
import { secretRef } from './config-primitives.js';
import { parseDuration } from './duration.js';

/** A clock skew beyond this would let an expired assertion through for too long. */
const MAX_CLOCK_SKEW_MS = 10 * 60_000;

const clockSkew = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null || ms > MAX_CLOCK_SKEW_MS) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration of at most 10m, such as 30s or 2m' });
    return z.NEVER;
  }
  return ms;
});

export const samlSectionSchema = z
  .strictObject({
    /** Where the identity provider publishes its metadata (entity id, SSO URL, signing certificates). */
    idp_metadata_url: z.url().optional(),
    /** The same metadata, saved to a file (relative to the config file). */
    idp_metadata_file: z.string().min(1).optional(),
    /** Without metadata: the provider's HTTP-Redirect SSO URL and its signing certificate. */
    idp_sso_url: z.url().optional(),
    /** PEM (or base64 DER) text, or file:PATH; a certificate is public, so not a secret reference. */
    idp_cert: z.string().min(1).optional(),
    /** The provider's entity id: Responses from another issuer are refused (taken from metadata when given). */
    idp_entity_id: z.string().min(1).optional(),
    /** This gateway's entity id: the audience every assertion must name. */
    sp_entity_id: z.string().min(1),
    /** The attribute naming the user; without it, the assertion's NameID. */
    subject_attribute: z.string().min(1).optional(),
    groups_attribute: z.string().min(1).default('groups'),
    clock_skew: clockSkew.default(60_000),
    /** Accept Responses the provider sends unasked (no InResponseTo), e.g. from an app tile. */
    allow_idp_initiated: z.boolean().default(false),
    /** Sign AuthnRequests (needs sp_private_key; publish sp_certificate to the provider). */
    sign_requests: z.boolean().default(false),
    sp_private_key: secretRef.optional(),
    /** PEM text or file:PATH: the certificate of sp_private_key, published in the SP metadata. */
    sp_certificate: z.string().min(1).optional(),
    /** Allow an http:// metadata or SSO URL (development and tests only). */
    allow_insecure_http: z.boolean().default(false),
  })
  .superRefine((saml, ctx) => {
    const sources = [
      saml.idp_metadata_url !== undefined,
      saml.idp_metadata_file !== undefined,
      saml.idp_sso_url !== undefined || saml.idp_cert !== undefined,
    ].filter(Boolean).length;
    if (sources !== 1)
      ctx.addIssue({
        code: 'custom',
        message: 'give exactly one of idp_metadata_url, idp_metadata_file, or idp_sso_url with idp_cert',
      });
    if ((saml.idp_sso_url === undefined) !== (saml.idp_cert === undefined))
      ctx.addIssue({ code: 'custom', message: 'idp_sso_url and idp_cert go together' });
    if (saml.sign_requests && !saml.sp_private_key)
      ctx.addIssue({
        code: 'custom',
        path: ['sp_private_key'],
        message: 'sign_requests needs sp_private_key',
      });
    for (const key of ['idp_metadata_url', 'idp_sso_url'] as const) {
      const url = saml[key];
      if (url?.startsWith('http:') && !saml.allow_insecure_http)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'must be https (set allow_insecure_http only for development)',
        });
    }
  });

export type SamlSectionConfig = z.output<typeof samlSectionSchema>;
