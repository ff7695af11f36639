// Sign-in with the configured SAML 2.0 identity provider, ending in the same Vigil token an OIDC
// sign-in yields. node-saml builds the AuthnRequest (HTTP-Redirect binding) and verifies the
// Response (HTTP-POST binding): signatures, audience, times, InResponseTo. Around it, Vigil checks
// what the library leaves to its caller: the document's shape against signature wrapping, the
// Destination and Recipient, an unsolicited Response when IdP-initiated sign-in is off, the
// issuer, and replays. An AuthnRequest's ID is sealed (pending-requests.ts), so its answer may
// reach any replica; it is answered once. The provider's metadata is loaded on first use and again
// after a failure.

import { SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { getVerifiedXml, parseDomFromString } from '@node-saml/node-saml/lib/xml.js';
import { VigilError } from '../../core/errors.js';
import type { SamlSectionConfig } from '../../core/saml-config.js';
import type { ClaimMapping } from '../oidc-claims.js';
import type { SignInResult } from '../oidc-sign-in.js';
import type { SignInStates } from '../sign-in-states.js';
import type { VigilTokens } from '../vigil-tokens.js';
import { assertionIssuedAt, checkAssertion } from './assertion-checks.js';
import { type IdpSettings, loadIdpSettings } from './idp-metadata.js';
import { samlRefusal } from './library-errors.js';
import { PendingRequests } from './pending-requests.js';
import { assertConsumedAssertion, inspectResponse } from './response-shape.js';
import { identityFromProfile } from './saml-identity.js';
import type { UsedAssertions } from './used-assertions.js';

export interface SamlSignInOptions {
  readonly saml: SamlSectionConfig;
  /** Where relative metadata and certificate files are read from (the config file's directory). */
  readonly baseDir: string;
  /** identity.saml.sp_private_key, resolved by the server. */
  readonly spPrivateKey: string | null;
  readonly spCertificate: string | null;
  /** This gateway's base URL as browsers reach it; known once it listens. */
  readonly publicUrl: () => string;
  readonly usedAssertions: UsedAssertions;
  /** Seals AuthnRequest IDs and marks each answered once. */
  readonly states: SignInStates;
  readonly roles: ClaimMapping['roles'];
  readonly vigilTokens: VigilTokens;
  readonly tokenTtlMs: number;
  /** How long the provider has to answer an AuthnRequest. */
  readonly requestTtlMs?: number;
  readonly now?: () => number;
}

export type SamlFlow = 'sp_initiated' | 'idp_initiated';

export interface SamlSignInResult extends SignInResult {
  readonly flow: SamlFlow;
}

const MAX_RESPONSE_BYTES = 256 * 1024;

export class SamlSignIn {
  readonly #options: SamlSignInOptions;
  readonly #requests: PendingRequests;
  #provider: Promise<{ saml: SAML; idp: IdpSettings }> | null = null;

  constructor(options: SamlSignInOptions) {
    this.#options = options;
    this.#requests = new PendingRequests(options.states, {
      ttlMs: options.requestTtlMs ?? 10 * 60_000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get acsUrl(): string {
    return `${this.#options.publicUrl().replace(/\/+$/, '')}/auth/saml/acs`;
  }

  /**
   * The provider URL carrying a fresh AuthnRequest (HTTP-Redirect); its ID awaits the answer, which
   * only the browser holding `browser` (a secret the caller keeps in a cookie) may bring back.
   */
  async begin(relayState: string, browser: string): Promise<string> {
    const { saml } = await this.#load();
    return this.#requests.forBrowser(browser, () => saml.getAuthorizeUrlAsync(relayState, undefined, {}));
  }

  /** This service provider's metadata, for the identity provider's administrator. */
  async metadata(): Promise<string> {
    const { saml } = await this.#load();
    return saml.generateServiceProviderMetadata(null, this.#options.spCertificate);
  }

  /**
   * Verifies a Response posted to the ACS URL and issues a Vigil token for its subject. `browser`:
   * the secret given to `begin`, read from the posting browser's cookie (null when it sent none).
   */
  async complete(samlResponse: string, browser: string | null): Promise<SamlSignInResult> {
    const { saml, idp } = await this.#load();
    const xml = decodeResponse(samlResponse);
    const shape = await inspectResponse(xml);
    if (shape.inResponseTo === null && !this.#options.saml.allow_idp_initiated)
      throw new VigilError(
        'saml_unsolicited',
        'unsolicited SAML Responses are refused (identity.saml.allow_idp_initiated is off)',
      );
    // Login CSRF and injection: someone else's Response (their own sign-in, or one stolen from a
    // victim) posted from this browser answers a request this browser never began. The signed
    // assertion's InResponseTo must equal the Response's (assertion-checks.ts), so it cannot be
    // changed to name this browser's request.
    if (shape.inResponseTo !== null && this.#requests.browserOf(shape.inResponseTo, browser) === 'other')
      throw new VigilError(
        'saml_other_browser',
        'the SAML Response answers a sign-in begun in another browser (or this browser sent no sign-in cookie): start again at /auth/saml/login',
      );
    if (await this.#options.usedAssertions.has(shape.issuer, shape.assertionId))
      throw new VigilError('saml_replayed', 'this assertion was already used to sign in');
    if (shape.destination !== null && shape.destination !== this.acsUrl)
      throw new VigilError('saml_recipient', "the Response's Destination is not this gateway's ACS URL");
    await assertResponseSignatureHolds(xml, idp.certificates);
    let profile: NonNullable<Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile']>;
    try {
      const validated = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
      if (!validated.profile) throw new VigilError('saml_invalid', 'the Response carries no sign-in');
      profile = validated.profile;
    } catch (err) {
      throw samlRefusal(err);
    }
    const assertion = await assertConsumedAssertion(profile.getAssertionXml?.() ?? '', shape);
    const now = this.#now();
    const rememberUntil = checkAssertion(assertion, {
      acsUrl: this.acsUrl,
      idpEntityId: idp.entityId,
      inResponseTo: shape.inResponseTo,
      clockSkewMs: this.#options.saml.clock_skew,
      now,
    });
    const identity = identityFromProfile(profile, {
      subjectAttribute: this.#options.saml.subject_attribute ?? null,
      groupsAttribute: this.#options.saml.groups_attribute,
      roles: this.#options.roles,
    });
    // The request is marked answered only now: node-saml has checked it, and anonymous posts that
    // fail before this point write nothing. Atomic, so a second answer on any replica is refused.
    if (shape.inResponseTo !== null && !(await this.#requests.use(shape.inResponseTo)))
      throw new VigilError(
        'saml_in_response_to',
        'the Response answers no sign-in this gateway started, or one already answered',
      );
    if (!(await this.#options.usedAssertions.use(shape.issuer, shape.assertionId, rememberUntil)))
      throw new VigilError('saml_replayed', 'this assertion was already used to sign in');
    // An assertion issued before a SCIM deactivation and posted after the re-activation signs
    // nobody in (sign-in-ledger.ts), as an id_token does not (oidc-sign-in.ts).
    const credentialIssuedAt = assertionIssuedAt(assertion);
    const { token, claims } = await this.#options.vigilTokens.issue(
      {
        subject: identity.subject,
        groups: identity.groups,
        roles: identity.roles,
        roleGroups: identity.roleGroups,
        ttlMs: this.#options.tokenTtlMs,
        credentialIssuedAt,
      },
      now,
    );
    return {
      ...identity,
      token,
      tokenId: claims.tokenId,
      expiresAt: claims.expiresAt,
      credentialIssuedAt,
      flow: shape.inResponseTo === null ? 'idp_initiated' : 'sp_initiated',
    };
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #load(): Promise<{ saml: SAML; idp: IdpSettings }> {
    if (this.#provider === null) {
      const loading = this.#build();
      this.#provider = loading;
      loading.catch(() => {
        if (this.#provider === loading) this.#provider = null;
      });
    }
    return this.#provider;
  }

  async #build(): Promise<{ saml: SAML; idp: IdpSettings }> {
    const settings = this.#options.saml;
    const idp = await loadIdpSettings(settings, this.#options.baseDir);
    const config: SamlConfig = {
      entryPoint: idp.ssoUrl,
      issuer: settings.sp_entity_id,
      audience: settings.sp_entity_id,
      callbackUrl: this.acsUrl,
      idpCert: [...idp.certificates],
      ...(idp.entityId ? { idpIssuer: idp.entityId } : {}),
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: settings.clock_skew,
      validateInResponseTo: settings.allow_idp_initiated
        ? ValidateInResponseTo.ifPresent
        : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: this.#options.requestTtlMs ?? 10 * 60_000,
      cacheProvider: this.#requests,
      generateUniqueId: this.#requests.newId,
      // No NameIDPolicy format and no RequestedAuthnContext: the provider's defaults (MFA,
      // passwordless) apply, and Entra ID refuses a password context for such users.
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      ...(settings.sign_requests && this.#options.spPrivateKey
        ? { privateKey: this.#options.spPrivateKey }
        : {}),
    };
    return { saml: new SAML(config), idp };
  }
}

function decodeResponse(samlResponse: string): string {
  if (samlResponse.length > (MAX_RESPONSE_BYTES * 4) / 3 + 4)
    throw new VigilError('saml_invalid', 'the SAMLResponse is larger than Vigil accepts');
  if (!/^[A-Za-z0-9+/\s]+=*\s*$/.test(samlResponse))
    throw new VigilError('saml_invalid', 'the SAMLResponse is not base64');
  return Buffer.from(samlResponse, 'base64').toString('utf8');
}

/**
 * node-saml ignores a Response signature that fails when the assertion's own signature holds; a
 * Response signed by a key we do not trust is a forgery attempt all the same, so it is refused.
 */
async function assertResponseSignatureHolds(xml: string, certificates: readonly string[]): Promise<void> {
  const doc = await parseDomFromString(xml);
  const root = doc.documentElement;
  const signed = Array.from(root.childNodes).some(
    (n) => (n as { localName?: string }).localName === 'Signature',
  );
  if (!signed) return;
  let verified: string | null;
  try {
    verified = getVerifiedXml(xml, root, [...certificates]);
  } catch (err) {
    throw samlRefusal(err);
  }
  if (verified === null)
    throw new VigilError(
      'saml_signature_invalid',
      "the Response's signature does not verify with the identity provider's certificate",
    );
}
